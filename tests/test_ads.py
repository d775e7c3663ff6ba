"""Sponsored recommendations: catalogue checks, the auction under concurrent load, "why this ad",
events folded into the next fit, the click-model report on the real Open Bandit sample, the REST
route and a real browser showing a labelled sponsored card. Real data, real embedder, real Chroma
throughout."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recassist.ads.auction import second_prices
from recassist.ads.catalogue import import_ads
from recassist.ads.ledger import MICROS, day_of
from recassist.ads.serving import AdServer, sponsored_due
from recassist.data.store import DatasetStore
from recassist.errors import InputFileError, SensitiveTargetingError
from recassist.settings import AdsConfig, Settings
from tests.background import free_port
from tests.conftest import SLICE

DAY_START = 1_790_000_000 - 1_790_000_000 % 86_400  # a UTC midnight
QUARTER_DAY = DAY_START + 6 * 3600


class Clock:
    """A settable clock, so that pacing is tested at a known time of day."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _ads_file(tmp_path: Path, rows: list[dict], name: str = "ads.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _ad(
    ad_id: str, advertiser: str, bid: float, budget: float, targeting: str = "", tags: str = "Drama"
) -> dict:
    return {
        "ad_id": ad_id,
        "advertiser": advertiser,
        "title": f"Offer {ad_id}",
        "text": "A film pass.",
        "tags": tags,
        "bid": bid,
        "daily_budget": budget,
        "targeting": targeting,
    }


# ---------------------------------------------------------------- catalogue


@pytest.mark.parametrize(
    ("targeting", "field", "category"),
    [
        ("tags=Drama|Christian films", "targeting.tags", "religion"),
        ("tags=Comedy; locations=9", None, None),
        ("religion=any", "targeting.religion", "religion"),
        ('{"tags": ["Diabetes care"]}', "targeting.tags", "health"),
        ("tags=LGBT cinema", "targeting.tags", "sexuality"),
        ("tags=Election night", "targeting.tags", "politics"),
        ("tags=Hispanic audiences", "targeting.tags", "ethnicity"),
    ],
)
def test_sensitive_targeting_is_refused_with_file_row_and_field(
    tmp_path, targeting, field, category
) -> None:
    settings = Settings(data_dir=tmp_path)
    rows = [_ad("a1", "Acme", 0.5, 10), _ad("a2", "Acme", 0.5, 10, targeting=targeting)]
    path = _ads_file(tmp_path, rows)
    if field is None:
        assert len(import_ads("shop", path, settings).ads) == 2
        return
    with pytest.raises(SensitiveTargetingError) as err:
        import_ads("shop", path, settings)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, field)
    assert category in str(err.value) and "row 2" in str(err.value)


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"bid": "-1"}, "bid", "above 0"),
        ({"daily_budget": "lots"}, "daily_budget", "above 0"),
        ({"advertiser": ""}, "advertiser", "empty advertiser"),
        ({"targeting": "age=40-20"}, "targeting.age", "empty"),
        ({"targeting": "shoe_size=44"}, "targeting.shoe_size", "unknown targeting key"),
        ({"ad_id": "a1"}, "ad_id", "duplicate ad_id"),
        ({"daily_budget": "11"}, "daily_budget", "a budget is per advertiser"),
    ],
)
def test_bad_ads_rows_name_file_row_and_field(tmp_path, change, field, fragment) -> None:
    rows = [_ad("a1", "Acme", 0.5, 10), {**_ad("a2", "Acme", 0.5, 10), **change}]
    path = _ads_file(tmp_path, rows)
    with pytest.raises(InputFileError) as err:
        import_ads("shop", path, Settings(data_dir=tmp_path))
    assert (err.value.row, err.value.field) == (2, field) and fragment in str(err.value)
    assert not (tmp_path / "ads" / "datasets" / "shop").exists()  # nothing stored


def test_targeting_as_json_lines_objects(tmp_path) -> None:
    path = tmp_path / "ads.jsonl"
    row = {
        **_ad("j1", "Acme", 0.7, 20),
        "targeting": {"tags": ["Drama"], "age": [18, 34], "genders": ["f"]},
    }
    pd.DataFrame([row]).to_json(path, orient="records", lines=True)
    ad = import_ads("shop", path, Settings(data_dir=tmp_path)).ads["j1"]
    assert (
        ad.targeting.tags,
        ad.targeting.age_min,
        ad.targeting.age_max,
        ad.targeting.genders,
    ) == (("Drama",), 18, 34, ("F",))


