"""The marketer REST API (`/api/v1/audiences/...`): aggregates only, for API keys with the
`marketer` role.

Every answer is an `AudienceTable` computed from privacy-protected releases (see
`recassist/audiences/releases.py`), made once per data snapshot and charged once to the budget of
the verified caller's organisation (`budget_owner`: the key's `organisation`, else its name, whether
it came as a header, a sign-in cookie or through the UI); a refusal says why (a segment under the
minimum size: 422; a sensitive category, in a segment or in a question's words: 422; the budget
spent: 429, with the budget left). A question that is not a query (`/ask`: no segment or analysis
named, a place, "show the segments") gets a free guide table of what can be asked. Lookalike exports
(pseudonymous ids) need the `admin` role. `MarketerContext` holds the data set's `Audiences` and
question assistant for one app, built at first use.
"""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from recassist.audiences.questions import MarketerAnswer, MarketerAssistant, MarketerQuery
from recassist.audiences.segments import EVERYONE, Segment
from recassist.audiences.service import Audiences
from recassist.audiences.tables import AudienceTable
from recassist.errors import BudgetExhaustedError, IndexNotBuiltError, PrivacyRefusal, QueryError
from recassist.settings import ApiConfig, Settings
from recassist.surfaces.security import Caller, require

LOCAL = "local"  # the budget owner of loopback callers when no keys are configured


class MarketerContext:
    """The marketer side of one app: its `Audiences` and `MarketerAssistant`, built once, at first
    use."""

    def __init__(
        self, settings: Settings, dataset: str, *, store=None, embedder=None, model=None
    ) -> None:
        self.settings, self.dataset = settings, dataset
        self.store, self.embedder, self.model = store, embedder, model
        self._lock = threading.Lock()
        self._audiences: Audiences | None = None
        self._assistant: MarketerAssistant | None = None
        self.find_title = (
            None  # the chat's title lookup (`Catalogue.find_title`), when the app has one
        )

    @classmethod
    def from_app(cls, ctx) -> MarketerContext:
        """From the app's context (surfaces.context.AppContext): its vector store, embedder and chat
        model."""
        made = cls(
            ctx.settings,
            ctx.dataset.name,
            store=ctx.catalogue.store,
            embedder=ctx.catalogue.embedder,
            model=ctx.assistant.model,
        )
        made.find_title = ctx.catalogue.find_title  # the chat's own title lookup
        return made

    @property
    def audiences(self) -> Audiences:
        with self._lock:
            if self._audiences is None:
                self._audiences = Audiences.open(
                    self.settings, self.dataset, store=self.store, embedder=self.embedder
                )
            return self._audiences

    @property
    def assistant(self) -> MarketerAssistant:
        audiences = self.audiences
        with self._lock:
            if self._assistant is None:
                self._assistant = MarketerAssistant(
                    audiences, self.model, self.settings.audiences, self.find_title
                )
            return self._assistant


def budget_owner(caller: object, config: ApiConfig) -> str | None:
    """Whose privacy budget a verified caller spends: its key's organisation, else the key's name;
    `local` for the loopback demo with no keys; None for a caller the security middleware did not
    verify."""
    if not isinstance(caller, Caller):
        return None
    if caller.key is None:
        return LOCAL
    key = next((k for k in config.keys if k.name == caller.key), None)
    return key.organisation if key is not None and key.organisation else caller.key


def principal_of(config: ApiConfig, role: str):
    """A FastAPI dependency: admits callers with `role` and returns their budget owner
    (`budget_owner`)."""
    check = require(config, role)

    def dependency(request: Request) -> str:
        caller = check(request)
        return budget_owner(caller, config) or LOCAL

    return dependency


def refusal(err: Exception) -> HTTPException:
    if isinstance(err, BudgetExhaustedError):
        return HTTPException(429, str(err))
    if isinstance(err, IndexNotBuiltError):
        return HTTPException(409, str(err))
    return HTTPException(422, str(err))


_Strict = ConfigDict(extra="forbid")


class SegmentIn(BaseModel):
    model_config = _Strict
    segment: Segment = Field(
        default=EVERYONE, description="who: attributes, behaviour, words, and / or / not"
    )


class AffinityIn(SegmentIn):
    base: Segment = Field(default=EVERYONE, description="compared to whom (default everyone)")
    by: str = Field(
        default="tag", max_length=60, description="tag, item or a user attribute such as age_band"
    )
    top: int = Field(default=25, ge=1, le=200)


class SentimentIn(SegmentIn):
    base: Segment = EVERYONE
    category: str | None = Field(default=None, max_length=60)


class TrendIn(SegmentIn):
    tag: str = Field(min_length=1, max_length=80)
    period: Literal["week", "month", "quarter"] = "month"
    last_months: int | None = Field(default=None, ge=1, le=240)


class LookalikeIn(BaseModel):
    model_config = _Strict
    seed: Segment = Field(description="the seed segment: at least 100 people")
    share: float = Field(
        default=0.05,
        ge=0.01,
        le=0.10,
        description="size as a share of everyone, raised to the "
        "smallest audience that may be shown when that is larger (small data sets)",
    )


