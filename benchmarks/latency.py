"""p50/p95/p99 latency of one user's recommendation (fusion of every generator, no LLM) on ML-1M.

The fusion uses the generators, configs and weights of a `recassist eval --json` report when one is
given (`--report benchmarks/results/eval-ml-1m.json`), every generator at its defaults otherwise; it
is fitted on all interactions, then users drawn at random are asked for their short list one at a
time.

    PYTHONPATH=. python benchmarks/latency.py --data-dir /tmp/rd --report benchmarks/results/eval-ml-1m.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def main() -> None:
    from recassist.data.store import DatasetStore
    from recassist.retrieval.fusion import Fusion, FusionConfig
    from recassist.retrieval.generators import GENERATORS
    from recassist.retrieval.interactions import Interactions
    from recassist.retrieval.training import applicable
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dataset", default="ml-1m")
    parser.add_argument(
        "--report", type=Path, default=None, help="eval JSON whose configs and weights to use"
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--out", type=Path, default=None, help="write the numbers as JSON here")
    args = parser.parse_args()

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    data = Interactions.from_dataset(
        DatasetStore(settings.data_dir).load(args.dataset), settings.events
    )
    rows = json.loads(args.report.read_text())["rows"] if args.report else []
    configs = {row["name"]: row["config"] for row in rows}
    names = [name for name in configs if name in GENERATORS] or applicable(GENERATORS, data)
    generators = {
        name: GENERATORS[name](GENERATORS[name].config_type(**configs.get(name, {}))).fit(data)
        for name in names
    }
    fusion = Fusion(generators, FusionConfig(**configs.get("fusion", {})))

    rng = np.random.default_rng(0)
    users = rng.integers(0, data.n_users, size=args.requests)
    for user in users[:20]:  # warm caches and lazy imports
        fusion.recommend(np.array([user]))
    seconds = []
    for user in users:
        start = time.perf_counter()
        fusion.recommend(np.array([user]))
        seconds.append(time.perf_counter() - start)
    ms = np.array(seconds) * 1000
    result = {
        "dataset": args.dataset,
        "requests": args.requests,
        "short_list": fusion.config.size,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "cpu_cores": os.cpu_count(),
        "gpu_used": False,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
