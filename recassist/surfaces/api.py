"""The versioned REST API (`/api/v1`), described by the OpenAPI schema at `/docs`.

POST /recommend (a user or free-text tastes, filters, k -> items with scores, explanations,
evidence), POST /chat (a session id and a message -> server-sent events), POST /feedback, GET
/items/search. Every request and response is a pydantic model; bad input gets a 4xx that says what
to change.

A `session_id` the app no longer holds (sessions are kept in memory, the least recently used dropped
first, and lost on a restart) is not an error: chat and feedback go on in a new session and say so
(`EXPIRED`, a `note` event or the feedback's `note`), so a widget left open keeps working.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from recassist.assistant.events import Card, ChatEvent, NoteEvent, SessionEvent
from recassist.assistant.request import FeedbackKind, Intent, TurnRequest
from recassist.assistant.turn import run
from recassist.errors import StateUnavailableError
from recassist.retrieval.catalogue import Constraints
from recassist.surfaces.context import AppContext
from recassist.surfaces.egress import SanitisedJSONResponse, sse
from recassist.surfaces.security import Caller, require

Tag = Annotated[str, Field(min_length=1, max_length=60)]
EXPIRED = "Your earlier conversation expired; starting a new one."
DEGRADED = (
    "The conversation store is not answering: this answer does not remember earlier turns, and "
    "this turn will not be remembered. It recovers by itself."
)
IDEMPOTENCY = "a key per feedback event, e.g. a UUID: stored once however often it is sent"


class RecommendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(
        default=None, max_length=200, description="the user's id in your system (or its pseudonym)"
    )
    tastes: str | None = Field(
        default=None, max_length=1000, description="free-text tastes, for a new user"
    )
    include_tags: list[Tag] = Field(default_factory=list, max_length=20)
    exclude_tags: list[Tag] = Field(default_factory=list, max_length=20)
    year_min: int | None = Field(default=None, ge=1800, le=2100)
    year_max: int | None = Field(default=None, ge=1800, le=2100)
    minutes_min: int | None = Field(
        default=None, ge=1, le=600, description="the films' least length, in minutes"
    )
    minutes_max: int | None = Field(
        default=None,
        ge=1,
        le=600,
        description="the films' most length, in minutes; a film of unknown length is left out",
    )
    k: int = Field(default=10, ge=1, le=20)
    explain: Literal["template", "llm"] = Field(
        default="template", description="template: instant, from the evidence"
    )


class RecommendOut(BaseModel):
    user_known: bool
    items: list[Card]


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=200)
    message: str = Field(min_length=1, max_length=2000)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=200)
    item_id: str = Field(min_length=1, max_length=500)
    feedback: FeedbackKind
    event_id: str | None = Field(
        default=None,
        min_length=8,
        max_length=100,
        pattern=r"^[\w.:-]+$",
        description="a key the client makes once per feedback event (e.g. a UUID) and sends again on a "
        "retry: the first call is recorded, a repeat is answered `duplicate` and records nothing",
    )


class FeedbackOut(BaseModel):
    recorded: bool
    duplicate: bool = Field(
        default=False, description="this event_id was recorded before; nothing was added"
    )
    session_id: str | None = Field(
        description="the session the feedback went to: a new one when the given one expired"
    )
    note: str | None = Field(
        default=None, description="something the user should know, e.g. the session expired"
    )


class SearchOut(BaseModel):
    items: list[Card]


class _Rules:
    """Who a request is for and what its words mean, shared by the routes."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def user_of(self, caller: Caller, user_id: str | None) -> str | None:
        """The user a request is for: the one its signed user token names, else (not for publishable
        keys, which only learn who the user is from a token) the `user_id` in the body."""
        if caller.user is not None:
            return self.ctx.user_for(caller.user)
        if user_id and caller.kind == "publishable":
            raise HTTPException(
                403, "a publishable key cannot name a user; send a signed X-User-Token"
            )
        return self.ctx.user_for(user_id)

    @staticmethod
    def check_owner(caller: Caller, session, user: str | None) -> None:
        """A publishable key may only use its own user's session."""
        if caller.kind == "publishable" and session.user_id != user:
            raise HTTPException(403, "this session belongs to another user")

    def canonical_tags(self, tags: list[str], field: str) -> list[str]:
        """The catalogue's spelling of each tag; 422 naming the known tags for one it lacks."""
        matcher = self.ctx.assistant.tags
        out = []
        for tag in tags:
            canonical = matcher.canonical(tag)
            if canonical is None:
                known = ", ".join(matcher.tags[:40])
                raise HTTPException(422, f"{field}: unknown tag '{tag}'; known tags: {known}")
            out.append(canonical)
        return out