def test_second_price_is_the_next_ecpm_over_own_pctr_within_reserve_and_bid() -> None:
    pctr = np.array([0.02, 0.01, 0.01])
    bids = np.array([1.0, 1.5, 0.2])
    ecpm = pctr * bids  # 0.02, 0.015, 0.002: already in eCPM order
    prices = second_prices(ecpm, pctr, bids, reserve=0.05)
    assert prices == pytest.approx([0.75, 0.2, 0.05])


def test_sponsored_slots_come_at_the_configured_rate() -> None:
    for rate in (0.0, 0.25, 0.34, 0.5, 1.0):
        due = [t for t in range(1, 101) if sponsored_due(t, rate)]
        assert len(due) == int(100 * rate + 1e-9)
    assert [t for t in range(1, 10) if sponsored_due(t, 0.34)] == [3, 6, 9]


# ---------------------------------------------------------------- serving on the real slice


@pytest.fixture(scope="module")
def slice_parts(settings: Settings, indexed_slice, embedder):
    from recassist.retrieval.vector_store import VectorStore

    builder, _ = indexed_slice
    return DatasetStore(settings.data_dir).load(SLICE), VectorStore(builder.client, SLICE), embedder


def _server(tmp_path, slice_parts, rows, clock, **ads) -> AdServer:
    settings = Settings(data_dir=tmp_path, ads=AdsConfig(**ads))
    import_ads(SLICE, _ads_file(tmp_path, rows), settings)
    dataset, store, embedder = slice_parts
    return AdServer(settings, dataset, store, embedder, clock=clock)


def test_concurrent_requests_hold_frequency_caps_and_pacing(tmp_path, slice_parts) -> None:
    budget, cap = 5.0, 2
    rows = [
        _ad("acme-1", "Acme", 0.50, budget),
        _ad("acme-2", "Acme", 0.45, budget),
        _ad("acme-3", "Acme", 0.40, budget),
        _ad("other-1", "Other", 0.10, 100.0),
    ]
    clock = Clock(QUARTER_DAY)
    server = _server(
        tmp_path, slice_parts, rows, clock, frequency_cap=cap, pacing="even", pacing_slack=0.05
    )
    dataset = slice_parts[0]
    users = dataset.interactions["user_id"].value_counts().index[:60].tolist()
    requests = [u for u in users for _ in range(4)]
    results = []
    lock = threading.Lock()

    def request(user: str) -> None:
        for pick in server.select(user, (), k=1):
            click = server.click(
                user, pick.impression_id
            )  # every impression is clicked: the worst case
            with lock:
                results.append((user, pick, click))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(request, requests))

    allowance = (
        server.ledger.allowance(budget, QUARTER_DAY, "even", 0.05) / MICROS
    )  # 30 % of the budget
    events = server.ledger.events()
    acme = events[events["advertiser"] == "Acme"]
    spent = server.ledger.spend("Acme", day_of(QUARTER_DAY))
    # once Acme's pace was spent, its ads stopped and the requests went to the next advertiser, up
    # to its cap
    assert (events["advertiser"] == "Other").sum() == len(results) - len(acme) > 0
    assert 0 < spent <= allowance < budget
    assert spent == pytest.approx(acme.loc[acme["billed"] == 1, "price_micros"].sum() / MICROS)
    assert (
        (acme["spent_at_serve_micros"] + acme["price_micros"]) <= acme["allowance_micros"]
    ).all()
    assert max(Counter(zip(events["user_key"], events["ad_id"])).values()) <= cap
    assert all(p.label == "Sponsored" for _, p, _ in results)

    clock.now = DAY_START + 86_399  # the day's end: the whole budget, and never more, may be spent
    more = [u for u in users for _ in range(3)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(request, more))
    assert allowance < server.ledger.spend("Acme", day_of(QUARTER_DAY)) <= budget
    events = server.ledger.events()
    assert max(Counter(zip(events["user_key"], events["ad_id"])).values()) <= cap


