"""Content: the items nearest, by text embedding, to the user's profile vector.

Item vectors come from the index (`recassist index build`; see `item_vectors_from_store`), aligned
to the item vocabulary; items without a vector never score. The profile is computed here from the
training interactions only (the stored user vectors cover all of a user's events, which would leak
the held-out items into an evaluation): the strength- and recency-weighted mean of the vectors of
the user's latest `max_history` items, as `retrieval.profiles` builds it. Scoring is the exact
cosine against every item, which is what a nearest-neighbour query in Chroma returns; it works for
users with one interaction and for items nobody has touched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from pydantic import PositiveFloat, PositiveInt

from recassist.retrieval.generators.base import Evidence, Generator, GeneratorConfig
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.vocabulary import Vocabulary
from recassist.settings import MemoryConfig

SECONDS_PER_DAY = 86_400.0

log = logging.getLogger(__name__)


class ContentConfig(GeneratorConfig):
    half_life_days: PositiveFloat = 365.0
    max_history: PositiveInt = 200


def item_vectors_from_store(store, items: Vocabulary) -> np.ndarray:
    """Items x dims, L2-normalised, from a `VectorStore`'s item collection; zero rows where an item
    has none."""
    found: Mapping[str, np.ndarray] = store.vectors("items", [str(i) for i in items.all_ids])
    if not found:
        return np.zeros((len(items), 1), np.float32)
    dims = len(next(iter(found.values())))
    vectors = np.zeros((len(items), dims), np.float32)
    for item_id, vector in found.items():
        vectors[items.row(item_id)] = vector
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class Content(Generator):
    name = "content"
    config_type = ContentConfig
    config: ContentConfig

    budget_hint = "leave content out (embed fewer items or use a smaller embedding model)"

    def __init__(
        self,
        config: ContentConfig | None = None,
        *,
        item_vectors: np.ndarray,
        memory: MemoryConfig | None = None,
    ) -> None:
        super().__init__(config, memory=memory)
        self.item_vectors = np.asarray(item_vectors, np.float32)

    def fresh(self) -> Content:
        return type(self)(self.config, item_vectors=self.item_vectors, memory=self.memory)

    def estimate(self, train: Interactions) -> int:
        # per event: positions, ages and weights (float64) and the CSR weights; per user: profiles
        # and norms
        dims = self.item_vectors.shape[1] if self.item_vectors.ndim == 2 else 1
        return len(train) * (4 * 8 + 12) + train.n_users * dims * 4 * 2

    def _fit(self, train: Interactions) -> None:
        if len(self.item_vectors) != train.n_items:
            raise ValueError(
                f"{len(self.item_vectors)} item vectors for {train.n_items} items; rebuild the index"
            )
        # position from the end of each user's history: 0 = latest
        from_end = train.indptr[train.user_rows + 1] - 1 - np.arange(len(train))
        latest = train.timestamps[train.indptr[train.user_rows + 1] - 1]
        age_days = (latest - train.timestamps) / SECONDS_PER_DAY
        weights = train.strengths * np.exp2(-age_days / self.config.half_life_days)
        weights = np.where(from_end < self.config.max_history, weights, 0.0).astype(np.float32)
        self._weights = sp.csr_matrix(
            (weights, (train.user_rows, train.item_rows)), shape=(train.n_users, train.n_items)
        )
        profiles = np.asarray(self._weights @ self.item_vectors)
        norms = np.linalg.norm(profiles, axis=1, keepdims=True)
        self.profiles = np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        vectors = self.item_vectors if items is None else self.item_vectors[items]
        scores = self.products(self.profiles[user_rows], vectors)
        has_vector = self.has_vector if items is None else self.has_vector[items]
        scores[:, ~has_vector] = -np.inf
        return scores

    @property
    def has_vector(self) -> np.ndarray:
        """Items with a nonzero vector, found once (not per request: that scan costs more than the
        scoring)."""
        if getattr(self, "_has_vector", None) is None:
            self._has_vector = np.einsum("ij,ij->i", self.item_vectors, self.item_vectors) > 0
        return self._has_vector

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        """Per candidate, the liked history items whose text is closest to it, weighted by their
        profile weight."""
        row = self._weights[user_row]
        keep = np.isin(row.indices, self.train.liked_items(user_row)) & (row.data > 0)
        if not keep.any():
            return []
        history, weights = row.indices[keep], row.data[keep]
        ids = self.train.items.ids(history)
        evidence: list[Evidence] = []
        for item in np.asarray(item_rows, np.int64):
            contribution = (self.item_vectors[history] @ self.item_vectors[item]) * weights
            for j in np.argsort(-contribution, kind="stable")[:3]:
                if contribution[j] > 0:
                    evidence.append(
                        Evidence(int(item), "similar_text", str(ids[j]), float(contribution[j]))
                    )
        return evidence


CONTENT_GRID = (
    ContentConfig(half_life_days=90.0),
    ContentConfig(half_life_days=365.0),
    ContentConfig(half_life_days=3650.0),
)


def content_builders(settings, dataset: str, items: Vocabulary) -> tuple[dict, dict]:
    """(`builders`, `grids`) that add the content generator to a run, or two empty dicts (with a log
    line) when the data set has no vector index yet. `settings` is the app's `Settings`."""
    from recassist.errors import IndexNotBuiltError
    from recassist.retrieval.vector_store import VectorStore, connect

    store = VectorStore(connect(settings.chroma, settings.data_dir), dataset, settings.chroma)
    try:
        vectors = item_vectors_from_store(store, items)
    except IndexNotBuiltError as err:
        log.warning("content generator left out: %s", err)
        return {}, {}
    return {"content": lambda config: Content(config, item_vectors=vectors)}, {
        "content": CONTENT_GRID
    }
