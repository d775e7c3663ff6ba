"""Who the films are for, and what starts a new topic. A child's age ("I'm 12") requires children's
films on that topic and the ones after, with whatever kind is named, until the user lets it go
("the kids are asleep", "start over"); before, "I'm 12" then "something funny" listed Heathers.
When and with whom the user watches is no description, and a person's films asked for are a new
topic."""

from __future__ import annotations

import pytest

from recassist.assistant.loosen import loosened
from recassist.assistant.parser import parse, unread
from recassist.assistant.replies import in_force
from recassist.assistant.session import SessionMemory
from recassist.retrieval.catalogue import Constraints

KIDS = "Children's"


@pytest.mark.parametrize(
    ("message", "audience"),
    [
        ("I'm 12, what should I watch?", [KIDS]),
        ("something funny for my 8 year old", [KIDS]),
        ("something for the kids", []),  # a kind of film asked for, this once
        ("something funny", []),
    ],
)
def test_a_childs_age_is_who_the_films_are_for(message: str, audience: list, tags) -> None:
    assert parse(message, tags).audience == audience


@pytest.mark.parametrize(
    "message",
    [
        "the kids are asleep, something scary",
        "the kids are in bed, a thriller",
        "forget the kids",
        "never mind the kids, a thriller",
        "any ideas for me and my wife?",
    ],
)
def test_saying_the_films_are_for_grown_ups_rules_childrens_films_out(message: str, tags) -> None:
    """ "the kids are asleep" was read as asking for children's films ("kids are")."""
    request = parse(message, tags)
    assert request.exclude_tags == [KIDS] and KIDS not in request.include_tags, request
    assert request.audience == []


def test_the_audience_stands_across_topics_until_let_go(tags) -> None:
    session = SessionMemory()
    session.apply(parse("I'm 12, what should I watch?", tags))
    assert session.constraints.all_tags == {KIDS}
    session.apply(parse("something funny", tags))  # a new topic: the kind is required with it
    assert (session.constraints.include_tags, session.constraints.all_tags) == ({"Comedy"}, {KIDS})
    session.apply(parse("something like Alien", tags))  # new titles to go by: it still stands
    assert session.constraints.all_tags == {KIDS}
    session.apply(parse("the kids are asleep, a thriller please", tags))
    assert session.constraints.audience == frozenset()
    assert session.constraints.all_tags == set() and KIDS in session.constraints.exclude_tags
    session.apply(parse("my daughter is 7", tags))
    session.apply(parse("start over", tags))
    assert session.constraints == Constraints()


def test_the_list_line_says_who_the_films_are_for(tags) -> None:
    session = SessionMemory()
    session.apply(parse("I'm 12", tags))
    session.apply(parse("something funny", tags))
    assert in_force([], session.constraints) == "for children, tagged Comedy"


def test_who_the_films_are_for_is_let_go_last(catalogue, tags) -> None:
    """ "I'm 12", then "something scary": no children's horror. Offering "children's or horror"
    would find nothing, as the age stands; saying the films are not for kids would. Two kinds
    named besides it are offered first, and then the age is kept."""
    session = SessionMemory()
    session.apply(parse("I'm 12", tags))
    session.apply(parse("something scary", tags))
    assert loosened(session, catalogue.items) == ["not for kids"]
    session.apply(parse("a sci-fi western", tags))
    assert loosened(session, catalogue.items) == ["sci-fi or western"]


@pytest.mark.parametrize(
    "message",
    [
        "un film drôle pour ce soir avec mes enfants",
        "una película divertida para ver con mis hijos",
        "um filme engraçado para ver com meus filhos",
        "un film divertente con i miei figli",
        "ein lustiger Film für meine Kinder",
    ],
)
def test_my_children_in_five_languages_are_who_the_films_are_for(message: str, tags) -> None:
    """ "avec mes enfants" was said back as 'No kind of film I know is named "mes"'; "con mis
    hijos" as "ver con mis hijos"."""
    request = parse(message, tags)
    assert {*request.include_tags, *request.all_tags} == {"Comedy", KIDS}, request
    assert unread(message, tags) == []  # nothing left to be said back as unused


@pytest.mark.parametrize(
    ("message", "when"),
    [
        ("a cozy movie for a snowy evening", "snowy evening"),
        ("a road trip movie with friends", "friends"),
        ("a heist movie to watch with my friends", "friends"),
        ("something for game night", "game night"),  # a date night is romantic comedies
    ],
)
def test_when_and_with_whom_the_user_watches_is_no_description(
    message: str, when: str, tags
) -> None:
    """ "a cozy movie for a snowy evening" said 'No kind of film I know is named "a snowy"'; "a
    road trip movie with friends" listed Toy Story, tagged "friends" on TMDb."""
    request = parse(message, tags)
    assert not set(when.split()) & set(unread(message, tags))
    assert when not in (request.mood or ""), request.mood


@pytest.mark.parametrize(
    ("message", "new"),
    [
        ("films directed by tarantino", True),
        ("anything by spielberg", True),
        ("the kids are asleep. films directed by tarantino", True),  # refines no more
        ("with harrison ford", False),  # narrows the last list
        ("only the ones with harrison ford", False),
    ],
)
def test_a_persons_films_asked_for_are_a_new_topic(message: str, new: bool, tags) -> None:
    """After "sci fi from the 80s", "films directed by tarantino" kept the sci-fi and the years,
    and said nothing of his fitted them."""
    session = SessionMemory()
    session.apply(parse("sci fi from the 80s", tags))
    request = parse(message, tags)
    session.apply(request)
    assert request.new_topic is new
    assert (session.constraints.include_tags == {"Sci-Fi"}) is not new
