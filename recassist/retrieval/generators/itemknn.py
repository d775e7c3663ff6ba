"""ItemKNN: cosine similarity between item columns of the user-item matrix, each item keeping its k
nearest.

A user's score for item i is the sum of similarities between i and the items in their history, so
the evidence for a candidate is exactly those history items.

Two forms of the same model. The full form keeps the similarity dense (about 16 bytes per item pair
at the peak; sparse @ dense is the fastest scoring for small catalogues). Over the memory budget,
the sparse form computes the co-occurrences a block of item columns at a time (blocks sized to the
budget), keeps each item's top k neighbours only and stores them as a sparse matrix: memory grows
with items x k, not items^2. They agree wherever no two neighbours tie at an item's k-th place (the
dense form keeps every tie).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveInt

from recassist.retrieval.generators.base import (
    Evidence,
    Generator,
    GeneratorConfig,
    history_evidence,
    matrix_bytes,
)
from recassist.retrieval.interactions import Interactions

DENSE_BYTES_PER_PAIR = (
    16  # Gram, similarity, and the negated copy and partition that find each cut-off
)
SPARSE_BYTES_PER_NEIGHBOUR = 16  # float32 value + int32 index, as CSC and CSR together at the end
BLOCK_BYTES_PER_PRODUCT = (
    64  # co-occurrence product, its cosine, sort keys and order, per candidate pair
)


class ItemKNNConfig(GeneratorConfig):
    neighbours: PositiveInt = 100
    shrinkage: NonNegativeFloat = 0.0  # damps similarities of rarely co-touched items
    binary: bool = True


class ItemKNN(Generator):
    name = "itemknn"
    config_type = ItemKNNConfig
    config: ItemKNNConfig
    budget_hint = "lower itemknn neighbours"

    def estimate(self, train: Interactions) -> int:
        return DENSE_BYTES_PER_PAIR * train.n_items**2 + matrix_bytes(train)

    def _matrix(self, train: Interactions) -> sp.csc_matrix:
        return (train.binary if self.config.binary else train.matrix).tocsc()

    def _fit(self, train: Interactions) -> None:
        matrix = self._matrix(train)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        gram = (matrix.T @ matrix).toarray()
        similarity = gram / (np.outer(norms, norms) + self.config.shrinkage + 1e-12)
        del gram
        np.fill_diagonal(similarity, 0.0)
        # keep, for each target item (column), its k most similar source items
        k = min(self.config.neighbours, similarity.shape[0])
        if k < similarity.shape[0]:
            cutoff = -np.partition(-similarity, k - 1, axis=0)[k - 1]
            similarity[similarity < cutoff[None, :]] = 0.0
        self.similarity = np.ascontiguousarray(
            similarity, dtype=np.float32
        )  # dense: sparse @ dense is fastest
        self._input = matrix.tocsr()

    def _fit_within(self, train: Interactions, budget: int) -> str:
        rows_first = (
            train.binary if self.config.binary else train.matrix
        )  # cached on `train`: no copy
        k = min(self.config.neighbours, max(train.n_items - 1, 1))
        # the result (built twice over: CSC, then CSR), the train matrices and one column-major copy
        fixed = (
            SPARSE_BYTES_PER_NEIGHBOUR * train.n_items * k + matrix_bytes(train) + len(train) * 8
        )
        room = budget - fixed
        # the largest possible block is one item's column: at most every other item co-occurs with
        # it
        if room < BLOCK_BYTES_PER_PRODUCT * train.n_items:
            raise self.over_budget(fixed + BLOCK_BYTES_PER_PRODUCT * train.n_items, budget)
        self.similarity = sparse_top_k(
            rows_first.tocsc(),
            k,
            self.config.shrinkage,
            max_products=room // BLOCK_BYTES_PER_PRODUCT,
        )
        self._input = rows_first
        return f"sparse top-{k} neighbours ({self.similarity.nnz:,} kept)"

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        similarity = self.similarity if items is None else self.similarity[:, items]
        scores = self._input[user_rows] @ similarity
        return scores.toarray() if sp.issparse(scores) else np.asarray(scores)

    def _block(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        if sp.issparse(self.similarity):
            return self.similarity[rows][:, columns].toarray()
        return self.similarity[np.ix_(rows, columns)]

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        row = self._input[user_row]
        strength = dict(zip(row.indices, row.data))

        def contributions(history: np.ndarray, items: np.ndarray) -> np.ndarray:
            values = np.array([strength[h] for h in history], np.float32)
            return (self._block(history, items) * values[:, None]).T

        return history_evidence(self.train, user_row, item_rows, contributions)


def sparse_top_k(
    matrix: sp.csc_matrix, k: int, shrinkage: float, *, max_products: int
) -> sp.csr_matrix:
    """Items x items cosine similarity keeping, per target item (column), its k most similar source
    items.

    Columns are taken in blocks whose co-occurrence products (an upper bound of the block's
    nonzeros: the summed activity of each column's users) stay under `max_products`, so the peak is
    set by the budget, not by the catalogue. Ties at the k-th place go to the lower item row.
    `matrix` is users x items.
    """
    n_users, n_items = matrix.shape
    norms = np.sqrt(
        np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()
    )  # as the dense form computes them
    by_item = matrix.T  # items x users, CSR over the same arrays: no copy
    activity = np.bincount(matrix.indices, minlength=n_users).astype(np.float64)
    products = by_item @ activity  # per column, an upper bound of its co-occurring items
    row_parts, counts_parts, value_parts = [], [], []
    start = 0
    while start < n_items:
        cumulative = np.cumsum(products[start:])
        stop = start + max(1, int(np.searchsorted(cumulative, max_products, side="right")))
        block = (by_item @ matrix[:, start:stop]).tocsc()  # items x block co-occurrences
        counts = np.diff(block.indptr)
        rows = block.indices
        cols = np.repeat(np.arange(start, stop), counts)
        vals = (block.data / (norms[rows] * norms[cols] + shrinkage + 1e-12)).astype(np.float32)
        vals[rows == cols] = 0.0
        del block
        keep = _top_k_per_column(cols - start, rows, vals, counts, k)
        row_parts.append(rows[keep].astype(np.int32))
        value_parts.append(vals[keep])
        counts_parts.append(np.bincount(cols[keep] - start, minlength=stop - start))
        del rows, cols, vals, keep
        start = stop
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts_parts))])
    rows, values = np.concatenate(row_parts), np.concatenate(value_parts)
    del row_parts, value_parts
    by_column = sp.csc_matrix((values, rows, indptr), shape=(n_items, n_items))
    del rows, values
    return by_column.tocsr()  # scoring multiplies user rows by it: row-major


def _top_k_per_column(
    cols: np.ndarray, rows: np.ndarray, vals: np.ndarray, counts: np.ndarray, k: int
) -> np.ndarray:
    """Positions of the k largest positive values in each column (entries grouped by column,
    ascending)."""
    keep = vals > 0
    crowded = np.flatnonzero(counts > k)
    if len(crowded) == 0:
        return keep
    in_crowded = np.isin(cols, crowded)
    positions = np.flatnonzero(in_crowded)
    # within each crowded column: highest value first, ties to the lower row
    order = positions[np.lexsort((rows[positions], -vals[positions], cols[positions]))]
    column_of = cols[order]
    first = np.searchsorted(column_of, column_of, side="left")
    rank = np.arange(len(order)) - first
    keep[positions] = False
    keep[order[rank < k]] = True
    keep &= vals > 0
    return keep
