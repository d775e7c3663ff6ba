"""Time order and the evaluation protocol: the same protocol run several ways on one data set.

- `--ties file,random`: same-second ties ordered by the file (the rule) or at random (seeded): how much the
  leave-last-out numbers depend on the tie rule (MovieLens rates many films in the same second).
- On data without a time order (FilmTrust) the protocol holds out random items; `--seeds` repeats it with
  other draws, to see whether the fusion stays at or above its best single generator.

    PYTHONPATH=. python benchmarks/timeorder.py --data-dir /tmp/rd --dataset ml-100k --ties file,random \
        --out benchmarks/results/timeorder-ml-100k.json
    PYTHONPATH=. python benchmarks/timeorder.py --data-dir /tmp/rd --dataset filmtrust --seeds 0,1,2 \
        --out benchmarks/results/timeorder-filmtrust.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path


def main() -> None:
    from evaluation.protocol import evaluate
    from recassist.settings import Settings
    from retrieval.data.store import DatasetStore
    from retrieval.generators.content import content_builders
    from retrieval.interactions import Interactions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--ties", default="file", help="comma-separated: file, random")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (random ties and random holdouts)")
    parser.add_argument("--generators", default=None, help="comma-separated names; default: the protocol's")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    data = Interactions.from_dataset(dataset, settings.events)
    builders, grids = content_builders(settings, args.dataset, data.items)
    names = args.generators.split(",") if args.generators else None
    started = time.time()
    runs = []
    for ties in args.ties.split(","):
        # file-order ties do not depend on the seed when the holdout is leave-last-out
        seeds = [0] if ties == "file" and data.time_ordered else [int(s) for s in args.seeds.split(",")]
        for seed in seeds:
            run_started = time.time()
            report = evaluate(
                data, args.dataset, names=names, builders=builders, grids=grids, seed=seed,
                random_ties=ties == "random", progress=lambda line: print(line, file=sys.stderr, flush=True),
            )
            rows = {row.name: {"config": row.config, "validation_ndcg10": row.validation_ndcg10, **row.metrics}
                    for row in report.rows}
            singles = {name: row["ndcg@10"] for name, row in rows.items() if name != "fusion"}
            best = max(singles, key=singles.__getitem__)
            runs.append({
                "ties": report.ties, "seed": seed, "holdout": report.holdout, "n_evaluated": report.n_evaluated,
                "fusion_choice": report.fusion_choice, "rows": rows,
                "best_single_on_test": best,
                "fusion_minus_best_single_ndcg10": rows["fusion"]["ndcg@10"] - singles[best],
                "wall_s": time.time() - run_started,
            })
            print(f"{ties} ties, seed {seed}: fusion {rows['fusion']['ndcg@10']:.4f}, "
                  f"best single {best} {singles[best]:.4f}", file=sys.stderr, flush=True)
    output = {
        "command": "PYTHONPATH=. python benchmarks/timeorder.py " + " ".join(sys.argv[1:]),
        "machine": {"cpu_cores": os.cpu_count(), "gpu_used": False, "platform": platform.platform(),
                    "python": sys.version.split()[0], "load": "shared with other jobs"},
        "dataset": args.dataset, "n_users": data.n_users, "n_items": data.n_items, "n_interactions": len(data),
        "time_order": dataset.time_order.to_dict(), "content_generator": bool(builders),
        "runs": runs, "wall_s": time.time() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n")


if __name__ == "__main__":
    main()