def _engine(folder: str):
    """The embedded state engine (SQLite) in `folder`, as the app makes it."""
    from recassist.settings import StateConfig
    from recassist.state.database import engine

    return engine(StateConfig(), Path(folder))


def _hammer_ledger(args: tuple[str, int]) -> int:
    """One process's share of the load: serve and click 150 times on one advertiser's two ads."""
    from recassist.ads.ledger import Ledger, Offer

    url, worker = args
    ledger = Ledger(_engine(url), "ml-slice", clock=Clock(QUARTER_DAY))
    offers = [Offer("x1", "Acme", 3.0, 0.07, 0.01, 0.5), Offer("x2", "Acme", 3.0, 0.05, 0.01, 0.4)]
    clicks = 0
    for i in range(150):
        for served in ledger.serve(
            f"user-{i % 40}", offers, 1, frequency_cap=2, pacing="none", slack=0.0
        ):
            clicks += ledger.click(
                served.impression_id, f"user-{i % 40}", pacing="none", slack=0.0
            ).billed
    return clicks


def test_processes_sharing_the_ledger_never_overspend(tmp_path) -> None:
    """Four processes on one SQLite ledger: caps count across them, and spend stops at the budget
    exactly."""
    import multiprocessing

    from recassist.ads.ledger import Ledger

    url = str(tmp_path)
    Ledger(_engine(url), "ml-slice")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        billed = sum(pool.map(_hammer_ledger, [(url, w) for w in range(4)]))
    ledger = Ledger(_engine(url), "ml-slice", clock=Clock(QUARTER_DAY))
    events = ledger.events()
    spent = ledger.spend("Acme", day_of(QUARTER_DAY))
    assert spent <= 3.0 and spent == pytest.approx(
        events.loc[events["billed"] == 1, "price_micros"].sum() / MICROS
    )
    assert (
        billed == (events["billed"] == 1).sum() and spent > 3.0 - 0.07
    )  # the budget was used up, not exceeded
    assert Counter(zip(events["user_key"], events["ad_id"])).most_common(1)[0][1] <= 2
    assert (
        (events["spent_at_serve_micros"] + events["price_micros"]) <= events["allowance_micros"]
    ).all()
    assert len(events) < 4 * 150  # serving stopped when the budget had no room for another click


def test_why_this_ad_cites_targeting_and_the_users_own_history(tmp_path, slice_parts) -> None:
    rows = [
        _ad("drama", "Acme", 0.8, 50, targeting="tags=Drama"),
        _ad("horror", "Spooky", 1.2, 50, targeting="tags=Horror", tags="Horror"),
    ]
    server = _server(tmp_path, slice_parts, rows, Clock(QUARTER_DAY), pacing="none")
    dataset = slice_parts[0]
    user = dataset.interactions["user_id"].value_counts().index[0]
    history = server.history(user, ())
    picks = server.select(user, (), k=2)
    assert picks and all(p.label == "Sponsored" and not p.synthetic for p in picks)
    for pick in picks:
        why = pick.why
        assert why.source == "template" and why.history, why
        assert all(item.item_id in history for item in why.history)  # the user's own items
        assert all(item.title.split(" (")[0].split(",")[0] in why.text for item in why.history)
        targeted = server.catalogue.ads[pick.ad_id].targeting.tags[0]
        assert f"interest in {targeted}" in why.targeting and targeted in why.text
        assert all(targeted in item.tags for item in why.history)
    # a horror fan's history must carry Horror for the horror ad to be eligible at all
    no_horror = next(
        u
        for u in dataset.interactions["user_id"].unique()
        if not any("Horror" in server.items[i].tags for i in server.history(u, ()))
    )
    assert "horror" not in [p.ad_id for p in server.select(no_horror, (), k=2)]
    # a horror fan who said "no horror" in the chat gets no horror ad
    fan = next(
        u
        for u in dataset.interactions["user_id"].unique()
        if u != user and "Horror" in server.traits(u, server.history(u, ())).interests
    )
    assert "horror" in [p.ad_id for p in server.select(fan, (), k=2)]
    assert "horror" not in [p.ad_id for p in server.select(fan, (), k=2, excluded_tags={"Horror"})]