def build_router(ctx: AppContext) -> APIRouter:
    """The `/api/v1` routes over one app context: recommend, chat, feedback (app keys and
    widgets' publishable keys) and catalogue search (app keys)."""
    widget_caller = require(
        ctx.settings.api, "app", publishable=True
    )  # chat, feedback, recommend: widgets too
    router = APIRouter(prefix="/api/v1", tags=["recommendations"])
    rules = _Rules(ctx)
    _add_recommend(router, ctx, rules, widget_caller)
    _add_chat(router, ctx, rules, widget_caller)
    _add_feedback(router, ctx, rules, widget_caller)
    _add_search(router, ctx, rules, [Depends(require(ctx.settings.api, "app"))])
    return router


def _add_recommend(router: APIRouter, ctx: AppContext, rules: _Rules, widget_caller) -> None:
    @router.post("/recommend", response_model=RecommendOut)
    def recommend(body: RecommendIn, caller: Caller = Depends(widget_caller)) -> RecommendOut:
        """Top-k items for a known user (by id) or for free-text tastes, with evidence and
        explanations."""
        user = rules.user_of(caller, body.user_id)
        if user is None and not body.tastes and body.user_id:
            raise HTTPException(404, "unknown user_id; send `tastes` to recommend for a new user")
        if body.year_min and body.year_max and body.year_min > body.year_max:
            raise HTTPException(422, "year_min is after year_max")
        _check_length(body.minutes_min, body.minutes_max)
        request = _filtered(rules, body, TurnRequest(intent=Intent.recommend))
        tastes = body.tastes
        if user is None and tastes:  # its titles are seeds; what it rules out is ruled out
            read, tastes = ctx.assistant.read_tastes(tastes)
            # its kinds rank, not filter; the people it rules out ("no tom cruise") are ruled out,
            # and a child's age ("I'm 12") is who the films are for, as in the chat
            kept = {"seed_titles", "exclude_tags", "exclude_people", "milder", "mood", "audience"}
            request = _filtered(rules, body, TurnRequest(**read.model_dump(include=kept)))
        session = ctx.assistant.new_session(user, tastes)
        result = run(
            ctx.assistant.stream_request(session, request, llm_explanations=body.explain == "llm")
        )
        if result.error:
            raise HTTPException(
                503, f"the recommendation could not be finished ({result.error}); try again"
            )
        return RecommendOut(user_known=user is not None, items=[p.card() for p in result.picks])


def _filtered(rules: _Rules, body: RecommendIn, request: TurnRequest) -> TurnRequest:
    """`request` with the filters `body` sets, which win over those its tastes said, and its `k`."""
    include = rules.canonical_tags(body.include_tags, "include_tags")
    excluded = rules.canonical_tags(body.exclude_tags, "exclude_tags")
    update = {
        "exclude_tags": list(dict.fromkeys([*request.exclude_tags, *excluded])),
        "count": body.k,
    }
    if include:
        update |= {"include_tags": include, "all_tags": []}
    if body.year_min is not None or body.year_max is not None:
        update |= {"year_min": body.year_min, "year_max": body.year_max}
    if body.minutes_min is not None or body.minutes_max is not None:
        update |= {"minutes_min": body.minutes_min, "minutes_max": body.minutes_max}
    return request.model_copy(update=update)


def _check_length(least: int | None, most: int | None) -> None:
    """422 for a length bound no film can meet."""
    if least is not None and most is not None and least > most:
        raise HTTPException(422, "minutes_min is more than minutes_max")


