"""Questions about the list just shown, as people type them, on the real slice with its concepts
and synopses, read by the parser alone: which of it is best, a way of liking a title in another
language, "like X but not X", and "none of those" said loosely."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant
from recassist.retrieval.catalogue import display_title


def best_liked(assistant: Assistant, item_ids: list[str]) -> str:
    """The best liked of `item_ids`, by the same well-liked share the answer goes by."""
    stage = assistant.decider.candidates
    return max(item_ids, key=lambda i: stage.co_liked.liked_by(i)[2])


@pytest.mark.parametrize(
    "question",
    [
        "which is the best?",
        "which one would you pick?",
        "hmm which of these is best",
        "¿cuál me recomiendas?",
        "lequel est le meilleur ?",
        "welcher ist der beste?",
    ],
)
def test_which_is_best_names_the_best_liked_of_the_list(
    described_assistant: Assistant, question: str
) -> None:
    """ "recommend 5 thrillers", then "which is the best?": one of those five, the best liked by
    those who watched it, with its count and why. It was five more thrillers (the best of the
    kind, none of those shown). The topic stays: "more" is more thrillers."""
    session = described_assistant.new_session(None)
    listed = described_assistant.turn(session, "recommend 5 thrillers")
    shown = [p.item.item_id for p in listed.picks]
    best = best_liked(described_assistant, shown)
    answer = described_assistant.turn(session, question)
    title = display_title(described_assistant.catalogue.items[best].title)
    assert [p.item.item_id for p in answer.picks] == [best], answer.message
    assert answer.message.startswith(f"Of the 5 I showed, {title} is the best liked: "), (
        answer.message
    )
    assert f"Why {title}? Because it is a thriller" in answer.message
    more = described_assistant.turn(session, "more")
    assert "tagged Thriller" in more.message and not set(shown) & {
        p.item.item_id for p in more.picks
    }


def test_which_is_the_best_kind_is_a_list(described_assistant: Assistant) -> None:
    """ "which is the best comedy?" after a list asks for comedies, not which of the list is best;
    "which is the best?" with nothing shown is the best liked films."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "recommend 5 thrillers")
    comedies = described_assistant.turn(session, "which is the best comedy?")
    assert len(comedies.picks) == 5 and all("Comedy" in p.item.tags for p in comedies.picks)
    fresh = described_assistant.turn(described_assistant.new_session(None), "which is the best?")
    assert len(fresh.picks) == 5 and not fresh.message.startswith("Of the")


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("qué película me recomiendas si me gustó Titanic", "Titanic (1997)"),
        ("j'ai adoré Titanic, tu me conseilles quoi ?", "Titanic (1997)"),
        ("ich mochte Fargo, was noch?", "Fargo (1996)"),
        ("adorei Titanic, o que mais?", "Titanic (1997)"),
        ("what would you recommend if i liked titanic", "Titanic (1997)"),
    ],
)
def test_a_way_of_liking_a_title_is_no_description(
    described_assistant: Assistant, message: str, title: str
) -> None:
    """ "me gustó Titanic": the words of liking are no description. "gustó" found films whose
    descriptions say "spanish" (101 Dalmatians, Dave), "o que mais" read "o" as a title (O, 2001),
    "was noch" was said back as unknown."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message == f"Here are 5 picks, like {title}:", result.message
    kinds = {r.kind for p in result.picks for r in p.reasons}
    assert not kinds & {"synopsis", "described"}, kinds


def test_like_a_film_but_not_it_is_like_its_series(described_assistant: Assistant) -> None:
    """ "something like star wars but not star wars": like the three films, none of them a pick.
    It was a thumbs down on Star Wars, "with no War", and the popular films."""
    session = described_assistant.new_session(None)
    result = described_assistant.turn(session, "something like star wars but not star wars")
    series = "Star Wars (1977), The Empire Strikes Back (1980) and Return of the Jedi (1983)"
    assert result.message == f"Here are 5 picks, like {series}:", result.message
    assert not {p.item.title for p in result.picks} & {"Star Wars (1977)"}
    assert not session.dislikes and "War" not in result.request.exclude_tags


def test_none_of_those_said_loosely_is_more_of_the_same(described_assistant: Assistant) -> None:
    """ "hmm none of those, try again" said "I don't know ..." and showed nothing."""
    session = described_assistant.new_session(None)
    first = described_assistant.turn(session, "recommend 3 comedies")
    again = described_assistant.turn(session, "hmm none of those, try again")
    assert again.message == "Here are 3 picks, tagged Comedy:", again.message
    assert not {p.item.item_id for p in first.picks} & {p.item.item_id for p in again.picks}


def test_is_it_of_a_kind_is_answered_of_the_film_shown(described_assistant: Assistant) -> None:
    """ "is it scary?" after three science-fiction films listed horror films like the one liked;
    now whether the film pointed at is what the words name, from what is known of it, and no
    list. A position points ("is the second one funny?"); what nothing known says is said so."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "recommend 5 horror films")
    shown = list(session.last_shown)
    items = described_assistant.catalogue.items
    comedies = described_assistant.catalogue.concepts.match("funny")[0].concept.members
    scary = described_assistant.turn(session, "is it scary?")
    first = display_title(items[shown[0]].title)
    assert scary.message == f'Yes: {first} is a horror film, for "scary".', scary.message
    assert [p.item.item_id for p in scary.picks] == [shown[0]]
    funny = described_assistant.turn(session, "is the second one funny?")
    second = display_title(items[shown[1]].title)
    expected = (
        f'Yes: {second} is a comedy, for "funny".'
        if shown[1] in comedies
        else f"Not by what I know: {second} is tagged "
    )
    assert funny.message.startswith(expected), funny.message
    unknown = described_assistant.turn(session, "is it on netflix?")
    assert unknown.message.startswith(f'I don\'t know whether {second} is "on netflix"')
    assert session.last_shown == shown


@pytest.mark.parametrize(
    "question",
    ["what's the difference between the first and second one?", "compare the first two"],
)
def test_two_films_shown_compared(described_assistant: Assistant, question: str) -> None:
    """Two films of the list side by side: each one's genres, length and how liked it is, then
    what both are. "compare the first two" was the earliest film with "two" in its title, and
    the difference question searched the films' descriptions for its words."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "recommend 3 westerns")
    shown = list(session.last_shown)
    result = described_assistant.turn(session, question)
    items = described_assistant.catalogue.items
    first, second = (display_title(items[i].title) for i in shown[:2])
    assert result.message.startswith(f"{first}: "), result.message
    assert f". {second}: " in result.message and "What they share: " in result.message
    assert "a western" in result.message.split("What they share: ")[1]
    assert [p.item.item_id for p in result.picks] == shown[:2] and session.last_shown == shown


def test_comparing_with_a_film_not_shown_asks_which(described_assistant: Assistant) -> None:
    """ "compare the first and the ninth" after three picks asks which is meant."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "recommend 3 westerns")
    result = described_assistant.turn(session, "compare the first and the ninth")
    assert result.message.startswith("I can't find the 9th one"), result.message
