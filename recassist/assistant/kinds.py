"""How much of each kind of film a message asks for, read from its tagged spans: a count per tag
("3 comedies and 2 dramas") and less of a kind ("nothing too scary, maybe a thriller"). Parts of
the parser's reading (`assistant.parser`), kept apart to keep it small."""

from __future__ import annotations

from recassist.language.spans import Kind, Tagged
from recassist.language.tags import TagMatcher


def mixed(tagged: Tagged, forget) -> dict[str, int]:
    """ "3 comedies and 2 dramas": each count said right before a wanted tag, when two tags or
    more have one; else nothing (one count is the list's)."""
    counts = [c for c in tagged.of(Kind.count) if not c.inside(forget)]
    mix: dict[str, int] = {}
    for c in counts:
        tag = next(
            (m.tag for m in tagged.mentions if not m.negated and c.start <= m.start <= c.end + 1),
            None,
        )
        if tag is not None and tag not in mix:
            mix[tag] = int(c.value)
    return mix if len(mix) >= 2 else {}


def less_of(
    found: dict[str, list[str]],
    seeds: bool,
    unsaid: list[tuple[int, int]],
    text: str,
    tags: TagMatcher,
) -> list[tuple[int, int]]:
    """A wish for less of a kind of film ("nothing too scary") beside another want (a thriller,
    a title): that kind is ruled out, the nearest a filter comes. Alone ("not too scary please"
    after a horror list) or of the kind wanted ("something scary but not that scary"), it is
    left for the ranking (`TurnRequest.milder`): ruling horror out would undo the list. The
    wishes left are returned."""
    wanted = {*found["include"], *found["every"]}
    if not (wanted or seeds):
        return unsaid
    left = []
    for start, end in unsaid:
        kinds = [t for w in text[start:end].lower().split() if (t := tags.canonical(w))]
        if not kinds or set(kinds) & wanted:
            left.append((start, end))
            continue
        found["exclude"] += [t for t in kinds if t not in found["exclude"]]
    ruled_out = set(found["exclude"])
    found["include"] = [t for t in found["include"] if t not in ruled_out]
    return left


def mixed_into(found: dict[str, list[str]], tagged: Tagged, forget) -> dict[str, int]:
    """ "3 comedies and 2 dramas": the count per tag (`mixed`), each tag then wanted on its
    own (none required with another)."""
    mix = mixed(tagged, forget)
    if mix:
        found["include"] = list(dict.fromkeys([*mix, *found["include"], *found["every"]]))
        found["every"] = []
    return mix
