"""The fusion with Steck's calibration rerank in the protocol: its weight chosen on validation,
reported on test.

The weight is the largest of `WEIGHTS` whose validation NDCG@10 stays within `MAX_LOSS` (relative)
of the plain fusion's, so the test row shows what the rerank costs and gains without having been
tuned on test. Each user's top 10 is reranked from the fusion's top `CANDIDATES`; places 11-20 keep
the fusion's order of the candidates left, so Recall@20 stays comparable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recassist.evaluation.fairness import K, user_kl
from recassist.retrieval.calibration import greedy_rerank
from recassist.retrieval.fusion import Fusion
from recassist.retrieval.interactions import Interactions, Targets
from recassist.retrieval.metrics import all_metrics
from recassist.retrieval.training import BATCH_USERS, LIST_LENGTH

WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MAX_LOSS = 0.02
CANDIDATES = 100
VALIDATION_USERS = 2000  # the weight sweep scores a fixed sample of this many validation users


def candidates(fusion: Fusion, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fusion's top `CANDIDATES` item rows and scores per user (seen excluded)."""
    blocks = [
        fusion.recommend(users[i : i + BATCH_USERS], CANDIDATES)
        for i in range(0, len(users), BATCH_USERS)
    ]
    return np.concatenate([b.items for b in blocks]), np.concatenate([b.scores for b in blocks])


def calibrated(
    items: np.ndarray,
    scores: np.ndarray,
    users: np.ndarray,
    train: Interactions,
    genres: sp.csr_matrix,
    weight: float,
) -> np.ndarray:
    """Users x `LIST_LENGTH`: the calibrated top 10, then the other candidates in the fusion's
    order."""
    history = np.asarray((train.binary[users] @ genres).todense())
    totals = history.sum(axis=1, keepdims=True)
    mixes = np.divide(history, totals, out=np.zeros_like(history), where=totals > 0)
    out = np.full((len(users), LIST_LENGTH), -1, np.int64)
    for row in range(len(users)):
        top = greedy_rerank(items[row], scores[row], mixes[row], genres, K, weight=weight)
        rest = [i for i in items[row] if i >= 0 and i not in set(top.tolist())]
        merged = [*top.tolist(), *rest][:LIST_LENGTH]
        out[row, : len(merged)] = merged
    return out


def choose_weight(
    fusion: Fusion,
    train: Interactions,
    validation: Targets,
    genres: sp.csr_matrix,
    progress: Callable[[str], None],
) -> tuple[float, list[dict]]:
    """The largest weight within `MAX_LOSS` of the fusion's validation NDCG@10 (0 when none is), and
    the sweep: each weight's validation NDCG@10 and mean calibration KL."""
    pick = np.random.default_rng(0).permutation(len(validation.users))[:VALIDATION_USERS]
    users, targets = validation.users[pick], validation.items[pick]
    items, scores = candidates(fusion, users)
    base = all_metrics(items[:, :LIST_LENGTH], targets, train.n_items)["ndcg@10"]
    sweep = [
        {
            "weight": 0.0,
            "ndcg@10": base,
            "calibration_kl@10": float(user_kl(items[:, :K], users, train.binary, genres).mean()),
        }
    ]
    for weight in WEIGHTS:
        top = calibrated(items, scores, users, train, genres, weight)
        ndcg = all_metrics(top, targets, train.n_items)["ndcg@10"]
        kl = float(user_kl(top[:, :K], users, train.binary, genres).mean())
        sweep.append({"weight": weight, "ndcg@10": ndcg, "calibration_kl@10": kl})
        progress(f"  calibration weight {weight}: validation NDCG@10 {ndcg:.4f}, KL {kl:.4f}")
    within = [row["weight"] for row in sweep if row["ndcg@10"] >= (1 - MAX_LOSS) * base]
    return max(within), sweep
