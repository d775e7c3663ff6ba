"""What a chat turn gives an in-process caller: its events as a generator whose return value is the
`TurnResult`, and `run` to drive one to its end. `plain_text` makes user text safe to pass on."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

from recassist.assistant.events import Planner as PlannerName
from recassist.assistant.ranking import Pick
from recassist.assistant.request import TurnRequest

TurnEvents = Generator[object, None, "TurnResult"]


@dataclass
class TurnResult:
    """A finished turn: the request, who planned it, the reply, the picks, and the error if it
    failed."""

    request: TurnRequest
    planner: PlannerName
    message: str
    picks: list[Pick] = field(default_factory=list)
    error: str | None = None


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
