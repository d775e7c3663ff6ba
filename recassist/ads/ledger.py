"""Spend, frequency caps and ad events in one SQLite file, changed only inside write transactions.

`<data_dir>/ads/<dataset>.ledger.sqlite` holds every impression (pseudonymous user key, ad, position,
predicted click rate, the price per click it would cost, whether it was clicked and billed) and each
advertiser's spend per UTC day. Every decision that reads and then writes takes SQLite's write lock first
(`BEGIN IMMEDIATE`), so concurrent requests, threads or processes, are serialised at the decision:

- serving checks the user's impressions of the ad today against the frequency cap, and the advertiser's
  spend against the paced allowance, and records the impression, in one transaction;
- a click adds its price to the advertiser's spend only when the spend stays within the allowance at that
  moment (`UPDATE ... WHERE spent + price <= allowance`); a click beyond it is logged but not billed, so
  an advertiser never pays more than their budget, however many impressions were in flight.

Money is kept in integer micro-units (1e-6 of the currency), so sums are exact.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

MICROS = 1_000_000
_DAY_SECONDS = 86_400

SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
    advertiser TEXT NOT NULL,
    day TEXT NOT NULL,
    spent_micros INTEGER NOT NULL DEFAULT 0,
    budget_micros INTEGER NOT NULL,
    PRIMARY KEY (advertiser, day),
    CHECK (spent_micros <= budget_micros)
);
CREATE TABLE IF NOT EXISTS impressions (
    impression_id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    day TEXT NOT NULL,
    user_key TEXT NOT NULL,
    ad_id TEXT NOT NULL,
    advertiser TEXT NOT NULL,
    position INTEGER NOT NULL,
    pctr REAL NOT NULL,
    similarity REAL NOT NULL,
    price_micros INTEGER NOT NULL,
    allowance_micros INTEGER NOT NULL,
    spent_at_serve_micros INTEGER NOT NULL,
    clicked INTEGER NOT NULL DEFAULT 0,
    billed INTEGER NOT NULL DEFAULT 0,
    click_ts REAL
);
CREATE INDEX IF NOT EXISTS impressions_cap ON impressions (user_key, ad_id, day);
"""


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def day_share(ts: float) -> float:
    """How much of the UTC day has passed at `ts`, from 0 to 1."""
    return (ts % _DAY_SECONDS) / _DAY_SECONDS


def to_micros(amount: float) -> int:
    return int(round(amount * MICROS))


@dataclass(frozen=True)
class Offer:
    """One ranked candidate the auction would show, with the price per click it would pay."""

    ad_id: str
    advertiser: str
    daily_budget: float
    price: float
    pctr: float
    similarity: float


@dataclass(frozen=True)
class Served:
    impression_id: str
    offer: Offer
    position: int


@dataclass(frozen=True)
class ClickResult:
    impression_id: str
    billed: bool
    price: float
    reason: str


