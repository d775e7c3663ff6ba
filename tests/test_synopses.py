"""Synopses: TMDb's overviews and what each film is about, matched by meaning against a
description that names no kind of film ("films about painters and artists"), with the part of
the synopsis nearest it as the pick's evidence, and the reply saying how the words were read."""

from __future__ import annotations

import pytest

from recassist.data.film_keywords import load_keywords


@pytest.fixture(scope="module")
def synopses(ml100k, settings, concepts, embedder):
    from recassist.retrieval.concept_graph import load_synopses

    keywords = load_keywords(settings.data_dir, "ml-100k")
    found = load_synopses(concepts, ml100k, embedder.encode, keywords)
    assert found is not None, "ML-100k has TMDb's overviews and a graph"
    return found


@pytest.fixture(scope="module")
def by_title(ml100k) -> dict[str, str]:
    return dict(zip(ml100k.items["title"], ml100k.items["item_id"].astype(str)))


def test_a_synopsis_is_the_overview_and_what_the_film_is_about(synopses, by_title) -> None:
    """Basquiat's synopsis holds TMDb's overview; what a film is about leaves out "film" (every
    film is one: "films about painters" must not find every "biographical film") and its
    awards; a film TMDb lacks is described by its concepts alone."""
    basquiat = synopses.synopses[by_title["Basquiat (1996)"]]
    assert "art" in basquiat.overview.lower()
    about = {a for s in synopses.synopses.values() for a in s.about}
    assert "biographical" in about and "biographical film" not in about
    assert not {a for a in about if "winner" in a}
    without = [s for s in synopses.synopses.values() if not s.overview]
    assert without and all(s.about for s in without)


def test_a_description_no_concept_names_finds_films_by_their_synopsis(synopses, by_title):
    """ "painters and artists" names no concept; Basquiat's overview is about the art scene."""
    near = synopses.nearest("painters, artists", 10, 0.35)
    assert by_title["Basquiat (1996)"] in list(near)[:3]
    assert list(near.values()) == sorted(near.values(), reverse=True)
    assert not synopses.nearest("painters, artists", 10, 0.99)  # nothing is that near


def test_the_evidence_is_the_nearest_sentence_of_the_overview(synopses, by_title) -> None:
    part = synopses.evidence(by_title["Basquiat (1996)"], "films about painters and artists")
    assert part is not None and "art" in part.lower()
    assert part in synopses.synopses[by_title["Basquiat (1996)"]].overview
    assert synopses.evidence("no such item", "painters") is None


def test_a_film_named_by_its_synopsis_alone_is_listed_with_the_part_quoted(
    settings, ml100k, embedder, concepts, synopses, by_title
) -> None:
    """ "films about painters and artists" names no concept: the films whose synopses are
    nearest are listed, Basquiat among the first, each quoting its synopsis; a famous film
    barely near does not come first by fame alone."""
    from recassist.assistant.named import named_items
    from recassist.retrieval.catalogue import Catalogue, Constraints
    from recassist.retrieval.interactions import Interactions

    catalogue = Catalogue(ml100k, None, embedder, concepts=concepts, synopses=synopses)
    data = Interactions.from_dataset(ml100k, settings.events)
    words = "films about painters and artists"
    named = named_items(catalogue, data, settings.agent, words, Constraints(), set())
    assert named is not None and named.synopses and not named.matches
    first = list(named.scores)[:3]
    assert by_title["Basquiat (1996)"] in first, [catalogue.items[i].title for i in first]
    reason = named.reasons[by_title["Basquiat (1996)"]]
    assert reason.kind == "synopsis"
    assert reason.label in synopses.synopses[by_title["Basquiat (1996)"]].overview
    seen = {by_title["Basquiat (1996)"]}
    again = named_items(catalogue, data, settings.agent, words, Constraints(), seen)
    assert again is not None and by_title["Basquiat (1996)"] not in again.scores


def test_the_reply_says_words_read_in_descriptions_were_not_dropped() -> None:
    from recassist.assistant.replies import synopsis_note

    note = synopsis_note(["painters", "artists", "painters"])
    assert note.count('"painters"') == 1 and '"artists"' in note and "descriptions" in note


def test_words_read_in_the_descriptions_are_not_also_said_unused(described_assistant) -> None:
    """ "thrillers about being stalked by an obsessed psycho": the words no kind of film names
    were read in the films' descriptions, and the reply says so once, not also "I didn't use
    'stalked' or 'obsessed'"; a clause wished away is still said unused."""
    message = "More thrillers about being stalked by an obsessed psycho? not waiting to be rescued"
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert "in the films' descriptions" in result.message, result.message
    unused = [s for s in result.message.split(". ") if s.startswith("I didn't use")]
    assert not any('"stalked"' in s or '"obsessed"' in s for s in unused), result.message
    assert any("waiting to be rescued" in s for s in unused), result.message


def test_a_question_about_a_film_quotes_what_tmdb_says_of_it(described_assistant) -> None:
    """ "is titanic any good?" said "I know no plot or review" though TMDb's overview of it is
    known: the reply now quotes its first sentence, and still lists what its fans liked."""
    result = described_assistant.turn(described_assistant.new_session(None), "is titanic any good?")
    assert 'TMDb says: "84 years later, a 101-year-old woman named Rose' in result.message
    assert "I know no plot" not in result.message and result.picks
