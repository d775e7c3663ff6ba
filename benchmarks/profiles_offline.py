"""Offline: the serving fusion with the content generator's item vectors embedded with and without
the LLM item profiles, on `recassist eval`'s protocol (as `kg_offline.py` does for the graph).

The "with" vectors are the index's (built by `recassist index build` after `recassist index
profiles`: title, genres and each kept profile's themes, mood, setting and audience); the "without"
vectors embed the same items' title and genres alone with the same embedder. Both runs tune every
generator and the fusion on validation, refit on train + validation and rank all items for every
test user (leave-last-out). Reported: NDCG@10 and Recall@10, the paired per-user NDCG@10 difference
with a 95 % bootstrap interval, recall@10 on cold test items (at most 5 training interactions), and
how many items have a profile.

Writes `benchmarks/results/profiles-offline-<dataset>.json`.

    RECASSIST_DATA_DIR=... HF_HUB_OFFLINE=1 PYTHONPATH=. python benchmarks/profiles_offline.py
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from benchmarks.kg_offline import COLD, fused_run, per_user, summary

RESULTS = Path(__file__).resolve().parent / "results"


def plain_vectors(dataset, items, embedder) -> np.ndarray:
    """Items x dims: title and genres embedded, no profile, in the vocabulary's row order."""
    from recassist.retrieval.index import item_text

    frame = dataset.items.assign(item_id=dataset.items["item_id"].astype(str)).set_index("item_id")
    texts = [
        item_text(
            str(frame.at[i, "title"]),
            str(frame.at[i, "tags"] or ""),
            str(frame.at[i, "text"] or ""),
        )
        for i in map(str, items.all_ids)
    ]
    vectors = np.asarray(embedder.encode(texts), np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def main() -> None:
    from recassist.data.item_profiles import ProfileStore
    from recassist.data.store import DatasetStore
    from recassist.evaluation.rerank import bootstrap_ci
    from recassist.retrieval.embedding import Embedder
    from recassist.retrieval.generators.content import (
        CONTENT_GRID,
        Content,
        item_vectors_from_store,
    )
    from recassist.retrieval.interactions import Interactions, Split
    from recassist.retrieval.training import rank_all
    from recassist.retrieval.vector_store import VectorStore, connect
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    args = parser.parse_args()
    settings = Settings()
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    data = Interactions.from_dataset(dataset, settings.events)
    split = Split.for_data(data)
    store = VectorStore(connect(settings.chroma, settings.data_dir), args.dataset, settings.chroma)
    vectors = {
        "with profiles": item_vectors_from_store(store, data.items),
        "without profiles": plain_vectors(dataset, data.items, Embedder(settings.embedding)),
    }
    popularity = np.asarray(split.train_validation.binary.sum(axis=0)).ravel()
    cold = popularity[split.test.items] <= COLD
    out: dict = {
        "dataset": args.dataset,
        "command": f"python benchmarks/profiles_offline.py --dataset {args.dataset}",
        "load": {"cpu_cores": os.cpu_count(), "loadavg_1m_at_start": os.getloadavg()[0]},
        "items_with_profile": len(ProfileStore(settings.data_dir, args.dataset).profiles()),
        "items": len(data.items),
        "test_users": len(split.test.users),
        "cold_test_items": int(cold.sum()),
        "runs": {},
    }
    ndcgs, start = {}, time.perf_counter()
    for name, item_vectors in vectors.items():
        builders = {"content": lambda config, v=item_vectors: Content(config, item_vectors=v)}
        _, final, ndcg, run = fused_run(
            split, {"content": CONTENT_GRID}, builders, settings.memory, cold
        )
        ndcgs[name] = ndcg
        content_top, _ = rank_all(final.generators["content"], split.test.users)
        content = summary(*per_user(content_top, split.test.items), cold)
        out["runs"][name] = run | {"weights": final.config.weights, "content_alone": content}
    diff = ndcgs["with profiles"] - ndcgs["without profiles"]
    out["ndcg_difference"] = round(float(diff.mean()), 4)
    out["ndcg_difference_ci95"] = [round(float(x), 4) for x in bootstrap_ci(diff)]
    out["seconds"] = round(time.perf_counter() - start, 1)
    out["load"]["loadavg_1m_at_end"] = os.getloadavg()[0]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"profiles-offline-{args.dataset}.json"
    path.write_text(json.dumps(out, indent=1, default=str) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, default=str))
    for name, run in out["runs"].items():
        print(name, json.dumps(run, default=str))


if __name__ == "__main__":
    main()
