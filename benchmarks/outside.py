""" "Like X" for a film the catalogue lacks, checked against behaviour the answer never saw.

ML-100k ends in 1998; ML-1M, rated in 2000-2003, holds films it lacks (The Matrix, American Beauty,
The Sixth Sense) and ML-100k's films too. For the 40 most-rated ML-1M films that no ML-100k item is
and TMDb knows (`retrieval.outside`; the first 20 chose its weights, the next 20 are reported
apart), the ML-100k assistant is asked "something like <title>" as a
new user (the parser plans, template explanations), and its picks are checked against the seed's 100
nearest ML-100k films by ML-1M co-rating (the cosine of the binary rating columns, over the ML-1M
films ML-100k also has, linked by title and year): people who rated the seed also rated them. The
same share is given for what the assistant answered before it knew such films (the five most
popular ML-100k films, `popular`), and for five random ML-100k films (`random`, the mean over 200
draws). Also: the picks' share with one of the seed's genres (ML-1M's, as the catalogue names
them).

Writes `benchmarks/results/outside-ml-100k.json` and prints a Markdown table.

    RECASSIST_DATA_DIR=.recassist PYTHONPATH=. python benchmarks/outside.py

Needs both data sets fetched (`recassist data fetch ml-100k`, `... ml-1m`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

RESULTS = Path(__file__).resolve().parent / "results"
SEEDS, NEAREST, PICKS = 40, 100, 5  # the first 20 seeds chose the weights; the next 20 did not


def co_rating_nearest(ratings, seeds: list[str], inside: dict[str, str]) -> dict[str, set[str]]:
    """Each seed's `NEAREST` nearest ML-100k items (by id) by ML-1M co-rating, among the ML-1M
    films that are ML-100k items (`inside`: ML-1M id -> ML-100k id)."""
    users = {u: i for i, u in enumerate(ratings["user_id"].unique())}
    films = {f: i for i, f in enumerate(ratings["item_id"].unique())}
    binary = sp.csc_matrix(
        (
            np.ones(len(ratings)),
            (ratings["user_id"].map(users).to_numpy(), ratings["item_id"].map(films).to_numpy()),
        ),
        shape=(len(users), len(films)),
    )
    columns = [films[f] for f in inside if f in films]
    ids = [inside[f] for f in inside if f in films]
    popular = np.asarray(binary.sum(axis=0)).ravel()
    out = {}
    for seed in seeds:
        both = np.asarray((binary[:, films[seed]].T @ binary[:, columns]).todense()).ravel()
        cosine = both / (np.sqrt(popular[films[seed]] * popular[columns]) + 1e-12)
        out[seed] = {ids[j] for j in np.argsort(-cosine)[:NEAREST]}
    return out


def main() -> None:
    from recassist.assistant.agent import Assistant
    from recassist.settings import Settings
    from recassist.surfaces.context import build_context

    parser = argparse.ArgumentParser()
    parser.add_argument("--outside-popularity", type=float, nargs="+", default=[None])
    args = parser.parse_args()
    settings = Settings(data_dir=Path(os.environ.get("RECASSIST_DATA_DIR", ".recassist")))
    ctx = build_context(settings, "ml-100k", progress=lambda line: print(line, file=sys.stderr))
    for weight in args.outside_popularity:  # several: a sweep, printed; none: the default, saved
        update = {"llm_planner": False, "explain_with_llm": False}
        update |= {} if weight is None else {"outside_popularity": weight}
        config = settings.agent.model_copy(update=update)
        run = measure(Assistant(ctx.catalogue, ctx.assistant.serving, None, config), settings)
        if weight is not None:
            print(weight, {k: run[k] for k in ("chosen on", "held out")}, flush=True)
            continue
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "outside-ml-100k.json").write_text(json.dumps(run, indent=1) + "\n")
        table(run)


def measure(assistant, settings) -> dict:
    """The run: each seed's picks and shares, and the shares of the two halves."""
    from recassist.data.store import DatasetStore
    from recassist.retrieval.concept_graph import linked
    from recassist.retrieval.titles import base_title, title_year

    catalogue, outside = assistant.catalogue, assistant.catalogue.outside
    assert outside is not None, "TMDb's films are fetched with ML-100k"
    large = DatasetStore(settings.data_dir).load("ml-1m")
    titles = dict(zip(large.items["item_id"], large.items["title"]))
    genres = dict(zip(large.items["item_id"], large.items["tags"].astype(str)))
    ours = {i: item.title for i, item in catalogue.items.items()}
    found = linked([(base_title(t), title_year(t)) for t in titles.values()], ours)
    inside = {f: i for f, i in zip(titles, found) if i is not None}
    counts = large.interactions["item_id"].value_counts()
    seeds = []
    for film in counts.index:  # most rated first: those people name
        known = outside.find(base_title(titles[film])) if film not in inside else None
        if known is not None and abs((known.year or 0) - (title_year(titles[film]) or 0)) <= 1:
            seeds.append(film)
        if len(seeds) == SEEDS:
            break
    near = co_rating_nearest(large.interactions, seeds, inside)
    popular = list(catalogue.dataset.interactions["item_id"].astype(str).value_counts().index)
    random = np.random.default_rng(0)
    start, rows = time.perf_counter(), []
    for seed in seeds:
        result = assistant.turn(assistant.new_session(None), f"something like {base_title(seed)}")
        picks = [p.item.item_id for p in result.picks[:PICKS]]
        kinds = set(genres[seed].split("|"))
        draws = [random.choice(list(ours), PICKS, replace=False) for _ in range(200)]
        rows.append(
            {
                "seed": seed,
                "picks": [ours[p] for p in picks],
                "near": sum(p in near[seed] for p in picks),
                "popular": sum(p in near[seed] for p in popular[:PICKS]),
                "random": float(np.mean([sum(p in near[seed] for p in d) for d in draws])),
                "genre": sum(bool(kinds & set(catalogue.genres(p))) for p in picks),
                "count": len(picks),
                "cited": sum(p.reasons[0].kind == "like_outside" for p in result.picks[:PICKS]),
            }
        )
    return {
        "seeds": len(rows),
        "chosen on": shares(rows[: SEEDS // 2]),
        "held out": shares(rows[SEEDS // 2 :]),
        "outside_popularity": assistant.config.outside_popularity,
        "seconds": round(time.perf_counter() - start, 1),
        "rows": rows,
        "command": "RECASSIST_DATA_DIR=.recassist PYTHONPATH=. python benchmarks/outside.py",
    }


def table(run: dict) -> None:
    """The run's shares as a Markdown table."""
    chosen, held = run["chosen on"], run["held out"]
    print("| share of picks | first 20 (chose the weights) | next 20 (held out) |")
    print("| --- | ---: | ---: |")
    for key, said in (
        ("near", f"among the seed's {NEAREST} nearest by ML-1M co-rating"),
        ("popular", "the same for the five most popular (the answer before)"),
        ("random", "the same for five random films"),
        ("genre", "with one of the seed's genres"),
        ("cited", "citing the seed (`like_outside`)"),
    ):
        print(f"| {said} | {chosen[key]:.0%} | {held[key]:.0%} |")


def shares(rows: list[dict]) -> dict[str, float]:
    """Each measure's share of the picks (of five a seed for the two baselines)."""
    total = sum(r["count"] for r in rows) or 1
    shown = {"popular": PICKS * len(rows), "random": PICKS * len(rows)}  # five each, always
    return {
        key: round(sum(r[key] for r in rows) / shown.get(key, total), 3)
        for key in ("near", "popular", "random", "genre", "cited")
    }


if __name__ == "__main__":
    main()
