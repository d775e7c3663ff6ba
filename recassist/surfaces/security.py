"""Access to every path of the app: one ASGI middleware in front of FastAPI and the mounted Gradio
apps.

In order, for each request:
- **Host allow-list** (`api.allowed_hosts`): another `Host` is 400, which stops DNS rebinding.
- **Origin and CORS.** A browser origin other than the app's own may call only with a publishable
  key that lists it (or, with no keys configured, when it is in `api.cors_origins`). CORS answers
  exactly those origins and never allows credentials. Another origin may only *read a refusal*: a
  preflight for a widget route (chat, feedback, recommend) is answered for any origin, so the
  browser sends the call, which is then refused here like any call from an unlisted origin (403,
  never processed), with CORS headers so the widget can show why ("publishable key ... is not
  allowed from origin ...") instead of "Failed to fetch". Every other preflight from an unlisted
  origin is 403. CORS headers set further in (Gradio's) are dropped.
- **Who is calling.** With no keys configured only loopback clients are served (the local demo).
  With keys, every path but the few in `PUBLIC_PATHS` needs a key in `X-API-Key` (or the sign-in
  cookie that `/signin` sets for a secret key, so a browser can open the UI and `/docs`), and the
  role the path needs (`required_role`): `app` for the REST API and `/docs`, `marketer` for
  `/api/v1/audiences` and the Marketer page (`/marketer`), `admin` for the Gradio UI and its API
  routes, which list user pseudonyms. Missing or unknown key: 401; wrong role, wrong origin, a
  secret key from a browser origin, or a publishable key off chat / feedback / recommend: 403. A
  browser asking for a page gets the 401 and the 403 as a page (the sign-in form, and for a wrong
  role the pages the key can open); other callers JSON.
- **Rate limits** (`ratelimit.py`, the `limits` library): a moving minute window keyed on the
  verified key (and, for publishable keys, key and client address), or on the client address when
  authentication failed or the path is public; the client address is the socket's unless it is one
  of `api.trusted_proxies` (`server.py`). Past the limit: 429 with Retry-After.
- **Body size** on the bytes actually read, chunked bodies included: past `api.max_body_bytes`, 413
  before the app sees any of it; a chunk slower than `api.body_timeout_s`: 408. **Uploads**
  (Gradio's upload routes, under every mount) are off: 403.

The verified `Caller` is left in the request state; `require` (a FastAPI dependency) reads it,
checks a route's own rules and declares the key scheme in the OpenAPI document. User tokens
(`X-User-Token`) are JWTs signed by the embedding app's backend with `api.user_token_secret`
(`tokens.py`). The rules live in `access.py`, the rate limiter in `ratelimit.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import APIKeyHeader
from starlette.datastructures import Headers

from recassist.settings import ApiConfig
from recassist.surfaces.access import (  # noqa: F401 - the names the app and its tests use from here
    COOKIE,
    COOKIE_TTL_S,
    CORS_HEADERS,
    HEADER,
    MARKETER_PAGE,
    PUBLIC_PATHS,
    PUBLISHABLE_ROUTES,
    UPLOAD_PATHS,
    USER_TOKEN_HEADER,
    Caller,
    Denied,
    Guard,
    is_upload,
    pages_for,
    required_role,
)
from recassist.surfaces.ratelimit import RateLimiter  # noqa: F401
from recassist.surfaces.tokens import sign_user_token, verify_user_token  # noqa: F401


def _origin_of(headers: Headers) -> str | None:
    """The request's Origin when it is not the app's own (compared on host and port), else None."""
    origin = headers.get("origin")
    if origin is None:
        return None
    if origin != "null" and urlsplit(origin).netloc.lower() == headers.get("host", "").lower():
        return None
    return origin.rstrip("/").lower()


async def _refuse(scope, receive, send, headers: Headers, denied: Denied) -> None:
    """Answer the refusal: a WebSocket is closed (policy violation); a browser asking for a page
    gets the sign-in page for a 401 or 403; everything else JSON."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    method, path = scope.get("method", "GET"), scope["path"]
    if denied.status in (401, 403) and method == "GET" and "text/html" in headers.get("accept", ""):
        page = _signin_page(path, denied.detail, denied.pages)
        await HTMLResponse(page, status_code=denied.status, headers=denied.headers)(
            scope, receive, send
        )
        return
    await JSONResponse(
        {"detail": denied.detail}, status_code=denied.status, headers=denied.headers
    )(scope, receive, send)


