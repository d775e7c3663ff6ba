"""Index build on a real ML-100k slice with the real embedding model and a real Chroma."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from recassist.data.cleaning import RawTable
from recassist.data.importer import import_tables
from recassist.data.store import DatasetStore
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.index import IndexBuilder
from recassist.retrieval.profiles import temporal_features
from recassist.retrieval.vector_store import VectorStore, connect
from recassist.settings import ChromaConfig, Settings
from tests.conftest import SLICE, slice_tables


def test_build_fills_both_collections(indexed_slice, settings: Settings) -> None:
    builder, report = indexed_slice
    ds = DatasetStore(settings.data_dir).load(SLICE)
    store = VectorStore(builder.client, SLICE)
    assert store.count("items") == len(ds.items) == 150
    assert store.count("users") == ds.interactions["user_id"].nunique() == report.users_written
    assert report.items_written == 150
    assert builder.build(SLICE, progress=False).up_to_date


def test_rebuild_embeds_only_new_or_changed_items(
    indexed_slice, settings: Settings, ml100k_files
) -> None:
    builder, _ = indexed_slice
    raw = slice_tables(ml100k_files)
    import_tables("ml-edit", raw, settings, source="test")
    first = builder.build("ml-edit", progress=False)
    assert (
        first.items_embedded == 0 and first.items_written == 150
    )  # same texts: all from the cache

    items = raw["items"].frame.copy()
    items.loc[items.index[0], "title"] = "A Title Nobody Embedded Before (2024)"
    dropped = items["item_id"].iloc[-1]
    items = items.iloc[:-1]
    ratings = raw["interactions"].frame
    import_tables(
        "ml-edit",
        {
            "items": RawTable(items, "edited"),
            "interactions": RawTable(ratings[ratings["item_id"] != dropped], "r"),
        },
        settings,
        source="test",
    )
    second = builder.build("ml-edit", progress=False)
    assert (second.items_embedded, second.items_written, second.items_deleted) == (1, 1, 1)
    store = VectorStore(builder.client, "ml-edit")
    assert store.count("items") == 149


def test_an_index_built_with_release_years_is_rewritten_with_title_years(
    indexed_slice, settings: Settings, ml100k_files
) -> None:
    """An index built before years came from titles (Return of the Jedi stored as 1997, its
    re-release) is not up to date: the next build writes the title's year (1983), so the Chroma year
    filter finds it."""
    builder, _ = indexed_slice
    import_tables("ml-years", slice_tables(ml100k_files), settings, source="test")
    builder.build("ml-years", progress=False)
    store = VectorStore(builder.client, "ml-years")
    jedi = DatasetStore(settings.data_dir).load("ml-years").items.set_index("item_id").loc["181"]
    assert jedi["title"] == "Return of the Jedi (1983)" and jedi["year"] == 1983
    # As the old build left it: the release date's year in Chroma, and a manifest without the
    # records' digest.
    vector = store.vectors("items", ["181"])["181"]
    store.upsert(
        "items",
        ["181"],
        vector[None, :],
        [{"title": jedi["title"], "tags": jedi["tags"].split("|"), "year": 1997, "hash": "old"}],
    )
    manifest = builder.folder("ml-years") / "manifest.json"
    built = json.loads(manifest.read_text())
    del built["signature"]["items"]
    manifest.write_text(json.dumps(built))

    report = builder.build("ml-years", progress=False)
    assert not report.up_to_date and (report.items_embedded, report.items_written) == (0, 1)
    hits = store.query("items", vector, 5, where={"year": {"$lte": 1985}})
    assert hits[0].id == "181" and hits[0].metadata["year"] == 1983
    assert builder.build("ml-years", progress=False).up_to_date


def test_metadata_filters_and_profiles(indexed_slice, settings: Settings) -> None:
    builder, _ = indexed_slice
    ds = DatasetStore(settings.data_dir).load(SLICE)
    catalogue = Catalogue(ds, VectorStore(builder.client, SLICE))
    user = catalogue.users(limit=1)[0]
    seen = catalogue.seen(user)
    hits = catalogue.nearest_items(user, k=10, where={"tags": {"$not_contains": "Drama"}})
    assert hits and all("Drama" not in h.metadata.get("tags", []) for h in hits)
    assert not seen & {h.id for h in hits}
    history = catalogue.history(user, n=5)
    assert history["time"].is_monotonic_decreasing

    folder = builder.folder(SLICE)
    item_ids = json.loads((folder / "item_ids.json").read_text())
    user_ids = json.loads((folder / "user_ids.json").read_text())
    items, users = np.load(folder / "item_vectors.npy"), np.load(folder / "user_vectors.npy")
    assert np.allclose(np.linalg.norm(users, axis=1), 1.0, atol=1e-4)
    # A profile sits closer to the user's own items than to the catalogue at large, for most users.
    rows = {item: r for r, item in enumerate(item_ids)}
    by_user = ds.interactions.groupby("user_id")["item_id"].apply(list)
    closer = [
        (items[[rows[i] for i in by_user[u]]] @ users[k]).mean() > (items @ users[k]).mean()
        for k, u in enumerate(user_ids[:200])
    ]
    assert np.mean(closer) > 0.9


def test_temporal_features(ml100k) -> None:
    features = temporal_features(ml100k.interactions)
    assert len(features) == 943
    hours = features[[f"hour_{h:02d}" for h in range(24)]].sum(axis=1)
    assert np.allclose(hours, 1.0)
    assert (features["recency_days"] >= 0).all() and (features["recency_days"] == 0).any()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_chroma_server_by_configuration_alone(
    tmp_path: Path, settings: Settings, indexed_slice
) -> None:
    """`chroma.url` switches the same build to a real Chroma server (started here on loopback)."""
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    server = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "srv"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        remote = settings.model_copy(
            update={"chroma": ChromaConfig(url=f"http://127.0.0.1:{port}")}
        )
        deadline = time.time() + 60
        while True:
            try:
                client = connect(remote.chroma, remote.data_dir)
                client.heartbeat()
                break
            except Exception:  # the server is still starting
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        builder = IndexBuilder(remote, embedder=indexed_slice[0].embedder, client=client)
        report = builder.build(SLICE, progress=False)
        assert report.items_embedded == 0 and report.items_written == 150
        assert VectorStore(client, SLICE).count("items") == 150
    finally:
        server.terminate()
        server.wait(timeout=30)
