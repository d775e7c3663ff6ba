"""Idempotent events: a client key per event, remembered in the app's durable state.

A client that retries a feedback call (a lost answer, a double click) sends the same `event_id`; the
first call records it, each repeat is acknowledged as a duplicate and records nothing. Keys live in
the `event_keys` table of the state database (`recassist.state.database.engine`: SQLite in the data
directory, or the shared PostgreSQL of several replicas), scoped by the calling key, so two clients
cannot collide and a restart forgets nothing.
"""

from __future__ import annotations

import time

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

_METADATA = MetaData()
EVENT_KEYS = Table(
    "event_keys",
    _METADATA,
    Column("scope", String(200), primary_key=True),
    Column("event_id", String(100), primary_key=True),
    Column("at", Float, nullable=False),
)


class EventKeys:
    """`first(scope, event_id)`: True the first time a key is seen, False for every repeat."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        _METADATA.create_all(engine, tables=[EVENT_KEYS])

    def first(self, scope: str, event_id: str) -> bool:
        try:
            with self.engine.begin() as db:
                db.execute(
                    insert(EVENT_KEYS).values(scope=scope, event_id=event_id, at=time.time())
                )
        except IntegrityError:
            return False
        return True
