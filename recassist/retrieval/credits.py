"""Who made each film of a catalogue: Wikidata's directors, writers and cast (`data.film_people`),
linked to the catalogue's items by title and year (`concept_graph.load_credits`). What "who
directed fargo?" and "who's in it?" are answered from, and which films share those people: the
knowledge graph misses links ("who's in titanic?": it links no other film by its cast, while
Wikidata has Leonardo DiCaprio in six more of the catalogue's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import cache

from recassist.data.film_people import FilmPeople
from recassist.data.knowledge import entity_names

# a relation asked by name -> the role whose people a film shares for it
RELATION_ROLE = {"same_director": "director", "same_writer": "writer", "shared_cast": "cast"}
FAMOUS = 1_000  # a famous actor comes before any count of films
KNOWN = 5  # the films here of an actor the credits know well, unless named by hand as famous


class Credits:
    """Item id -> its people, by role ("director", "writer", "cast"), and back."""

    def __init__(self, films: Mapping[str, FilmPeople]) -> None:
        self.films = dict(films)
        self._films_of: dict[tuple[str, str], set[str]] = {}
        for item_id, film in self.films.items():
            for role in RELATION_ROLE.values():
                for name in _people(film, role):
                    self._films_of.setdefault((role, name), set()).add(item_id)
        famous = _famous_actors()
        count = Counter(name for film in self.films.values() for name in film.cast)
        # who a cast is known by: the actors named by hand first, then by their films here
        self._fame = {name: n + (FAMOUS if name in famous else 0) for name, n in count.items()}

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.films

    def known(self, name: str) -> bool:
        """Whether an actor is well known: named by hand as famous, or in `KNOWN` films here."""
        return self._fame.get(name, 0) >= KNOWN

    def of(self, item_id: str, role: str) -> tuple[str, ...]:
        """The item's people in `role`; a cast best known first (Wikidata lists it by name)."""
        people = _people(self.films.get(item_id), role)
        if role != "cast":
            return people
        return tuple(sorted(people, key=lambda name: -self._fame.get(name, 0)))

    def shared(self, item_id: str, other: str, relation: str) -> tuple[str, ...]:
        """The people `item_id` and `other` share in the role of `relation`, best known first."""
        role = RELATION_ROLE.get(relation, "")
        theirs = set(self.of(other, role))
        return tuple(name for name in self.of(item_id, role) if name in theirs)

    def sharing(self, item_id: str, relation: str) -> Counter[str]:
        """The other items that share people with `item_id` in the role of `relation`
        ("same_director"), each with how many; none for a relation of no role ("sequel")."""
        role = RELATION_ROLE.get(relation)
        film = self.films.get(item_id)
        if role is None or film is None:
            return Counter()
        out = Counter(
            other
            for name in _people(film, role)
            for other in self._films_of.get((role, name), ())
            if other != item_id
        )
        return out


def _people(film: FilmPeople | None, role: str) -> tuple[str, ...]:
    """The people of `film` in `role`."""
    if film is None:
        return ()
    return {"director": film.directors, "writer": film.writers, "cast": film.cast}.get(role, ())


@cache
def _famous_actors() -> frozenset[str]:
    """The actors the names lists know by hand (`data/names/people.toml`), as they write them."""
    return frozenset(e.names[0] for e in entity_names()[0] if e.kind == "actor")
