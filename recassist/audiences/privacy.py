"""The one gate every marketer number passes: differential privacy on every released count, a budget
per organisation and period kept in the app's database, a minimum segment size judged on noisy
values, no sensitive categories, no identifiers.

How a count leaves (`PrivacyGuard.release`):
1. The caller builds exact counts over *public* labels (attribute values, tags, items, months: never
   keys taken from one person's data) with each person's contribution bounded, and states the bound:
   the L1 sensitivity of the count array under "add or remove one person".
2. The release is looked up by its key (the data snapshot and what is counted). An owner already
   charged for it reads it again for free; another owner is charged its epsilon once and reads the
   same numbers.
3. A release not yet made: inside one transaction the owner's budget is checked (refused with what
   is left when the charge does not fit), then the exact counts are computed, OpenDP's discrete
   Laplace mechanism (scale = sensitivity / epsilon, its cost from OpenDP's own privacy map) noises
   them, and the release and the charge are stored together. The exact counts never leave this call.
4. The noisy counts are stored as drawn (a count may be negative), so that sums over cells stay
   unbiased; answers clip what they show at 0.
5. Everything done with the released numbers afterwards (answers, refusals, charts) is
   post-processing: it costs nothing more and reveals nothing beyond the release.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from recassist.audiences.store import ReleaseStore, Stored
from recassist.data.scrub import scrub_identifiers
from recassist.errors import BudgetExhaustedError, SegmentTooSmallError, SensitiveCategoryError
from recassist.settings import AudienceConfig
from recassist.trust.sensitive import SensitiveCheck

_DAY = 86_400.0
# The 95 % half-width of discrete Laplace noise of scale b is about b * ln(1 / 0.05).
_Z95_LAPLACE = float(np.log(20.0))


@dataclass(frozen=True)
class CountTable:
    """Exact counts over public labels (any shape) and the L1 bound of one person's contribution."""

    counts: np.ndarray
    sensitivity: int


def margin95(scale: float) -> float:
    """Half-width of the 95 % interval of discrete Laplace noise of `scale`."""
    return scale * _Z95_LAPLACE


def noise_drop(scale: float, one_in: int = 1000) -> float:
    """How far under its true value discrete Laplace noise of `scale` puts a count once in `one_in`
    draws (P(noise < -t) is about exp(-t / scale) / 2)."""
    return scale * float(np.log(one_in / 2))


@dataclass(frozen=True)
class Release:
    """Noisy counts as released: the only numbers a marketer ever sees."""

    counts: np.ndarray  # integers as drawn (may be negative), the shape the caller counted
    scale: float  # discrete Laplace scale of the noise on each count
    epsilon: float  # what the release costs an owner (once)
    charged: float  # what this call charged (0: the owner had it already)

    @property
    def margin95(self) -> float:
        """Half-width of the 95 % interval of one count's noise."""
        return margin95(self.scale)


def canonical(query: object) -> str:
    """The canonical JSON text of a query: sorted keys, no spaces."""
    return json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)


def release_key(query: object) -> str:
    return hashlib.sha256(canonical(query).encode()).hexdigest()


def measurement(sensitivity: int, epsilon: float):
    """OpenDP's discrete Laplace mechanism on an integer vector of L1 sensitivity `sensitivity`;
    returns it, its scale and its cost by OpenDP's own privacy map (what is charged)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    scale = sensitivity / epsilon
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    made = dp.m.make_laplace(*space, scale=scale)
    return made, scale, float(made.map(sensitivity))


class PrivacyGuard:
    """The budget ledger and the releases on the app's database, and the rules of `AudienceConfig`.
    Thread- and process-safe: every check-and-charge is one transaction."""

    def __init__(
        self,
        config: AudienceConfig,
        engine: Engine,
        clock: Callable[[], float] = time.time,
        check: SensitiveCheck | None = None,
    ) -> None:
        self.config, self.clock = config, clock
        self.store = ReleaseStore(engine, clock)
        self.check = check or SensitiveCheck()  # words only unless given one with the embedder

    # ------------------------------------------------------------ budget

    def _since(self) -> float:
        return self.clock() - self.config.budget_period_days * _DAY

    def spent(self, owner: str) -> float:
        return self.store.spent(owner, self._since())

    def remaining(self, owner: str) -> float:
        return max(0.0, self.config.epsilon_budget - self.spent(owner))

    # ------------------------------------------------------------ releases

    def release(
        self, owner: str, query: dict, compute: Callable[[], CountTable], epsilon: float
    ) -> Release:
        """The noisy counts of `query`, made once and charged once to each owner that reads them.

        `query` must identify everything the counts depend on; its "snapshot" and "name" are stored.
        """
        key = release_key(query)
        with self.store.transaction(owner) as conn:
            stored = self.store.stored(conn, key)
            if stored is not None and self.store.charged(conn, owner, key):
                return Release(stored.counts, stored.scale, stored.epsilon, 0.0)
            cost = stored.epsilon if stored is not None else None
            if stored is None:
                table = compute()
                made, scale, cost = measurement(table.sensitivity, epsilon)
            self._check_budget(conn, owner, cost)
            now = self.clock()
            if stored is None:
                flat = np.asarray(table.counts, dtype=np.int64).ravel().tolist()
                # stored as drawn, negative counts included: sums of them stay unbiased (clamping
                # each of 294 near-empty cells at 0 added hundreds of people to ML-100k's total)
                noisy = np.asarray(made(flat), dtype=np.int64).reshape(table.counts.shape)
                stored = self.store.put(
                    conn,
                    key,
                    str(query.get("snapshot", "")),
                    str(query.get("name", "")),
                    Stored(noisy, scale, cost),
                    now,
                )
            self.store.add_charge(conn, owner, key, cost, now)
        return Release(stored.counts, stored.scale, stored.epsilon, cost)

    def _check_budget(self, conn, owner: str, cost: float) -> None:
        spent = self.store.spent(owner, self._since(), conn)
        budget = self.config.epsilon_budget
        if spent + cost > budget + 1e-9:
            raise BudgetExhaustedError(
                f"privacy budget exhausted for '{owner}': this release costs epsilon {cost:g}, "
                f"{max(0.0, budget - spent):.2f} of {budget:g} remains in this "
                f"{self.config.budget_period_days}-day period; questions answered from releases "
                "already made stay free"
            )

    # ------------------------------------------------------------ rules

    def require_size(self, noisy_size: float, what: str = "the segment") -> None:
        """Refuse a segment whose privacy-protected size is below the minimum: one plain message,
        the same whatever the true size."""
        minimum = self.config.min_segment_size
        if noisy_size < minimum:
            raise SegmentTooSmallError(
                f"{what} has fewer than {minimum} people (judged on its privacy-protected count), "
                "the minimum for any answer; widen it (fewer criteria, a wider age range)"
            )

    def sensitive_term(self, text: str) -> str | None:
        """What in `text` names or means a sensitive category (`recassist.trust.sensitive`), or
        None."""
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

    def reportable(self, labels: Iterable[str]) -> list[str]:
        """`labels` without those in a sensitive category: never reported as an interest."""
        return [label for label in labels if self.sensitive_term(label) is None]

    @staticmethod
    def scrub(text: str) -> str:
        """Free text with direct identifiers removed: before it is stored or sent to the LLM."""
        return scrub_identifiers(text)
