"""Soak: mixed chat and recommend traffic against a recassist server on loopback for a bounded time.

Clients run back to back for `--seconds` (10 minutes by default). Each request is a chat turn (`POST
/api/v1/chat`, read to its `done` event, in a conversation of a few turns) with probability
`--chat-share`, else a recommendation (`POST /api/v1/recommend`, template explanations). Reports,
per kind and overall: requests, errors (non-200, transport errors, a chat stream without `done`),
throughput, p50 and p95 latency; and the server's resident memory at the start, every `--sample-s`
seconds, and at the end. Targets: zero errors and flat memory (end within 10 % of the level reached
after warm-up).

    python benchmarks/soak.py --data-dir .recassist --dataset ml-100k [--seconds 600] [--clients 4]
    python benchmarks/soak.py --url http://127.0.0.1:7860 --pid 1234      # a server already running

Without `--url` it starts `recassist serve` itself on a free loopback port (with the settings of the
environment, e.g. RECASSIST_LLM__MODEL, and the per-client rate limit raised so that it does not
answer the soak with 429s) and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import psutil

MESSAGES = [
    "something like Star Wars, give me 3",
    "not horror",
    "more like the second one",
    "a comedy from the 90s",
    "why the first one?",
    "give me 3 more",
]
TURNS_PER_CONVERSATION = 4
READY_WAIT_S = 1800  # fitting the generators at start-up takes minutes on shared cores


def chat_turn(
    http: httpx.Client, session_id: str | None, user: str, message: str
) -> tuple[str | None, str | None]:
    """One turn read to its end; returns (session id, problem or None)."""
    body = {"session_id": session_id, "user_id": user, "message": message}
    done = False
    with http.stream("POST", "/api/v1/chat", json=body) as response:
        if response.status_code != 200:
            return session_id, f"chat HTTP {response.status_code}"
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "session":
                session_id = json.loads(line[6:])["session_id"]
            elif line.startswith("data: ") and event == "done":
                done = True
            elif event == "error":
                return session_id, f"chat error event: {line[:120]}"
    return session_id, None if done else "chat stream ended without done"


def recommend(http: httpx.Client, user: str, k: int) -> str | None:
    response = http.post("/api/v1/recommend", json={"user_id": user, "k": k, "explain": "template"})
    if response.status_code != 200:
        return f"recommend HTTP {response.status_code}: {response.text[:120]}"
    return None if len(response.json()["items"]) == k else "recommend: fewer items than asked"


def run(url: str, pid: int, users: list[str], args: argparse.Namespace) -> dict:
    latencies: dict[str, list[float]] = {"chat": [], "recommend": []}
    errors: dict[str, list[str]] = {"chat": [], "recommend": []}
    lock = threading.Lock()
    server = psutil.Process(pid)
    memory = [(0.0, server.memory_info().rss)]
    started = time.perf_counter()
    stop_at = started + args.seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        session_id, turns = None, 0
        with httpx.Client(base_url=url, timeout=args.request_timeout) as http:
            for n in range(args.max_requests_per_client):
                if time.perf_counter() >= stop_at:
                    return
                user = users[(index * 7919 + n) % len(users)]
                kind = "chat" if rng.random() < args.chat_share else "recommend"
                t0 = time.perf_counter()
                try:
                    if kind == "chat":
                        if turns >= TURNS_PER_CONVERSATION:
                            session_id, turns = None, 0
                        session_id, problem = chat_turn(
                            http, session_id, user, MESSAGES[turns % len(MESSAGES)]
                        )
                        turns += 1
                    else:
                        problem = recommend(http, user, args.k)
                except httpx.HTTPError as err:
                    problem = f"{kind}: {type(err).__name__}: {err}"
                elapsed = time.perf_counter() - t0
                with lock:
                    (errors[kind].append(problem) if problem else latencies[kind].append(elapsed))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    next_sample = args.sample_s
    while any(t.is_alive() for t in threads):
        time.sleep(0.1)
        if time.perf_counter() - started >= next_sample:
            memory.append((time.perf_counter() - started, server.memory_info().rss))
            next_sample += args.sample_s
    wall = time.perf_counter() - started
    memory.append((wall, server.memory_info().rss))

    def stats(kind: str | None) -> dict:
        lat = latencies[kind] if kind else latencies["chat"] + latencies["recommend"]
        errs = errors[kind] if kind else errors["chat"] + errors["recommend"]
        ms = np.array(lat) * 1000 if lat else np.array([np.nan])
        return {
            "requests": len(lat) + len(errs),
            "errors": len(errs),
            "first_errors": errs[:3],
            "throughput_rps": len(lat) / wall,
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
        }

    mib = [(round(t, 1), round(rss / 2**20, 1)) for t, rss in memory]
    warm = [m for t, m in mib if t >= min(60.0, wall / 4)] or [mib[-1][1]]
    return {
        "seconds": args.seconds,
        "wall_s": wall,
        "clients": args.clients,
        "chat_share": args.chat_share,
        "all": stats(None),
        "chat": stats("chat"),
        "recommend": stats("recommend"),
        "rss_mib_start": mib[0][1],
        "rss_mib_after_warmup": warm[0],
        "rss_mib_end": mib[-1][1],
        "rss_mib_max": max(m for _, m in mib),
        "rss_mib_samples": mib,
    }


def markdown(result: dict) -> str:
    lines = [
        "| traffic | requests | errors | req/s | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in ("chat", "recommend", "all"):
        r = result[kind]
        lines.append(
            f"| {kind} | {r['requests']} | {r['errors']} | {r['throughput_rps']:.2f} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} |"
        )
    lines.append(
        f"\nServer RSS: start {result['rss_mib_start']:.0f} MiB, after warm-up "
        f"{result['rss_mib_after_warmup']:.0f} MiB, end {result['rss_mib_end']:.0f} MiB, "
        f"max {result['rss_mib_max']:.0f} MiB ({result['wall_s']:.0f} s, {result['clients']} clients)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server; default: start one")
    parser.add_argument(
        "--pid", type=int, help="the running server's process id (for its memory), with --url"
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--chat-share", type=float, default=0.3)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--request-timeout", type=float, default=300.0)
    parser.add_argument("--max-requests-per-client", type=int, default=100_000, help="a hard bound")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/soak.json"))
    args = parser.parse_args()
    if args.url and not args.pid:
        parser.error("--url needs --pid (the server's process, for its memory)")

    import pandas as pd

    interactions = pd.read_parquet(
        args.data_dir / "datasets" / args.dataset / "interactions.parquet", columns=["user_id"]
    )
    users = interactions["user_id"].value_counts().index[: args.users].tolist()
    process = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        from tests.background import serve_in_background

        # the per-client rate limit (api.requests_per_minute) would answer most of the traffic with
        # 429
        env = {
            "RECASSIST_API__REQUESTS_PER_MINUTE": "1000000",
            "RECASSIST_DATA_DIR": str(args.data_dir),
        }
        process, url = serve_in_background(
            args.dataset, args.data_dir / "soak-server.log", env, ready_s=READY_WAIT_S
        )
        pid = process.pid
    try:
        result = run(url, pid, users, args)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
    result.update(
        {
            "command": " ".join(["python", *sys.argv]),
            "dataset": args.dataset,
            "settings_from_environment": {
                k: v for k, v in sorted(os.environ.items()) if k.startswith("RECASSIST_")
            },
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, no GPU",
        }
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(markdown(result))


if __name__ == "__main__":
    main()
