"""Moods said against a kind, and a film the catalogue lacks named alone, as people type them, on
the real slice with its concepts, synopses and TMDb's films, read by the parser alone."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("message", "tag"),
    [("not in the mood for horror", "Horror"), ("i don't feel like a comedy", "Comedy")],
)
def test_not_in_the_mood_for_a_kind_rules_it_out(
    described_assistant: Assistant, message: str, tag: str
) -> None:
    """ "not in the mood for horror" listed horror films: "in the mood" is a way of asking, and
    the "not" before it was lost."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert tag in result.request.exclude_tags and f"with no {tag}" in result.message
    assert result.picks and not any(tag in p.item.tags for p in result.picks)


def test_less_of_a_quality_alone_is_no_description(described_assistant: Assistant) -> None:
    """ "not in the mood for anything heavy": the popular films with the heaviest kinds last, as
    for "nothing too heavy". The wish itself was matched against the films' descriptions (The
    Good, the Bad and the Ugly first, Like Water for Chocolate "says 'chocolate'")."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "not in the mood for anything heavy"
    )
    assert result.message.startswith('For "not in the mood for anything heavy", '), result.message
    kinds = {r.kind for p in result.picks for r in p.reasons}
    assert len(result.picks) == 5 and not kinds & {"synopsis", "described"}, kinds


@pytest.mark.parametrize(
    ("message", "film"),
    [("the matrix", "The Matrix (1999)"), ("The Dark Knight", "The Dark Knight (2008)")],
)
def test_a_film_the_catalogue_lacks_named_alone_is_liked(
    described_assistant: Assistant, message: str, film: str
) -> None:
    """A message that is only the title of a film TMDb knows and the catalogue lacks: said
    missing, and the films nearest what TMDb says of it. "the matrix" alone was matched against
    the films' descriptions as words (The Devil's Own first); "the dark knight" as "dark"."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert (
        f'I could not find "{message}"' in result.message and f"TMDb knows {film}" in result.message
    )
    assert result.picks and all(p.reasons[0].kind == "like_outside" for p in result.picks)


def test_a_kind_of_film_that_is_also_a_title_stays_a_kind(described_assistant: Assistant) -> None:
    """ "date night" is a romantic comedy (TMDb's Date Night, 2010, is asked for capitalised or
    with "like")."""
    result = described_assistant.turn(described_assistant.new_session(None), "date night")
    assert "could not find" not in result.message and result.picks
    assert all({"Comedy", "Romance"} & set(p.item.tags) for p in result.picks)


@pytest.mark.parametrize(
    "message",
    [
        "good movies for a hangover",
        "i'm so hungover, what should i watch",
        "sick in bed, any ideas",
    ],
)
def test_feeling_rough_is_a_comfort_movie(described_assistant: Assistant, message: str) -> None:
    """A hangover or a sick day asks for comfort films (comedy dramas). "for a hangover" found
    Trainspotting and Leaving Las Vegas by their stories of drink; "sick in bed" found Outbreak."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.picks and "didn't use" not in result.message, result.message
    assert all(p.reasons[0].label == "a comedy drama" for p in result.picks), [
        p.reasons[0] for p in result.picks
    ]


@pytest.mark.parametrize(
    ("first", "feeling", "label"),
    [
        (
            "somthing liek termnator but romantik from the eigthies pls",
            "i'm so hungover, what should i watch",
            "a comedy drama",
        ),
        ("recommend 3 westerns", "i'm bored", "an action film"),
    ],
)
def test_a_feeling_after_a_list_is_a_new_want(
    described_assistant: Assistant, first: str, feeling: str, label: str
) -> None:
    """How the user feels, said after a list, starts anew: "i'm bored" after westerns listed
    westerns, "i'm so hungover" after 80s romances like The Terminator listed 80s romances."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, first)
    result = described_assistant.turn(session, feeling)
    assert result.message == "Here are 5 picks:", result.message
    assert all(p.reasons[0].label == label for p in result.picks), [
        p.reasons[0] for p in result.picks
    ]
