"""The one gate every marketer answer passes: aggregates only, differential privacy on every released
count, a persisted per-key budget, a minimum segment size, no sensitive categories, no identifiers.

How a count leaves:
1. The caller computes exact counts over *public* categories (tags, attribute values, periods: never keys
   taken from the data of one person) with each user's contribution bounded: a user is counted at most
   once per category and in at most `contributions` categories (the L1 sensitivity of the count vector
   under the user-level unit "add or remove one user").
2. `PrivacyGuard.release` looks the canonical query up in the release cache: the same query (same data
   set, same canonical form) gets the stored noisy answer again, at no cost, so averaging repeats gains
   nothing (LinkedIn's PriPeARL does the same with seeded noise).
3. Otherwise it builds an OpenDP measurement (`make_laplace` on integer vectors: discrete Laplace noise
   with scale = contributions / epsilon), asks OpenDP's privacy map what the release costs at that
   sensitivity, charges the key's ledger in SQLite (refusing, with the budget left, when the charge does
   not fit), and only then draws the noise and stores the release. Releases compose sequentially
   (epsilons add); OpenDP's in-memory compositor is replaced by the ledger because it must survive
   restarts.
4. Decisions made from noisy counts (the minimum segment size is checked on the noisy size) are
   post-processing, so they leak nothing beyond the release.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recassist.errors import BudgetExhaustedError, SegmentTooSmallError, SensitiveCategoryError
from recassist.settings import AudienceConfig
from recassist.data.scrub import scrub_identifiers
from recassist.trust.sensitive import SensitiveCheck

_DAY = 86_400.0
# The 95 % half-width of discrete Laplace noise of scale b is about b * ln(1 / 0.05).
_Z95_LAPLACE = float(np.log(20.0))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    principal TEXT NOT NULL, epsilon REAL NOT NULL, query TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS charges_by_principal ON charges (principal, at);
CREATE TABLE IF NOT EXISTS releases (
    query TEXT PRIMARY KEY, labels TEXT NOT NULL, counts TEXT NOT NULL, scale REAL NOT NULL,
    epsilon REAL NOT NULL, at REAL NOT NULL);
"""


@dataclass(frozen=True)
class CountTable:
    """Exact counts over public labels, with the per-user bound the caller enforced."""

    labels: list[str]
    counts: np.ndarray
    contributions: int  # each user adds to at most this many counts, at most 1 each


def margin95(scale: float) -> float:
    """Half-width of the 95 % interval of discrete Laplace noise of `scale`."""
    return scale * _Z95_LAPLACE


def noise_drop(scale: float, one_in: int = 1000) -> float:
    """How far under its true value discrete Laplace noise of `scale` puts a count once in `one_in` draws
    (P(noise < -t) is about exp(-t / scale) / 2)."""
    return scale * float(np.log(one_in / 2))


@dataclass(frozen=True)
class Release:
    """Noisy counts as released: the only numbers a marketer ever sees."""

    labels: list[str]
    counts: np.ndarray  # non-negative integers
    scale: float  # discrete Laplace scale of the noise
    epsilon: float  # what the release cost when it was first made (0 is never stored)
    cached: bool  # True: a stored release given again, at no new cost

    @property
    def margin95(self) -> float:
        """Half-width of the 95 % interval of one count's noise."""
        return margin95(self.scale)

    def get(self, label: str) -> int:
        return int(self.counts[self.labels.index(label)])


def canonical(query: object) -> str:
    """The canonical JSON text of a query: sorted keys, no spaces."""
    return json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)


