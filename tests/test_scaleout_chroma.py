"""recassist against a real Chroma server (`chroma run` on loopback), by configuration alone, and
what happens when that server dies and comes back.

The server-side index must answer as the embedded one does (same counts, same nearest items, same
recommendations from the assistant). A killed server makes every call retry with backoff and then
raise `VectorStoreUnavailableError`, a narrow error a caller can degrade on; the same `VectorStore`
answers again as soon as the server is back, without a restart.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from recassist.assistant.agent import Assistant
from recassist.data.store import DatasetStore
from recassist.errors import VectorStoreUnavailableError
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.index import IndexBuilder
from recassist.retrieval.vector_store import VectorStore
from recassist.settings import ChromaConfig, Settings
from tests.conftest import SLICE
from tests.scaleout_servers import ServerProcess, chroma_server

QUERIES = [
    "a space adventure with robots",
    "a romantic comedy in New York",
    "a dark crime thriller",
]


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    server, url = chroma_server(tmp_path_factory.mktemp("chroma"))
    server.start()
    yield server, url
    server.stop()


@pytest.fixture(scope="module")
def remote(
    chroma, settings: Settings, indexed_slice, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The slice's settings with `chroma.url` set, in a data directory of its own (the same imported
    data set and embedding cache), so the embedded index of the other tests is left alone."""
    _, url = chroma
    data_dir = tmp_path_factory.mktemp("remote-data")
    for part in (Path("datasets") / SLICE, Path("cache")):
        shutil.copytree(settings.data_dir / part, data_dir / part)
    return settings.model_copy(
        update={"data_dir": data_dir, "chroma": ChromaConfig(url=url, retries=2, backoff_s=0.05)}
    )


def test_index_build_recommend_and_search_against_a_chroma_server(
    remote: Settings, settings: Settings, indexed_slice, slice_serving, embedder
) -> None:
    builder = IndexBuilder(remote, embedder=embedder)  # connects through chroma.url
    report = builder.build(SLICE, progress=False)
    assert (
        report.items_written == 150 and report.items_embedded == 0
    )  # vectors from the copied cache
    dataset = DatasetStore(remote.data_dir).load(SLICE)
    server_store = VectorStore(builder.client, SLICE, remote.chroma)
    local_store = VectorStore(indexed_slice[0].client, SLICE)
    assert server_store.count("items") == local_store.count("items") == 150
    assert server_store.count("users") == local_store.count("users") == report.users_written > 0
    assert builder.build(SLICE, progress=False).up_to_date

    # catalogue search with metadata filters, and the items nearest a user's profile: as the
    # embedded store
    for text in QUERIES:
        vector = embedder.encode([text])[0]
        where = {"year": {"$gte": 1980}}
        assert [h.id for h in server_store.query("items", vector, 10, where=where)] == [
            h.id for h in local_store.query("items", vector, 10, where=where)
        ]
    server, local = Catalogue(dataset, server_store), Catalogue(dataset, local_store)
    for user in server.users(3):
        assert [h.id for h in server.nearest_items(user, 10)] == [
            h.id for h in local.nearest_items(user, 10)
        ]

    # a whole recommendation turn of the assistant (parser plan, template explanations) on each
    # store
    picks = []
    for store in (server_store, local_store):
        assistant = Assistant(
            Catalogue(dataset, store, embedder), slice_serving, None, settings.agent
        )
        session = assistant.new_session(str(slice_serving.data.users.ids(np.arange(2))[1]))
        picks.append(
            [
                p.item.item_id
                for p in assistant.turn(session, "something like Star Wars, give me 5").picks
            ]
        )
    assert len(picks[0]) == 5 and picks[0] == picks[1]


def test_a_killed_chroma_server_is_retried_then_reported_then_recovered(
    chroma, remote: Settings, embedder, slice_serving, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = chroma
    builder = IndexBuilder(remote, embedder=embedder)
    builder.build(SLICE, progress=False)
    store = VectorStore(builder.client, SLICE, remote.chroma)
    vector = embedder.encode([QUERIES[0]])[0]
    before = [h.id for h in store.query("items", vector, 10)]

    server.kill()
    with caplog.at_level(logging.WARNING, logger="recassist.retrieval.vector_store"):
        for call in (
            lambda: store.query("items", vector, 10),
            lambda: store.count("items"),
            lambda: store.vectors("items", before[:2]),
        ):
            with pytest.raises(VectorStoreUnavailableError, match="chroma.url"):
                call()
    retries = [r for r in caplog.records if "trying again" in r.getMessage()]
    assert (
        len(retries) == 3 * remote.chroma.retries
    )  # bounded: `retries` waits per call, then the error

    # a chat turn while the server is down still answers: collaborative candidates, templates, a
    # notice
    from recassist.assistant.events import DoneEvent, NoteEvent

    dataset = DatasetStore(remote.data_dir).load(SLICE)
    assistant = Assistant(Catalogue(dataset, store, embedder), slice_serving, None, remote.agent)
    user = str(slice_serving.data.users.ids(np.arange(2))[1])
    events = list(
        assistant.stream(
            assistant.new_session(user), "a feel-good movie for a rainy sunday, give me 3"
        )
    )
    assert isinstance(events[-1], DoneEvent) and len(events[-1].items) == 3
    assert any(isinstance(e, NoteEvent) and "unavailable" in e.text for e in events)
    assert all(card.explanation_source == "template" for card in events[-1].items)
    # "like X" needs no store (what people who liked X also liked): answered in full, with no notice
    events = list(
        assistant.stream(assistant.new_session(user), "something like Star Wars, give me 3")
    )
    assert isinstance(events[-1], DoneEvent) and len(events[-1].items) == 3
    assert not any(isinstance(e, NoteEvent) and "unavailable" in e.text for e in events)

    server.start()  # same port, same persisted data
    assert [h.id for h in store.query("items", vector, 10)] == before  # the same object, no restart
    assert store.count("items") == 150
