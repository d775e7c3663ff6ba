"""The one SQLAlchemy engine for the app's durable state: SQLite under the data directory unless
`state.database_url` names a server (PostgreSQL for several replicas). Callers write SQLAlchemy Core
against it, so the same code runs embedded and shared."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from recassist.settings import StateConfig

DEFAULT_FILE = "state.sqlite"


def database_url(config: StateConfig, data_dir: Path) -> str:
    """The configured URL, or the embedded SQLite file in `data_dir`."""
    return config.database_url or f"sqlite:///{(data_dir / DEFAULT_FILE).resolve()}"


def engine(config: StateConfig, data_dir: Path) -> Engine:
    """A new engine (one per process and URL; the caller keeps it).

    SQLite gets WAL, a busy timeout, and `BEGIN IMMEDIATE` for every transaction: a check-and-charge
    takes the write lock at its first statement, so threads and processes on one machine wait for
    each other instead of failing when a read lock cannot be upgraded. A server gets a connect
    timeout and a ping before a pooled connection is reused, so a restarted server is reconnected to
    by itself."""
    url = database_url(config, data_dir)
    if url.startswith("sqlite"):
        data_dir.mkdir(parents=True, exist_ok=True)
        made = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(made, "connect")
        def _pragmas(connection, _record) -> None:
            connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(made, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return made
    connect_args = {"connect_timeout": max(1, round(config.connect_timeout_s))}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