class PrivacyGuard:
    """Per data directory: the ledger and release cache (`<data_dir>/audiences/ledger.sqlite`) and the rules
    of `AudienceConfig`. Thread-safe: every call opens its own SQLite connection."""

    def __init__(
        self, config: AudienceConfig, path: Path, clock: Callable[[], float] = time.time,
        check: SensitiveCheck | None = None,
    ) -> None:
        self.config, self.path, self.clock = config, path, clock
        self.check = check or SensitiveCheck()  # words only unless given one with the embedder
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.executescript(_SCHEMA)

    @classmethod
    def for_data_dir(cls, config: AudienceConfig, data_dir: Path, check: SensitiveCheck | None = None) -> PrivacyGuard:
        return cls(config, data_dir / "audiences" / "ledger.sqlite", check=check)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # ------------------------------------------------------------ budget

    def spent(self, principal: str) -> float:
        with closing(self._connect()) as db:
            return self._spent(db, principal)

    def _spent(self, db: sqlite3.Connection, principal: str) -> float:
        since = self.clock() - self.config.budget_period_days * _DAY
        row = db.execute("SELECT COALESCE(SUM(epsilon), 0) FROM charges WHERE principal = ? AND at > ?", (principal, since)).fetchone()
        return float(row[0])

    def remaining(self, principal: str) -> float:
        return max(0.0, self.config.epsilon_budget - self.spent(principal))

    # ------------------------------------------------------------ releases

    def release(self, principal: str, query: object, compute: Callable[[], CountTable]) -> Release:
        """The noisy counts of `query` for `principal`: the stored release when this exact query was
        released before, else a new one, paid for from the principal's budget before it is returned.

        `query` must identify everything the counts depend on (the data set's fingerprint included)."""
        key = hashlib.sha256(canonical(query).encode()).hexdigest()
        stored = self._stored(key)
        if stored is not None:
            return stored
        table = compute()
        measurement, scale, epsilon = self._measurement(table.contributions, self.config.epsilon_per_query)
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: the check and the charge are atomic
            try:
                row = db.execute("SELECT labels, counts, scale, epsilon FROM releases WHERE query = ?", (key,)).fetchone()
                if row is not None:
                    db.execute("ROLLBACK")
                    return _release_from_row(row)
                spent = self._spent(db, principal)
                if spent + epsilon > self.config.epsilon_budget + 1e-9:
                    raise BudgetExhaustedError(
                        f"privacy budget exhausted for '{principal}': this query costs epsilon {epsilon:g}, "
                        f"{max(0.0, self.config.epsilon_budget - spent):.2f} of {self.config.epsilon_budget:g} remains "
                        f"in this {self.config.budget_period_days}-day period; repeat an earlier query (free) or wait"
                    )
                now = self.clock()
                db.execute("INSERT INTO charges VALUES (?, ?, ?, ?)", (principal, epsilon, key, now))
                noisy = np.maximum(np.asarray(measurement(table.counts.astype(np.int64).tolist()), dtype=np.int64), 0)
                db.execute(
                    "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?)",
                    (key, json.dumps(table.labels), json.dumps(noisy.tolist()), scale, epsilon, now),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return Release(list(table.labels), noisy, scale, epsilon, cached=False)

    def _stored(self, key: str) -> Release | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT labels, counts, scale, epsilon FROM releases WHERE query = ?", (key,)).fetchone()
        return None if row is None else _release_from_row(row)

    @staticmethod
    def _measurement(contributions: int, epsilon: float):
        """OpenDP's discrete Laplace mechanism on an integer count vector whose L1 sensitivity is
        `contributions`; returns it, its scale and its cost by OpenDP's own privacy map (what is charged)."""
        import opendp.prelude as dp

        dp.enable_features("contrib")
        scale = contributions / epsilon
        space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        measurement = dp.m.make_laplace(*space, scale=scale)
        return measurement, scale, float(measurement.map(contributions))

    # ------------------------------------------------------------ rules

    def require_size(self, noisy_size: int, what: str = "the segment") -> None:
        """Refuse a segment whose privacy-protected size is below the minimum."""
        minimum = self.config.min_segment_size
        if noisy_size < minimum:
            raise SegmentTooSmallError(
                f"{what} has fewer than {minimum} people (judged on its privacy-protected count), the minimum "
                "for any answer; widen it (fewer criteria, wider age range, or 'or' instead of 'and')"
            )

    def sensitive_term(self, text: str) -> str | None:
        """What in `text` names or means a sensitive category (`recassist.trust.sensitive`), or None."""
        found = self.check.check(text)
        return None if found is None else found.reason()

    def refuse_sensitive(self, texts: Iterable[str], what: str) -> None:
        for text in texts:
            term = self.sensitive_term(text)
            if term is not None:
                raise SensitiveCategoryError(
                    f"{what} '{text}' touches a sensitive category ({term}; health, religion, politics, sexuality "
                    "and ethnicity are off limits); choose another criterion"
                )

    def reportable(self, labels: Sequence[str]) -> list[str]:
        """`labels` without those in a sensitive category: never reported as an interest."""
        return [label for label in labels if self.sensitive_term(label) is None]

    @staticmethod
    def scrub(text: str) -> str:
        """Free text with direct identifiers removed: before it is stored or sent to the LLM."""
        return scrub_identifiers(text)


def _release_from_row(row: tuple) -> Release:
    labels, counts, scale, epsilon = row
    return Release(json.loads(labels), np.asarray(json.loads(counts), dtype=np.int64), float(scale), float(epsilon), cached=True)