class Ledger:
    """The SQLite ledger of one data set's ads. Each call opens its own connection, so it is thread-safe."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, timeout_s: float = 60.0) -> None:
        self.path, self.clock, self.timeout_s = path, clock, timeout_s
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        db.execute("PRAGMA busy_timeout = %d" % int(self.timeout_s * 1000))
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding SQLite's write lock from its first statement."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    @staticmethod
    def allowance(daily_budget: float, now: float, pacing: str, slack: float) -> int:
        """Micro-units the advertiser may have spent by `now`: even pacing spreads the budget over the day."""
        share = 1.0 if pacing == "none" else min(1.0, day_share(now) + slack)
        return int(to_micros(daily_budget) * share)

    def serve(
        self, user_key: str, offers: Sequence[Offer], k: int, *, frequency_cap: int, pacing: str, slack: float
    ) -> list[Served]:
        """Record impressions of the first `k` offers that pass the user's frequency cap and their
        advertiser's paced budget (room left for at least one click at its price); one transaction."""
        now = self.clock()
        day = day_of(now)
        served: list[Served] = []
        advertisers_shown: set[str] = set()
        with self._write() as db:
            for offer in offers:
                if len(served) >= k:
                    break
                if offer.advertiser in advertisers_shown:  # one slot per advertiser in a response
                    continue
                (seen,) = db.execute(
                    "SELECT COUNT(*) FROM impressions WHERE user_key = ? AND ad_id = ? AND day = ?",
                    (user_key, offer.ad_id, day),
                ).fetchone()
                if seen >= frequency_cap:
                    continue
                # the day's budget is fixed by the day's first impression: a new budget applies from the next day
                db.execute(
                    "INSERT OR IGNORE INTO spend (advertiser, day, spent_micros, budget_micros) VALUES (?, ?, 0, ?)",
                    (offer.advertiser, day, to_micros(offer.daily_budget)),
                )
                spent, budget = db.execute(
                    "SELECT spent_micros, budget_micros FROM spend WHERE advertiser = ? AND day = ?",
                    (offer.advertiser, day),
                ).fetchone()
                allowance = self.allowance(budget / MICROS, now, pacing, slack)
                price = to_micros(offer.price)
                if spent + price > allowance:
                    continue
                impression = secrets.token_urlsafe(12)
                db.execute(
                    "INSERT INTO impressions (impression_id, ts, day, user_key, ad_id, advertiser, position, pctr,"
                    " similarity, price_micros, allowance_micros, spent_at_serve_micros)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (impression, now, day, user_key, offer.ad_id, offer.advertiser, len(served) + 1, offer.pctr,
                     offer.similarity, price, allowance, spent),
                )
                served.append(Served(impression, offer, len(served) + 1))
                advertisers_shown.add(offer.advertiser)
        return served

    def click(self, impression_id: str, user_key: str, *, pacing: str, slack: float) -> ClickResult:
        """Log a click on an impression the user was shown; bill its price if the paced budget has room."""
        now = self.clock()
        with self._write() as db:
            row = db.execute(
                "SELECT advertiser, day, price_micros, clicked, user_key FROM impressions WHERE impression_id = ?",
                (impression_id,),
            ).fetchone()
            if row is None or row[4] != user_key:
                return ClickResult(impression_id, False, 0.0, "unknown impression for this user")
            advertiser, day, price, clicked, _ = row
            if clicked:
                return ClickResult(impression_id, False, 0.0, "already clicked")
            (budget,) = db.execute(
                "SELECT budget_micros FROM spend WHERE advertiser = ? AND day = ?", (advertiser, day)
            ).fetchone()
            # a click on yesterday's impression is billed against yesterday's whole budget
            allowance = (
                budget if day != day_of(now) else self.allowance(budget / MICROS, now, pacing, slack)
            )
            billed = db.execute(
                "UPDATE spend SET spent_micros = spent_micros + ? WHERE advertiser = ? AND day = ?"
                " AND spent_micros + ? <= ?",
                (price, advertiser, day, price, allowance),
            ).rowcount == 1
            db.execute(
                "UPDATE impressions SET clicked = 1, billed = ?, click_ts = ? WHERE impression_id = ?",
                (int(billed), now, impression_id),
            )
        return ClickResult(impression_id, billed, price / MICROS if billed else 0.0,
                           "billed" if billed else "over the paced budget: logged, not billed")

    def spend(self, advertiser: str, day: str | None = None) -> float:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT spent_micros FROM spend WHERE advertiser = ? AND day = ?",
                (advertiser, day or day_of(self.clock())),
            ).fetchone()
        return 0.0 if row is None else row[0] / MICROS

    def events(self) -> pd.DataFrame:
        """Every impression with its outcome: what the next fit of the click model learns from."""
        with closing(self._connect()) as db:
            return pd.read_sql_query("SELECT * FROM impressions ORDER BY ts", db)
