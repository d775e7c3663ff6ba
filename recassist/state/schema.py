"""The tables of the app's durable state, for SQLite and PostgreSQL alike, created when missing.

`create(engine)` is the one place tables are created, those of the ads ledger, feedback and the
marketers' releases and charges alike. It runs `CREATE TABLE IF NOT EXISTS` for each (SQLAlchemy's `checkfirst`): every
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
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

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


# the marketers' noisy releases (written once), what each owner was charged for them, and one row
# per owner that a check-and-charge locks (`audiences.store`)
RELEASES = Table(
    "audience_releases",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("snapshot", String(128), nullable=False),
    Column("name", String(64), nullable=False),
    Column("counts", LargeBinary, nullable=False),
    Column("scale", Float, nullable=False),
    Column("epsilon", Float, nullable=False),
    Column("at", Float, nullable=False),
)
CHARGES = Table(
    "audience_charges",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(200), nullable=False, index=True),
    Column("release", String(64), nullable=False),
    Column("epsilon", Float, nullable=False),
    Column("at", Float, nullable=False),
)
OWNERS = Table("audience_owners", METADATA, Column("owner", String(200), primary_key=True))


def create(engine: Engine, tries: int = 3) -> None:
    """Create the tables that are missing, every table of the app's state (ads, feedback,
    audiences) at once. Replicas starting together may both see a table missing and both create
    it: the loser's error (PostgreSQL: a unique-name error; SQLite: "already exists") means the
    table now exists, so look again. A server that does not answer raises
    `StateUnavailableError`."""
    for attempt in range(tries):
        try:
            METADATA.create_all(engine, checkfirst=True)
            return
        except DBAPIError as err:
            if _lost_race(err):
                if attempt == tries - 1:
                    raise
                continue
            if unreachable(err):
                raise StateUnavailableError(
                    f"the state database is not answering: {err.orig}"
                ) from err
            raise


def _lost_race(err: DBAPIError) -> bool:
    """Whether creating a table failed because another process created it first."""
    if isinstance(err, (IntegrityError, ProgrammingError)):
        return True
    return isinstance(err, OperationalError) and "already exists" in str(err.orig).lower()
