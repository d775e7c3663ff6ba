"""Bounded load on loopback against `POST /api/v1/recommend` of a running recassist.

For each concurrency level (default 1, 8, 32) and each mode -- `none` (no LLM: template explanations from
the evidence) and `llm` (explanations written by the LLM) -- clients send requests back to back for a fixed
time (or a fixed count), then stop. Reports throughput, p50/p95/p99 latency and errors (non-200 answers
and transport errors), as JSON and a Markdown table.

    python benchmarks/load.py --url http://127.0.0.1:7860 [--seconds 20] [--llm-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from pathlib import Path

import httpx
import numpy as np


def run_level(url: str, users: list[str], clients: int, seconds: float, explain: str, max_requests: int, k: int) -> dict:
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
        "mode": explain, "k": k, "clients": clients, "requests": len(latencies) + len(errors), "errors": len(errors),
        "first_errors": errors[:3], "throughput_rps": len(latencies) / wall, "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)), "p99_ms": float(np.percentile(ms, 99)), "wall_s": wall,
    }


def markdown(rows: list[dict]) -> str:
    lines = ["| explanations | items | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        mode = "template (no LLM)" if r["mode"] == "template" else "LLM"
        lines.append(f"| {mode} | {r['k']} | {r['clients']} | {r['requests']} | {r['errors']} | {r['throughput_rps']:.1f} | "
                     f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level, without LLM")
    parser.add_argument("--llm-seconds", type=float, default=60.0, help="per level, with LLM explanations (0 skips)")
    parser.add_argument("--llm-requests-per-client", type=int, default=2, help="bound per level with the LLM")
    parser.add_argument("--k", type=int, default=10, help="items per request without the LLM")
    parser.add_argument("--llm-k", type=int, default=3, help="items (each explained by the LLM) per request")
    parser.add_argument("--max-requests", type=int, default=5000, help="per level, a hard bound")
    parser.add_argument("--users", type=int, default=200, help="distinct users to cycle through")
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/load.json"))
    args = parser.parse_args()

    import pandas as pd

    interactions = pd.read_parquet(args.data_dir / "datasets" / args.dataset / "interactions.parquet", columns=["user_id"])
    users = interactions["user_id"].value_counts().index[: args.users].tolist()
    rows = []
    for mode, seconds in (("template", args.seconds), ("llm", args.llm_seconds)):
        if seconds <= 0:
            continue
        for clients in (int(c) for c in args.levels.split(",")):
            bound = args.max_requests if mode == "template" else clients * args.llm_requests_per_client
            k = args.k if mode == "template" else args.llm_k
            row = run_level(args.url, users, clients, seconds, mode, bound, k)
            rows.append(row)
            print(json.dumps(row))
    result = {"url": args.url, "dataset": args.dataset, "machine": f"{os.cpu_count()} cores, {platform.machine()}, no GPU",
              "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(markdown(rows))


if __name__ == "__main__":
    main()