class AskIn(BaseModel):
    model_config = _Strict
    question: str = Field(min_length=3, max_length=500)


class AskOut(BaseModel):
    query: MarketerQuery | None = Field(
        description="None when the question was not a query: the table is a free "
        "guide (measure 'help' or 'segments')"
    )
    planned_by: Literal["llm", "parser"]
    table: AudienceTable
    chart: dict
    summary: str
    summary_source: Literal["model", "template"]


class BudgetOut(BaseModel):
    principal: str
    epsilon_budget: float
    epsilon_spent: float
    epsilon_left: float
    epsilon_per_release: float
    epsilon_per_query: float
    period_days: int


class ExportOut(BaseModel):
    count: int
    user_ids: list[str] = Field(description="pseudonymous ids (keyed hashes), never raw ids")


def budget_of(marketing: MarketerContext, owner: str) -> BudgetOut:
    rules = marketing.settings.audiences
    spent = marketing.audiences.guard.spent(owner)
    return BudgetOut(
        principal=owner,
        epsilon_budget=rules.epsilon_budget,
        epsilon_spent=round(spent, 6),
        epsilon_left=round(max(0.0, rules.epsilon_budget - spent), 6),
        epsilon_per_release=rules.epsilon_per_release,
        epsilon_per_query=rules.epsilon_per_query,
        period_days=rules.budget_period_days,
    )


def build_audiences_router(marketing: MarketerContext, config: ApiConfig) -> APIRouter:
    """The marketers' routes: the measures and the lookalike for the marketer role, the lookalike's
    ids for the admin role; every refusal is a 4xx that says why."""
    router = APIRouter(prefix="/api/v1/audiences", tags=["audiences"])
    marketer = Depends(principal_of(config, "marketer"))
    _add_measures(router, marketing, marketer)
    _add_lookalike_and_questions(
        router, marketing, marketer, Depends(principal_of(config, "admin"))
    )
    return router


def _guarded(run):
    """`run()`, with a privacy refusal, a bad query or a missing index as the 4xx that says why."""
    try:
        return run()
    except (PrivacyRefusal, QueryError, IndexNotBuiltError) as err:
        raise refusal(err) from None


def _add_measures(router: APIRouter, marketing: MarketerContext, marketer) -> None:
    @router.post("/size", response_model=AudienceTable)
    def size(body: SegmentIn, who: str = marketer) -> AudienceTable:
        return _guarded(lambda: marketing.audiences.size(who, body.segment))

    @router.post("/affinity", response_model=AudienceTable)
    def affinity(body: AffinityIn, who: str = marketer) -> AudienceTable:
        """Interests most over-represented in the segment: index = segment share / base share x 100."""
        return _guarded(
            lambda: marketing.audiences.affinity(who, body.segment, body.base, body.by, body.top)
        )

    @router.post("/sentiment", response_model=AudienceTable)
    def sentiment(body: SentimentIn, who: str = marketer) -> AudienceTable:
        return _guarded(
            lambda: marketing.audiences.sentiment(who, body.segment, body.base, body.category)
        )

    @router.post("/trend", response_model=AudienceTable)
    def trend(body: TrendIn, who: str = marketer) -> AudienceTable:
        return _guarded(
            lambda: marketing.audiences.trend(
                who, body.segment, body.tag, body.period, body.last_months
            )
        )

    @router.post("/clusters", response_model=AudienceTable)
    def clusters(body: SegmentIn, who: str = marketer) -> AudienceTable:
        return _guarded(lambda: marketing.audiences.clusters(who, body.segment))


def _add_lookalike_and_questions(
    router: APIRouter, marketing: MarketerContext, marketer, admin
) -> None:
    @router.post("/lookalike", response_model=AudienceTable)
    def lookalike(body: LookalikeIn, who: str = marketer) -> AudienceTable:
        """The lookalike audience's size and distinctive interests; no ids (see /lookalike/export)."""
        return _guarded(lambda: marketing.audiences.lookalike(who, body.seed, body.share))

    @router.post("/lookalike/export", response_model=ExportOut)
    def export(body: LookalikeIn, who: str = admin) -> ExportOut:
        """Pseudonymous ids of the lookalike audience, for the admin role only."""
        ids = _guarded(lambda: marketing.audiences.export_lookalike(body.seed, body.share))
        return ExportOut(count=len(ids), user_ids=ids)

    @router.post("/ask", response_model=AskOut)
    def ask(body: AskIn, who: str = marketer) -> AskOut:
        """A question in words: planned into a typed query, answered with a table, a chart, a
        checked summary."""
        answer: MarketerAnswer = _guarded(lambda: marketing.assistant.answer(body.question, who))
        return AskOut(**answer.model_dump(exclude={"question"}))

    @router.get("/budget", response_model=BudgetOut)
    def budget(who: str = marketer) -> BudgetOut:
        """The epsilon the caller's organisation spent and has left in this period."""
        return budget_of(marketing, who)
