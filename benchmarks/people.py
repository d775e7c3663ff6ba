"""People named in a request ("anything by spielberg", "movies with tom hanks"), found through films
of theirs (`assistant.filmography`): the model proposes films, the knowledge graph must say two of
them share a director (an actor: a cast member).

30 well-known people of the catalogue's years, 15 directors and 15 actors, each with one film of
theirs that ML-100k holds, labelled by hand from film knowledge. Each is asked as a new user would
("anything by <name>" for a director, "movies with <name>" for an actor), through the planner's
reading and `Filmography.resolve` with the default model. A person counts as **found** when the
request now goes by a film and a relation, and as **right** when that film is the labelled one or
shares the relation with it in the graph (the list would hold the labelled film's people). Found
but not right is a wrong person, which the reply shows by naming the two films.

Since the ninth session the famous are also named in `data/names/people.toml` (Freebase ids found
by hand from two or three films each), and a person named there is answered from the graph without
the model: **named** counts those, **right** those whose id holds the labelled film. The table was
written from film knowledge after these 30 were chosen and holds the most famous of the catalogue's
years, these among them, so "named" says how much of this list it covers, not how it generalises.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/people.py --data-dir .recassist
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
DIRECTORS = {
    "Steven Spielberg": "Jaws (1975)",
    "Alfred Hitchcock": "Vertigo (1958)",
    "Stanley Kubrick": "Shining, The (1980)",
    "Quentin Tarantino": "Pulp Fiction (1994)",
    "Martin Scorsese": "Taxi Driver (1976)",
    "Francis Ford Coppola": "Godfather, The (1972)",
    "Robert Zemeckis": "Forrest Gump (1994)",
    "James Cameron": "Terminator, The (1984)",
    "Woody Allen": "Annie Hall (1977)",
    "Tim Burton": "Ed Wood (1994)",
    "Joel Coen": "Fargo (1996)",
    "Ridley Scott": "Alien (1979)",
    "Billy Wilder": "Some Like It Hot (1959)",
    "David Lynch": "Blue Velvet (1986)",
    "Frank Capra": "It's a Wonderful Life (1946)",
}
ACTORS = {
    "Tom Hanks": "Forrest Gump (1994)",
    "Arnold Schwarzenegger": "Terminator, The (1984)",
    "Harrison Ford": "Star Wars (1977)",
    "Jim Carrey": "Mask, The (1994)",
    "Meg Ryan": "Sleepless in Seattle (1993)",
    "Clint Eastwood": "Good, The Bad and The Ugly, The (1966)",
    "Robin Williams": "Good Will Hunting (1997)",
    "Al Pacino": "Godfather, The (1972)",
    "Bruce Willis": "Die Hard (1988)",
    "Julia Roberts": "Pretty Woman (1990)",
    "Sandra Bullock": "Speed (1994)",
    "Mel Gibson": "Braveheart (1995)",
    "Audrey Hepburn": "Roman Holiday (1953)",
    "Jack Nicholson": "Shining, The (1980)",
    "Eddie Murphy": "Beverly Hills Cop (1984)",
}


def main() -> None:
    from recassist.retrieval.concept_values import PEOPLE
    from recassist.settings import Settings
    from recassist.surfaces.context import build_context

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(".recassist"))
    parser.add_argument("--dataset", default="ml-100k")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    context = build_context(settings, args.dataset, progress=lambda line: None)
    assistant = context.assistant
    by_title = {item.title: item_id for item_id, item in assistant.items.items()}
    rows = []
    for kind, people, ask in (
        ("director", DIRECTORS, "anything by"),
        ("actor", ACTORS, "movies with"),
    ):
        for name, film in people.items():
            message = f"{ask} {name.lower()}"
            request = assistant.planner.read(message)[0]
            start = time.perf_counter()
            resolved = assistant.filmography.resolve(request, message)
            seconds = time.perf_counter() - start
            named = [  # the graph's own name for them (`data/names/people.toml`), if any
                m.concept
                for m in assistant.catalogue.concepts.match(name)
                if m.concept.kind in PEOPLE and m.score >= 1.0
            ]
            seed = by_title.get(resolved.seed_titles[0]) if resolved.people_by else None
            right = seed is not None and (
                seed == by_title[film]
                or assistant.candidates.shares(seed, by_title[film], resolved.relation)
            )
            rows.append(
                {
                    "person": name,
                    "kind": kind,
                    "read_as_person": bool(request.people),
                    "found_by": resolved.people_by,
                    "relation": resolved.relation,
                    "right": right,
                    "seconds": round(seconds, 2),
                    "by_name": bool(named),
                    # a person's roles are one kind in the lists (`ConceptIndex.scores`)
                    "by_name_right": by_title.get(film) in {i for c in named for i in c.members},
                }
            )
            print(f"{kind:8s} {name:24s} {resolved.people_by} right={right} {seconds:.1f}s")
    summary = {}
    for kind in ("director", "actor"):
        mine = [r for r in rows if r["kind"] == kind]
        found = [r for r in mine if r["found_by"]]
        summary[kind] = {
            "people": len(mine),
            "found": len(found),
            "right": sum(r["right"] for r in found),
            "wrong": sum(not r["right"] for r in found),
            "mean_seconds": round(sum(r["seconds"] for r in mine) / len(mine), 2),
            "by_name": sum(r["by_name"] for r in mine),
            "by_name_right": sum(r["by_name_right"] for r in mine),
        }
    out = {
        "command": "python benchmarks/people.py --data-dir .recassist",
        "dataset": args.dataset,
        "model": settings.llm.model,
        "load": {"cpu_cores": os.cpu_count(), "loadavg_1m": os.getloadavg()[0]},
        "summary": summary,
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"people-{args.dataset}.json").write_text(json.dumps(out, indent=1) + "\n")
    print("| asked | people | found | right | wrong person | seconds per ask | named | right |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, s in summary.items():
        print(
            f"| {kind}s | {s['people']} | {s['found']} | {s['right']} | {s['wrong']} | "
            f"{s['mean_seconds']} | {s['by_name']} | {s['by_name_right']} |"
        )


if __name__ == "__main__":
    main()
