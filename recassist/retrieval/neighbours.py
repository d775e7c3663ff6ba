"""Item neighbours by behaviour, for "like X": the items that people who liked X also liked.

For the seed items, count the users who liked both a seed and each other item (`co_liked`), and
score an item by the cosine of the two "liked" columns, damped where few people liked both (a pair
liked by one person is chance), and raised where it shares the seed's kinds of film (`kind_matrix`:
Aladdin before Star Wars like Toy Story). Several seeds add up. This is what "people who liked X
also liked" means; the nearest title text of X is not (its words are the only text ML-100k has:
"The Big Lebowski" is near "The Big One").

The users x items "liked" matrix is built once per `Interactions` (on first use) and shared: the
"like X" candidates and the explanations' co-liked counts (`co_liked_count`) read the same one, and
so does `typical`, which ranks the films a description named by how typical of them each is."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recassist.retrieval.interactions import Interactions

DAMPING = 2.0  # co-likers at which a pair keeps half its cosine
TYPICAL_TOP = 60  # a request's best-scored items that typicality is measured against


@dataclass(frozen=True)
class CoLiked:
    """Per item: the summed damped cosine to the seeds, how many people liked it and the seed they
    liked it most with (`counts`), and that seed's position in the seeds given (`seed`)."""

    scores: np.ndarray
    counts: np.ndarray
    seed: np.ndarray


_LIKED: weakref.WeakKeyDictionary[Interactions, sp.csc_matrix] = weakref.WeakKeyDictionary()
_LIKED_LOCK = threading.Lock()


def liked_matrix(data: Interactions) -> sp.csc_matrix:
    """Users x items, 1 where the user liked the item (every event counts when the data says no
    likes). Built on the first call for `data` and shared by every later one while `data` lives."""
    with _LIKED_LOCK:
        matrix = _LIKED.get(data)
        if matrix is None:
            matrix = _LIKED[data] = _build_liked(data)
        return matrix


def _build_liked(data: Interactions) -> sp.csc_matrix:
    keep = np.ones(len(data), bool) if data.liked is None else data.liked
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (data.user_rows[keep], data.item_rows[keep])),
        shape=(data.n_users, data.n_items),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix.tocsc()


def co_liked_count(liked: sp.csc_matrix, a: int, b: int) -> int:
    """People who liked both item rows `a` and `b` (`liked` from `liked_matrix`)."""
    users_a = liked.indices[liked.indptr[a] : liked.indptr[a + 1]]
    users_b = liked.indices[liked.indptr[b] : liked.indptr[b + 1]]
    return int(np.intersect1d(users_a, users_b, assume_unique=True).size)


def co_liked(
    liked: sp.csc_matrix,
    seed_rows: np.ndarray,
    kinds: sp.csr_matrix | None = None,
    kind_weight: float = 0.0,
) -> CoLiked:
    """The items people who liked `seed_rows` also liked (`liked` from `liked_matrix`); seeds score
    0. With `kinds` (items x kinds of film, from `kind_matrix`), each seed's damped cosine is
    raised by up to `kind_weight` times the share of kinds the item has in common with that seed:
    among films liked alike, those of the seed's kind come first. Without it, the most popular
    films are every popular seed's nearest: Star Wars was the first pick like Toy Story."""
    seed_rows = np.asarray(seed_rows, np.int64)
    n_items = liked.shape[1]
    if len(seed_rows) == 0:
        zeros = np.zeros(n_items, np.float32)
        return CoLiked(zeros, zeros.astype(np.int64), np.zeros(n_items, np.int64))
    popularity = np.asarray(liked.sum(axis=0)).ravel()
    both = np.asarray(
        (liked[:, seed_rows].T @ liked).todense()
    )  # seeds x items: people who liked both
    damped = _damped(both, popularity[seed_rows], popularity)
    if kinds is not None and kind_weight > 0:
        damped = damped * (1.0 + kind_weight * _shared_kinds(kinds, seed_rows))
    scores = damped.sum(axis=0).astype(np.float32)
    scores[seed_rows] = 0.0
    best = both.argmax(axis=0)
    return CoLiked(scores, both.max(axis=0).astype(np.int64), best)


