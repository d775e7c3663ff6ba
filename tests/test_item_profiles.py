"""LLM item profiles: the genre check, the resumable cache, the writer with the real 0.5B model, the
profile text in what is embedded, and a matching theme as evidence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recassist.data.item_profiles import ItemProfile, ProfileStore, contradicts, profile_key
from recassist.data.store import Dataset
from recassist.grounding.evidence import phrase, template_explanation, theme_reasons
from recassist.llm.item_profiles import ProfileWriter, most_rated_first
from recassist.retrieval.catalogue import Item
from recassist.retrieval.index import IndexBuilder
from recassist.settings import Settings

HEIST = ItemProfile(
    genres=["Comedy", "Crime"],
    themes=["a jewel heist", "dry British humour"],
    mood="witty",
    setting="London, 1980s",
    audience="adults",
)
ITEMS = pd.DataFrame(
    {
        "item_id": ["1", "2"],
        "title": ["Toy Story (1995)", "Fish Called Wanda, A (1988)"],
        "tags": ["Animation|Children's|Comedy", "Comedy"],
        "text": ["", ""],
        "year": [1995, 1988],
    }
)


def test_a_profile_whose_genres_share_none_with_the_items_is_dropped() -> None:
    assert not contradicts(HEIST, "Comedy")
    assert contradicts(HEIST, "Horror|Thriller")
    assert not contradicts(HEIST, "")  # nothing to check against


def test_the_cache_resumes_after_a_torn_line(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path, "films")
    store.append("2", "k2", HEIST, "ok")
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write('{"item_id": "1", "key": "k1", "sta')  # a run killed mid-line
    store.append("1", "k1", None, "contradicts")
    records = store.records()
    assert records["1"]["status"] == "contradicts" and records["2"]["key"] == "k2"
    assert list(store.profiles()) == ["2"] and store.profiles()["2"].themes == HEIST.themes


def test_the_writer_writes_checks_and_then_only_what_is_new(tmp_path: Path, small_model) -> None:
    """The real 0.5B model under the JSON schema; the second run finds everything cached."""
    store = ProfileStore(tmp_path, "films")
    tags = {"Animation", "Children's", "Comedy", "Crime", "Drama", "Horror"}
    writer = ProfileWriter(small_model, "qwen-0.5b", tags, max_tokens=100)
    interactions = pd.DataFrame({"item_id": ["2", "2", "1"]})
    order = most_rated_first(ITEMS, interactions)
    assert order == ["2", "1"]
    first = writer.run(store, ITEMS, order, limit=1)
    assert first.written + first.failed == 1 and first.remaining == 1
    if first.written:
        record = store.records()["2"]
        assert record["key"] == profile_key(ITEMS.title[1], "qwen-0.5b")
        assert set(record["profile"]["genres"]) <= tags and record["profile"]["themes"]
    again = writer.run(store, ITEMS, order, limit=1)
    assert again.cached == first.written and "left for a later run" in again.summary()


def test_the_profile_is_embedded_with_the_item(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    ProfileStore(tmp_path, "films").append("2", "k", HEIST, "ok")
    ProfileStore(tmp_path, "films").append("1", "k", HEIST, "contradicts")
    dataset = Dataset("films", ITEMS, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    builder = IndexBuilder(settings, embedder=object(), client=object())
    text = builder.with_profiles(dataset).items.set_index("item_id")["text"]
    assert "Themes: a jewel heist, dry British humour." in text["2"] and text["1"] == ""
    off = settings.model_copy(
        update={"embedding": settings.embedding.model_copy(update={"item_profiles": False})}
    )
    assert IndexBuilder(off, embedder=object(), client=object()).with_profiles(dataset) is dataset


@pytest.mark.parametrize(
    ("wanted", "theme"),
    [
        ("clever heist movies", "a jewel heist"),
        ("dry British humour please", "dry British humour"),
        ("space adventures", None),
        (None, None),
    ],
)
def test_a_profile_theme_the_request_names_is_evidence(
    wanted: str | None, theme: str | None
) -> None:
    reasons = theme_reasons(HEIST, wanted)
    assert [r.label for r in reasons] == ([theme] if theme else [])
    if reasons:
        item = Item("2", "Fish Called Wanda, A (1988)", ("Comedy",), 1988)
        assert f"it is about {theme}" in phrase(reasons[0])
        assert f"it is about {theme}" in template_explanation(item, reasons)


def test_the_explainer_prompt_carries_a_profile_theme() -> None:
    """A pick whose evidence is a profile theme gets an LLM prompt that states it (no model call)."""
    from recassist.assistant.explain import Explainer
    from recassist.grounding.faithfulness import FaithfulnessChecker

    item = Item("2", "Fish Called Wanda, A (1988)", ("Comedy",), 1988)
    explainer = Explainer(None, FaithfulnessChecker([item.title], ["Comedy"]))
    messages = explainer._messages(item, theme_reasons(HEIST, "a clever heist"), "")
    assert "it is about what you asked for: a jewel heist" in messages[-1].content
