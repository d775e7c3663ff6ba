"""Settings of the running app: its memory budget, API keys and the REST API's limits, and the
state database that several replicas share."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    model_validator,
)


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
