"""Parse time of the chat's deterministic reading of a message (`unread` then `parse`, as the
planner calls them) over the 115-message corpus on the ML-100k catalogue: p50 and p95 in
milliseconds.

The catalogue's title index and tag matcher are built once, outside the timing. The corpus is read
`--repeat` times in turn (message 1 to 115, then again), so no message's reading is still in the
reader's small cache when it is timed again; each message keeps the median of its runs. With
`--baseline DIR` (a checkout's folder holding another `recassist`, e.g. main exported with `git
archive`), the same measurement runs on it too, in alternating processes (baseline, this checkout,
baseline, ...) under the same load; each message keeps its best round, and the row holds both
checkouts' figures and their ratio. Writes
`benchmarks/results/parse_time.json`.

    PYTHONPATH=. python benchmarks/parse_time.py --dataset ml-100k [--label NAME]
        [--baseline DIR --rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "parse_time.json"


def measure(dataset: str, repeat: int) -> list[float]:
    """The median time (ms) of each corpus message, in corpus order."""
    from recassist.assistant.parser import parse, unread
    from recassist.data.schema import TAG_SEPARATOR
    from recassist.data.store import DatasetStore
    from recassist.retrieval.catalogue import TitleIndex
    from recassist.settings import Settings

    try:
        from recassist.language.tags import TagMatcher
    except ImportError:  # a checkout from before the language pass (a `--baseline`)
        from recassist.assistant.tags import TagMatcher

    items = DatasetStore(Settings().data_dir).load(dataset).items
    titles = TitleIndex(zip(items["item_id"], items["title"]))
    tags = TagMatcher(sorted({t for row in items["tags"] for t in row.split(TAG_SEPARATOR) if t}))
    corpus = resources.files("recassist.evaluation").joinpath("data/messages.txt")
    messages = [m for m in corpus.read_text(encoding="utf-8").splitlines() if m.strip()]
    runs: list[list[float]] = [[] for _ in messages]
    for _ in range(repeat):
        for i, message in enumerate(messages):
            start = time.perf_counter()
            parse(message, tags, titles.spans, unread(message, tags, titles.spans))
            runs[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(r) for r in runs]


def _figures(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "messages": len(times),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
    }


def _in_process(folder: Path, args: argparse.Namespace) -> list[float]:
    """`measure` run in a fresh process on the `recassist` inside `folder`."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [sys.executable, __file__, "--dataset", args.dataset, "--repeat", str(args.repeat)]
    done = subprocess.run([*command, "--raw"], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--label", default="HEAD")
    parser.add_argument("--baseline", type=Path, help="a folder holding another recassist")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        print(json.dumps(measure(args.dataset, args.repeat)))
        return
    if args.baseline is None:
        times = measure(args.dataset, args.repeat)
        row = {"label": args.label, "dataset": args.dataset, **_figures(times)}
        row["load_1min"] = round(os.getloadavg()[0], 1)
    else:
        ours, theirs = [], []
        for _ in range(args.rounds):
            theirs.append(_in_process(args.baseline.resolve(), args))
            ours.append(_in_process(ROOT, args))
        mine = _figures([min(t) for t in zip(*ours)])
        base = _figures([min(t) for t in zip(*theirs)])
        row = {
            "label": args.label,
            "dataset": args.dataset,
            **mine,
            "baseline": {"folder": str(args.baseline), **base},
            "ratio_p50": round(mine["p50_ms"] / base["p50_ms"], 2),
            "ratio_p95": round(mine["p95_ms"] / base["p95_ms"], 2),
            "load_1min": round(os.getloadavg()[0], 1),
        }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if r["label"] != args.label] + [row]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(row))


if __name__ == "__main__":
    main()
