"""A message that begins with a film's title and goes on as a list after "like" would ("fargo but
funnier", "jaws meets jurassic park"), on the real slice with ML-100k's concepts, read by the parser
alone; and a subject the graph knows few films of, filled in by TMDb's keyword of its name."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("message", "like", "wanted"),
    [
        ("fargo but funnier", "like Fargo (1996)", "Comedy"),
        ("heat but shorter", "like Heat (1995)", None),
        ("se7en but funnier", "like Seven (Se7en) (1995)", "Comedy"),
        ("toy story but for grown ups", "like Toy Story (1995)", None),
    ],
)
def test_a_title_first_then_but_is_a_list_like_it(
    described_assistant: Assistant, message: str, like: str, wanted: str | None
) -> None:
    """Before: "fargo but funnier" was "No kind of film I know is named 'fargo'" and five
    romantic comedies; "heat but shorter" listed Heat itself, nearest "heat but" by title."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert like in result.message, result.message
    assert "No kind of film" not in result.message and result.picks
    seed = result.request.seed_titles[0]
    assert described_assistant.catalogue.find_title(seed) not in {
        p.item.item_id for p in result.picks
    }
    if wanted:
        assert all(wanted in p.item.tags for p in result.picks)


def test_one_title_meets_another_is_a_list_like_both(described_assistant: Assistant) -> None:
    """ "jaws meets jurassic park": both films to go by, and "meets" is not said back unread."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "jaws meets jurassic park"
    )
    assert "like Jaws (1975) and Jurassic Park (1993)" in result.message, result.message
    assert '"meets"' not in result.message and result.picks


def test_a_film_the_catalogue_lacks_first_then_but(described_assistant: Assistant) -> None:
    """ "the matrix but less violent": TMDb's The Matrix, not the titles nearest "the matrix but"."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "the matrix but less violent"
    )
    assert "TMDb knows The Matrix (1999)" in result.message, result.message
    assert "the matrix but" not in result.message and result.picks


def test_a_kind_of_film_first_stays_a_description(described_assistant: Assistant) -> None:
    """ "aliens but funny" is comedies about aliens, not a list like Aliens (1986); the graph
    knows five films about aliens, none a comedy, and TMDb tags Men in Black "alien"."""
    result = described_assistant.turn(described_assistant.new_session(None), "aliens but funny")
    assert not result.request.seed_titles and "like Aliens" not in result.message
    titles = [p.item.title for p in result.picks]
    assert "Men in Black (1997)" in titles, titles
    assert all("Comedy" in p.item.tags for p in result.picks)


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("heat but shorter", "like heat but shorter"),
        ("Heavy but shorter", "like Heavy but shorter"),  # written as a title
        ("heavy but uplifting", "heavy but uplifting"),  # Heavy (1995): few know it
        ("comedies but not too silly", "comedies but not too silly"),
    ],
)
def test_one_lower_case_word_is_a_title_only_when_well_known(
    ml100k, concepts, message: str, read: str
) -> None:
    """On the whole of ML-100k: one word in lower case is the title of a film of the better known
    half, so "heavy but uplifting" stays a description, not a list like Heavy (1995)."""
    from recassist.assistant.titled import lead_title
    from recassist.retrieval.catalogue import Catalogue

    catalogue = Catalogue(ml100k, store=None, concepts=concepts)
    assert lead_title(message, catalogue) == read
