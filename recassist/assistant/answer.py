"""The last stage of a chat turn: an `Answer` (what the turn decided, a value) streamed as events.

The stages before it decide everything a turn shows and changes: the reply, the picks with their
evidence, the sponsored card and the session's update. This stage only writes the explanations
(streamed, holding a model slot; templates with a note when none comes in time) and yields the
events in their order: `message`, `picks`, a `note`, the explanations, `sponsored`, `done`.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from recassist.assistant.admission import BUSY_NOTE, WARMING_NOTE, ModelGate
from recassist.assistant.events import (
    AnyEvent,
    DoneEvent,
    ErrorEvent,
    MessageEvent,
    NoteEvent,
    PicksEvent,
    SponsoredCard,
    SponsoredEvent,
)
from recassist.assistant.events import Planner as PlannerName
from recassist.assistant.explain import Explainer, explain_stage
from recassist.assistant.ranking import Pick
from recassist.assistant.request import TurnRequest
from recassist.assistant.session import SessionUpdate
from recassist.assistant.turn import TurnEvents, TurnResult


@dataclass(frozen=True)
class Answer:
    """What one turn decided, before anything is streamed. `listed` is false for an answer in
    words only (feedback: no cards); `error` names the cause when the turn failed (`text` then says
    so in plain words)."""

    request: TurnRequest
    planner: PlannerName
    text: str
    picks: tuple[Pick, ...] = ()
    update: SessionUpdate = SessionUpdate()
    sponsored: SponsoredCard | None = None
    note: str | None = None
    listed: bool = True
    error: str | None = None

    def result(self, picks: Sequence[Pick] | None = None) -> TurnResult:
        """The turn's result, with the picks as explained (`picks`) when they were."""
        shown = self.picks if picks is None else tuple(picks)
        return TurnResult(self.request, self.planner, self.text, shown, self.error, self.update)


@dataclass(frozen=True)
class Explaining:
    """How this turn's explanations are written: by `explainer` under the `gate` (None: templates),
    `parallel` at once; `llm` false asks for templates."""

    gate: ModelGate
    explainer: Explainer | None
    parallel: int
    llm: bool = True


def answer_events(answer: Answer, how: Explaining) -> TurnEvents:
    """The events of a decided answer; returns the turn's result with the picks explained."""
    if answer.error is not None:
        yield ErrorEvent(message=answer.text, code=answer.error)
        return answer.result()
    yield MessageEvent(text=answer.text)
    if not answer.listed:
        yield DoneEvent(
            message=answer.text, items=[], planner=answer.planner, request=answer.request
        )
        return answer.result()
    yield PicksEvent(items=[p.card() for p in answer.picks])  # explanations follow
    if answer.note:
        yield NoteEvent(text=answer.note)
    picks, busy, warming = yield from _explained(answer.picks, how)
    if answer.sponsored is not None:
        yield SponsoredEvent(card=answer.sponsored)
    yield DoneEvent(
        message=answer.text,
        items=[p.card() for p in picks],
        planner=answer.planner,
        request=answer.request,
        sponsored=[answer.sponsored] if answer.sponsored else [],
        busy=busy,
        warming=warming,
    )
    return answer.result(picks)


def _explained(
    picks: Sequence[Pick], how: Explaining
) -> Generator[AnyEvent, None, tuple[list[Pick], bool, bool]]:
    """The picks explained (their events streamed), and whether the model was busy or warming up,
    so that the explanations are templates (a note says so)."""
    wanted = bool(how.llm and how.explainer and picks)
    with how.gate.slot() if wanted else nullcontext(False) as admitted:
        degraded = wanted and not admitted
        warming = degraded and not how.gate.ready
        busy = degraded and not warming
        if degraded:
            yield NoteEvent(text=WARMING_NOTE if warming else BUSY_NOTE)
        explainer = how.explainer if admitted else None
        jobs = [(p.item, p.reasons) for p in picks]
        explanations = yield from explain_stage(explainer, jobs, how.parallel)
    return [p.explained(e) for p, e in zip(picks, explanations)], busy, warming
