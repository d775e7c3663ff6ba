"""Top-N accuracy metrics for leave-last-out: each evaluated user has exactly one held-out item.

With one relevant item, Recall@K is the hit rate, NDCG@K is `1 / log2(rank + 2)` when the item is at
0-based `rank` < K (the ideal DCG is 1), and MRR@K is `1 / (rank + 1)`. Coverage@K is the share of
the catalogue that appears in at least one user's top K.
"""

from __future__ import annotations

import numpy as np

NOT_FOUND = -1


def target_ranks(top_items: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """0-based position of each user's target in their list, NOT_FOUND when it is absent."""
    hits = top_items == np.asarray(targets)[:, None]
    return np.where(hits.any(axis=1), hits.argmax(axis=1), NOT_FOUND)


def recall_at(ranks: np.ndarray, k: int) -> float:
    return float(np.mean((ranks >= 0) & (ranks < k))) if len(ranks) else 0.0


def ndcg_at(ranks: np.ndarray, k: int) -> float:
    found = (ranks >= 0) & (ranks < k)
    gains = np.where(found, 1.0 / np.log2(np.maximum(ranks, 0) + 2.0), 0.0)
    return float(gains.mean()) if len(ranks) else 0.0


def mrr_at(ranks: np.ndarray, k: int) -> float:
    found = (ranks >= 0) & (ranks < k)
    return (
        float(np.where(found, 1.0 / (np.maximum(ranks, 0) + 1.0), 0.0).mean())
        if len(ranks)
        else 0.0
    )


def coverage_at(top_items: np.ndarray, k: int, n_items: int) -> float:
    shown = top_items[:, :k]
    return float(len(np.unique(shown[shown >= 0])) / n_items) if n_items else 0.0


def all_metrics(top_items: np.ndarray, targets: np.ndarray, n_items: int) -> dict[str, float]:
    """The protocol's metrics; `top_items` needs at least 20 columns (-1 where a list is shorter)."""
    ranks = target_ranks(top_items[:, :20], targets)
    return {
        "recall@10": recall_at(ranks, 10),
        "recall@20": recall_at(ranks, 20),
        "ndcg@10": ndcg_at(ranks, 10),
        "mrr@10": mrr_at(ranks, 10),
        "coverage@10": coverage_at(top_items, 10, n_items),
    }
