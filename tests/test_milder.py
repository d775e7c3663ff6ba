"""Less of a quality ("nothing too violent", "horror but not too gory", "pas trop violent"): read
by the parser, kept as a standing wish, resolved through the knowledge graph's kinds of film into an
intensity per film, and used to put the most intense last, never to rule a film out."""

from __future__ import annotations

import math

import pytest

from recassist.assistant.agent import Assistant
from recassist.assistant.parser import parse
from recassist.assistant.request import TurnRequest
from recassist.data.store import DatasetStore
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.concepts import ConceptIndex
from recassist.retrieval.milder import Intensity, intensity, mildest_first
from recassist.retrieval.vector_store import VectorStore
from tests.conftest import SLICE


@pytest.fixture(scope="module")
def assistant(settings, indexed_slice, slice_serving, embedder, concepts) -> Assistant:
    """The assistant on the slice (ML-100k's most-rated films) with the graph's concepts,
    planned by the parser, with template explanations."""
    builder, _ = indexed_slice
    dataset = DatasetStore(settings.data_dir).load(SLICE)
    catalogue = Catalogue(dataset, VectorStore(builder.client, SLICE), embedder, concepts=concepts)
    config = settings.agent.model_copy(update={"llm_planner": False, "explain_with_llm": False})
    return Assistant(catalogue, slice_serving, None, config)


@pytest.mark.parametrize(
    ("message", "include", "milder"),
    [
        ("something scary but not that scary", ["Horror"], ["not that scary"]),
        ("horror but not too gory", ["Horror"], ["not too gory"]),
        ("action movies that aren't too violent", ["Action"], ["aren't too violent"]),
        ("un thriller pas trop violent", ["Thriller"], ["pas trop violent"]),
        ("una comedia, nada muy violenta", ["Comedy"], ["nada muy violenta"]),
        ("not too scary please", [], ["not too scary"]),
        # the degree is of the word after it; the kind of film after that is wanted
        ("not too gory horror films", ["Horror"], ["not too gory"]),
        ("a less scary horror film", ["Horror"], ["less scary"]),
        ("less violent thrillers", ["Thriller"], ["less violent"]),
    ],
)
def test_less_of_a_quality_is_read_and_nothing_wanted_is_ruled_out(
    message, include, milder, tags, catalogue
) -> None:
    """The wish is kept as written for the ranking; the kind the user asked for stays wanted
    ("something scary but not that scary" found nothing when it ruled horror out)."""
    request = parse(message, tags, catalogue.title_spans)
    assert request.include_tags == include and request.exclude_tags == []
    assert request.milder == milder


