"""The one contract every candidate generator keeps (after implicit's `RecommenderBase`).

A generator has a typed pydantic `config`, is fitted once (`fit(train) -> self`), and then
- `recommend(user_rows, n, exclude_seen=True, items=None)` returns the top-n item rows and scores
  for a batch of users (`items=` restricts scoring to a candidate set, which is what a rerank stage
  needs);
- `evidence(user_row, item_rows)` says, for a short list only, which liked history items, neighbours
  or followed users contributed most to each candidate: the raw material of explanations.

Subclasses implement `_fit` and `_scores` (a dense users x items block); ranking, seen-item
exclusion and candidate restriction are done here once for all of them.

Memory: each generator also implements `estimate(train)`, the bytes its full fit needs at its peak.
`fit` compares it with the memory budget (`MemoryConfig`, from `Settings.memory`) first. Over
budget, the generator fits its scalable form (`_fit_within`, with a warning saying which) or, when
it has none, raises `MemoryBudgetError` naming the setting to change, before allocating anything:
never the OOM killer. `form` says what was fitted ("full", or the scalable form), for logs and
evaluation reports.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict

from recassist.errors import MemoryBudgetError
from recassist.retrieval.interactions import Interactions
from recassist.settings import MemoryConfig

log = logging.getLogger(__name__)
MIB = 2**20
FEW_USERS = 8

# "requested" and "described" come from a conversation: an item the user named as an example, and
# the user's own description of what they want. The knowledge graph's kinds relate the item to a
# source item: its sequel or prequel, the same director or writer, shared cast; "co_liked": people
# who liked the source item also liked this one (a "like X" request).
EvidenceKind = Literal[
    "history_item",
    "neighbour_user",
    "followed_user",
    "popular",
    "well_liked",  # liked by most of those who watched it ("surprise me" for a new user)
    "similar_text",
    "requested",
    "described",
    "concept",
    "synopsis",  # a part of the item's synopsis near the request (`retrieval.synopses`)
    "like_outside",  # its synopsis is near TMDb's of a film the catalogue lacks (`retrieval.outside`)
    "sequel",
    "prequel",
    "same_director",
    "same_writer",
    "shared_cast",
    "co_liked",
    "profile_theme",  # a theme of the item's LLM profile the request names (assistant.evidence)
]


class NotFittedError(RuntimeError):
    """A generator was asked to recommend before `fit`; call `fit(train)` first."""


class GeneratorConfig(BaseModel):
    """Base of every generator's config: frozen, so a config's hash names one fitted model."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Evidence:
    """Why `item` (a candidate row) was proposed: `source` (an external id) contributed
    `contribution`; `count` is how many facts (cast members) or people (co_liked) the two share,
    where the kind counts."""

    item: int
    kind: EvidenceKind
    source: str
    contribution: float
    count: int = 0


@dataclass(frozen=True, eq=False)
class Recommendations:
    """Top-n per user: `items[u, j]` is the j-th best item row of `users[u]`, -1 past the end;
    scores are NaN there."""

    users: np.ndarray
    items: np.ndarray
    scores: np.ndarray


