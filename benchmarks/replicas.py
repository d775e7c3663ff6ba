"""Replicas: recommend (no LLM) and chat (templates) throughput and p95 at 1 vs 3 `recassist serve`
replicas behind HAProxy (deploy/haproxy.cfg), with embedded state (SQLite, process memory) and
shared state (PostgreSQL, Redis), all four in one run so the ratios share one machine and one load.

    python benchmarks/replicas.py --data-dir .recassist --dataset ml-100k \\
        [--seconds 30] [--clients 6]

The data set must be imported and indexed in `--data-dir` (`recassist data fetch`, `recassist index
build`). PostgreSQL, Redis and HAProxy come from Debian's packages and are started here on loopback
(tests/state_servers.py), and everything is stopped at the end. Each configuration runs `--clients`
clients back to back for `--seconds` per workload: a recommendation for a known user (template
explanations), or a two-turn chat conversation (the parser plans, templates explain). With embedded
state and 3 replicas a conversation's second turn usually lands on another replica and starts anew
(that is what the shared stores fix); its timing is still measured.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.background import free_port, serve_in_background, stop  # noqa: E402
from tests.state_servers import Postgres, haproxy, redis_server, redis_url  # noqa: E402

CONFIGS = (("embedded", 1), ("embedded", 3), ("shared", 1), ("shared", 3))
CHAT = ("recommend 3 comedies", "no romance")
READY_WAIT_S = 1800  # fitting the generators at the first start takes minutes on shared cores


def recommend(http: httpx.Client, user: str) -> bool:
    answer = http.post("/api/v1/recommend", json={"user_id": user, "k": 5, "explain": "template"})
    return answer.status_code == 200 and bool(answer.json()["items"])


def chat(http: httpx.Client, user: str) -> bool:
    """One two-turn conversation, each turn read to its `done` event."""
    session = None
    for message in CHAT:
        answer = http.post(
            "/api/v1/chat", json={"message": message, "session_id": session, "user_id": user}
        )
        if answer.status_code != 200 or "event: done" not in answer.text:
            return False
        session = answer.text.split('"session_id": "', 1)[1].split('"', 1)[0]
    return True


def load(url: str, work, users: list[str], clients: int, seconds: float) -> dict:
    """`clients` threads calling `work` back to back for `seconds`: throughput, p50, p95, errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=url, timeout=300) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    ok = work(http, rng.choice(users))
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    values = np.array(latencies) if latencies else np.array([np.nan])
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "throughput_per_s": round(len(latencies) / elapsed, 2),
        "p50_s": round(float(np.percentile(values, 50)), 3),
        "p95_s": round(float(np.percentile(values, 95)), 3),
    }


def run_config(args, store: str, replicas: int, shared_env: dict[str, str], folder: Path) -> dict:
    env = {
        "RECASSIST_DATA_DIR": str(args.data_dir.resolve()),
        "RECASSIST_LLM__BACKEND": "openai",
        "RECASSIST_LLM__BASE_URL": "http://127.0.0.1:9/v1",
        "RECASSIST_AGENT__LLM_PLANNER": "false",
        "RECASSIST_AGENT__EXPLAIN_WITH_LLM": "false",
        "RECASSIST_ADS__SPONSORED_RATE": "0",
        "RECASSIST_API__REQUESTS_PER_MINUTE": "1000000",
        **(shared_env if store == "shared" else {}),
    }
    ports = [free_port() for _ in range(replicas)]
    processes = []
    balancer = None
    try:
        for port in ports:  # one at a time: the first start of all may fit the generators
            log = folder / f"{store}-{replicas}-{port}.log"
            processes.append(
                serve_in_background(args.dataset, log, env, ready_s=READY_WAIT_S, port=port)[0]
            )
        balancer = haproxy(folder, ports)
        balancer.start()
        url = f"http://127.0.0.1:{balancer.port}"
        users = load_users(args)
        load(url, recommend, users, args.clients, 3)  # warm-up, not counted
        return {
            "store": store,
            "replicas": replicas,
            "recommend": load(url, recommend, users, args.clients, args.seconds),
            "chat": load(url, chat, users, args.clients, args.seconds),
        }
    finally:
        for process in processes:
            stop(process)
        if balancer is not None:
            balancer.stop()


def load_users(args) -> list[str]:
    from recassist.data.store import DatasetStore

    return list(DatasetStore(args.data_dir).load(args.dataset).users["user_id"][:200])


def ratios(rows: list[dict]) -> dict:
    """3 vs 1 replicas per store, and shared vs embedded per replica count, for each workload's
    throughput and p95."""
    by = {(r["store"], r["replicas"]): r for r in rows}
    out = {}
    for work in ("recommend", "chat"):
        for metric in ("throughput_per_s", "p95_s"):
            for store in ("embedded", "shared"):
                out[f"{work} {metric} 3/1 {store}"] = round(
                    by[(store, 3)][work][metric] / by[(store, 1)][work][metric], 2
                )
            for n in (1, 3):
                out[f"{work} {metric} shared/embedded {n}"] = round(
                    by[("shared", n)][work][metric] / by[("embedded", n)][work][metric], 2
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/replicas.json"))
    args = parser.parse_args()
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"recassist-replicas-bench-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    postgres, redis = Postgres(), redis_server(folder)
    postgres.start()
    redis.start()
    load_before = os.getloadavg()
    try:
        shared = {
            "RECASSIST_STATE__DATABASE_URL": postgres.url,
            "RECASSIST_STATE__CACHE_URL": redis_url(redis),
        }
        rows = [run_config(args, store, n, shared, folder) for store, n in CONFIGS]
    finally:
        redis.stop()
        postgres.remove()
    result = {
        "dataset": args.dataset,
        "seconds": args.seconds,
        "clients": args.clients,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "rows": rows,
        "ratios": ratios(rows),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
