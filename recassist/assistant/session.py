"""What one chat session remembers: who the user is, what they liked and disliked, what was shown,
and the constraints that stand until the user changes them. One object per session, never shared.

Constraints stand until the user drops or replaces them:
- excluded tags accumulate for the whole session, until the user asks for that tag again or lifts it
  ("actually horror is fine");
- wanted tags (any of them, and those that must all be there: "a romantic comedy"), the year range
  and the seed items (what the list is "like") stay until a turn names new ones (which replace
  them), drops them ("forget the 90s", "forget Alien", "forget comedy") or starts a new topic (new
  titles to go by, or a new want in the user's own words: "a feel-good movie for a rainy sunday");
  of tags that must all be there, one left alone is simply wanted;
- "start over" drops them all;
- disliked items are never shown again, and items already shown are not repeated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from recassist.assistant.request import Intent, TurnRequest
from recassist.retrieval.catalogue import Constraints


@dataclass
class SessionMemory:
    user_id: str | None = None  # a known user's pseudonym; None for a new user
    tastes: list[str] = field(default_factory=list)  # a new user's own words about their tastes
    tastes_current: bool = True  # the tastes are this topic's: false once a new topic starts
    likes: list[str] = field(default_factory=list)  # item ids
    dislikes: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # every item shown, in order
    last_shown: list[str] = field(default_factory=list)  # the latest list, in display order
    focus: str | None = None  # the item the user last referred to ("that one")
    excluded: set[str] = field(default_factory=set)
    constraints: Constraints = field(default_factory=Constraints)
    last_request: TurnRequest | None = None
    seeds: list[str] = field(default_factory=list)  # item ids the last list was built around
    reasons: dict[str, list] = field(
        default_factory=dict
    )  # item id -> the evidence it was shown with
    lists: int = 0  # lists answered so far (sponsored slots come at a rate of these)
    key: str = field(
        default_factory=lambda: secrets.token_urlsafe(12)
    )  # a new user's stand-in id (caps)

    def resolve(self, refers_to: int | None) -> str | None:
        """The item a reference points at: a 1-based position in the last list, -1 the last one,
        None "that one" (the focus, else the first item of the last list)."""
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
        """Fold the request into the standing constraints and return those that hold for this turn.

        A request that names titles to go by ("something like Die Hard 2") or describes a new want
        in the user's own words ("a feel-good movie for a rainy sunday", `TurnRequest.new_topic`)
        starts a new topic: what was wanted before (tags, years, the seed items) holds only where
        the request says it again (the agent's seed stage drops the seeds); what the user ruled out
        stays until they lift it."""
        new_topic = request.intent in (Intent.recommend, Intent.search) and (
            bool(request.seed_titles) or request.new_topic
        )
        standing = Constraints() if request.reset or new_topic else self.constraints
        if request.reset:
            self.excluded, self.seeds = set(), []
        if (request.reset or new_topic) and self.lists:  # the first tastes were another topic's
            self.tastes_current = False
        lifted = (
            set(request.include_tags)
            | set(request.all_tags)
            | set(request.allow_tags)
            | set(request.drop_tags)
        )
        self.excluded = (self.excluded | set(request.exclude_tags)) - lifted
        named = bool(request.include_tags or request.all_tags)
        include = (
            set(request.include_tags if named else standing.include_tags)
            - set(request.drop_tags)
            - self.excluded
        )
        every = (
            set(request.all_tags if named else standing.all_tags)
            - set(request.drop_tags)
            - self.excluded
        )
        if len(every) == 1:  # "forget romance" after "a romantic comedy": comedy is still wanted
            include, every = include | every, set()
        year_min, year_max = (
            (None, None) if request.drop_years else (standing.year_min, standing.year_max)
        )
        if request.year_min is not None or request.year_max is not None:
            year_min, year_max = request.year_min, request.year_max
        niche = request.less_mainstream or standing.less_mainstream
        self.constraints = Constraints(
            frozenset(include),
            frozenset(self.excluded),
            year_min,
            year_max,
            frozenset(every),
            less_mainstream=niche,
        )
        if request.intent in (Intent.recommend, Intent.search, Intent.refine, Intent.more_like):
            self.last_request = request
        return self.constraints

    def record_shown(self, item_ids: list[str]) -> None:
        """A list was shown; an empty answer keeps the last list, so "the first one" still points
        into it."""
        if item_ids:
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
