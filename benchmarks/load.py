"""Bounded load on loopback against a running recassist: `POST /api/v1/recommend` and `POST
/api/v1/chat`.

For each concurrency level (default 1, 8, 32): `recommend` with template explanations (no LLM), and
`chat` turns as users send them (the LLM plans what the parser cannot read and writes the
explanations, behind the admission queue): clients send requests back to back for a fixed time (or a
fixed count), then stop. Reports throughput, latency (for chat: time to the first card and to
`done`), errors (non-200 answers, `error` events, transport errors) and how many chat turns the busy
model answered with templates, as JSON and a Markdown table.

    python benchmarks/load.py --url http://127.0.0.1:7860 [--seconds 20] [--chat-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np


def run_level(
    url: str,
    users: list[str],
    clients: int,
    seconds: float,
    explain: str,
    max_requests: int,
    k: int,
) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    sent = [0]

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=600) as http:
            n = 0
            while time.perf_counter() < stop_at:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                user = users[(index * 7919 + n) % len(users)]
                n += 1
                body = {"user_id": user, "k": k, "explain": explain}
                started = time.perf_counter()
                try:
                    response = http.post("/api/v1/recommend", json=body)
                    ok = response.status_code == 200 and len(response.json()["items"]) == k
                    problem = None if ok else f"HTTP {response.status_code}: {response.text[:120]}"
                except httpx.HTTPError as err:
                    problem = f"{type(err).__name__}: {err}"
                elapsed = time.perf_counter() - started
                with lock:
                    if problem:
                        errors.append(problem)
                    else:
                        latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ms = np.array(latencies) * 1000 if latencies else np.array([np.nan])
    return {
        "mode": explain,
        "k": k,
        "clients": clients,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_errors": errors[:3],
        "throughput_rps": len(latencies) / wall,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "wall_s": wall,
    }


CHAT_MESSAGES = [
    "something like Alien but funnier",
    "a feel-good movie for a rainy sunday",
    "not horror",
    "give me 3 comedies from the 90s",
    "something dark and slow",
    "why the first one?",
    "something like Fargo",
    "an epic adventure",
]


def run_chat_level(url: str, clients: int, seconds: float, max_turns: int) -> dict:
    """Chat turns over SSE, each client one session; times to the first `picks` event and to `done`."""
    first_card: list[float] = []
    done: list[float] = []
    busy, errors = [0], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    sent = [0]

    def client(index: int) -> None:
        session = None
        with httpx.Client(base_url=url, timeout=600) as http:
            n = 0
            while time.perf_counter() < stop_at:
                with lock:
                    if sent[0] >= max_turns:
                        return
                    sent[0] += 1
                message = CHAT_MESSAGES[(index + n) % len(CHAT_MESSAGES)]
                n += 1
                started = time.perf_counter()
                marks, problem, event = {}, None, None
                try:
                    with http.stream(
                        "POST", "/api/v1/chat", json={"session_id": session, "message": message}
                    ) as response:
                        if response.status_code != 200:
                            problem = f"HTTP {response.status_code}"
                        for line in response.iter_lines():
                            if line.startswith("event: "):
                                event = line[7:]
                                marks.setdefault(event, time.perf_counter() - started)
                            elif line.startswith("data: ") and event == "session":
                                session = json.loads(line[6:])["session_id"]
                            elif (
                                line.startswith("data: ")
                                and event == "done"
                                and json.loads(line[6:]).get("busy")
                            ):
                                with lock:
                                    busy[0] += 1
                    if "error" in marks or "done" not in marks:
                        problem = problem or "the turn ended without done"
                except httpx.HTTPError as err:
                    problem = f"{type(err).__name__}: {err}"
                with lock:
                    if problem:
                        errors.append(problem)
                    else:
                        first_card.append(marks.get("picks", marks["done"]))
                        done.append(marks["done"])

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    card = np.array(first_card) if first_card else np.array([np.nan])
    end = np.array(done) if done else np.array([np.nan])
    return {
        "mode": "chat",
        "clients": clients,
        "requests": len(done) + len(errors),
        "errors": len(errors),
        "first_errors": errors[:3],
        "busy_template_turns": busy[0],
        "throughput_rps": len(done) / wall,
        "first_card_p50_s": float(np.percentile(card, 50)),
        "first_card_p95_s": float(np.percentile(card, 95)),
        "done_p50_s": float(np.percentile(end, 50)),
        "done_p95_s": float(np.percentile(end, 95)),
        "wall_s": wall,
    }


def chat_markdown(rows: list[dict]) -> str:
    lines = [
        "| clients | turns | errors | answered with templates (model busy) | first card p50 s | first card p95 s | done p50 s | done p95 s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['busy_template_turns']} | "
            f"{r['first_card_p50_s']:.2f} | {r['first_card_p95_s']:.2f} | {r['done_p50_s']:.1f} | {r['done_p95_s']:.1f} |"
        )
    return "\n".join(lines)


def markdown(rows: list[dict]) -> str:
    lines = [
        "| explanations | items | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        mode = "template (no LLM)"
        lines.append(
            f"| {mode} | {r['k']} | {r['clients']} | {r['requests']} | {r['errors']} | {r['throughput_rps']:.1f} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level, without LLM")
    parser.add_argument(
        "--chat-seconds",
        type=float,
        default=60.0,
        help="per level, chat turns with the LLM (0 skips)",
    )
    parser.add_argument(
        "--chat-turns-per-client", type=int, default=3, help="bound per level for chat turns"
    )
    parser.add_argument("--k", type=int, default=10, help="items per request without the LLM")
    parser.add_argument("--max-requests", type=int, default=5000, help="per level, a hard bound")
    parser.add_argument("--users", type=int, default=200, help="distinct users to cycle through")
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/load.json"))
    args = parser.parse_args()

    import pandas as pd

    interactions = pd.read_parquet(
        args.data_dir / "datasets" / args.dataset / "interactions.parquet", columns=["user_id"]
    )
    users = interactions["user_id"].value_counts().index[: args.users].tolist()
    rows, chat_rows = [], []
    levels = [int(c) for c in args.levels.split(",")]
    for clients in levels if args.seconds > 0 else []:
        rows.append(
            run_level(args.url, users, clients, args.seconds, "template", args.max_requests, args.k)
        )
        print(json.dumps(rows[-1]))
    for clients in levels if args.chat_seconds > 0 else []:
        chat_rows.append(
            run_chat_level(
                args.url, clients, args.chat_seconds, clients * args.chat_turns_per_client
            )
        )
        print(json.dumps(chat_rows[-1]))
    result = {
        "url": args.url,
        "dataset": args.dataset,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, no GPU",
        "recommend": rows,
        "chat": chat_rows,
        "command": " ".join(["python", *sys.argv]),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(markdown(rows))
    print(chat_markdown(chat_rows))


if __name__ == "__main__":
    main()
