"""The widget's size, and its time to first card in a real browser, from a host page on another
origin.

Size: `widget.js` and `widget.css` as served, raw and gzip -9. Time: for each mode -- `template` (no
LLM: the parser plans, explanations are templates from the evidence) and `llm` (the local model
plans and writes the explanations) -- `recassist serve` starts with a publishable key bound to a
host page on another loopback port; headless Chromium (Debian's) opens the page once per prompt (a
fresh page: a new session and a CORS preflight, as a first visit), opens the widget and sends the
prompt. The page's own clock gives the time from sending to the first card on screen, to the first
explanation text, and to the finished answer.

    RECASSIST_DATA_DIR=... python benchmarks/widget.py --dataset ml-100k --model PATH.gguf \
        --json benchmarks/results/widget.json [--screenshot docs/images/widget.png]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import sys
import threading
from pathlib import Path

import numpy as np

from tests.background import free_port, serve_in_background, stop

ROOT = Path(__file__).resolve().parents[1]
PK = "pk_benchmark_widget"
PROMPTS = [
    "something like Toy Story but for adults",
    "a funny science fiction film",
    "recommend 3 thrillers from the 90s",
    "something like Star Wars",
    "a romantic comedy, nothing sad",
]
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corner Video</title>
<style>body { margin: 0; font-family: Georgia, serif; background: #faf7f2; color: #2b2118; }
header { background: #2b2118; color: #faf7f2; padding: 1rem 2rem; } main { padding: 1rem 2rem; max-width: 34rem; }</style>
</head><body><header><strong>Corner Video</strong> &middot; films since 1987</header>
<main><h1>Tonight's picks</h1><p>Any shop page. The chat in the corner is recassist's widget, added with one
script tag; it streams explained picks from the recassist server on another origin.</p></main>
<script src="{server}/widget.js" data-key="{key}" data-title="Film finder"
        data-greeting="Hi! Tell me what you feel like watching." async></script></body></html>"""
WATCH = """prompt => {
  const root = document.querySelector('[data-recassist]').shadowRoot, t = {};
  const seen = root.querySelectorAll('.rc-cards').length;
  const observer = new MutationObserver(() => {
    const lists = root.querySelectorAll('.rc-cards'), now = performance.now();
    if (lists.length <= seen) return;
    const list = lists[lists.length - 1];
    if (!t.card && list.querySelector('.rc-card')) t.card = now - t.start;
    if (!t.text && [...list.querySelectorAll('.rc-expl')].some(e => e.textContent && e.textContent !== '\u2026')) t.text = now - t.start;
    if (list.classList.contains('rc-done')) { t.done = now - t.start; t.cards = list.children.length; observer.disconnect(); }
  });
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__timing = t;
  t.start = performance.now();
  window.recassist.send(prompt);
}"""


def sizes() -> dict:
    out = {}
    for name in ("widget.js", "widget.css"):
        raw = (ROOT / "recassist" / "surfaces" / "static" / name).read_bytes()
        out[name] = {"bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 9))}
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged."""


def serve_page(server: str) -> tuple[str, http.server.ThreadingHTTPServer]:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"recassist-widget-bench-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text(PAGE.replace("{server}", server).replace("{key}", PK))
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def run_mode(mode: str, args, chromium: str, screenshot: Path | None) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = f"http://127.0.0.1:{port}"
    origin, httpd = serve_page(server)
    llm = mode == "llm"
    env = {
        "RECASSIST_LLM__MODEL": args.model,
        "RECASSIST_LLM__THREADS": str(args.threads),
        "RECASSIST_AGENT__LLM_PLANNER": str(llm).lower(),
        "RECASSIST_AGENT__EXPLAIN_WITH_LLM": str(llm).lower(),
        "RECASSIST_API__KEYS": json.dumps(
            [{"name": "bench", "key": PK, "kind": "publishable", "origins": [origin]}]
        ),
    }
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"recassist-widget-bench-{port}.log"
    process, _ = serve_in_background(args.dataset, log, env, ready_s=600, port=port)
    try:
        runs = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for index, prompt in enumerate(PROMPTS[: args.prompts]):
                page = browser.new_page(viewport={"width": 1100, "height": 760})
                page.goto(f"{origin}/index.html")
                page.locator(".rc-launcher").click()
                page.evaluate(WATCH, prompt)
                page.locator(".rc-cards.rc-done").wait_for(timeout=600_000)
                timing = page.evaluate("window.__timing")
                runs.append(
                    {
                        "prompt": prompt,
                        **{
                            k: round(v / 1000, 3) if k != "cards" else v
                            for k, v in timing.items()
                            if k != "start"
                        },
                    }
                )
                if screenshot and index == 0:
                    page.locator(".rc-card").first.get_by_role("button", name="Why?").click()
                    page.screenshot(path=str(screenshot))
                page.close()
            browser.close()
    finally:
        stop(process, wait_s=30)
        httpd.shutdown()
    return {"mode": mode, "runs": runs, **summarize(runs)}


def summarize(runs: list[dict]) -> dict:
    """The first prompt after the server starts (cold: models load on first use) apart from the
    median of the others (warm)."""
    keys = ("card", "text", "done")
    return {
        "cold_s": {k: runs[0][k] for k in keys},
        "warm_median_s": {k: float(np.median([r[k] for r in runs[1:]])) for k in keys},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--model", required=True, help="the GGUF file of the local model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompts", type=int, default=len(PROMPTS))
    parser.add_argument("--modes", default="template,llm")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument(
        "--screenshot", type=Path, help="save the first llm answer (else template) as a PNG"
    )
    args = parser.parse_args()
    modes = args.modes.split(",")
    results = {
        "command": " ".join(["python", "benchmarks/widget.py", *sys.argv[1:]]),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "sizes": sizes(),
        "modes": [],
    }
    for mode in modes:
        shot = (
            args.screenshot
            if args.screenshot and mode == ("llm" if "llm" in modes else modes[0])
            else None
        )
        results["modes"].append(run_mode(mode, args, args.chromium, shot))
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print("| file | bytes | gzip bytes |\n|---|---:|---:|")
    for name, size in results["sizes"].items():
        print(f"| {name} | {size['bytes']:,} | {size['gzip_bytes']:,} |")
    print(
        "\n| mode | first card: cold, warm median (s) | first explanation text | finished answer |\n|---|---:|---:|---:|"
    )
    for mode in results["modes"]:
        cold, warm = mode["cold_s"], mode["warm_median_s"]
        cells = " | ".join(f"{cold[k]:.2f}, {warm[k]:.2f}" for k in ("card", "text", "done"))
        print(f"| {mode['mode']} ({len(mode['runs']) - 1} warm prompts) | {cells} |")


if __name__ == "__main__":
    main()
