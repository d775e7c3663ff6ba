"""Films outside the catalogue: "something like The Matrix" (1999, after ML-100k's last film) is
found in TMDb's films and answered with the catalogue's films whose synopses are nearest what
TMDb says of it, each citing it, and the reply says what was done; a film neither knows is still
said to be missing."""

from __future__ import annotations

import pytest

from recassist.data.film_keywords import load_keywords


@pytest.fixture(scope="module")
def outside(ml100k, settings):
    from recassist.retrieval.concept_graph import load_outside

    found = load_outside(ml100k, load_keywords(settings.data_dir, "ml-100k"))
    assert found is not None, "TMDb's films are fetched with ML-100k"
    return found


@pytest.mark.parametrize(
    "written, named",
    [
        ("the matrix", "The Matrix (1999)"),
        ("Matrix", "The Matrix (1999)"),  # without its article
        ("the notebok", "The Notebook (2004)"),  # misspelt
        ("dark knight", "The Dark Knight (2008)"),
        ("toy story 2", "Toy Story 2 (1999)"),  # a sequel the catalogue lacks
        ("amelie", "Amélie (2001)"),  # without its accent
    ],
)
def test_a_film_the_catalogue_lacks_is_found_as_written(outside, written, named) -> None:
    film = outside.find(written)
    assert film is not None and film.named == named


def test_a_description_or_a_catalogue_film_is_no_outside_film(outside) -> None:
    """ "space adventures" is only words of Zathura: A Space Adventure's title, and Titanic
    (1997) is the catalogue's own film."""
    assert outside.find("space adventures") is None
    assert outside.find("Titanic") is None
    assert outside.find("harry potter").title.startswith("Harry Potter")  # the best known


def test_what_tmdb_says_is_without_how_the_film_was_made(outside) -> None:
    nemo = outside.find("finding nemo")
    assert "animation" in nemo.genres and set(nemo.tags) == {"Animation", "Children's"}
    assert "aftercreditsstinger" not in nemo.keywords and "underwater" in nemo.keywords
    assert nemo.about().startswith("animation, family: ")


def test_like_a_film_the_catalogue_lacks_gives_the_films_nearest_it(described_assistant) -> None:
    """ "like the matrix": science fiction (Twelve Monkeys, Blade Runner ...), never what is
    merely popular, each citing The Matrix (1999) in its explanation; the reply says the film is
    missing and what was done instead."""
    result = described_assistant.turn(
        described_assistant.new_session(None),
        "i just watched the matrix and loved it, anything similar?",
    )
    assert "TMDb knows The Matrix (1999)" in result.message, result.message
    assert len(result.picks) == 5
    assert sum("Sci-Fi" in p.item.tags for p in result.picks) >= 4, [
        p.item.title for p in result.picks
    ]
    for pick in result.picks:
        assert (
            pick.reasons[0].kind == "like_outside" and pick.reasons[0].label == "The Matrix (1999)"
        )
        assert "The Matrix (1999)" in pick.explanation.text and not pick.explanation.problems


def test_a_film_neither_knows_is_still_missing(described_assistant) -> None:
    result = described_assistant.turn(
        described_assistant.new_session(None), "something like parasite"
    )
    assert 'I could not find "parasite"' in result.message and "TMDb knows" not in result.message


def test_a_title_joined_by_and_is_one_film(described_assistant) -> None:
    """ "indiana jones and the temple of doom" is one film the catalogue lacks, not "indiana jones"
    (The Last Crusade) and a missing "the temple of doom"; "Heat and Ronin" are still two."""
    session = described_assistant.new_session(None)
    result = described_assistant.turn(
        session, "something like indiana jones and the temple of doom"
    )
    assert "TMDb knows Indiana Jones and the Temple of Doom (1984)" in result.message
    assert '"the temple of doom"' not in result.message
    assert "Raiders of the Lost Ark (1981)" in {p.item.title for p in result.picks}
    two = described_assistant.turn(described_assistant.new_session(None), "I loved Heat and Ronin")
    assert "TMDb knows Ronin (1998)" in two.message and "like Heat (1995)" in two.message


def test_praise_for_it_asks_for_films_like_it_and_a_follow_up_keeps_it(described_assistant) -> None:
    """ "i loved inception" is no thumbs on a list: films like Inception; "what else?" and "only
    ones from the 90s" are still like it (it is no standing seed: the catalogue lacks it),
    without saying again that it is missing; dislike of it is no list like it."""
    session = described_assistant.new_session(None)
    first = described_assistant.turn(session, "i loved inception")
    assert "TMDb knows Inception (2010)" in first.message, first.message
    more = described_assistant.turn(session, "what else?")
    assert more.picks and "could not find" not in more.message
    assert all(p.reasons[0].label == "Inception (2010)" for p in more.picks)
    assert not {p.item.item_id for p in more.picks} & {p.item.item_id for p in first.picks}
    nineties = described_assistant.turn(session, "only ones from the 90s")
    assert nineties.picks and all(1990 <= p.item.year <= 1999 for p in nineties.picks)
    assert all(p.reasons[0].kind == "like_outside" for p in nineties.picks)
    hated = described_assistant.turn(described_assistant.new_session(None), "i hated the notebook")
    assert not any(r.kind == "like_outside" for p in hated.picks for r in p.reasons)


def test_a_title_tmdb_knows_is_no_unsure_guess_of_another(described_assistant) -> None:
    """ "like american beauty" was taken to mean American Dream (1990), a catalogue title spelt
    near it ("did you mean another film?"): TMDb knows American Beauty (1999), so the list is
    like that film."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "something like american beauty"
    )
    assert "TMDb knows American Beauty (1999)" in result.message, result.message
    assert "did you mean" not in result.message
