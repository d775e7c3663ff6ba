"""Settings of the marketer side: sponsored ads (auction, caps, pacing, click model) and
audiences (private aggregates and their privacy budget)."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
)


class AdsConfig(BaseModel):
    """Sponsored recommendations (the `ads` package): catalogue checks, auction, caps, pacing, click
    model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bid: PositiveFloat = 100.0  # cost per click an import accepts, in the catalogue's currency
    max_daily_budget: PositiveFloat = 1_000_000.0
    candidates: PositiveInt = 50  # nearest ads to the user's profile taken from the vector store
    reserve_cpc: PositiveFloat = (
        0.05  # the lowest charge per click (the second price when nobody bids below)
    )
    frequency_cap: PositiveInt = 3  # impressions of one ad per user per day
    pacing: Literal["even", "none"] = (
        "even"  # even: spend up to budget x (share of the day passed + slack)
    )
    pacing_slack: float = Field(default=0.05, ge=0, le=1)
    prior_ctr: float = Field(
        default=0.004, gt=0, lt=1
    )  # the Open Bandit sample's click rate (80 / 20,000)
    prior_strength: PositiveFloat = 200.0  # impressions' worth of weight the prior CTR gets per ad
    min_clicks_to_fit: PositiveInt = 20  # logged clicks before the serving click model is fitted
    refit_every: PositiveInt = (
        1000  # impressions served by one ad server between refits of its click model
    )
    sponsored_rate: float = Field(
        default=0.34, ge=0, le=1
    )  # share of chat answers that carry a sponsored slot
    # clicks sent without a verified user token (X-User-Token) billed per API key and UTC day; past
    # it a click is answered unbilled and not logged: a key cannot spend budgets with made-up users
    unverified_clicks_per_key_day: PositiveInt = 100
    bootstrap_samples: PositiveInt = 1000
    seed: int = 7


class AudienceConfig(BaseModel):
    """The marketer's audience insights and the privacy rules every marketer answer passes
    (recassist/audiences/)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_segment_size: PositiveInt = 100  # segments (by their noisy size) below this are refused
    # each release of a data snapshot (tags, tag rows, months, co-interests, sentiment: 4-5 a
    # snapshot, and the titles below), charged once to each organisation; every question is
    # answered from them at no further cost
    # (recassist/audiences/releases.py)
    epsilon_per_release: PositiveFloat = 1.0
    # the titles release (who likes a film) gets more: its counts are a person's 10 latest likes out
    # of many
    epsilon_titles: PositiveFloat = 3.0
    epsilon_per_query: PositiveFloat = (
        1.0  # a row-wise measure's own release (clusters, a lookalike), once each
    )
    epsilon_budget: PositiveFloat = (
        30.0  # per organisation (the verified caller's), over `budget_period_days`
    )
    budget_period_days: PositiveInt = 30
    interests_per_user: PositiveInt = Field(
        default=3, le=10, description="a user's top tags: their interests"
    )
    items_per_user: PositiveInt = Field(
        default=10, le=50, description="a user's latest liked items counted"
    )
    periods_per_user: PositiveInt = Field(
        default=3, le=24, description="a user's latest active periods in a trend"
    )
    max_attribute_values: PositiveInt = (
        30  # an attribute with more values (e.g. zip codes) is not a breakdown
    )
    like_threshold: NonNegativeFloat = (
        4.0  # a rating at or above this (or a like, purchase...) is a like
    )
    # The 0.5B model planned marketer questions worse than the parser and its summaries were
    # rejected by the number check or said little, at minutes per answer on shared CPUs
    # (docs/benchmarks.md, "Audiences"): the parser plans and the summary is a template from the
    # table unless these are turned on for a stronger model (an LLM summary is shown only when every
    # number in it is in the table).
    llm_questions: bool = False
    llm_summaries: bool = False
