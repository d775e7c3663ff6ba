"""Calibrated and less mainstream lists: Steck's greedy calibration (RecSys 2018) with a popularity
penalty.

A user's genre mix p(g|u) is the mean over their history of each item's genre shares (an item with k
genres gives each 1/k); a list's mix q(g|list) is the same mean over the list. Steck's calibration
KL is KL(p || q~) with q~ = (1 - alpha) q + alpha p, so a genre missing from the list costs a large
but finite amount. The greedy rerank builds the list one item at a time, each step taking the
candidate that maximises

    (1 - weight) * relevance(list + i) - weight * KL(p || q~(list + i)) - penalty * pop(i)

where relevance is the candidates' scores min-max scaled to [0, 1] and summed over the list, and
pop(i) is the item's popularity in [0, 1] (`popularity_scale`), penalty `popularity_penalty`. weight
0 and penalty 0 keep the score order. The penalty is what "something less mainstream" turns on in
the chat; the weight is `calibration.weight`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict, Unpack

import numpy as np
import scipy.sparse as sp

ALPHA = 0.01  # Steck's mixing of p into q, so the KL stays finite
# "greedy": the list in the order the greedy rerank picked it (Steck's); "score": the same items in
# the candidates' score order
Order = Literal["greedy", "score"]


def genre_matrix(item_tags: Sequence[Sequence[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Items x genres, each row an item's genre shares (1/k for each of its k genres; a row of zeros
    for an item without any), and the genre names in column order."""
    genres = sorted({tag for tags in item_tags for tag in tags})
    column = {genre: j for j, genre in enumerate(genres)}
    rows, cols, values = [], [], []
    for row, tags in enumerate(item_tags):
        unique = sorted(set(tags))
        rows += [row] * len(unique)
        cols += [column[t] for t in unique]
        values += [1.0 / max(len(unique), 1)] * len(unique)
    matrix = sp.csr_matrix(
        (values, (rows, cols)), shape=(len(item_tags), len(genres)), dtype=np.float64
    )
    return matrix, genres


def genre_mix(item_rows: np.ndarray, genres: sp.csr_matrix) -> np.ndarray:
    """The genre distribution of a set of items (the mean of their rows), zeros when it has none."""
    rows = np.asarray(item_rows, np.int64)
    rows = rows[rows >= 0]
    if len(rows) == 0:
        return np.zeros(genres.shape[1])
    mix = np.asarray(genres[rows].sum(axis=0)).ravel()
    total = mix.sum()
    return mix / total if total > 0 else mix


