"""Whether the app's state stores answer: for `/healthz` and operators. A store that is down is
reported, not raised: the app still answers chat while its stores are away."""

from __future__ import annotations

import redis
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from recassist.state.cache import DOWN


def database_status(engine: Engine) -> str:
    """ "ok", or "down: <why>" when `SELECT 1` fails."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as err:
        reason = str(err.orig).strip()
        return f"down: {reason.splitlines()[0] if reason else type(err).__name__}"
    return "ok"


def cache_status(client: redis.Redis | None) -> str:
    """ "ok" (or "memory" for the embedded cache), or "down: <why>" when Redis does not answer a
    PING."""
    if client is None:
        return "memory"
    try:
        client.ping()
    except DOWN as err:
        return f"down: {err}"
    return "ok"