def test_impressions_and_clicks_are_pseudonymous_and_fold_into_the_next_fit(
    tmp_path, slice_parts
) -> None:
    rows = [_ad("a", "A", 0.5, 1000), _ad("b", "B", 0.5, 1000)]
    server = _server(
        tmp_path,
        slice_parts,
        rows,
        Clock(QUARTER_DAY),
        pacing="none",
        frequency_cap=50,
        min_clicks_to_fit=5,
        refit_every=50,
    )
    assert server.click_model.source == "prior"
    users = slice_parts[0].interactions["user_id"].value_counts().index[:30].tolist()
    sources = []
    for user in users:
        for pick in server.select(user, (), k=2):
            sources.append(pick.pctr_source)
            if pick.ad_id == "a":
                server.click(user, pick.impression_id)
    events = server.ledger.events()
    assert len(events) == 60 and not set(events["user_key"]) & set(
        users
    )  # only keyed hashes are stored
    assert (
        sources[0] == "prior" and sources[-1] == "model"
    )  # refitted by itself after 50 impressions
    assert server.refit() == "model"
    p = server.click_model.predict(["a", "b"], np.array([0.5, 0.5]), np.array([1, 1]))
    assert p[0] > p[1]


# ---------------------------------------------------------------- the click-model report on real
# clicks


def test_ads_eval_reports_every_models_auc_interval_and_an_honest_verdict(
    settings: Settings, tmp_path
) -> None:
    """`recassist ads eval` on the real Open Bandit sample (fewer bootstrap resamples than the
    default)."""
    import json

    from typer.testing import CliRunner

    from recassist.ads.obp_report import markdown, write_section
    from recassist.cli import app

    out, plot, page = (
        tmp_path / "ads.json",
        tmp_path / "reliability.png",
        tmp_path / "benchmarks.md",
    )
    page.write_text("# Benchmarks\n\n## Other\n\ntext\n")
    args = [
        "--data-dir",
        str(settings.data_dir),
        "ads",
        "eval",
        "--json",
        str(out),
        "--plot",
        str(plot),
        "--benchmarks",
        str(page),
    ]
    result = CliRunner().invoke(app, args, env={"RECASSIST_ADS__BOOTSTRAP_SAMPLES": "40"})
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert plot.stat().st_size > 10_000 and report["bootstrap_samples"] == 40
    assert report["split"]["test"]["impressions"] == 6000
    text = page.read_text()
    for name in ("item CTR prior", "logistic regression", "LightGBM"):
        m = report["models"][name]
        assert m["auc_95"][0] <= m["auc"] <= m["auc_95"][1]
        assert f"| {name} | {m['auc']:.3f} [{m['auc_95'][0]:.3f}, {m['auc_95'][1]:.3f}]" in text
    assert ("cannot separate" in text) == (not all(report["separable"].values()))
    assert {"ipw", "dr", "logged"} <= set(
        report["off_policy"]
    ) and "| ranked by calibrated pCTR | DR |" in text
    assert "![Reliability" in text and "reliability.png" in text
    write_section(
        page, markdown(report, "recassist ads eval", "reliability.png")
    )  # a second run replaces it
    assert (
        page.read_text().count("## Sponsored recommendations") == 1
        and "## Other" in page.read_text()
    )


# ---------------------------------------------------------------- REST and a real browser


@pytest.fixture(scope="module")
def ads_site(tmp_path_factory, settings: Settings, slice_parts):
    """The ads router alone over the slice, served by uvicorn on a free port (the synthetic demo
    catalogue is generated on first use, as in the app)."""
    import time

    import httpx
    import uvicorn
    from fastapi import FastAPI

    from recassist.retrieval.catalogue import Catalogue
    from recassist.surfaces.ads_api import build_ads_router
    from recassist.surfaces.security import Guard, SecurityMiddleware
    from recassist.surfaces.sponsor import Sponsor

    dataset, store, embedder = slice_parts
    own = Settings(data_dir=tmp_path_factory.mktemp("ads-site"))
    known = set(dataset.users["user_id"])
    api = FastAPI()
    api.include_router(
        build_ads_router(
            own,
            Sponsor(own, Catalogue(dataset, store, embedder)),
            lambda u: u if u in known else None,
        )
    )
    api.add_middleware(
        SecurityMiddleware, guard=Guard(own.api)
    )  # as in the app: every route behind it
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/ads", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url, dataset
    server.should_exit = True
    thread.join(timeout=10)


