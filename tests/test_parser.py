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
    fresh = session.apply(TurnRequest(intent=Intent.recommend))
    assert fresh.exclude_tags == {"Horror"} and not fresh.include_tags and fresh.year_min is None
    assert session.apply(TurnRequest(include_tags=["Horror"])).exclude_tags == frozenset()
    assert session.resolve(2) == "b" and session.resolve(-1) == "c" and session.resolve(None) == "a" and session.resolve(9) is None
    session.like("b")
    session.dislike("b")
    assert session.likes == [] and session.dislikes == ["b"]
