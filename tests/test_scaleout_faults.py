"""Crashes that must not corrupt state: an index build SIGKILLed at random points, feedback written while the
app is killed."""

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

from recassist.settings import Settings
from recassist.data.store import DatasetStore
from recassist.retrieval.vector_store import VectorStore, connect
from recassist.surfaces.feedback import FeedbackLog, feedback_path
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
    """Each build is killed a random time after it starts writing (to the embedding cache or Chroma); the
    build run afterwards gives what the uninterrupted build gave: the same item and user counts, one
    record per id, the same vectors, the same search results."""
    data_dir = tmp_path / "data"
    shutil.copytree(settings.data_dir / "datasets" / SLICE, data_dir / "datasets" / SLICE)  # no cache: it embeds
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
        assert len(ids) == rebuilt.count(kind) == reference.count(kind)  # one record per id, no duplicates
        assert ids == reference.stored_hashes(kind)
        some = sorted(ids)[:20]
        got, want = rebuilt.vectors(kind, some), reference.vectors(kind, some)
        assert all(np.allclose(got[i], want[i], atol=1e-5) for i in some)
    assert rebuilt.count("items") == reference_report.items == 150
    for text in ("a space adventure", "a family comedy", "a war film"):
        vector = embedder.encode([text])[0]
        assert [h.id for h in rebuilt.query("items", vector, 10)] == [h.id for h in reference.query("items", vector, 10)]
    folder = data_dir / "index" / SLICE
    assert json.loads((folder / "item_ids.json").read_text()) == json.loads(
        (reference_builder.folder(SLICE) / "item_ids.json").read_text()
    )
    assert not list(folder.glob(".*partial*"))  # files are renamed into place; a killed write leaves none


WRITER = """
import sys
from pathlib import Path
from recassist.surfaces.feedback import FeedbackLog
log = FeedbackLog(Path(sys.argv[1]), "ml-slice")
for i in range(200_000):
    log.append("user-%d" % i, "item-%d" % (i % 97), "like" if i % 3 else "dislike")
"""


def test_feedback_written_while_the_app_is_killed_is_whole_or_absent(tmp_path: Path) -> None:
    path = feedback_path(tmp_path, "ml-slice")
    rng = random.Random(16)
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
        start = path.stat().st_size if path.exists() else 0
        _wait_for(lambda: path.exists() and path.stat().st_size > start + 2000, process)
        time.sleep(rng.uniform(0.0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.splitlines()]  # every stored line is a whole record
    assert len(records) > 100 and all(set(r) == {"user_id", "item_id", "feedback", "timestamp"} for r in records)


def test_a_torn_last_record_is_cut_before_the_next_append(tmp_path: Path) -> None:
    """A record half written by an older writer or a full disk is dropped, and never glues onto the next."""
    log = FeedbackLog(tmp_path, "ml-slice")
    log.append("u1", "i1", "like")
    with log.path.open("ab") as handle:
        handle.write(b'{"user_id": "u2", "item_id": "i')
    log.append("u3", "i3", "like")
    assert [json.loads(line)["user_id"] for line in log.path.read_bytes().splitlines()] == ["u1", "u3"]
    with log.path.open("ab") as handle:  # whole, only its newline missing: kept
        handle.write(json.dumps({"user_id": "u4", "item_id": "i4", "feedback": "like", "timestamp": 0}).encode())
    log.append("u5", "i5", "dislike")
    assert [json.loads(line)["user_id"] for line in log.path.read_bytes().splitlines()] == ["u1", "u3", "u4", "u5"]


def test_logged_likes_reach_the_data_set(tmp_path: Path, settings: Settings, indexed_slice) -> None:
    """The records that survive are read back as `like` interactions by the data set store."""
    data_dir = tmp_path / "data"
    shutil.copytree(settings.data_dir / "datasets" / SLICE, data_dir / "datasets" / SLICE)
    dataset = DatasetStore(data_dir).load(SLICE)
    user, item = dataset.interactions["user_id"].iloc[0], dataset.items["item_id"].iloc[-1]
    FeedbackLog(data_dir, SLICE).append(user, item, "like")
    with feedback_path(data_dir, SLICE).open("ab") as handle:
        handle.write(b'{"user_id": "')  # a record cut short by a crash does not count
    again = DatasetStore(data_dir).load(SLICE)
    assert len(again.interactions) == len(dataset.interactions) + 1