def test_rest_route_labels_every_pick_sponsored_and_synthetic(ads_site) -> None:
    import httpx

    url, dataset = ads_site
    user = dataset.interactions["user_id"].value_counts().index[1]
    body = httpx.get(f"{url}/api/v1/ads", params={"user_id": user, "k": 2}, timeout=120).json()
    assert body["user_known"] and body["synthetic_catalogue"] and body["ads"]
    for ad in body["ads"]:
        assert (
            ad["label"] == "Sponsored" and ad["synthetic"] and ad["title"].startswith("[Synthetic]")
        )
        assert ad["why"]["text"].startswith("Sponsored by Synthetic") and ad["why"]["history"]
    click = httpx.post(
        f"{url}/api/v1/ads/click",
        json={"user_id": user, "impression_id": body["ads"][0]["impression_id"]},
        timeout=30,
    )
    assert click.status_code == 200 and click.json()["billed"]
    again = httpx.post(
        f"{url}/api/v1/ads/click",
        json={"user_id": "someone-else", "impression_id": body["ads"][0]["impression_id"]},
        timeout=30,
    )
    assert again.status_code == 404
    assert (
        httpx.get(f"{url}/api/v1/ads", params={"user_id": user, "k": 9}, timeout=30).status_code
        == 422
    )
    # a new visitor on a page of recommendations: what they were shown targets the ad, and is never
    # "watched"
    shown = dataset.interactions["item_id"].value_counts().index[:3].tolist()
    page = httpx.get(
        f"{url}/api/v1/ads", params={"user_id": "a-visitor", "shown": shown}, timeout=60
    ).json()
    assert not page["user_known"] and page["ads"], page
    why = page["ads"][0]["why"]
    assert "you were shown" in why["text"] and "watched" not in why["text"], why


def test_browser_shows_a_labelled_sponsored_card_with_why_this_ad(ads_site) -> None:
    from tests.test_browser import CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    url, _ = ads_site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 900})
            page.goto(f"{url}/ads")
            page.locator("#ads-load").click()
            page.locator("#ads-cards.loaded .ad-card").first.wait_for(timeout=120_000)
            card = page.locator(".ad-card").first
            assert card.locator(".ad-label").inner_text().strip().lower() == "sponsored"
            assert "synthetic" in card.locator(".ad-synthetic").inner_text().lower()
            assert card.locator(".ad-why-summary").inner_text() == "Why this ad"
            why = card.locator(".ad-why-text").inner_text()
            assert why.startswith("Sponsored by Synthetic") and "you watched" in why
            assert "synthetic demo catalogue" in page.locator("#ads-note").inner_text()
            shot = Path(__file__).resolve().parents[1] / ".recassist" / "screenshots" / "ads.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
        finally:
            browser.close()


def test_command_line_import_refuses_sensitive_targeting_in_one_line(tmp_path) -> None:
    from typer.testing import CliRunner

    from recassist.cli import app

    path = _ads_file(
        tmp_path,
        [_ad("a1", "Acme", 0.5, 10), _ad("a2", "Acme", 0.5, 10, targeting="tags=Catholic films")],
    )
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "ads", "import", "shop", str(path)]
    )
    assert result.exit_code == 1
    assert f"{path}, row 2, field 'targeting.tags'" in result.output and "religion" in result.output


