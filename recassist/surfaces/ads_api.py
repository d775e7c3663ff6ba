"""Sponsored picks over REST, for the `app` role, and a small page that shows them as labelled
cards.

- `GET /api/v1/ads?user_id=...&k=1`: sponsored picks for a user, each recorded as an impression,
  each labelled "Sponsored" with its "why this ad" (and `synthetic: true` for the generated demo
  catalogue);
- `POST /api/v1/ads/click`: a click on a shown pick (billed second-price style while the budget
  lasts);
- `GET /ads`: a page rendering the picks as cards, for a demo user picked on the page.

The ad server is built on the first request, not at start-up. For a MovieLens data set without an
ads catalogue it generates the synthetic demo one; any other data set gets a 404 that names the
command that imports a catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from recassist.ads.serving import AdServer, SponsoredPick
from recassist.assistant.events import Sponsored
from recassist.errors import AdsNotReadyError
from recassist.settings import Settings
from recassist.surfaces.ratelimit import RateLimiter
from recassist.surfaces.security import Caller, require
from recassist.surfaces.sponsor import Sponsor, shown


class WhyOut(BaseModel):
    text: str
    targeting: list[str]
    history: list[str]
    source: str


class SponsoredOut(Sponsored):
    position: int
    pctr: float
    pctr_source: str
    price_per_click: float
    why: WhyOut


class AdsOut(BaseModel):
    user_known: bool
    synthetic_catalogue: bool
    ads: list[SponsoredOut]


class ClickIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=200)
    impression_id: str = Field(min_length=1, max_length=64)


class ClickOut(BaseModel):
    billed: bool
    price: float
    reason: str


def pick_out(pick: SponsoredPick) -> SponsoredOut:
    return SponsoredOut(
        **shown(pick),
        position=pick.position,
        pctr=round(pick.pctr, 6),
        pctr_source=pick.pctr_source,
        price_per_click=round(pick.price, 4),
        why=WhyOut(
            text=pick.why.text,
            targeting=list(pick.why.targeting),
            history=[i.title for i in pick.why.history],
            source=pick.why.source,
        ),
    )


PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>recassist sponsored picks</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 760px; color: #1f2328; }
    .ad-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; background: #fffdf5; }
    .ad-label { font-size: 0.75rem; font-weight: 700; text-transform: uppercase; color: #7d4e00;
                background: #fff1c2; border-radius: 4px; padding: 0.1rem 0.4rem; margin-right: 0.4rem; }
    .ad-synthetic { font-size: 0.75rem; color: #6e7781; }
    .ad-title { font-weight: 600; margin: 0.3rem 0; }
    .ad-why { font-size: 0.9rem; color: #57606a; margin-top: 0.4rem; }
  </style>
</head>
<body>
  <h1>Sponsored picks</h1>
  <p id="ads-note"></p>
  <label>User <select id="ads-user"></select></label>
  <button id="ads-load">Show sponsored picks</button>
  <div id="ads-cards"></div>
  <script>
    const users = __USERS__;
    const select = document.getElementById('ads-user');
    for (const u of users) { const o = document.createElement('option'); o.value = u; o.textContent = u; select.appendChild(o); }
    function text(tag, cls, value) { const e = document.createElement(tag); e.className = cls; e.textContent = value; return e; }
    async function load() {
      const box = document.getElementById('ads-cards');
      const r = await fetch('/api/v1/ads?k=2&user_id=' + encodeURIComponent(select.value));
      const body = await r.json();
      box.replaceChildren();
      if (!r.ok) { box.appendChild(text('p', 'ad-error', body.detail)); return; }
      document.getElementById('ads-note').textContent = body.synthetic_catalogue
        ? 'These ads come from a synthetic demo catalogue: no real advertiser is behind them.' : '';
      if (!body.ads.length) { box.appendChild(text('p', 'ad-empty', 'No sponsored pick for this user now.')); }
      for (const ad of body.ads) {
        const card = document.createElement('div'); card.className = 'ad-card'; card.dataset.adId = ad.ad_id;
        const head = document.createElement('div');
        head.appendChild(text('span', 'ad-label', ad.label));
        if (ad.synthetic) head.appendChild(text('span', 'ad-synthetic', 'synthetic demo ad'));
        card.appendChild(head);
        card.appendChild(text('div', 'ad-title', ad.title));
        card.appendChild(text('div', 'ad-text', ad.text));
        const why = document.createElement('details'); why.className = 'ad-why'; why.open = true;
        why.appendChild(text('summary', 'ad-why-summary', 'Why this ad'));
        why.appendChild(text('div', 'ad-why-text', ad.why.text));
        card.appendChild(why);
        box.appendChild(card);
      }
      box.classList.add('loaded');
    }
    document.getElementById('ads-load').addEventListener('click', load);
  </script>
</body>
</html>
"""


