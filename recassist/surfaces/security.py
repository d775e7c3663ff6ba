"""Access to every path of the app: one ASGI middleware in front of FastAPI and the mounted Gradio apps.

In order, for each request:
- **Host allow-list** (`api.allowed_hosts`): another `Host` is 400, which stops DNS rebinding.
- **Origin and CORS.** A browser origin other than the app's own may call only with a publishable key
  that lists it (or, with no keys configured, when it is in `api.cors_origins`). CORS answers exactly
  those origins and never allows credentials. Another origin may only *read a refusal*: a preflight for
  a widget route (chat, feedback, recommend) is answered for any origin, so the browser sends the call,
  which is then refused here like any call from an unlisted origin (403, never processed), with CORS
  headers so the widget can show why ("publishable key ... is not allowed from origin ...") instead of
  "Failed to fetch". Every other preflight from an unlisted origin is 403. CORS headers set further in
  (Gradio's) are dropped.
- **Who is calling.** With no keys configured only loopback clients are served (the local demo). With
  keys, every path but the few in `PUBLIC_PATHS` needs a key in `X-API-Key` (or the sign-in cookie that
  `/signin` sets for a secret key, so a browser can open the UI and `/docs`), and the role the path
  needs (`required_role`): `app` for the REST API and `/docs`, `marketer` for `/api/v1/audiences` and the
  Marketer page (`/marketer`), `admin` for the Gradio UI and its API routes, which list user pseudonyms.
  Missing or unknown key: 401; wrong role, wrong origin, a secret key from a browser origin, or a
  publishable key off chat / feedback / recommend: 403. A browser asking for a page gets the 401 and the
  403 as a page (the sign-in form, and for a wrong role the pages the key can open); other callers JSON.
- **Rate limits**: token buckets keyed on the verified key (and, for publishable keys, key and client
  address), or on the client address when authentication failed or the path is public; the table keeps
  the `api.max_rate_buckets` most recently used. Past the limit: 429 with Retry-After.
- **Body size** on the bytes actually read, chunked bodies included: past `api.max_body_bytes`, 413
  before the app sees any of it. **Uploads** (Gradio's upload routes) are off: 403.

The verified `Caller` is left in the request state; `require` (a FastAPI dependency) reads it, checks a
route's own rules and declares the key scheme in the OpenAPI document. User tokens (`X-User-Token`) are
signed by the embedding app's backend with `api.user_token_secret`: `sign_user_token`, `verify_user_token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import APIKeyHeader
from starlette.datastructures import Headers

from recassist.errors import UserTokenError
from recassist.settings import ApiConfig, ApiKey

HEADER = "X-API-Key"
USER_TOKEN_HEADER = "X-User-Token"
COOKIE = "recassist_auth"
COOKIE_TTL_S = 12 * 3600
PUBLIC_PATHS = frozenset({"/healthz", "/widget.js", "/widget.css", "/signin"})
PUBLISHABLE_ROUTES = frozenset({("POST", "/api/v1/chat"), ("POST", "/api/v1/feedback"), ("POST", "/api/v1/recommend")})
API_ROLES = {"/api/v1/audiences": "marketer", "/api/v1/data": "admin"}  # every other /api/ path: app
MARKETER_PAGE = "/marketer"  # the Marketer tab on its own page, for marketer keys
PAGES = (("/", "admin", "the app: chat, explore and the Marketer tab"), (MARKETER_PAGE, "marketer", "the Marketer page"),
         ("/docs", "app", "the REST API's documentation"))  # what a browser can open, by role
UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording")
ALL_ROLES = frozenset({"app", "marketer", "admin"})
CORS_HEADERS = b"Content-Type, X-API-Key, X-User-Token"


def required_role(path: str) -> str | None:
    """The role a path needs when keys are configured; None for the public paths. Unknown paths need
    admin, so a route added later is closed until someone opens it."""
    if path in PUBLIC_PATHS:
        return None
    if path.startswith("/api/"):
        return next((role for prefix, role in API_ROLES.items() if path.startswith(prefix)), "app")
    if path in ("/docs", "/openapi.json") or path.startswith("/docs/"):
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


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def sign_user_token(secret: str, user_id: str, ttl_s: int = 3600, now: float | None = None) -> str:
    """A token naming `user_id` until `ttl_s` from now, for the widget's `data-user-token`: base64url JSON
    `{"sub", "exp"}`, a dot, base64url HMAC-SHA256 of the first part with the app's secret."""
    payload = _b64(json.dumps({"sub": user_id, "exp": int((now or time.time()) + ttl_s)}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret.encode(), payload)}"


