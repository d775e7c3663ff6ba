"""Training data as the generators see it, and the splits of the evaluation protocol.

`Interactions` is built once from a `Dataset`: ids become rows (items = the whole catalogue, so
items nobody touched can still be recommended), events become strengths (`settings.events[event] *
weight`), and each user's events are put in time order with ties kept in the imported file's row
order (a stable sort: about 40 % of MovieLens users rate their last two items in the same second, so
the rule changes the split; `with_random_ties` breaks them at random instead, to measure how much).
It is immutable; a split makes new objects that share the vocabularies.

`liked` marks the events that say the user liked the item (`liked_events`): a like, share or
purchase, or a rating at or above `LIKED_SHARE_OF_TOP` of the data set's highest rating (4 of 5
stars). Views, clicks, comments and low ratings still count as signal for the generators, but only
liked events may be cited to the user as "you liked". Arrays built without event kinds
(`from_arrays` without `liked`) count every event as a like.

`time_ordered` says whether that order means anything (`retrieval.data.timeorder`): without a time
order the split holds out random items (`Split.for_data`), and the order-based generators are left
out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.data.store import Dataset
from recassist.errors import ConfigError
from recassist.retrieval.vocabulary import Vocabulary

MIN_EVALUATED_EVENTS = 3
LIKE_EVENTS = (
    "like",
    "share",
    "purchase",
)  # events that say the user liked the item, whatever their weight
LIKED_SHARE_OF_TOP = (
    0.8  # a rating at or above this share of the data set's highest rating is a like
)


def liked_events(frame: pd.DataFrame) -> np.ndarray:
    """Per interaction row, whether it says the user liked the item (see the module docstring)."""
    events = frame["event"].to_numpy()
    liked = np.isin(events, LIKE_EVENTS)
    rated = events == "rating"
    if rated.any() and "weight" in frame:
        stars = frame["weight"].to_numpy(np.float64)
        top = np.nanmax(np.where(rated, stars, np.nan))
        liked |= rated & (stars >= LIKED_SHARE_OF_TOP * top)
    return liked


@dataclass(frozen=True, eq=False)
class Interactions:
    """Events sorted by (user row, time, file order). Row arrays are int64; `indptr` delimits each
    user."""

    users: Vocabulary
    items: Vocabulary
    user_rows: np.ndarray
    item_rows: np.ndarray
    timestamps: np.ndarray
    strengths: np.ndarray
    social: sp.csr_matrix | None = None  # users x users: row follows/trusts column
    time_ordered: bool = (
        True  # False: the timestamps do not order each user's events (file order only)
    )
    liked: np.ndarray | None = (
        None  # per event, whether it says the user liked the item; None: every event does
    )

    @classmethod
    def from_dataset(cls, dataset: Dataset, events: Mapping[str, float]) -> Interactions:
        frame = dataset.interactions
        unknown_events = sorted(set(frame["event"].unique()) - set(events))
        if unknown_events:
            raise ConfigError(
                f"events {unknown_events} of data set '{dataset.name}' have no weight; add them to settings.events"
            )
        users = Vocabulary(
            pd.concat([frame["user_id"], dataset.users.get("user_id", pd.Series(dtype=object))])
        )
        items = Vocabulary(pd.concat([dataset.items["item_id"], frame["item_id"]]))
        weight = (
            frame["weight"].to_numpy(np.float32)
            if "weight" in frame
            else np.ones(len(frame), np.float32)
        )
        strength = frame["event"].map(dict(events)).to_numpy(np.float32) * np.nan_to_num(
            weight, nan=1.0
        )
        social = _social_matrix(dataset.social, users)
        return cls.from_arrays(
            users,
            items,
            users.rows(frame["user_id"]),
            items.rows(frame["item_id"]),
            frame["timestamp"].to_numpy(np.int64),
            strength,
            social,
            time_ordered=dataset.time_order.has_order,
            liked=liked_events(frame),
        )

    @classmethod
    def from_arrays(
        cls,
        users: Vocabulary,
        items: Vocabulary,
        user_rows: np.ndarray,
        item_rows: np.ndarray,
        timestamps: np.ndarray,
        strengths: np.ndarray,
        social: sp.csr_matrix | None = None,
        *,
        time_ordered: bool = True,
        ties: np.ndarray | None = None,
        liked: np.ndarray | None = None,
    ) -> Interactions:
        """Sort events by user, then time, ties by `ties` (default: the given order, a stable sort)."""
        ties = np.arange(len(user_rows)) if ties is None else ties
        order = np.lexsort((ties, timestamps, user_rows))
        return cls(
            users,
            items,
            np.asarray(user_rows, np.int64)[order],
            np.asarray(item_rows, np.int64)[order],
            np.asarray(timestamps, np.int64)[order],
            np.asarray(strengths, np.float32)[order],
            social,
            time_ordered,
            None if liked is None else np.asarray(liked, bool)[order],
        )

    def with_random_ties(self, seed: int) -> Interactions:
        """The same events with same-second ties in a random order (seeded) instead of file order."""
        ties = np.random.default_rng(seed).permutation(len(self))
        return self.from_arrays(
            self.users,
            self.items,
            self.user_rows,
            self.item_rows,
            self.timestamps,
            self.strengths,
            self.social,
            time_ordered=self.time_ordered,
            ties=ties,
            liked=self.liked,
        )

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def __len__(self) -> int:
        return len(self.user_rows)

    @cached_property
    def indptr(self) -> np.ndarray:
        """Events of user u are `[indptr[u], indptr[u + 1])` in the sorted arrays."""
        return np.concatenate([[0], np.cumsum(np.bincount(self.user_rows, minlength=self.n_users))])

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """Users x items, summed strengths (float32)."""
        matrix = sp.csr_matrix(
            (self.strengths, (self.user_rows, self.item_rows)),
            shape=(self.n_users, self.n_items),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix

    @cached_property
    def binary(self) -> sp.csr_matrix:
        """Users x items, 1 where the user touched the item."""
        matrix = self.matrix.copy()
        matrix.data[:] = 1.0
        return matrix

    def sequence(self, user_row: int) -> np.ndarray:
        """The user's item rows, oldest first."""
        return self.item_rows[self.indptr[user_row] : self.indptr[user_row + 1]]

    def liked_items(self, user_row: int) -> np.ndarray:
        """The item rows the user liked (sorted, unique): the only history an explanation may call
        liked."""
        span = slice(self.indptr[user_row], self.indptr[user_row + 1])
        items = self.item_rows[span]
        return np.unique(items if self.liked is None else items[self.liked[span]])

    def select(self, mask: np.ndarray) -> Interactions:
        """The events where `mask` is true, same vocabularies (order is kept, so no re-sort is
        needed)."""
        return Interactions(
            self.users,
            self.items,
            self.user_rows[mask],
            self.item_rows[mask],
            self.timestamps[mask],
            self.strengths[mask],
            self.social,
            self.time_ordered,
            None if self.liked is None else self.liked[mask],
        )


