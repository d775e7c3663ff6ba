"""Whether a data set's interactions carry a time order, measured once at import and kept in the
manifest.

The evaluation protocol holds out each user's last item, and the transition and SASRec generators
and popularity's recency decay read the order of a user's events. All of that is only meaningful
when the timestamps order the events. Many exports carry no time at all (every timestamp equal, or
no timestamp column), and then "last" would mean "last in the file", which in a database export is
often the highest item id: a pattern the generators would learn instead of the users.

The rule: a data set has a time order when at least half of its users with two or more events have
their last two events at different times (`MIN_UNTIED_LAST_TWO`), the pair that decides which item
the protocol holds out. With a time order, ties are broken by file order (partial order, e.g.
MovieLens, where many users rate several films in the same second); without one, nothing uses order
and the held-out items are drawn at random.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

MIN_UNTIED_LAST_TWO = 0.5

Order = Literal["total", "partial", "none"]


@dataclass(frozen=True)
class TimeOrder:
    """What the timestamps say about the order of each user's events.

    Shares are over the `users` with two or more events: `distinct_share` have no two events at the
    same time, `ordered_share` have at least two different times, `untied_last_two_share` have their
    last two events at different times. `all_equal`: every event has the same timestamp; `missing`:
    the imported file had no timestamp column.
    """

    users: int
    distinct_share: float
    ordered_share: float
    untied_last_two_share: float
    all_equal: bool
    missing: bool = False

    @property
    def order(self) -> Order:
        if self.missing or self.all_equal or self.untied_last_two_share < MIN_UNTIED_LAST_TWO:
            return "none"
        return "total" if self.distinct_share == 1.0 else "partial"

    @property
    def has_order(self) -> bool:
        return self.order != "none"

    def to_dict(self) -> dict:
        return {"order": self.order, **asdict(self)}

    @classmethod
    def from_dict(cls, record: dict) -> TimeOrder:
        return cls(**{key: record[key] for key in cls.__dataclass_fields__ if key in record})

    def describe(self) -> str:
        """One line for people, e.g. `data list`."""
        if self.missing:
            return "no time order (no timestamps)"
        if self.all_equal:
            return "no time order (all timestamps equal)"
        shares = (
            f"{self.distinct_share:.0%} of users with distinct timestamps, "
            f"{1 - self.untied_last_two_share:.0%} with their last two tied"
        )
        if self.order == "none":
            return f"no time order ({shares})"
        return f"{self.order} time order ({shares}; ties in file order)"


def measure(interactions: pd.DataFrame, *, missing: bool = False) -> TimeOrder:
    """The time order of `interactions` (user_id, timestamp), rows in file order."""
    stamps = interactions["timestamp"].to_numpy(np.int64)
    users = pd.factorize(interactions["user_id"])[0]
    order = np.lexsort((np.arange(len(users)), stamps, users))
    users, stamps = users[order], stamps[order]
    counts = np.bincount(users) if len(users) else np.zeros(0, np.int64)
    several = counts >= 2
    n = int(several.sum())
    if n == 0:
        return TimeOrder(
            0, 0.0, 0.0, 0.0, all_equal=bool(len(np.unique(stamps)) <= 1), missing=missing
        )
    same_user = users[1:] == users[:-1]
    tie = same_user & (stamps[1:] == stamps[:-1])
    step = same_user & (stamps[1:] != stamps[:-1])
    has_tie = np.bincount(users[1:][tie], minlength=len(counts)) > 0
    has_step = np.bincount(users[1:][step], minlength=len(counts)) > 0
    ends = np.cumsum(counts) - 1  # each user's last event in the sorted arrays
    last_two = ends[several]
    untied = stamps[last_two] != stamps[last_two - 1]
    return TimeOrder(
        users=n,
        distinct_share=float((several & ~has_tie).sum() / n),
        ordered_share=float((several & has_step).sum() / n),
        untied_last_two_share=float(untied.mean()),
        all_equal=bool(stamps.min() == stamps.max()),
        missing=missing,
    )


def recorded(manifest: dict, interactions: pd.DataFrame) -> TimeOrder:
    """The time order the manifest records; measured now for a data set imported before it was
    recorded."""
    if "time_order" in manifest:
        return TimeOrder.from_dict(manifest["time_order"])
    return measure(interactions)
