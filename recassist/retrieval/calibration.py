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

import numpy as np
import scipy.sparse as sp

ALPHA = 0.01  # Steck's mixing of p into q, so the KL stays finite


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


def greedy_rerank(
    candidates: np.ndarray,
    scores: np.ndarray,
    p: np.ndarray,
    genres: sp.csr_matrix,
    k: int,
    *,
    weight: float,
    popularity: np.ndarray | None = None,
    popularity_penalty: float = 0.0,
    alpha: float = ALPHA,
) -> np.ndarray:
    """The first `k` items of `candidates` (item rows, -1 ignored) in the greedy order of the
    objective above; `popularity` is per item row in [0, 1], needed only with a penalty."""
    valid = np.asarray(candidates) >= 0
    items = np.asarray(candidates, np.int64)[valid]
    if len(items) == 0:
        return items
    relevance = np.asarray(scores, np.float64)[valid]
    spread = relevance.max() - relevance.min()
    relevance = (relevance - relevance.min()) / spread if spread > 0 else np.ones_like(relevance)
    item_genres = genres[items].toarray()
    penalty = popularity_penalty * popularity[items] if popularity_penalty else np.zeros(len(items))
    calibrate = weight > 0 and p.sum() > 0
    chosen: list[int] = []
    mix_sum, relevance_sum = np.zeros(genres.shape[1]), 0.0
    free = np.ones(len(items), bool)
    for size in range(1, min(k, len(items)) + 1):
        gain = (1 - weight) * (relevance_sum + relevance) - penalty
        if calibrate:
            gain = gain - weight * calibration_kl(p, (mix_sum + item_genres) / size, alpha)
        gain[~free] = -np.inf
        best = int(np.argmax(gain))  # ties: the earlier (higher-scored) candidate
        chosen.append(best)
        free[best] = False
        mix_sum += item_genres[best]
        relevance_sum += relevance[best]
    return items[chosen]
