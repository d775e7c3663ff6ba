"""Titles as people type them alone, on the real slice read by the parser alone: one uncommon word
of a title, a title without its article, an abbreviation with dots, a series name before a film of
it, a question whether the catalogue has a film, and a film only TMDb knows."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("shawshank", "The Shawshank Redemption (1994)"),
        ("godfather", "The Godfather (1972)"),
        ("e.t.", "E.T. the Extra-Terrestrial (1982)"),
        ("star wars empire strikes back", "The Empire Strikes Back (1980)"),
        ("independance day", "Independence Day (ID4) (1996)"),
    ],
)
def test_a_title_typed_alone_is_the_seed(
    described_assistant: Assistant, message: str, title: str
) -> None:
    """ "shawshank" and "godfather" were searched for in the films' descriptions, "e.t." said
    't' was unused, "star wars empire strikes back" listed war films."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message == f"Here are 5 picks, like {title}:", result.message


def test_a_common_word_alone_is_no_title(described_assistant: Assistant) -> None:
    """One English word that a single title holds is no title ("matrix" is The Matrix only with
    "like" or its article)."""
    result = described_assistant.turn(described_assistant.new_session(None), "matrix")
    assert "like" not in result.message.split(":")[0], result.message


@pytest.mark.parametrize(
    ("message", "start"),
    [
        ("do you have fargo?", "Fargo (1996): "),
        (
            "do you have the godfather part 3?",
            'I could not find "the godfather part 3" in the catalogue',
        ),
        ("tienes titanic?", "Titanic (1997): "),
    ],
)
def test_do_you_have_a_film(described_assistant: Assistant, message: str, start: str) -> None:
    """ "do you have the godfather part 3?" searched the films' descriptions for "godfather
    part" (The Godfather first, by its description); now the catalogue's film, or said missing."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message.startswith(start), result.message
    assert result.picks


def test_do_you_have_a_kind_is_a_list_of_it(described_assistant: Assistant) -> None:
    """ "do you have anything funny?" is comedies, no title."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "do you have anything funny?"
    )
    assert result.message == "Here are 5 picks, tagged Comedy:", result.message
