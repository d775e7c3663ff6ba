"""Hostile suite: one app key cannot bill advertisers with made-up users, and the roles are as the
docs table says (docs/embedding.md, checked against `required_role` row by row)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from recassist.settings import Settings
from recassist.surfaces.security import Guard, SecurityMiddleware, required_role, sign_user_token
from tests.test_ads import slice_parts  # noqa: F401 - the fixture

SECRET = "a-user-token-secret-of-32-bytes!"


def test_unverified_clicks_are_billed_only_within_the_keys_daily_cap(tmp_path, slice_parts) -> None:  # noqa: F811
    from recassist.retrieval.catalogue import Catalogue
    from recassist.surfaces.ads_api import build_ads_router
    from recassist.surfaces.sponsor import Sponsor

    dataset, store, embedder = slice_parts
    own = Settings(
        data_dir=tmp_path,
        api={
            "keys": [{"name": "shop", "key": "k-app", "roles": ["app"]}],
            "user_token_secret": SECRET,
        },
        ads={"unverified_clicks_per_key_day": 3},
    )
    api = FastAPI()
    api.include_router(
        build_ads_router(own, Sponsor(own, Catalogue(dataset, store, embedder)), lambda u: None)
    )
    api.add_middleware(SecurityMiddleware, guard=Guard(own.api))
    client = TestClient(api, base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    key = {"X-API-Key": "k-app"}
    made_up = [
        client.post(
            "/api/v1/ads/click",
            json={"user_id": f"fake-{i}", "impression_id": "imp-1"},
            headers=key,
        )
        for i in range(6)
    ]
    capped = [a.json() for a in made_up[3:]]
    assert all(a.status_code == 200 for a in made_up[3:])
    assert all(not a["billed"] and "daily cap" in a["reason"] for a in capped)
    assert all(
        a.status_code != 200 or not a.json()["billed"] for a in made_up[:3]
    )  # unknown impressions
    token = {**key, "X-User-Token": sign_user_token(SECRET, "alice", ttl_s=600)}
    verified = client.post(
        "/api/v1/ads/click", json={"user_id": "alice", "impression_id": "imp-1"}, headers=token
    )
    assert "daily cap" not in verified.text  # a verified user is not held by the cap
    other = client.post(
        "/api/v1/ads/click", json={"user_id": "bob", "impression_id": "imp-1"}, headers=token
    )
    assert other.status_code == 403  # a token for alice cannot click as bob


def test_the_docs_role_table_matches_the_code() -> None:
    """Each row of docs/embedding.md's path table: the role it names is the role `required_role`
    asks."""
    text = (Path(__file__).parents[1] / "docs" / "embedding.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `/")]
    assert len(rows) >= 8
    for row in rows:
        paths_cell, _, who = row.strip("|").split("|")
        paths = re.findall(r"`(/[^`]*)`", paths_cell)
        said = re.search(r"`(app|marketer|admin)` role", who)
        expected = said.group(1) if said else None
        for path in paths:
            full = (
                path
                if path.startswith(
                    ("/api/", "/docs", "/openapi", "/marketer", "/ads", "/", "/healthz")
                )
                else path
            )
            if full in ("/feedback", "/recommend"):
                full = "/api/v1" + full
            assert required_role(full.rstrip("/") or "/") == expected, (path, expected, row)
