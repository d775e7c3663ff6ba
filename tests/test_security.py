"""Access rules of the whole app: keys bound to origins, roles, CORS, Host allow-list, rate and size
limits.

The walk test builds the real app (FastAPI and the mounted Gradio UI) with keys configured and sends
a request to every route as a client from outside (a made-up address from 203.0.113.0/24, through
the ASGI test client: no traffic leaves the process).
"""

from __future__ import annotations

import re

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.routing import Mount

from recassist.errors import UserTokenError
from recassist.settings import ApiConfig, ApiKey
from recassist.surfaces.security import (
    PUBLIC_PATHS,
    Guard,
    RateLimiter,
    SecurityMiddleware,
    is_upload,
    require,
    required_role,
    sign_user_token,
    verify_user_token,
)
from tests.conftest import SLICE

OUTSIDE = ("203.0.113.9", 40000)
BASE = "http://127.0.0.1:7860"
PAGE = "http://127.0.0.1:9999"  # the origin the publishable key lists
SECRET = "user-token-secret-for-tests"
KEYS = {
    "app": "sk_app_0123456789",
    "marketer": "sk_marketer_0123",
    "admin": "sk_admin_0123456",
    "pk": "pk_widget_0123",
}


def keyed_config(**overrides) -> ApiConfig:
    return ApiConfig(
        keys=[
            ApiKey(name="shop", key=SecretStr(KEYS["app"]), roles={"app"}),
            ApiKey(name="ads", key=SecretStr(KEYS["marketer"]), roles={"marketer"}),
            ApiKey(name="ops", key=SecretStr(KEYS["admin"]), roles={"admin"}),
            ApiKey(name="widget", key=SecretStr(KEYS["pk"]), kind="publishable", origins=[PAGE]),
        ],
        user_token_secret=SecretStr(SECRET),
        **overrides,
    )


# ---- the rules on a small app with the same middleware and dependency


def small_app(config: ApiConfig) -> FastAPI:
    app = FastAPI()
    app.state.calls = []  # the chat calls that reached the app

    @app.post("/api/v1/chat")
    async def chat(
        request: Request, caller=Depends(require(config, "app", publishable=True))
    ) -> dict:
        app.state.calls.append(caller.key)
        return {"bytes": len(await request.body()), "key": caller.key, "user": caller.user}

    @app.get("/api/v1/items/search", dependencies=[Depends(require(config, "app"))])
    def search() -> dict:
        return {"ok": True}

    @app.get("/config")
    def gradio_like() -> JSONResponse:  # answers like Gradio's permissive CORS
        return JSONResponse(
            {"users": ["u1"]},
            headers={
                "Access-Control-Allow-Origin": "https://evil.example",
                "Access-Control-Allow-Credentials": "true",
            },
        )

    app.add_middleware(SecurityMiddleware, guard=Guard(config))
    return app


def client_for(app, address=OUTSIDE) -> TestClient:
    return TestClient(app, base_url=BASE, client=address)


def test_publishable_key_only_from_its_origins_and_only_for_the_widget_routes() -> None:
    client = client_for(small_app(keyed_config()))
    pk = {"X-API-Key": KEYS["pk"]}
    ok = client.post("/api/v1/chat", json={}, headers={**pk, "Origin": PAGE})
    assert ok.status_code == 200 and ok.json()["key"] == "widget"
    assert (
        ok.headers["access-control-allow-origin"] == PAGE
        and "access-control-allow-credentials" not in ok.headers
    )
    other = client.post("/api/v1/chat", json={}, headers={**pk, "Origin": "http://127.0.0.1:9998"})
    assert (
        other.status_code == 403
        and "not allowed from origin 'http://127.0.0.1:9998'" in other.json()["detail"]
    )
    assert (
        other.headers["access-control-allow-origin"] == "http://127.0.0.1:9998"
    )  # it may read the refusal
    assert (
        client.post("/api/v1/chat", json={}, headers=pk).status_code == 403
    )  # no Origin: not a browser page
    search = client.get("/api/v1/items/search", headers={**pk, "Origin": PAGE})
    assert search.status_code == 403 and "only chat" in search.text


