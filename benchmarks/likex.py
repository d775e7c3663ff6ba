""" "Like X" and forgiven titles on a full data set, through the assistant (the parser plans,
template explanations: this measures the candidates and the title lookup, not the model).

- "Like X" for the 20 most-rated items as seeds, asked by a new user ("something like <title>"): the
  share of picks that share a title word with the seed (franchise sequels aside: a pick whose title
  holds the seed's whole main title, or that the graph links as sequel/prequel), and the share of
  picks among the seed's 100 nearest items by co-rating (cosine of the binary rating columns, ties
  by item row), and the picks' mean share of catalogue genres in common with the seed (Jaccard).
  Run with the knowledge graph's neighbours on (the default) and off (`agent.graph_weight` 0), and
  with the seed's kinds of film not raising what is liked alike (`agent.kind_weight` 0).
- Misspelt or informal titles: each message is planned by the parser and its first title looked up
  as a turn does (`assistant.seeds`); resolved when it names the expected item with certainty.

Writes `benchmarks/results/likex-<dataset>.json` and prints a Markdown table.

    RECASSIST_DATA_DIR=... PYTHONPATH=. python benchmarks/likex.py --dataset ml-100k
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
STOP = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "in",
    "to",
    "on",
    "for",
    "with",
    "at",
    "la",
    "le",
    "les",
    "de",
    "ii",
    "2",
}
# Misspelt and informal titles users write, and the catalogue title each means.
TITLES = [
    ("something like termnator", "Terminator, The (1984)"),
    ("movies like the godfather part two", "Godfather: Part II, The (1974)"),
    ("something like star wars 5", "Empire Strikes Back, The (1980)"),
    ("films like raiders of the lost arc", "Raiders of the Lost Ark (1981)"),
    ("more like lebowski", "Big Lebowski, The (1998)"),
    ("something like silence of the lamb", "Silence of the Lambs, The (1991)"),
    ("movies like shawshank", "Shawshank Redemption, The (1994)"),
    ("something like pulp ficton", "Pulp Fiction (1994)"),
    ("something like indy and the last crusade", "Indiana Jones and the Last Crusade (1989)"),
    ("films like jurasic park but older", "Jurassic Park (1993)"),
]
# Titles the catalogue does not have: each must be said missing, never resolved to another film.
ABSENT = ["something like inception", "movies like the matrix", "something like a rainy sunday"]


def words(title: str) -> set[str]:
    from recassist.retrieval.catalogue import title_key

    return {w for w in title_key(title).split() if w not in STOP and not w.isdigit()}


def franchise(seed: str, pick: str) -> bool:
    """A sequel by its title: the pick's title holds the seed's main title ("Alien" in "Aliens" is
    not)."""
    from recassist.retrieval.catalogue import title_key

    main = title_key(re.split(r": | - ", seed)[0])
    return f" {main} " in f" {title_key(pick)} " or f" {title_key(pick)} " in f" {main} "


def like_x(assistant, data, seeds: list[str], co_rated: dict[str, set[str]], graph) -> dict:
    """Picks for "something like <seed>" per seed: the two shares, and the picks themselves."""
    from recassist.grounding.evidence import SPECIFIC_KINDS
    from recassist.retrieval.catalogue import display_title

    items, rows, shared_word, near, total, specific = assistant.items, [], 0, 0, 0, 0
    overlap = 0.0
    kinds: dict[str, int] = {}
    for seed in seeds:
        session = assistant.new_session(None)
        result = assistant.turn(session, f"something like {display_title(items[seed].title)}")
        picks = [p.item.item_id for p in result.picks]
        linked = set()
        if graph is not None:
            row = data.items.row(seed)
            linked = {
                str(data.items.id(r))
                for r in (
                    graph.series[row].indices.tolist() + graph.series[:, row].nonzero()[0].tolist()
                )
            }
        word = [
            p
            for p in picks
            if words(items[p].title) & words(items[seed].title)
            and not franchise(items[seed].title, items[p].title)
            and p not in linked
        ]
        shared_word += len(word)
        near += sum(p in co_rated[seed] for p in picks)
        overlap += sum(genre_overlap(items[seed].tags, items[p].tags) for p in picks)
        specific += sum(any(r.kind in SPECIFIC_KINDS for r in p.reasons) for p in result.picks)
        for p in result.picks:
            for kind in dict.fromkeys(r.kind for r in p.reasons):
                kinds[kind] = kinds.get(kind, 0) + 1
        total += len(picks)
        rows.append(
            {
                "seed": items[seed].title,
                "picks": [items[p].title for p in picks],
                "title_word": [items[p].title for p in word],
                "note": result.message[:200],
                "why_first": [
                    f"{r.kind}: {r.label}" + (f" ({r.count})" if r.count else "")
                    for r in (result.picks[0].reasons if result.picks else [])
                ],
            }
        )
    return {
        "picks": total,
        "title_word_share": round(shared_word / max(total, 1), 4),
        "co_rated_top100_share": round(near / max(total, 1), 4),
        "specific_evidence_share": round(specific / max(total, 1), 4),
        "genre_overlap": round(overlap / max(total, 1), 4),
        "evidence_kinds": kinds,
        "seeds": rows,
    }


def genre_overlap(seed: tuple[str, ...], pick: tuple[str, ...]) -> float:
    """The share of genres two items have in common (Jaccard)."""
    union = set(seed) | set(pick)
    return len(set(seed) & set(pick)) / len(union) if union else 0.0


def nearest_by_co_rating(data, seed_rows: np.ndarray, k: int = 100) -> dict[str, set[str]]:
    """Each seed's k nearest items by the cosine of the binary rating columns."""
    binary = data.binary.tocsc()
    counts = np.asarray((binary[:, seed_rows].T @ binary).todense())
    pop = np.asarray(binary.sum(axis=0)).ravel()
    cosine = counts / (np.sqrt(np.outer(pop[seed_rows], pop)) + 1e-12)
    cosine[np.arange(len(seed_rows)), seed_rows] = -1
    return {
        str(data.items.id(r)): set(
            map(str, data.items.ids(np.argsort(-cosine[i], kind="stable")[:k]))
        )
        for i, r in enumerate(seed_rows)
    }


