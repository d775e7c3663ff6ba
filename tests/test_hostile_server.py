"""Hostile suite: a server that sheds slow and spoofed clients, tokens no client can stretch,
uploads refused on every mount.

Servers run on loopback in a thread (uvicorn with `surfaces.server.server_config`, as `recassist
serve` does), with short timeouts so each loop is bounded to a few seconds.
"""

from __future__ import annotations

import socket
import threading
import time

import gradio as gr
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import SecretStr

from recassist.errors import UserTokenError
from recassist.settings import ApiConfig, ApiKey
from recassist.surfaces.security import (
    Guard,
    SecurityMiddleware,
    is_upload,
    sign_user_token,
    verify_user_token,
)
from recassist.surfaces.server import server_config
from tests.background import free_port

SECRET = "a-user-token-secret-of-32-bytes!"


def tiny_app(config: ApiConfig) -> FastAPI:
    app = FastAPI()

    @app.post("/api/v1/echo")
    async def echo(body: dict) -> dict:
        return {"got": len(body)}

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    app.add_middleware(SecurityMiddleware, guard=Guard(config))
    return app


@pytest.fixture(scope="module")
def server():
    """A server with 1 s header and body timeouts; yields (port, config)."""
    config = ApiConfig(
        header_timeout_s=1.0,
        body_timeout_s=1.0,
        requests_per_minute=5,
        keys=[ApiKey(name="shop", key=SecretStr("sk_shop_0123456789"))],
    )
    port = free_port()
    instance = __import__("uvicorn").Server(
        server_config(tiny_app(config), config, "127.0.0.1", port, log_level="warning")
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port, config
    instance.should_exit = True
    thread.join(10)


def _closed(sock: socket.socket) -> bool:
    try:
        sock.sendall(b"X")
        sock.settimeout(0.05)
        return sock.recv(1024) == b"" or True
    except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
        return True


def test_slow_headers_are_cut_off(server) -> None:
    """8 connections sending one header byte every 0.2 s are all closed within 3 s (the issue: all
    open after 121 s)."""
    port, _ = server
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    open_at_end = set(range(8))
    started = time.monotonic()
    for i in range(15):  # 3 s at most
        for n, sock in enumerate(socks):
            if n in open_at_end:
                try:
                    sock.sendall(request[i : i + 1])
                except OSError:
                    open_at_end.discard(n)
        time.sleep(0.2)
    for n, sock in enumerate(socks):
        sock.settimeout(0.5)
        try:
            if sock.recv(1024) == b"":
                open_at_end.discard(n)
        except ConnectionResetError:
            open_at_end.discard(n)
        except TimeoutError:
            pass
        sock.close()
    assert open_at_end == set(), (
        f"{len(open_at_end)} slow connections still open after {time.monotonic() - started:.1f} s"
    )


def test_slow_bodies_get_408(server) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /api/v1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: sk_shop_0123456789\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        sock.settimeout(5)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]


def test_forwarded_headers_do_not_choose_the_rate_bucket(server) -> None:
    """Bogus keys with a new X-Forwarded-For each time still share the loopback client's bucket."""
    import urllib.error
    import urllib.request

    port, config = server
    codes = []
    for i in range(config.requests_per_minute + 2):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/echo",
            data=b"{}",
            method="POST",
            headers={
                "X-API-Key": f"bogus-{i}",
                "X-Forwarded-For": f"198.51.100.{i}",
                "Content-Type": "application/json",
            },
        )
        try:
            codes.append(urllib.request.urlopen(request, timeout=5).status)
        except urllib.error.HTTPError as err:
            codes.append(err.code)
    assert codes[0] == 401 and codes[-1] == 429, codes


def test_the_server_configuration_limits_concurrency_and_trusts_no_proxy() -> None:
    config = ApiConfig()
    uv = server_config(FastAPI(), config, "127.0.0.1", 1)
    assert uv.limit_concurrency == config.max_connections and uv.proxy_headers is False
    assert (
        uv.forwarded_allow_ips == [] and uv.h11_max_incomplete_event_size == config.max_header_bytes
    )
    proxied = server_config(FastAPI(), ApiConfig(trusted_proxies=["10.0.0.2"]), "127.0.0.1", 1)
    assert proxied.proxy_headers is True and proxied.forwarded_allow_ips == ["10.0.0.2"]


@hsettings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.just(10**12),
        st.just(float("nan")),
        st.just("tomorrow"),
        st.just(1.5e300),
        st.just(None),
        st.integers(min_value=24 * 3600 + 60, max_value=100 * 365 * 86400),
        st.floats(allow_nan=True, allow_infinity=True),
    )
)
def test_user_tokens_cannot_stretch_their_lifetime(exp_offset) -> None:
    now = 1_800_000_000
    if isinstance(exp_offset, int) and not isinstance(exp_offset, bool):
        exp = now + exp_offset
    else:
        exp = exp_offset
    claims = {"sub": "alice"} if exp is None else {"sub": "alice", "exp": exp}
    try:
        token = jwt.encode(claims, SECRET, algorithm="HS256")
    except (ValueError, TypeError):
        return  # not even encodable
    with pytest.raises(UserTokenError):
        verify_user_token(SECRET, token, now=now)


def test_a_short_token_passes_and_alg_none_does_not() -> None:
    assert verify_user_token(SECRET, sign_user_token(SECRET, "alice", ttl_s=600)) == "alice"
    unsigned = jwt.encode(
        {"sub": "alice", "exp": int(time.time()) + 60}, key=None, algorithm="none"
    )
    with pytest.raises(UserTokenError):
        verify_user_token(SECRET, unsigned)


def test_uploads_are_refused_on_every_mounted_gradio_app() -> None:
    """Walk every mounted Gradio app (root and /marketer, as the app mounts them): each upload route
    is refused with 403, and refused before Gradio sees the file."""
    from starlette.routing import Mount

    with gr.Blocks() as root, gr.Blocks() as marketer:
        gr.Markdown("x")
    app = FastAPI()
    app = gr.mount_gradio_app(app, marketer, path="/marketer")
    app = gr.mount_gradio_app(app, root, path="/")
    app.add_middleware(SecurityMiddleware, guard=Guard(ApiConfig()))

    def paths(routes, prefix=""):
        for route in routes:
            if isinstance(route, Mount) and getattr(route.app, "routes", None) is not None:
                yield from paths(route.app.routes, prefix + route.path)
            elif hasattr(route, "original_router"):
                yield from paths(route.original_router.routes, prefix)
            elif hasattr(route, "path"):
                yield prefix + route.path

    uploads = sorted(p for p in set(paths(app.routes)) if is_upload(p))
    assert {p.split("/gradio_api")[0] for p in uploads} == {"", "/marketer"}, uploads
    client = TestClient(app, base_url="http://127.0.0.1:7860", client=("127.0.0.1", 5000))
    for path in uploads:
        answer = client.post(path, files={"files": ("x.html", b"<script>1</script>", "text/html")})
        assert answer.status_code == 403 and "uploads are off" in answer.text, (
            path,
            answer.status_code,
        )


def test_an_open_ended_age_target_never_says_none() -> None:
    from recassist.ads.cleaning import Targeting
    from recassist.ads.targeting import UserTraits, match

    found = match(Targeting(age_max=34), UserTraits(age=30))
    assert found is not None and found.age == "up to 34" and "None" not in " ".join(found.facts())
    assert match(Targeting(age_min=18), UserTraits(age=30)).age == "18+"