def kind_matrix(data: Interactions, kinds_of: Callable[[str], Sequence[str]]) -> sp.csr_matrix:
    """Items (`data`'s rows) x kinds of film, 1 where the item is of the kind (`kinds_of`: an
    item id's catalogue tags)."""
    ids = [str(i) for i in data.items.ids(np.arange(len(data.items)))]
    names = sorted({k for i in ids for k in kinds_of(i)})
    column = {k: c for c, k in enumerate(names)}
    pairs = [(row, column[kind]) for row, i in enumerate(ids) for kind in set(kinds_of(i))]
    rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
    values = np.ones(len(pairs), np.float32)
    return sp.csr_matrix((values, (rows, cols)), shape=(len(ids), len(names)))


def _shared_kinds(kinds: sp.csr_matrix, seed_rows: np.ndarray) -> np.ndarray:
    """Seeds x items: the Jaccard share of kinds each item has in common with each seed."""
    common = np.asarray((kinds[seed_rows] @ kinds.T).todense(), np.float64)
    sizes = np.asarray(kinds.sum(axis=1)).ravel()
    union = sizes[seed_rows][:, None] + sizes[None, :] - common
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


def _damped(both: np.ndarray, liked_a: np.ndarray, liked_b: np.ndarray) -> np.ndarray:
    """The cosine of two sets of "liked" columns (`both`: people who liked each pair; `liked_a`,
    `liked_b`: people who liked each), damped where few liked both (a pair liked by one person is
    chance)."""
    cosine = both / (np.sqrt(np.outer(liked_a, liked_b)) + 1e-12)
    return cosine * both / (both + DAMPING)


@dataclass(frozen=True)
class WellLiked:
    """Per item: the share of the people who watched it that liked it, damped towards the data
    set's mean where few watched (`scores`; 0 below `min_watchers`), and the two counts."""

    scores: np.ndarray
    liked: np.ndarray
    watchers: np.ndarray


def well_liked(data: Interactions, min_watchers: int = 20, strength: float = 20.0) -> WellLiked:
    """How well liked each item is by those who watched it: what "surprise me" offers a new user
    who said nothing yet, since the most liked of the rarely watched is the opposite of what is
    popular. The share is pulled towards the mean by `strength` pretend watchers, so that 3 of 3
    is no better than 90 of 100."""
    watched = sp.csr_matrix(
        (np.ones(len(data.item_rows), np.float32), (data.user_rows, data.item_rows)),
        shape=(data.n_users, data.n_items),
    )
    watched.sum_duplicates()
    watched.data[:] = 1.0
    watchers = np.asarray(watched.sum(axis=0)).ravel()
    liked = np.asarray(liked_matrix(data).sum(axis=0)).ravel()
    mean = liked.sum() / max(watchers.sum(), 1.0)
    scores = (liked + strength * mean) / (watchers + strength)
    return WellLiked(np.where(watchers >= min_watchers, scores, 0.0), liked, watchers)


def typical(
    data: Interactions, scores: Mapping[str, float], weight: float, top: int = TYPICAL_TOP
) -> dict[str, float]:
    """`scores` (item id -> how much an item is what a request named) plus up to `weight` by how
    typical each item is, by behaviour, of the best `top` of them: its damped cosine to them, each
    weighted by its score, scaled to 0-1. Many items match a description equally (every film the
    graph calls a family drama); those that the people who like the best matches also like come
    first. Items the data lacks keep their score."""
    ids = [i for i in scores]
    rows = data.items.rows(ids, missing=-1)
    known = np.flatnonzero(rows >= 0)
    if weight <= 0 or len(known) < 2:
        return dict(scores)
    values = np.array([scores[ids[k]] for k in known])
    best = np.argsort(-values, kind="stable")[:top]
    cols, liked = rows[known], liked_matrix(data)
    popularity = np.asarray(liked.sum(axis=0)).ravel()
    both = np.asarray((liked[:, cols].T @ liked[:, cols[best]]).todense(), dtype=np.float64)
    both[best, np.arange(len(best))] = 0.0  # no item is typical of itself
    damped = _damped(both, popularity[cols], popularity[cols[best]])
    near = damped @ values[best] / max(values[best].sum(), 1e-12)
    near = near / near.max() if near.max() > 0 else near
    out = dict(scores)
    for k, value in zip(known, near, strict=True):
        out[ids[k]] += weight * float(value)
    return out
