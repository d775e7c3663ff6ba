"""The deciding stages of a chat turn: one request -> an `Answer` (a value), the session unchanged.

One resolve step comes first (the item the request points at, or the question back when it points
at nothing: "I can't find the 5th one"), then the intent's stage: a list (constraints, seeds,
candidates, ranking, rerank, evidence, the line above it), a "why" (the evidence an item was shown
with), or a thumbs in words. Each returns the answer with the session's update; the caller commits
it at the end of the turn, or not (a preview).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from recassist.assistant import replies, why
from recassist.assistant.answer import Answer
from recassist.assistant.candidates import CandidateStage
from recassist.assistant.described import read_in, without_titles
from recassist.assistant.events import Planner as PlannerName
from recassist.assistant.events import SponsoredCard
from recassist.assistant.film_facts import fact_note, relation_note
from recassist.assistant.gathered import Found
from recassist.assistant.loosen import nothing_fits
from recassist.assistant.mainstream import MainstreamStage
from recassist.assistant.ranking import Pick, RerankStage, rank
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.rules import dated, refined
from recassist.assistant.seeds import (
    NamedTitle,
    built_around,
    named_titles,
    outside_films,
    sequels_of_first,
    thumbs_on_no_film,
    whole_series,
)
from recassist.assistant.session import SessionMemory, SessionUpdate
from recassist.assistant.within import within_notes
from recassist.grounding.evidence import theme_reasons
from recassist.retrieval.catalogue import Catalogue, Constraints, Item, display_title
from recassist.retrieval.milder import Intensity, intensity, mildest_first

# A sponsored slot for a list just shown (the session, the item ids shown), or None when this answer
# has none.
Sponsor = Callable[[SessionMemory, list[str]], SponsoredCard | None]
MIX_DEPTH = 40  # "3 comedies and 2 dramas": the ranked list is this many times the picks asked
MILD_DEPTH = 4  # "nothing too violent": the milder films among this many times the picks asked


class Decider:
    """The stages between a plan and its answer, composed; see the module docstring."""

    def __init__(
        self,
        catalogue: Catalogue,
        candidates: CandidateStage,
        mainstream: MainstreamStage,
        rerank: RerankStage,
        sponsor: Sponsor | None = None,
    ) -> None:
        self.catalogue, self.items = catalogue, catalogue.items
        self.candidates, self.mainstream, self.rerank = candidates, mainstream, rerank
        self.sponsor = sponsor

    def decide(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate = SessionUpdate(),
        *,
        preview: bool = False,
    ) -> Answer:
        """What the turn answers, as a value: one resolve step (the item the request points at, or
        "I can't find that one"), then the intent's stage. `preview` leaves the ad slot out."""
        request = thumbs_on_no_film(self.catalogue, request)
        target, missing = self._target(session, request)
        if missing:
            text = replies.unresolved(request.refers_to, len(session.last_shown))
            listed = request.intent is not Intent.feedback
            return Answer(request, planner, text, update=base, listed=listed)
        base = base.then(SessionUpdate(last_intent=request.intent))
        if request.intent is Intent.chat and request.small_talk == "recall":  # the last list
            titles = [display_title(self.items[i].title) for i in session.last_shown]
            return Answer(request, planner, replies.recall(titles), update=base, listed=False)
        if request.intent is Intent.chat:  # "hi", "thanks": a word back, no list
            years, said = self.catalogue.years, request.mood or ""  # "asdfghjkl": said back
            text = replies.small_talk(request.small_talk, len(self.items), years, said)
            return Answer(request, planner, text, update=base, listed=False)
        if request.intent is Intent.feedback and request.then_more:
            return self._feedback_then_list(session, request, planner, base, target, preview)
        if request.intent is Intent.feedback:  # "seen them all": each of the list's first few
            return self._feedback(request, planner, base, target, session.last_shown)
        if request.intent is Intent.explain:
            return self._why(session, request, planner, base, target)
        return self._recommend(session, request, planner, base, target, preview)

    def _target(self, session: SessionMemory, request: TurnRequest) -> tuple[str | None, bool]:
        """The item the request points at (None: none), and whether it points at an item that is
        not there. A title named in a "why", a thumbs ("not interested in Heat") or a "more like
        it" ("the godfather was amazing, more like it") beats the focus."""
        pointed = session.resolve(request.refers_to)
        if request.intent is Intent.explain and (request.best or request.shown_most):
            pointed = why.chosen(
                self.items, session.last_shown, request, self.candidates.co_liked.liked_by
            )
        named = request.refers_to is None and request.seed_titles
        if request.intent is Intent.explain or (
            named and request.intent in (Intent.feedback, Intent.more_like)
        ):
            pointed = self._named_item(request) or pointed
        pointing = request.intent in (Intent.explain, Intent.feedback)
        return pointed, pointed is None and (pointing or request.refers_to is not None)

    def _recommend(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
        target: str | None,
        preview: bool,
    ) -> Answer:
        """A list: the request folded into the standing constraints, its seeds, candidates, the
        picks ranked and reranked with their evidence, and the line above them."""
        named = named_titles(self.catalogue, request)
        seeds = [n.seed for n in named if n.seed]  # "like fargo but older", "like heat but shorter"
        shown = self._known(seeds, "year") or self._known(session.last_shown, "year")
        lasts = self._known(seeds, "minutes") or self._known(session.last_shown, "minutes")
        request = refined(dated(request, shown, self.catalogue.years, lasts), session.last_request)
        request, outside = outside_films(  # "like the matrix", then "what else?"
            self.catalogue, request, named, session.last_request, session.seeds
        )
        update = base.then(session.standing(request, self.catalogue.films_of))
        update = update.then(SessionUpdate(seeds=self._seeds(session, request, named, target)))
        update, now = _without_disliked_seeds(session, update)  # what this turn holds
        found = self.candidates.find(now, request, now.seeds, now.constraints, outside)
        genres = self.catalogue.genres
        asked = {m.concept.entity for m in found.concepts}  # "a war film, not too violent"
        milder = intensity(self.catalogue.concepts, sorted(now.constraints.milder), genres, asked)
        picks, usual = self._picks(now, request, found, milder)
        ids = tuple(p.item.item_id for p in picks)
        reasons = {p.item.item_id: p.reasons for p in picks}
        update = update.then(SessionUpdate(shown=ids, reasons=reasons, new_list=True))
        if request.about and now.seeds:  # "what is fargo about?": "it" is that film now
            update = update.then(SessionUpdate(focus=now.seeds[0]))
        notes = self._notes(now, request, found, named, picks, milder)
        if now.constraints.less_mainstream and picks:
            notes.append(replies.popularity_note(self.mainstream.popularity(picks), usual))
        seeds = [] if request.people_by else [self.items[s] for s in now.seeds]  # no "like Jaws"
        empty = {} if picks else nothing_fits(now, self.items, self.catalogue.history_ids)
        years, count = self.catalogue.years, request.count
        text = replies.list_line(len(picks), seeds, now.constraints, notes, years, count, **empty)
        show_ad = self.sponsor is not None and picks and not preview
        sponsored = self.sponsor(session.after(update), list(ids)) if show_ad else None
        note = replies.STORE_DOWN if found.store_down else None
        return Answer(request, planner, text, tuple(picks), update, sponsored, note)

    def _answer(self, asked: str, item: Item) -> str:
        """The answer to a question about one film (`TurnRequest.about`): what is known of it, or
        the one fact asked (its director, cast, length...)."""
        if asked != "film":
            return fact_note(item, asked, self.catalogue.credits)
        watched, liked, _ = self.candidates.co_liked.liked_by(item.item_id)
        return replies.about_note(item, watched, liked, self.catalogue.synopsis(item.item_id))

    def _notes(
        self,
        now: SessionMemory,
        request: TurnRequest,
        found: Found,
        named: list[NamedTitle],
        picks: list[Pick],
        milder: Intensity,
    ) -> list[str]:
        """The lines before a list: the titles named and how they were read, what is known of
        the film asked about, what the turn did not use (nothing the user said is dropped
        silently), the people named, the relation asked for, and what the picks are near."""
        used = self.candidates.described  # words a concept used were not dropped
        named = [t for t in named if t.known or not used(found, t.title)]
        notes = [replies.DECLINED] if request.declined else []  # "ignore your instructions"
        notes += [replies.RESET] if request.reset else []
        notes += replies.title_notes(named, self.items, len(picks), self.catalogue.years)
        if request.about and now.seeds:  # "what is fargo about?", "who directed it?" first
            notes.insert(0, self._answer(request.about, self.items[now.seeds[0]]))
        unused = [w for w in request.unused if not used(found, w) and w not in milder.said]
        mood = without_titles(self.catalogue, request.mood or "", request.seed_titles, now.seeds)
        unnamed = self.candidates.unnamed(found, mood)
        if found.synopses:  # what the descriptions were read for was used: "stalked", "obsessed"
            unused = [w for w in unused if not read_in(self.catalogue, mood, w)]
        notes += replies.unused_note(unused if found.synopses else unused + unnamed)
        if found.synopses and unnamed:  # read by meaning, not dropped: "painters"
            notes.append(replies.synopsis_note(unnamed))
        seen = {*now.shown, *self.catalogue.history_ids(now.user_id)}  # "under 90 minutes"
        notes += within_notes(found.concepts, picks, now.constraints, self.items, seen)
        rivals = {i: s for i, s in found.scores.items() if i not in seen and s > 0}
        last = min((rivals.get(p.item.item_id, 0.0) for p in picks), default=0.0)
        notes += replies.length_note(self.catalogue.unknown_length(now.constraints, rivals, last))
        if picks and milder.said:  # "nothing too violent": what went last
            all_of = all(milder.of_item.get(p.item.item_id, 0) > 0 for p in picks)
            notes.append(replies.milder_note(milder.said, milder.kinds, all_of))
        # people the graph knew by name ("anything by hitchcock") were used, like any concept
        people = [p for p in request.people if request.people_by or not self.catalogue.person(p)]
        notes += replies.people_note(people, request.people_by, request.relation)
        if request.relation and now.seeds and not request.people_by:  # "who directed Fargo?"
            seed, related = self.items[now.seeds[0]], "related" in found.lists
            credits, graph = self.catalogue.credits, self.candidates.has_graph
            answered = bool(request.about)  # "who directed fargo?": named in the answer
            notes.append(relation_note(request.relation, seed, related, graph, credits, answered))
        tagged = request.include_tags or request.all_tags
        described = "words" in found.lists and not (found.concepts or tagged or now.seeds)
        if picks and described:  # a description, and nothing known of the films matched it
            notes.append(replies.nearest_note(found.reasons["words"][0].label))
        return notes

    def _picks(
        self, session: SessionMemory, request: TurnRequest, found: Found, milder: Intensity
    ) -> tuple[list[Pick], float]:
        """The picks shown (filtered, ranked, calibrated, reranked, with their evidence), and how
        mainstream the plain ranking was (for "less mainstream")."""
        constraints, user = session.constraints, session.user_id
        blocked = {*session.dislikes, *session.shown, *self.catalogue.history_ids(user)}
        blocked |= set(session.seeds)
        shortlist = self.rerank.shortlist(request.count)
        if request.mix:  # room to find each tag's share
            shortlist = max(shortlist, MIX_DEPTH * request.count)
        if milder.said:  # room for the milder films of those asked for to come first
            shortlist = max(shortlist, MILD_DEPTH * request.count)
        pool = self.mainstream.pool(shortlist, constraints)
        picks = rank(self.catalogue, found.scores, constraints, blocked, pool)
        history = [*reversed(session.likes), *reversed(self.catalogue.history_ids(user))]
        history_items = [self.items[i] for i in dict.fromkeys(history) if i in self.items]
        niche = constraints.less_mainstream
        usual = self.mainstream.popularity(picks[: request.count]) if niche else 0.0
        picks = self.mainstream(picks, history_items, shortlist, constraints)
        picks = mildest_first(picks, lambda p: p.item.item_id, milder)
        if request.mix:
            picks = _mixed(picks, request.mix)
        picks = self.rerank(picks, history_items, request.count)
        reasons = self.candidates.evidence(found, [p.item.item_id for p in picks])
        # a profile theme the request names is the most specific evidence
        profiles = self.catalogue.profiles
        themed = [(p, theme_reasons(profiles.get(p.item.item_id), request.mood)) for p in picks]
        return [p.with_reasons([*t, *reasons[p.item.item_id]][:3]) for p, t in themed], usual

    def _seeds(
        self,
        session: SessionMemory,
        request: TurnRequest,
        named: list[NamedTitle],
        target: str | None,
    ) -> tuple[str, ...]:
        """The items this list is built around. Named titles (or their stand-ins, `assistant.seeds`)
        replace the standing seeds; "more like the second one" is that item (the `target`);
        otherwise the standing seeds stay, unless the user dropped them, this is a search or a new
        topic in the user's own words."""
        seeds = built_around(named)
        for films in whole_series(self.catalogue, self.candidates.serving, named):
            seeds += films  # "all the star wars films": the whole series
        if request.intent is Intent.more_like and target:
            seeds = [target]
        dropped = request.drop_seeds or request.reset or request.new_topic
        dropped = dropped or request.intent is Intent.search
        keep = not (request.seed_titles or dropped)
        return tuple(dict.fromkeys(seeds or (session.seeds if keep else [])))

    def _named_item(self, request: TurnRequest) -> str | None:
        """The item the request's first title names ("why the last Star Wars movie?"), if any."""
        return named_titles(self.catalogue, request)[0].item_id if request.seed_titles else None

    def _why(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
        target: str,
    ) -> Answer:
        """Why an item (the evidence it was shown with, else what the serving model has for it),
        or whether it is of the kind asked ("is it scary?"): `why.answer`; or two of the last
        list side by side ("compare the first two"): `why.compare`."""
        if request.about == "compare":
            ids = (target, session.resolve(request.compared_with))
            if ids[1] is None or ids[1] == target:  # "compare the first and the ninth"
                text = replies.unresolved(request.compared_with, len(session.last_shown))
                return Answer(request, planner, text, update=base, listed=False)
            picks = tuple(Pick(self.items[i], 0.0, session.reasons.get(i, [])) for i in ids)
            liked = [self.candidates.co_liked.liked_by(i) for i in ids]
            text = why.compare(self.catalogue, [p.item for p in picks], liked)
            return Answer(request, planner, text, picks, base)
        reasons = session.reasons.get(target)
        if reasons is None:  # not shown in this session: the evidence the serving model has for it
            found = self.candidates.find(session.after(base), request, [], Constraints())
            reasons = self.candidates.evidence(found, [target])[target]
        pick = Pick(self.items[target], 0.0, reasons)
        text = why.answer(
            self.catalogue, session, request, pick, self.candidates.co_liked.liked_by(target)
        )
        update = base.then(SessionUpdate(focus=target))
        return Answer(request, planner, text, (pick,), update)

    def _sequels(self, item_id: str | None) -> list[str]:
        """The later films of the series `item_id` is the first of (`seeds.sequels_of_first`)."""
        return sequels_of_first(self.catalogue, self.candidates.serving, item_id) if item_id else []

    def _known(self, item_ids: Sequence[str], field: str) -> list[int]:
        """The films' years or lengths (`field`) where known: what "older" and "newer", "shorter"
        and "longer" go by ("like fargo but older", "like heat but shorter")."""
        items = (self.items.get(i) for i in item_ids)
        return [value for item in items if item is not None and (value := getattr(item, field))]

    def _feedback_then_list(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
        target: str,
        preview: bool,
    ) -> Answer:
        """A thumbs that asks for more: the feedback noted, then more like the item (praise) or
        the last list again without it (a thumbs down), in one answer."""
        liked = (request.feedback or "like") == "like"
        ruled = max(1, request.ruled_out)  # "not titanic or the english patient": both
        named = [n.item_id for n in named_titles(self.catalogue, request)[1:ruled]]
        if request.ruled_out or request.feedback == "not_interested":  # "that isn't star wars"
            named += [s for i in [target, *named] for s in self._sequels(i)]  # its sequels too
        named += session.last_shown[: request.refers_first]  # "seen them all, anything else?"
        also = [i for i in dict.fromkeys(named) if i and i != target]
        noted = self._feedback(request, planner, base, target)
        thumbs = SessionUpdate(feedback=tuple((i, request.feedback or "like") for i in also))
        others = request.seed_titles[ruled:]  # "like Alien but not Aliens": Alien
        wants = request.include_tags or request.all_tags or request.exclude_tags or others
        wants = wants or request.year_min is not None or request.year_max is not None
        wants = wants or request.new_topic  # "anything with robots but not terminator"
        more = request.model_copy(  # its own wants ("something romantic"), or the last list's
            update={
                "intent": Intent.more_like
                if liked
                else (Intent.recommend if wants else Intent.refine),
                "seed_titles": others,
                "feedback": None,
                "then_more": False,
            }
        )
        answer = self._recommend(session, more, planner, noted.update.then(thumbs), target, preview)
        titles = [display_title(self.items[i].title) for i in [target, *also]]
        text = f"{replies.noted(liked, titles)} {answer.text}"
        return dataclasses.replace(answer, request=request, text=text)

    def _feedback(
        self,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
        target: str,
        shown: Sequence[str] = (),
    ) -> Answer:
        """A thumbs in words ("I loved the second one"), on the target and on the first
        `request.refers_first` of those `shown` ("seen them all"); "the second one!" with no word
        against it is praise."""
        feedback = request.feedback or "like"
        items = list(dict.fromkeys([target, *shown[: request.refers_first]]))
        titles = [display_title(self.items[i].title) for i in items if i in self.items]
        them = "it" if len(items) == 1 else "them"
        then = (
            f"I'll look for more like {them}."
            if feedback == "like"
            else f"I won't show {them} again."
        )
        text = f"{replies.noted(feedback == 'like', titles)} {then}"
        text = " ".join([text, *replies.unused_note(request.unused)])
        update = base.then(SessionUpdate(feedback=tuple((i, feedback) for i in items)))
        return Answer(request, planner, text, update=update, listed=False)


def _without_disliked_seeds(
    session: SessionMemory, update: SessionUpdate
) -> tuple[SessionUpdate, SessionMemory]:
    """`update` without the seeds it leaves disliked ("is titanic any good?", then "i hated it,
    something else?": no list like Titanic), and the session it leaves."""
    now = session.after(update)
    if set(now.seeds) & set(now.dislikes):
        kept = tuple(s for s in now.seeds if s not in now.dislikes)
        update = update.then(SessionUpdate(seeds=kept))
        now = session.after(update)
    return update, now


def _mixed(picks: list[Pick], mix: dict[str, int]) -> list[Pick]:
    """ "3 comedies and 2 dramas": for each tag in turn, as many of its best-ranked picks not yet
    taken as asked, those without the other tags first (a comedy that is no drama); shown in
    their ranked order."""
    taken: list[int] = []
    for tag, wanted in mix.items():
        others = set(mix) - {tag}
        have = [i for i, p in enumerate(picks) if tag in p.item.tags and i not in taken]
        only = [i for i in have if not others & set(picks[i].item.tags)]  # a comedy, no drama
        taken += (only + [i for i in have if i not in only])[:wanted]
    return [picks[i] for i in sorted(taken)]