def test_secret_keys_are_refused_from_browser_origins() -> None:
    client = client_for(small_app(keyed_config()))
    key = {"X-API-Key": KEYS["app"]}
    assert client.get("/api/v1/items/search", headers=key).status_code == 200  # server to server
    assert (
        client.get(
            "/api/v1/items/search", headers={**key, "Origin": "http://127.0.0.1:7860"}
        ).status_code
        == 200
    )
    refused = client.get("/api/v1/items/search", headers={**key, "Origin": PAGE})
    assert refused.status_code == 403 and "secret key" in refused.json()["detail"]


def test_cors_grants_listed_origins_and_lets_others_read_only_their_refusal() -> None:
    app = small_app(keyed_config())
    client = client_for(app)
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key",
    }
    listed = client.options("/api/v1/chat", headers={**ask, "Origin": PAGE})
    assert listed.status_code == 204 and listed.headers["access-control-allow-origin"] == PAGE
    assert "X-User-Token" in listed.headers["access-control-allow-headers"]
    evil = "https://evil.example"
    # a widget route's preflight lets the browser send the call, so that the page can read why it is
    # refused
    unlisted = client.options("/api/v1/chat", headers={**ask, "Origin": evil})
    assert unlisted.status_code == 204 and unlisted.headers["access-control-allow-origin"] == evil
    assert "access-control-allow-credentials" not in unlisted.headers
    search = client.options(
        "/api/v1/items/search",
        headers={**ask, "Access-Control-Request-Method": "GET", "Origin": evil},
    )
    assert search.status_code == 403 and "access-control-allow-origin" not in search.headers
    for headers in ({"X-API-Key": KEYS["pk"]}, {"X-API-Key": KEYS["app"]}, {}):
        refused = client.post(
            "/api/v1/chat", json={"message": "hi"}, headers={**headers, "Origin": evil}
        )
        assert (
            refused.status_code in (401, 403)
            and refused.headers["access-control-allow-origin"] == evil
        )
        assert "access-control-allow-credentials" not in refused.headers
    assert app.state.calls == []  # none of the refused calls reached the app
    assert (
        client.post(
            "/api/v1/chat", json={}, headers={"X-API-Key": KEYS["pk"], "Origin": PAGE}
        ).status_code
        == 200
    )
    assert app.state.calls == ["widget"]
    gradio = client.get("/config", headers={"X-API-Key": KEYS["admin"]})
    assert gradio.status_code == 200 and not any(
        h.startswith("access-control-") for h in gradio.headers
    )


def test_host_allow_list() -> None:
    client = client_for(small_app(keyed_config()))
    refused = client.get(
        "/api/v1/items/search", headers={"X-API-Key": KEYS["app"], "Host": "attacker.example"}
    )
    assert refused.status_code == 400 and "api.allowed_hosts" in refused.text
    assert (
        client.get(
            "/api/v1/items/search", headers={"X-API-Key": KEYS["app"], "Host": "[::1]:7860"}
        ).status_code
        == 200
    )
    anywhere = client_for(small_app(keyed_config(allowed_hosts=["shop.example"])))
    assert anywhere.get("/healthz", headers={"Host": "shop.example:443"}).status_code != 400


def test_body_limit_counts_bytes_read_chunked_too() -> None:
    client = client_for(small_app(keyed_config(max_body_bytes=1000)))
    key = {"X-API-Key": KEYS["app"], "Content-Type": "application/json"}
    assert client.post("/api/v1/chat", content=b"x" * 900, headers=key).json()["bytes"] == 900

    def chunks():
        for _ in range(5000):  # 5 MB, with no Content-Length
            yield b"x" * 1000

    refused = client.post("/api/v1/chat", content=chunks(), headers=key)
    assert (
        refused.status_code == 413
        and "over the limit of 1,000" in refused.text
        and len(refused.content) < 200
    )
    assert client.post("/api/v1/chat", content=b"x" * 5000, headers=key).status_code == 413


