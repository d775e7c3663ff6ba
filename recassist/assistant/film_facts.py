"""What a reply says of who made a film, its length, year, rating and awards: the answer to a
question about one film ("who directed fargo?", "how long is the first one?", "is it ok for
kids?"), as a source says it (Wikidata's credits, length, MPAA rating and awards line, the
catalogue's year) or that it is not known; and the line over a list of the films that share a
relation asked by name ("more from the director of Alien"). Never a guess: a film the credits do
not link has no people named, and the reply says so."""

from __future__ import annotations

from recassist.retrieval.catalogue import Item, display_title
from recassist.retrieval.credits import RELATION_ROLE, Credits
from recassist.retrieval.wording import spoken_list

CAST_NAMED = 4  # the cast members a reply names, the best known first
# what was asked -> how the reply says who did it
DONE_BY = {"director": "directed", "writer": "written"}
# an MPAA rating -> who it is for, as the reply says it (an older rating: near today's PG)
RATED = {
    "G": "for all ages",
    "PG": "some of it may not suit young children",
    "PG-13": "some of it may not suit children under 13",
    "R": "under 17s only with an adult",
    "NC-17": "adults only",
    "X": "adults only",
}
NOT_KNOWN = {
    "director": "who directed {title}",
    "writer": "who wrote {title}",
    "cast": "who is in {title}",
    "length": "how long {title} is",
    "year": "when {title} came out",
}


def fact_note(item: Item, asked: str, credits: Credits) -> str:
    """The answer to `asked` (a `TurnRequest.about` other than "film") of `item`: its year, its
    length, its MPAA rating, its awards, or its people in the role asked, from its `credits`."""
    title = display_title(item.title)
    if asked == "year" and item.year is not None:
        return f"{title.removesuffix(f' ({item.year})')} came out in {item.year}."
    if asked == "length" and item.minutes:
        return f"{title} is {item.minutes} minutes long ({_hours(item.minutes)})."
    film = credits.films.get(item.item_id)
    if asked == "rating":
        return _rated(item, film.rating if film is not None else None)
    if asked == "awards":  # OMDb's line: "Won 2 Oscars. Nominated for 5 Oscars."
        if film is None or not film.awards:
            return f"I know of no awards for {title}."
        return f'{title}: "{film.awards}", as OMDb lists them.'
    people = list(credits.of(item.item_id, asked))
    if not people:
        return f"I don't know {NOT_KNOWN[asked].format(title=title)}."
    if asked != "cast":
        return f"{title} was {DONE_BY[asked]} by {spoken_list(people, most=len(people))}."
    named = spoken_list(people[:CAST_NAMED], most=CAST_NAMED)
    return f"The cast of {title} includes {named} ({len(people)} credited)."


RELATIONS = {  # how a reply says a relation asked for ("who directed Fargo?"): found, not found, no graph
    "same_director": (
        "Films by the director of {title} come first.",
        "by its director",
        "which films share its director",
    ),
    "same_writer": (
        "Films by the writer of {title} come first.",
        "by its writer",
        "which films share its writer",
    ),
    "shared_cast": (
        "Films that share cast with {title} come first.",
        "by its cast",
        "which films share its cast",
    ),
    "sequel": ("The sequel of {title} comes first.", "as its sequel", "which film is its sequel"),
    "prequel": (
        "The prequel of {title} comes first.",
        "as its prequel",
        "which film is its prequel",
    ),
}
PEOPLE = " I know which films share people, not the people's names."
# a relation whose people are known by name ("more from the director of Alien"): who they are
NAMED_BY = {"same_director": "directed", "same_writer": "written"}


def relation_note(
    kind: str, item: Item, found: bool, graph: bool, credits: Credits, answered: bool = False
) -> str:
    """What the reply says of a relation asked by name: that the films with it come first, by
    `item`'s people in that role where its `credits` know them ("More films directed by Ridley
    Scott, as Alien (1979) was, come first"; unless the `answered` question named them already),
    else that their names are not known (the graph links films to people by id); or that no film
    has it, or that the catalogue has nothing to tell it by (no knowledge `graph`, no credits)."""
    first, by, which = RELATIONS[kind]
    title = display_title(item.title)
    people = list(credits.of(item.item_id, RELATION_ROLE.get(kind, "")))
    if not (graph or people):
        return f"This catalogue has no knowledge graph to tell {which}, so these are like {title}."
    if not found:
        return f"No other film of the catalogue is linked to {title} {by}, so these are like it."
    if people and kind in NAMED_BY and not answered:
        named = spoken_list(people, most=len(people))
        return f"More films {NAMED_BY[kind]} by {named}, as {title} was, come first."
    unnamed = kind.startswith(("same_", "shared_")) and not people
    return first.format(title=title) + (PEOPLE if unnamed else "")


def _rated(item: Item, rating: str | None) -> str:
    """ "is it ok for kids?": the film's MPAA rating and who it is for; where none is known, that,
    and its genres (a parent's next clue)."""
    title = display_title(item.title)
    if rating is None:
        kinds = spoken_list(list(item.tags), most=len(item.tags)) if item.tags else "not known"
        return f"I don't know how {title} is rated; its genres are {kinds}."
    meaning = RATED.get(rating, "an older rating, near today's PG")
    return f"{title} is rated {rating}: {meaning}."


def _hours(minutes: int) -> str:
    """177 -> '2 h 57 min'; 45 -> 'under an hour'."""
    if minutes < 60:
        return "under an hour"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
