"""The access rules of the app: which role each path needs, who a request comes from, and whether it
may pass now (`Guard`). `security.SecurityMiddleware` applies them to every request; the policy is
described in that module's docstring and in docs/embedding.md ("Roles").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass

from starlette.datastructures import Headers

from recassist.errors import UserTokenError
from recassist.settings import ApiConfig, ApiKey
from recassist.surfaces.ratelimit import RateLimiter
from recassist.surfaces.tokens import verify_user_token

HEADER = "X-API-Key"
USER_TOKEN_HEADER = "X-User-Token"
COOKIE = "recassist_auth"
COOKIE_TTL_S = 12 * 3600
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/widget.js", "/widget.css", "/signin"})
PUBLISHABLE_ROUTES = frozenset(
    {("POST", "/api/v1/chat"), ("POST", "/api/v1/feedback"), ("POST", "/api/v1/recommend")}
)
# the first matching prefix wins; every other /api/ path: app
API_ROLES = {
    "/api/v1/audiences/lookalike/export": "admin",
    "/api/v1/audiences": "marketer",
    "/api/v1/data": "admin",
}
APP_PAGES = (
    "/docs",
    "/openapi.json",
    "/ads",
)  # pages for the app role (/ads: the sponsored demo page)
MARKETER_PAGE = "/marketer"  # the Marketer tab on its own page, for marketer keys
PAGES = (
    ("/", "admin", "the app: chat, explore and the Marketer tab"),
    (MARKETER_PAGE, "marketer", "the Marketer page"),
    ("/docs", "app", "the REST API's documentation"),
)  # what a browser can open, by role
# Gradio's routes that take files, under any mount ("/marketer/gradio_api/upload" too)
UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording")
ALL_ROLES = frozenset({"app", "marketer", "admin"})
CORS_HEADERS = b"Content-Type, X-API-Key, X-User-Token"


def is_upload(path: str) -> bool:
    """Whether `path` is one of Gradio's upload routes under any mount point."""
    return any(part in path for part in UPLOAD_PATHS)


def required_role(path: str) -> str | None:
    """The role a path needs when keys are configured; None for the public paths. Unknown paths need
    admin, so a route added later is closed until someone opens it."""
    if path in PUBLIC_PATHS:
        return None
    if path.startswith("/api/"):
        return next((role for prefix, role in API_ROLES.items() if path.startswith(prefix)), "app")
    if path in APP_PAGES or path.startswith("/docs/"):
        return "app"
    if path == MARKETER_PAGE or path.startswith(MARKETER_PAGE + "/"):
        return "marketer"
    return "admin"


def pages_for(roles) -> list[tuple[str, str]]:
    """(path, what it is) of the pages a key with `roles` can open in a browser."""
    return [(path, label) for path, role, label in PAGES if role in roles]


@dataclass(frozen=True)
class Caller:
    """Who a request comes from, as verified by `SecurityMiddleware`."""

    key: str | None  # the key's name; None for the loopback demo and public paths
    kind: str  # "secret", "publishable", "local" (no keys configured) or "public"
    roles: frozenset[str]
    client: str
    user: str | None = None  # the user id a valid user token names


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


