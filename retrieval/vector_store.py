"""Item and user vectors in Chroma: embedded in the data directory, or a Chroma server by configuration.

recassist always passes its own embeddings; Chroma's default embedding function (which downloads a model)
is never set. Collections are named `<dataset>-items` and `<dataset>-users` and use cosine distance.
Item metadata: title, tags (a string array, filterable with $contains / $not_contains), year, and the
content hash that lets a rebuild skip unchanged items.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from recassist.errors import ConfigError, IndexNotBuiltError
from recassist.settings import ChromaConfig

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool | list[str]]


@dataclass(frozen=True)
class Hit:
    id: str
    distance: float
    metadata: Metadata
    document: str | None


def connect(config: ChromaConfig, data_dir: Path):
    """A Chroma client: `HttpClient` when `chroma.url` is set, else a `PersistentClient` in the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if config.url:
        url = urlparse(config.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"chroma.url '{config.url}' must look like http://host:8000")
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000), ssl=url.scheme == "https",
            settings=settings,
        )
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorStore:
    """The two collections of one data set."""

    def __init__(self, client, dataset: str) -> None:
        self.client = client
        self.dataset = dataset

    def _collection(self, kind: str, *, create: bool):
        name = f"{self.dataset}-{kind}"
        if create:
            return self.client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        from chromadb.errors import NotFoundError

        try:
            return self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            raise IndexNotBuiltError(
                f"no vector index for '{self.dataset}'; run `recassist index build --dataset {self.dataset}`"
            ) from None

    def count(self, kind: str) -> int:
        try:
            return self._collection(kind, create=False).count()
        except IndexNotBuiltError:
            return 0

    def stored_hashes(self, kind: str) -> dict[str, str]:
        """id -> content hash of every stored record of `kind` ('items' or 'users')."""
        collection = self._collection(kind, create=True)
        out: dict[str, str] = {}
        total = collection.count()
        for offset in range(0, total, 5000):
            page = collection.get(include=["metadatas"], limit=5000, offset=offset)
            for id_, meta in zip(page["ids"], page["metadatas"]):
                out[id_] = str((meta or {}).get("hash", ""))
        return out

    def upsert(
        self,
        kind: str,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[Metadata],
        documents: Sequence[str] | None = None,
    ) -> None:
        collection = self._collection(kind, create=True)
        step = max(1, min(self.client.get_max_batch_size(), 4096))
        for start, stop in _spans(len(ids), step):
            collection.upsert(
                ids=list(ids[start:stop]),
                embeddings=vectors[start:stop],
                metadatas=list(metadatas[start:stop]),
                documents=None if documents is None else list(documents[start:stop]),
            )

    def delete(self, kind: str, ids: Sequence[str]) -> None:
        if ids:
            self._collection(kind, create=True).delete(ids=list(ids))

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        got = self._collection(kind, create=False).get(ids=list(ids), include=["embeddings"])
        return {id_: np.asarray(v, dtype=np.float32) for id_, v in zip(got["ids"], got["embeddings"])}

    def query(
        self,
        kind: str,
        vector: np.ndarray,
        k: int,
        *,
        where: dict | None = None,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> list[Hit]:
        """The `k` nearest records to `vector`, skipping ids in `exclude`, optionally filtered by metadata."""
        collection = self._collection(kind, create=False)
        total = collection.count()
        if total == 0:
            return []
        n = min(total, k + len(exclude))
        result = collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32)[None, :],
            n_results=n,
            where=where,
            include=["metadatas", "distances", "documents"],
        )
        hits = [
            Hit(id_, float(d), m or {}, doc)
            for id_, d, m, doc in zip(
                result["ids"][0], result["distances"][0], result["metadatas"][0], result["documents"][0]
            )
            if id_ not in exclude
        ]
        return hits[:k]


def _spans(total: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, step):
        yield start, min(total, start + step)
