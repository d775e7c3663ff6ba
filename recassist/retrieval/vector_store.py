"""Item and user vectors in Chroma: embedded in the data directory, or a Chroma server by
configuration.

recassist always passes its own embeddings; Chroma's default embedding function (which downloads a
model) is never set. Collections are named `<dataset>-items` and `<dataset>-users` and use cosine
distance. Item metadata: title, tags (a string array, filterable with $contains / $not_contains),
year, and the content hash that lets a rebuild skip unchanged items.

A Chroma server can go away and come back. Every call to it is tried again, with a doubling wait,
when the server cannot be reached (`ChromaConfig.retries`, `backoff_s`), and then raises
`VectorStoreUnavailableError`, which a caller may turn into a degraded answer. Nothing is cached
between calls (the collection is looked up each time), so the same `VectorStore` works again as soon
as the server is back, without a restart. Every write is an upsert or a delete by id, so a retried
write cannot duplicate a record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
import numpy as np

from recassist.errors import ConfigError, IndexNotBuiltError, VectorStoreUnavailableError
from recassist.settings import ChromaConfig

log = logging.getLogger(__name__)

# What a Chroma server that is down, restarting or unreachable looks like to its HTTP client:
# refused or reset connections, timeouts, a response cut off. A bad request (a ChromaError) is not
# retried.
UNREACHABLE: tuple[type[Exception], ...] = (httpx.TransportError,)

Metadata = dict[str, str | int | float | bool | list[str]]


@dataclass(frozen=True)
class Hit:
    id: str
    distance: float
    metadata: Metadata
    document: str | None


def connect(config: ChromaConfig, data_dir: Path):
    """A Chroma client: `HttpClient` when `chroma.url` is set, else a `PersistentClient` in the data
    dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if config.url:
        url = urlparse(config.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"chroma.url '{config.url}' must look like http://host:8000")
        port = url.port or (443 if url.scheme == "https" else 8000)

        def open_client():
            try:
                return chromadb.HttpClient(
                    host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings
                )
            except ValueError as err:  # chromadb's "Could not connect to a Chroma server"
                raise httpx.ConnectError(str(err)) from err

        client = with_retries(config, f"connect to the Chroma server at {config.url}", open_client)
        _set_timeout(client, config.timeout_s)
        return client
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def with_retries(config: ChromaConfig, what: str, call: Callable[[], object]):
    """`call()`, tried again after `backoff_s`, 2 x `backoff_s`, ... while the server cannot be
    reached."""
    wait = config.backoff_s
    for attempt in range(config.retries + 1):
        try:
            return call()
        except UNREACHABLE as err:
            if attempt == config.retries:
                raise VectorStoreUnavailableError(
                    f"could not {what}: {type(err).__name__}: {err} (after {config.retries + 1} tries); "
                    f"check that the Chroma server at chroma.url='{config.url}' is running"
                ) from err
            log.warning(
                "chroma: %s failed (%s), trying again in %.2f s", what, type(err).__name__, wait
            )
            time.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


def _set_timeout(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever by default; a hung server should count as unreachable."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


class VectorStore:
    """The two collections of one data set; `config` sets the retries of a Chroma server's calls."""

    def __init__(self, client, dataset: str, config: ChromaConfig | None = None) -> None:
        self.client = client
        self.dataset = dataset
        self.config = config or ChromaConfig()

    def _retry(self, what: str, call: Callable[[], object]):
        return with_retries(self.config, f"{what} ({self.dataset})", call)

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
        def call() -> int:
            try:
                return self._collection(kind, create=False).count()
            except IndexNotBuiltError:
                return 0

        return self._retry(f"count {kind}", call)

    def stored_hashes(self, kind: str) -> dict[str, str]:
        """id -> content hash of every stored record of `kind` ('items' or 'users')."""

        def call() -> dict[str, str]:
            collection = self._collection(kind, create=True)
            out: dict[str, str] = {}
            total = collection.count()
            for offset in range(0, total, 5000):
                page = collection.get(include=["metadatas"], limit=5000, offset=offset)
                for id_, meta in zip(page["ids"], page["metadatas"]):
                    out[id_] = str((meta or {}).get("hash", ""))
            return out

        return self._retry(f"read the {kind} hashes", call)

    def upsert(
        self,
        kind: str,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[Metadata],
        documents: Sequence[str] | None = None,
    ) -> None:
        step = max(1, min(self._retry("read the batch size", self.client.get_max_batch_size), 4096))
        for start, stop in _spans(len(ids), step):

            def call(start: int = start, stop: int = stop) -> None:
                self._collection(kind, create=True).upsert(
                    ids=list(ids[start:stop]),
                    embeddings=vectors[start:stop],
                    metadatas=list(metadatas[start:stop]),
                    documents=None if documents is None else list(documents[start:stop]),
                )

            self._retry(f"upsert {kind}", call)

    def delete(self, kind: str, ids: Sequence[str]) -> None:
        if ids:
            self._retry(
                f"delete {kind}", lambda: self._collection(kind, create=True).delete(ids=list(ids))
            )

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        got = self._retry(
            f"read {kind} vectors",
            lambda: self._collection(kind, create=False).get(ids=list(ids), include=["embeddings"]),
        )
        return {
            id_: np.asarray(v, dtype=np.float32) for id_, v in zip(got["ids"], got["embeddings"])
        }

    def query(
        self,
        kind: str,
        vector: np.ndarray,
        k: int,
        *,
        where: dict | None = None,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> list[Hit]:
        """The `k` nearest records to `vector`, skipping ids in `exclude`, optionally filtered by
        metadata."""

        def call() -> dict | None:
            collection = self._collection(kind, create=False)
            total = collection.count()
            if total == 0:
                return None
            return collection.query(
                query_embeddings=np.asarray(vector, dtype=np.float32)[None, :],
                n_results=min(total, k + len(exclude)),
                where=where,
                include=["metadatas", "distances", "documents"],
            )

        result = self._retry(f"query {kind}", call)
        if result is None:
            return []
        hits = [
            Hit(id_, float(d), m or {}, doc)
            for id_, d, m, doc in zip(
                result["ids"][0],
                result["distances"][0],
                result["metadatas"][0],
                result["documents"][0],
            )
            if id_ not in exclude
        ]
        return hits[:k]


def _spans(total: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, step):
        yield start, min(total, start + step)