class SecurityMiddleware:
    """The checks in the module docstring, for every HTTP and WebSocket request (pure ASGI, so
    streamed responses pass through untouched)."""

    def __init__(self, app, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        client = scope["client"][0] if scope.get("client") else "unknown"
        method, path = scope.get("method", "GET"), scope["path"]
        foreign = _origin_of(headers)
        cors = foreign if foreign in self.guard.browser_origins else None
        denied = self.guard.check_host(headers)
        if denied is None and method == "OPTIONS" and foreign:
            if "access-control-request-method" in headers:
                asked = headers.get("access-control-request-method", "").upper()
                readable = cors or (foreign if (asked, path) in PUBLISHABLE_ROUTES else None)
                await self._preflight(scope, receive, send, path, client, readable)
                return
        if denied is None:
            denied, receive = await self._admit(scope, receive, headers, client, foreign)
        if denied is not None:
            # any origin may read why it was refused, and only that
            await _refuse(scope, receive, _with_cors(send, foreign), headers, denied)
            return
        await self.app(scope, receive, _with_cors(send, cors))

    async def _admit(
        self, scope, receive, headers: Headers, client: str, foreign: str | None
    ) -> tuple[Denied | None, Callable]:
        """Body size, who is calling and their rate, then the body itself (read whole, within the
        size and time limits): the refusal, if any, and the `receive` the app reads the body from.
        A verified caller is left in the request state."""
        config = self.guard.config
        method, path = scope.get("method", "GET"), scope["path"]
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > config.max_body_bytes:
            return _too_large(int(length), config.max_body_bytes), receive
        caller = self.guard.authenticate(method, path, headers, client, foreign)
        limited = self.guard.throttle(caller, client)
        if limited:
            return limited, receive
        if isinstance(caller, Denied):
            return caller, receive
        scope.setdefault("state", {})["recassist_caller"] = caller
        if scope["type"] != "http":
            return None, receive
        try:  # any method: a GET may carry a body too
            body, more, receive = await _read_body(
                receive, config.max_body_bytes, config.body_timeout_s
            )
        except TimeoutError:
            timeout = config.body_timeout_s
            return Denied(408, f"the request body did not arrive within {timeout:g} s"), receive
        if more:
            return _too_large(len(body), config.max_body_bytes, partial=True), receive
        return None, receive

    async def _preflight(
        self, scope, receive, send, path: str, client: str, cors: str | None
    ) -> None:
        """204 with CORS headers for `cors` (a listed origin, or any origin asking for a widget
        route, whose call `authenticate` then refuses unless the origin is listed), else 403."""
        wait = self.guard.limiter.take(f"addr:{client}", self.guard.config.requests_per_minute)
        if wait > 0:
            response = JSONResponse(
                {"detail": "rate limit reached"}, 429, {"Retry-After": str(max(1, round(wait)))}
            )
        elif cors and path.startswith("/api/"):
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": cors,
                    "Vary": "Origin",
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": CORS_HEADERS.decode(),
                    "Access-Control-Max-Age": "600",
                },
            )
        else:
            response = JSONResponse(
                {"detail": "this origin may not call this app (CORS)"}, status_code=403
            )
        await response(scope, receive, send)


def _too_large(size: int, limit: int, partial: bool = False) -> Denied:
    over = "more than " if partial else ""
    return Denied(413, f"request body of {over}{size:,} bytes is over the limit of {limit:,}")


async def _read_body(receive, limit: int, timeout_s: float):
    """Read the body, stopping once it passes `limit`: (bytes read, whether it went over, a
    `receive` that replays the body and then hands on to the server's, so a disconnect is still
    seen). TimeoutError when a chunk takes longer than `timeout_s` (a slow client holding a worker).
    """
    chunks, size = [], 0
    while True:
        message = await asyncio.wait_for(receive(), timeout_s)
        if message["type"] != "http.request":
            return b"", False, _replay([message], receive)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return b"".join(chunks), True, receive
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return (
        body,
        False,
        _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
    )


def _replay(messages: list[dict], receive):
    async def replay():
        return messages.pop(0) if messages else await receive()

    return replay


def _with_cors(send, origin: str | None):
    """`send` with CORS headers from further in dropped, and `origin` (a listed one) allowed."""

    async def wrapped(message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (k, v)
                for k, v in message.get("headers", [])
                if not k.lower().startswith(b"access-control-")
            ]
            if origin:
                headers += [
                    (b"access-control-allow-origin", origin.encode()),
                    (b"vary", b"Origin"),
                    (b"access-control-expose-headers", b"Retry-After"),
                ]
            headers.append((b"x-content-type-options", b"nosniff"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def _signin_page(next_path: str, detail: str, pages: list[tuple[str, str]] | None = None) -> str:
    """The sign-in form with `detail` above it; with `pages` (a wrong role), the pages the key can
    open."""
    links = ""
    if pages is not None:
        items = "".join(
            f'<li><a href="{escape(p)}">{escape(p)}</a>: {escape(label)}</li>' for p, label in pages
        )
        links = (
            f"<p>This key can open:</p><ul>{items}</ul>"
            if items
            else "<p>This key opens no page of this app.</p>"
        )
        links += "<p>Or sign in with another key:</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · recassist</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem">'
        f"<h1>Sign in</h1><p>{escape(detail)}</p>{links}"
        '<form method="post" action="/signin"><label for="key">API key</label><br>'
        '<input id="key" name="key" type="password" autocomplete="current-password" required style="width:100%">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        '<p><button type="submit">Sign in</button></p></form></body></html>'
    )


def add_signin(api: FastAPI, guard: Guard) -> None:
    """`/signin`: a form that trades a secret key for a signed, HttpOnly, SameSite=Strict cookie (12
    h), so a browser can open the Gradio UI (admin keys), the Marketer page (marketer keys) and
    `/docs` (app keys). A key that lacks the role of the page it was sent to goes to the first page
    it can open."""

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
            return HTMLResponse(
                _signin_page(target, "That is not a secret API key of this app."), status_code=401
            )
        if required_role(urlsplit(target).path) not in key.roles:
            pages = pages_for(key.roles)
            if not pages:
                detail = f"API key '{key.name}' has no role that opens a page of this app (its roles: {', '.join(sorted(key.roles))})."
                return HTMLResponse(_signin_page(target, detail, pages), status_code=403)
            target = pages[0][0]
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            guard.cookie_for(key),
            max_age=COOKIE_TTL_S,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response


_api_key_scheme = APIKeyHeader(
    name=HEADER, auto_error=False, description="an API key from api.keys"
)
_user_token_scheme = APIKeyHeader(
    name=USER_TOKEN_HEADER,
    auto_error=False,
    scheme_name="UserToken",
    description="optional: a user token signed with api.user_token_secret",
)


def require(config: ApiConfig, role: str, *, publishable: bool = False) -> Callable[..., Caller]:
    """A FastAPI dependency: the verified caller, if it has `role` (and, unless `publishable`, is
    not a publishable key). Declares the key scheme in the OpenAPI document. Fails closed without
    the middleware."""

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
