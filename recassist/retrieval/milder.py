"""Less of a quality: "nothing too violent", "horror but not too gory", "pas trop sombre".

No tag says how violent or scary a film is, and ruling a kind out would undo a list of that kind
("something scary but not that scary"). The knowledge graph says which films are slashers, war
films or gangster films; the `milder` groups of `data/names/freebase.toml` say which of those kinds
have most of a quality. A film's intensity sums the kinds it is, a catalogue genre counting by its
share of the film's genres (Jaws, action and horror, is half a horror film; The Shining all of
one), so the ranking can put the most intense last (`mildest_first`) and the reply can say which
kinds went last.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from recassist.retrieval.concepts import ConceptIndex
from recassist.retrieval.wording import singular, tokens, word_forms

T = TypeVar("T")


@dataclass(frozen=True)
class Intensity:
    """How much of the qualities asked against each film has, and what the reply says of it."""

    of_item: Mapping[str, float] = field(default_factory=dict)  # item id -> 0 when none
    kinds: tuple[str, ...] = ()  # the kinds of film that have them: "war film", "slasher"
    said: tuple[str, ...] = ()  # the wishes that named a quality the groups know, as written


def intensity(
    index: ConceptIndex | None,
    wishes: Sequence[str],
    genres: Callable[[str], Sequence[str]],
    asked: Collection[str] = (),
) -> Intensity:
    """The intensity of each film for `wishes` ("nothing too violent"); `genres`: an item's
    catalogue genres. A wish naming no known quality ("not too silly") is not in `said`: the
    reply names it as unused. The kinds the request `asked` for (entities) do not count: "a war
    film, not too violent" puts gangster films last, not the war films it wants."""
    if index is None or not wishes:
        return Intensity()
    by_entity = {c.entity: c for c in index.concepts}
    of_item: dict[str, float] = {}
    kinds, said = [], []
    for wish in wishes:
        words = {form for token in tokens(wish) for form in word_forms(token)}
        entities = [
            entity
            for group in index.milder
            if words & {singular(w) for w in group["words"]}
            for entity in group["entities"]
        ]
        concepts = [
            by_entity[e] for e in dict.fromkeys(entities) if e in by_entity and e not in asked
        ]
        if not concepts:
            continue
        said.append(wish)
        for concept in concepts:
            kinds.append(concept.names[0])
            for item_id in concept.members:
                own = genres(item_id)
                part = 1 / len(own) if concept.share and own else 1.0
                of_item[item_id] = of_item.get(item_id, 0.0) + part
    return Intensity(of_item, tuple(dict.fromkeys(kinds)), tuple(said))


def mildest_first(picks: Sequence[T], key: Callable[[T], str], found: Intensity) -> list[T]:
    """`picks` in steps of intensity, the mildest first, each step in the order it had: a film
    that is partly one such kind (a third, a half) before one wholly of it, and that before one
    of two kinds."""
    level = {id(p): min(3, math.ceil(2 * found.of_item.get(key(p), 0.0))) for p in picks}
    return sorted(picks, key=lambda p: level[id(p)])
