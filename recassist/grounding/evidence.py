"""What an explanation is made of: catalogue items, the evidence for a recommendation in plain
words, and the template explanation built from that evidence alone.

Items and title forms are the catalogue's (`retrieval.catalogue`); `Reason` is one piece of evidence
(a history item the user liked: the generators cite no other, see `retrieval.interactions`; someone
followed, similar users, popularity, what the user asked for). `reasons_from_evidence` turns the
candidate generators' `Evidence` into reasons; `template_explanation` is the explanation of last
resort, faithful by construction. How each kind is worded (its strength, prompt line, "why" phrase
and template forms) is one table, `data/reasons.toml`: a new kind of evidence words itself from a
row there.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import snowballstemmer

from recassist.data.item_profiles import ItemProfile
from recassist.retrieval.catalogue import Item, display_title, title_year
from recassist.retrieval.generators.base import Evidence, EvidenceKind
from recassist.retrieval.wording import spoken_list

# The kinds of evidence (the generators' own, the graph's and "N people who liked X also liked it")
ReasonKind = EvidenceKind


@dataclass(frozen=True)
class Reason:
    """One piece of evidence in plain words; `item` is set when it is a catalogue item (a history
    item), `count` when the evidence has one (the people who liked both, for `co_liked`),
    `people` when a relation's people are known by name."""

    kind: ReasonKind
    label: str
    item: Item | None = None
    count: int | None = None
    # the people a relation shares, where the films' credits name them ("Ridley Scott" for
    # `same_director`): then its `named` wording says them
    people: tuple[str, ...] = ()

    @property
    def spoken(self) -> str:
        """The label as people say it: a catalogue title with its article in front ('The Godfather
        (1972)')."""
        return display_title(self.label) if self.item is not None else self.label


@dataclass(frozen=True)
class Wording:
    """How one kind of evidence words itself (`data/reasons.toml`): its strength, its evidence line
    in the prompt, its "why" phrase, its template sentences and the openings the model writes on
    from."""

    strength: int
    prompt: str
    why: str
    forms: tuple[str, ...]
    openings: tuple[str, ...] = ()
    # for a count of one ("One of the cast of Fargo is in ..."), where the kind words it apart
    forms_one: tuple[str, ...] = ()
    openings_one: tuple[str, ...] = ()
    # for a relation whose people are named ("{people} directed both {label} and {item}")
    forms_named: tuple[str, ...] = ()
    openings_named: tuple[str, ...] = ()
    prompt_named: str = ""
    why_named: str = ""

    def of(self, reason: Reason, kind: str) -> str | tuple[str, ...]:
        """The `kind` ("forms", "openings", "prompt" or "why") to word `reason` with: those that
        name its people where it has them, those for one where it counts one, if there are such."""
        named = getattr(self, f"{kind}_named")
        if reason.people and named:
            return named
        one = getattr(self, f"{kind}_one", None)
        return one if reason.count == 1 and one else getattr(self, kind)


@cache
def wordings() -> dict[str, Wording]:
    """The wording table, read once on first use (never at import)."""
    path = resources.files("recassist.grounding").joinpath("data/reasons.toml")
    text = path.read_text(encoding="utf-8")
    table = tomllib.loads(text)
    return {
        kind: Wording(
            row["strength"],
            row["prompt"],
            row["why"],
            tuple(row["forms"]),
            tuple(row.get("openings", ())),
            tuple(row.get("forms_one", ())),
            tuple(row.get("openings_one", ())),
            tuple(row.get("forms_named", ())),
            tuple(row.get("openings_named", ())),
            row.get("prompt_named", ""),
            row.get("why_named", ""),
        )
        for kind, row in table.items()
    }


def strongest_first(reasons: Sequence[Reason]) -> list[Reason]:
    """The reasons, the most specific kind first (stable within a kind)."""
    table = wordings()
    return sorted(reasons, key=lambda r: -table[r.kind].strength)


def _fill(template: str, reason: Reason, item: Item | None = None) -> str:
    count = reason.count if reason.count is not None else ""
    title = display_title(item.title) if item is not None else ""
    return template.format(label=reason.spoken, count=count, item=title, people=_people(reason))


def _people(reason: Reason) -> str:
    """The people a relation names, all of them: "Ethan Coen and Joel Coen"; "" for none."""
    return spoken_list(list(reason.people), most=len(reason.people)) if reason.people else ""


def spoken_title(title: str) -> str:
    """A title as people say it, without its year ('The Terminator' for 'Terminator, The (1984)'):
    the form an opening names it in (an explanation states no year)."""
    year = title_year(title)
    spoken = display_title(title)
    return spoken.removesuffix(f" ({year})") if year is not None else spoken


