"""The marketer's durable state, in SQLAlchemy Core on the app's one engine
(`recassist.state.database`): the noisy releases, the budget ledger, and one row per budget owner
that a charge locks.

- `audience_releases`: one row per release (its key: a hash of the data snapshot and what is
  counted), the noisy counts as a NumPy array, the noise scale and the epsilon it cost. Written
  once, never updated.
- `audience_charges`: what each owner (an organisation) was charged, when, for which release. An
  owner is charged once per release; reading it again is free.
- `audience_owners`: one row per owner, the lock of its check-and-charge.

`transaction` holds the check-and-charge in one transaction: on SQLite a `BEGIN IMMEDIATE` (one
writer at a time), on PostgreSQL a `SELECT ... FOR UPDATE` of the owner's row, so replicas sharing
one database cannot both spend the same budget. The tables are defined, and created when missing,
with the rest of the app's state (`recassist.state.schema`)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from recassist.state import schema
from recassist.state.schema import CHARGES, OWNERS, RELEASES


@dataclass(frozen=True)
class Stored:
    """A release as stored: the noisy counts and what they cost when first made."""

    counts: np.ndarray
    scale: float
    epsilon: float


def to_bytes(counts: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(counts, dtype=np.int64), allow_pickle=False)
    return buffer.getvalue()


def from_bytes(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


class ReleaseStore:
    """Releases and the ledger on one engine; each method opens its own connection."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.clock = engine, clock
        schema.create(engine)

    @contextmanager
    def transaction(self, owner: str) -> Iterator[Connection]:
        """A transaction that holds `owner`'s budget: no other check-and-charge of that owner
        (SQLite: of anyone) runs until it ends. Commits when the block ends, rolls back when it
        raises."""
        self._ensure_owner(owner)
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.begin()  # the engine begins IMMEDIATE (recassist.state.database): one writer
            else:
                conn.execute(
                    select(OWNERS.c.owner).where(OWNERS.c.owner == owner).with_for_update()
                )
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _ensure_owner(self, owner: str) -> None:
        with self.engine.connect() as conn:
            if conn.execute(select(OWNERS.c.owner).where(OWNERS.c.owner == owner)).first() is None:
                try:
                    conn.execute(insert(OWNERS).values(owner=owner))
                    conn.commit()
                except IntegrityError:  # another process made it first
                    conn.rollback()

    @staticmethod
    def stored(conn: Connection, key: str) -> Stored | None:
        row = conn.execute(
            select(RELEASES.c.counts, RELEASES.c.scale, RELEASES.c.epsilon).where(
                RELEASES.c.key == key
            )
        ).first()
        return (
            None
            if row is None
            else Stored(from_bytes(row.counts), float(row.scale), float(row.epsilon))
        )

    def read(self, key: str) -> Stored | None:
        with self.engine.connect() as conn:
            return self.stored(conn, key)

    @staticmethod
    def put(
        conn: Connection, key: str, snapshot: str, name: str, release: Stored, at: float
    ) -> Stored:
        """Store a release unless one with `key` is there already, and return the stored one: two
        owners releasing the same query at once on two replicas get the first draw, and the second
        draw is never shown."""
        insert_for = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        statement = insert_for(RELEASES).values(
            key=key,
            snapshot=snapshot,
            name=name,
            counts=to_bytes(release.counts),
            scale=release.scale,
            epsilon=release.epsilon,
            at=at,
        )
        conn.execute(statement.on_conflict_do_nothing(index_elements=[RELEASES.c.key]))
        return ReleaseStore.stored(conn, key) or release

    @staticmethod
    def charged(conn: Connection, owner: str, key: str) -> bool:
        """Whether `owner` was ever charged for the release `key` (then reading it is free)."""
        query = (
            select(CHARGES.c.id).where(CHARGES.c.owner == owner, CHARGES.c.release == key).limit(1)
        )
        return conn.execute(query).first() is not None

    @staticmethod
    def add_charge(conn: Connection, owner: str, key: str, epsilon: float, at: float) -> None:
        conn.execute(insert(CHARGES).values(owner=owner, release=key, epsilon=epsilon, at=at))

    def spent(self, owner: str, since: float, conn: Connection | None = None) -> float:
        """What `owner` was charged after `since` (a Unix time)."""
        query = select(func.coalesce(func.sum(CHARGES.c.epsilon), 0.0)).where(
            CHARGES.c.owner == owner, CHARGES.c.at > since
        )
        if conn is not None:
            return float(conn.execute(query).scalar_one())
        with self.engine.connect() as fresh:
            return float(fresh.execute(query).scalar_one())