def verify_user_token(secret: str, token: str, now: float | None = None) -> str:
    """The user id a token names; UserTokenError if it is malformed, badly signed or expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        raise UserTokenError("the user token is not '<payload>.<signature>'; sign it with sign_user_token")
    if not hmac.compare_digest(_mac(secret.encode(), payload), signature):
        raise UserTokenError("the user token's signature does not match api.user_token_secret")
    try:
        claims = json.loads(_unb64(payload))
        user, expires = str(claims["sub"]), float(claims["exp"])
    except (ValueError, KeyError, TypeError) as err:
        raise UserTokenError(f"the user token's payload is not {{'sub', 'exp'}} JSON: {err}") from err
    if expires < (now or time.time()):
        raise UserTokenError("the user token has expired; the page must get a fresh one from its backend")
    return user


class RateLimiter:
    """Token buckets (`per_minute` requests a minute, bursts of as many), the `max_buckets` most recently
    used kept. Thread-safe."""

    def __init__(self, max_buckets: int) -> None:
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # name -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, name: str, per_minute: int) -> float:
        """0 if a request may pass now, else the seconds until one may."""
        rate, now = per_minute / 60.0, time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(name, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
            self._buckets[name] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


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
    return host_header.rsplit(":", 1)[0].lower() if host_header.count(":") == 1 else host_header.lower()


class Guard:
    """The access rules for one app: its keys, the sign-in cookie's secret (`api.cookie_secret`,
    else one per process), the rate buckets."""

    def __init__(self, config: ApiConfig) -> None:
        self.config = config
        self.limiter = RateLimiter(config.max_rate_buckets)
        # from configuration, so every replica verifies every replica's cookie; else this process's
        secret = config.cookie_secret
        drawn = secrets.token_bytes(32)
        self._cookie_secret = secret.get_secret_value().encode() if secret else drawn
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
        return f"{payload}.{_mac(self._cookie_secret, payload)}"

    def key_from_cookie(self, value: str) -> ApiKey | None:
        payload, _, signature = value.rpartition(".")
        if not payload or not hmac.compare_digest(_mac(self._cookie_secret, payload), signature):
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

    def authenticate(self, method: str, path: str, headers: Headers, client: str, foreign: str | None) -> Caller | Denied:
        """The caller of a request, or why it is refused. `foreign`: its Origin when that is not the app's own."""
        if any(path.startswith(p) for p in UPLOAD_PATHS):
            return Denied(403, "uploads are off: no surface of recassist takes files")
        role = required_role(path)
        if not self.config.keys:
            if not _loopback(client):
                return Denied(403, "no API keys are configured, so only clients on 127.0.0.1 are served")
            if foreign and foreign not in self.browser_origins:
                return Denied(403, f"origin {foreign} may not call this app; list it in api.cors_origins")
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
                return Denied(401, "unknown API key" if given else "the sign-in has expired; sign in again at /signin")
            return Denied(401, f"missing {HEADER} header (or sign in at /signin)")
        if key.kind == "secret" and foreign:
            return Denied(403, f"API key '{key.name}' is a secret key, refused from the browser origin {foreign}; "
                               "pages use a publishable key bound to their origin")
        if key.kind == "publishable":
            origin = (headers.get("origin") or "").lower()
            if origin not in key.origins:
                return Denied(403, f"publishable key '{key.name}' is not allowed from origin '{origin or 'none'}'")
            if (method, path) not in PUBLISHABLE_ROUTES:
                return Denied(403, f"publishable key '{key.name}' may only chat, send feedback and recommend")
        if role not in key.roles:
            return Denied(403, f"API key '{key.name}' lacks the '{role}' role", pages=pages_for(key.roles))
        user = None
        token = headers.get(USER_TOKEN_HEADER)
        if token:
            if self.config.user_token_secret is None:
                return Denied(401, "user tokens are off: set api.user_token_secret to accept them")
            try:
                user = verify_user_token(self.config.user_token_secret.get_secret_value(), token)
            except UserTokenError as err:
                return Denied(401, str(err))
        return Caller(key.name, key.kind, frozenset(key.roles), client, user)

    def throttle(self, caller: Caller | Denied, client: str) -> Denied | None:
        """A 429 if this request must wait, taking from the caller's buckets: the client address's when
        authentication failed or none is needed, else the key's (and, for a publishable key, the key and
        client address's)."""
        config = self.config
        if isinstance(caller, Denied) or caller.key is None:
            buckets = [(f"addr:{client}", config.requests_per_minute, "from this address")]
        else:
            buckets = [(f"key:{caller.key}", config.requests_per_minute, f"for key '{caller.key}'")]
            if caller.kind == "publishable":
                buckets.append((f"client:{caller.key}:{client}", config.requests_per_minute_per_client,
                                f"for key '{caller.key}' from this address"))
        for name, limit, scope in buckets:
            wait = self.limiter.take(name, limit)
            if wait > 0:
                return Denied(429, f"rate limit of {limit} requests a minute {scope} reached; retry in {wait:.1f} s",
                              {"Retry-After": str(max(1, round(wait)))})
        return None


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _origin_of(headers: Headers) -> str | None:
    """The request's Origin when it is not the app's own (compared on host and port), else None."""
    origin = headers.get("origin")
    if origin is None:
        return None
    if origin != "null" and urlsplit(origin).netloc.lower() == headers.get("host", "").lower():
        return None
    return origin.rstrip("/").lower()


