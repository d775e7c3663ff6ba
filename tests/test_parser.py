"""The deterministic reading of chat turns, and the session rules it feeds."""

from __future__ import annotations

import pytest

from assistant.parser import parse
from assistant.request import Intent, TurnRequest
from assistant.session import SessionMemory
from assistant.tags import TagMatcher

TAGS = TagMatcher(["Action", "Animation", "Children's", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Western"])

CASES = {
    "something like Alien but funnier": dict(intent=Intent.recommend, seed_titles=["Alien"], include_tags=["Comedy"]),
    "not horror": dict(intent=Intent.refine, exclude_tags=["Horror"]),
    "nothing scary please": dict(intent=Intent.refine, exclude_tags=["Horror"]),
    "why this one?": dict(intent=Intent.explain, refers_to=None),
    "why the 2nd?": dict(intent=Intent.explain, refers_to=2),
    "more like the second one": dict(intent=Intent.more_like, refers_to=2),
    "I loved the first one": dict(intent=Intent.feedback, refers_to=1, feedback="like"),
    "not interested in the third": dict(intent=Intent.feedback, refers_to=3, feedback="dislike"),
    "give me 3 sci-fi movies from the 90s, no romance": dict(
        intent=Intent.recommend, include_tags=["Sci-Fi"], exclude_tags=["Romance"], year_min=1990, year_max=1999, count=3
    ),
    "something like Toy Story but for adults": dict(seed_titles=["Toy Story"], exclude_tags=["Children's"]),
    "only westerns before 1970": dict(intent=Intent.refine, include_tags=["Western"], year_max=1969),
    "find movies about space": dict(intent=Intent.search),
    'recommend something like "Heat" after 1990': dict(seed_titles=["Heat"], year_min=1991),
    # genre words in other languages are read by the parser, negations too ("drôle" is funny, not drama)
    "quelque chose comme Alien mais plus drôle": dict(include_tags=["Comedy"], exclude_tags=[]),
    "pas d'horreur": dict(exclude_tags=["Horror"]),
    "algo divertido, sin terror": dict(include_tags=["Comedy"], exclude_tags=["Horror"]),
    "etwas Lustiges, aber keine Romantik und kein Drama": dict(include_tags=["Comedy"], exclude_tags=["Drama"]),
}


@pytest.mark.parametrize("message", CASES, ids=list(CASES))
def test_parse(message: str) -> None:
    request = parse(message, TAGS)
    for field, expected in CASES[message].items():
        assert getattr(request, field) == expected, (field, request)


def test_tags_inside_a_named_title_are_not_constraints() -> None:
    request = parse('something like "Romance in Manhattan"', TAGS)
    assert request.seed_titles == ["Romance in Manhattan"] and request.include_tags == []


def test_session_rules() -> None:
    session = SessionMemory()
    first = session.apply(TurnRequest(include_tags=["Comedy"]))
    assert first.include_tags == {"Comedy"} and not first.exclude_tags
    session.record_shown(["a", "b", "c"])
    refined = session.apply(TurnRequest(intent=Intent.refine, exclude_tags=["Horror"], year_min=1990))
    assert refined.include_tags == {"Comedy"} and refined.exclude_tags == {"Horror"} and refined.year_min == 1990
    kept = session.apply(TurnRequest(intent=Intent.recommend))  # a new request without constraints keeps them
    assert kept == refined
    replaced = session.apply(TurnRequest(include_tags=["Drama"], year_min=1980, year_max=1989))
    assert replaced.include_tags == {"Drama"} and replaced.exclude_tags == {"Horror"} and replaced.year_max == 1989
    assert session.apply(TurnRequest(intent=Intent.refine, drop_years=True)).year_min is None
    lifted = session.apply(TurnRequest(intent=Intent.refine, allow_tags=["Horror"]))
    assert lifted.exclude_tags == frozenset() and lifted.include_tags == {"Drama"}
    assert session.apply(TurnRequest(intent=Intent.refine, drop_tags=["Drama"])).include_tags == frozenset()
    session.apply(TurnRequest(exclude_tags=["Horror"], include_tags=["Comedy"], year_min=1990))
    assert session.apply(TurnRequest(intent=Intent.refine, reset=True)) == type(first)()
    assert session.apply(TurnRequest(include_tags=["Horror"])).exclude_tags == frozenset()
    assert session.resolve(2) == "b" and session.resolve(-1) == "c" and session.resolve(None) == "a" and session.resolve(9) is None
    assert session.resolve(0) is None
    session.like("b")
    session.dislike("b")
    assert session.likes == [] and session.dislikes == ["b"]


@pytest.fixture(scope="module")
def title_spans(ml100k):
    """The real catalogue's title finder on MovieLens-100k (no vector store needed to find titles)."""
    from retrieval.catalogue import Catalogue

    return Catalogue(ml100k, store=None).title_spans


@pytest.mark.parametrize("message, seed", [
    ("something like The Last of the Mohicans", "The Last of the Mohicans"),
    ("I want Seven", "Seven"),
    ("anything like First Knight?", "First Knight"),
    ("more films like The Third Man please", "The Third Man"),
    ("like 2001: A Space Odyssey but newer", "2001: A Space Odyssey"),
])
def test_numbers_and_ordinals_inside_titles_are_titles(message: str, seed: str, title_spans) -> None:
    request = parse(message, TAGS, title_spans)
    assert request.seed_titles == [seed] and request.refers_to is None and request.year_min is None
    assert "count" not in request.model_fields_set


@pytest.mark.parametrize("message, fields", [
    ("why the last one?", dict(intent=Intent.explain, refers_to=-1)),
    ("I watched Alien last week, something similar", dict(refers_to=None, seed_titles=["Alien"])),
    ("movies from 3000", dict(year_min=3000, year_max=3000)),
    ("something before 1800", dict(year_max=1799)),
    ("more like number 0", dict(intent=Intent.more_like, refers_to=0)),
    ("more like the 99th one", dict(intent=Intent.more_like, refers_to=99, seed_titles=[])),
    ("actually horror is fine", dict(intent=Intent.refine, allow_tags=["Horror"], include_tags=[])),
    ("forget the 90s", dict(intent=Intent.refine, drop_years=True, year_min=None)),
    ("forget comedy", dict(intent=Intent.refine, drop_tags=["Comedy"], include_tags=[])),
    ("let's start over", dict(reset=True)),
])
def test_messages_that_once_ended_the_turn_give_valid_requests(message: str, fields: dict, title_spans) -> None:
    request = parse(message, TAGS, title_spans)
    for field, expected in fields.items():
        assert getattr(request, field) == expected, (field, request)


def test_many_exclusions_fit_the_request() -> None:
    many = TagMatcher([f"Tag{i}" for i in range(30)])
    request = parse("no " + ", no ".join(f"tag{i}" for i in range(30)), many)
    assert len(request.exclude_tags) == 30
