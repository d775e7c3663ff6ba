"""The ads catalogue: imported through the generic import path, checked, and stored per data set.

Columns: `ad_id, advertiser, title, text, tags, bid, daily_budget, targeting`. `bid` is the cost per
click the advertiser offers, `daily_budget` the most they spend in a UTC day (per advertiser: every
ad of one advertiser gives the same). `targeting` says who may see the ad, as a JSON object or, in a
CSV cell, as `key=value` pairs separated by ';' with '|' between values:

    tags=Sci-Fi|Action; age=18-34; genders=F|M; locations=9|10

`tags` are interests (the user's history must carry one), `age` an inclusive range, `genders` the
users' own codes, `locations` prefixes of the user's location (zip codes in MovieLens). An empty
cell targets everyone. An ad whose targeting, title, text or tags name or mean a sensitive category
(GDPR Art. 9 and politics, by `recassist.trust.sensitive`, in six languages and any spelling) is
refused, naming the file, the row and the field. The file goes through `read_table` and
`clean_items` (the generic reader and item checks), strictly: an ad carries money, so the first bad
row fails the import and nothing stored changes.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recassist.data.cleaning import RawTable, clean_items
from recassist.data.readers import ROW, read_table
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import DatasetStore
from recassist.errors import (
    AdsNotReadyError,
    DatasetNotFoundError,
    InputFileError,
    SensitiveTargetingError,
)
from recassist.retrieval.embedding import Embedder
from recassist.settings import AdsConfig, EmbeddingConfig, ImportConfig, Settings
from recassist.trust.allow import refusal
from recassist.trust.sensitive import SensitiveCheck

COLUMNS = ("ad_id", "advertiser", "title", "text", "tags", "bid", "daily_budget", "targeting")
TARGETING_KEYS = ("tags", "age", "genders", "locations")
ADS_FILE = "ads.parquet"
MANIFEST = "manifest.json"
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


@dataclass(frozen=True)
class Ad:
    ad_id: str
    advertiser: str
    title: str
    text: str
    tags: tuple[str, ...]
    bid: float
    daily_budget: float
    targeting: Targeting
    synthetic: bool


@dataclass(frozen=True)
class AdsCatalogue:
    """The stored ads of one data set; `synthetic` is true for the generated demo catalogue."""

    dataset: str
    ads: dict[str, Ad]
    synthetic: bool
    source: str
    fingerprint: str


def _values(value: object) -> list[str]:
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
            for part in _values(given):
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
        tags=tuple(_values(raw.get("tags", ""))),
        age_min=age_min,
        age_max=age_max,
        genders=tuple(g.upper() for g in _values(raw.get("genders", ""))),
        locations=tuple(_values(raw.get("locations", ""))),
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
    if (
        "targeting" in frame.columns
    ):  # objects from JSON Lines become JSON text, which the item checks can hash
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
    items = items.rename(columns={_FILE_ROW: ROW})
    advertiser = items["advertiser"].astype(str).str.strip()
    if (advertiser == "").any():
        i = int((advertiser == "").to_numpy().argmax())
        raise InputFileError(
            raw.file, "empty advertiser", row=int(items[ROW].iat[i]), field="advertiser"
        )
    bid = _money(items, "bid", config.max_bid, raw.file)
    budget = _money(items, "daily_budget", config.max_daily_budget, raw.file)
    first = budget.groupby(advertiser).transform("first")
    if (budget != first).any():
        i = int((budget != first).to_numpy().argmax())
        raise InputFileError(
            raw.file,
            f"daily_budget {budget.iat[i]:g} differs from {first.iat[i]:g} given earlier for advertiser "
            f"'{advertiser.iat[i]}'; a budget is per advertiser, give it the same on each of its ads",
            row=int(items[ROW].iat[i]),
            field="daily_budget",
        )
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


def permitted_targeting(dataset: str, settings: Settings) -> dict[str, set[str]] | None:
    """What the data set declares targetable (`recassist.trust.allow`): its catalogue's tags and,
    with a gender column, its users' codes; None when the data set is not imported yet."""
    try:
        data = DatasetStore(settings.data_dir).load(dataset)
    except DatasetNotFoundError:
        return None
    tags = (
        {t for cell in data.items["tags"] for t in _values(cell)} if "tags" in data.items else set()
    )
    permitted = {"tags": tags}
    if "gender" in data.users.columns:
        permitted["genders"] = set(data.users["gender"].astype(str).str.upper())
    return permitted


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


def _store(settings: Settings) -> DatasetStore:
    """Ads catalogues reuse the data set store's atomic folder swap, under `<data_dir>/ads/`."""
    return DatasetStore(settings.data_dir / "ads")


_CHECKS: dict[str, SensitiveCheck] = {}
_CHECKS_LOCK = threading.Lock()


def shared_check(config: EmbeddingConfig) -> SensitiveCheck:
    """One sensitive check (words and meaning) per embedding configuration in this process, built
    on the first import of an ads file: its embedder loads and its concept vectors are computed
    once, not again for every file imported (the demo ads and each `recassist ads import`)."""
    key = config.model_dump_json()
    with _CHECKS_LOCK:
        if key not in _CHECKS:
            _CHECKS[key] = SensitiveCheck(Embedder(config))
        return _CHECKS[key]


def import_ads(
    dataset: str,
    path: Path,
    settings: Settings,
    *,
    synthetic: bool = False,
    check: SensitiveCheck | None = None,
) -> AdsCatalogue:
    """Read, check and store the ads file `path` as the ads catalogue of `dataset` (atomic).

    `check` is the app's sensitive check when it has one; else the process's shared one."""
    raw = RawTable(read_table(path), str(path))
    check = check or shared_check(settings.embedding)
    ads = clean_ads(
        raw, settings.ads, settings.imports, check, permitted_targeting(dataset, settings)
    )
    manifest = {
        "source": f"import:{path.name}",
        "synthetic": synthetic,
        "counts": {"ads": len(ads)},
    }
    _store(settings).save(dataset, {"ads": ads}, manifest)
    return load_ads(dataset, settings)


def load_ads(dataset: str, settings: Settings) -> AdsCatalogue:
    store = _store(settings)
    if not store.exists(dataset):
        raise AdsNotReadyError(
            f"no ads catalogue for '{dataset}'; run `recassist ads import {dataset} FILE` "
            f"(or `recassist ads demo --dataset {dataset}` for the synthetic demo catalogue)"
        )
    manifest = store.manifest(dataset)
    frame = pd.read_parquet(store.path(dataset) / ADS_FILE)
    synthetic = bool(manifest.get("synthetic"))
    ads = {}
    for row in frame.itertuples(index=False):
        targeting = Targeting(
            tags=tuple(_values(row.target_tags)),
            age_min=None if pd.isna(row.target_age_min) else int(row.target_age_min),
            age_max=None if pd.isna(row.target_age_max) else int(row.target_age_max),
            genders=tuple(_values(row.target_genders)),
            locations=tuple(_values(row.target_locations)),
        )
        ads[row.ad_id] = Ad(
            ad_id=row.ad_id,
            advertiser=row.advertiser,
            title=row.title,
            text=row.text,
            tags=tuple(_values(row.tags)),
            bid=float(row.bid),
            daily_budget=float(row.daily_budget),
            targeting=targeting,
            synthetic=synthetic,
        )
    return AdsCatalogue(
        dataset, ads, synthetic, manifest.get("source", ""), manifest["fingerprint"]
    )
