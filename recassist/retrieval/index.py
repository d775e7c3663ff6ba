"""`recassist index build`: a data set's items and users into the vector store, plus per-user
features.

Stages, in order: load the imported data set -> item texts -> embeddings (cached by content hash, so
only new or changed items are embedded) -> item upsert/delete in Chroma (only what changed) -> user
profile vectors -> user upsert -> temporal features. The build is idempotent: when the data set, the
model, the profile settings, the store and the items' records (text, tags, year: `records_digest`)
are those of the last build, it does nothing; a changed record is written again even when its text
(and so its vector) is the same.

Besides Chroma, the index folder `<data_dir>/index/<dataset>/` keeps the item and user vectors as
.npy (rows in `item_ids.json` / `user_ids.json` order) for batch scoring, and
`user_features.parquet`.

A build killed at any point (SIGKILL included) and run again ends as an uninterrupted build does:
Chroma writes are upserts and deletes by id (a record written twice is one record), the manifest
that marks a build as done is written last, and each file of the index folder is written aside and
renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from recassist.data.item_profiles import ProfileStore
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset, DatasetStore
from recassist.retrieval.embedding import Embedder, EmbeddingCache
from recassist.retrieval.profiles import profile_vectors, temporal_features
from recassist.retrieval.vector_store import Metadata, VectorStore, connect
from recassist.settings import Settings
from recassist.state.database import engine as state_engine
from recassist.state.feedback import stored_likes

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@dataclass
class IndexReport:
    dataset: str
    up_to_date: bool = False
    items: int = 0
    items_embedded: int = 0
    items_written: int = 0
    items_deleted: int = 0
    users_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.up_to_date:
            return f"index for '{self.dataset}' is up to date ({self.items:,} items)"
        return (
            f"indexed '{self.dataset}' in {self.seconds:.1f} s: {self.items:,} items ({self.items_embedded:,} embedded, "
            f"{self.items_written:,} written, {self.items_deleted:,} deleted), {self.users_written:,} user profiles"
        )


def item_text(title: str, tags: str, text: str) -> str:
    """What is embedded for an item: title, tags, then its text."""
    parts = [title.strip()]
    if tags:
        parts.append("Tags: " + ", ".join(tags.split(TAG_SEPARATOR)) + ".")
    if text:
        parts.append(text.strip())
    return " ".join(parts)


def item_records(items: pd.DataFrame) -> tuple[list[str], list[str], list[Metadata]]:
    """Ids, texts and Chroma metadata (title, tags array, year, hash) for every item. The hash
    covers the text and the filterable metadata, so an item whose year or tags changed is written
    again."""
    texts = [item_text(t, g, x) for t, g, x in zip(items["title"], items["tags"], items["text"])]
    years = items["year"] if "year" in items.columns else pd.Series(pd.NA, index=items.index)
    metadatas: list[Metadata] = []
    for title, tags, year, text in zip(items["title"], items["tags"], years, texts):
        meta: Metadata = {"title": title}
        if tags:
            meta["tags"] = tags.split(TAG_SEPARATOR)
        if not pd.isna(year):
            meta["year"] = int(year)
        content = json.dumps([text, meta], sort_keys=True)
        meta["hash"] = hashlib.sha256(content.encode()).hexdigest()[:16]
        metadatas.append(meta)
    return items["item_id"].tolist(), texts, metadatas


def records_digest(items: pd.DataFrame) -> str:
    """One hash of every item's id and record hash: it changes when any item's text, tags or year
    does (a data set imported before years came from titles has the same fingerprint, but not the
    same years)."""
    ids, _, metadatas = item_records(items)
    digest = hashlib.sha256()
    for id_, meta in zip(ids, metadatas):
        digest.update(f"{id_}\0{meta['hash']}\n".encode())
    return digest.hexdigest()


class IndexBuilder:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, client=None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding)
        self.client = client if client is not None else connect(settings.chroma, settings.data_dir)

    def folder(self, dataset: str) -> Path:
        return self.settings.data_dir / "index" / dataset

    def _signature(self, dataset: Dataset) -> dict:
        return {
            "dataset": dataset.fingerprint,
            "items": records_digest(dataset.items),
            "model": self.embedder.model_id,
            "profile": self.settings.profile.model_dump(),
            "events": self.settings.events,
            "store": self.settings.chroma.url or str((self.settings.data_dir / "chroma").resolve()),
        }

    def with_profiles(self, dataset: Dataset) -> Dataset:
        """The data set with each item's kept LLM profile (`data.item_profiles`) after its own
        text, as it is embedded; unchanged when `embedding.item_profiles` is off or no profile is
        written yet."""
        use = self.settings.embedding.item_profiles
        profiles = ProfileStore(self.settings.data_dir, dataset.name).profiles() if use else {}
        if not profiles:
            return dataset
        ids = dataset.items["item_id"].astype(str)
        extra = ids.map(lambda i: profiles[i].text() if i in profiles else "")
        text = (dataset.items["text"].fillna("") + " " + extra).str.strip()
        return replace(dataset, items=dataset.items.assign(text=text))

    def is_current(self, dataset: Dataset, store: VectorStore) -> bool:
        dataset = self.with_profiles(dataset)
        manifest = self.folder(dataset.name) / MANIFEST
        if not manifest.is_file():
            return False
        built = json.loads(manifest.read_text())
        return (
            built.get("signature") == self._signature(dataset)
            and store.count("items") == len(dataset.items)
            and store.count("users") == built.get("users", -1)
        )

    def build(self, name: str, *, progress: bool = True, force: bool = False) -> IndexReport:
        started = time.perf_counter()
        likes = stored_likes(state_engine(self.settings.state, self.settings.data_dir), name)
        dataset = DatasetStore(self.settings.data_dir).load(name, likes)
        store = VectorStore(self.client, name, self.settings.chroma)
        report = IndexReport(dataset=name, items=len(dataset.items))
        if not force and self.is_current(dataset, store):
            report.up_to_date = True
            return report
        dataset = self.with_profiles(dataset)
        folder = self.folder(name)
        folder.mkdir(parents=True, exist_ok=True)

        item_ids, item_vectors = self.index_items(dataset, store, report, progress=progress)
        user_ids, user_vectors = profile_vectors(
            dataset.interactions,
            {item: row for row, item in enumerate(item_ids)},
            item_vectors,
            self.settings.events,
            self.settings.profile,
        )
        features = temporal_features(dataset.interactions).set_index("user_id").reindex(user_ids)
        user_meta: list[Metadata] = [
            {
                "n_interactions": int(n),
                "last_timestamp": int(last),
                "hash": hashlib.sha256(vector.tobytes()).hexdigest()[:16],
            }
            for n, last, vector in zip(
                features["n_interactions"], features["last_timestamp"], user_vectors
            )
        ]
        stale_users = set(store.stored_hashes("users")) - set(user_ids)
        store.delete("users", sorted(stale_users))
        store.upsert("users", user_ids, user_vectors, user_meta)
        report.users_written = len(user_ids)

        _replace(folder / "item_vectors.npy", lambda path: np.save(path, item_vectors))
        _replace(folder / "user_vectors.npy", lambda path: np.save(path, user_vectors))
        _replace(folder / "item_ids.json", lambda path: path.write_text(json.dumps(item_ids)))
        _replace(folder / "user_ids.json", lambda path: path.write_text(json.dumps(user_ids)))
        _replace(
            folder / "user_features.parquet",
            lambda path: features.reset_index().to_parquet(path, index=False),
        )
        report.seconds = time.perf_counter() - started
        manifest = {
            "signature": self._signature(dataset),
            "users": len(user_ids),
            "report": asdict(report),
        }
        _replace(folder / MANIFEST, lambda path: path.write_text(json.dumps(manifest, indent=2)))
        return report

    def index_items(
        self, dataset: Dataset, store: VectorStore, report: IndexReport, *, progress: bool = True
    ) -> tuple[list[str], np.ndarray]:
        """Embed the items (cache first) and write to Chroma only those whose content changed.

        Writing overlaps embedding: each chunk goes to Chroma on a writer thread while the next is
        encoded.
        """
        ids, texts, metadatas = item_records(dataset.items)
        cache = EmbeddingCache(self.settings.data_dir / "cache", self.embedder)
        stored = store.stored_hashes("items")
        changed = np.array(
            [stored.get(id_) != meta["hash"] for id_, meta in zip(ids, metadatas)], dtype=bool
        )
        vectors: np.ndarray | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer:
            writes = []
            for positions, block in cache.encode_in_chunks(texts, show_progress=progress):
                if vectors is None:
                    vectors = np.empty((len(texts), block.shape[1]), dtype=np.float32)
                vectors[positions] = block
                rows = positions[changed[positions]]
                if len(rows):
                    writes.append(
                        writer.submit(
                            store.upsert,
                            "items",
                            [ids[i] for i in rows],
                            vectors[rows],
                            [metadatas[i] for i in rows],
                        )
                    )
            for write in writes:
                write.result()
        report.items_embedded = cache.embedded
        report.items_written = int(changed.sum())
        removed = sorted(set(stored) - set(ids))
        store.delete("items", removed)
        report.items_deleted = len(removed)
        if vectors is None:
            vectors = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return ids, vectors


def _replace(target: Path, write) -> None:
    """`write(path)` to a file beside `target`, then rename it over `target` (atomic on one file
    system)."""
    staging = target.with_name(f".{target.name}.partial{target.suffix}")
    write(staging)
    os.replace(staging, target)
