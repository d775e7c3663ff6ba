"""What an explanation is made of: catalogue items, the evidence for a recommendation in plain words, and
the template explanation built from that evidence alone.

Items and title forms are the catalogue's (`retrieval.catalogue`); `Reason` is one piece of evidence (a
history item the user liked: the generators cite no other, see `retrieval.interactions`; someone followed,
similar users, popularity, what the user asked for). `reasons_from_evidence` turns the candidate
generators' `Evidence` into reasons; `template_explanation` is the explanation of last resort, faithful by
construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import snowballstemmer

from recassist.data.item_profiles import ItemProfile
from recassist.retrieval.catalogue import Item, display_title
from recassist.retrieval.generators.base import Evidence, EvidenceKind


@dataclass(frozen=True)
class Reason:
    """One piece of evidence in plain words; `item` is set when it is a catalogue item (a history item)."""

    kind: EvidenceKind
    label: str
    item: Item | None = None

    @property
    def spoken(self) -> str:
        """The label as people say it: a catalogue title with its article in front ('The Godfather (1972)')."""
        return display_title(self.label) if self.item is not None else self.label


def reasons_from_evidence(
    evidence: Sequence[Evidence], items: Mapping[str, Item], *, user_names: Mapping[str, str] | None = None, limit: int = 3
) -> list[Reason]:
    """The generators' evidence for one recommended item as at most `limit` reasons, strongest first.

    `items` maps item ids to catalogue items (for history evidence); `user_names` maps user ids to display
    names (followed users; a pseudonym is shown otherwise). Neighbour users are summarised in one reason.
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
    """One piece of evidence as a "why" answer says it: 'you liked Alien (1979)', 'you asked for "..."'."""
    label = reason.spoken
    return {
        "history_item": f"you liked {label}",
        "similar_text": f"you liked the similar {label}",
        "followed_user": f"{label}, whom you follow, enjoyed it",
        "neighbour_user": f"{label} enjoyed it",
        "popular": label,
        "requested": f"you asked for something like {label}",
        "described": f'you asked for "{label}"',
        "profile_theme": f"it is about {label}, as you asked",
    }[reason.kind]


def template_explanation(item: Item, reasons: Sequence[Reason]) -> str:
    """A plain explanation from the evidence alone; names only the item and evidence titles."""
    liked = [display_title(r.label) for r in reasons if r.kind in ("history_item", "similar_text")]
    parts = []
    if liked:
        parts.append("you liked " + " and ".join(liked[:2]))
    parts += [f"{r.label}, whom you follow, enjoyed it" for r in reasons if r.kind == "followed_user"][:1]
    parts += [f"{r.label} enjoyed it" for r in reasons if r.kind == "neighbour_user"][:1]
    parts += [r.label for r in reasons if r.kind == "popular"][:1]
    asked = [display_title(r.label) for r in reasons if r.kind == "requested"]
    if asked:
        parts.insert(0, "it is like " + " and ".join(asked[:2]) + ", which you asked about")
    if any(r.kind == "described" for r in reasons):
        parts.append("it matches what you described")
    themes = [r.label for r in reasons if r.kind == "profile_theme"]
    parts += [f"it is about {theme}, as you asked" for theme in themes[:1]]
    if not parts:
        return f"{display_title(item.title)} is recommended from your history as a whole."
    return f"{display_title(item.title)} is recommended because " + "; ".join(parts) + "."


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
