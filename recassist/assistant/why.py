"""What an answer about films shown says: why one was shown (its evidence, and what it is not
for a wish for less of a quality), which of the list is best ("which is the best?") or longest,
shortest, newest or oldest ("which one is the longest?"), whether one is of a kind asked ("is it scary?", "is the second one funny?"), and two side by side
("what's the difference between the first and second one?"). Only what the catalogue knows
of the film: its genres, the kinds and subjects the graph and TMDb give it, the most intense kinds
for a quality; never a guess."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from recassist.assistant import replies
from recassist.assistant.ranking import Pick
from recassist.assistant.request import TurnRequest
from recassist.assistant.session import SessionMemory
from recassist.grounding.evidence import phrase
from recassist.retrieval.catalogue import Catalogue, Item, display_title
from recassist.retrieval.concept_values import KEYWORD, PEOPLE
from recassist.retrieval.milder import intensity
from recassist.retrieval.wording import spoken_list


def answer(
    catalogue: Catalogue,
    session: SessionMemory,
    request: TurnRequest,
    pick: Pick,
    liked: tuple[int, int, float],
) -> str:
    """The reply to a question about `pick` (`liked`: how many watched it, liked it, and its
    well-liked share): whether it is of the kind asked (`TurnRequest.about` "kind"), that it is
    the longest or oldest of the list when that was asked (`TurnRequest.shown_most`), else why it
    was shown, led by why it is the best of the list when that was asked."""
    if request.about == "kind":
        return kind(catalogue, pick.item, request.mood or "")
    if request.shown_most:  # "which one is the longest?"
        shown = [catalogue.items[i] for i in session.last_shown if i in catalogue.items]
        return most_shown(pick.item, shown, request.shown_most)
    evidence = "; ".join(phrase(r) for r in pick.reasons) or "it fits your history as a whole"
    text = f"Why {display_title(pick.item.title)}? Because {evidence}."
    wishes = sorted(session.constraints.milder)  # "nothing too violent": what it is not
    milder = intensity(catalogue.concepts, wishes, catalogue.genres)
    if milder.said and not milder.of_item.get(pick.item.item_id):
        text += f" {replies.mild_note(milder.said, milder.kinds)}"
    if request.best:  # "which is the best?": the best liked of those shown, then why
        text = f"{replies.best_shown(pick.item, len(session.last_shown), *liked)} {text}"
    return text


def chosen(
    items: Mapping[str, Item],
    shown: Sequence[str],
    request: TurnRequest,
    liked_by: Callable[[str], tuple[int, int, float]],
) -> str:
    """The film of the `shown` list a question picks: the best liked ("which is the best?"), else
    the longest, shortest, newest or oldest (`TurnRequest.shown_most`) of those whose length or
    year is known; the first shown when none is."""
    if request.best:
        return max(shown, key=lambda i: liked_by(i)[2])
    field, sign = MOST[request.shown_most or "longest"]
    known = [i for i in shown if i in items and getattr(items[i], field)]
    return max(known, key=lambda i: sign * getattr(items[i], field)) if known else shown[0]


def most_shown(item: Item, shown: Sequence[Item], most: str) -> str:
    """ "Of the 5 I showed, The Firm (1993) is the longest at 148 minutes; the shortest is Young
    Guns (1988) at 102 minutes." (or by year: "High Noon (1952) is the oldest; the newest is
    Tombstone (1993)"), from the lengths and years known, and of how many it is not."""
    field, sign = MOST[most]
    known = [i for i in shown if getattr(i, field)]
    what = "the length" if field == "minutes" else "the year"
    if not known:
        return f"I don't know {what} of any of the {len(shown)} I showed."
    other = min(known, key=lambda i: sign * getattr(i, field))
    at = " at {} minutes" if field == "minutes" else ""  # a title says its year
    text = f"Of the {len(shown)} I showed, {display_title(item.title)} is the {most}"
    text += at.format(item.minutes)
    if other is not item:
        text += f"; the {OPPOSITE[most]} is {display_title(other.title)}{at.format(other.minutes)}"
    if unknown := len(shown) - len(known):  # "(I don't know the length of the other 1)"
        text += f" (I don't know {what} of the other {unknown})"
    return text + "."


