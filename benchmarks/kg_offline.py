"""Offline: the serving fusion with and without the knowledge graph, on `recassist eval`'s protocol.

Both runs use the same split (leave-last-out), tune every generator and the fusion on validation
(`retrieval.training.tune_all`, the graph's generator in the tuning only in the first), refit on
train + validation and rank all items for every test user. Reported: NDCG@10 and Recall@10 of each
fusion, the paired difference in per-user NDCG@10 with a 95 % bootstrap interval, and recall@10 on
test items that are cold (at most 5 interactions in the training data), for both fusions and the
graph's generator alone.

Writes `benchmarks/results/kg-offline-<dataset>.json`.

    RECASSIST_DATA_DIR=... PYTHONPATH=. python benchmarks/kg_offline.py --dataset ml-100k"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
COLD = 5


def per_user(top: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per test user: NDCG@10 and hit@10 of the single held-out item."""
    hits = top[:, :10] == targets[:, None]
    rank = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
    ndcg = np.where(rank >= 0, 1.0 / np.log2(np.maximum(rank, 0) + 2.0), 0.0)
    return ndcg, (rank >= 0).astype(float)


def fused_run(split, grids: dict, builders: dict, memory, cold: np.ndarray):
    """One tuned fusion on `recassist eval`'s protocol: every generator and the fusion tuned on
    validation, refit on train + validation, all items ranked for every test user. Returns the
    tuning, the refit fusion, per-user NDCG@10 and the run's summary (NDCG, recall, cold recall)."""
    from recassist.retrieval.training import rank_all, refit, tune_all

    tuned = tune_all(
        split.train,
        split.validation,
        grids=grids,
        builders=builders,
        progress=lambda line: print(line, file=sys.stderr),
        memory=memory,
    )
    final, _ = refit(tuned.fusion, split.train_validation)
    top, _ = rank_all(final, split.test.users)
    ndcg, hit = per_user(top, split.test.items)
    return tuned, final, ndcg, summary(ndcg, hit, cold)


def summary(ndcg: np.ndarray, hit: np.ndarray, cold: np.ndarray) -> dict:
    """NDCG@10, recall@10 and recall@10 on the cold test items, rounded."""
    return {
        "ndcg@10": round(float(ndcg.mean()), 4),
        "recall@10": round(float(hit.mean()), 4),
        "cold_recall@10": round(float(hit[cold].mean()), 4) if cold.any() else None,
    }


def main() -> None:
    from recassist.data.store import DatasetStore
    from recassist.evaluation.rerank import bootstrap_ci
    from recassist.retrieval.generators.content import content_builders
    from recassist.retrieval.generators.knowledge import knowledge_builders
    from recassist.retrieval.interactions import Interactions, Split
    from recassist.retrieval.training import rank_all
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    args = parser.parse_args()
    settings = Settings()
    data = Interactions.from_dataset(
        DatasetStore(settings.data_dir).load(args.dataset), settings.events
    )
    split = Split.for_data(data)
    builders, grids = content_builders(settings, args.dataset, data.items)
    kg_builders, kg_grids = knowledge_builders(settings, args.dataset, data.items)
    popularity = np.asarray(split.train_validation.binary.sum(axis=0)).ravel()
    cold = popularity[split.test.items] <= COLD
    out: dict = {
        "dataset": args.dataset,
        "command": f"python benchmarks/kg_offline.py --dataset {args.dataset}",
        "load": {"cpu_cores": os.cpu_count(), "loadavg_1m_at_start": os.getloadavg()[0]},
        "test_users": len(split.test.users),
        "cold_test_items": int(cold.sum()),
        "runs": {},
    }
    ndcgs = {}
    start = time.perf_counter()
    for name, more_b, more_g in (("with graph", kg_builders, kg_grids), ("without graph", {}, {})):
        tuned, final, ndcg, run = fused_run(
            split, {**grids, **more_g}, {**builders, **more_b}, settings.memory, cold
        )
        ndcgs[name] = ndcg
        run |= {
            "weights": final.config.weights,
            "choice": tuned.choice.describe() if tuned.choice else None,
        }
        if "knowledge" in final.generators:
            kg_top, _ = rank_all(final.generators["knowledge"], split.test.users)
            run["knowledge_alone"] = summary(*per_user(kg_top, split.test.items), cold) | {
                "validation_ndcg@10": round(tuned.validation_ndcg["knowledge"], 4),
            }
        out["runs"][name] = run
    diff = ndcgs["with graph"] - ndcgs["without graph"]
    out["ndcg_difference"] = round(float(diff.mean()), 4)
    out["ndcg_difference_ci95"] = [round(float(x), 4) for x in bootstrap_ci(diff)]
    out["seconds"] = round(time.perf_counter() - start, 1)
    out["load"]["loadavg_1m_at_end"] = os.getloadavg()[0]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"kg-offline-{args.dataset}.json").write_text(
        json.dumps(out, indent=1, default=str) + "\n"
    )
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, default=str))
    for name, run in out["runs"].items():
        print(name, json.dumps(run, default=str))


if __name__ == "__main__":
    main()
