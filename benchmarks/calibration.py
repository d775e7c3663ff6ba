"""Steck's calibration rerank of the fusion on a fine weight grid: chosen on validation, reported on
test with intervals, with the user-group gaps with and without it.

The fusion is the one `recassist eval` chose on the data set (generator configs and fusion weights
read from `benchmarks/results/eval-<dataset>-fairness.json`), so the grid search is not re-run:
fitted on train for the validation sweep (`evaluation.calibrated.choose_weight`, the largest weight
within 2 % relative NDCG@10 of the plain fusion on a fixed sample of validation users), refitted on
train + validation for test. Both orders of the reranked ten are measured: Steck's greedy order and
the greedy set in the fusion's score order (what `recassist eval` now reports). Test reports the
plain fusion, each order's chosen weight and, for reading the trade-off only, every grid weight;
the relative changes of NDCG@10 and of the mean calibration KL carry paired bootstrap intervals
over test users. Last, with the score order's weight fixed, the rerank's popularity penalty is
chosen on validation the same way (`choose_penalty`: the largest within 2 % of the plain fusion's
NDCG@10), since calibration alone lowers coverage, and reported on test.

    nice -n 10 .venv/bin/python benchmarks/calibration.py --dataset ml-1m
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

from recassist.data.store import DatasetStore
from recassist.evaluation.calibrated import (
    VALIDATION_USERS,
    WEIGHTS,
    calibrated,
    candidates,
    choose_penalty,
    choose_weight,
)
from recassist.evaluation.fairness import (
    dataset_attributes,
    fairness,
    ndcg_gains,
    paired_change,
    user_kl,
)
from recassist.retrieval.calibration import genre_matrix
from recassist.retrieval.fusion import Fusion, FusionConfig
from recassist.retrieval.generators import GENERATORS
from recassist.retrieval.interactions import Interactions, Split
from recassist.retrieval.metrics import all_metrics
from recassist.retrieval.training import LIST_LENGTH
from recassist.settings import Settings

log = logging.getLogger("calibration")
ORDERS = ("greedy", "score")  # Steck's greedy order, and the greedy set in the fusion's order


def chosen_fusion(eval_json: Path) -> tuple[dict, FusionConfig]:
    """The generator configs with a non-zero fusion weight, and the fusion config, of an eval
    report."""
    rows = {row["name"]: row for row in json.loads(eval_json.read_text())["rows"]}
    config = FusionConfig(**rows["fusion"]["config"])
    configs = {
        name: row["config"]
        for name, row in rows.items()
        if name in GENERATORS and config.weights.get(name, 1.0) > 0
    }
    return configs, config


def fit_fusion(configs: dict, config: FusionConfig, train: Interactions) -> Fusion:
    generators = {
        name: GENERATORS[name](GENERATORS[name].config_type(**values)).fit(train)
        for name, values in configs.items()
    }
    return Fusion(generators, config)


def on_test(
    final: Fusion, split: Split, genres, groups: dict, chosen: dict[str, float], penalty: float
) -> dict:
    """Test top 20s of the plain fusion and of every grid weight in both orders: metrics, the
    paired changes against the plain fusion, and the fairness figures of the plain fusion, of
    each order's `chosen` weight, and of the score order's weight with the popularity `penalty`."""
    test, seen = split.test, split.train_validation
    items, scores = candidates(final, test.users)
    plain = items[:, :LIST_LENGTH]
    gains0 = ndcg_gains(plain, test.items)
    kl0 = user_kl(plain[:, :10], test.users, seen.binary, genres)

    def measured(weight: float, order: str, with_penalty: float = 0.0) -> tuple[dict, object]:
        top = calibrated(items, scores, test.users, seen, genres, weight, order, with_penalty)
        kls = user_kl(top[:, :10], test.users, seen.binary, genres)
        row = {
            "weight": weight,
            "penalty": with_penalty,
            **all_metrics(top, test.items, seen.n_items),
            "calibration_kl@10": float(kls.mean()),
            "ndcg_change": paired_change(gains0, ndcg_gains(top, test.items)),
            "kl_change": paired_change(kl0, kls),
        }
        return row, top

    def with_fairness(row: dict, top) -> dict:
        return row | {
            "fairness": fairness(top, test.items, test.users, seen.binary, genres, groups)
        }

    report: dict = {
        "fusion": fairness(plain, test.items, test.users, seen.binary, genres, groups),
        "fusion_test": all_metrics(plain, test.items, seen.n_items)
        | {"calibration_kl@10": kl0.mean()},
    }
    for order in ORDERS:
        sweep = []
        for weight in WEIGHTS:
            row, top = measured(weight, order)
            sweep.append(row)
            if weight == chosen[order]:
                report[f"chosen_{order}"] = with_fairness(row, top)
        report[f"test_sweep_{order}"] = sweep
    report["chosen_score_penalty"] = with_fairness(*measured(chosen["score"], "score", penalty))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="ml-1m")
    parser.add_argument("--eval-json", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    eval_json = args.eval_json or Path(f"benchmarks/results/eval-{args.dataset}-fairness.json")
    out = args.out or Path(f"benchmarks/results/calibration-{args.dataset}.json")
    started, load_start = time.perf_counter(), os.getloadavg()
    settings = Settings()
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    data = Interactions.from_dataset(dataset, settings.events)
    item_tags, groups = dataset_attributes(dataset, data)
    genres = genre_matrix(item_tags)[0]
    split = Split.for_data(data, 0)
    configs, config = chosen_fusion(eval_json)
    tuned = fit_fusion(configs, config, split.train)
    chosen, validation = {}, {}
    for order in ORDERS:
        chosen[order], validation[order] = choose_weight(
            tuned, split.train, split.validation, genres, log.info, order=order
        )
    penalty, penalties = choose_penalty(
        tuned, split.train, split.validation, genres, chosen["score"], log.info
    )
    final = fit_fusion(configs, config, split.train_validation)
    report = on_test(final, split, genres, groups, chosen, penalty)
    result = {
        "command": "nice -n 10 .venv/bin/python benchmarks/calibration.py "
        f"--dataset {args.dataset}",
        "dataset": args.dataset,
        "fusion": {"generators": configs, "config": config.model_dump()},
        "chosen_weight": chosen,
        "validation_sweep": validation,
        "chosen_penalty": penalty,
        "validation_penalty_sweep": penalties,
        "validation_users": min(VALIDATION_USERS, len(split.validation.users)),
        **report,
        "wall_s": time.perf_counter() - started,
        "load_average_at_start": load_start,
        "load_average_at_end": os.getloadavg(),
        "cpu_cores": os.cpu_count(),
    }
    out.write_text(json.dumps(result, indent=2, default=float) + "\n")
    for order in (*ORDERS, "score_penalty"):
        row = {k: v for k, v in report[f"chosen_{order}"].items() if k != "fairness"}
        log.info("%s, weight %s on test: %s", order, row["weight"], json.dumps(row, default=float))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
