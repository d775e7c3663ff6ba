"""What a reply says of who made a film and of its length and year: the answer to a question about
one film ("who directed fargo?", "how long is the first one?", "who's in it?"), as a source says it
(Wikidata's credits and length, the catalogue's year) or that it is not known; and the line over a
list of the films that share a relation asked by name ("more from the director of Alien"). Never
a guess: a film Wikidata does not link has no people named, and the reply says so."""

from __future__ import annotations

from recassist.assistant.replies import spoken_list
from recassist.retrieval.catalogue import Item, display_title
from recassist.retrieval.credits import RELATION_ROLE, Credits

CAST_NAMED = 4  # the cast members a reply names, the best known first
# what was asked -> how the reply says who did it
DONE_BY = {"director": "directed", "writer": "written"}
NOT_KNOWN = {
    "director": "who directed {title}",
    "writer": "who wrote {title}",
    "cast": "who is in {title}",
    "length": "how long {title} is",
    "year": "when {title} came out",
}


def fact_note(item: Item, asked: str, credits: Credits) -> str:
    """The answer to `asked` (a `TurnRequest.about` other than "film") of `item`: its year, its
    length, or its people in the role asked, from its `credits`."""
    title = display_title(item.title)
    if asked == "year" and item.year is not None:
        return f"{title.removesuffix(f' ({item.year})')} came out in {item.year}."
    if asked == "length" and item.minutes:
        return f"{title} is {item.minutes} minutes long ({_hours(item.minutes)})."
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


def _hours(minutes: int) -> str:
    """177 -> '2 h 57 min'; 45 -> 'under an hour'."""
    if minutes < 60:
        return "under an hour"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
