"""Time-decayed popularity: cold start for users with no history, and the floor of every comparison."""

from __future__ import annotations

import numpy as np
from pydantic import PositiveFloat

from recassist.retrieval.generators.base import Evidence, Generator, GeneratorConfig
from recassist.retrieval.interactions import Interactions

SECONDS_PER_DAY = 86_400.0


class PopularityConfig(GeneratorConfig):
    """Each event counts `strength * 0.5 ** (age / half_life)`, age measured from the newest event."""

    half_life_days: PositiveFloat | None = 365.0  # None: no decay
    use_strength: bool = False  # False: every event counts 1 (a 1-star rating is still attention)


class Popularity(Generator):
    name = "popularity"
    config_type = PopularityConfig
    config: PopularityConfig

    def estimate(self, train: Interactions) -> int:
        # float64 per event: ones or strengths, ages, their decay, the product (and numpy's
        # temporaries)
        return 5 * 8 * len(train) + 12 * train.n_items

    def _fit(self, train: Interactions) -> None:
        weights = (
            train.strengths.astype(np.float64) if self.config.use_strength else np.ones(len(train))
        )
        if self.config.half_life_days is not None and len(train):
            age_days = (train.timestamps.max() - train.timestamps) / SECONDS_PER_DAY
            weights = weights * np.exp2(-age_days / self.config.half_life_days)
        popularity = np.bincount(train.item_rows, weights=weights, minlength=train.n_items)
        self.popularity = (popularity / max(popularity.max(initial=0.0), 1e-12)).astype(np.float32)

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        row = self.popularity if items is None else self.popularity[items]
        return np.broadcast_to(row, (len(user_rows), len(row)))

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        ids = self.train.items.ids(item_rows)
        return [
            Evidence(int(i), "popular", str(ids[n]), float(self.popularity[i]))
            for n, i in enumerate(item_rows)
        ]
