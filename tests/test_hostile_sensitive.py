"""Hostile suite: sensitive categories no spelling escapes (recassist/trust/sensitive.py).

The spellings that escaped the old deny-lists (issue 22), and any case, confusable letter, spacing
or plural of a listed word (hypothesis), are refused by the words alone, for marketers (the privacy
guard) and advertisers (the ads import) alike; paraphrases are refused by meaning with the real
embedder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from recassist.ads.cleaning import clean_ads
from recassist.audiences.privacy import PrivacyGuard
from recassist.data.cleaning import RawTable
from recassist.data.readers import ROW
from recassist.errors import SensitiveCategoryError, SensitiveTargetingError
from recassist.settings import AdsConfig, AudienceConfig, ImportConfig, StateConfig
from recassist.state.database import engine as state_engine
from recassist.trust.sensitive import SensitiveCheck

ESCAPED = [
    "homosexual",
    "catholic",
    "people with HIV",
    "black people",
    "queer",
    "Muslims",
    "Catholics",
    "Gays",
    "G\u0430y",
    "Democrats",
    "Immigrants",
    "Diabetics",
    "Pride month",
]
ORDINARY = [
    "Sci-Fi",
    "fans of romantic comedies",
    "Pride and Prejudice",
    "film noir lovers",
    "rom-com fans",
    "Hey Jude singalong fans",
    "women 25-34",
    "Star Trek fans",
    # "queer" stems to "que" in French, Spanish and Portuguese, as "qué" and "que" do
    "qué les gusta a los jóvenes?",
    "que veulent les jeunes ?",
    "o que os estudantes assistem?",
]
PHRASES = json.loads(
    (Path(__file__).parents[1] / "benchmarks/data/sensitive_phrases.json").read_text()
)
CONFUSABLE = {
    "a": "\u0430",
    "e": "\u0435",
    "o": "\u043e",
    "c": "\u0441",
    "i": "\u0456",
    "p": "\u0440",
}


@pytest.fixture(scope="module")
def words_only() -> SensitiveCheck:
    return SensitiveCheck()


@pytest.mark.parametrize("text", ESCAPED)
def test_what_escaped_before_is_refused_by_words(words_only, text) -> None:
    assert words_only.check(text) is not None


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_marketing_words_pass(words_only, text) -> None:
    assert words_only.check(text) is None


@hsettings(max_examples=60, deadline=None)
@given(
    word=st.sampled_from(
        [
            "muslim",
            "catholic",
            "gay",
            "lesbian",
            "democrat",
            "immigrant",
            "diabetic",
            "transgender",
            "jewish",
            "hindu",
            "musulman",
            "homosexuell",
            "católico",
        ]
    ),
    casing=st.lists(st.booleans(), min_size=20, max_size=20),
    swap=st.lists(st.booleans(), min_size=20, max_size=20),
    plural=st.booleans(),
    wrap=st.sampled_from(["{}", "target {} viewers", "{}!", "«{}»", "for {} only"]),
)
def test_no_spelling_escapes(words_only, word, casing, swap, plural, wrap) -> None:
    """Any case, any Latin letter swapped for its Cyrillic twin, a plural, inside a sentence."""
    text = word + ("s" if plural else "")
    text = "".join(c.upper() if up else c for c, up in zip(text, casing + [False] * 20))
    text = "".join(CONFUSABLE.get(c, c) if sw else c for c, sw in zip(text, swap + [False] * 20))
    assert words_only.check(wrap.format(text)) is not None, text


def test_spaced_and_fullwidth_letters_are_read(words_only) -> None:
    assert words_only.check("g a y singles") is not None
    assert (
        words_only.check("\uff2d\uff55\uff53\uff4c\uff49\uff4d\uff53") is not None
    )  # fullwidth Muslims


def test_the_phrase_sets_hold_with_meaning(embedder) -> None:
    """The benchmark's sets: every sensitive phrase refused, at most 5 % of ordinary ones."""
    check = SensitiveCheck(embedder)
    assert len(PHRASES["sensitive"]) >= 60 and len(PHRASES["ordinary"]) >= 60
    sensitive, ordinary = PHRASES["sensitive"], PHRASES["ordinary"]
    missed = [p for p, found in zip(sensitive, check.check_many(sensitive)) if found is None]
    refused = [p for p, found in zip(ordinary, check.check_many(ordinary)) if found is not None]
    assert missed == []
    assert len(refused) <= 0.05 * len(PHRASES["ordinary"]), refused
    found = check.check("people who go to mass every Sunday")
    assert found is not None and found.how == "meaning" and found.category == "religion"


def test_marketers_and_ads_use_the_one_check(tmp_path) -> None:
    guard = PrivacyGuard(AudienceConfig(), state_engine(StateConfig(), tmp_path))
    with pytest.raises(SensitiveCategoryError, match="sexuality"):
        guard.refuse_sensitive(["G\u0430y men"], "segment criterion")
    assert guard.reportable(["Comedy", "Catholics", "Drama"]) == ["Comedy", "Drama"]
    for column, value in (
        ("targeting", "tags=Drama|Muslims"),
        ("targeting", "tags=Pride month"),
        ("title", "Deals for Diabetics"),
        ("text", "Made for Democrats"),
    ):
        with pytest.raises(SensitiveTargetingError) as err:
            clean_one_ad(**{column: value})
        assert err.value.row == 1 and column in err.value.field


def test_targeting_and_segments_accept_only_what_the_data_set_holds(tmp_path) -> None:
    """The allow-list: a tag or gender the data set does not hold fails the ads import by name; a
    segment value a user attribute never takes is a QueryError."""
    from recassist.errors import InputFileError, QueryError
    from recassist.trust.allow import refusal

    permitted = {"tags": {"Drama", "Comedy"}, "genders": {"F", "M"}}
    for targeting, field in (
        ("tags=Drama|Cooking shows", "targeting.tags"),
        ("genders=X", "targeting.genders"),
    ):
        with pytest.raises(InputFileError) as err:
            clean_one_ad(permitted, targeting=targeting)
        assert err.value.field == field and "not a value of" in str(err.value)
    assert len(clean_one_ad(permitted, targeting="tags=drama; genders=f")) == 1
    assert refusal("occupation", ["student"], ["student", "writer"]) is None
    assert "not a value of occupation" in refusal("occupation", ["priest"], ["student", "writer"])
    assert (
        QueryError
    )  # segments raise it with this reason (tests/test_audiences.py runs the segments)


def clean_one_ad(permitted=None, **change):
    """`clean_ads` of one plain ad with `change` applied (file 'ads.csv', row 1)."""
    row = {
        "ad_id": "a1",
        "advertiser": "Acme",
        "title": "Offer",
        "text": "A film pass.",
        "tags": "Drama",
        "bid": 0.5,
        "daily_budget": 10,
        "targeting": "",
        ROW: 1,
        **change,
    }
    frame = RawTable(pd.DataFrame([row]), "ads.csv")
    return clean_ads(frame, AdsConfig(), ImportConfig(), permitted=permitted)