def build_ads_router(
    settings: Settings, sponsor: Sponsor, user_for: Callable[[str], str | None]
) -> APIRouter:
    """The routes over one data set's ads, through the app's `sponsor` (which builds the ad server
    on first use). `user_for` maps the id an app sends to a known user's pseudonym (or None)."""
    catalogue = sponsor.catalogue
    app_role = [Depends(require(settings.api, "app"))]
    router = APIRouter(tags=["sponsored"])
    _add_sponsored(router, sponsor, user_for, app_role)
    _add_click(router, settings, sponsor, user_for)

    @router.get("/ads", response_class=HTMLResponse, include_in_schema=False, dependencies=app_role)
    def page() -> str:
        """The demo page; it lists demo users' pseudonyms, so it is served to the app role only."""
        users = catalogue.users(limit=20)
        return PAGE.replace("__USERS__", json.dumps(users))

    return router


def _server(sponsor: Sponsor) -> AdServer:
    """The data set's ad server; 404 while it has no ads."""
    try:
        return sponsor.server()
    except AdsNotReadyError as err:
        raise HTTPException(404, str(err)) from None


def _add_sponsored(
    router: APIRouter, sponsor: Sponsor, user_for: Callable[[str], str | None], app_role: list
) -> None:
    @router.get("/api/v1/ads", response_model=AdsOut, dependencies=app_role)
    def sponsored(
        user_id: Annotated[
            str,
            Query(
                min_length=1, max_length=200, description="user id (or pseudonym), or a session id"
            ),
        ],
        k: Annotated[int, Query(ge=1, le=5)] = 1,
        history: Annotated[
            list[str],
            Query(
                max_length=50,
                description="item ids the user watched or liked, newest first (cited as watched)",
            ),
        ] = [],  # noqa: B006
        shown: Annotated[
            list[str],
            Query(
                max_length=50,
                description="item ids the user was only shown, e.g. the page's recommendations (they inform the targeting and are cited as shown, never as watched)",
            ),
        ] = [],  # noqa: B006
    ) -> AdsOut:
        """Sponsored picks for a user, each labelled "Sponsored" with its "why this ad"; each is an
        impression."""
        ads = _server(sponsor)
        user = user_for(user_id)
        picks = ads.select(user or user_id, history, k, shown_item_ids=shown)
        return AdsOut(
            user_known=user is not None,
            synthetic_catalogue=ads.catalogue.synthetic,
            ads=[pick_out(p) for p in picks],
        )


def _add_click(
    router: APIRouter, settings: Settings, sponsor: Sponsor, user_for: Callable[[str], str | None]
) -> None:
    unverified = RateLimiter(
        settings.state.cache_url, degrade=False
    )  # unverified clicks per key and day

    @router.post("/api/v1/ads/click", response_model=ClickOut)
    def click(body: ClickIn, caller: Caller = Depends(require(settings.api, "app"))) -> ClickOut:
        """A click on a shown sponsored pick: billed at its second price while the advertiser's
        budget lasts, for the user a verified user token names, or, without one, within the key's
        daily cap of unverified clicks (`ads.unverified_clicks_per_key_day`)."""
        if caller.user is not None and caller.user != body.user_id:
            raise HTTPException(403, "the click's user_id is not the user the X-User-Token names")
        if (
            caller.user is None
            and unverified.take(
                f"clicks:{caller.key}", settings.ads.unverified_clicks_per_key_day, per_day=True
            )
            > 0
        ):
            return ClickOut(
                billed=False,
                price=0.0,
                reason="not billed: this key's daily cap of clicks without a "
                "verified user token is reached; send X-User-Token",
            )
        user = user_for(body.user_id) or body.user_id
        result = _server(sponsor).click(user, body.impression_id)
        if result.reason.startswith("unknown"):
            raise HTTPException(404, "unknown impression_id for this user_id")
        return ClickOut(billed=result.billed, price=result.price, reason=result.reason)
