"""Claims an explanation makes of a relation to another film ("a sequel to Inception", "from the
director of Heat"), checked against the kinds of its evidence: the words of each relation and the
kinds that allow it are data (`data/relations.toml`)."""

from __future__ import annotations

import re
import tomllib
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