@dataclass
class Denied:
    status: int
    detail: str
    headers: dict[str, str] | None = None
    pages: list[tuple[str, str]] | None = None  # for a wrong role: the pages the key can open


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _hostname(host_header: str) -> str:
    """`Host` without its port, IPv6 brackets removed, lower case."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0].lower()
    return (
        host_header.rsplit(":", 1)[0].lower()
        if host_header.count(":") == 1
        else host_header.lower()
    )


class Guard:
    """The access rules for one app: its keys, the sign-in cookie's per-process secret, the rate
    buckets."""

    def __init__(self, config: ApiConfig, cache_url: str | None = None) -> None:
        self.config = config
        self.limiter = RateLimiter(cache_url)  # memory, or the store of state.cache_url
        # from configuration, so every replica verifies every replica's cookie; else this process's
        # own
        secret = config.cookie_secret
        self._cookie_secret = (
            secret.get_secret_value().encode() if secret else secrets.token_bytes(32)
        )
        self.browser_origins = {o for k in config.keys for o in k.origins} | (
            set() if config.keys else {o.rstrip("/").lower() for o in config.cors_origins}
        )

    def key_for(self, given: str) -> ApiKey | None:
        found = None
        for key in self.config.keys:  # compare against all, in constant time each
            if hmac.compare_digest(key.key.get_secret_value().encode(), given.encode()):
                found = key
        return found

    # ---- the sign-in cookie: "<base64 key name>.<expiry>.<mac>"

    def cookie_for(self, key: ApiKey) -> str:
        payload = f"{_b64(key.name.encode())}.{int(time.time()) + COOKIE_TTL_S}"
        return f"{payload}.{mac(self._cookie_secret, payload)}"

    def key_from_cookie(self, value: str) -> ApiKey | None:
        payload, _, signature = value.rpartition(".")
        if not payload or not hmac.compare_digest(mac(self._cookie_secret, payload), signature):
            return None
        name, _, expires = payload.partition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return None
        try:
            wanted = _unb64(name).decode()
        except ValueError:
            return None
        return next((k for k in self.config.keys if k.name == wanted and k.kind == "secret"), None)

    # ---- the checks

    def check_host(self, headers: Headers) -> Denied | None:
        allowed = self.config.allowed_hosts
        name = _hostname(headers.get("host", ""))
        if "*" in allowed or name in {h.lower() for h in allowed}:
            return None
        return Denied(400, f"Host '{name}' is not served; add it to api.allowed_hosts")

    def authenticate(
        self, method: str, path: str, headers: Headers, client: str, foreign: str | None
    ) -> Caller | Denied:
        """The caller of a request, or why it is refused. `foreign`: its Origin when that is not the
        app's own."""
        if is_upload(path):
            return Denied(403, "uploads are off: no surface of recassist takes files")
        role = required_role(path)
        if not self.config.keys:
            if not _loopback(client):
                return Denied(
                    403, "no API keys are configured, so only clients on 127.0.0.1 are served"
                )
            if foreign and foreign not in self.browser_origins:
                return Denied(
                    403, f"origin {foreign} may not call this app; list it in api.cors_origins"
                )
            return Caller(None, "local", ALL_ROLES, client)
        if role is None:
            if foreign and method not in ("GET", "HEAD"):
                return Denied(403, f"origin {foreign} may not post here")
            return Caller(None, "public", frozenset(), client)
        given = headers.get(HEADER)
        cookie = _cookie(headers, COOKIE)
        key = self.key_for(given) if given else (self.key_from_cookie(cookie) if cookie else None)
        if key is None:
            if given or cookie:
                return Denied(
                    401,
                    "unknown API key"
                    if given
                    else "the sign-in has expired; sign in again at /signin",
                )
            return Denied(401, f"missing {HEADER} header (or sign in at /signin)")
        if key.kind == "secret" and foreign:
            return Denied(
                403,
                f"API key '{key.name}' is a secret key, refused from the browser origin {foreign}; "
                "pages use a publishable key bound to their origin",
            )
        if key.kind == "publishable":
            origin = (headers.get("origin") or "").lower()
            if origin not in key.origins:
                return Denied(
                    403,
                    f"publishable key '{key.name}' is not allowed from origin '{origin or 'none'}'",
                )
            if (method, path) not in PUBLISHABLE_ROUTES:
                return Denied(
                    403, f"publishable key '{key.name}' may only chat, send feedback and recommend"
                )
        if role not in key.roles:
            return Denied(
                403, f"API key '{key.name}' lacks the '{role}' role", pages=pages_for(key.roles)
            )
        user = self.token_user(headers.get(USER_TOKEN_HEADER))
        if isinstance(user, Denied):
            return user
        return Caller(key.name, key.kind, frozenset(key.roles), client, user)

    def token_user(self, token: str | None) -> str | None | Denied:
        """The user a request's user token names (None without one), or a 401 for a bad token."""
        if not token:
            return None
        if self.config.user_token_secret is None:
            return Denied(401, "user tokens are off: set api.user_token_secret to accept them")
        try:
            return verify_user_token(
                self.config.user_token_secret.get_secret_value(),
                token,
                max_ttl_s=self.config.max_user_token_ttl_s,
            )
        except UserTokenError as err:
            return Denied(401, str(err))

    def throttle(self, caller: Caller | Denied, client: str) -> Denied | None:
        """A 429 if this request must wait, taking from the caller's buckets: the client address's
        when authentication failed or none is needed, else the key's (and, for a publishable key,
        the key and client address's)."""
        config = self.config
        if isinstance(caller, Denied) or caller.key is None:
            buckets = [(f"addr:{client}", config.requests_per_minute, "from this address")]
        else:
            buckets = [(f"key:{caller.key}", config.requests_per_minute, f"for key '{caller.key}'")]
            if caller.kind == "publishable":
                buckets.append(
                    (
                        f"client:{caller.key}:{client}",
                        config.requests_per_minute_per_client,
                        f"for key '{caller.key}' from this address",
                    )
                )
        for name, limit, scope in buckets:
            wait = self.limiter.take(name, limit)
            if wait > 0:
                return Denied(
                    429,
                    f"rate limit of {limit} requests a minute {scope} reached; "
                    f"retry in {wait:.1f} s",
                    {"Retry-After": str(max(1, round(wait)))},
                )
        return None


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
