"""The candidate lists of one turn as the candidate stage gathers them (`Gathered`), and what they
come to once fused (`Found`, a value): each list a row of scores over the serving items, in the
fusion's form, with its weight and its own evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recassist.grounding.evidence import Reason
from recassist.retrieval.concept_values import ConceptMatch
from recassist.retrieval.fusion import normalised_matrix
from recassist.retrieval.generators.base import Recommendations
from recassist.retrieval.serving import ServingModel


@dataclass(frozen=True)
class Found:
    """What the candidate stage found for one turn (a value): fused scores by item id, the lists
    behind them (one row each, over the serving items), each list's own evidence by list name, an
    item's own evidence ("like X"), and whether the vector store did not answer (only the serving
    model's lists were used)."""

    scores: Mapping[str, float] = field(default_factory=dict)
    reasons: Mapping[str, list[Reason]] = field(default_factory=dict)
    lists: Mapping[str, sp.csr_matrix] = field(default_factory=dict)
    user_row: int | None = None
    item_reasons: Mapping[str, list[Reason]] = field(default_factory=dict)
    store_down: bool = False
    concepts: tuple[ConceptMatch, ...] = ()  # what the words named (`concept` evidence)
    synopses: bool = False  # whether films were found by how near their synopsis is to the words


@dataclass
class Gathered:
    """The candidate lists as the stage gathers them, before they are fused into a `Found`."""

    lists: dict[str, sp.csr_matrix] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[Reason]] = field(default_factory=dict)
    item_reasons: dict[str, list[Reason]] = field(default_factory=dict)
    user_row: int | None = None
    store_down: bool = False
    concepts: tuple[ConceptMatch, ...] = ()
    synopses: bool = False

    def add(
        self,
        serving: ServingModel,
        name: str,
        weight: float,
        scores: dict[str, float],
        reasons: list[Reason],
    ) -> None:
        """One list of item id -> score, in the fusion's form (a row over the serving items)."""
        rows = serving.data.items.rows(scores, missing=-1)
        values = np.fromiter(scores.values(), np.float32, len(scores))
        keep = rows >= 0
        recs = Recommendations(np.array([0]), rows[keep][None, :], values[keep][None, :])
        self.lists[name] = normalised_matrix(recs, len(serving.data.items))
        self.weights[name], self.reasons[name] = weight, reasons

    def fused(self, serving: ServingModel) -> Found:
        """The gathered lists combined by the serving model's fusion."""
        scores: dict[str, float] = {}
        if self.lists:
            fused = serving.fusion.fuse(self.lists, self.weights).tocsr()
            ids = serving.data.items.ids(fused.indices)
            scores = {str(i): float(s) for i, s in zip(ids, fused.data) if s > 0}
        return Found(
            scores,
            self.reasons,
            self.lists,
            self.user_row,
            self.item_reasons,
            self.store_down,
            self.concepts,
            self.synopses,
        )