def test_ads_routes_need_the_app_role(tmp_path, slice_parts) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from recassist.retrieval.catalogue import Catalogue
    from recassist.surfaces.ads_api import build_ads_router
    from recassist.surfaces.security import Guard, SecurityMiddleware
    from recassist.surfaces.sponsor import Sponsor

    dataset, store, embedder = slice_parts
    keys = [
        {"name": "shop", "key": "k-app", "roles": ["app"]},
        {"name": "crm", "key": "k-marketer", "roles": ["marketer"]},
    ]
    own = Settings(data_dir=tmp_path, api={"keys": keys})
    api = FastAPI()
    api.include_router(
        build_ads_router(own, Sponsor(own, Catalogue(dataset, store, embedder)), lambda u: None)
    )
    api.add_middleware(SecurityMiddleware, guard=Guard(own.api))
    client = TestClient(api, base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    assert client.get("/api/v1/ads", params={"user_id": "x"}).status_code == 401
    assert (
        client.get(
            "/api/v1/ads", params={"user_id": "x"}, headers={"X-API-Key": "k-marketer"}
        ).status_code
        == 403
    )
    assert client.get("/ads", headers={"X-API-Key": "k-marketer"}).status_code == 403
    answer = client.get(
        "/api/v1/ads", params={"user_id": "a-new-session"}, headers={"X-API-Key": "k-app"}
    )
    assert (
        answer.status_code == 200 and answer.json()["ads"] == []
    )  # no history, no profile: nothing to target


def test_chat_answers_carry_a_labelled_sponsored_card_at_the_configured_rate(
    tmp_path, slice_parts, slice_assistant
) -> None:
    """The agent's sponsor: every second list (rate 0.5) ends with a `sponsored` event before
    `done`, labelled, marked synthetic (the generated demo catalogue), with its "why this ad"."""
    from recassist.assistant.agent import Assistant
    from recassist.assistant.events import DoneEvent, SponsoredEvent
    from recassist.surfaces.sponsor import Sponsor

    own = Settings(data_dir=tmp_path, ads=AdsConfig(sponsored_rate=0.5))
    sponsor = Sponsor(own, slice_assistant.catalogue)
    assistant = Assistant(
        slice_assistant.catalogue,
        slice_assistant.serving,
        None,
        slice_assistant.config,
        sponsor=sponsor,
    )
    session = assistant.new_session(None)
    turns = [
        list(assistant.stream(session, message))
        for message in ("something funny", "not horror", "from the 90s", "a drama")
    ]
    carried = [[e for e in events if isinstance(e, SponsoredEvent)] for events in turns]
    assert [len(c) for c in carried] == [0, 1, 0, 1]
    for events, cards in zip(turns, carried):
        assert isinstance(events[-1], DoneEvent) and events[-1].sponsored == [c.card for c in cards]
        for card in (c.card for c in cards):
            assert card.label == "Sponsored" and card.synthetic and card.why and card.why_evidence


def test_why_this_ad_says_watched_only_for_what_the_user_did(tmp_path, slice_parts) -> None:
    """Items a conversation only showed may inform the targeting, but the "why" calls them shown,
    never watched; what the user liked in the session is history, and only that is "you watched"."""
    from recassist.assistant.session import SessionMemory
    from recassist.retrieval.catalogue import Catalogue, display_title
    from recassist.surfaces.sponsor import Sponsor

    dataset, store, embedder = slice_parts
    own = Settings(data_dir=tmp_path, ads=AdsConfig(sponsored_rate=1.0, frequency_cap=1000))
    sponsor = Sponsor(own, Catalogue(dataset, store, embedder))
    items = list(dataset.items["item_id"])
    titles = dict(zip(dataset.items["item_id"], dataset.items["title"]))
    only_shown = SessionMemory(None, shown=items[:20], lists=1)
    cards = [sponsor(only_shown, items[20:25]) for _ in range(5)]
    assert any(cards), "a new user's conversation gets sponsored slots from what it showed"
    for card in filter(None, cards):
        assert "watched" not in card.why, card.why
    liked = SessionMemory(None, shown=items[:20], likes=items[30:33], lists=1)
    said = [
        card.why for card in (sponsor(liked, items[20:25]) for _ in range(5)) if card is not None
    ]
    assert said and any("you watched" in why for why in said), said
    shown_titles = {display_title(titles[i]) for i in items[:25]}
    for why in said:
        watched = why.split("you watched ", 1)[1].split(";")[0] if "you watched " in why else ""
        assert not any(t in watched for t in shown_titles), why


def test_ads_imports_share_one_sensitive_check(tmp_path) -> None:
    """Importing ads files (the demo's, each command-line import) builds the sensitive check and
    loads its embedder once per process, not once per file."""
    from recassist.ads.catalogue import shared_check
    from recassist.settings import EmbeddingConfig

    first = shared_check(EmbeddingConfig())
    assert first is shared_check(EmbeddingConfig())
    assert first.embedder is not None
    assert shared_check(EmbeddingConfig(batch_size=7)) is not first