def kind(catalogue: Catalogue, item: Item, words: str) -> str:
    """Whether `item` is what `words` name ("scary", "a heist film", "too violent"): yes with
    the kind that says so; no with its genres and the kinds asked; or that nothing known says
    it ("on netflix")."""
    title, index = display_title(item.title), catalogue.concepts
    found = index.match(words) if index is not None and words else []
    matches = [m.concept for m in found if m.concept.kind not in PEOPLE]
    strong = intensity(index, [words], catalogue.genres) if words else None
    has = [c for c in matches if item.item_id in c.members]
    tags = spoken_list(list(item.tags), most=len(item.tags)) or "no genre"
    if has:
        return f'Yes: {title} is {has[0].spoken}, for "{words}".'
    if strong is not None and strong.of_item.get(item.item_id) and index is not None:
        intense = [c for c in index.concepts if c.names[0] in strong.kinds]
        own = [c.spoken for c in intense if item.item_id in c.members] or [intense[0].spoken]
        return f'Yes, for "{words}": {title} is {spoken_list(own, "and")}.'
    kinds = [c.spoken for c in matches] or [
        f"a {k}" for k in (strong.kinds if strong is not None else ())
    ]
    if kinds:
        named = spoken_list(kinds[:4], "or", most=4)
        return f"Not by what I know: {title} is tagged {tags}; it is not {named}."
    return (
        f'I don\'t know whether {title} is "{words}": I know it is tagged {tags}, who made it '
        "and who liked it."
    )


def compare(catalogue: Catalogue, items: list[Item], liked: list[tuple[int, int, float]]) -> str:
    """Two films side by side: each one's genres, year, length and how liked it is here, then
    what both are (the most specific first, people too: "a film with Clint Eastwood") and the
    most specific kind each is and the other is not, a kind the graph knows before a TMDb tag
    ("Only Se7en (1995) is a neo-noir.")."""
    parts = [_profile(item, *counts) for item, counts in zip(items, liked)]
    index = catalogue.concepts
    kinds = [index.of_item(i.item_id) if index is not None else [] for i in items]
    shared = [c for c in kinds[0] if c in kinds[1]]
    if shared:
        parts.append(f"What they share: {spoken_list([c.spoken for c in shared[:3]], 'and')}.")
    for item, own, other in ((items[0], kinds[0], kinds[1]), (items[1], kinds[1], kinds[0])):
        only = [c for c in own if c not in other and c.kind not in PEOPLE]
        only.sort(key=lambda c: c.kind == KEYWORD)  # a kind the graph knows before a TMDb tag
        if only:
            parts.append(f"Only {display_title(item.title)} is {only[0].spoken}.")
    return " ".join(parts)


def _profile(item: Item, watched: int, liked: int, _score: float) -> str:
    """ "Se7en (1995): Crime and Thriller, 127 minutes; 159 of the 236 people here who rated it
    liked it." """
    tags = spoken_list(list(item.tags), most=len(item.tags)) or "no genre"
    length = f", {item.minutes} minutes" if item.minutes else ""
    rated = (
        f"{liked} of the {watched} people here who rated it liked it"
        if watched
        else "no one here has rated it yet"
    )
    return f"{display_title(item.title)}: {tags}{length}; {rated}."


# what "which one is the longest?" goes by: the field, and the sign that makes the most the max
MOST = {
    "longest": ("minutes", 1),
    "shortest": ("minutes", -1),
    "newest": ("year", 1),
    "oldest": ("year", -1),
}
OPPOSITE = {"longest": "shortest", "shortest": "longest", "newest": "oldest", "oldest": "newest"}
