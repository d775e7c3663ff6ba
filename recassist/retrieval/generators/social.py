"""Social: items recently liked by the users someone follows or trusts (FilmTrust has a real trust
graph).

A user's score for an item is the sum, over the users they follow, of that user's strength for the
item decayed by age; users who follow nobody get no scores (the fusion's other generators cover
them). The evidence cites only followed users who liked the item (`Interactions.liked`): an
explanation says they enjoyed it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveFloat

from recassist.retrieval.generators.base import Evidence, Generator, GeneratorConfig
from recassist.retrieval.interactions import Interactions

SECONDS_PER_DAY = 86_400.0


class SocialConfig(GeneratorConfig):
    half_life_days: PositiveFloat | None = 180.0  # None: no decay
    min_strength: NonNegativeFloat = 0.0  # only events at least this strong count as "liked"


class Social(Generator):
    name = "social"
    config_type = SocialConfig
    config: SocialConfig

    def estimate(self, train: Interactions) -> int:
        # float64 weights and ages, the liked matrix in float64 and float32, the follows matrix
        follows = 0 if train.social is None else train.social.nnz * 12
        return len(train) * (8 + 8 + 12 + 8 + 12) + 2 * follows

    def _fit(self, train: Interactions) -> None:
        weights = np.where(
            train.strengths >= self.config.min_strength, train.strengths, 0.0
        ).astype(np.float64)
        if self.config.half_life_days is not None and len(train):
            age_days = (train.timestamps.max() - train.timestamps) / SECONDS_PER_DAY
            weights *= np.exp2(-age_days / self.config.half_life_days)
        liked = sp.csr_matrix(
            (weights, (train.user_rows, train.item_rows)), shape=(train.n_users, train.n_items)
        )
        liked.sum_duplicates()
        liked.eliminate_zeros()
        self.liked = liked.astype(np.float32)
        # who may be cited as having enjoyed an item: a low rating moves the score but is no
        # endorsement
        endorsed = np.ones(len(train), bool) if train.liked is None else train.liked
        self.endorsed = sp.csr_matrix(
            (endorsed.astype(np.float32), (train.user_rows, train.item_rows)),
            shape=(train.n_users, train.n_items),
        )
        self.endorsed.sum_duplicates()
        self.endorsed.eliminate_zeros()
        follows = (
            train.social
            if train.social is not None
            else sp.csr_matrix((train.n_users, train.n_users))
        )
        self.follows = follows.astype(np.float32).tocsr()

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        liked = self.liked if items is None else self.liked[:, items]
        return (self.follows[user_rows] @ liked).toarray()

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        followed = self.follows[user_row].indices
        if len(followed) == 0:
            return []
        columns = np.asarray(item_rows, np.int64)
        block = self.liked[followed][:, columns].toarray() * (
            self.endorsed[followed][:, columns].toarray() > 0
        )
        ids = self.train.users.ids(followed)
        evidence: list[Evidence] = []
        for column, item in enumerate(np.asarray(item_rows, np.int64)):
            for j in np.argsort(-block[:, column], kind="stable")[:3]:
                if block[j, column] > 0:
                    evidence.append(
                        Evidence(int(item), "followed_user", str(ids[j]), float(block[j, column]))
                    )
        return evidence
