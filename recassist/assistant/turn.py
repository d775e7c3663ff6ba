"""What a chat turn gives an in-process caller: its events as a generator whose return value is the
`TurnResult`, and `run` to drive one to its end. `plain_text` makes user text safe to pass on."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from recassist.assistant.events import AnyEvent
from recassist.assistant.events import Planner as PlannerName
from recassist.assistant.ranking import Pick
from recassist.assistant.request import TurnRequest
from recassist.assistant.session import SessionUpdate

TurnEvents = Generator[AnyEvent, None, "TurnResult"]


@dataclass(frozen=True)
class TurnResult:
    """A finished turn: the request, who planned it, the reply, the picks (explained), the error if
    it failed, and what it changes in the session (`update`: committed by `Assistant.stream` and
    `stream_request`, dropped by a preview)."""

    request: TurnRequest
    planner: PlannerName
    message: str
    picks: tuple[Pick, ...] = ()
    error: str | None = None
    update: SessionUpdate = SessionUpdate()


def plain_text(text: str) -> str:
    """User text as valid Unicode: a lone surrogate (which no model or encoder can take) becomes
    '?'."""
    return text.encode("utf-8", "replace").decode("utf-8") if text else ""


def run(events: TurnEvents) -> TurnResult:
    """Drive a turn's events to the end and return its result."""
    while True:
        try:
            next(events)
        except StopIteration as stop:
            return stop.value
