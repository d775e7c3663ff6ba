"""Co-liked counts: how many people who liked item X also liked item Y, from the serving data's
liked events. They make "like X" evidence specific: "41 people who liked Alien (1979) also liked it"
instead of "you asked for something like Alien (1979)".

The items x users matrix of liked events is built on first use (never at import) and reused; one
count is the size of the intersection of two sorted user lists.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from recassist.grounding.evidence import Reason
from recassist.retrieval.interactions import Interactions

MIN_CO_LIKED = 3  # fewer people than this is anecdote, not evidence: the plainer reason stays
# reasons that name an item liked or asked for
_BY_ITEM = ("requested", "history_item", "similar_text")


class CoLiked:
    """Counts of people who liked two items, over one `Interactions`."""

    def __init__(self, data: Interactions) -> None:
        self.data = data
        self._matrix: sp.csr_matrix | None = None
        self._lock = threading.Lock()

    def _liked(self) -> sp.csr_matrix:
        with self._lock:
            if self._matrix is None:
                keep = np.ones(len(self.data), bool) if self.data.liked is None else self.data.liked
                ones = np.ones(int(keep.sum()), np.int8)
                shape = (self.data.n_items, self.data.n_users)
                pairs = (self.data.item_rows[keep], self.data.user_rows[keep])
                matrix = sp.csr_matrix((ones, pairs), shape=shape)
                matrix.sum_duplicates()
                matrix.sort_indices()
                self._matrix = matrix
            return self._matrix

    def count(self, a: str, b: str) -> int:
        """People who liked both items (by external id); 0 for an item the data does not have."""
        rows = self.data.items.rows([a, b], missing=-1)
        if (rows < 0).any():
            return 0
        m = self._liked()
        users_a = m.indices[m.indptr[rows[0]] : m.indptr[rows[0] + 1]]
        users_b = m.indices[m.indptr[rows[1]] : m.indptr[rows[1] + 1]]
        return int(np.intersect1d(users_a, users_b, assume_unique=True).size)

    def specific(self, reasons: Sequence[Reason], item_id: str) -> list[Reason]:
        """`reasons` for `item_id`, each item reason ("you liked X", "like X") preceded by a
        co-liked one where at least `MIN_CO_LIKED` people liked both X and the item (the item reason
        stays: it says how X came in, liked or asked for)."""
        out = []
        for reason in reasons:
            if reason.kind in _BY_ITEM and reason.item is not None:
                n = self.count(reason.item.item_id, item_id)
                if n >= MIN_CO_LIKED:
                    out.append(replace(reason, kind="co_liked", count=n))
            out.append(reason)
        return list(dict.fromkeys(out))
