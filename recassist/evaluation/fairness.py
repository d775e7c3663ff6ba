"""Popularity bias and fairness of top-10 lists, each figure with a 95 % bootstrap interval over
users.

- Gini index of the items' exposure (how often each catalogue item is in a top 10; 0 = every item
  shown equally, 1 = one item shown to everyone);
- average recommendation popularity (ARP): the mean, over users, of the mean share of training users
  who interacted with each listed item;
- long-tail share: the share of listed items outside the short head, the most popular 20 % of items;
- coverage@10: the share of the catalogue in at least one top 10;
- calibration: the mean of Steck's KL between the user's training genre mix and their list's
  (`retrieval.calibration`);
- NDCG@10 per user group (e.g. gender, age band) and the gap between the best and the worst group.

The intervals resample users (a fixed seed, `BOOTSTRAP` rounds), so two reports on the same split
compare. They are percentile intervals: for the means (popularity, long tail, KL, NDCG) they hold
the figure; for coverage and Gini, which count distinct items, a resample that repeats users shows
fewer items, so their intervals sit below (coverage) or above (Gini) the figure and say how much it
moves, not where it lies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.retrieval.calibration import calibration_kl
from recassist.retrieval.metrics import target_ranks

if TYPE_CHECKING:
    from recassist.data.store import Dataset
    from recassist.retrieval.interactions import Interactions

BOOTSTRAP = 200
HEAD_SHARE = 0.2  # the short head: this share of the catalogue's items, the most popular first
K = 10


def gini(exposure: np.ndarray) -> float:
    """Gini index of non-negative counts (all items, zeros included): sum((2i - n - 1) x_i) / (n sum
    x) over the counts sorted ascending, i from 1."""
    x = np.sort(np.asarray(exposure, np.float64))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def short_head(counts: np.ndarray, share: float = HEAD_SHARE) -> np.ndarray:
    """A boolean mask of the most popular `share` of items (ties: lower row first)."""
    order = np.lexsort((np.arange(len(counts)), -np.asarray(counts)))
    head = np.zeros(len(counts), bool)
    head[order[: int(round(share * len(counts)))]] = True
    return head


def _interval(values: np.ndarray, statistic, rng: np.random.Generator) -> dict[str, float]:
    """The statistic on all users, and the 2.5 and 97.5 percentiles over bootstrap resamples of
    them."""
    n = len(values)
    if n == 0:
        return {"value": float("nan"), "low": float("nan"), "high": float("nan")}
    draws = [statistic(values[rng.integers(0, n, n)]) for _ in range(BOOTSTRAP)]
    low, high = np.percentile(draws, [2.5, 97.5])
    return {"value": float(statistic(values)), "low": float(low), "high": float(high)}


def _gain(ranks: np.ndarray) -> np.ndarray:
    found = (ranks >= 0) & (ranks < K)
    return np.where(found, 1.0 / np.log2(np.maximum(ranks, 0) + 2.0), 0.0)


def ndcg_gains(top: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each user's NDCG@10 with one held-out target: 1 / log2(rank + 2) when it is in the top 10."""
    return _gain(target_ranks(np.asarray(top)[:, :K], targets))


def paired_change(before: np.ndarray, after: np.ndarray, seed: int = 0) -> dict[str, float]:
    """The relative change of a mean, mean(after) / mean(before) - 1, over the same users, with a
    95 % paired bootstrap interval (each resample draws users once for both lists, so the interval
    holds only the change's own noise, not the spread between users)."""
    before, after = np.asarray(before, np.float64), np.asarray(after, np.float64)
    rng = np.random.default_rng(seed)
    n = len(before)

    def change(rows: np.ndarray) -> float:
        base = before[rows].mean()
        return float(after[rows].mean() / base - 1) if base else float("nan")

    draws = [change(rng.integers(0, n, n)) for _ in range(BOOTSTRAP)]
    low, high = np.percentile(draws, [2.5, 97.5])
    return {"value": change(np.arange(n)), "low": float(low), "high": float(high)}