def _add_chat(router: APIRouter, ctx: AppContext, rules: _Rules, widget_caller) -> None:
    @router.post(
        "/chat",
        response_class=StreamingResponse,
        responses={
            200: {
                "model": ChatEvent,
                "content": {"text/event-stream": {}},
                "description": "server-sent events, each one `ChatEvent` named by its type",
            }
        },
    )
    def chat(body: ChatIn, caller: Caller = Depends(widget_caller)) -> StreamingResponse:
        """One chat turn as server-sent events: session, plan, message, picks, note, token, reset,
        explanation, sponsored, and done, or error (with a message for the user) when it could not
        finish."""
        user = rules.user_of(caller, body.user_id)
        try:
            expired = bool(body.session_id) and ctx.sessions.get(body.session_id) is None
            given = None if expired else body.session_id
            session_id, session = ctx.sessions.get_or_create(given, user)
            degraded = False
        except StateUnavailableError:  # the session store is down: answer this turn on its own
            expired, degraded = False, True
            session_id = body.session_id or secrets.token_urlsafe(12)
            session = ctx.assistant.new_session(user)
        rules.check_owner(caller, session, user)

        def events() -> Iterator[str]:
            yield sse(SessionEvent(session_id=session_id, user_known=session.user_id is not None))
            if expired:
                yield sse(NoteEvent(text=EXPIRED))
            if degraded:
                yield sse(NoteEvent(text=DEGRADED))
            for event in ctx.assistant.stream(session, body.message):
                yield sse(event)
            if not degraded:
                try:
                    ctx.sessions.save(session_id, session)
                except StateUnavailableError:
                    yield sse(NoteEvent(text=DEGRADED))

        return StreamingResponse(events(), media_type="text/event-stream")


def _add_feedback(router: APIRouter, ctx: AppContext, rules: _Rules, widget_caller) -> None:
    @router.post("/feedback", response_model=FeedbackOut)
    def feedback(
        body: FeedbackIn,
        caller: Caller = Depends(widget_caller),
        idempotency_key: Annotated[
            str | None, Header(max_length=100, description=IDEMPOTENCY)
        ] = None,
    ) -> FeedbackOut:
        """Thumbs up / down or "not interested" on an item: the session stops showing a disliked
        item at once (an expired session: a new one, whose id and a note come back). Stored once per
        `Idempotency-Key`, whichever replica gets it and however often it is sent; 503 while the
        state database is down."""
        if body.item_id not in ctx.assistant.items:
            raise HTTPException(404, f"unknown item_id '{body.item_id}'")
        user = rules.user_of(caller, body.user_id)
        event = body.event_id or idempotency_key  # one key per event, scoped by caller and user
        key = f"{caller.key}:{user}:{event}" if event else None
        session_id, note = body.session_id, None
        session = ctx.sessions.get(session_id) if session_id else None
        if session_id and session is None:
            (session_id, session), note = ctx.sessions.get_or_create(None, user), EXPIRED
        if session is not None:
            rules.check_owner(caller, session, user)
        else:
            if user is None:
                raise HTTPException(422, "send a session_id, or the user_id of a known user")
            session = ctx.assistant.new_session(user)
        first = ctx.record_feedback(session, body.item_id, body.feedback, key)
        if session_id:
            ctx.sessions.save(session_id, session)
        return FeedbackOut(recorded=first, duplicate=not first, session_id=session_id, note=note)


def _add_search(router: APIRouter, ctx: AppContext, rules: _Rules, app_role: list) -> None:
    @router.get("/items/search", response_model=SearchOut, dependencies=app_role)
    def search(
        q: Annotated[str | None, Query(max_length=500, description="free text")] = None,
        include_tags: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
        exclude_tags: Annotated[list[str], Query()] = [],  # noqa: B006
        year_min: Annotated[int | None, Query(ge=1800, le=2100)] = None,
        year_max: Annotated[int | None, Query(ge=1800, le=2100)] = None,
        minutes_min: Annotated[int | None, Query(ge=1, le=600)] = None,
        minutes_max: Annotated[int | None, Query(ge=1, le=600)] = None,
        k: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> SearchOut:
        """Catalogue search: nearest items to the text (or all items) within the filters (a
        length bound leaves out the films of unknown length)."""
        _check_length(minutes_min, minutes_max)
        constraints = Constraints(
            frozenset(rules.canonical_tags(include_tags, "include_tags")),
            frozenset(rules.canonical_tags(exclude_tags, "exclude_tags")),
            year_min,
            year_max,
            minutes_min=minutes_min,
            minutes_max=minutes_max,
        )
        return SearchOut(items=[p.card() for p in ctx.assistant.search(q or "", constraints, k)])


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 for a request that does not fit its model: where and what, never the input echoed back
    (an echo of NaN, Infinity or a lone surrogate cannot be written as JSON, and an echo of a large
    body is a large answer)."""
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")).encode("utf-8", "replace").decode("utf-8"),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()[:20]
    ]
    return SanitisedJSONResponse(status_code=422, content={"detail": errors})
