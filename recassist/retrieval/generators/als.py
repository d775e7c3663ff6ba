"""ALS for implicit feedback (Hu, Koren & Volinsky 2008) through the `implicit` library, on CPU.

Strength (or 1 when `binary`) is scaled by `alpha` into confidence. BLAS is held to one thread while
fitting, as `implicit` asks, so its own threads do not fight OpenBLAS's.
"""

from __future__ import annotations

import numpy as np
from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt

from recassist.retrieval.generators.base import (
    Evidence,
    Generator,
    GeneratorConfig,
    history_evidence,
    matrix_bytes,
)
from recassist.retrieval.interactions import Interactions


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

    budget_hint = "lower als factors"

    def estimate(self, train: Interactions) -> int:
        # user and item factors (float32) and their solver copies, the float32 matrix and its
        # transpose
        factors = (train.n_users + train.n_items) * self.config.factors * 4 * 3
        return factors + 2 * matrix_bytes(train)

    def _fit(self, train: Interactions) -> None:
        from implicit.cpu.als import AlternatingLeastSquares  # heavy import, only when fitting
        from threadpoolctl import threadpool_limits

        matrix = (train.binary if self.config.binary else train.matrix).astype(np.float32)
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.config.factors,
                regularization=self.config.regularization,
                alpha=self.config.alpha,
                iterations=self.config.iterations,
                random_state=self.config.seed,
                calculate_training_loss=False,
            )
            model.fit(matrix, show_progress=False)
        # the factors are the fitted state (arrays, so the model store keeps them without pickle)
        self.user_factors, self.item_factors = (
            np.asarray(model.user_factors),
            np.asarray(model.item_factors),
        )
        self._input = matrix.tocsr()

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        item_factors = self.item_factors if items is None else self.item_factors[items]
        return self.products(self.user_factors[user_rows], item_factors)

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        """History items whose factors point most the candidate's way (strength x dot product of
        item factors).

        An approximation of how ALS arrived at the score, kept simple on purpose: `implicit`'s exact
        `explain` re-solves the user from the final item factors and can disagree in sign with the
        score.
        """
        row = self._input[user_row]
        strength = dict(zip(row.indices, row.data))
        factors = self.item_factors

        def contributions(history: np.ndarray, items: np.ndarray) -> np.ndarray:
            values = np.array([strength[h] for h in history], np.float32)
            return (factors[items] @ factors[history].T) * values[None, :]

        return history_evidence(self.train, user_row, item_rows, contributions)