def test_rate_limit_keys_on_the_verified_key_or_the_client_address() -> None:
    client = client_for(small_app(keyed_config(requests_per_minute=3)))
    codes = [
        client.get("/api/v1/items/search", headers={"X-API-Key": f"bogus-{i}"}).status_code
        for i in range(5)
    ]
    assert codes == [
        401,
        401,
        401,
        429,
        429,
    ]  # rotating bogus keys does not escape the address's bucket
    limited = client.get("/api/v1/items/search", headers={"X-API-Key": "bogus-x"})
    assert int(limited.headers["Retry-After"]) >= 1 and "rate limit" in limited.json()["detail"]
    other = client_for(client.app, ("198.51.100.4", 1))
    codes = [
        other.get("/api/v1/items/search", headers={"X-API-Key": KEYS["app"]}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # the key's own bucket, wherever it calls from


def test_publishable_key_is_limited_per_client_too() -> None:
    client = client_for(small_app(keyed_config(requests_per_minute_per_client=2)))
    headers = {"X-API-Key": KEYS["pk"], "Origin": PAGE}
    answers = [client.post("/api/v1/chat", json={}, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429] and "2 requests a minute" in answers[
        -1
    ].text
    assert answers[-1].headers["access-control-allow-origin"] == PAGE  # the page can read why
    assert (
        client_for(client.app, ("198.51.100.5", 1))
        .post("/api/v1/chat", json={}, headers=headers)
        .status_code
        == 200
    )


def test_rate_limits_use_the_configured_storage() -> None:
    from limits.storage import MemoryStorage

    limiter = RateLimiter()  # state.cache_url unset: this process's memory
    assert isinstance(limiter.storage, MemoryStorage)
    assert [limiter.take("addr:a", 2) for _ in range(3)][:2] == [0.0, 0.0] and limiter.take(
        "addr:a", 2
    ) > 0
    assert limiter.take("addr:b", 2) == 0.0  # buckets are per name


def test_without_keys_only_loopback_is_served() -> None:
    app = small_app(ApiConfig())
    assert client_for(app, ("127.0.0.1", 5000)).get("/api/v1/items/search").status_code == 200
    refused = client_for(app).get("/api/v1/items/search")
    assert refused.status_code == 403 and "only clients on 127.0.0.1" in refused.text
    page = client_for(app, ("127.0.0.1", 5000)).post(
        "/api/v1/chat", json={}, headers={"Origin": "https://evil.example"}
    )
    assert page.status_code == 403  # a site the local user visits cannot drive the local demo


def test_user_tokens() -> None:
    token = sign_user_token(SECRET, "alice", ttl_s=60)
    assert verify_user_token(SECRET, token) == "alice"
    with pytest.raises(UserTokenError, match="signature"):
        verify_user_token("another-secret", token)
    with pytest.raises(UserTokenError, match="expired"):
        verify_user_token(SECRET, sign_user_token(SECRET, "alice", ttl_s=60, now=1_000_000))
    header, payload, signature = token.split(".")
    with pytest.raises(UserTokenError):
        verify_user_token(SECRET, f"{header}.{payload[:-2]}xx.{signature}")
    client = client_for(small_app(keyed_config()))
    headers = {"X-API-Key": KEYS["pk"], "Origin": PAGE}
    assert (
        client.post("/api/v1/chat", json={}, headers={**headers, "X-User-Token": token}).json()[
            "user"
        ]
        == "alice"
    )
    assert (
        client.post(
            "/api/v1/chat", json={}, headers={**headers, "X-User-Token": token + "x"}
        ).status_code
        == 401
    )


def test_publishable_key_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="needs `origins`"):
        ApiKey(name="w", key=SecretStr("pk_x"), kind="publishable")
    with pytest.raises(ValueError, match="must start with 'pk_'"):
        ApiKey(name="w", key=SecretStr("x"), kind="publishable", origins=[PAGE])
    with pytest.raises(ValueError, match="without a path"):
        ApiKey(
            name="w",
            key=SecretStr("pk_x"),
            kind="publishable",
            origins=["https://shop.example/page"],
        )
    with pytest.raises(ValueError, match="only publishable keys list origins"):
        ApiKey(name="s", key=SecretStr("sk"), origins=[PAGE])


# ---- the real app: every route, FastAPI's and Gradio's


@pytest.fixture(scope="module")
def keyed_app(settings, indexed_slice, slice_serving, tmp_path_factory):
    from recassist.app import create_app

    config = keyed_config(requests_per_minute=100_000)
    keyed = settings.model_copy(
        update={
            "api": config,
            "llm": settings.llm.model_copy(
                update={"model": str(tmp_path_factory.mktemp("nomodel") / "absent.gguf")}
            ),
        }
    )
    return create_app(keyed, SLICE)


def _routes(routes, prefix: str = ""):
    """(method, concrete path) for every route, through mounts and included routers."""
    for route in routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:  # static files
                yield "GET", f"{prefix}{route.path}/file.css"
            else:
                yield from _routes(inner, prefix + route.path)
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes, prefix)
        else:
            path = re.sub(r"\{[^}:]+(:[^}]+)?\}", "x", prefix + route.path)
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield method, path


def test_every_route_refuses_missing_wrong_and_wrong_role_keys(keyed_app) -> None:
    routes = sorted(set(_routes(keyed_app.routes)))
    paths = {p for _, p in routes}
    assert {
        "/api/v1/chat",
        "/config",
        "/gradio_api/queue/join",
        "/docs",
        "/openapi.json",
        "/",
    } <= paths
    assert len(routes) > 80
    assert {p for p in paths if required_role(p) is None} == PUBLIC_PATHS
    wrong_role = {"app": KEYS["marketer"], "admin": KEYS["app"], "marketer": KEYS["app"]}
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        for method, path in routes:
            role = required_role(path)
            if role is None:
                continue
            upload = is_upload(path)
            cases = [
                ({}, 401),
                ({"X-API-Key": "sk_not_a_key"}, 401),
                ({"X-API-Key": wrong_role[role]}, 403),
                ({"X-API-Key": KEYS["pk"], "Origin": PAGE}, 403),
            ]
            if (method, path) in {
                ("POST", "/api/v1/chat"),
                ("POST", "/api/v1/feedback"),
                ("POST", "/api/v1/recommend"),
            }:
                cases[-1] = ({"X-API-Key": KEYS["pk"], "Origin": "http://127.0.0.1:9998"}, 403)
            for headers, status in cases:
                response = client.request(method, path, headers=headers)
                assert response.status_code == (403 if upload else status), (
                    method,
                    path,
                    headers,
                    response.text[:200],
                )
        for path, key in (
            ("/config", "admin"),
            ("/docs", "app"),
            ("/openapi.json", "app"),
            ("/healthz", None),
        ):
            response = client.get(path, headers={"X-API-Key": KEYS[key]} if key else {})
            assert response.status_code == 200, (path, response.text[:200])


def test_pseudonyms_and_the_ui_are_for_admins_only(keyed_app, settings) -> None:
    from recassist.data.store import DatasetStore

    user = (
        DatasetStore(settings.data_dir).load(SLICE).interactions["user_id"].value_counts().index[0]
    )
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        assert client.get("/config", headers={"X-API-Key": KEYS["app"]}).status_code == 403
        assert user in client.get("/config", headers={"X-API-Key": KEYS["admin"]}).text
        page = client.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and 'action="/signin"' in page.text and user not in page.text


def test_signin_cookie_opens_the_ui_in_a_browser(keyed_app) -> None:
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        assert (
            client.post("/signin", data={"key": KEYS["pk"]}).status_code == 401
        )  # publishable: no
        foreign = client.post("/signin", data={"key": KEYS["admin"]}, headers={"Origin": PAGE})
        assert foreign.status_code == 403
        signed = client.post(
            "/signin", data={"key": KEYS["admin"], "next": "/config"}, follow_redirects=False
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/config"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert client.get("/config").status_code == 200  # the client keeps the cookie
        client.cookies.set("recassist_auth", "forged.123.abc")
        assert client.get("/config").status_code == 401


def _gradio_call(client: TestClient, prefix: str, api: str, data: list, headers: dict) -> str:
    """Gradio's HTTP API: start the event, then read its stream; the text of the stream."""
    started = client.post(f"{prefix}/gradio_api/call/{api}", json={"data": data}, headers=headers)
    assert started.status_code == 200, started.text[:300]
    return client.get(
        f"{prefix}/gradio_api/call/{api}/{started.json()['event_id']}", headers=headers
    ).text


def test_marketer_keys_open_the_marketer_page_and_only_marketers_may_ask(keyed_app) -> None:
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        signed = client.post(
            "/signin", data={"key": KEYS["marketer"], "next": "/"}, follow_redirects=False
        )
        assert (
            signed.status_code == 303 and signed.headers["location"] == "/marketer"
        )  # not "/", which needs admin
        assert (
            client.get("/marketer/config").status_code == 200
        )  # the cookie opens the Marketer page
        page = client.get(
            signed.headers["location"], headers={"Accept": "text/html"}
        )  # where sign-in sends them
        assert (
            page.status_code == 200
            and page.url.path == "/marketer/"
            and "<html" in page.text.lower()
        )
        refused = client.get("/", headers={"Accept": "text/html"})  # a readable page, not JSON
        assert refused.status_code == 403 and "lacks the &#x27;admin&#x27; role" in refused.text
        assert '<a href="/marketer">' in refused.text and 'action="/signin"' in refused.text
        assert (
            client.get("/", headers={"Accept": "application/json"})
            .json()["detail"]
            .endswith("'admin' role")
        )
        answer = _gradio_call(
            client, "/marketer", "marketer_ask", ["show the audience segments"], {}
        )
        assert "Nothing was charged" in answer and "Not allowed" not in answer
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        admin = {
            "X-API-Key": KEYS["admin"]
        }  # an admin key without the marketer role: the tab says no
        assert client.get("/marketer/config", headers=admin).status_code == 403
        answer = _gradio_call(client, "", "marketer_ask", ["show the audience segments"], admin)
        assert (
            "Not allowed" in answer
            and "lacks the 'marketer' role" in answer
            and "Nothing was charged" not in answer
        )


def test_docs_are_local_and_declare_the_key_scheme(keyed_app) -> None:
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        key = {"X-API-Key": KEYS["app"]}
        docs = client.get("/docs", headers=key).text
        assert (
            "/docs/assets/swagger-ui-bundle.js" in docs
            and "cdn" not in docs.lower()
            and "https://" not in docs
        )
        assert client.get("/docs/assets/swagger-ui-bundle.js", headers=key).status_code == 200
        schema = client.get("/openapi.json", headers=key).json()
        schemes = schema["components"]["securitySchemes"]
        assert schemes["APIKeyHeader"] == {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "an API key from api.keys",
        }
        assert {"APIKeyHeader": []} in schema["paths"]["/api/v1/chat"]["post"]["security"]


def test_publishable_key_acts_only_for_its_token_user(keyed_app, settings) -> None:
    from recassist.data.store import DatasetStore

    user = (
        DatasetStore(settings.data_dir).load(SLICE).interactions["user_id"].value_counts().index[0]
    )
    headers = {"X-API-Key": KEYS["pk"], "Origin": PAGE}
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        named = client.post("/api/v1/recommend", json={"user_id": user, "k": 2}, headers=headers)
        assert named.status_code == 403 and "X-User-Token" in named.text
        token = {"X-User-Token": sign_user_token(SECRET, user)}
        known = client.post("/api/v1/recommend", json={"k": 2}, headers={**headers, **token})
        assert known.status_code == 200 and known.json()["user_known"]
        anonymous = client.post(
            "/api/v1/recommend", json={"tastes": "space", "k": 2}, headers=headers
        )
        assert anonymous.status_code == 200 and not anonymous.json()["user_known"]
        chat = client.post(
            "/api/v1/chat", json={"message": "recommend 2 comedies"}, headers=headers
        )
        session_id = re.search(r'"session_id": "([^"]+)"', chat.text).group(1)
        item = re.search(r'"item_id": "([^"]+)"', chat.text).group(1)
        stolen = client.post(
            "/api/v1/feedback",
            json={"session_id": session_id, "item_id": item, "feedback": "like"},
            headers={**headers, **token},
        )
        assert stolen.status_code == 403 and "another user" in stolen.text


def test_a_refused_cross_origin_call_is_readable_but_not_processed(keyed_app, settings) -> None:
    """An unlisted origin with the widget's key: the refusal carries CORS headers for that origin,
    and the feedback it carried is never recorded (the same feedback from the listed origin is)."""
    from recassist.settings import StateConfig
    from recassist.state.database import engine
    from recassist.surfaces.feedback import FeedbackStore

    store = FeedbackStore(engine(StateConfig(), settings.data_dir), SLICE)
    size = store.count
    headers = {"X-API-Key": KEYS["pk"], "Origin": PAGE}
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        chat = client.post(
            "/api/v1/chat", json={"message": "recommend 2 comedies"}, headers=headers
        )
        session_id = re.search(r'"session_id": "([^"]+)"', chat.text).group(1)
        item = re.search(r'"item_id": "([^"]+)"', chat.text).group(1)
        body = {"session_id": session_id, "item_id": item, "feedback": "dislike"}
        before, other = size(), "http://127.0.0.1:9998"
        refused = client.post("/api/v1/feedback", json=body, headers={**headers, "Origin": other})
        assert (
            refused.status_code == 403 and refused.headers["access-control-allow-origin"] == other
        )
        assert f"not allowed from origin '{other}'" in refused.json()["detail"]
        assert size() == before
        assert client.post("/api/v1/feedback", json=body, headers=headers).status_code == 200
        assert size() > before


def test_an_expired_session_goes_on_in_a_new_one_and_says_so(keyed_app) -> None:
    """Chat and feedback with a session id the app no longer holds: both continue in a new session,
    and both say that the earlier conversation expired."""
    from recassist.surfaces.api import EXPIRED

    headers = {"X-API-Key": KEYS["pk"], "Origin": PAGE}
    with TestClient(keyed_app, base_url=BASE, client=OUTSIDE) as client:
        chat = client.post(
            "/api/v1/chat",
            json={"session_id": "doesnotexist", "message": "not horror"},
            headers=headers,
        )
        assert chat.status_code == 200
        events = re.findall(r"event: (\w+)\ndata: (.*)\n", chat.text)
        assert [name for name, _ in events[:2]] == ["session", "note"] and EXPIRED in events[1][1]
        new_id = re.search(r'"session_id": "([^"]+)"', chat.text).group(1)
        assert new_id != "doesnotexist" and events[-1][0] == "done"
        item = re.search(r'"item_id": "([^"]+)"', chat.text).group(1)
        fresh = client.post(
            "/api/v1/chat", json={"session_id": new_id, "message": "more"}, headers=headers
        )
        assert EXPIRED not in fresh.text  # a held session goes on without the note
        feedback = client.post(
            "/api/v1/feedback",
            json={"session_id": "gone", "item_id": item, "feedback": "like"},
            headers=headers,
        )
        assert feedback.status_code == 200 and feedback.json()["note"] == EXPIRED
        assert feedback.json()["session_id"] not in (None, "gone", new_id)
