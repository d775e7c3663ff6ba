"""Co-liked counts: how many people who liked item X also liked item Y, from the serving data's
liked events; and how well liked each item is by those who watched it. They make "like X" evidence specific: "41 people who liked Alien (1979) also liked it"
instead of "you asked for something like Alien (1979)".

The counts are read from retrieval's "liked" matrix (`retrieval.neighbours.liked_matrix`), the one
the "like X" candidates use, built once on first use (never at import); one count is the size of
the intersection of two items' user lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from recassist.grounding.evidence import Reason
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.neighbours import WellLiked, co_liked_count, liked_matrix, well_liked

MIN_CO_LIKED = 3  # fewer people than this is anecdote, not evidence: the plainer reason stays
# reasons that name an item liked or asked for
_BY_ITEM = ("requested", "history_item", "similar_text")


class CoLiked:
    """Counts of people who liked two items, over one `Interactions`."""

    def __init__(self, data: Interactions) -> None:
        self.data = data
        self._well_liked: WellLiked | None = None  # built at the first "surprise me"

    def well_liked(self) -> WellLiked:
        """How well liked each item is (`retrieval.neighbours.well_liked`), built once."""
        if self._well_liked is None:
            self._well_liked = well_liked(self.data)
        return self._well_liked

    def liked_by(self, item_id: str) -> tuple[int, int, float]:
        """How many people here watched (rated) the item, how many of them liked it, and how well
        liked it is (`neighbours.well_liked`: 0 for an item watched by few)."""
        row = self.data.items.rows([item_id], missing=-1)[0]
        if row < 0:
            return 0, 0, 0.0
        share = self.well_liked()
        return int(share.watchers[row]), int(share.liked[row]), float(share.scores[row])

    def count(self, a: str, b: str) -> int:
        """People who liked both items (by external id); 0 for an item the data does not have."""
        rows = self.data.items.rows([a, b], missing=-1)
        if (rows < 0).any():
            return 0
        return co_liked_count(liked_matrix(self.data), int(rows[0]), int(rows[1]))

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
