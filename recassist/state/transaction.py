"""One helper for every read-then-write on the state database: `run(engine, work)` runs `work` in
one transaction, runs it again when the server aborted it to keep transactions serializable
(PostgreSQL's serialization failure or deadlock, SQLite's busy lock), and turns "the server cannot
be reached" into `StateUnavailableError`, so callers refuse (money, privacy budget) or degrade
(chat) on one narrow error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from recassist.errors import StateUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
BACKOFF_S = 0.02


def _sqlstate(err: DBAPIError) -> str | None:
    return getattr(err.orig, "sqlstate", None)


def retryable(err: DBAPIError) -> bool:
    """A transaction the database aborted on purpose and that may simply be run again."""
    return _sqlstate(err) in RETRY_SQLSTATES or "database is locked" in str(err.orig)


def unreachable(err: DBAPIError) -> bool:
    """The server is gone (refused, reset, shut down), as opposed to a bad statement."""
    state = _sqlstate(err) or ""
    return (
        err.connection_invalidated
        or state.startswith(("08", "57P"))  # connection exception, operator intervention (shutdown)
        or (isinstance(err, OperationalError) and not state and not retryable(err))
    )


def run(engine: Engine, work: Callable[[Connection], T], *, retries: int = 5) -> T:
    """`work(connection)` in one transaction, committed when it returns; rolled back and run again
    (up to `retries` times) when the database aborted it as a conflict. The commit has returned
    before this does, so a caller that acknowledges afterwards never acknowledges a lost write."""
    for attempt in range(retries + 1):
        try:
            with engine.begin() as connection:
                return work(connection)
        except DBAPIError as err:
            if retryable(err) and attempt < retries:
                time.sleep(BACKOFF_S * 2**attempt)
                continue
            if unreachable(err):
                raise StateUnavailableError(
                    f"the state database ({engine.url.render_as_string(hide_password=True)}) "
                    f"is not answering: {err.orig}"
                ) from err
            raise
    raise AssertionError("unreachable: the loop returns or raises")


def read(engine: Engine, work: Callable[[Connection], T]) -> T:
    """`work(connection)` for reads only (no retries needed); a server that is down raises
    `StateUnavailableError`."""
    return run(engine, work, retries=0)
