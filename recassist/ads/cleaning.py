"""Checking an ads file, row by row: the generic item checks, then money, advertiser, targeting
and the ad's own words.

`targeting` says who may see an ad, as a JSON object or, in a CSV cell, as `key=value` pairs
separated by ';' with '|' between values (`tags=Sci-Fi|Action; age=18-34; genders=F|M`). Any
targeting key or value, title, text or tag that names or means a sensitive category (GDPR Art. 9
and politics, by `recassist.trust.sensitive`) is refused, naming the file, the row and the field;
so is targeting the data set does not hold. The first bad row fails the whole file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from recassist.data.cleaning import RawTable, clean_items
from recassist.data.readers import ROW
from recassist.data.schema import TAG_SEPARATOR
from recassist.errors import InputFileError, SensitiveTargetingError
from recassist.settings import AdsConfig, ImportConfig
from recassist.trust.allow import refusal
from recassist.trust.sensitive import SensitiveCheck

COLUMNS = ("ad_id", "advertiser", "title", "text", "tags", "bid", "daily_budget", "targeting")
TARGETING_KEYS = ("tags", "age", "genders", "locations")
_PAIR_SEPARATOR = ";"
_FILE_ROW = "file_row"
_AGE = re.compile(r"^\s*(\d{1,3})?\s*-\s*(\d{1,3})?\s*$")


@dataclass(frozen=True)
class Targeting:
    tags: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    genders: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()


def values(value: object) -> list[str]:
    """A list cell's values (a list, or text with '|' between values), stripped, empties dropped."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(TAG_SEPARATOR) if v.strip()]


def _raw_targeting(value: object, fail) -> dict[str, object]:
    """The targeting cell as a key -> value mapping (a dict from JSON Lines, JSON text, or key=value
    pairs)."""
    if isinstance(value, dict):
        return value
    text = (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    )
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as err:
            fail("targeting", f"not valid JSON: {err.msg}")
        if not isinstance(parsed, dict):
            fail("targeting", "must be a JSON object")
        return parsed
    out: dict[str, object] = {}
    for pair in text.split(_PAIR_SEPARATOR):
        if not pair.strip():
            continue
        key, sep, rest = pair.partition("=")
        if not sep:
            fail(
                "targeting",
                f"'{pair.strip()[:40]}' is not key=value (keys: {', '.join(TARGETING_KEYS)})",
            )
        out[key.strip().lower()] = rest.strip()
    return out


def refuse_sensitive(check: SensitiveCheck, text: str, field: str, fail) -> None:
    """Fail the row when `text` names or means a sensitive category (recassist.trust.sensitive)."""
    found = check.check(text)
    if found is not None:
        fail(
            field,
            f"'{text[:80]}' {found.reason()}, a sensitive category; ads may not target or "
            "address it, remove it",
            SensitiveTargetingError,
        )


def parse_targeting(
    value: object, config: AdsConfig, *, file: str, row: int, check: SensitiveCheck | None = None
) -> Targeting:
    """One targeting cell, checked (keys from `TARGETING_KEYS`; no key or value in a sensitive
    category, by `check`, words only when None); errors name the file, the row and the targeting
    field."""
    check = check or SensitiveCheck()

    def fail(field: str, reason: str, error: type[InputFileError] = InputFileError):
        raise error(file, reason, row=row, field=field)

    raw = _raw_targeting(value, fail)
    for key, given in raw.items():
        key = str(key).strip().lower()
        if key not in TARGETING_KEYS:
            refuse_sensitive(check, key, f"targeting.{key}", fail)
            fail(
                f"targeting.{key}",
                f"unknown targeting key '{key}' (use {', '.join(TARGETING_KEYS)})",
            )
        if key in ("tags", "genders", "locations"):
            for part in values(given):
                refuse_sensitive(check, part, f"targeting.{key}", fail)
    age_min = age_max = None
    if "age" in raw and str(raw["age"]).strip():
        age = raw["age"]
        match = _AGE.match(
            f"{age[0]}-{age[1]}" if isinstance(age, (list, tuple)) and len(age) == 2 else str(age)
        )
        if not match or not any(match.groups()):
            fail("targeting.age", f"age '{age}' is not a range like 18-34 (or 18- / -34)")
        age_min = int(match.group(1)) if match.group(1) else None
        age_max = int(match.group(2)) if match.group(2) else None
        if age_min is not None and age_max is not None and age_min > age_max:
            fail("targeting.age", f"age range {age_min}-{age_max} is empty")
    return Targeting(
        tags=tuple(values(raw.get("tags", ""))),
        age_min=age_min,
        age_max=age_max,
        genders=tuple(g.upper() for g in values(raw.get("genders", ""))),
        locations=tuple(values(raw.get("locations", ""))),
    )


def _money(frame: pd.DataFrame, column: str, limit: float, file: str) -> pd.Series:
    values = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    bad = ~((values > 0) & (values <= limit))
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise InputFileError(
            file,
            f"{column} '{frame[column].iat[i]}' must be a number above 0 and at most {limit:,g}",
            row=int(frame[ROW].iat[i]),
            field=column,
        )
    return values.astype(float)


