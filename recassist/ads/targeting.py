"""Who may see an ad: the user's traits (age, gender, location from the users table; interests from
the tags of their history) against the ad's targeting. A match returns the facts that matched, which
the "why this ad" explanation states; a miss returns None."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from recassist.ads.cleaning import Targeting


@dataclass(frozen=True)
class UserTraits:
    age: int | None = None
    gender: str | None = None
    location: str | None = None
    interests: tuple[str, ...] = ()  # tags of the history items, most frequent first


@dataclass(frozen=True)
class TargetingMatch:
    tags: tuple[str, ...] = ()  # the ad's targeted interests the user has
    age: str | None = None  # "25-34" when the ad targets an age range
    gender: bool = False
    location: bool = False

    def facts(self) -> list[str]:
        out = []
        if self.tags:
            out.append("interest in " + " and ".join(self.tags[:2]))
        if self.age:
            out.append(f"age {self.age}")
        if self.gender:
            out.append("gender")
        if self.location:
            out.append("area")
        return out


def interests(history_tags: Iterable[tuple[str, ...]], limit: int = 8) -> tuple[str, ...]:
    counts = Counter(tag for tags in history_tags for tag in tags)
    return tuple(tag for tag, _ in counts.most_common(limit))


def traits_from_row(row: pd.Series | None, history_tags: Iterable[tuple[str, ...]]) -> UserTraits:
    """Traits from a users-table row (columns age, gender, location when present) and the history's
    tags."""

    def value(column: str) -> str | None:
        if (
            row is None
            or column not in row.index
            or pd.isna(row[column])
            or str(row[column]).strip() == ""
        ):
            return None
        return str(row[column]).strip()

    age = value("age")
    return UserTraits(
        age=int(float(age)) if age is not None and age.replace(".", "", 1).isdigit() else None,
        gender=(value("gender") or "").upper() or None,
        location=value("location"),
        interests=interests(history_tags),
    )


def _age_range(low: int | None, high: int | None) -> str:
    """An age range as people say it: '25-34', '18+', 'up to 34' (an open end is never 'None')."""
    if low is not None and high is not None:
        return f"{low}-{high}"
    return f"{low}+" if low is not None else f"up to {high}"


def match(targeting: Targeting, user: UserTraits) -> TargetingMatch | None:
    """The facts that matched, or None when any targeted dimension does not (unknown traits do not
    match)."""
    tags: tuple[str, ...] = ()
    if targeting.tags:
        wanted = {t.lower() for t in targeting.tags}
        tags = tuple(t for t in user.interests if t.lower() in wanted)
        if not tags:
            return None
    age = None
    if targeting.age_min is not None or targeting.age_max is not None:
        low, high = (
            targeting.age_min or 0,
            targeting.age_max if targeting.age_max is not None else 200,
        )
        if user.age is None or not low <= user.age <= high:
            return None
        age = _age_range(targeting.age_min, targeting.age_max)
    if targeting.genders and (user.gender is None or user.gender not in targeting.genders):
        return None
    if targeting.locations and (
        user.location is None or not user.location.startswith(targeting.locations)
    ):
        return None
    return TargetingMatch(
        tags=tags, age=age, gender=bool(targeting.genders), location=bool(targeting.locations)
    )
