"""Spend, frequency caps and ad events in the state database, changed only inside one transaction
each.

The tables are `ad_spend`, `ad_caps` and `ad_impressions` (recassist/state/schema.py) in the app's
state database: SQLite in the data directory by default, PostgreSQL when `state.database_url` names
it, so every replica charges the same rows. Each decision is one transaction
(`state.transaction.run`), and each limit is enforced by a conditional `UPDATE` that the database
applies atomically, under the row's lock, across threads, processes and replicas:

- serving raises the user's count for the ad today only while it is below the frequency cap (`UPDATE
  ad_caps SET shown = shown + 1 WHERE ... AND shown < cap`), checks the advertiser's spend against
  the paced allowance, and records the impression;
- a click adds its price to the advertiser's spend only when the spend stays within the allowance at
  that moment (`UPDATE ... WHERE spent + price <= allowance`); a click beyond it is logged but not
  billed, so an advertiser never pays more than their budget, however many impressions were in
  flight. A click is billed once: the impression is marked clicked in the same transaction.

A database that does not answer raises `StateUnavailableError`: nothing is shown unrecorded and
nothing is charged twice. Money is kept in integer micro-units (1e-6 of the currency), so sums are
exact.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from recassist.state import schema, transaction
from recassist.state.schema import AD_CAPS, AD_IMPRESSIONS, AD_SPEND

MICROS = 1_000_000
_DAY_SECONDS = 86_400


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


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
    """The ads ledger of one data set on the state engine. Thread-safe: each call takes its own
    connection from the engine's pool."""

    def __init__(
        self,
        engine: Engine,
        dataset: str,
        *,
        clock: Callable[[], float] = time.time,
        retries: int = 5,
    ) -> None:
        self.engine, self.dataset, self.clock, self.retries = engine, dataset, clock, retries
        schema.create(engine)

    @staticmethod
    def allowance(daily_budget: float, now: float, pacing: str, slack: float) -> int:
        """Micro-units the advertiser may have spent by `now`: even pacing spreads the budget over
        the day."""
        share = 1.0 if pacing == "none" else min(1.0, day_share(now) + slack)
        return int(to_micros(daily_budget) * share)

    def serve(
        self,
        user_key: str,
        offers: Sequence[Offer],
        k: int,
        *,
        frequency_cap: int,
        pacing: str,
        slack: float,
    ) -> list[Served]:
        """Record impressions of the first `k` offers that pass the user's frequency cap and their
        advertiser's paced budget (room left for at least one click at its price); one transaction.
        """
        now = self.clock()

        def work(db: Connection) -> list[Served]:
            served: list[Served] = []
            for offer in offers:
                if len(served) >= k:
                    break
                if any(
                    s.offer.advertiser == offer.advertiser for s in served
                ):  # one slot per advertiser
                    continue
                spent = self._room(db, offer, now, pacing, slack)
                if spent is None or not self._count_view(
                    db, user_key, offer.ad_id, day_of(now), frequency_cap
                ):
                    continue
                impression = secrets.token_urlsafe(12)
                db.execute(
                    insert(AD_IMPRESSIONS).values(
                        impression_id=impression,
                        dataset=self.dataset,
                        ts=now,
                        day=day_of(now),
                        user_key=user_key,
                        ad_id=offer.ad_id,
                        advertiser=offer.advertiser,
                        position=len(served) + 1,
                        pctr=offer.pctr,
                        similarity=offer.similarity,
                        price_micros=to_micros(offer.price),
                        allowance_micros=spent[1],
                        spent_at_serve_micros=spent[0],
                        clicked=0,
                        billed=0,
                    )
                )
                served.append(Served(impression, offer, len(served) + 1))
            return served

        return transaction.run(self.engine, work, retries=self.retries)

    def _room(
        self, db: Connection, offer: Offer, now: float, pacing: str, slack: float
    ) -> tuple[int, int] | None:
        """(spent, allowance) when the advertiser's paced budget has room for one click at the
        offer's price, else None. The day's budget is fixed by the day's first impression."""
        day = day_of(now)
        key = (
            (AD_SPEND.c.dataset == self.dataset)
            & (AD_SPEND.c.advertiser == offer.advertiser)
            & (AD_SPEND.c.day == day)
        )
        row = db.execute(
            select(AD_SPEND.c.spent_micros, AD_SPEND.c.budget_micros).where(key)
        ).first()
        if row is None:
            try:
                with db.begin_nested():
                    db.execute(
                        insert(AD_SPEND).values(
                            dataset=self.dataset,
                            advertiser=offer.advertiser,
                            day=day,
                            spent_micros=0,
                            budget_micros=to_micros(offer.daily_budget),
                        )
                    )
            except IntegrityError:  # another replica made the day's row first: its budget holds
                pass
            row = db.execute(
                select(AD_SPEND.c.spent_micros, AD_SPEND.c.budget_micros).where(key)
            ).one()
        spent, budget = row
        allowance = self.allowance(budget / MICROS, now, pacing, slack)
        return None if spent + to_micros(offer.price) > allowance else (spent, allowance)

    def _count_view(self, db: Connection, user_key: str, ad_id: str, day: str, cap: int) -> bool:
        """Count one more view of the ad by the user today, if that stays within the cap."""
        key = (
            (AD_CAPS.c.dataset == self.dataset)
            & (AD_CAPS.c.user_key == user_key)
            & (AD_CAPS.c.ad_id == ad_id)
            & (AD_CAPS.c.day == day)
        )
        raised = db.execute(
            update(AD_CAPS).where(key & (AD_CAPS.c.shown < cap)).values(shown=AD_CAPS.c.shown + 1)
        )
        if raised.rowcount == 1:
            return True
        if db.execute(select(AD_CAPS.c.shown).where(key)).first() is not None:
            return False  # at the cap
        try:
            with db.begin_nested():
                db.execute(
                    insert(AD_CAPS).values(
                        dataset=self.dataset, user_key=user_key, ad_id=ad_id, day=day, shown=1
                    )
                )
            return cap >= 1
        except (
            IntegrityError
        ):  # another replica counted the first view at the same moment: count again
            raised = db.execute(
                update(AD_CAPS)
                .where(key & (AD_CAPS.c.shown < cap))
                .values(shown=AD_CAPS.c.shown + 1)
            )
            return raised.rowcount == 1

    def click(self, impression_id: str, user_key: str, *, pacing: str, slack: float) -> ClickResult:
        """Log a click on an impression the user was shown; bill its price if the paced budget has
        room."""
        now = self.clock()

        def work(db: Connection) -> ClickResult:
            imp = AD_IMPRESSIONS.c
            mine = (
                (imp.impression_id == impression_id)
                & (imp.dataset == self.dataset)
                & (imp.user_key == user_key)
            )
            marked = db.execute(
                update(AD_IMPRESSIONS)
                .where(mine & (imp.clicked == 0))
                .values(clicked=1, click_ts=now)
                .returning(imp.advertiser, imp.day, imp.price_micros)
            ).first()
            if marked is None:
                known = db.execute(select(imp.clicked).where(mine)).first()
                reason = "unknown impression for this user" if known is None else "already clicked"
                return ClickResult(impression_id, False, 0.0, reason)
            advertiser, day, price = marked
            billed = self._bill(db, advertiser, day, price, now, pacing, slack)
            if billed:
                db.execute(
                    update(AD_IMPRESSIONS)
                    .where(imp.impression_id == impression_id)
                    .values(billed=1)
                )
            return ClickResult(
                impression_id,
                billed,
                price / MICROS if billed else 0.0,
                "billed" if billed else "over the paced budget: logged, not billed",
            )

        return transaction.run(self.engine, work, retries=self.retries)

    def _bill(
        self,
        db: Connection,
        advertiser: str,
        day: str,
        price: int,
        now: float,
        pacing: str,
        slack: float,
    ) -> bool:
        """Add `price` (micros) to the advertiser's spend of `day` if it stays within the paced
        allowance (a click on yesterday's impression: yesterday's whole budget); whether it did."""
        spend = AD_SPEND.c
        key = (
            (spend.dataset == self.dataset) & (spend.advertiser == advertiser) & (spend.day == day)
        )
        (budget,) = db.execute(select(spend.budget_micros).where(key)).one()
        allowance = (
            budget if day != day_of(now) else self.allowance(budget / MICROS, now, pacing, slack)
        )
        raised = db.execute(
            update(AD_SPEND)
            .where(key & (spend.spent_micros + price <= allowance))
            .values(spent_micros=spend.spent_micros + price)
        )
        return raised.rowcount == 1

    def spend(self, advertiser: str, day: str | None = None) -> float:
        key = (
            (AD_SPEND.c.dataset == self.dataset)
            & (AD_SPEND.c.advertiser == advertiser)
            & (AD_SPEND.c.day == (day or day_of(self.clock())))
        )
        found = transaction.read(
            self.engine, lambda db: db.execute(select(AD_SPEND.c.spent_micros).where(key)).first()
        )
        return 0.0 if found is None else found[0] / MICROS

    def billed_total(self, advertiser: str, day: str | None = None) -> float:
        """The sum of the prices of billed clicks: equals `spend` when every charge was recorded
        once."""
        imp = AD_IMPRESSIONS.c
        query = select(func.coalesce(func.sum(imp.price_micros), 0)).where(
            (imp.dataset == self.dataset)
            & (imp.advertiser == advertiser)
            & (imp.billed == 1)
            & (imp.day == (day or day_of(self.clock())))
        )
        return transaction.read(self.engine, lambda db: db.execute(query).scalar_one()) / MICROS

    def events(self) -> pd.DataFrame:
        """Every impression with its outcome: what the next fit of the click model learns from."""
        query = (
            select(AD_IMPRESSIONS)
            .where(AD_IMPRESSIONS.c.dataset == self.dataset)
            .order_by(AD_IMPRESSIONS.c.ts)
        )
        return transaction.read(self.engine, lambda db: pd.read_sql_query(query, db))
