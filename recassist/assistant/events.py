"""The events of one chat turn, one type per kind, as a discriminated union on `type`.

The agent yields them in this order: `plan`, `message`, `picks`, a `note` when the answer is
degraded (the model was busy), then per pick `token`... (a `reset` drops a failed attempt's text)
and `explanation`, a `sponsored` card on the turns that carry one, and last `done`, or `error`
instead of whatever could not be finished. When the model plans a turn, a preview comes first:
`plan` (the parser's), `message` and `picks`; then the model's `plan` and the sequence above, whose
`message` and `picks` replace the preview's. The surfaces add `session` in front. The REST API sends
each as a server-sent event named by its `type` with the other fields as JSON data; the Gradio UI
and the command line read the same objects.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from recassist.assistant.request import TurnRequest

Planner = Literal["llm", "parser", "api"]


class EvidenceOut(BaseModel):
    """One piece of evidence for a card, in plain words."""

    kind: str
    label: str


class Card(BaseModel):
    """A recommended catalogue item as it is shown: what it is, why, and the explanation once
    written."""

    item_id: str
    title: str  # as the catalogue holds it: "Saint, The (1997)"
    display_title: str  # as people say it, for showing: "The Saint (1997)"
    tags: list[str]
    year: int | None = None
    minutes: int | None = None  # its length, where a source gives it (`Item.minutes`)
    score: float | None = None
    explanation: str | None = None
    explanation_source: Literal["model", "retry", "template"] | None = None
    evidence: list[EvidenceOut] = Field(default_factory=list)


class Sponsored(BaseModel):
    """What every sponsored pick shows, in a chat answer (`SponsoredCard`) or from the ads API."""

    label: str = Field(default="Sponsored", description='always "Sponsored"')
    synthetic: bool = Field(
        default=False, description="true for the generated demo catalogue: not a real advertiser"
    )
    impression_id: str
    ad_id: str
    advertiser: str
    title: str
    text: str
    tags: list[str]


class SponsoredCard(Sponsored):
    """A sponsored pick as it is shown in an answer: always labelled, with its "why this ad" from
    real evidence."""

    why: str
    why_evidence: list[str] = Field(
        default_factory=list
    )  # the targeting matched and the history items cited


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    def data(self) -> dict:
        """The event's fields without its `type`: the data of its server-sent event."""
        return self.model_dump(mode="json", exclude={"type"})


class SessionEvent(_Event):
    type: Literal["session"] = "session"
    session_id: str
    user_known: bool


class PlanEvent(_Event):
    type: Literal["plan"] = "plan"
    request: TurnRequest
    planner: Planner


class MessageEvent(_Event):
    type: Literal["message"] = "message"
    text: str


class NoteEvent(_Event):
    """Something the user should know about this answer, e.g. the model was busy, so explanations
    are templates built from the evidence."""

    type: Literal["note"] = "note"
    text: str


class PicksEvent(_Event):
    type: Literal["picks"] = "picks"
    items: list[Card]


class TokenEvent(_Event):
    type: Literal["token"] = "token"
    index: int
    text: str


class ResetEvent(_Event):
    type: Literal["reset"] = "reset"
    index: int


class ExplanationEvent(_Event):
    type: Literal["explanation"] = "explanation"
    index: int
    text: str
    source: Literal["model", "retry", "template"]


class SponsoredEvent(_Event):
    type: Literal["sponsored"] = "sponsored"
    card: SponsoredCard


class DoneEvent(_Event):
    type: Literal["done"] = "done"
    message: str
    items: list[Card]
    sponsored: list[SponsoredCard] = Field(default_factory=list)
    busy: bool = False  # the model was busy: explanations are templates (a `note` said so)
    warming: bool = False  # the model was still warming up after a start: templates too, and a note
    planner: Planner
    request: TurnRequest


class ErrorEvent(_Event):
    """The turn could not be finished; `message` says so in plain words, `code` names the cause."""

    type: Literal["error"] = "error"
    message: str
    code: str


# Any one event of a turn, as a type (what a turn's generator yields).
AnyEvent = (
    SessionEvent
    | PlanEvent
    | MessageEvent
    | PicksEvent
    | NoteEvent
    | TokenEvent
    | ResetEvent
    | ExplanationEvent
    | SponsoredEvent
    | DoneEvent
    | ErrorEvent
)
TurnEvent = Annotated[AnyEvent, Field(discriminator="type")]


class ChatEvent(RootModel[TurnEvent]):
    """Any one chat event (the schema of `POST /api/v1/chat`'s server-sent events)."""
