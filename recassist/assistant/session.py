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
- the length bound ("under 90 minutes", "something short") is the time the user has: it stands
  across topics, as exclusions do, until "any length", "start over" or a new bound replaces it;
- who the films are for (a child's age: "I'm 12", "for my 8 year old") is required on every topic,
  with whatever kind is named, until "for adults", "forget the kids" or "start over";
- "start over" drops them all;
- disliked items are never shown again, and items already shown are not repeated.

A chat turn does not write to the session while it runs: its stages read the session and return a
`SessionUpdate` (a value), which the caller commits once at the end of the turn (`commit`) or
drops (a preview is a turn that is not committed). `after` is the session as an update would leave
it, for a stage that must read what an earlier stage of the same turn decided.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace

from recassist.assistant.request import FeedbackKind, Intent, TurnRequest
from recassist.grounding.evidence import Reason
from recassist.retrieval.catalogue import Constraints

# a person's name -> as the graph names them, and their films (`Catalogue.films_of`)
FilmsOf = Callable[[str], "tuple[str, frozenset[str]] | None"]
_KEEPS = (Intent.recommend, Intent.search, Intent.refine, Intent.more_like)  # kept as last_request


@dataclass(frozen=True)
class SessionUpdate:
    """What one turn changes in a session; a field left at its default changes nothing. `tastes`
    are added, `shown` is a list shown (an empty one keeps the last list), `feedback` is thumbs in
    order, `new_list` counts one more list answered."""

    tastes: tuple[str, ...] = ()
    constraints: Constraints | None = None
    excluded: frozenset[str] | None = None
    tastes_current: bool | None = None
    last_request: TurnRequest | None = None
    seeds: tuple[str, ...] | None = None
    shown: tuple[str, ...] | None = None
    reasons: Mapping[str, tuple[Reason, ...]] | None = None
    focus: str | None = None
    new_list: bool = False
    feedback: tuple[tuple[str, FeedbackKind], ...] = ()
    last_intent: Intent | None = None

    def then(self, later: SessionUpdate) -> SessionUpdate:
        """This update followed by a `later` one: what `later` sets wins, tastes and feedback add
        up."""
        changes = {
            f.name: getattr(later, f.name)
            for f in fields(self)
            if getattr(later, f.name) != f.default
        }
        changes["tastes"] = self.tastes + later.tastes
        changes["feedback"] = self.feedback + later.feedback
        changes["new_list"] = self.new_list or later.new_list
        return replace(self, **changes)


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
    # what the last turn asked (a "why", a list, a thumbs): "and the second?" asks it again
    last_intent: Intent | None = None
    last_feedback: FeedbackKind | None = None  # the latest thumbs: "and the second?" gives it again
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
        """Fold the request into the standing constraints (`standing`, committed at once) and return
        those that hold for this turn."""
        self.commit(self.standing(request))
        return self.constraints

    def standing(self, request: TurnRequest, films_of: FilmsOf | None = None) -> SessionUpdate:
        """The request folded into the standing constraints, as an update: the constraints that
        hold for this turn, what stays excluded, whether the first tastes still count.

        A request that names titles to go by ("something like Die Hard 2") or describes a new want
        in the user's own words ("a feel-good movie for a rainy sunday", `TurnRequest.new_topic`)
        starts a new topic: what was wanted before (tags, years, the seed items) holds only where
        the request says it again (the agent's seed stage drops the seeds); what the user ruled out
        stays until they lift it. A refinement that names a kind of film ("what about a western?",
        also a `new_topic`) keeps the years and exclusions in force, but the first tastes give
        way. The people ruled out ("comedies without jim carrey", their films by `films_of`)
        stay ruled out, as excluded tags do, until a request names them as wanted; who the films
        are for (a child's age, `TurnRequest.audience`) stays required, until lifted."""
        new_topic = request.intent in (Intent.recommend, Intent.search) and (
            bool(request.seed_titles) or request.new_topic
        )
        standing = Constraints() if request.reset or new_topic else self.constraints
        # the first tastes were another topic's once a new topic starts after a list
        moved_on = (request.reset or new_topic or request.new_topic) and self.lists > 0
        lifted = {*request.include_tags, *request.all_tags, *request.allow_tags, *request.drop_tags}
        before = set() if request.reset else self.excluded
        excluded = (before | set(request.exclude_tags)) - lifted
        named = bool(request.include_tags or request.all_tags)
        dropped = set(request.drop_tags) | excluded
        include = set(request.include_tags if named else standing.include_tags) - dropped
        every = set(request.all_tags if named else standing.all_tags) - dropped
        if len(every) == 1:  # "forget romance" after "a romantic comedy": comedy is still wanted
            include, every = include | every, set()
        # who the films are for ("I'm 12") stands across topics: required with whatever is named
        audience = {*(() if request.reset else self.constraints.audience), *request.audience}
        audience -= dropped  # "for adults", "forget the kids"
        every |= audience
        include -= every
        year_min, year_max = (
            (None, None) if request.drop_years else (standing.year_min, standing.year_max)
        )
        if request.year_min is not None or request.year_max is not None:
            year_min, year_max = request.year_min, request.year_max
        minutes_min, minutes_max = self.length(request)
        constraints = Constraints(
            frozenset(include),
            frozenset(excluded),
            year_min,
            year_max,
            frozenset(every),
            less_mainstream=request.less_mainstream or standing.less_mainstream,
            # a wish for less of a quality holds for the topic, as the tags wanted do
            milder=frozenset(request.milder) | standing.milder,
            minutes_min=minutes_min,
            minutes_max=minutes_max,
            audience=frozenset(audience),
            **self._people_out(request, films_of),
        )
        return SessionUpdate(
            constraints=constraints,
            excluded=frozenset(excluded),
            tastes_current=False if moved_on else None,
            last_request=request if request.intent in _KEEPS else None,
            seeds=() if request.reset else None,
        )

    def _people_out(self, request: TurnRequest, films_of: FilmsOf | None) -> dict:
        """The people ruled out after `request` and their films, as `Constraints` fields: those
        before (not after a reset) and those it rules out, less those it names as wanted."""
        if films_of is None:
            return {}
        before = set() if request.reset else set(self.constraints.exclude_people)
        wanted = {found[0] for name in request.people if (found := films_of(name))}
        out = {found[0] for name in request.exclude_people if (found := films_of(name))}
        people = (before | out) - wanted
        films = [films_of(name) for name in sorted(people)]
        return {
            "exclude_people": frozenset(people),
            "exclude_items": frozenset(i for f in films if f for i in f[1]),
        }

    def length(self, request: TurnRequest) -> tuple[int | None, int | None]:
        """The length bound (least, most minutes) for this turn: the time the user has stands
        across topics, as exclusions do, until "any length", "start over" or a new bound; a new
        bound of one side keeps the other where both can hold ("under 2 hours", then "at least
        an hour": 60 to 120)."""
        if request.reset:
            return None, None
        least, most = self.constraints.minutes_min, self.constraints.minutes_max
        if request.drop_length:  # "any length"; "longer": a new bound in place of the old
            least = most = None
        if request.minutes_min is None and request.minutes_max is None:
            return least, most
        least = request.minutes_min if request.minutes_min is not None else least
        most = request.minutes_max if request.minutes_max is not None else most
        if least is not None and most is not None and least > most:  # the new side wins
            return (least, None) if request.minutes_min is not None else (None, most)
        return least, most

    def commit(self, update: SessionUpdate) -> None:
        """Apply one turn's update: the only place a turn changes the session."""
        self.tastes.extend(update.tastes)
        if update.constraints is not None:
            self.constraints = update.constraints
        if update.excluded is not None:
            self.excluded = set(update.excluded)
        if update.tastes_current is not None:
            self.tastes_current = update.tastes_current
        if update.last_request is not None:
            self.last_request = update.last_request
        if update.last_intent is not None:
            self.last_intent = update.last_intent
        if update.seeds is not None:
            self.seeds = list(update.seeds)
        if update.shown is not None:
            self.record_shown(list(update.shown))
        if update.reasons is not None:
            self.reasons = {i: list(r) for i, r in update.reasons.items()}
        if update.focus is not None:
            self.focus = update.focus
        self.lists += update.new_list
        for item_id, kind in update.feedback:
            (self.like if kind == "like" else self.dislike)(item_id)
            self.last_feedback = kind

    def after(self, update: SessionUpdate) -> SessionMemory:
        """A new session: this one as `update` would leave it (this one does not change)."""
        copy = replace(
            self,
            tastes=list(self.tastes),
            likes=list(self.likes),
            dislikes=list(self.dislikes),
            shown=list(self.shown),
            last_shown=list(self.last_shown),
            excluded=set(self.excluded),
            seeds=list(self.seeds),
            reasons=dict(self.reasons),
        )
        copy.commit(update)
        return copy

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