def clean_ads(
    raw: RawTable,
    config: AdsConfig,
    imports: ImportConfig,
    check: SensitiveCheck | None = None,
    permitted: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """The checked ads table: the item checks of the generic import, then money, advertiser,
    targeting (within `permitted`, the data set's tags and genders, when given), and the ad's own
    words (title, text, tags) against the sensitive categories (`check`)."""
    check = check or SensitiveCheck()
    items = _checked_items(raw, imports)
    advertiser, bid, budget = _money_columns(items, config, raw.file)
    targeting_cells = (
        items["targeting"] if "targeting" in items.columns else pd.Series("", index=items.index)
    )
    targets = [
        parse_targeting(v, config, file=raw.file, row=int(r), check=check)
        for v, r in zip(targeting_cells, items[ROW])
    ]
    if permitted is not None:
        _refuse_unknown_targeting(targets, items[ROW], permitted, raw.file)
    _refuse_sensitive_words(items, check, raw.file)
    return pd.DataFrame(
        {
            "ad_id": items["item_id"],
            "advertiser": advertiser,
            "title": items["title"],
            "text": items["text"],
            "tags": items["tags"],
            "bid": bid,
            "daily_budget": budget,
            "target_tags": [TAG_SEPARATOR.join(t.tags) for t in targets],
            "target_age_min": pd.array([t.age_min for t in targets], dtype="Int64"),
            "target_age_max": pd.array([t.age_max for t in targets], dtype="Int64"),
            "target_genders": [TAG_SEPARATOR.join(t.genders) for t in targets],
            "target_locations": [TAG_SEPARATOR.join(t.locations) for t in targets],
        }
    )


def _refuse_sensitive_words(items: pd.DataFrame, check: SensitiveCheck, file: str) -> None:
    """The first ad whose title, text or tags name or mean a sensitive category fails the import."""
    for column in ("title", "text", "tags"):
        for value, row in zip(items[column].astype(str), items[ROW]):

            def fail(field, reason, error, row=int(row)):
                raise error(file, reason, row=row, field=field)

            refuse_sensitive(check, value, column, fail)


def _refuse_unknown_targeting(targets, rows, permitted: dict[str, set[str]], file: str) -> None:
    """The first targeted tag or gender the data set does not hold fails the import."""
    for target, row in zip(targets, rows):
        for key, values in permitted.items():
            reason = refusal(f"targeting.{key}", getattr(target, key), values)
            if reason:
                raise InputFileError(
                    file,
                    reason + "; target what the data set holds",
                    row=int(row),
                    field=f"targeting.{key}",
                )


def _checked_items(raw: RawTable, imports: ImportConfig) -> pd.DataFrame:
    """The ads as items through the generic item checks (strict), required columns first; errors
    say ad_id where the item checks say item_id, and keep the file's row numbers."""
    frame = raw.frame
    missing = [
        c for c in COLUMNS if c not in frame.columns and c not in ("text", "tags", "targeting")
    ]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if c != ROW)
        raise InputFileError(
            raw.file,
            f"missing required column '{missing[0]}' for ads (columns found: {found})",
            field=missing[0],
        )
    if "targeting" in frame.columns:
        # objects from JSON Lines become JSON text, which the item checks can hash
        frame = frame.assign(
            targeting=frame["targeting"].map(
                lambda v: json.dumps(v) if isinstance(v, (dict, list)) else v
            )
        )
    # The row number rides along as an extra column (clean_items keeps extra columns, not its own
    # `_row`).
    renamed = frame.rename(columns={"ad_id": "item_id"}).assign(**{_FILE_ROW: frame[ROW]})
    try:
        items, _ = clean_items(RawTable(renamed, raw.file), imports, strict=True)
    except InputFileError as err:  # the item checks say item_id; the ads file says ad_id
        field = "ad_id" if err.field == "item_id" else err.field
        raise InputFileError(
            err.file, err.reason.replace("item_id", "ad_id"), row=err.row, field=field
        ) from None
    return items.rename(columns={_FILE_ROW: ROW})


def _money_columns(
    items: pd.DataFrame, config: AdsConfig, file: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Advertiser (never empty), bid and daily budget (within the configured limits, one budget
    per advertiser)."""
    advertiser = items["advertiser"].astype(str).str.strip()
    if (advertiser == "").any():
        i = int((advertiser == "").to_numpy().argmax())
        raise InputFileError(
            file, "empty advertiser", row=int(items[ROW].iat[i]), field="advertiser"
        )
    bid = _money(items, "bid", config.max_bid, file)
    budget = _money(items, "daily_budget", config.max_daily_budget, file)
    first = budget.groupby(advertiser).transform("first")
    if (budget != first).any():
        i = int((budget != first).to_numpy().argmax())
        raise InputFileError(
            file,
            f"daily_budget {budget.iat[i]:g} differs from {first.iat[i]:g} given earlier for "
            f"advertiser '{advertiser.iat[i]}'; a budget is per advertiser, give it the same on "
            "each of its ads",
            row=int(items[ROW].iat[i]),
            field="daily_budget",
        )
    return advertiser, bid, budget
