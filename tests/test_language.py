"""The language pass (`recassist.language`): a message is tagged once into frozen typed spans that
the chat parser and `unread` both read; word lists are per-language data; phrases match whole words
over tokens; intent is an ordered rule table. Fast: no catalogue, no model."""

from __future__ import annotations

import dataclasses

import pytest

from recassist.assistant.parser import _rules, parse, unread
from recassist.assistant.request import Intent
from recassist.audiences.parser import names_everyone, place_named, split_compare
from recassist.language import reading
from recassist.language.phrases import Phrases, tokenise
from recassist.language.reading import read
from recassist.language.spans import Kind
from recassist.language.tags import TagMatcher
from recassist.language.words import LANGUAGES, count_value, language, listed

TAGS = TagMatcher(["Comedy", "Horror", "Romance", "Drama", "Sci-Fi", "Children's", "War"])


def test_a_message_is_read_once_into_frozen_typed_spans() -> None:
    message = "something like Alien but funnier, not from the 80s, the second one, 3 movies"
    tagged = read(message, TAGS)
    kinds = {s.kind for s in tagged.spans}
    assert {Kind.seed, Kind.ordinal, Kind.count, Kind.decade, Kind.cue} <= kinds
    assert tagged.seed_titles == ("Alien",)
    assert [(m.tag, m.negated) for m in tagged.mentions] == [("Comedy", False)]
    decade = tagged.first(Kind.decade)
    assert decade is not None and decade.value == 1980 and decade.negated
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.spans[0].value = 2  # type: ignore[misc]


def test_parse_and_unread_read_the_same_tagging(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = reading.read.__wrapped__

    def counting(message, tags, titles=None):
        calls.append(message)
        return real(message, tags, titles)

    monkeypatch.setattr(reading, "read", reading.lru_cache(maxsize=8)(counting))
    monkeypatch.setattr("recassist.assistant.parser.read", reading.read)
    message = "a feel-good movie for a rainy sunday, nothing scary"
    words = unread(message, TAGS)
    request = parse(message, TAGS, None, words)
    assert calls == [message]  # tagged once, read twice
    assert words == ["feel-good"]  # "for a rainy sunday" says when, not what
    assert request.exclude_tags == ["Horror"] and request.new_topic


def test_intent_is_the_first_rule_that_holds() -> None:
    intents = [rule.intent for rule in _rules()]
    assert intents[0] is Intent.chat and intents[-1] is Intent.recommend
    assert intents[1] is Intent.chat and intents[2] is Intent.explain
    recall = parse("what did you recommend earlier?", TAGS)  # the last list, not older films
    assert recall.intent is Intent.chat and recall.small_talk == "recall"
    assert parse("why the second one?", TAGS).intent is Intent.explain  # before feedback
    assert parse("I hated the second one", TAGS).feedback == "dislike"
    liked = parse("I loved Alien, what else would I like?", TAGS)
    assert liked.intent is Intent.recommend  # praise that asks for picks is no feedback
    assert parse("the first one please", TAGS).intent is Intent.feedback
    assert parse("no horror", TAGS).intent is Intent.refine


def test_word_lists_are_data_per_language() -> None:
    assert set(LANGUAGES) == {"en", "fr", "es", "de", "it", "pt"}
    assert all(language(code)["filler"] for code in LANGUAGES)
    assert {"pas", "ohne", "sin", "senza", "sem", "not"} <= set(listed("negators"))
    assert TAGS.canonical("komödie") == "Comedy" and TAGS.canonical("romcom") == "Romance"
    assert parse("pas d'horreur", TAGS).exclude_tags == ["Horror"]
    assert parse("los años 80", TAGS).year_min == 1980


def test_number_words_come_from_text2num() -> None:
    assert [count_value(w) for w in ("three", "ten", "12", "a couple", "a few")] == [
        3,
        10,
        12,
        2,
        3,
    ]
    assert parse("give me seven comedies", TAGS).count == 7
    fifth = parse("top 5th", TAGS)  # a position, not a count
    assert fifth.refers_to == 5 and "count" not in fifth.model_fields_set


@pytest.mark.parametrize(
    ("phrases", "text", "found"),
    [
        (["sci-fi"], "some sci-fi please", True),
        (["fi"], "some sci-fi please", False),  # whole words only
        (["don't like"], "I don't like it", True),
        (["don't like"], "I don t like it", False),  # tokens written together must touch
        (["resembl*"], "people resembling women", True),
        (["more like <digit>"], "more like 2", True),
        (["por que !no"], "por que no", False),
        (["is|are fine|ok"], "westerns are ok", True),
        (["the? very? last"], "the very last one", True),
    ],
)
def test_phrase_syntax(phrases: list[str], text: str, found: bool) -> None:
    tokens = tokenise(text)
    assert Phrases(phrases, hyphen_bound=True).found(tokens, text) is found


def test_the_marketer_reads_with_the_same_tokens() -> None:
    who, against = split_compare("what do women like compared to men?")
    assert who == "what do women like " and against == " men?"
    assert place_named("what do people in zip code 94110 like?") == "zip code"
    assert names_everyone("everyone") and not names_everyone("women over 35")
