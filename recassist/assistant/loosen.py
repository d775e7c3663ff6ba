"""What the user could let go of when nothing fits: one standing constraint at a time ("any
year", "any length", "sci-fi or western", "Drama is fine"), offered only where letting it go finds
a film not yet shown. The constraints themselves stand until the user lets them go."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from recassist.assistant.session import SessionMemory
from recassist.retrieval.catalogue import Constraints, Item


def nothing_fits(
    now: SessionMemory, items: Mapping[str, Item], history: Callable[[str | None], list[str]]
) -> dict:
    """What the reply says when no film fits: whether a film shown in this session
    (`shown_fit`), or one the user rated (`history`, `rated_fit`), fits every standing constraint
    (then it finds "nothing more", "nothing you have not rated"), and what to let go of
    (`loosened`)."""
    allows, rated = now.constraints.allows, history(now.user_id)
    fit = [any(i in items and allows(items[i]) for i in ids) for ids in (now.shown, rated)]
    return {"shown_fit": fit[0], "rated_fit": fit[1], "loosen": loosened(now, items)}


def loosened(now: SessionMemory, items: Mapping[str, Item]) -> list[str]:
    """The words that would find more films not yet shown or disliked, each letting one constraint
    go; who the films are for ("I'm 12": Children's) last, and kept while another would do: it is
    who the user is, not a wish."""
    c, seen = now.constraints, {*now.shown, *now.dislikes}
    wider: list[tuple[str, Constraints]] = []
    if c.year_min is not None or c.year_max is not None:
        wider.append(("any year", dataclasses.replace(c, year_min=None, year_max=None)))
    if c.length_bound:
        wider.append(("any length", c.any_length()))
    kinds = c.all_tags - c.audience
    if len(kinds) > 1:  # "sci-fi or western" for "sci-fi westerns"
        either = dataclasses.replace(c, include_tags=kinds, all_tags=c.audience)
        wider.append((" or ".join(sorted(kinds)).lower(), either))
    for tag in sorted(c.exclude_tags):
        wider.append(
            (f"{tag} is fine", dataclasses.replace(c, exclude_tags=c.exclude_tags - {tag}))
        )
    unseen = [item for i, item in items.items() if i not in seen]
    found = [said for said, loose in wider if any(loose.allows(item) for item in unseen)]
    grown = dataclasses.replace(c, all_tags=kinds, audience=frozenset())
    if c.audience and not found and any(grown.allows(item) for item in unseen):
        found.append("not for kids")  # the adult cue: the age goes, children's films too
    return found
