"""ItemKNN: cosine similarity between item columns of the user-item matrix, each item keeping its k nearest.

A user's score for item i is the sum of similarities between i and the items in their history, so the
evidence for a candidate is exactly those history items. The similarity matrix is kept dense (items^2
floats, like EASE).
"""

from __future__ import annotations

import numpy as np
from pydantic import NonNegativeFloat, PositiveInt

from retrieval.generators.base import Evidence, Generator, GeneratorConfig, history_evidence
from retrieval.interactions import Interactions


class ItemKNNConfig(GeneratorConfig):
    neighbours: PositiveInt = 100
    shrinkage: NonNegativeFloat = 0.0  # damps similarities of rarely co-touched items
    binary: bool = True


class ItemKNN(Generator):
    name = "itemknn"
    config_type = ItemKNNConfig
    config: ItemKNNConfig

    def _fit(self, train: Interactions) -> None:
        matrix = (train.binary if self.config.binary else train.matrix).tocsc()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        gram = (matrix.T @ matrix).toarray()
        similarity = gram / (np.outer(norms, norms) + self.config.shrinkage + 1e-12)
        np.fill_diagonal(similarity, 0.0)
        # keep, for each target item (column), its k most similar source items
        k = min(self.config.neighbours, similarity.shape[0])
        if k < similarity.shape[0]:
            cutoff = -np.partition(-similarity, k - 1, axis=0)[k - 1]
            similarity[similarity < cutoff[None, :]] = 0.0
        self.similarity = np.ascontiguousarray(similarity, dtype=np.float32)  # dense: sparse @ dense is fastest
        self._input = matrix.tocsr()

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        similarity = self.similarity if items is None else self.similarity[:, items]
        return np.asarray(self._input[user_rows] @ similarity)

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        row = self._input[user_row]
        strength = dict(zip(row.indices, row.data))

        def contributions(history: np.ndarray, items: np.ndarray) -> np.ndarray:
            values = np.array([strength[h] for h in history], np.float32)
            return (self.similarity[np.ix_(history, items)] * values[:, None]).T

        return history_evidence(self.train, user_row, item_rows, contributions)
