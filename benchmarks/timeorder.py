"""Time order and the evaluation protocol: the same protocol run several ways on one data set.

- `--ties file,random`: same-second ties ordered by the file (the rule) or at random (seeded): how
  much the leave-last-out numbers depend on the tie rule (MovieLens rates many films in the same
  second).
- On data without a time order (FilmTrust) the protocol holds out random items; `--seeds` repeats it
  with other draws, to see whether the fusion stays at or above its best single generator.
- `--export-case`: the data set exported as many databases do (no time: every timestamp equal; item
  ids as zero-padded strings; each user's rows sorted by item id; 1 % of titles blank), imported
  through the generic import, and scored on a random holdout twice: tuned as before (leave-last-out
  on file order, every generator, the blend as tuned) and as now (the data set's own protocol).

    PYTHONPATH=. python benchmarks/timeorder.py --data-dir /tmp/rd --dataset ml-100k --ties file,random \
        --out benchmarks/results/timeorder-ml-100k.json
    PYTHONPATH=. python benchmarks/timeorder.py --data-dir /tmp/rd --dataset filmtrust --seeds 0,1,2 \
        --out benchmarks/results/timeorder-filmtrust.json
    PYTHONPATH=. python benchmarks/timeorder.py --data-dir /tmp/rd --dataset ml-100k --export-case \
        --out benchmarks/results/timeorder-export-ml-100k.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def export_case(dataset, settings, folder: Path) -> str:
    """`dataset` as a time-less database export, imported through the generic import; returns its
    name."""
    from recassist.data.importer import import_tables, read_files

    ids = sorted(dataset.items["item_id"])
    code = {item: f"{n:06d}" for n, item in enumerate(ids)}
    items = dataset.items[["item_id", "title"]].assign(item_id=lambda f: f["item_id"].map(code))
    items.loc[np.arange(len(items)) % 100 == 7, "title"] = ""
    rows = dataset.interactions[["user_id", "item_id", "event", "weight"]].assign(
        item_id=lambda f: f["item_id"].map(code), timestamp=1_700_000_000
    )
    rows = rows.sort_values(["user_id", "item_id"], kind="stable")
    items.to_csv(folder / "items.csv", index=False)
    rows.to_csv(folder / "events.csv", index=False)
    name = f"{dataset.name}-export"
    result = import_tables(
        name,
        read_files(folder / "items.csv", folder / "events.csv"),
        settings,
        source="export-case",
    )
    log(result.summary())
    return name


def scored(generator, users: np.ndarray, targets: np.ndarray, n_items: int) -> dict[str, float]:
    from recassist.retrieval.metrics import all_metrics
    from recassist.retrieval.training import rank_all

    return all_metrics(rank_all(generator, users)[0], targets, n_items)


def before_and_now(data, name: str, builders, grids, seed: int) -> dict:
    """One random test item per user; tuned on file order as before (no blend check) vs the protocol
    now."""
    from recassist.evaluation.protocol import evaluate
    from recassist.retrieval.fusion import Fusion, FusionConfig, tune_weights
    from recassist.retrieval.interactions import Split
    from recassist.retrieval.training import refit, tune_all

    split = Split.random_holdout(data, seed)
    as_if_ordered = dataclasses.replace(split.train_validation, time_ordered=True)
    inner = Split.leave_last_out(as_if_ordered)
    tuned = tune_all(inner.train, inner.validation, builders=builders, grids=grids, progress=log)
    plain = Fusion(tuned.fusion.generators, FusionConfig())
    weights, _ = tune_weights(plain.candidate_lists(inner.validation.users), inner.validation.items)
    before, _ = refit(Fusion(tuned.fusion.generators, FusionConfig(weights=weights)), as_if_ordered)
    rows = {
        gen: scored(g, split.test.users, split.test.items, data.n_items)
        for gen, g in before.generators.items()
    }
    rows["fusion"] = scored(before, split.test.users, split.test.items, data.n_items)
    for gen, row in rows.items():
        row["validation_ndcg10"] = tuned.validation_ndcg.get(gen)
    now = evaluate(data, name, builders=builders, grids=grids, seed=seed, progress=log)
    assert np.array_equal(split.test.items, Split.for_data(data, seed).test.items), (
        "the same test items"
    )
    return {
        "seed": seed,
        "n_evaluated": len(split.test.users),
        "before": {"weights": weights, "rows": rows},
        "now": {
            "fusion_choice": now.fusion_choice,
            "rows": {
                r.name: {"config": r.config, "validation_ndcg10": r.validation_ndcg10, **r.metrics}
                for r in now.rows
            },
        },
    }


def main() -> None:
    from recassist.data.store import DatasetStore
    from recassist.evaluation.protocol import evaluate
    from recassist.retrieval.generators.content import content_builders
    from recassist.retrieval.interactions import Interactions
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--ties", default="file", help="comma-separated: file, random")
    parser.add_argument(
        "--seeds", default="0", help="comma-separated seeds (random ties and random holdouts)"
    )
    parser.add_argument(
        "--generators", default=None, help="comma-separated names; default: the protocol's"
    )
    parser.add_argument(
        "--export-case", action="store_true", help="the time-less export of --dataset"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    started = time.time()
    if args.export_case:
        with tempfile.TemporaryDirectory() as folder:
            name = export_case(dataset, settings, Path(folder))
        dataset = DatasetStore(settings.data_dir).load(name)
        data = Interactions.from_dataset(dataset, settings.events)
        cases = [before_and_now(data, name, {}, {}, int(seed)) for seed in args.seeds.split(",")]
        write(args, dataset, data, {"export_of": args.dataset, "cases": cases}, started)
        return
    data = Interactions.from_dataset(dataset, settings.events)
    builders, grids = content_builders(settings, args.dataset, data.items)
    names = args.generators.split(",") if args.generators else None
    runs = []
    for ties in args.ties.split(","):
        # file-order ties do not depend on the seed when the holdout is leave-last-out
        seeds = (
            [0] if ties == "file" and data.time_ordered else [int(s) for s in args.seeds.split(",")]
        )
        for seed in seeds:
            run_started = time.time()
            report = evaluate(
                data,
                args.dataset,
                names=names,
                builders=builders,
                grids=grids,
                seed=seed,
                random_ties=ties == "random",
                progress=log,
            )
            rows = {
                row.name: {
                    "config": row.config,
                    "validation_ndcg10": row.validation_ndcg10,
                    **row.metrics,
                }
                for row in report.rows
            }
            singles = {name: row["ndcg@10"] for name, row in rows.items() if name != "fusion"}
            best = max(singles, key=singles.__getitem__)
            runs.append(
                {
                    "ties": report.ties,
                    "seed": seed,
                    "holdout": report.holdout,
                    "n_evaluated": report.n_evaluated,
                    "fusion_choice": report.fusion_choice,
                    "rows": rows,
                    "best_single_on_test": best,
                    "fusion_minus_best_single_ndcg10": rows["fusion"]["ndcg@10"] - singles[best],
                    "wall_s": time.time() - run_started,
                }
            )
            log(
                f"{ties} ties, seed {seed}: fusion {rows['fusion']['ndcg@10']:.4f}, best single {best} {singles[best]:.4f}"
            )
    write(args, dataset, data, {"content_generator": bool(builders), "runs": runs}, started)


def write(args: argparse.Namespace, dataset, data, results: dict, started: float) -> None:
    output = {
        "command": "PYTHONPATH=. python benchmarks/timeorder.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpu_cores": os.cpu_count(),
            "gpu_used": False,
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "load": "shared with other jobs",
        },
        "dataset": args.dataset,
        "n_users": data.n_users,
        "n_items": data.n_items,
        "n_interactions": len(data),
        "time_order": dataset.time_order.to_dict(),
        **results,
        "wall_s": time.time() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n")


if __name__ == "__main__":
    main()