def calibration_kl(p: np.ndarray, q: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Steck's KL(p || (1 - alpha) q + alpha p) over the last axis; `q` may hold many lists
    (rows)."""
    p = np.asarray(p, np.float64)
    mixed = (1 - alpha) * np.asarray(q, np.float64) + alpha * p
    present = p > 0
    terms = np.where(
        present, p * np.log(np.where(present, p, 1.0) / np.where(present, mixed, 1.0)), 0.0
    )
    return terms.sum(axis=-1)


def popularity_scale(counts: np.ndarray) -> np.ndarray:
    """Each item's popularity in [0, 1]: log(1 + count) / log(1 + the largest count)."""
    counts = np.asarray(counts, np.float64)
    top = np.log1p(counts.max()) if len(counts) and counts.max() > 0 else 1.0
    return np.log1p(counts) / top


class RerankOptions(TypedDict, total=False):
    """`greedy_rerank_batch`'s keywords other than `weight`, for `greedy_rerank` to pass on."""

    popularity: np.ndarray | None
    popularity_penalty: float
    alpha: float
    order: Order


def greedy_rerank(
    candidates: np.ndarray,
    scores: np.ndarray,
    p: np.ndarray,
    genres: sp.csr_matrix | np.ndarray,
    k: int,
    *,
    weight: float,
    **options: Unpack[RerankOptions],
) -> np.ndarray:
    """The first `k` items of `candidates` (item rows, -1 ignored) in the greedy order of the
    objective above (or, with `order="score"`, the greedy set in score order); `popularity` is per
    item row in [0, 1], needed only with a penalty. One user's `greedy_rerank_batch`."""
    items = np.asarray(candidates, np.int64)
    valid = items >= 0
    items, scores = items[valid], np.asarray(scores, np.float64)[valid]
    p = np.asarray(p, np.float64)[None]
    top = greedy_rerank_batch(items[None], scores[None], p, genres, k, weight=weight, **options)[0]
    return top[top >= 0]


def _scaled(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Each row's valid scores min-max scaled to [0, 1] (all 1 when they are equal), 0 elsewhere."""
    low = np.where(valid, scores, np.inf).min(axis=1, keepdims=True)
    high = np.where(valid, scores, -np.inf).max(axis=1, keepdims=True)
    spread = np.where(np.isfinite(high - low), high - low, 0.0)
    shifted = np.where(valid, scores, 0.0) - np.where(np.isfinite(low), low, 0.0)
    scaled = np.divide(shifted, spread, out=np.ones_like(shifted), where=spread > 0)
    return np.where(valid, scaled, 0.0)


def greedy_rerank_batch(
    candidates: np.ndarray,
    scores: np.ndarray,
    p: np.ndarray,
    genres: sp.csr_matrix | np.ndarray,
    k: int,
    *,
    weight: float,
    popularity: np.ndarray | None = None,
    popularity_penalty: float = 0.0,
    alpha: float = ALPHA,
    order: Order = "greedy",
) -> np.ndarray:
    """`greedy_rerank` for many users at once: candidates and scores users x C (item rows, -1
    ignored), `p` users x genres; users x `k` item rows, -1 past a user's candidates. One numpy
    step per list place for all users, instead of a Python loop per user.

    `order="score"` returns each user's greedy set ordered by relevance: the calibration KL reads
    the list's genre mix, not its order, so this keeps the set's KL and puts the likeliest items
    first, which is what NDCG@10 (and a reader of the list) rewards."""
    items = np.asarray(candidates, np.int64)
    valid = items >= 0
    safe = np.where(valid, items, 0)
    relevance = _scaled(np.asarray(scores, np.float64), valid)
    dense = genres.toarray() if sp.issparse(genres) else np.asarray(genres, np.float64)
    item_genres = dense[safe]  # users x C x genres
    penalty = popularity_penalty * popularity[safe] if popularity_penalty else 0.0
    p = np.asarray(p, np.float64)
    calibrating = weight > 0 and bool((p.sum(axis=1) > 0).any())
    users = np.arange(len(items))
    chosen = np.full((len(items), k), -1, np.int64)
    mix_sum, relevance_sum = np.zeros(p.shape), np.zeros(len(items))
    free = valid.copy()
    for size in range(1, k + 1):
        gain = (1 - weight) * (relevance_sum[:, None] + relevance) - penalty
        if calibrating:
            mixed = (mix_sum[:, None, :] + item_genres) / size
            kl = calibration_kl(p[:, None, :], mixed, alpha)
            gain = gain - weight * np.where(p.sum(axis=1, keepdims=True) > 0, kl, 0.0)
        gain = np.where(free, gain, -np.inf)
        best = np.argmax(gain, axis=1)  # ties: the earlier (higher-scored) candidate
        live = free[users, best]
        chosen[live, size - 1] = best[live]
        free[users[live], best[live]] = False
        mix_sum[live] += item_genres[users[live], best[live]]
        relevance_sum[live] += relevance[users[live], best[live]]
    if order == "score":
        picked = chosen >= 0
        ranked = np.where(picked, relevance[users[:, None], np.maximum(chosen, 0)], -np.inf)
        chosen = np.take_along_axis(chosen, np.argsort(-ranked, axis=1, kind="stable"), axis=1)
    return np.where(chosen >= 0, items[users[:, None], np.maximum(chosen, 0)], -1)
