"""Spark MLlib ALS next to `implicit`'s ALS under the evaluation protocol of `recassist eval`.

The same harness (leave-last-out, full ranking, each generator's config chosen on validation, refit
on train + validation, reported on test) runs `als` with its default grid and the opt-in `spark_als`
with a grid of its own, on a Spark master given on the command line (local mode by default). Writes
the report as JSON and prints the Markdown table.

    python benchmarks/spark_als.py --data-dir .recassist --dataset ml-1m [--master 'local[2]']
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from recassist.data.store import DatasetStore
from recassist.evaluation.protocol import evaluate
from recassist.evaluation.report import markdown_table, to_json
from recassist.retrieval.generators import OPT_IN_GENERATORS, SparkALSConfig
from recassist.retrieval.interactions import Interactions
from recassist.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--dataset", default="ml-1m")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--factors", default="64", help="comma-separated grid of factors")
    parser.add_argument(
        "--regularization", default="0.01,0.1", help="comma-separated grid of regParam"
    )
    parser.add_argument("--alpha", type=float, default=4.0)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir)
    data = Interactions.from_dataset(
        DatasetStore(settings.data_dir).load(args.dataset), settings.events
    )
    grid = tuple(
        SparkALSConfig(
            factors=int(f),
            regularization=float(r),
            alpha=args.alpha,
            iterations=args.iterations,
            master=args.master,
        )
        for f in args.factors.split(",")
        for r in args.regularization.split(",")
    )
    started = time.time()
    report = evaluate(
        data,
        args.dataset,
        names=["als", "spark_als"],
        builders=OPT_IN_GENERATORS,
        grids={"spark_als": grid},
        progress=lambda line: sys.stderr.write(line + "\n"),
    )
    table = markdown_table(report)
    out = args.json or Path(f"benchmarks/results/eval-{args.dataset}-spark-als.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        to_json(
            report,
            command=" ".join(["python", *sys.argv]),
            wall_s=time.time() - started,
            machine={
                "cpu_cores": os.cpu_count(),
                "platform": platform.platform(),
                "spark_master": args.master,
                "load": "measured under shared load (about 6 developers on 2 cores)",
            },
        )
    )
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
