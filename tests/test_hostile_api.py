"""Hostile suite against a real `recassist serve` (the slice, the real 0.5B model): feedback replays
are recorded once, and the answers carry no markup whatever the user's message carries.

Also the data fingerprint: it covers the validated likes, not each feedback line.
"""

from __future__ import annotations

import json
import re
import uuid

import httpx

from recassist.state.database import engine
from recassist.state.feedback import FeedbackStore
from tests.conftest import SLICE
from tests.test_hostile_output import three_ratings


def test_feedback_replays_are_recorded_once(live_server: str, settings) -> None:
    from recassist.data.store import DatasetStore

    data = DatasetStore(settings.data_dir).load(SLICE)
    user = data.interactions["user_id"].value_counts().index[0]
    item = data.items["item_id"].iloc[0]
    stored = FeedbackStore(engine(settings.state, settings.data_dir), SLICE)
    before = stored.count()
    # a dislike: stored like any feedback, but no new interaction, so the shared slice that later
    # modules index and fit stays the data set they expect
    body = {"user_id": user, "item_id": item, "feedback": "dislike", "event_id": str(uuid.uuid4())}
    answers = [
        httpx.post(f"{live_server}/api/v1/feedback", json=body, timeout=60).json() for _ in range(5)
    ]
    assert [a["recorded"] for a in answers] == [True] + [False] * 4
    assert all(a["duplicate"] for a in answers[1:])
    assert stored.count() == before + 1


def test_a_url_in_the_message_is_not_echoed(live_server: str) -> None:
    message = "something like <b>Star Wars</b> from https://evil.example/x or mail me@evil.example"
    with httpx.stream(
        "POST", f"{live_server}/api/v1/chat", json={"message": message}, timeout=300
    ) as answer:
        text = "".join(answer.iter_text())
    data = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    said = json.dumps(data)
    assert data and not re.search(r"evil\.example|<b>|https?:", said), said[:500]


def test_the_data_fingerprint_covers_validated_likes_not_each_feedback_line(tmp_path) -> None:
    import pandas as pd

    from recassist.data.cleaning import RawTable
    from recassist.data.importer import import_tables
    from recassist.data.readers import ROW
    from recassist.data.store import DatasetStore
    from recassist.settings import Settings

    settings = Settings(data_dir=tmp_path)
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c"],
            "title": ["A (1990)", "B (1991)", "C (1992)"],
            "tags": ["Drama", "Comedy", "Drama"],
            ROW: [1, 2, 3],
        }
    )
    ratings = three_ratings(["u1", "u2", "u2"], ["a", "b", "c"]).assign(**{ROW: [1, 2, 3]})
    import_tables(
        "tiny",
        {"items": RawTable(items, "i"), "interactions": RawTable(ratings, "r")},
        settings,
        source="test",
    )
    store = DatasetStore(tmp_path)
    users = sorted(set(store.load("tiny").interactions["user_id"]))
    log = tmp_path / "feedback" / "tiny.jsonl"  # an older app's feedback log, still read
    log.parent.mkdir(parents=True, exist_ok=True)

    def write(*records: dict) -> str:
        with log.open("a") as handle:
            for record in records:
                handle.write(json.dumps(record) + "\n")
        return store.load("tiny").fingerprint

    like = {"user_id": users[0], "item_id": "b", "feedback": "like", "timestamp": 10}
    first = write(like)
    assert write({**like, "timestamp": 11}) == first  # a replay
    assert write({**like, "feedback": "dislike", "item_id": "c"}) == first  # not a like
    assert write({**like, "user_id": "stranger"}) == first  # not a known user
    log.open("a").write('{"user_id": "torn')
    assert store.load("tiny").fingerprint == first
    log.open("a").write("\n")
    assert write({**like, "item_id": "c"}) != first  # a new like is new data