class Generator(ABC):
    """Fit on `Interactions`, recommend item rows for user rows."""

    name: ClassVar[str]
    config_type: ClassVar[type[GeneratorConfig]]
    # True for generators that read the order of a user's events: left out on data without a time
    # order.
    uses_order: ClassVar[bool] = False

    def __init__(
        self, config: GeneratorConfig | None = None, *, memory: MemoryConfig | None = None
    ) -> None:
        self.config = config if config is not None else self.config_type()
        if not isinstance(self.config, self.config_type):
            raise TypeError(
                f"{self.name} takes a {self.config_type.__name__}, not {type(self.config).__name__}"
            )
        self.memory = memory if memory is not None else MemoryConfig()
        self.form = "unfitted"
        self._train: Interactions | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    def products(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """`users @ items.T` for dense factor or vector rows.

        A few users make a matrix-vector product, for which waking BLAS threads costs more than it
        saves, and far more when the cores are busy (1 user x 100k items x 64 factors, under load: 9
        ms with two threads, 1 ms with one); so those run on one thread.
        """
        if len(users) > FEW_USERS:
            return users @ items.T
        if getattr(self, "_blas", None) is None:
            from threadpoolctl import ThreadpoolController

            self._blas = ThreadpoolController()
        with self._blas.limit(limits=1, user_api="blas"):
            return users @ items.T

    @property
    def train(self) -> Interactions:
        if self._train is None:
            raise NotFittedError(f"{self.name} is not fitted; call fit(train) first")
        return self._train

    def fresh(self) -> Generator:
        """An unfitted generator with the same config and memory budget (and any data given at
        construction)."""
        return type(self)(self.config, memory=self.memory)

    def fit(self, train: Interactions) -> Self:
        """Fit the full model when its estimate fits the memory budget, else the scalable form (or
        raise)."""
        need, budget = self.estimate(train), self.memory.budget_bytes
        self._train, self.form = train, "unfitted"
        try:
            if need <= budget:
                self._fit(train)
                self.form = "full"
            else:
                self.form = self._fit_within(train, budget)
                log.warning(
                    "%s: the full fit needs about %s MiB for %s items, over the memory budget of %s MiB; fitted %s",
                    self.name,
                    f"{need // MIB:,}",
                    f"{train.n_items:,}",
                    f"{budget // MIB:,}",
                    self.form,
                )
        finally:
            if self.form == "unfitted":  # the fit raised (e.g. MemoryBudgetError): stay unfitted
                self._train = None
        return self

    @abstractmethod
    def _fit(self, train: Interactions) -> None: ...

    @abstractmethod
    def estimate(self, train: Interactions) -> int:
        """Bytes the full fit allocates at its peak, beyond `train` itself (an upper estimate)."""

    # What to change when the full fit is over budget and there is no scalable form; generators
    # override.
    budget_hint: ClassVar[str] = ""

    def _fit_within(self, train: Interactions, budget: int) -> str:
        """Fit a form that stays within `budget` bytes and say what it is; by default there is none."""
        raise self.over_budget(self.estimate(train), budget)

    def over_budget(self, need: int, budget: int, hint: str | None = None) -> MemoryBudgetError:
        hint = self.budget_hint if hint is None else hint
        return MemoryBudgetError(
            f"{self.name} would need about {need // MIB:,} MiB to fit, over the memory budget of {budget // MIB:,} MiB; "
            f"raise memory.budget_mib (RECASSIST_MEMORY__BUDGET_MIB) if the machine has the room"
            + (f", or {hint}" if hint else "")
        )

    @abstractmethod
    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        """Dense float32 scores, users x (all items, or `items` in that order); higher is better."""

    def scores(
        self, user_rows: np.ndarray, *, exclude_seen: bool = True, items: np.ndarray | None = None
    ) -> np.ndarray:
        """Dense scores with seen items at -inf when `exclude_seen`."""
        train = self.train  # raises NotFittedError before any scoring
        user_rows = np.asarray(user_rows, np.int64)
        scores = np.array(self._scores(user_rows, items), dtype=np.float32, copy=True)
        if exclude_seen:
            seen = train.binary[user_rows]
            if items is not None:
                seen = seen[:, items]
            rows, cols = seen.nonzero()
            scores[rows, cols] = -np.inf
        return scores

    def recommend(
        self,
        user_rows: np.ndarray,
        n: int,
        *,
        exclude_seen: bool = True,
        items: np.ndarray | None = None,
    ) -> Recommendations:
        user_rows = np.asarray(user_rows, np.int64)
        items = None if items is None else np.asarray(items, np.int64)
        scores = self.scores(user_rows, exclude_seen=exclude_seen, items=items)
        top, top_scores = top_n(scores, n)
        if items is not None:
            top = np.where(top >= 0, items[np.maximum(top, 0)], -1)
        return Recommendations(user_rows, top, top_scores)

    @abstractmethod
    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        """What contributed to each of `item_rows` for `user_row`, strongest first per item."""


def matrix_bytes(train: Interactions) -> int:
    """The users x items CSR matrices a fit builds from `train` (strengths and binary: value, column
    index, row pointers)."""
    return 2 * (len(train) * 8 + (train.n_users + 1) * 8)


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the n highest finite scores (ties: lower column first) and those
    scores."""
    n_rows, n_cols = scores.shape
    k = min(n, n_cols)
    if k == 0:
        return np.full((n_rows, n), -1, np.int64), np.full((n_rows, n), np.nan, np.float32)
    part = (
        np.argpartition(-scores, k - 1, axis=1)[:, :k]
        if k < n_cols
        else np.tile(np.arange(n_cols), (n_rows, 1))
    )
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    top = np.take_along_axis(part, order, axis=1)
    top_scores = np.take_along_axis(part_scores, order, axis=1).astype(np.float32)
    invalid = ~np.isfinite(top_scores)
    top = np.where(invalid, -1, top)
    top_scores = np.where(invalid, np.nan, top_scores)
    if k < n:
        top = np.pad(top, ((0, 0), (0, n - k)), constant_values=-1)
        top_scores = np.pad(top_scores, ((0, 0), (0, n - k)), constant_values=np.nan)
    return top, top_scores


def history_evidence(
    train: Interactions,
    user_row: int,
    item_rows: np.ndarray,
    contributions: Callable[[np.ndarray, np.ndarray], np.ndarray],
    limit: int = 3,
) -> list[Evidence]:
    """The top `limit` liked history items per candidate; `contributions(history, items)` is a dense
    items x history matrix. Items the user did not like (a low rating, a view) may have moved the
    score, but evidence is what an explanation cites as "you liked", so only liked items are kept
    (`Interactions.liked`)."""
    history = train.liked_items(user_row)
    evidence: list[Evidence] = []
    item_rows = np.asarray(item_rows, np.int64)
    if len(history) == 0 or len(item_rows) == 0:
        return evidence
    contribution = np.asarray(contributions(history, item_rows), dtype=np.float32)
    history_ids = train.items.ids(history)
    for row, item in enumerate(item_rows):
        best = np.argsort(-contribution[row], kind="stable")[:limit]
        evidence.extend(
            Evidence(int(item), "history_item", str(history_ids[j]), float(contribution[row, j]))
            for j in best
            if contribution[row, j] > 0
        )
    return evidence
