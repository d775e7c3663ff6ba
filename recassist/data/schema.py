"""The generic schema every data set is converted to (documented in docs/data.md).

items:        item_id, title, [text], [tags: '|'-separated], [any extra metadata columns] users:
user_id, [attribute columns: age, gender, occupation, location, ...] interactions: user_id, item_id,
event, [timestamp], [weight], [extra context columns] social:       src_user_id, dst_user_id, kind
(follow|trust|friend), [timestamp]

Timestamps are epoch seconds or ISO 8601 on the way in and int64 epoch seconds once stored. An
interaction's strength is `weight` (default 1) times its event's configured weight; a rating's
`weight` is its stars. Without a timestamp column every event is stored at 0 and the data set has no
time order (`retrieval.data.timeorder`); a present column must hold a time in every row.
"""

from __future__ import annotations

import re

import pandas as pd

TABLES = ("items", "users", "interactions", "social")

REQUIRED: dict[str, tuple[str, ...]] = {
    "items": ("item_id", "title"),
    "users": ("user_id",),
    "interactions": ("user_id", "item_id", "event"),
    "social": ("src_user_id", "dst_user_id", "kind"),
}

SOCIAL_KINDS = ("follow", "trust", "friend")

# Columns that hold a raw user id: replaced by the keyed hash at import, never stored raw.
USER_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("user_id",),
    "interactions": ("user_id",),
    "social": ("src_user_id", "dst_user_id"),
}

TAG_SEPARATOR = "|"

# A year in parentheses in a title, "Return of the Jedi (1983)" or "Land Before Time III (1995)
# (V)".
_TITLE_YEAR = re.compile(r"\((1[89]\d\d|20\d\d)\)")


def item_years(items: pd.DataFrame) -> pd.Series:
    """Each item's year: the year in its title where the title has one (the original release:
    ML-100k's "Return of the Jedi (1983)" has a 1997 re-release date), else its `year` column (NA
    when neither)."""
    stated = items["year"] if "year" in items.columns else pd.Series(pd.NA, index=items.index)
    titled = items["title"].astype("string").str.findall(_TITLE_YEAR).str[-1]
    return (
        pd.to_numeric(titled, errors="coerce")
        .astype("Int64")
        .fillna(pd.to_numeric(stated, errors="coerce").astype("Int64"))
    )