def fairness(
    top: np.ndarray,
    targets: np.ndarray,
    users: np.ndarray,
    train: sp.csr_matrix,
    genres: sp.csr_matrix | None = None,
    groups: Mapping[str, np.ndarray] | None = None,
    seed: int = 0,
) -> dict:
    """The figures above for lists `top` (users x >= 10 item rows, -1 past the end) of user rows
    `users` with held-out `targets`; `train` is the binary users x items matrix the lists were made
    from, `genres` the items x genres shares (`calibration.genre_matrix`), `groups` an attribute
    name to each user row's label (e.g. {"gender": array of "F"/"M"})."""
    rng = np.random.default_rng(seed)
    top = np.asarray(top)[:, :K]
    n_items = train.shape[1]
    counts = np.asarray(train.sum(axis=0)).ravel()
    share = counts / max(train.shape[0], 1)
    head = short_head(counts)
    shown = top >= 0
    safe = np.maximum(top, 0)
    per_user_arp = np.where(shown, share[safe], 0).sum(1) / np.maximum(shown.sum(1), 1)
    per_user_tail = np.where(shown, ~head[safe], False).sum(1) / np.maximum(shown.sum(1), 1)
    index = np.arange(len(top))

    def exposure(rows: np.ndarray) -> np.ndarray:
        lists = top[rows]
        return np.bincount(lists[lists >= 0], minlength=n_items)

    out = {
        "gini@10": _interval(index, lambda r: gini(exposure(r)), rng),
        "arp@10": _interval(per_user_arp, np.mean, rng),
        "long_tail_share@10": _interval(per_user_tail, np.mean, rng),
        "coverage@10": _interval(index, lambda r: float((exposure(r) > 0).mean()), rng),
    }
    if genres is not None:
        out["calibration_kl@10"] = _interval(user_kl(top, users, train, genres), np.mean, rng)
    if groups:
        gains = ndcg_gains(top, targets)
        out["ndcg@10_by_group"] = {
            name: group_ndcg(gains, np.asarray(labels)[users], rng)
            for name, labels in groups.items()
        }
    return out


def user_kl(
    top: np.ndarray, users: np.ndarray, train: sp.csr_matrix, genres: sp.csr_matrix
) -> np.ndarray:
    """Each user's calibration KL between their training genre mix and their top 10's."""
    history = train[users] @ genres
    p = _rows_normalised(np.asarray(history.todense()))
    shown = top >= 0
    q = np.zeros_like(p)
    for column in range(top.shape[1]):
        q += genres[np.maximum(top[:, column], 0)].toarray() * shown[:, column : column + 1]
    q = q / np.maximum(shown.sum(1, keepdims=True), 1)
    return calibration_kl(p, q)


def _rows_normalised(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def group_ndcg(gains: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> dict:
    """NDCG@10 with its interval per label, and the gap (best group minus worst) with its
    interval."""
    names = sorted({str(label) for label in labels if label is not None and label == label})
    labels = np.array([str(label) for label in labels])
    out: dict = {
        name: _interval(gains[labels == name], np.mean, rng)
        | {"users": int((labels == name).sum())}
        for name in names
    }
    if len(names) >= 2:
        best = max(names, key=lambda name: out[name]["value"])
        worst = min(names, key=lambda name: out[name]["value"])
        pairs = {best: gains[labels == best], worst: gains[labels == worst]}
        draws = [
            pairs[best][rng.integers(0, len(pairs[best]), len(pairs[best]))].mean()
            - pairs[worst][rng.integers(0, len(pairs[worst]), len(pairs[worst]))].mean()
            for _ in range(BOOTSTRAP)
        ]
        low, high = np.percentile(draws, [2.5, 97.5])
        gap = pairs[best].mean() - pairs[worst].mean()
        out["gap"] = {
            "best": best,
            "worst": worst,
            "value": float(gap),
            "low": float(low),
            "high": float(high),
        }
    return out


# MovieLens-1M's age bands (its `age` is the band's first year); other data sets' ages are binned
# the same.
AGE_EDGES = (0, 18, 25, 35, 45, 50, 56, 200)
AGE_BANDS = ("under 18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+")


def dataset_attributes(
    dataset: Dataset, data: Interactions
) -> tuple[list[list[str]] | None, dict[str, np.ndarray]]:
    """Each item row's genres (the items' `tags`, "|"-separated) and each user row's gender and age
    band, where the data set has them."""
    item_tags = None
    if "tags" in dataset.items.columns:
        tags = dataset.items.set_index("item_id")["tags"].fillna("")
        ids = data.items.ids(np.arange(data.n_items))
        item_tags = [[t for t in str(tags.get(i, "")).split("|") if t] for i in ids]
    groups: dict[str, np.ndarray] = {}
    users = dataset.users.drop_duplicates("user_id").set_index("user_id")
    ids = data.users.ids(np.arange(data.n_users))
    if "gender" in users.columns:
        groups["gender"] = users["gender"].reindex(ids).to_numpy(dtype=object)
    if "age_band" in users.columns:
        groups["age_band"] = users["age_band"].reindex(ids).to_numpy(dtype=object)
    elif "age" in users.columns:
        ages = pd.to_numeric(users["age"], errors="coerce").reindex(ids)
        bands = pd.cut(ages, AGE_EDGES, right=False, labels=AGE_BANDS)
        groups["age_band"] = bands.astype(object).to_numpy()
    return item_tags, groups
