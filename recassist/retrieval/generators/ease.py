"""EASE (Steck 2019): a closed-form item-item linear model, B = I - P / diag(P) with P = (X'X +
lambda I)^-1.

Fitted directly, no gradient loop. Memory is about 16 bytes per item pair at the peak (the float64
Gram matrix and its inverse; ML-1M's 3,883 items: 240 MB) and time grows with items^3, so the full
model suits catalogues up to some tens of thousands of items. Over the memory budget, EASE fits its
scalable form: the same model on the most popular items that fit the budget (as many as `sqrt(budget
/ 16)`); the other items get no EASE score (-inf), and the fusion's other generators cover them.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
from pydantic import PositiveFloat

from recassist.retrieval.generators.base import (
    Evidence,
    Generator,
    GeneratorConfig,
    history_evidence,
    matrix_bytes,
)
from recassist.retrieval.interactions import Interactions

BYTES_PER_PAIR = (
    16  # float64 Gram matrix + its float64 inverse, alive together during the inversion
)
MIN_ITEMS = 100  # below this a restricted EASE is not worth fitting


class EASEConfig(GeneratorConfig):
    regularization: PositiveFloat = 500.0
    binary: bool = True  # fit on touched/not touched rather than strengths


class EASE(Generator):
    name = "ease"
    config_type = EASEConfig
    config: EASEConfig
    budget_hint = f"leave EASE out: fewer than {MIN_ITEMS} items fit the budget"

    def estimate(self, train: Interactions) -> int:
        return BYTES_PER_PAIR * train.n_items**2 + matrix_bytes(train)

    def _fit(self, train: Interactions) -> None:
        self._solve(train, None)

    def _fit_within(self, train: Interactions, budget: int) -> str:
        room = budget - matrix_bytes(train)
        n_kept = min(train.n_items, math.isqrt(max(room, 0) // BYTES_PER_PAIR))
        if n_kept < MIN_ITEMS:
            raise self.over_budget(self.estimate(train), budget)
        counts = np.bincount(train.item_rows, minlength=train.n_items)
        kept = np.sort(np.argsort(-counts, kind="stable")[:n_kept])
        self._solve(train, kept)
        return f"EASE on the {n_kept:,} most popular of {train.n_items:,} items"

    def _solve(self, train: Interactions, kept: np.ndarray | None) -> None:
        """Fit on all items (`kept` None) or on the item rows in `kept` only."""
        matrix = train.binary if self.config.binary else train.matrix
        restricted = matrix if kept is None else matrix[:, kept]
        gram = (restricted.T @ restricted).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.config.regularization
        precision = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        del gram  # the peak is the Gram matrix and its inverse together; from here on only one n x n float64
        precision /= -np.diag(precision)
        precision[np.diag_indices_from(precision)] = 0.0
        self.weights = np.ascontiguousarray(
            precision, dtype=np.float32
        )  # inv() returns Fortran order
        del precision
        self.kept = kept
        self._position = None
        if kept is not None:
            self._position = np.full(train.n_items, -1, np.int64)
            self._position[kept] = np.arange(len(kept))
        self._input = matrix
        self._restricted = restricted.tocsr()

    def positions(self, item_rows: np.ndarray) -> np.ndarray:
        """Rows of `weights` for item rows; -1 for an item outside a restricted model."""
        item_rows = np.asarray(item_rows, np.int64)
        return item_rows if self._position is None else self._position[item_rows]

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        inputs = self._restricted[user_rows]
        if self.kept is None:
            weights = self.weights if items is None else self.weights[:, items]
            return np.asarray(inputs @ weights)
        if items is None:  # every kept column, without copying the weights
            scores = np.full((len(user_rows), self.train.n_items), -np.inf, np.float32)
            scores[:, self.kept] = np.asarray(inputs @ self.weights)
            return scores
        where = self.positions(items)
        scores = np.full((len(user_rows), len(where)), -np.inf, np.float32)
        known = where >= 0
        scores[:, known] = np.asarray(inputs @ self.weights[:, where[known]])
        return scores

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        row = self._input[user_row]
        strength = dict(zip(row.indices, row.data))

        def contributions(history: np.ndarray, items: np.ndarray) -> np.ndarray:
            values = np.array([strength[h] for h in history], np.float32)
            from_rows, to_rows = self.positions(history), self.positions(items)
            out = np.zeros((len(items), len(history)), np.float32)
            have_from, have_to = from_rows >= 0, to_rows >= 0
            block = (
                self.weights[np.ix_(from_rows[have_from], to_rows[have_to])]
                * values[have_from, None]
            )
            out[np.ix_(have_to, have_from)] = block.T
            return out

        return history_evidence(self.train, user_row, item_rows, contributions)
