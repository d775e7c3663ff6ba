"""The tables of the app's durable state, for SQLite and PostgreSQL alike, created when missing.

`create(engine)` runs `CREATE TABLE IF NOT EXISTS` for each (SQLAlchemy's `checkfirst`): every
replica may call it at start, concurrently, and a table added in a later version appears on the next
start. A column changed in a later version will need a migration (Alembic); none has been needed
yet.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError

from recassist.errors import StateUnavailableError
from recassist.state.transaction import unreachable

METADATA = MetaData()

# each advertiser's spend per UTC day; the day's budget is fixed by the day's first impression
AD_SPEND = Table(
    "ad_spend",
    METADATA,
    Column("dataset", String(100), primary_key=True),
    Column("advertiser", String(200), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("spent_micros", BigInteger, nullable=False, default=0),
    Column("budget_micros", BigInteger, nullable=False),
    CheckConstraint("spent_micros <= budget_micros", name="ad_spend_within_budget"),
)

# impressions of one ad to one user per UTC day: the frequency cap, one row to lock across replicas
AD_CAPS = Table(
    "ad_caps",
    METADATA,
    Column("dataset", String(100), primary_key=True),
    Column("user_key", String(100), primary_key=True),
    Column("ad_id", String(200), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("shown", Integer, nullable=False, default=0),
)

# every impression with its outcome: what the next fit of the click model learns from
AD_IMPRESSIONS = Table(
    "ad_impressions",
    METADATA,
    Column("impression_id", String(40), primary_key=True),
    Column("dataset", String(100), nullable=False),
    Column("ts", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("user_key", String(100), nullable=False),
    Column("ad_id", String(200), nullable=False),
    Column("advertiser", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("pctr", Float, nullable=False),
    Column("similarity", Float, nullable=False),
    Column("price_micros", BigInteger, nullable=False),
    Column("allowance_micros", BigInteger, nullable=False),
    Column("spent_at_serve_micros", BigInteger, nullable=False),
    Column("clicked", Integer, nullable=False, default=0),
    Column("billed", Integer, nullable=False, default=0),
    Column("click_ts", Float),
    Index("ad_impressions_by_dataset", "dataset", "ts"),
)

# thumbs up / down from the app; a client's idempotency key is stored once per data set
FEEDBACK = Table(
    "feedback",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(100), nullable=False),
    Column("idempotency_key", String(100), nullable=False),
    Column("user_id", String(200)),
    Column("item_id", String(500), nullable=False),
    Column("feedback", String(20), nullable=False),
    Column("ts", BigInteger, nullable=False),
    UniqueConstraint("dataset", "idempotency_key", name="feedback_once"),
)


def create(engine: Engine) -> None:
    """Create the tables that are missing. Two replicas starting at once may both try to create a
    table; PostgreSQL then refuses the second (a unique-name error), which is the table existing.
    A server that does not answer raises `StateUnavailableError`."""
    for attempt in range(3):
        try:
            METADATA.create_all(engine, checkfirst=True)
            return
        except (
            IntegrityError,
            ProgrammingError,
        ):  # created by another replica between check and create
            if attempt == 2:
                raise
        except DBAPIError as err:
            if unreachable(err):
                raise StateUnavailableError(
                    f"the state database is not answering: {err.orig}"
                ) from err
            raise