def _social_matrix(social: pd.DataFrame, users: Vocabulary) -> sp.csr_matrix | None:
    if social is None or social.empty:
        return None
    src = users.rows(social["src_user_id"], missing=-1)
    dst = users.rows(social["dst_user_id"], missing=-1)
    keep = (src >= 0) & (dst >= 0)
    n = len(users)
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (src[keep], dst[keep])), shape=(n, n)
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


@dataclass(frozen=True, eq=False)
class Targets:
    """One held-out item per evaluated user."""

    users: np.ndarray
    items: np.ndarray


Holdout = Literal["last", "random"]


@dataclass(frozen=True, eq=False)
class Split:
    """One test and one validation item per user, the rest = train. Users with fewer than three
    events stay whole in `train` and are not evaluated.

    `holdout` "last": the last event is test and the second-to-last validation (leave-last-out, for
    data in time order). "random": two distinct events drawn at random per user with a fixed seed
    (data without a time order, where "last" would only be the last row of the file).
    """

    train: Interactions
    validation: Targets
    test: Targets
    train_validation: Interactions
    holdout: Holdout = "last"

    @classmethod
    def for_data(cls, data: Interactions, seed: int = 0) -> Split:
        """Leave-last-out when the data is in time order, else a random holdout with `seed`."""
        return cls.leave_last_out(data) if data.time_ordered else cls.random_holdout(data, seed)

    @classmethod
    def leave_last_out(cls, data: Interactions) -> Split:
        evaluated = np.flatnonzero(np.diff(data.indptr) >= MIN_EVALUATED_EVENTS)
        test_at = data.indptr[evaluated + 1] - 1
        return cls._held_out(data, evaluated, test_at, test_at - 1, "last")

    @classmethod
    def random_holdout(cls, data: Interactions, seed: int = 0) -> Split:
        counts = np.diff(data.indptr)
        evaluated = np.flatnonzero(counts >= MIN_EVALUATED_EVENTS)
        n = counts[evaluated]
        rng = np.random.default_rng(seed)
        test_offset = rng.integers(0, n)
        # a second, different position: uniform over the other n - 1
        validation_offset = (test_offset + 1 + rng.integers(0, n - 1)) % n
        start = data.indptr[evaluated]
        return cls._held_out(
            data, evaluated, start + test_offset, start + validation_offset, "random"
        )

    @classmethod
    def _held_out(
        cls,
        data: Interactions,
        evaluated: np.ndarray,
        test_at: np.ndarray,
        validation_at: np.ndarray,
        holdout: Holdout,
    ) -> Split:
        keep_train = np.ones(len(data), bool)
        keep_train[test_at] = False
        keep_train_validation = keep_train.copy()
        keep_train[validation_at] = False
        return cls(
            train=data.select(keep_train),
            validation=Targets(evaluated, data.item_rows[validation_at]),
            test=Targets(evaluated, data.item_rows[test_at]),
            train_validation=data.select(keep_train_validation),
            holdout=holdout,
        )
