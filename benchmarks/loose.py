"""Loose messages as people type them: does the chat read them as meant? 26 conversations (turns
joined by " || "), each with what its last reply must say and must not say, on ML-100k, planned by
the parser with template explanations (what every surface shows first, and all of it when the model
is busy). The cases were written by hand from what a demanding user types: run-on questions,
typos, other languages, genre words inside titles, loose dislikes, lists asked for past what the
catalogue has. Some are still missed on purpose: they say what is not built yet.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/loose.py --data-dir .recassist --label NAME

Writes benchmarks/results/loose-<label>.json."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (conversation, the last reply must contain each of these, and none of these)
CASES: list[tuple[str, list[str], list[str]]] = [
    ("i loved forest gump what else would i like", ["like Forrest Gump (1994)"], ["could not"]),
    (
        "loved the shawshank redemtion any other recommendations",
        ["like The Shawshank Redemption (1994)"],
        ["could not"],
    ),
    ("somthing like the godfater", ["like The Godfather (1972)"], ["could not"]),
    ("Loved Fargo! Any other dark comedies?", ["like Fargo (1996)"], ["could not"]),
    ("movies about space but not star wars", ["Noted: not Star Wars (1977)"], ["with no War"]),
    ("star wars 5", ["like The Empire Strikes Back (1980)"], ["tagged War"]),
    ("the godfather 2", ["like The Godfather: Part II (1974)"], ["could not"]),
    (
        "no, I dont like musicals actually, give me a thriller",
        ["tagged Thriller, with no Musical"],
        ["could not", "I didn't use"],
    ),
    # past what the catalogue has: say what would find more, every constraint standing
    ("anything but horror and romance", ["with no Horror or Romance"], ["tagged Romance"]),
    ("romantic comedies from the 80s || more", ['Say "any year"'], ["Try loosening"]),
    ("80s sci-fi westerns", ['Say "sci-fi or western"'], ["Try loosening"]),
    (
        "I hated Titanic. Something with Leonardo DiCaprio?",
        ["Noted: not Titanic (1997)"],
        ["I hated"],
    ),
    (
        "pas de films d'horreur, plutôt une comédie",
        ["tagged Comedy, with no Horror"],
        ["I didn't use"],
    ),
    (
        "what's a good movie for my 8 year old nephew who loves animals",
        ["Here are 5 picks"],
        ["I didn't use"],
    ),
    ("un film romantique des années 90", ["tagged Romance, from 1990 to 1999"], ["I didn't use"]),
    ("Kung fu action from hong kong", ["tagged Action"], ["I didn't use"]),
    ("action movies || something older || why the first one?", ["Why "], ["have not shown"]),
    ("that movie with the shark", ["Jaws (1975)"], []),
    ("what is fargo about?", ["Fargo (1996): Crime, Drama and Thriller"], ["Nothing I know"]),
    (
        "i need something light for a date night with my girlfriend",
        ["Here are 5 picks"],
        ["could not"],
    ),
    ("movies like Toy Story for a family movie night", ["like Toy Story (1995)"], ["could not"]),
    (
        "una película como el padrino pero más divertida",
        ["like The Godfather (1972)"],
        ["could not"],
    ),
    ("le parrain", ["like The Godfather (1972)"], []),
    # less of a quality (built in the seventh session)
    ("something scary but not too gory", ["tagged Horror"], ["I didn't use"]),
    ("scary movies for halloween || not that scary", ["Here are 5 picks"], ["I didn't use"]),
    # not built: a person named (the parser alone)
    ("a western with clint eastwood", ["tagged Western"], ["can't look films up"]),
]


def run(data_dir: Path) -> list[dict]:
    from recassist.assistant.agent import Assistant
    from recassist.settings import Settings
    from recassist.surfaces.context import build_context

    settings = Settings(data_dir=data_dir)
    ctx = build_context(settings, "ml-100k", progress=lambda line: None)
    config = settings.agent.model_copy(update={"llm_planner": False, "explain_with_llm": False})
    assistant = Assistant(ctx.catalogue, ctx.assistant.serving, None, config)
    out = []
    for conversation, wanted, unwanted in CASES:
        session = assistant.new_session(None)
        for message in conversation.split(" || "):
            result = assistant.turn(session, message)
        text = result.message + " " + " ".join(p.item.title for p in result.picks)
        missing = [w for w in wanted if w not in text]
        present = [w for w in unwanted if w in result.message]
        out.append(
            {
                "conversation": conversation,
                "read_as_meant": not (missing or present),
                "missing": missing,
                "present": present,
                "reply": result.message[:300],
            }
        )
    return out


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".recassist")
    parser.add_argument("--label", default="now")
    args = parser.parse_args()
    cases = run(args.data_dir)
    met = sum(c["read_as_meant"] for c in cases)
    result = {
        "label": args.label,
        "load": f"loadavg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "read_as_meant": met,
        "cases": len(cases),
        "results": cases,
    }
    out = ROOT / "benchmarks" / "results" / f"loose-{args.label}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{met} of {len(cases)} read as meant")
    for case in cases:
        if not case["read_as_meant"]:
            print(" -", case["conversation"], case["missing"], case["present"])


if __name__ == "__main__":
    main()
