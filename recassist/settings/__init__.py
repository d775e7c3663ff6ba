"""The one typed settings object of the app.

Read, highest priority first, from keyword arguments, `RECASSIST_*` environment variables (nested
fields with `__`, e.g. `RECASSIST_CHROMA__URL`), `recassist.toml` in the working directory (or the
file named by `RECASSIST_CONFIG`), then the defaults in the section modules. Components take
their own config object, never the whole settings.

The settings object is here; each section's config lives with its neighbours (`settings.data`,
`settings.assistant`, `settings.serving`, `settings.marketing`) and is importable from here too,
so `from recassist.settings import X` works for every config.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, PositiveFloat
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from recassist.settings.assistant import AgentConfig, CalibrationConfig, LLMConfig
from recassist.settings.data import (
    DEFAULT_EVENT_WEIGHTS,
    ChromaConfig,
    EmbeddingConfig,
    ImportConfig,
    ProfileConfig,
)
from recassist.settings.marketing import AdsConfig, AudienceConfig
from recassist.settings.serving import (
    ApiConfig,
    ApiKey,
    MemoryConfig,
    StateConfig,
    default_memory_budget_mib,
)

__all__ = [
    "AdsConfig",
    "AgentConfig",
    "ApiConfig",
    "ApiKey",
    "AudienceConfig",
    "CalibrationConfig",
    "ChromaConfig",
    "DEFAULT_EVENT_WEIGHTS",
    "EmbeddingConfig",
    "ImportConfig",
    "LLMConfig",
    "MemoryConfig",
    "ProfileConfig",
    "Settings",
    "StateConfig",
    "default_memory_budget_mib",
]


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
