"""The fusion with Steck's calibration rerank in the protocol: its weight chosen on validation,
reported on test.

The weight is the largest of `WEIGHTS` whose validation NDCG@10 stays within `MAX_LOSS` (relative)
of the plain fusion's (the grid is 0.025 apart up to 0.5, where the ML data sets' trade-off turns),
so the test row shows what the rerank costs and gains without having been tuned on test. Each
user's top 10 is reranked from the fusion's top `CANDIDATES`; places 11-20 keep the fusion's order
of the candidates left, so Recall@20 stays comparable. The ten chosen items are shown in the
fusion's score order (`ORDER`): the KL reads only which items are in the list, so this keeps the
greedy set's calibration and costs less NDCG@10 than Steck's greedy order ("greedy", kept for
comparison in benchmarks/calibration.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recassist.evaluation.fairness import K, user_kl
from recassist.retrieval.calibration import Order, greedy_rerank_batch, popularity_scale
from recassist.retrieval.fusion import Fusion
from recassist.retrieval.interactions import Interactions, Targets
from recassist.retrieval.metrics import all_metrics
from recassist.retrieval.training import BATCH_USERS, LIST_LENGTH

# 0.025 apart up to 0.5 (the ML data sets' NDCG@10 falls past 2 % between 0.2 and 0.3), then 0.1
WEIGHTS = tuple(round(0.025 * i, 3) for i in range(1, 21)) + (0.6, 0.7, 0.8, 0.9)
MAX_LOSS = 0.02
CANDIDATES = 100
VALIDATION_USERS = 2000  # the weight sweep scores a fixed sample of this many validation users
ORDER: Order = "score"
# popularity penalties tried on top of the chosen calibration weight (benchmarks/calibration.py)
PENALTIES = tuple(round(0.05 * i, 2) for i in range(1, 11))


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
    order: Order = ORDER,
    penalty: float = 0.0,
) -> np.ndarray:
    """Users x `LIST_LENGTH`: the calibrated top 10, then the other candidates in the fusion's
    order. `penalty` is the rerank's popularity penalty, on `train`'s popularity scale."""
    history = np.asarray((train.binary[users] @ genres).todense())
    totals = history.sum(axis=1, keepdims=True)
    mixes = np.divide(history, totals, out=np.zeros_like(history), where=totals > 0)
    popularity = popularity_scale(np.asarray(train.binary.sum(axis=0)).ravel()) if penalty else None
    top = np.concatenate(
        [
            greedy_rerank_batch(
                items[i : i + BATCH_USERS],
                scores[i : i + BATCH_USERS],
                mixes[i : i + BATCH_USERS],
                genres,
                K,
                weight=weight,
                order=order,
                popularity=popularity,
                popularity_penalty=penalty,
            )
            for i in range(0, len(users), BATCH_USERS)
        ]
    )
    taken = (items[:, :, None] == top[:, None, :]).any(axis=2) | (items < 0)
    # the candidates not taken, in the fusion's order (a stable sort puts the taken ones last)
    rest = np.take_along_axis(items, np.argsort(taken, axis=1, kind="stable"), axis=1)
    rest = np.where(np.sort(taken, axis=1), -1, rest)
    out = np.concatenate([top, rest], axis=1)[:, :LIST_LENGTH]
    if out.shape[1] < LIST_LENGTH:
        out = np.pad(out, ((0, 0), (0, LIST_LENGTH - out.shape[1])), constant_values=-1)
    return out


def choose_weight(
    fusion: Fusion,
    train: Interactions,
    validation: Targets,
    genres: sp.csr_matrix,
    progress: Callable[[str], None],
    weights: tuple[float, ...] = WEIGHTS,
    order: Order = ORDER,
) -> tuple[float, list[dict]]:
    """The largest weight within `MAX_LOSS` of the fusion's validation NDCG@10 (0 when none is), and
    the sweep: each weight's validation NDCG@10, mean calibration KL and coverage@10."""
    grid = [(weight, 0.0) for weight in weights]
    sweep = _sweep(fusion, train, validation, genres, progress, grid, order)
    base = sweep[0]["ndcg@10"]
    within = [row["weight"] for row in sweep if row["ndcg@10"] >= (1 - MAX_LOSS) * base]
    return max(within), sweep


def choose_penalty(
    fusion: Fusion,
    train: Interactions,
    validation: Targets,
    genres: sp.csr_matrix,
    weight: float,
    progress: Callable[[str], None],
    order: Order = ORDER,
) -> tuple[float, list[dict]]:
    """With the calibration `weight` fixed, the largest popularity penalty of `PENALTIES` whose
    validation NDCG@10 stays within `MAX_LOSS` of the plain fusion's (0 when none is), and the
    sweep. The penalty is what raises coverage: calibration alone picks genre-typical items."""
    grid = [(weight, penalty) for penalty in (0.0, *PENALTIES)]
    sweep = _sweep(fusion, train, validation, genres, progress, grid, order)
    base = sweep[0]["ndcg@10"]
    within = [row["penalty"] for row in sweep[1:] if row["ndcg@10"] >= (1 - MAX_LOSS) * base]
    return max(within, default=0.0), sweep


def _sweep(
    fusion: Fusion,
    train: Interactions,
    validation: Targets,
    genres: sp.csr_matrix,
    progress: Callable[[str], None],
    grid: list[tuple[float, float]],
    order: Order,
) -> list[dict]:
    """The plain fusion, then each (weight, penalty) of `grid`, on a fixed sample of validation
    users: NDCG@10, mean calibration KL and coverage@10."""
    pick = np.random.default_rng(0).permutation(len(validation.users))[:VALIDATION_USERS]
    users, targets = validation.users[pick], validation.items[pick]
    items, scores = candidates(fusion, users)
    sweep = []
    for weight, penalty in [(0.0, 0.0), *grid]:
        top = (
            calibrated(items, scores, users, train, genres, weight, order, penalty)
            if weight or penalty
            else items[:, :LIST_LENGTH]
        )
        metrics = all_metrics(top, targets, train.n_items)
        kl = float(user_kl(top[:, :K], users, train.binary, genres).mean())
        row = {
            "weight": weight,
            "penalty": penalty,
            "ndcg@10": metrics["ndcg@10"],
            "calibration_kl@10": kl,
            "coverage@10": metrics["coverage@10"],
        }
        sweep.append(row)
        progress(
            f"  calibration weight {weight}, popularity penalty {penalty}: validation NDCG@10 "
            f"{row['ndcg@10']:.4f}, KL {kl:.4f}, coverage@10 {row['coverage@10']:.4f}"
        )
    return sweep
