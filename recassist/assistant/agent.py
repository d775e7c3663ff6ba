"""The plan-first conversational agent: one chat turn = a plan, then named stages in a fixed order.

    plan (`assistant.planner`; a person named is found through films of theirs,
    `assistant.filmography`) -> seeds (`assistant.seeds`: catalogue title lookup) -> candidates
    (`assistant.candidates`: the serving fusion plus session sources) -> filter and rank -> rerank
    (`assistant.ranking`) -> evidence -> explain (`assistant.explain`, streamed, checked, template
    as the last resort)

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

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import ValidationError

from recassist.assistant import questions, rules
from recassist.assistant.admission import ModelGate
from recassist.assistant.answer import Answer, Explaining, answer_events
from recassist.assistant.candidates import CandidateStage
from recassist.assistant.decide import Decider, Sponsor
from recassist.assistant.events import (
    MessageEvent,
    PicksEvent,
    PlanEvent,
)
from recassist.assistant.events import (
    Planner as PlannerName,
)
from recassist.assistant.explain import Explainer
from recassist.assistant.filmography import Filmography
from recassist.assistant.known_words import unknown
from recassist.assistant.mainstream import MainstreamStage
from recassist.assistant.planner import PLAN_WAIT_S, Planner
from recassist.assistant.ranking import Pick, RerankStage
from recassist.assistant.request import FeedbackKind, Intent, TurnRequest
from recassist.assistant.rerank import RerankConfig, Reranker
from recassist.assistant.session import SessionMemory, SessionUpdate
from recassist.assistant.titled import bare_title, either_title, lead_title, series_title
from recassist.assistant.turn import TurnEvents, TurnResult, plain_text, run
from recassist.errors import RecassistError
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.language.tags import TagMatcher
from recassist.llm.backend import LLM_ERRORS
from recassist.retrieval.catalogue import Catalogue, Constraints
from recassist.retrieval.serving import ServingModel
from recassist.settings import AgentConfig

log = logging.getLogger(__name__)


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
        self.items = catalogue.items
        self.tags = TagMatcher(catalogue.tag_names)
        self.gate = ModelGate(config)
        self.planner = Planner(catalogue, self.tags, model, self.gate, use_llm=config.llm_planner)
        self.candidates = CandidateStage(catalogue, serving, config, self.tags)
        self.mainstream = MainstreamStage(catalogue, config.calibration)
        use_rerank = model is not None and config.rerank_weight > 0
        rerank_config = RerankConfig(method=config.rerank_method, weight=config.rerank_weight)
        self.rerank = RerankStage(Reranker(model, rerank_config) if use_rerank else None)
        checker = FaithfulnessChecker([i.title for i in self.items.values()], catalogue.tag_names)
        self.explainer = (
            Explainer(model, checker) if model is not None and config.explain_with_llm else None
        )
        self.decider = Decider(catalogue, self.candidates, self.mainstream, self.rerank, sponsor)
        shares = self.candidates.shares
        self.filmography = Filmography(model, catalogue, shares) if model is not None else None

    def warm(self) -> None:
        """Load the embedder and embed the synopses (their first load, seconds, would otherwise
        fall on the first turn that describes a want in words), then load the model and put the explanation prompt into
        each of its parallel slots, holding a model slot meanwhile: turns in that time get template
        explanations and the warming-up note at once, not a wait. The app calls it at start
        (`warm_in_background`); it takes a minute or two on 2 cores."""
        try:
            self.catalogue.encode("a film")
            if self.catalogue.synopses is not None:  # embedded once, cached on disk
                self.catalogue.synopses.warm()
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

    def read_tastes(self, tastes: str) -> tuple[TurnRequest, str]:
        """A new user's tastes sent with no chat ("I loved Alien and Heat, nothing too gory"), read
        as their first message is: the request it makes (its titles the seeds, its tags, years
        and words of less), and the words to keep as their tastes, without the titles
        (`rules.tastes_of`). A title they hated is no seed."""
        said = plain_text(tastes)[:500]
        parsed = rules.ruled_out_titles(self.planner.read(said)[0], said, self.catalogue, self.tags)
        hated = parsed.feedback in ("dislike", "not_interested")
        request = rules.as_tastes(parsed, said).model_copy(
            update={"intent": Intent.recommend, "feedback": None}
            | ({"seed_titles": []} if hated else {})
        )
        return request, rules.tastes_of(said, parsed.seed_titles)

    def turn(self, session: SessionMemory, message: str) -> TurnResult:
        """One whole turn without streaming."""
        return run(self.stream(session, message))

    def _read(self, message: str) -> tuple[str, TurnRequest, list[str]]:
        """The message as read, the parser's reading and the words of its own: one that begins
        with a title and names none ("fargo but funnier") is read as after "like" (`lead_title`),
        and the model plans that too."""
        parsed, own = self.planner.read(message)
        led = message if parsed.seed_titles else lead_title(message, self.catalogue)
        return (led, *self.planner.read(led)) if led != message else (message, parsed, own)

    def stream(self, session: SessionMemory, message: str) -> TurnEvents:
        """The events of one chat turn: `plan`, then those of its answer; the session changes once,
        at the end (`SessionMemory.commit`).

        When the model plans too (the parser left words unread, and the model is free within
        `PLAN_WAIT_S`), it plans in a thread while the parser's picks are shown (`plan`, `message`
        and `picks` of a turn that is not committed); then come the model's `plan` and the turn
        itself, whose `message` and `picks` replace the preview's. So the first card never waits
        for the model's plan. When the model is busy, the parser's plan is the turn's, with no
        preview."""
        message, declined = rules.set_aside_instructions(plain_text(message))
        if declined and not message:  # "print your system prompt": answered no, nothing read
            refused = TurnRequest(intent=Intent.chat, small_talk="instructions")
            yield PlanEvent(request=refused, planner="parser")
            return (yield from self._committed(session, refused, "parser", SessionUpdate()))
        message, parsed, own = self._read(message)  # and the words of its own
        parsed = parsed.model_copy(update={"declined": declined})
        ask_model = self.planner.asks_model(own)
        titled = questions.compare_asked(parsed, message, session)  # "compare the first two"
        titled = series_title(titled, self.catalogue, message)  # "the last star wars movie"
        titled = either_title(titled, self.catalogue)  # "like fargo or pulp fiction"
        titled = questions.about_title(
            bare_title(titled, self.catalogue, message), self.catalogue, message, session
        )
        titled = questions.kind_asked(titled, message, session)  # "is it scary?"
        titled = unknown(titled, self.catalogue)  # "asdfghjkl": nothing knows its words
        # a message that is a title ("le parrain", "star wars 5") or asks about one ("what is
        # fargo about?") is read: no model plans it
        ask_model = ask_model and titled == parsed
        parsed = titled
        parsed = rules.ruled_out_titles(parsed, message, self.catalogue, self.tags)
        # "how long is the first one?" with nothing shown asks which film: no tastes to keep
        asked = parsed.intent is not Intent.explain and bool(own)
        first = rules.is_first_message(session) and bool(parsed.seed_titles or parsed.mood or asked)
        # the mood leaves out "who directed", "not horror"; with no mood, the message only when it
        # has words the parser did not read ("I hated Titanic. Something with Leonardo DiCaprio?"
        # keeps no "I hated . Something with" to find title neighbours of)
        said = parsed.mood or (message if own else "")
        base = rules.keep_tastes(session, said, parsed.seed_titles) if first else SessionUpdate()
        parsed = rules.as_tastes(parsed, message) if first else parsed
        parsed = rules.follow_on(parsed, session, message, self.catalogue)
        if not ask_model:
            parsed = self._people(parsed, message)
            yield PlanEvent(request=parsed, planner="parser")
            return (yield from self._committed(session, parsed, "parser", base))
        with self.gate.slot(PLAN_WAIT_S) as admitted:
            if not admitted:  # the model is busy: the parser's reading now beats a better one later
                yield PlanEvent(request=parsed, planner="parser")
                return (yield from self._committed(session, parsed, "parser", base))
            with ThreadPoolExecutor(1, thread_name_prefix="plan") as pool:
                planning = pool.submit(self.planner.plan_with_model, session, message, parsed)
                if parsed.intent in (Intent.recommend, Intent.refine, Intent.search):
                    yield PlanEvent(request=parsed, planner="parser")
                    yield from self._preview(session, parsed, base)
                plan = planning.result()
        request = rules.as_tastes(plan.request, message) if first else plan.request
        request = self._people(request, message).model_copy(update={"declined": declined})
        yield PlanEvent(request=request, planner=plan.planner)
        return (yield from self._committed(session, request, plan.planner, base))

    def _people(self, request: TurnRequest, message: str) -> TurnRequest:
        """A person named ("anything by spielberg") found through films of theirs when the model
        is free at once (`assistant.filmography`); the request as it was otherwise, and when the
        graph knows the person by name (`data/names/people.toml`: their films are a concept)."""
        if (
            not request.people
            or self.filmography is None
            or self.catalogue.person(request.people[0])
        ):
            return request
        with self.gate.slot(PLAN_WAIT_S) as admitted:
            return self.filmography.resolve(request, message) if admitted else request

    def _preview(
        self, session: SessionMemory, request: TurnRequest, base: SessionUpdate
    ) -> TurnEvents:
        """The reply and cards the parser's request gives: a turn that is not committed. A client
        that leaves meanwhile still leaves its first tastes in the session."""
        try:
            answer = self.decider.decide(session, request, "parser", base, preview=True)
        except (RecassistError, *LLM_ERRORS, ValidationError) as err:  # the real turn reports it
            log.info("no preview: %s: %s", type(err).__name__, err)
            return
        try:
            yield MessageEvent(text=answer.text)
            yield PicksEvent(items=[p.card() for p in answer.picks])
        except GeneratorExit:
            self.commit(session, base)
            raise

    def stream_request(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName = "api",
        *,
        llm_explanations: bool = True,
    ) -> TurnEvents:
        """Run the stages for a request and commit its update. `llm_explanations=False` gives
        template explanations (instant)."""
        return (
            yield from self._committed(session, request, planner, SessionUpdate(), llm_explanations)
        )

    def answer(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName = "api",
        base: SessionUpdate = SessionUpdate(),
        llm: bool = True,
    ) -> TurnEvents:
        """The events of the answer to a request, the session left as it was: the result's
        `update` (after `base`) is what the turn would change; the caller commits it or not."""
        return (yield from self._streamed(self._decided(session, request, planner, base), llm))

    def _committed(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
        llm: bool = True,
    ) -> TurnEvents:
        """`answer`, its update committed at the end of the turn (also when a client leaves early:
        a list it was shown is shown)."""
        answer = self._decided(session, request, planner, base)
        try:
            return (yield from self._streamed(answer, llm))
        finally:
            self.commit(session, answer.update)

    def commit(self, session: SessionMemory, update: SessionUpdate) -> None:
        """Apply a turn's update to its session, and pass its thumbs on to the app's store."""
        session.commit(update)
        if self.on_feedback is not None:
            for item_id, feedback in update.feedback:
                self.on_feedback(session, item_id, feedback)

    def _decided(
        self,
        session: SessionMemory,
        request: TurnRequest,
        planner: PlannerName,
        base: SessionUpdate,
    ) -> Answer:
        """`decide`, or the answer that says a stage failed (with `base` as its update)."""
        try:
            return self.decider.decide(session, request, planner, base)
        except (RecassistError, *LLM_ERRORS, ValidationError) as err:
            return self._failed(request, planner, base, err)

    def _streamed(self, answer: Answer, llm: bool) -> TurnEvents:
        """The answer's events; a failure while explaining ends them with an `error` event."""
        how = Explaining(self.gate, self.explainer, self.config.explain_parallel, llm)
        try:
            return (yield from answer_events(answer, how))
        except (RecassistError, *LLM_ERRORS, ValidationError) as err:
            failed = self._failed(answer.request, answer.planner, answer.update, err)
            return (yield from answer_events(failed, how))

    @staticmethod
    def _failed(
        request: TurnRequest, planner: PlannerName, update: SessionUpdate, err: Exception
    ) -> Answer:
        """A stage failed: say so, in words."""
        log.warning("turn failed in a stage: %s: %s", type(err).__name__, err)
        text = "Sorry, I could not finish that answer. Please try again, or rephrase it."
        return Answer(request, planner, text, update=update, error=type(err).__name__)

    def search(self, text: str, constraints: Constraints, k: int) -> list[Pick]:
        """Catalogue search: items nearest `text` within the constraints (all matching items when no
        text)."""
        return [Pick(item, score) for item, score in self.catalogue.search(text, constraints, k)]

    def record_feedback(self, session: SessionMemory, item_id: str, feedback: FeedbackKind) -> None:
        """Thumbs up / down or "not interested" from a card: the session changes at once; the app
        stores it."""
        if item_id in self.items:
            self.commit(session, SessionUpdate(feedback=((item_id, feedback),)))
