"""Crashes that must not corrupt state: an index build SIGKILLed at random points, feedback written
while the app is killed (feedback now lives in the state database)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from recassist.retrieval.vector_store import VectorStore, connect
from recassist.settings import Settings, StateConfig
from recassist.state.database import engine
from recassist.surfaces.feedback import FeedbackStore
from tests.conftest import SLICE

KILLS = 2  # SIGKILLed builds before the one that is let finish
WAIT_S = 300  # a bound on waiting for a child process, not a performance limit


def _wait_for(condition, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_an_index_build_killed_at_random_points_ends_as_an_uninterrupted_one(
    tmp_path: Path, settings: Settings, indexed_slice, embedder
) -> None:
    """Each build is killed a random time after it starts writing (to the embedding cache or
    Chroma); the build run afterwards gives what the uninterrupted build gave: the same item and
    user counts, one record per id, the same vectors, the same search results."""
    data_dir = tmp_path / "data"
    shutil.copytree(
        settings.data_dir / "datasets" / SLICE, data_dir / "datasets" / SLICE
    )  # no cache: it embeds
    env = {**os.environ, "RECASSIST_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "recassist", "index", "build", "--dataset", SLICE]
    rng = random.Random(16)
    killed_mid_build = 0
    for _ in range(KILLS):
        with (tmp_path / "build.log").open("a") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _wait_for(lambda: (data_dir / "chroma").exists(), process)
        time.sleep(rng.uniform(0.0, 2.5))
        if process.poll() is None:
            killed_mid_build += 1
            process.send_signal(signal.SIGKILL)
        process.wait()
    assert killed_mid_build > 0, (tmp_path / "build.log").read_text()[-2000:]
    subprocess.run(command, env=env, check=True, capture_output=True)

    reference_builder, reference_report = indexed_slice
    reference = VectorStore(reference_builder.client, SLICE)
    rebuilt = VectorStore(connect(settings.chroma, data_dir), SLICE)
    for kind in ("items", "users"):
        ids = rebuilt.stored_hashes(kind)
        assert (
            len(ids) == rebuilt.count(kind) == reference.count(kind)
        )  # one record per id, no duplicates
        assert ids == reference.stored_hashes(kind)
        some = sorted(ids)[:20]
        got, want = rebuilt.vectors(kind, some), reference.vectors(kind, some)
        assert all(np.allclose(got[i], want[i], atol=1e-5) for i in some)
    assert rebuilt.count("items") == reference_report.items == 150
    for text in ("a space adventure", "a family comedy", "a war film"):
        vector = embedder.encode([text])[0]
        assert [h.id for h in rebuilt.query("items", vector, 10)] == [
            h.id for h in reference.query("items", vector, 10)
        ]
    folder = data_dir / "index" / SLICE
    assert json.loads((folder / "item_ids.json").read_text()) == json.loads(
        (reference_builder.folder(SLICE) / "item_ids.json").read_text()
    )
    assert not list(
        folder.glob(".*partial*")
    )  # files are renamed into place; a killed write leaves none


WRITER = """
import sys
from pathlib import Path
from recassist.settings import StateConfig
from recassist.state.database import engine
from recassist.surfaces.feedback import FeedbackStore
store = FeedbackStore(engine(StateConfig(), Path(sys.argv[1])), "ml-slice")
for i in range(200_000):
    store.record("user-%d" % i, "item-%d" % (i % 97), "like" if i % 3 else "dislike", key="k-%d" % i)
"""


def _store(folder: Path) -> FeedbackStore:
    return FeedbackStore(engine(StateConfig(), folder), "ml-slice")


def test_feedback_written_while_the_app_is_killed_is_whole_or_absent(tmp_path: Path) -> None:
    """A writer SIGKILLed mid-stream: every stored event is whole, stored once, and a new writer
    goes on."""
    store = _store(tmp_path)
    rng = random.Random(16)
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
        start = store.count()
        _wait_for(lambda: store.count() > start + 50, process)  # noqa: B023 - called at once
        time.sleep(rng.uniform(0.0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
    likes = store.likes()
    assert store.count() > 100 and likes["item_id"].str.startswith("item-").all()
    assert store.count("k-0") == 1  # each run starts again at k-0: stored once
    assert not store.record("u", "item-0", "like", key="k-0")  # a key seen before changes nothing


def test_stored_likes_come_back_as_interactions(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.record("u1", "i1", "like", key="a") and store.record(None, "i2", "like", key="b")
    assert store.record("u3", "i3", "dislike", key="c") and not store.record(
        "u1", "i1", "like", key="a"
    )
    likes = store.likes()
    assert list(likes["user_id"]) == ["u1"] and list(likes["event"]) == ["like"]


def test_stored_likes_reach_the_data_set(tmp_path: Path, settings: Settings, indexed_slice) -> None:
    """Likes of known users on known items from the state database are `like` interactions of the
    next load (and change its fingerprint); others are ignored."""
    from recassist.data.store import DatasetStore

    dataset = DatasetStore(settings.data_dir).load(SLICE)
    user, item = dataset.interactions["user_id"].iloc[0], dataset.items["item_id"].iloc[-1]
    store = FeedbackStore(engine(StateConfig(), tmp_path), SLICE)
    store.record(user, item, "like", key="x")
    store.record("not-a-user", item, "like", key="y")
    again = DatasetStore(settings.data_dir).load(SLICE, store.likes())
    assert len(again.interactions) == len(dataset.interactions) + 1
    assert again.fingerprint != dataset.fingerprint
