"""Thumbs up / down and "not interested" from the app, kept in the state database (`feedback`
table).

One row per event, keyed by the client's idempotency key (or one drawn here when the client sends
none): the key is unique per data set, so a retried request, or the same event sent to several
replicas, is stored exactly once. The insert is one transaction; `record` returns after its commit,
so an acknowledged event is never lost, and a database that is down raises `StateUnavailableError`
(the event is then not acknowledged, and the client may send it again with the same key). Only
pseudonymous user ids are written. `likes` reads the likes of known users back, as interaction rows
for the next index build.
"""

from __future__ import annotations

import secrets
import time
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from recassist.state import schema, transaction
from recassist.state.schema import FEEDBACK

# What a user can say about an item: on a card (all three) or in words (like, dislike). One type for
# every surface, the assistant and the store (`recassist.assistant.request` re-exports it).
FeedbackKind = Literal["like", "dislike", "not_interested"]


def stored_likes(engine: Engine, dataset: str) -> pd.DataFrame:
    """Every like of `dataset` stored in the state database, as interaction rows (user_id, item_id,
    event, timestamp, weight), oldest first: what `DatasetStore.load(likes=...)` adds for the next
    index build."""
    query = (
        select(FEEDBACK.c.user_id, FEEDBACK.c.item_id, FEEDBACK.c.ts)
        .where((FEEDBACK.c.dataset == dataset) & (FEEDBACK.c.feedback == "like"))
        .order_by(FEEDBACK.c.id)
    )

    def work(db: Connection) -> pd.DataFrame:
        return pd.DataFrame(db.execute(query).all(), columns=["user_id", "item_id", "timestamp"])

    schema.create(engine)
    frame = transaction.read(engine, work)
    frame = frame.dropna(subset=["user_id"]).assign(event="like", weight=1.0)
    columns = ["user_id", "item_id", "event", "timestamp", "weight"]
    return frame[columns].astype({"timestamp": "int64", "weight": "float32"})


class FeedbackStore:
    """The feedback of one data set on the state engine. Thread-safe."""

    def __init__(self, engine: Engine, dataset: str, retries: int = 5) -> None:
        self.engine, self.dataset, self.retries = engine, dataset, retries
        schema.create(engine)

    def record(
        self, user_id: str | None, item_id: str, feedback: FeedbackKind, key: str | None = None
    ) -> bool:
        """Store one event; False when an event with this idempotency key was stored before (by any
        replica), in which case nothing changes."""
        row = dict(
            dataset=self.dataset,
            idempotency_key=key or secrets.token_urlsafe(16),
            user_id=user_id,
            item_id=item_id,
            feedback=feedback,
            ts=int(time.time()),
        )
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(FEEDBACK)
            .values(**row)
            .on_conflict_do_nothing(index_elements=[FEEDBACK.c.dataset, FEEDBACK.c.idempotency_key])
        )
        return transaction.run(
            self.engine, lambda db: db.execute(statement).rowcount == 1, retries=self.retries
        )

    def count(self, key: str | None = None) -> int:
        """Events stored for this data set (with `key`: 0 or 1)."""
        query = select(func.count()).select_from(FEEDBACK).where(FEEDBACK.c.dataset == self.dataset)
        if key is not None:
            query = query.where(FEEDBACK.c.idempotency_key == key)
        return transaction.read(self.engine, lambda db: db.execute(query).scalar_one())

    def likes(self) -> pd.DataFrame:
        """Every like, as interaction rows (see `stored_likes`)."""
        return stored_likes(self.engine, self.dataset)