class SecurityMiddleware:
    """The checks in the module docstring, for every HTTP and WebSocket request (pure ASGI, so streamed
    responses pass through untouched)."""

    def __init__(self, app, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        guard, config = self.guard, self.guard.config
        headers = Headers(scope=scope)
        client = scope["client"][0] if scope.get("client") else "unknown"
        method, path = scope.get("method", "GET"), scope["path"]
        foreign = _origin_of(headers)
        cors = foreign if foreign in guard.browser_origins else None
        raw_send, send = send, _with_cors(send, cors)
        refusal_send = _with_cors(raw_send, foreign)  # any origin may read why it was refused, and only that

        async def refuse(denied: Denied) -> None:
            if scope["type"] == "websocket":
                await refusal_send({"type": "websocket.close", "code": 1008})
                return
            if denied.status in (401, 403) and method == "GET" and "text/html" in headers.get("accept", ""):
                page = _signin_page(path, denied.detail, denied.pages)
                await HTMLResponse(page, status_code=denied.status, headers=denied.headers)(scope, receive, refusal_send)
                return
            await JSONResponse({"detail": denied.detail}, status_code=denied.status, headers=denied.headers)(scope, receive, refusal_send)

        denied = guard.check_host(headers)
        if denied:
            await refuse(denied)
            return
        if method == "OPTIONS" and foreign and "access-control-request-method" in headers:
            asked = headers.get("access-control-request-method", "").upper()
            readable = cors or (foreign if (asked, path) in PUBLISHABLE_ROUTES else None)
            await self._preflight(scope, receive, raw_send, path, client, readable)
            return
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > config.max_body_bytes:
            await refuse(_too_large(int(length), config.max_body_bytes))
            return
        caller = guard.authenticate(method, path, headers, client, foreign)
        limited = guard.throttle(caller, client)
        if limited:
            await refuse(limited)
            return
        if isinstance(caller, Denied):
            await refuse(caller)
            return
        scope.setdefault("state", {})["recassist_caller"] = caller
        if scope["type"] == "http":  # any method: a GET may carry a body too
            body, more, receive = await _read_body(receive, config.max_body_bytes)
            if more:
                await refuse(_too_large(len(body), config.max_body_bytes, partial=True))
                return
        await self.app(scope, receive, send)

    async def _preflight(self, scope, receive, send, path: str, client: str, cors: str | None) -> None:
        """204 with CORS headers for `cors` (a listed origin, or any origin asking for a widget route, whose
        call `authenticate` then refuses unless the origin is listed), else 403."""
        wait = self.guard.limiter.take(f"addr:{client}", self.guard.config.requests_per_minute)
        if wait > 0:
            response = JSONResponse({"detail": "rate limit reached"}, 429, {"Retry-After": str(max(1, round(wait)))})
        elif cors and path.startswith("/api/"):
            response = Response(status_code=204, headers={
                "Access-Control-Allow-Origin": cors, "Vary": "Origin", "Access-Control-Allow-Methods": "GET, POST", "Access-Control-Allow-Headers": CORS_HEADERS.decode(),
                "Access-Control-Max-Age": "600",
            })
        else:
            response = JSONResponse({"detail": "this origin may not call this app (CORS)"}, status_code=403)
        await response(scope, receive, send)


def _too_large(size: int, limit: int, partial: bool = False) -> Denied:
    over = "more than " if partial else ""
    return Denied(413, f"request body of {over}{size:,} bytes is over the limit of {limit:,}")


async def _read_body(receive, limit: int):
    """Read the body, stopping once it passes `limit`: (bytes read, whether it went over, a `receive` that
    replays the body and then hands on to the server's, so a disconnect is still seen)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", False, _replay([message], receive)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return b"".join(chunks), True, receive
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, False, _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[dict], receive):
    async def replay():
        return messages.pop(0) if messages else await receive()

    return replay


def _with_cors(send, origin: str | None):
    """`send` with CORS headers from further in dropped, and `origin` (a listed one) allowed."""

    async def wrapped(message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")]
            if origin:
                headers += [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin"),
                            (b"access-control-expose-headers", b"Retry-After")]
            headers.append((b"x-content-type-options", b"nosniff"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def _signin_page(next_path: str, detail: str, pages: list[tuple[str, str]] | None = None) -> str:
    """The sign-in form with `detail` above it; with `pages` (a wrong role), the pages the key can open."""
    links = ""
    if pages is not None:
        items = "".join(f'<li><a href="{escape(p)}">{escape(p)}</a>: {escape(label)}</li>' for p, label in pages)
        links = f"<p>This key can open:</p><ul>{items}</ul>" if items else "<p>This key opens no page of this app.</p>"
        links += "<p>Or sign in with another key:</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · recassist</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem">'
        f'<h1>Sign in</h1><p>{escape(detail)}</p>{links}'
        '<form method="post" action="/signin"><label for="key">API key</label><br>'
        '<input id="key" name="key" type="password" autocomplete="current-password" required style="width:100%">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        '<p><button type="submit">Sign in</button></p></form></body></html>'
    )


def add_signin(api: FastAPI, guard: Guard) -> None:
    """`/signin`: a form that trades a secret key for a signed, HttpOnly, SameSite=Strict cookie (12 h),
    so a browser can open the Gradio UI (admin keys), the Marketer page (marketer keys) and `/docs` (app
    keys). A key that lacks the role of the page it was sent to goes to the first page it can open."""

    @api.get("/signin", response_class=HTMLResponse, include_in_schema=False)
    def signin_form(next: str = "/") -> str:  # noqa: A002 - the query parameter's name
        return _signin_page(next, "This recassist serves signed-in users only.")

    @api.post("/signin", include_in_schema=False)
    async def signin(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        key = guard.key_for(form.get("key", [""])[0])
        target = form.get("next", ["/"])[0]
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        if key is None or key.kind != "secret":
            return HTMLResponse(_signin_page(target, "That is not a secret API key of this app."), status_code=401)
        if required_role(urlsplit(target).path) not in key.roles:
            pages = pages_for(key.roles)
            if not pages:
                detail = f"API key '{key.name}' has no role that opens a page of this app (its roles: {', '.join(sorted(key.roles))})."
                return HTMLResponse(_signin_page(target, detail, pages), status_code=403)
            target = pages[0][0]
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, guard.cookie_for(key), max_age=COOKIE_TTL_S, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response


_api_key_scheme = APIKeyHeader(name=HEADER, auto_error=False, description="an API key from api.keys")
_user_token_scheme = APIKeyHeader(name=USER_TOKEN_HEADER, auto_error=False, scheme_name="UserToken",
                                  description="optional: a user token signed with api.user_token_secret")


def require(config: ApiConfig, role: str, *, publishable: bool = False) -> Callable[..., Caller]:
    """A FastAPI dependency: the verified caller, if it has `role` (and, unless `publishable`, is not a
    publishable key). Declares the key scheme in the OpenAPI document. Fails closed without the middleware."""

    def check(
        request: Request,
        _key: str | None = Depends(_api_key_scheme),
        _token: str | None = Depends(_user_token_scheme),
    ) -> Caller:
        caller = getattr(request.state, "recassist_caller", None)
        if not isinstance(caller, Caller):
            raise HTTPException(401, "the request did not pass the security middleware")
        if caller.kind == "publishable" and not publishable:
            raise HTTPException(403, "publishable keys may only chat, send feedback and recommend")
        if role not in caller.roles:
            raise HTTPException(403, f"API key '{caller.key}' lacks the '{role}' role")
        return caller

    return check
