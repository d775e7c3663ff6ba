"""Converters from each real source's files to the generic schema (items, users, interactions,
social): one function per source, named in `data.sources.SOURCES`.

Each takes the unpacked members (key -> path) and returns raw tables that go through the same
import path as a user's own files; what a source lacks (titles, timestamps, user ids) is filled the
way its entry's notes say.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recassist.data.cleaning import RawTable
from recassist.data.readers import read_table
from recassist.data.schema import item_years
from recassist.data.scrub import scrub_identifiers

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


def ml100k(files: dict[str, Path]) -> dict[str, RawTable]:
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


def ml1m(files: dict[str, Path]) -> dict[str, RawTable]:
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


def filmtrust(files: dict[str, Path]) -> dict[str, RawTable]:
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


def obp(files: dict[str, Path]) -> dict[str, RawTable]:
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


def clothing_reviews(files: dict[str, Path]) -> dict[str, RawTable]:
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
