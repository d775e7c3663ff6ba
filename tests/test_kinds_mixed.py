"""Several kinds or titles in one request, as people join them, on the real slice read by the
parser alone: "a mix of action and comedy" is both at once, "like fargo or pulp fiction" is like
either, and "how old is the first one?" asks its year."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("message", "tags"),
    [
        ("mix of action and comedy", ["Action", "Comedy"]),
        ("something that is both horror and comedy", ["Comedy", "Horror"]),
        ("un mélange de comédie et d'horreur", ["Comedy", "Horror"]),
    ],
)
def test_a_mix_of_two_kinds_is_both_at_once(
    described_assistant: Assistant, message: str, tags: list[str]
) -> None:
    """ "a mix of action and comedy" listed action films or comedies (Money Talks first, and
    'No kind of film I know is named "mix"'); now films that are both."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message.endswith(f" tagged {' and '.join(tags)}:"), result.message
    assert result.picks and all(set(tags) <= set(p.item.tags) for p in result.picks)


def test_two_kinds_joined_by_and_alone_are_either(described_assistant: Assistant) -> None:
    """ "comedy and romance" is still either (a list of comedies and romances)."""
    result = described_assistant.turn(described_assistant.new_session(None), "comedy and romance")
    assert result.message == "Here are 5 picks, tagged Comedy or Romance:", result.message


@pytest.mark.parametrize(
    ("message", "seeds"),
    [
        ("i want something like fargo or pulp fiction", "Fargo (1996) and Pulp Fiction (1994)"),
        ("algo como Titanic o Fargo", "Titanic (1997) and Fargo (1996)"),
    ],
)
def test_titles_joined_by_or_are_each_a_seed(
    described_assistant: Assistant, message: str, seeds: str
) -> None:
    """'I could not find "fargo or pulp fiction"', and the popular films; now like both."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message == f"Here are 5 picks, like {seeds}:", result.message


def test_how_old_is_a_film_shown_asks_its_year(described_assistant: Assistant) -> None:
    """ "how old is the first one?" was a thumbs up ("Noted: you liked Unforgiven")."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "recommend 3 westerns")
    first = described_assistant.catalogue.items[session.last_shown[0]]
    result = described_assistant.turn(session, "how old is the first one?")
    name = first.title.removesuffix(f" ({first.year})")
    assert result.message.startswith(f"{name} came out in {first.year}."), result.message
    assert not session.likes


def test_a_description_joined_by_or_names_no_film(described_assistant: Assistant) -> None:
    """ "like funerals or a dead body" is no pair of titles: "funerals" alone found The Funeral
    (1996) when "or" joined titles whatever they were."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "a comedy about death, like funerals or a dead body"
    )
    assert not result.request.seed_titles[1:] and "like The Funeral" not in result.message
    assert result.picks and all("Comedy" in p.item.tags for p in result.picks)
