"""Read-side view of one indexed data set: a user's history and the catalogue items nearest their profile.

This is what the surfaces ask; it reads the imported data set and the vector store and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recassist.errors import UnknownUserError
from retrieval.data.store import Dataset
from retrieval.profiles import latest_first
from retrieval.vector_store import Hit, VectorStore


@dataclass
class Catalogue:
    dataset: Dataset
    store: VectorStore

    def __post_init__(self) -> None:
        self._titles = self.dataset.items.set_index("item_id")[["title", "tags"]]
        self._by_user = latest_first(self.dataset.interactions).groupby("user_id", sort=False)

    def users(self, limit: int | None = None) -> list[str]:
        """User ids, most active first."""
        counts = self.dataset.interactions["user_id"].value_counts(sort=True)
        return counts.index[:limit].tolist()

    def history(self, user_id: str, n: int = 10) -> pd.DataFrame:
        """The user's `n` latest interactions with item titles, newest first; without a time order, the last
        `n` rows of the file, with no time shown (a stored 0 is no date)."""
        try:
            rows = self._by_user.get_group(user_id).head(n)
        except KeyError:
            raise UnknownUserError(f"user '{user_id}' is not in data set '{self.dataset.name}'") from None
        out = rows[["item_id", "event", "weight", "timestamp"]].join(self._titles, on="item_id")
        out["time"] = pd.to_datetime(out["timestamp"], unit="s", utc=True).dt.strftime("%Y-%m-%d %H:%M")
        if not self.dataset.time_order.has_order:
            out["time"] = ""
        return out[["item_id", "title", "tags", "event", "weight", "time"]].reset_index(drop=True)

    def seen(self, user_id: str) -> set[str]:
        try:
            return set(self._by_user.get_group(user_id)["item_id"])
        except KeyError:
            raise UnknownUserError(f"user '{user_id}' is not in data set '{self.dataset.name}'") from None

    def nearest_items(self, user_id: str, k: int = 10, *, where: dict | None = None) -> list[Hit]:
        """The `k` unseen items nearest to the user's profile vector in the vector store."""
        vectors = self.store.vectors("users", [user_id])
        if user_id not in vectors:
            raise UnknownUserError(f"user '{user_id}' has no profile in the index; run `recassist index build`")
        return self.store.query("items", vectors[user_id], k, where=where, exclude=self.seen(user_id))
