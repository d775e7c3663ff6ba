"""Which kinds of film a message asks for, read from its tagged spans: the tags wanted, required
together ("a romantic comedy"), ruled out, allowed again and forgotten ("forget the 90s"), how
many of each ("3 comedies and 2 dramas") and less of a kind ("nothing too scary, maybe a
thriller"). Parts of the parser's reading (`assistant.parser`), kept apart to keep it small."""

from __future__ import annotations

from recassist.assistant.bounds import names_length
from recassist.language.spans import Kind, Tagged
from recassist.language.tags import TagMatcher, TagMention


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


def dropped(tagged: Tagged, forget: list[tuple[int, int]]) -> tuple[list[TagMention], bool, bool]:
    """What "forget ...", "drop ...", "any year" drop: the tags named, whether the seeds go (a
    forgotten seed, or a forget clause naming no tag or decade), whether the years go."""
    if not forget:
        return [], False, bool(tagged.cues("any_year", raw=True))
    mentions = list(tagged.mentions)
    forgotten = [m for m in mentions if any(s <= m.start < e for s, e in forget)]
    decades = tagged.of(Kind.decade, raw=True)

    def has_decade(s: int, e: int) -> bool:
        return any(s <= d.start and d.end <= e for d in decades)

    def has_year(s: int, e: int) -> bool:
        return any(
            s <= t.start
            and t.end <= e
            and (
                tagged.text[t.start : t.end] in ("year", "years", "decade")
                or len(t.low) == 4
                and t.low.isdigit()
            )
            for t in tagged.tokens
        )

    drop_seeds = any(any(s <= a < e for s, e in forget) for a, _ in tagged.seeds) or any(
        not any(s <= m.start < e for m in forgotten)
        and not has_decade(s, e)
        and not names_length(tagged, s, e)  # "forget the length"
        for s, e in forget
    )
    drop_years = bool(tagged.cues("any_year", raw=True)) or any(
        has_decade(s, e) or has_year(s, e) for s, e in forget
    )
    return forgotten, drop_seeds, drop_years


def tags_of(tagged: Tagged, tags: TagMatcher, forget, forgotten) -> dict[str, list[str]]:
    """The tags wanted, required together, ruled out and allowed again."""
    mentions = [m for m in tagged.mentions if m not in forgotten]
    compounds = tags.compounds(tagged.text, mentions) if len(mentions) > 1 else []
    said = [m.tag for m in mentions if not m.negated]
    allow = list(dict.fromkeys(said)) if tagged.cues("allow", outside=forget) else []
    include = list(dict.fromkeys(t for t in said if t not in allow))
    exclude = list(dict.fromkeys(m.tag for m in mentions if m.negated))
    kids = tags.canonical("for kids")
    child = bool(tagged.cues("child", outside=forget) and kids)
    if tagged.cues("adult") and kids:  # "forget the kids" too
        exclude = list(dict.fromkeys([*exclude, kids]))  # "not for kids": once
    elif child:  # "for my 8 year old"
        include = list(dict.fromkeys([*include, kids]))
    include = [t for t in include if t not in exclude]
    # "a romantic comedy": Romance and Comedy, each required; one compound only, and not beside an
    # "or" ("a romantic comedy or a western" stays any of them): a request holds one set of
    # required tags.
    every = [t for t in compounds[0] if t in include] if len(compounds) == 1 else []
    if len(every) < 2 or (set(include) - set(every) and _said_or(tagged, forget)):
        every = []
    if kids in include and len(include) == 2 and not _said_or(tagged, forget):
        every = include  # "scary movies for kids": who it is for qualifies the kind, as a compound
    include = [t for t in include if t not in every]
    audience = [kids] if child and kids not in exclude else []  # who the films are for: it stands
    return {
        "include": include,
        "every": every,
        "exclude": exclude,
        "allow": allow,
        "audience": audience,
    }


def _said_or(tagged: Tagged, forget) -> bool:
    """Whether "or" stands outside the seeds and what is forgotten ("comedy or romance")."""
    hidden = [*tagged.hard, *forget]
    return any(
        t.low == "or" and not any(s <= t.start < e for s, e in hidden) for t in tagged.tokens
    )


def tag_fields(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """The request's tag fields from the tags `found` (`tags_of`)."""
    return {
        "include_tags": found["include"],
        "all_tags": found["every"],
        "exclude_tags": found["exclude"],
        "allow_tags": found["allow"],
        "audience": found["audience"],
    }
