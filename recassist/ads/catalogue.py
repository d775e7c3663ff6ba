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

import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recassist.ads.cleaning import Targeting, clean_ads, values
from recassist.data.cleaning import RawTable
from recassist.data.readers import read_table
from recassist.data.store import DatasetStore
from recassist.errors import (
    AdsNotReadyError,
    DatasetNotFoundError,
)
from recassist.retrieval.embedding import Embedder
from recassist.settings import EmbeddingConfig, Settings
from recassist.trust.sensitive import SensitiveCheck

ADS_FILE = "ads.parquet"
MANIFEST = "manifest.json"


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


def permitted_targeting(dataset: str, settings: Settings) -> dict[str, set[str]] | None:
    """What the data set declares targetable (`recassist.trust.allow`): its catalogue's tags and,
    with a gender column, its users' codes; None when the data set is not imported yet."""
    try:
        data = DatasetStore(settings.data_dir).load(dataset)
    except DatasetNotFoundError:
        return None
    tags = (
        {t for cell in data.items["tags"] for t in values(cell)} if "tags" in data.items else set()
    )
    permitted = {"tags": tags}
    if "gender" in data.users.columns:
        permitted["genders"] = set(data.users["gender"].astype(str).str.upper())
    return permitted


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
            tags=tuple(values(row.target_tags)),
            age_min=None if pd.isna(row.target_age_min) else int(row.target_age_min),
            age_max=None if pd.isna(row.target_age_max) else int(row.target_age_max),
            genders=tuple(values(row.target_genders)),
            locations=tuple(values(row.target_locations)),
        )
        ads[row.ad_id] = Ad(
            ad_id=row.ad_id,
            advertiser=row.advertiser,
            title=row.title,
            text=row.text,
            tags=tuple(values(row.tags)),
            bid=float(row.bid),
            daily_budget=float(row.daily_budget),
            targeting=targeting,
            synthetic=synthetic,
        )
    return AdsCatalogue(
        dataset, ads, synthetic, manifest.get("source", ""), manifest["fingerprint"]
    )
