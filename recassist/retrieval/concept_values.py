"""The values concepts are made of: a `Concept` (a named kind of film, subject, keyword or person
and the catalogue items that have it), a `ConceptMatch` (one a message asked for), the graph
relations concepts come from and the kinds that are someone (`PEOPLE`). Kept apart from the index
(`retrieval.concepts`) that matches messages against them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

RELATIONS = {
    "genre": "film.film.genre",
    "subject": "film.film.subjects",
    "country": "film.film.country",
    "language": "film.film.language",
    "award": "film.film.award_won",
    "director": "film.film.directed_by",
    "actor": "film.film.actor",
    "writer": "film.film.written_by",
}
KEYWORD = "keyword"  # a TMDb keyword (`data.film_keywords`), not a graph entity
PEOPLE = ("director", "actor", "writer")  # kinds that are someone: "directed by Alfred Hitchcock"


@dataclass(frozen=True)
class Concept:
    """One named entity (of the graph, a TMDb keyword, a credited person) and the catalogue items
    that have it."""

    entity: str
    kind: str  # genre, subject, country, language, award, keyword; director, actor, writer
    names: tuple[str, ...]  # as written; the first is how a reply names it: "heist film"
    phrases: tuple[tuple[str, ...], ...]  # each name's words, singular, generic words left out
    words: frozenset[str]  # single words that say it on their own, singular
    members: frozenset[str]
    specificity: float  # in (0, 1]: 1 for the rarest concept, near 0 for one most items have
    # item id -> how much of the item this kind is, for a catalogue genre: 1 / its genres (Platoon
    # is a war film through and through; Star Wars, with five genres, partly); absent: 1
    share: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)

    @property
    def credit(self) -> str:
        """How a sentence credits a person with their films ("directed by"); else ""."""
        return {"director": "directed by", "actor": "with", "writer": "written by"}.get(
            self.kind, ""
        )

    @property
    def spoken(self) -> str:
        """How a sentence says an item has it: "a heist film", "about the Mafia", "in French"."""
        name = self.names[0]
        if self.kind in PEOPLE:
            return f"{'a film ' if self.kind == 'actor' else ''}{self.credit} {name}"
        if self.kind == "subject":
            return f"about {name}"
        if self.kind == KEYWORD:  # TMDb's own words, quoted: "hitman"; "robot" or "android"
            said = [f'"{w}"' for w in [name, *sorted(self.words - {name})]]
            listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"
            return f"tagged {listed} on TMDb"
        if self.kind == "language":
            return name
        return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


@dataclass(frozen=True)
class ConceptMatch:
    """A concept the message asked for, how surely (0-1), and the words that said it."""

    concept: Concept
    score: float
    said: str
