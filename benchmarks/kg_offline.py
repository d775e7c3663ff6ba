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


def main() -> None:
    from recassist.data.store import DatasetStore
    from recassist.evaluation.rerank import bootstrap_ci
    from recassist.retrieval.generators.content import content_builders
    from recassist.retrieval.generators.knowledge import knowledge_builders
    from recassist.retrieval.interactions import Interactions, Split
    from recassist.retrieval.training import rank_all, refit, tune_all
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
        tuned = tune_all(
            split.train,
            split.validation,
            grids={**grids, **more_g},
            builders={**builders, **more_b},
            progress=lambda line: print(line, file=sys.stderr),
            memory=settings.memory,
        )
        final, _ = refit(tuned.fusion, split.train_validation)
        top, _ = rank_all(final, split.test.users)
        ndcg, hit = per_user(top, split.test.items)
        ndcgs[name] = ndcg
        run = {
            "ndcg@10": round(float(ndcg.mean()), 4),
            "recall@10": round(float(hit.mean()), 4),
            "cold_recall@10": round(float(hit[cold].mean()), 4) if cold.any() else None,
            "weights": final.config.weights,
            "choice": tuned.choice.describe() if tuned.choice else None,
        }
        if "knowledge" in final.generators:
            kg_top, _ = rank_all(final.generators["knowledge"], split.test.users)
            kg_ndcg, kg_hit = per_user(kg_top, split.test.items)
            run["knowledge_alone"] = {
                "ndcg@10": round(float(kg_ndcg.mean()), 4),
                "recall@10": round(float(kg_hit.mean()), 4),
                "cold_recall@10": round(float(kg_hit[cold].mean()), 4) if cold.any() else None,
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
