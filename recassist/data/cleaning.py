"""Validate and clean raw tables into the generic schema, with a report of every row dropped and
why.

Exact duplicate rows are dropped and counted. Any other bad row (a placeholder item among them,
`PLACEHOLDER_TITLES`) is rejected with its reason, the file, the 1-based row and the field. In
strict mode the first rejected row fails the import; otherwise the import fails only when a table
loses more than `max_rejected_share` of its rows (a file that cannot really be used). Both failures
raise `InputFileError`, before anything is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recassist.data.readers import ROW
from recassist.data.schema import REQUIRED, SOCIAL_KINDS, TAG_SEPARATOR
from recassist.errors import InputFileError
from recassist.settings import ImportConfig

_EXAMPLES_PER_REASON = 3
# An item row whose title is only one of these words and that has no tags is a data set's
# placeholder (ML-100k's item 267 "unknown"), not an item anyone could be recommended; its
# interactions go with it.
PLACEHOLDER_TITLES = frozenset({"unknown", "untitled", "n/a", "none", "null", "?", "-"})


@dataclass(frozen=True)
class RawTable:
    """One table as read, before cleaning; `file` is how errors name its source."""

    frame: pd.DataFrame
    file: str


@dataclass
class TableReport:
    file: str
    rows_read: int
    rows_kept: int = 0
    exact_duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "exact_duplicates_dropped": self.exact_duplicates,
            "rejected": dict(self.rejected),
            "examples": self.examples,
        }


class _Checker:
    """Applies row checks to one table; a row leaves at its first failed check."""

    def __init__(self, table: str, raw: RawTable, config: ImportConfig, strict: bool) -> None:
        self.table, self.file, self.config, self.strict = table, raw.file, config, strict
        frame = raw.frame
        missing = [c for c in REQUIRED[table] if c not in frame.columns]
        if missing:
            found = ", ".join(str(c) for c in frame.columns if c != ROW)
            raise InputFileError(
                self.file,
                f"missing required column '{missing[0]}' for {table} (columns found: {found})",
                field=missing[0],
            )
        self.frame = frame.reset_index(drop=True)
        self.alive = pd.Series(True, index=self.frame.index)
        self.report = TableReport(file=self.file, rows_read=len(frame))
        self._examples: Counter[str] = Counter()

    def text(self, column: str, *, default: str = "") -> pd.Series:
        """The column as stripped strings; missing values and a missing column become `default`."""
        if column not in self.frame.columns:
            return pd.Series(default, index=self.frame.index, dtype=object)
        values = self.frame[column]
        out = values.astype(object).where(values.notna(), default).astype(str).str.strip()
        self.frame[column] = out
        return out

    def reject(
        self, bad: pd.Series, field: str, reason: str, detail: Callable[[int], str] | None = None
    ) -> None:
        """Reject the live rows where `bad` holds. `detail(index)` words one example (default
        `reason`)."""
        bad = bad.fillna(True).astype(bool) & self.alive
        if not bad.any():
            return
        idx = np.flatnonzero(bad.to_numpy())
        if self.strict:
            i = int(idx[0])
            raise InputFileError(
                self.file,
                detail(i) if detail else reason,
                row=int(self.frame[ROW].iat[i]),
                field=field,
            )
        key = f"{field}: {reason}"
        self.report.rejected[key] += len(idx)
        for i in idx[: max(0, _EXAMPLES_PER_REASON - self._examples[key])]:
            text = detail(int(i)) if detail else reason
            self.report.examples.append(
                f"row {int(self.frame[ROW].iat[int(i)])}, field '{field}': {text}"
            )
            self._examples[key] += 1
        self.alive &= ~bad

    def drop_exact_duplicates(self) -> None:
        columns = [c for c in self.frame.columns if c != ROW]
        dup = self.frame.duplicated(subset=columns) & self.alive
        self.report.exact_duplicates = int(dup.sum())
        self.alive &= ~dup

    def require(self, column: str) -> pd.Series:
        values = self.text(column)
        self.reject(values == "", column, f"empty {column}")
        return values

    def limit_length(self, column: str, values: pd.Series, limit: int) -> None:
        lengths = values.str.len()
        self.reject(
            lengths > limit,
            column,
            f"longer than {limit:,} characters",
            lambda i: (
                f"{column} is {int(lengths.iat[i]):,} characters, over the limit of {limit:,}"
            ),
        )

    def unique(self, column: str, values: pd.Series, *, show_value: bool = True) -> None:
        """Reject later rows that repeat a value of `column`; the first one stays.

        `show_value=False` for user ids, which must not reach a report or a log in the raw."""
        dup = values.where(self.alive).duplicated() & self.alive
        first = ~dup & self.alive
        first_row = dict(zip(values[first], self.frame.loc[first, ROW]))

        def detail(i: int) -> str:
            value = f" '{values.iat[i]}'" if show_value else ""
            return f"duplicate {column}{value} (kept row {first_row.get(values.iat[i])})"

        self.reject(dup, column, f"duplicate {column}", detail)

    def known(
        self, column: str, values: pd.Series, known: set[str], what: str, *, show_value: bool = True
    ) -> None:
        def detail(i: int) -> str:
            return f"unknown {what}" + (f" '{values.iat[i]}'" if show_value else "")

        self.reject(~values.isin(known), column, f"unknown {what}", detail)

    def timestamps(self, column: str, *, optional: bool = False) -> pd.Series:
        """Parsed epoch seconds; rows with a bad value are rejected (and empty ones too unless
        `optional`)."""
        values = self.frame[column]
        seconds = parse_timestamps(values)
        shown = values.astype(str)
        empty = values.isna() | (shown.str.strip() == "")
        self.reject(
            seconds.isna() & ~(empty & optional),
            column,
            "bad timestamp",
            lambda i: f"bad timestamp '{shown.iat[i][:40]}' (use epoch seconds or ISO 8601)",
        )
        return seconds

    def finish(self, columns: Iterable[str]) -> pd.DataFrame:
        kept = self.frame.loc[
            self.alive, [c for c in columns if c in self.frame.columns]
        ].reset_index(drop=True)
        self.report.rows_kept = len(kept)
        lost = sum(self.report.rejected.values())
        limit = self.config.max_rejected_share
        if self.report.rows_read and lost / self.report.rows_read > limit:
            first = self.report.examples[0] if self.report.examples else ""
            raise InputFileError(
                self.file,
                f"{lost:,} of {self.report.rows_read:,} {self.table} rows rejected, over the limit of {limit:.0%} "
                f"(first: {first}); fix the file or raise imports.max_rejected_share",
            )
        return kept


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Epoch seconds (int, float or numeric text) or ISO 8601 text -> float epoch seconds, NaN if
    bad.

    Values that look like epoch milliseconds or lie before 1970 count as bad rather than as wrong
    dates.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values, utc=True)
        return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype(str).str.strip()
    todo = numbers.isna() & (text != "") & values.notna()
    if todo.any():
        stamps = pd.to_datetime(text[todo], format="ISO8601", utc=True, errors="coerce")
        numbers[todo] = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return numbers.where((numbers >= 0) & (numbers < 1e11) & np.isfinite(numbers))


def clean_items(
    raw: RawTable, config: ImportConfig, strict: bool
) -> tuple[pd.DataFrame, TableReport]:
    c = _Checker("items", raw, config, strict)
    c.drop_exact_duplicates()
    ids = c.require("item_id")
    title = c.require("title")
    c.limit_length("title", title, config.max_title_chars)
    c.limit_length("text", c.text("text"), config.max_text_chars)
    tags = c.text("tags").map(_normalise_tags)
    c.frame["tags"] = tags
    c.limit_length("tags", tags, config.max_tags_chars)
    c.reject(
        title.str.lower().isin(PLACEHOLDER_TITLES) & (tags == ""),
        "title",
        "placeholder item",
        lambda i: (
            f"placeholder item '{ids.iat[i]}': its title is '{title.iat[i]}' and it has no tags"
        ),
    )
    c.unique("item_id", ids)
    extra = [col for col in c.frame.columns if col not in (ROW, "item_id", "title", "text", "tags")]
    return c.finish(["item_id", "title", "text", "tags", *extra]), c.report


def clean_users(
    raw: RawTable, config: ImportConfig, strict: bool
) -> tuple[pd.DataFrame, TableReport]:
    c = _Checker("users", raw, config, strict)
    c.drop_exact_duplicates()
    ids = c.require("user_id")
    c.unique("user_id", ids, show_value=False)
    extra = [col for col in c.frame.columns if col not in (ROW, "user_id")]
    return c.finish(["user_id", *extra]), c.report


def clean_interactions(
    raw: RawTable,
    config: ImportConfig,
    strict: bool,
    *,
    events: Mapping[str, float],
    item_ids: set[str],
    user_ids: set[str] | None,
) -> tuple[pd.DataFrame, TableReport]:
    """`user_ids` is None when no users file was given: every user in the interactions is then
    known."""
    c = _Checker("interactions", raw, config, strict)
    c.drop_exact_duplicates()
    users = c.require("user_id")
    items = c.require("item_id")
    event = c.require("event").str.lower()
    c.frame["event"] = event
    known_events = ", ".join(events)
    c.reject(
        ~event.isin(events.keys()),
        "event",
        "unknown event",
        lambda i: f"unknown event '{event.iat[i]}' (known: {known_events})",
    )
    # No timestamp column: the data has no time (every event at 0; the manifest records it as
    # missing).
    c.frame["timestamp"] = c.timestamps("timestamp") if "timestamp" in c.frame.columns else 0.0
    if "weight" in c.frame.columns:
        raw_weight = c.frame["weight"]
        weight = pd.to_numeric(raw_weight.replace("", np.nan), errors="coerce")
        missing = raw_weight.isna() | (raw_weight.astype(str).str.strip() == "")
        c.reject(
            ~missing & ~(np.isfinite(weight) & (weight >= 0)),
            "weight",
            "bad weight",
            lambda i: f"weight '{raw_weight.iat[i]}' is not a number >= 0",
        )
        c.frame["weight"] = weight.where(~missing, 1.0)
    else:
        c.frame["weight"] = 1.0
    c.known("item_id", items, item_ids, "item_id (not in the items file)")
    if user_ids is not None:
        c.known("user_id", users, user_ids, "user_id (not in the users file)", show_value=False)
    extra = [
        col
        for col in c.frame.columns
        if col not in (ROW, "user_id", "item_id", "event", "timestamp", "weight")
    ]
    out = c.finish(["user_id", "item_id", "event", "timestamp", "weight", *extra])
    out["timestamp"] = out["timestamp"].astype("int64")
    out["weight"] = out["weight"].astype("float32")
    return out, c.report


def clean_social(
    raw: RawTable, config: ImportConfig, strict: bool, *, user_ids: set[str]
) -> tuple[pd.DataFrame, TableReport]:
    c = _Checker("social", raw, config, strict)
    c.drop_exact_duplicates()
    src = c.require("src_user_id")
    dst = c.require("dst_user_id")
    kind = c.require("kind").str.lower()
    c.frame["kind"] = kind
    c.reject(
        ~kind.isin(SOCIAL_KINDS),
        "kind",
        "unknown kind",
        lambda i: f"unknown kind '{kind.iat[i]}' (use {', '.join(SOCIAL_KINDS)})",
    )
    c.reject(src == dst, "dst_user_id", "a user linked to themselves")
    if "timestamp" in c.frame.columns:
        c.frame["timestamp"] = c.timestamps("timestamp", optional=True)
    else:
        c.frame["timestamp"] = np.nan
    c.known("src_user_id", src, user_ids, "user", show_value=False)
    c.known("dst_user_id", dst, user_ids, "user", show_value=False)
    c.unique("dst_user_id", src + "\x00" + dst + "\x00" + kind, show_value=False)
    out = c.finish(["src_user_id", "dst_user_id", "kind", "timestamp"])
    out["timestamp"] = out["timestamp"].astype("Int64")
    return out, c.report


def _normalise_tags(value: str) -> str:
    seen: dict[str, None] = {}
    for tag in value.split(TAG_SEPARATOR):
        tag = tag.strip()
        if tag:
            seen.setdefault(tag, None)
    return TAG_SEPARATOR.join(seen)