@pytest.mark.parametrize(
    ("message", "include", "exclude"),
    [
        ("nothing too scary, maybe a thriller", ["Thriller"], ["Horror"]),
        ("a comedy, less romance please", ["Comedy"], ["Romance"]),
        ("no horror", [], ["Horror"]),
    ],
)
def test_less_of_a_kind_beside_another_want_still_rules_it_out(
    message, include, exclude, tags, catalogue
) -> None:
    """ "nothing too scary, maybe a thriller": horror is not what was asked for, so it goes."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.include_tags, request.exclude_tags) == (include, exclude)


def test_less_of_a_quality_beside_a_title_is_kept_for_its_list(tags, catalogue) -> None:
    """ "like pulp fiction but less violent" went unread and unsaid."""
    request = parse("a movie like pulp fiction but less violent", tags, catalogue.title_spans)
    assert request.seed_titles == ["pulp fiction"] and request.milder == ["less violent"]


def test_intensity_counts_the_kinds_a_film_is_and_a_genre_by_its_share(
    concepts: ConceptIndex, catalogue: Catalogue
) -> None:
    """The Godfather (a gangster film) is violent, Toy Story not at all; Young Frankenstein, a
    comedy and a horror film, is less scary than The Shining, a horror film through and
    through. A quality no group names ("silly") resolves to nothing, for the reply to name."""
    title = {item.title: item_id for item_id, item in catalogue.items.items()}
    violent = intensity(concepts, ["nothing too violent"], catalogue.genres)
    assert violent.said == ("nothing too violent",) and "gangster film" in violent.kinds
    assert violent.of_item.get(title["Godfather, The (1972)"], 0) >= 1
    assert violent.of_item.get(title["Toy Story (1995)"], 0) == 0
    scary = intensity(concepts, ["not that scary"], catalogue.genres)
    frankenstein = scary.of_item[title["Young Frankenstein (1974)"]]
    assert 0 < frankenstein < scary.of_item[title["Shining, The (1980)"]]
    assert intensity(concepts, ["not too silly"], catalogue.genres) == Intensity()
    assert intensity(None, ["nothing too violent"], catalogue.genres) == Intensity()


def test_the_mildest_come_first_in_steps_and_keep_their_order_within_one() -> None:
    found = Intensity({"a": 2.0, "b": 0.5, "c": 0.4, "d": 0.0, "e": 1.0})
    assert mildest_first(list("abcde"), str, found) == ["d", "b", "c", "e", "a"]
    assert mildest_first(list("abc"), str, Intensity()) == ["a", "b", "c"]


def test_a_list_still_all_of_the_kinds_that_went_last_says_so() -> None:
    """ "come last" alone, over five picks that are every one of those kinds, would say the wish
    was met."""
    from recassist.assistant.replies import milder_note

    note = milder_note(["less dark"], ["neo-noir", "slasher"])
    assert note == 'For "less dark", neo-noir films and slasher films come last.'
    all_of = milder_note(["less dark"], ["neo-noir"], all_of=True)
    assert all_of.endswith("but every film I found near what you asked is one of them.")


def test_a_list_with_less_of_a_quality_says_what_went_last_and_keeps_the_wish(
    assistant: Assistant,
) -> None:
    """The reply names the kinds that come last (not "I didn't use"); the picks go from mild to
    intense; the wish holds while the topic does ("only from the 90s"), not for a new one."""
    session = assistant.new_session(None)
    result = assistant.turn(session, "a drama, nothing too violent")
    assert result.message.startswith('For "nothing too violent", '), result.message
    assert "come last" in result.message and "didn't use" not in result.message
    found = intensity(
        assistant.catalogue.concepts, ["nothing too violent"], assistant.catalogue.genres
    )
    levels = [math.ceil(2 * found.of_item.get(p.item.item_id, 0.0)) for p in result.picks]
    assert result.picks and levels == sorted(levels) and levels[0] == 0, levels
    why = assistant.turn(session, "why the first one?")
    assert why.message.endswith('for "nothing too violent".'), why.message
    assert "It is no slasher film, war film or gangster film" in why.message
    assistant.turn(session, "only from the 90s")
    assert session.constraints.milder == {"nothing too violent"}
    assistant.turn(session, "a feel-good movie for a rainy sunday")
    assert session.constraints.milder == frozenset()


def test_a_quality_the_graph_cannot_rank_is_said_back_as_unused(assistant: Assistant) -> None:
    result = assistant.turn(assistant.new_session(None), "a comedy, not too silly")
    assert 'I didn\'t use "not too silly"' in result.message and result.picks


def test_the_model_s_mood_keeps_nothing_the_user_wanted_less_of(assistant: Assistant) -> None:
    """The 1.5B model planned "a thriller, nothing too violent" with the mood "violent a
    thriller": the plan keeps the parser's wish and drops the word from the mood."""
    message = "a thriller, nothing too violent"
    parsed, _ = assistant.planner.read(message)
    planned = TurnRequest(include_tags=["Thriller"], mood="violent a thriller")
    plan = assistant.planner.reconcile(planned, parsed)
    assert plan.milder == ["nothing too violent"] and "violent" not in (plan.mood or "")
    assert "thriller" in (plan.mood or "")


def test_a_wish_for_someone_whose_kind_of_film_rules_all_out_still_gets_a_list(
    assistant: Assistant,
) -> None:
    """The words named family films, none of them horror: the concepts' list was empty, and it
    kept what is popular out, so the answer was "I found nothing". Now the most popular horror
    films come, the mildest first."""
    result = assistant.turn(assistant.new_session(None), "horror but not too scary for my son")
    assert len(result.picks) == 5, result.message
    assert all("Horror" in p.item.tags for p in result.picks)
    assert "found nothing" not in result.message


@pytest.mark.parametrize(
    ("message", "wider"),
    [
        ("scary movies, not too scary for a 12 year old", '"not for kids"'),
        ("scary movies for kids", '"children\'s or horror"'),
    ],
)
def test_horror_for_a_child_is_childrens_horror_or_said_to_be_none(
    assistant: Assistant, message: str, wider: str
) -> None:
    """ "scary movies, not too scary for kids" listed Scream and Alien: Children's and Horror
    were either of them. Who a film is for qualifies the one kind named, as a compound does; the
    slice has no children's horror, and the reply says so and how to ask for more: either kind,
    or, where a child's age stands (it would hold for either), films not for kids."""
    result = assistant.turn(assistant.new_session(None), message)
    assert all({"Children's", "Horror"} <= set(p.item.tags) for p in result.picks)
    assert not result.picks and wider in result.message, result.message


def test_a_kind_asked_for_does_not_go_last_and_a_wish_alone_is_no_description(
    assistant: Assistant,
) -> None:
    """ "a good movie about the second world war, not too violent" said war films would come
    last, in a list of war films; "nothing too violent" alone found titles near "violent" (Getting
    Away With Murder). The kinds asked for are not among those that go last, and a wish for less
    of a quality describes no film to look for."""
    war = assistant.turn(assistant.new_session(None), "a war film, not too violent")
    assert "war films" not in war.message and war.picks, war.message
    alone = assistant.turn(assistant.new_session(None), "nothing too violent")
    assert "Nothing I know" not in alone.message and alone.picks, alone.message