def titles(assistant) -> dict:
    from recassist.assistant.seeds import named_titles

    by_title = {item.title: item.item_id for item in assistant.items.values()}
    cases = []
    for message, expected in TITLES:
        request = assistant.planner.read(message)[0]
        named = named_titles(assistant.catalogue, request)
        got = named[0].item_id if named else None
        cases.append(
            {
                "message": message,
                "expected": expected,
                "resolved": got == by_title[expected],
                "got": assistant.items[got].title if got else None,
                "suggested": assistant.items[named[0].suggestion].title
                if named and named[0].suggestion
                else None,
            }
        )
    absent = []
    for message in ABSENT:
        named = named_titles(assistant.catalogue, assistant.planner.read(message)[0])
        absent.append({"message": message, "missing": bool(named) and named[0].seed is None})
    return {
        "resolved": sum(c["resolved"] for c in cases),
        "of": len(cases),
        "cases": cases,
        "absent_said_missing": sum(a["missing"] for a in absent),
        "absent": absent,
    }


def runs(agent) -> list[tuple[str, float, float]]:
    """Each run's name, graph weight and kind weight."""
    return [
        ("co-liked + graph", agent.graph_weight, agent.kind_weight),
        ("co-liked only", 0.0, agent.kind_weight),
        ("co-liked + graph, kinds not raised", agent.graph_weight, 0.0),
    ]


def main() -> None:
    from recassist.assistant.agent import Assistant
    from recassist.data.store import DatasetStore
    from recassist.retrieval.catalogue import Catalogue
    from recassist.retrieval.serving import load_serving_model
    from recassist.retrieval.vector_store import VectorStore, connect
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    settings = Settings()
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    serving = load_serving_model(
        settings, dataset, progress=lambda line: print(line, file=sys.stderr)
    )
    store = VectorStore(connect(settings.chroma, settings.data_dir), args.dataset, settings.chroma)
    catalogue = Catalogue(dataset, store)
    data = serving.data
    popular = np.argsort(-np.asarray(data.binary.sum(axis=0)).ravel(), kind="stable")[: args.seeds]
    seeds = [str(i) for i in data.items.ids(popular)]
    co_rated = nearest_by_co_rating(data, popular)
    graph = serving.fusion.generators.get("knowledge")
    out: dict = {
        "dataset": args.dataset,
        "command": "python benchmarks/likex.py --dataset " + args.dataset,
        "load": {"cpu_cores": os.cpu_count(), "loadavg_1m": os.getloadavg()[0]},
        "fusion_weights": serving.fusion.config.weights,
    }
    start = time.perf_counter()
    agent = settings.agent
    for name, graph_weight, kind_weight in runs(agent):
        config = agent.model_copy(
            update={
                "llm_planner": False,
                "explain_with_llm": False,
                "graph_weight": graph_weight,
                "kind_weight": kind_weight,
            }
        )
        assistant = Assistant(catalogue, serving, None, config)
        out[name] = like_x(assistant, data, seeds, co_rated, graph)
    out["titles"] = titles(assistant)
    out["seconds"] = round(time.perf_counter() - start, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"likex-{args.dataset}.json").write_text(json.dumps(out, indent=1) + "\n")
    print(
        "| like X | title-word share | co-rated top-100 share | genre overlap | specific evidence"
        " | picks |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, _, _ in runs(agent):
        row = out[name]
        print(
            f"| {name} | {row['title_word_share']:.1%} | {row['co_rated_top100_share']:.1%} "
            f"| {row['genre_overlap']:.3f} | {row['specific_evidence_share']:.1%} | {row['picks']} |"
        )
    print(
        f"\ntitles resolved {out['titles']['resolved']}/{out['titles']['of']}, "
        f"absent said missing {out['titles']['absent_said_missing']}/{len(ABSENT)}"
    )


if __name__ == "__main__":
    main()
