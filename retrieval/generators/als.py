"""ALS for implicit feedback (Hu, Koren & Volinsky 2008) through the `implicit` library, on CPU.

Strength becomes confidence `1 + alpha * strength`; `implicit` also explains a score as a sum of
contributions of the user's history items, which is this generator's evidence.
"""

from __future__ import annotations

import numpy as np
from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt

from retrieval.generators.base import Evidence, Generator, GeneratorConfig
from retrieval.interactions import Interactions


class ALSConfig(GeneratorConfig):
    factors: PositiveInt = 64
    regularization: NonNegativeFloat = 0.05
    alpha: PositiveFloat = 2.0
    iterations: PositiveInt = 15
    binary: bool = True
    seed: int = 0


class ALS(Generator):
    name = "als"
    config_type = ALSConfig
    config: ALSConfig

    def _fit(self, train: Interactions) -> None:
        from implicit.cpu.als import AlternatingLeastSquares  # heavy import, only when fitting

        matrix = (train.binary if self.config.binary else train.matrix).astype(np.float32)
        self.model = AlternatingLeastSquares(
            factors=self.config.factors,
            regularization=self.config.regularization,
            alpha=self.config.alpha,
            iterations=self.config.iterations,
            random_state=self.config.seed,
            calculate_training_loss=False,
        )
        self.model.fit(matrix, show_progress=False)
        self._input = matrix.tocsr()

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        item_factors = self.model.item_factors if items is None else self.model.item_factors[items]
        return self.model.user_factors[user_rows] @ item_factors.T

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        evidence: list[Evidence] = []
        user_items = self._input[user_row]
        if user_items.nnz == 0:
            return evidence
        ids = self.train.items
        cache = None
        for item in np.asarray(item_rows, np.int64):
            _, contributions, cache = self.model.explain(
                0, user_items, int(item), user_weights=cache, N=3
            )
            evidence.extend(
                Evidence(int(item), "history_item", str(ids.id(source)), float(value))
                for source, value in contributions
                if value > 0
            )
        return evidence
