"""Claims an explanation makes of a relation to another film ("a sequel to Inception", "from the
director of Heat"), checked against the kinds of its evidence: the words of each relation and the
kinds that allow it are data (`data/relations.toml`); and of a film's standing ("a classic"),
which only evidence that it is popular or well liked allows."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources


@cache
def _relations() -> dict[str, dict[str, list[str]]]:
    """The words that claim a graph relation, and the evidence kinds that allow each
    (`data/relations.toml`)."""
    path = resources.files("recassist.grounding").joinpath("data/relations.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def relation_claims(rest: str, kinds: set[str]) -> list[str]:
    """A relation to another film ("a sequel to Inception", "from the director of Heat") that
    no evidence of its kind carries."""
    table, lowered = _relations(), rest.lower()
    problems = []
    for relation, words in table["claims"].items():
        if kinds & set(table["allowed"][relation]):
            continue
        said = next((w for w in words if says(w, lowered)), None)
        if said is not None:
            problems.append(f"says '{said}', a relation its evidence does not carry")
    return problems


def says(form: str, lowered: str) -> bool:
    """Whether lower-case `lowered` has `form` as whole words (a hyphen joins words)."""
    return re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", lowered) is not None


# A film's standing ("a classic", "timeless"): only evidence that it is popular or well liked, or
# one that names it so (a TMDb tag "classic"), allows it; a small model called Houseguest (1994)
# "a classic comedy that has stood the test of time" for being a comedy.
_STANDING = re.compile(
    r"\b(?:classics?|timeless|iconic|masterpieces?|legendary|cult|test of time)\b", re.I
)
STANDING_KINDS = frozenset({"popular", "well_liked"})
# people here who liked both it and the film the list goes by, from which "a classic" is fair: The
# Godfather (168 who liked Star Wars), not Houseguest (4)
STANDING_CO_LIKED = 50


def standing_claims(rest: str, reasons: Sequence[tuple[str, int | None]], said: str) -> list[str]:
    """The problem with calling a film a classic (`rest`: the explanation outside its titles)
    where none of its `reasons` (kind, count) says it is popular or well liked, or liked by at
    least `STANDING_CO_LIKED` of those who liked another film, and what the evidence `said` does
    not name it so."""
    claim = _STANDING.search(rest)
    liked = any(
        kind in STANDING_KINDS or (kind == "co_liked" and (count or 0) >= STANDING_CO_LIKED)
        for kind, count in reasons
    )
    if claim is None or liked or claim.group(0).lower() in said.lower():
        return []
    return ["calls it a classic, which its evidence does not"]
