"""The forgiving reading of a message (typos in genre, decade and cue words; praise that asks for
picks; wishes no tag can hold) and the descriptive-request path, on the real ML-100k slice."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant
from recassist.assistant.parser import parse
from recassist.language.forgiving import asks_for_picks, correction, forgive, unfiltered
from recassist.language.tags import TagMatcher
from recassist.retrieval.catalogue import display_title
from tests import test_agent

parser_assistant = test_agent.parser_assistant  # the slice's assistant, planned by the parser alone
TAGS = TagMatcher(
    ["Action", "Comedy", "Crime", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller", "War"]
)


@pytest.mark.parametrize(
    ("word", "fixed"),
    [
        ("eigthies", "eighties"),
        ("romantik", "romantic"),
        ("liek", "like"),
        ("somthing", "something"),
        ("comdey", "comedy"),
        ("horor", "horror"),
        ("ninties", "nineties"),
    ],
)
def test_misspelt_genre_decade_and_cue_words_are_put_right(word: str, fixed: str) -> None:
    assert (
        correction(word, sorted({*TAGS.forms(), "eighties", "nineties", "like", "something"}))
        == fixed
    )


@pytest.mark.parametrize(
    ("message", "refers_to"),
    [
        ("more like the secnd one", 2),
        ("why the frist one?", 1),
        ("the thrid one", 3),
        ("i liked the fist one", 1),
        ("more like the forth one", 4),
    ],
)
def test_a_misspelt_position_is_the_position(message: str, refers_to: int) -> None:
    """ "more like the secnd one", typed while the list streamed, looked for a film called "the
    secnd one"; "the fist one" ("fist" is an English word) was said back as unused."""
    request = parse(message, TAGS)
    assert request.refers_to == refers_to and not request.seed_titles


def test_names_titles_and_real_words_are_left_alone() -> None:
    text = "I want something with Mike in it, thrilled to see a comedian"
    assert forgive(text, TAGS) == text
    fist = "a film with a fist fight, the best one you know"  # no "one" after "fist"
    assert forgive(fist, TAGS) == fist

    def spans(t: str) -> list[tuple[int, int]]:  # a title, as the title index would say
        return [(t.index("Romantik"), t.index("Romantik") + 8)]

    assert forgive("like Romantik please", TAGS, spans) == "like Romantik please"


def test_a_word_after_a_name_stays_the_names_to_resolve() -> None:
    """ "pulp fction" is a misspelt title, not pulp and action: a word right after a word that is
    no known word and no misspelling of one is left alone, while a misspelt kind after a misspelt
    kind is still put right."""
    assert forgive("something like pulp fction", TAGS) == "something like pulp fction"
    assert forgive("a horor comdy", TAGS) == "a horror comedy"
    assert parse("recommend me something like pulp fction", TAGS).seed_titles == ["pulp fction"]


def test_the_typo_request_keeps_romance_and_the_eighties() -> None:
    request = parse("somthing liek termnator but romantik from the eigthies pls", TAGS)
    assert request.include_tags == ["Romance"] and (request.year_min, request.year_max) == (
        1980,
        1989,
    )
    assert request.seed_titles == ["termnator"]  # the title itself is the title index's to resolve


def test_a_wish_no_tag_holds_is_named_not_embedded() -> None:
    message = "clever heist movies and dry British humour, nothing too violent"
    request = parse(message, TAGS)
    assert request.unused == ["nothing too violent"]
    assert "violent" not in request.mood and "dry British humour" in request.mood
    assert set(request.include_tags) == {"Crime", "Comedy"}
    assert (
        unfiltered("not interested in the second one", TAGS, []) == []
    )  # read as feedback, nothing left


def test_a_kind_of_drama_keeps_its_description() -> None:
    request = parse("a courtroom drama with a big trial", TAGS)
    assert request.include_tags == ["Drama"] and "courtroom" in request.mood


def test_praise_that_asks_for_more_is_a_request() -> None:
    assert asks_for_picks("I loved it, what else would I like?") and not asks_for_picks(
        "I loved it"
    )


def test_praise_plus_a_request_answers_with_picks(parser_assistant: Assistant) -> None:
    assistant = parser_assistant
    title = display_title(max(assistant.items.values(), key=lambda i: len(i.title)).title)
    result = assistant.turn(
        assistant.new_session(None), f"I loved {title}, what else would I like?"
    )
    assert result.picks and "Noted" not in result.message, result.message
    assert (
        result.request.seed_titles
        and display_title(result.request.seed_titles[0]) in result.message
    )


def test_the_reply_names_what_it_did_not_use(parser_assistant: Assistant) -> None:
    assistant = parser_assistant
    result = assistant.turn(
        assistant.new_session(None),
        "clever heist movies and dry British humour, nothing too violent",
    )
    assert result.picks and 'I didn\'t use "nothing too violent"' in result.message, result.message
    assert "could not find" not in result.message
    typo = assistant.turn(assistant.new_session(None), "somthing romantik from the eigthies pls")
    assert "Romance" in typo.message and "from 1980 to 1989" in typo.message, typo.message


def test_the_model_plans_a_description_as_a_description(slice_assistant: Assistant) -> None:
    """The real 0.5B model: "dry British humour" is no title the catalogue lacks."""
    planner = slice_assistant.planner
    message = "clever heist movies and dry British humour, nothing too violent"
    parsed, _ = planner.read(message)
    plan = planner.plan_with_model(slice_assistant.new_session(None), message, parsed)
    assert not any("humour" in t.lower() for t in plan.request.seed_titles), plan.request
    assert plan.request.unused == ["nothing too violent"] and "humour" in (plan.request.mood or "")


def test_an_english_word_is_no_misspelt_kind() -> None:
    """ "an aviation nerd" read as "an animation nerd": the planes-and-pilots request became a
    list of cartoons. A word of the embedding model's English vocabulary is never put right."""
    tags = TagMatcher(["Animation", "Comedy", "Drama"])
    message = "anything with planes and pilots, im a bit of an aviation nerd"
    assert forgive(message, tags) == message
    assert "Animation" not in parse(message, tags).include_tags
    assert "Comedy" in parse("a comdey for the kids", tags).include_tags  # a misspelling


def test_cold_war_is_no_war_film() -> None:
    """ "spy movies, cold war intrigue" was a list of war films: the tag's word inside the
    subject's name names no tag (the subject is still read where kinds of film are)."""
    assert "War" not in parse("spy movies!! secret agents, cold war intrigue", TAGS).include_tags
    assert "War" in parse("vietnam war movies", TAGS).include_tags
