"""Fusion: many generators' candidate lists into one short list, with every contributor's evidence
kept.

Each generator proposes its top `depth` items for a user; within that list its scores are min-max
normalised to [0, 1] (so a score scale, e.g. EASE's versus a transition probability, does not
decide), and an item's fused score is the weighted sum over generators (0 from a generator that did
not list it). The weights are tuned on the validation split by coordinate ascent on NDCG@10, never
on test, and the blend is kept only where it beats its best single generator on validation users it
was not tuned on, by more than the noise of their gains.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, NonNegativeFloat, PositiveInt

from recassist.retrieval.generators.base import Evidence, Generator, Recommendations, top_n

log = logging.getLogger(__name__)

WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
# The blend is kept only when its held-out gain is this many standard errors above zero (one-sided
# 95 %): a gain inside the noise of one validation split is as likely to be a loss on the next.
BLEND_MIN_Z = 1.645


class FusionConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    size: PositiveInt = 50  # the short list handed to the reranker
    depth: PositiveInt = 200  # how many candidates each generator proposes
    weights: dict[str, NonNegativeFloat] = {}  # by generator name; a missing name weighs 1


class Fusion:
    """Weighted score fusion over fitted generators (keyed by name)."""

    def __init__(
        self, generators: Mapping[str, Generator], config: FusionConfig | None = None
    ) -> None:
        self.generators = dict(generators)
        self.config = config or FusionConfig()
        self.choice: BlendChoice | None = None  # set by `tune`

    def weight(self, name: str) -> float:
        return self.config.weights.get(name, 1.0)

    def candidate_lists(
        self, user_rows: np.ndarray, *, exclude_seen: bool = True, items: np.ndarray | None = None
    ) -> dict[str, sp.csr_matrix]:
        """Per generator, a users x items matrix holding its normalised scores for the items it
        listed."""
        user_rows = np.asarray(user_rows, np.int64)
        lists = {}
        for name, generator in self.generators.items():
            if self.weight(name) == 0:
                continue
            recs = generator.recommend(
                user_rows, self.config.depth, exclude_seen=exclude_seen, items=items
            )
            lists[name] = normalised_matrix(recs, generator.train.n_items)
        return lists

    def fuse(
        self, lists: Mapping[str, sp.csr_matrix], weights: Mapping[str, float]
    ) -> sp.csr_matrix:
        return fuse_lists(lists, weights)

    def recommend(
        self,
        user_rows: np.ndarray,
        n: int | None = None,
        *,
        exclude_seen: bool = True,
        items: np.ndarray | None = None,
    ) -> Recommendations:
        user_rows = np.asarray(user_rows, np.int64)
        weighted = [name for name in self.generators if self.weight(name) > 0]
        if (
            len(weighted) == 1
        ):  # one generator alone: its own ranking, exactly (no rescaling, no float ties)
            return self.generators[weighted[0]].recommend(
                user_rows, n or self.config.size, exclude_seen=exclude_seen, items=items
            )
        fused = self.fuse(
            self.candidate_lists(user_rows, exclude_seen=exclude_seen, items=items),
            self.config.weights,
        )
        dense = fused.toarray()
        dense[dense <= 0] = -np.inf  # an item no generator listed is not a candidate
        top, scores = top_n(dense, n or self.config.size)
        return Recommendations(user_rows, top, scores)

    def evidence(
        self, user_row: int, item_rows: np.ndarray, lists: Mapping[str, sp.csr_matrix] | None = None
    ) -> list[Evidence]:
        """Evidence from every generator that listed each item (weight > 0), highest-weighted
        generator first. `lists` are this user's `candidate_lists` when the caller has them already
        (one row)."""
        item_rows = np.asarray(item_rows, np.int64)
        lists = self.candidate_lists(np.array([user_row])) if lists is None else lists
        evidence: list[Evidence] = []
        for name in sorted(lists, key=lambda g: -self.weight(g)):
            listed = item_rows[lists[name][0, item_rows].toarray().ravel() > 0]
            if len(listed):
                evidence.extend(self.generators[name].evidence(user_row, listed))
        return evidence

    def tune(
        self, user_rows: np.ndarray, targets: np.ndarray, *, rounds: int = 3, seed: int = 0
    ) -> FusionConfig:
        """Weights that maximise NDCG@10 of the fused list for (user, target) pairs; sets and
        returns the config.

        The tuned blend is kept only when it beats the best single generator on users it was not
        tuned on (two folds of the pairs: tune on one, compare on the other); otherwise the fusion
        becomes that generator alone (weight 1, the others 0). Weights tuned and judged on the same
        users always look better than they are, and on data where no blend helps they would make the
        fusion worse than its best member. `self.choice` says what was chosen and why.
        """
        full = self.__class__(
            self.generators, FusionConfig(size=self.config.size, depth=self.config.depth)
        )
        lists = full.candidate_lists(user_rows)
        targets = np.asarray(targets, np.int64)
        weights, best = tune_weights(lists, targets, rounds)
        self.choice = choose_blend(lists, targets, rounds, seed)
        if self.choice.single is not None:
            weights = {name: float(name == self.choice.single) for name in lists}
            best = self.choice.single_ndcg
        log.info(
            "fusion weights %s, validation NDCG@10 %.4f (%s)", weights, best, self.choice.describe()
        )
        self.config = FusionConfig(size=self.config.size, depth=self.config.depth, weights=weights)
        return self.config


def tune_weights(
    lists: Mapping[str, sp.csr_matrix], targets: np.ndarray, rounds: int = 3
) -> tuple[dict[str, float], float]:
    """Coordinate ascent over `WEIGHT_GRID` from equal weights: the weights and their NDCG@10 on
    `targets`."""
    weights = {name: 1.0 for name in lists}
    best = fused_ndcg(fuse_lists(lists, weights), targets)
    for _ in range(rounds):
        improved = False
        for name in lists:
            for value in WEIGHT_GRID:
                trial = {**weights, name: value}
                score = fused_ndcg(fuse_lists(lists, trial), targets)
                if score > best + 1e-6:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    return weights, best


@dataclass(frozen=True)
class BlendChoice:
    """The tuned blend against the best single generator on held-out folds of the validation users.

    `single` is the generator chosen alone, or None when the blend was kept; `held_out_gain` is the
    blend's mean NDCG@10 gain over `best_single` on users whose fold it was not tuned on,
    `held_out_stderr` the standard error of that mean."""

    best_single: str
    single_ndcg: float
    held_out_gain: float
    held_out_stderr: float
    single: str | None

    def describe(self) -> str:
        verdict = f"{self.single} alone" if self.single else "the blend"
        return (
            f"{verdict}: blend vs {self.best_single} on held-out folds {self.held_out_gain:+.4f}"
            f" ± {self.held_out_stderr:.4f}"
        )

    def to_dict(self) -> dict:
        return asdict(self)


def choose_blend(
    lists: Mapping[str, sp.csr_matrix], targets: np.ndarray, rounds: int = 3, seed: int = 0
) -> BlendChoice:
    """Keep the tuned blend only if a blend tuned on one half of the users beats the best single
    generator on the other half (both ways round), by more than the noise of those users' gains
    (`BLEND_MIN_Z` standard errors of their mean); else choose that generator alone."""
    singles = {
        name: user_ndcg(fuse_lists(lists, {n: float(n == name) for n in lists}), targets)
        for name in lists
    }
    best_single = max(singles, key=lambda name: singles[name].mean())
    folds = np.random.default_rng(seed).permutation(len(targets)) % 2
    gains = np.zeros(len(targets))
    if len(lists) > 1 and len(targets) >= 2:
        for fold in (0, 1):
            tune_on, judge_on = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
            fold_weights, _ = tune_weights(
                {n: m[tune_on] for n, m in lists.items()}, targets[tune_on], rounds
            )
            held_out = user_ndcg(
                fuse_lists({n: m[judge_on] for n, m in lists.items()}, fold_weights),
                targets[judge_on],
            )
            gains[judge_on] = held_out - singles[best_single][judge_on]
    gain = float(gains.mean()) if len(gains) else 0.0
    stderr = float(gains.std(ddof=1) / np.sqrt(len(gains))) if len(gains) > 1 else 0.0
    single = None if gain > 0 and gain > BLEND_MIN_Z * stderr else best_single
    return BlendChoice(best_single, float(singles[best_single].mean()), gain, stderr, single)


def fuse_lists(lists: Mapping[str, sp.csr_matrix], weights: Mapping[str, float]) -> sp.csr_matrix:
    """The weighted sum of normalised candidate lists (a missing weight is 1); empty when all weigh
    0."""
    fused = None
    for name, matrix in lists.items():
        weight = weights.get(name, 1.0)
        if weight:
            fused = weight * matrix if fused is None else fused + weight * matrix
    if fused is None:
        first = next(iter(lists.values()))
        return sp.csr_matrix(first.shape, dtype=np.float32)
    return fused.tocsr()


def normalised_matrix(recs: Recommendations, n_items: int) -> sp.csr_matrix:
    """Users x items: each row's listed scores min-max scaled to [0, 1] (a flat positive list scores
    1)."""
    if recs.items.size == 0:
        return sp.csr_matrix((len(recs.users), n_items), dtype=np.float32)
    valid = recs.items >= 0
    scores = np.where(valid, recs.scores, np.nan)
    high = np.nanmax(np.where(valid, scores, -np.inf), axis=1, keepdims=True)
    low = np.nanmin(np.where(valid, scores, np.inf), axis=1, keepdims=True)
    spread = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(spread > 0, (scores - low) / spread, (scores > 0).astype(np.float32))
    # the lowest listed item still counts a little, so it stays ahead of unlisted ones
    scaled = np.where(valid, 0.01 + 0.99 * np.nan_to_num(scaled), 0.0)
    scaled = np.where(valid & (np.nan_to_num(recs.scores) <= 0) & (spread <= 0), 0.0, scaled)
    rows = np.repeat(np.arange(len(recs.users)), recs.items.shape[1])
    keep = valid.ravel()
    matrix = sp.csr_matrix(
        (scaled.ravel()[keep].astype(np.float32), (rows[keep], recs.items.ravel()[keep])),
        shape=(len(recs.users), n_items),
    )
    matrix.eliminate_zeros()
    return matrix


def fused_ndcg(fused: sp.csr_matrix, targets: np.ndarray) -> float:
    """NDCG@10 of a fused users x items matrix without ranking every row (see `user_ndcg`)."""
    return float(user_ndcg(fused, targets).mean()) if fused.shape[0] else 0.0


def user_ndcg(fused: sp.csr_matrix, targets: np.ndarray) -> np.ndarray:
    """Each row's NDCG@10 without ranking it: the target's rank is the count of listed items scoring
    above it (ties count against it); a target nobody listed is a miss."""
    fused = fused.tocsr()
    target_scores = np.asarray(fused[np.arange(fused.shape[0]), targets]).ravel()
    row_of = np.repeat(np.arange(fused.shape[0]), np.diff(fused.indptr))
    above = (
        np.bincount(row_of, weights=fused.data >= target_scores[row_of], minlength=fused.shape[0])
        - 1
    )
    ranks = np.where(target_scores > 0, above, -1).astype(np.int64)
    found = (ranks >= 0) & (ranks < 10)
    return np.where(found, 1.0 / np.log2(np.maximum(ranks, 0) + 2.0), 0.0)
