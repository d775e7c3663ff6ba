"""The plan-first conversational agent: one chat turn = a plan, then named stages in a fixed order.

    plan (`assistant.planner`) -> seeds (`assistant.seeds`: catalogue title lookup) -> candidates
    (`assistant.candidates`: the serving fusion plus session sources) -> filter and rank -> rerank
    (`assistant.ranking`) -> evidence -> explain (`assistant.explain`, streamed, checked, template as the last resort)

Each stage takes and returns plain typed values; the agent only composes them and yields typed
events (`assistant.events`). Recommended items are always catalogue items by id: text from the LLM
never becomes a recommendation. One `Assistant` serves every session; all per-user state lives in
the `SessionMemory`. A turn always ends with `done` or with an `error` event that says what happened
in plain words.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from copy import deepcopy

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import ValidationError

from recassist.assistant import replies, rules
from recassist.assistant.admission import BUSY_NOTE, WARMING_NOTE, ModelGate
from recassist.assistant.candidates import CandidateStage
from recassist.assistant.events import (
    DoneEvent,
    ErrorEvent,
    MessageEvent,
    NoteEvent,
    PicksEvent,
    PlanEvent,
    SponsoredCard,
    SponsoredEvent,
)
from recassist.assistant.events import (
    Planner as PlannerName,
)
from recassist.assistant.explain import Explainer, explain_stage
from recassist.assistant.mainstream import MainstreamStage
from recassist.assistant.parser import unread
from recassist.assistant.planner import PLAN_WAIT_S, Planner
from recassist.assistant.ranking import Pick, RerankStage, rank
from recassist.assistant.request import FeedbackKind, Intent, TurnRequest
from recassist.assistant.rerank import RerankConfig, Reranker
from recassist.assistant.seeds import Named, named_titles
from recassist.assistant.session import SessionMemory
from recassist.assistant.tags import TagMatcher
from recassist.assistant.turn import TurnEvents, TurnResult, plain_text, run
from recassist.errors import RecassistError
from recassist.grounding.evidence import phrase, theme_reasons
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.llm.backend import LLM_ERRORS
from recassist.retrieval.catalogue import Catalogue, Constraints, display_title
from recassist.retrieval.serving import ServingModel
from recassist.settings import AgentConfig

log = logging.getLogger(__name__)

# A sponsored slot for a list just shown (the session, the item ids shown), or None when this answer
# has none.
Sponsor = Callable[[SessionMemory, list[str]], SponsoredCard | None]


class Assistant:
    def __init__(
        self,
        catalogue: Catalogue,
        serving: ServingModel,
        model: BaseChatModel | None = None,
        config: AgentConfig | None = None,
        on_feedback: Callable[[SessionMemory, str, str], None] | None = None,
        sponsor: Sponsor | None = None,
    ) -> None:
        self.config = config = config or AgentConfig()
        self.catalogue, self.serving, self.model, self.on_feedback = (
            catalogue,
            serving,
            model,
            on_feedback,
        )
        self.sponsor = sponsor
        self.items = catalogue.items
        self.tags = TagMatcher(catalogue.tag_names)
        self.gate = ModelGate(config)
        self.planner = Planner(catalogue, self.tags, model, self.gate, use_llm=config.llm_planner)
        self.candidates = CandidateStage(catalogue, serving, config)
        self.mainstream = MainstreamStage(catalogue, config.calibration)
        use_rerank = model is not None and config.rerank_weight > 0
        rerank_config = RerankConfig(method=config.rerank_method, weight=config.rerank_weight)
        self.rerank = RerankStage(Reranker(model, rerank_config) if use_rerank else None)
        checker = FaithfulnessChecker([i.title for i in self.items.values()], catalogue.tag_names)
        self.explainer = (
            Explainer(model, checker) if model is not None and config.explain_with_llm else None
        )

    def warm(self) -> None:
        """Load the embedder (its first load, a few seconds, would otherwise fall on the first turn
        that describes a want in words), then load the model and put the explanation prompt into
        each of its parallel slots, holding a model slot meanwhile: turns in that time get template
        explanations and the warming-up note at once, not a wait. The app calls it at start
        (`warm_in_background`); it takes a minute or two on 2 cores."""
        try:
            self.catalogue.encode("a film")
        except RecassistError as err:  # the turn that needs the embedder reports it
            log.warning("warming the embedder failed: %s", err)
        if self.explainer is None:
            return
        with self.gate.warming_up():
            self.explainer.warm(self.config.explain_parallel)

    def warm_in_background(self) -> threading.Thread | None:
        """`warm` in a daemon thread, the model marked as warming up before this returns (so a turn
        that comes first is told "warming up", not "busy"); None when there is no model to warm."""
        if self.explainer is not None:
            self.gate.begin_warm_up()
        thread = threading.Thread(target=self.warm, daemon=True, name="model-warm-up")
        thread.start()
        return thread if self.explainer is not None else None

    def new_session(self, user_id: str | None = None, tastes: str | None = None) -> SessionMemory:
        session = SessionMemory(user_id=user_id if self.catalogue.knows(user_id) else None)
        if tastes:
            session.tastes.append(plain_text(tastes)[:500])
        return session

    def turn(self, session: SessionMemory, message: str) -> TurnResult:
        """One whole turn without streaming."""
        return run(self.stream(session, message))

    def stream(self, session: SessionMemory, message: str) -> TurnEvents:
        """The events of one chat turn: `plan`, then those of `stream_request`.

        When the model plans too (the parser left words unread, and the model is free within
        `PLAN_WAIT_S`), it plans in a thread while the parser's picks are shown (`plan`, `message`
        and `picks` from a copy of the session, which remembers nothing); then come the model's
        `plan` and the turn itself, whose `message` and `picks` replace the preview's. So the first
        card never waits for the model's plan. When the model is busy, the parser's plan is the
        turn's, with no preview."""
        message = plain_text(message)
        parsed, ask_model = self.planner.read(message)
        first = rules.is_first_message(session) and bool(  # only then: words of its own?
            parsed.seed_titles
            or parsed.mood
            or unread(message, self.tags, self.catalogue.title_spans)
        )
        if first:
            rules.keep_tastes(session, message)
            parsed = rules.as_tastes(parsed, message)
        if not ask_model:
            yield PlanEvent(request=parsed, planner="parser")
            return (yield from self.stream_request(session, parsed, "parser"))
        with self.gate.slot(PLAN_WAIT_S) as admitted:
            if not admitted:  # the model is busy: the parser's reading now beats a better one later
                yield PlanEvent(request=parsed, planner="parser")
                return (yield from self.stream_request(session, parsed, "parser"))
            with ThreadPoolExecutor(1, thread_name_prefix="plan") as pool:
                planning = pool.submit(self.planner.plan_with_model, session, message, parsed)
                if parsed.intent in (Intent.recommend, Intent.refine, Intent.search):
                    yield PlanEvent(request=parsed, planner="parser")
                    yield from self._preview(session, parsed)
                plan = planning.result()
        request = rules.as_tastes(plan.request, message) if first else plan.request
        yield PlanEvent(request=request, planner=plan.planner)
        return (yield from self.stream_request(session, request, plan.planner))

    def _preview(self, session: SessionMemory, request: TurnRequest) -> TurnEvents:
        """The reply and cards the parser's request gives, computed on a copy of the session."""
        events = self._recommend(deepcopy(session), request, "parser", False, preview=True)
        try:
            for event in events:
                if isinstance(event, MessageEvent | PicksEvent):
                    yield event
                if isinstance(event, PicksEvent):
                    break
        except (
            RecassistError,
            *LLM_ERRORS,
            ValidationError,
        ) as err:  # the real turn reports failures
            log.info("no preview: %s: %s", type(err).__name__, err)
        finally:
            events.close()

    def stream_request(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName = "api",
        *,
        llm_explanations: bool = True,
    ) -> TurnEvents:
        """Run the stages for a request. `llm_explanations=False` gives template explanations
        (instant)."""
        try:
            if request.intent is Intent.feedback:
                return (yield from self._feedback(session, request, planner))
            if request.intent is Intent.explain:
                return (yield from self._why(session, request, planner, llm_explanations))
            return (yield from self._recommend(session, request, planner, llm_explanations))
        except (
            RecassistError,
            *LLM_ERRORS,
            ValidationError,
        ) as err:  # a stage failed: say so, in words
            log.warning("turn failed in a stage: %s: %s", type(err).__name__, err)
            text = "Sorry, I could not finish that answer. Please try again, or rephrase it."
            yield ErrorEvent(message=text, code=type(err).__name__)
            return TurnResult(request, planner, text, error=type(err).__name__)

    def _recommend(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        llm: bool,
        *,
        preview: bool = False,
    ) -> TurnEvents:
        if request.refers_to is not None and session.resolve(request.refers_to) is None:
            return (
                yield from self._answer(
                    request,
                    planner,
                    replies.unresolved(request.refers_to, len(session.last_shown)),
                    [],
                    llm,
                )
            )
        if request.intent is Intent.refine and session.last_request is not None:
            previous = session.last_request
            request = request.model_copy(
                update={
                    "mood": request.mood or previous.mood,
                    "count": request.count
                    if "count" in request.model_fields_set
                    else previous.count,
                }
            )
        constraints = session.apply(request)
        named = named_titles(self.catalogue, request)
        seeds = self._seeds(session, request, named)
        found = self.candidates.find(session, request, seeds, constraints)
        blocked = {
            *session.dislikes,
            *session.shown,
            *self.catalogue.history_ids(session.user_id),
            *seeds,
        }
        shortlist = self.rerank.shortlist(request.count)
        pool = self.mainstream.pool(shortlist, constraints)
        picks = rank(self.catalogue, found.scores, constraints, blocked, pool)
        history = [*reversed(session.likes), *reversed(self.catalogue.history_ids(session.user_id))]
        history_items = [self.items[i] for i in dict.fromkeys(history) if i in self.items]
        niche = constraints.less_mainstream
        usual = self.mainstream.popularity(picks[: request.count]) if niche else 0.0
        picks = self.mainstream(picks, history_items, shortlist, constraints)
        picks = self.rerank(picks, history_items, request.count)
        reasons = self.candidates.evidence(found, [p.item.item_id for p in picks])
        for pick in picks:  # a profile theme the request names is the most specific evidence
            themes = theme_reasons(self.catalogue.profiles.get(pick.item.item_id), request.mood)
            pick.reasons = [*themes, *reasons[pick.item.item_id]][:3]
        session.record_shown([p.item.item_id for p in picks])
        session.reasons = {p.item.item_id: p.reasons for p in picks}
        notes = replies.title_notes(named, self.items, len(picks))
        notes += replies.unused_note(request.unused)  # nothing the user said is dropped silently
        if niche and picks:
            notes.append(replies.popularity_note(self.mainstream.popularity(picks), usual))
        text = replies.list_line(
            len(picks),
            [self.items[s] for s in seeds],
            constraints,
            notes,
            self.catalogue.years,
            request.count,
        )
        session.lists += 1
        sponsored = (
            self.sponsor(session, [p.item.item_id for p in picks])
            if self.sponsor and picks and not preview
            else None
        )
        note = replies.STORE_DOWN if found.store_down else None
        return (yield from self._answer(request, planner, text, picks, llm, sponsored, note))

    def _answer(
        self,
        request: TurnRequest,
        planner: PlannerName,
        text: str,
        picks: list[Pick],
        llm: bool,
        sponsored: SponsoredCard | None = None,
        note: str | None = None,
    ) -> TurnEvents:
        """The reply, the cards, each pick's explanation (streamed), the sponsored card if any, and
        `done`. The explanations hold a model slot; when none comes in time they are templates, with
        a note."""
        yield MessageEvent(text=text)
        yield PicksEvent(items=[p.card() for p in picks])  # the cards show now; explanations follow
        if note:
            yield NoteEvent(text=note)
        with (
            self.gate.slot() if llm and self.explainer and picks else nullcontext(False) as admitted
        ):
            degraded = bool(llm and self.explainer and picks and not admitted)
            warming = degraded and not self.gate.ready
            busy = degraded and not warming
            if degraded:
                yield NoteEvent(text=WARMING_NOTE if warming else BUSY_NOTE)
            explainer = self.explainer if admitted else None
            jobs = [(p.item, p.reasons) for p in picks]
            for pick, explanation in zip(
                picks, (yield from explain_stage(explainer, jobs, self.config.explain_parallel))
            ):
                pick.explanation = explanation
        if sponsored is not None:
            yield SponsoredEvent(card=sponsored)
        yield DoneEvent(
            message=text,
            items=[p.card() for p in picks],
            planner=planner,
            request=request,
            sponsored=[sponsored] if sponsored else [],
            busy=busy,
            warming=warming,
        )
        return TurnResult(request, planner, text, picks)

    def _seeds(self, session: SessionMemory, request: TurnRequest, named: list[Named]) -> list[str]:
        """The items this list is built around. Named titles (or their stand-ins, `assistant.seeds`)
        replace the standing seeds; "more like the second one" is that item; otherwise the standing
        seeds stay, unless the user dropped them, this is a search or a new topic in the user's own
        words."""
        seeds = [n.seed for n in named if n.seed]
        if request.intent is Intent.more_like and (target := session.resolve(request.refers_to)):
            seeds, session.focus = [target], target
        dropped = (
            request.drop_seeds
            or request.reset
            or request.new_topic
            or request.intent is Intent.search
        )
        keep = not (request.seed_titles or dropped)
        session.seeds = list(dict.fromkeys(seeds or (session.seeds if keep else [])))
        return session.seeds

    def _named_item(self, request: TurnRequest) -> str | None:
        """The item the request's first title names ("why the last Star Wars movie?"), if any."""
        return named_titles(self.catalogue, request)[0].item_id if request.seed_titles else None

    def search(self, text: str, constraints: Constraints, k: int) -> list[Pick]:
        """Catalogue search: items nearest `text` within the constraints (all matching items when no
        text)."""
        return [Pick(item, score) for item, score in self.catalogue.search(text, constraints, k)]

    def record_feedback(self, session: SessionMemory, item_id: str, feedback: FeedbackKind) -> None:
        """Thumbs up / down or "not interested" from a card: the session changes at once; the app
        stores it."""
        if item_id not in self.items:
            return
        (session.like if feedback == "like" else session.dislike)(item_id)
        if self.on_feedback is not None:
            self.on_feedback(session, item_id, feedback)

    def _why(
        self, session: SessionMemory, request: TurnRequest, planner: PlannerName, llm: bool
    ) -> TurnEvents:
        target = session.resolve(request.refers_to)
        if named := self._named_item(request):
            target = named
        if target is None:
            return (
                yield from self._answer(
                    request,
                    planner,
                    replies.unresolved(request.refers_to, len(session.last_shown)),
                    [],
                    llm,
                )
            )
        session.focus = target
        reasons = session.reasons.get(target)
        if reasons is None:  # not shown in this session: the evidence the serving model has for it
            found = self.candidates.find(session, request, [], Constraints())
            reasons = self.candidates.evidence(found, [target])[target]
        pick = Pick(self.items[target], 0.0, reasons)
        evidence = "; ".join(phrase(r) for r in pick.reasons) or "it fits your history as a whole"
        text = f"Why {display_title(pick.item.title)}? Because {evidence}."
        return (yield from self._answer(request, planner, text, [pick], llm))

    def _feedback(
        self, session: SessionMemory, request: TurnRequest, planner: PlannerName
    ) -> TurnEvents:
        target = session.resolve(request.refers_to)
        if request.refers_to is None and request.seed_titles:
            target = self._named_item(request) or target
        if target is None:
            text = replies.unresolved(request.refers_to, len(session.last_shown))
        else:
            feedback = (
                request.feedback or "like"
            )  # "the second one!" with no word against it is praise
            self.record_feedback(session, target, feedback)
            title = display_title(self.items[target].title)
            text = (
                f"Noted: you liked {title}. I'll look for more like it."
                if feedback == "like"
                else f"Noted: not {title}. I won't show it again."
            )
            text = " ".join([text, *replies.unused_note(request.unused)])
        yield MessageEvent(text=text)
        yield DoneEvent(message=text, items=[], planner=planner, request=request)
        return TurnResult(request, planner, text)
