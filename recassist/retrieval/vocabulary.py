"""External ids <-> row numbers, mapped once at the edge (LensKit's `Vocabulary`).

Everything inside `retrieval` works on row numbers (matrix rows and columns); ids from the data set
only go in through `rows()` and come out through `ids()`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


class Vocabulary:
    """An ordered set of distinct string ids; an id's row is its position."""

    def __init__(self, ids: Iterable[str]) -> None:
        index = pd.Index(pd.unique(pd.Series(list(ids), dtype=object)))
        self._index = index
        self._ids = index.to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} ids)"

    def rows(self, ids: Iterable[str], *, missing: int | None = None) -> np.ndarray:
        """Row numbers of `ids`; an unknown id raises KeyError unless `missing` gives a row to use
        for it."""
        rows = self._index.get_indexer(pd.Index(list(ids), dtype=object))
        unknown = rows < 0
        if unknown.any():
            if missing is None:
                raise KeyError(
                    f"{int(unknown.sum())} unknown id(s), e.g. {list(pd.Index(ids)[unknown][:3])}"
                )
            rows[unknown] = missing
        return rows.astype(np.int64)

    def row(self, item_id: str) -> int:
        return int(self.rows([item_id])[0])

    def ids(self, rows: Iterable[int] | np.ndarray) -> np.ndarray:
        """The ids at `rows` (an object array)."""
        return self._ids[np.asarray(rows, dtype=np.int64)]

    def id(self, row: int) -> str:
        return self._ids[row]

    @property
    def all_ids(self) -> np.ndarray:
        return self._ids.copy()