def opening(item: Item, reasons: Sequence[Reason], which: int) -> str:
    """How the explanation of `item` begins: the strongest evidence's opening number `which` (in
    rotation) with its title, count and the item filled in ("118 people who liked Forrest Gump also
    liked Dead Poets Society"); empty when there is no evidence or its kind has no openings.

    The model writes on from it, so that the form of a list's explanations varies by construction
    and the strongest evidence is cited with its count."""
    if not reasons:
        return ""
    reason = strongest_first(reasons)[0]
    openings = wordings()[reason.kind].of(reason, "openings")
    if not openings:
        return ""
    label = spoken_title(reason.label) if reason.item is not None else reason.label
    count = reason.count if reason.count is not None else ""
    text = openings[which % len(openings)].format(
        label=label, count=count, item=spoken_title(item.title), people=_people(reason)
    )
    return text[0].upper() + text[1:]


def reasons_from_evidence(
    evidence: Sequence[Evidence],
    items: Mapping[str, Item],
    *,
    user_names: Mapping[str, str] | None = None,
    limit: int = 3,
) -> list[Reason]:
    """The generators' evidence for one recommended item as at most `limit` reasons, strongest
    first.

    `items` maps item ids to catalogue items (for history evidence); `user_names` maps user ids to
    display names (followed users; a pseudonym is shown otherwise). Neighbour users are summarised
    in one reason.
    """
    reasons: list[Reason] = []
    neighbours = 0
    for ev in sorted(evidence, key=lambda e: -e.contribution):
        if ev.kind in ("history_item", "similar_text") and ev.source in items:
            reasons.append(Reason(ev.kind, items[ev.source].title, items[ev.source]))
        elif ev.kind == "followed_user":
            reasons.append(Reason(ev.kind, (user_names or {}).get(ev.source, f"user {ev.source}")))
        elif ev.kind == "neighbour_user":
            neighbours += 1
        elif ev.kind == "popular":
            reasons.append(Reason(ev.kind, "it is popular with other users"))
    unique = list(dict.fromkeys(reasons))[:limit]
    if neighbours and len(unique) < limit:
        unique.append(Reason("neighbour_user", f"{neighbours} users with tastes like yours"))
    return unique


def phrase(reason: Reason) -> str:
    """One piece of evidence as a "why" answer says it: 'you liked Alien (1979)', '34 people who
    liked Alien (1979) also liked it'."""
    return _fill(wordings()[reason.kind].of(reason, "why"), reason)


def prompt_line(reason: Reason) -> str:
    """One piece of evidence as the explanation prompt lists it: 'liked by 34 people who also liked:
    Alien (1979)'."""
    return f"{_fill(wordings()[reason.kind].of(reason, 'prompt'), reason)}: {reason.spoken}"


def template_explanation(item: Item, reasons: Sequence[Reason], index: int | None = None) -> str:
    """A plain explanation from the strongest evidence alone, in one of its kind's forms (the card's
    `index` in its list chooses it, else the item: the cards of one list read differently); names
    only the item and the evidence. Faithful by construction."""
    if not reasons:
        return f"{display_title(item.title)} is recommended from your history as a whole."
    reason = strongest_first(reasons)[0]
    forms = wordings()[reason.kind].of(reason, "forms")
    which = index if index is not None else zlib.crc32(item.item_id.encode())
    text = _fill(forms[which % len(forms)], reason, item)
    return text[0].upper() + text[1:]


# Evidence that names something specific about the item (a graph relation, people who liked both),
# beside the plainer "you liked X" or "like X"
SPECIFIC_KINDS = frozenset(
    {"sequel", "prequel", "same_director", "same_writer", "shared_cast", "co_liked"}
)


def _stems(text: str) -> set[str]:
    """The stems of the words of four letters or more ("heists" and "heist" are one)."""
    stemmer = snowballstemmer.stemmer("english")
    return set(stemmer.stemWords([w for w in re.findall(r"[a-z]{4,}", text.lower())]))


def theme_reasons(profile: ItemProfile | None, wanted: str | None) -> list[Reason]:
    """The item's profile themes that share a word with what the user asked for ("a bank heist" for
    "clever heist movies"): evidence that the item is about the request, at most one."""
    if profile is None or not wanted:
        return []
    asked = _stems(wanted)
    return [Reason("profile_theme", theme) for theme in profile.themes if _stems(theme) & asked][:1]
