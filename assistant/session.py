"""What one chat session remembers: who the user is, what they liked and disliked, what was shown, and
the constraints that stand until the user changes them. One object per session, never shared.

Rules: excluded tags accumulate for the whole session (until the user asks for that tag again); a
`refine` keeps the previous request's included tags and years and adds to them; a new `recommend` or
`search` brings its own; disliked items are never shown again, and items already shown are not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.request import Intent, TurnRequest


@dataclass(frozen=True)
class Constraints:
    include_tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None


@dataclass
class SessionMemory:
    user_id: str | None = None  # a known user's pseudonym; None for a new user
    tastes: list[str] = field(default_factory=list)  # a new user's own words about their tastes
    likes: list[str] = field(default_factory=list)  # item ids
    dislikes: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # every item shown, in order
    last_shown: list[str] = field(default_factory=list)  # the latest list, in display order
    focus: str | None = None  # the item the user last referred to ("that one")
    excluded: set[str] = field(default_factory=set)
    constraints: Constraints = field(default_factory=Constraints)
    last_request: TurnRequest | None = None
    seeds: list[str] = field(default_factory=list)  # item ids the last list was built around
    reasons: dict[str, list] = field(default_factory=dict)  # item id -> the evidence it was shown with

    def resolve(self, refers_to: int | None) -> str | None:
        """The item a reference points at: a 1-based position in the last list, -1 the last one, None
        "that one" (the focus, else the first item of the last list)."""
        if not self.last_shown:
            return None
        if refers_to is None:
            return self.focus or self.last_shown[0]
        if refers_to == -1:
            return self.last_shown[-1]
        if 1 <= refers_to <= len(self.last_shown):
            return self.last_shown[refers_to - 1]
        return None

    def apply(self, request: TurnRequest) -> Constraints:
        """Fold the request into the standing constraints and return those that hold for this turn."""
        self.excluded |= set(request.exclude_tags)
        self.excluded -= set(request.include_tags)
        if request.intent is Intent.refine and self.last_request is not None:
            include = set(self.constraints.include_tags) | set(request.include_tags)
            year_min = request.year_min if request.year_min is not None else self.constraints.year_min
            year_max = request.year_max if request.year_max is not None else self.constraints.year_max
        elif request.intent in (Intent.recommend, Intent.search, Intent.refine):
            include, year_min, year_max = set(request.include_tags), request.year_min, request.year_max
        else:  # more_like, explain, feedback: standing exclusions only, plus what this turn says
            include, year_min, year_max = set(request.include_tags), request.year_min, request.year_max
        self.constraints = Constraints(frozenset(include - self.excluded), frozenset(self.excluded), year_min, year_max)
        if request.intent in (Intent.recommend, Intent.search, Intent.refine, Intent.more_like):
            self.last_request = request
        return self.constraints

    def record_shown(self, item_ids: list[str]) -> None:
        self.last_shown = list(item_ids)
        self.shown.extend(i for i in item_ids if i not in self.shown)
        self.focus = None

    def like(self, item_id: str) -> None:
        if item_id in self.dislikes:
            self.dislikes.remove(item_id)
        if item_id not in self.likes:
            self.likes.append(item_id)

    def dislike(self, item_id: str) -> None:
        if item_id in self.likes:
            self.likes.remove(item_id)
        if item_id not in self.dislikes:
            self.dislikes.append(item_id)
