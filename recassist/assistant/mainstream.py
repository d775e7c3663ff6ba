"""The chat's calibration / less mainstream stage: the ranked picks -> the picks in a calibrated
order.

Between ranking and the LLM rerank. It runs when the user asked for something less mainstream
("surprise me": `Constraints.less_mainstream`, a popularity penalty) or when
`agent.calibration.weight` is above 0 (Steck's calibration to the genre mix of what the user liked
and watched). Both are `retrieval.calibration.greedy_rerank` over a pool of `agent.calibration.pool`
ranked picks. Item popularity is the share of the data set's users who interacted with each item,
counted on first use.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from recassist.assistant.ranking import Pick
from recassist.retrieval.calibration import genre_matrix, genre_mix, greedy_rerank, popularity_scale
from recassist.retrieval.catalogue import Catalogue, Constraints, Item
from recassist.settings import CalibrationConfig


class MainstreamStage:
    """Reorders picks for calibration and, when asked, away from the most popular items."""

    def __init__(self, catalogue: Catalogue, config: CalibrationConfig) -> None:
        self.catalogue, self.config = catalogue, config
        self._rows: dict[str, int] | None = None

    def active(self, constraints: Constraints) -> bool:
        return constraints.less_mainstream or self.config.weight > 0

    def pool(self, keep: int, constraints: Constraints) -> int:
        """How many ranked picks to choose `keep` from."""
        return max(keep, self.config.pool) if self.active(constraints) else keep

    def _tables(self) -> None:
        """Item rows, genre shares, each item's share of users and its popularity scale, once."""
        ids = list(self.catalogue.items)
        self._rows = {item_id: row for row, item_id in enumerate(ids)}
        self._genres, _ = genre_matrix([self.catalogue.items[i].tags for i in ids])
        frame = self.catalogue.dataset.interactions
        users = frame.drop_duplicates(["user_id", "item_id"])["item_id"].value_counts()
        counts = users.reindex(ids).fillna(0).to_numpy(np.float64)
        self.share = counts / max(frame["user_id"].nunique(), 1)
        self._scale = popularity_scale(counts)

    def popularity(self, picks: Iterable[Pick]) -> float:
        """The mean share of users who interacted with the picks' items (0 for none)."""
        if self._rows is None:
            self._tables()
        shares = [self.share[self._rows[p.item.item_id]] for p in picks]
        return float(np.mean(shares)) if shares else 0.0

    def _in_pool(self, rows: np.ndarray) -> np.ndarray:
        """Popularity min-max scaled over the pool's items, as their relevance is: the global
        scale is a log, nearly flat among the best-known films a list is made of, so "surprise
        me" moved no pick of "comedies"."""
        scale = self._scale.copy()
        pool = scale[rows]
        spread = pool.max() - pool.min()
        scale[rows] = (pool - pool.min()) / spread if spread > 0 else 0.0
        return scale

    def __call__(
        self, picks: list[Pick], history: Iterable[Item], keep: int, constraints: Constraints
    ) -> list[Pick]:
        """The `keep` picks the greedy rerank chooses from `picks` (in ranked order), in its
        order."""
        if not self.active(constraints) or len(picks) <= 1:
            return picks[:keep]
        if self._rows is None:
            self._tables()
        rows = np.array([self._rows[p.item.item_id] for p in picks])
        liked = np.array(
            [self._rows[i.item_id] for i in history if i.item_id in self._rows], np.int64
        )
        chosen = greedy_rerank(
            rows,
            np.array([p.score for p in picks]),
            genre_mix(liked, self._genres),
            self._genres,
            keep,
            weight=self.config.weight,
            popularity=self._in_pool(rows) if constraints.less_mainstream else self._scale,
            popularity_penalty=self.config.popularity_penalty
            if constraints.less_mainstream
            else 0.0,
            order=self.config.order,
        )
        by_row = {row: pick for row, pick in zip(rows.tolist(), picks)}
        return [by_row[row] for row in chosen.tolist()]
