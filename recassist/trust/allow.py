"""Allow-lists: a criterion names only fields and values the data set itself declares.

A marketer's segment and an advertiser's targeting may use a user attribute only with values that
attribute takes in the data set, and an interest only among the catalogue's tags: a value the data
set does not hold (a made-up "religion=catholic", a tag "Muslim films") is refused by name, before
any sensitive-category check has to catch it.
"""

from __future__ import annotations

from collections.abc import Iterable


def unknown_values(values: Iterable[str], permitted: Iterable[str]) -> list[str]:
    """The `values` (compared case-insensitively, trimmed) that are not among `permitted`."""
    allowed = {str(p).strip().lower() for p in permitted}
    return [v for v in values if str(v).strip().lower() not in allowed]


def refusal(
    field: str, values: Iterable[str], permitted: Iterable[str], limit: int = 20
) -> str | None:
    """Why `values` of `field` are refused (the first unknown one and what is known), or None."""
    permitted = sorted({str(p) for p in permitted})
    unknown = unknown_values(values, permitted)
    if not unknown:
        return None
    known = ", ".join(permitted[:limit]) + (", ..." if len(permitted) > limit else "")
    return f"'{unknown[0]}' is not a value of {field} in this data set (known: {known or 'none'})"
