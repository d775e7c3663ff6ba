"""The one shape every marketer answer takes: a table of released (noisy) aggregates, with what it
cost."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Cell = float | int | str | None
Measure = Literal[
    "size", "affinity", "sentiment", "trend", "clusters", "lookalike", "segments", "help"
]  # the last two release nothing


class AudienceTable(BaseModel):
    """Rows of aggregates computed from privacy-protected counts only; never an individual."""

    measure: Measure
    segment: str = Field(description="the segment in words")
    base: str | None = Field(default=None, description="what the segment is compared to")
    by: str | None = Field(
        default=None, description="the breakdown: tag, item, an attribute, a period, ..."
    )
    columns: list[str]
    rows: list[dict[str, Cell]]
    segment_size: int | None = Field(
        description="the segment's size as released (with noise); None when nothing was released"
    )
    base_size: int | None = None
    noise_margin95: float = Field(description="95 % half-width of the noise on each released count")
    epsilon_charged: float = Field(
        description="privacy cost of this answer; 0 when it repeats a stored release"
    )
    budget_left: float = Field(description="the caller's privacy budget left in this period")
    notes: list[str] = Field(default_factory=list)
