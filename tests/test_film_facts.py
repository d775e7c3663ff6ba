"""Questions about one film's people, length and year ("who directed fargo?", "how long is the
first one?", "who's in titanic?"), answered from Wikidata's credits and lengths on the real slice
with the real ML-100k sources, and never guessed where no source knows."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant
from recassist.assistant.film_facts import fact_note
from recassist.data.film_people import load_people
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.retrieval.catalogue import display_title
from recassist.retrieval.concept_graph import linked, load_credits
from recassist.retrieval.credits import Credits


def _item(assistant: Assistant, title: str):
    return assistant.catalogue.items[assistant.catalogue.exact_title(title)]


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("who directed fargo?", "Fargo (1996) was directed by Ethan Coen and Joel Coen."),
        ("Who is the director of Fargo", "Fargo (1996) was directed by Ethan Coen and Joel Coen."),
        (
            "qui a réalisé le parrain ?",
            "The Godfather (1972) was directed by Francis Ford Coppola.",
        ),
        ("how long is braveheart?", "Braveheart (1995) is 177 minutes long (2 h 57 min)."),
        ("cuánto dura titanic", "Titanic (1997) is 194 minutes long (3 h 14 min)."),
        ("when did star wars come out?", "Star Wars came out in 1977."),
        ("who wrote the usual suspects", "The Usual Suspects (1995) was written by Christopher"),
        ("who directed star wars", "Star Wars (1977) was directed by George Lucas."),
        ("who directed twelve monkeys", "Twelve Monkeys (1995) was directed by Terry Gilliam."),
        ("is toy story suitable for children", "Toy Story (1995) is rated G: for all ages."),
        (
            "can my kids watch jurassic park",
            "Jurassic Park (1993) is rated PG-13: some of it may not suit children under 13.",
        ),
        (
            "how many oscars did titanic win",
            'Titanic (1997): "Won 8 Oscars. Nominated for 11 Oscars.", as OMDb lists them.',
        ),
    ],
)
def test_a_question_about_a_film_is_answered_first(
    described_assistant: Assistant, message: str, answer: str
) -> None:
    """The fact asked comes first, then a list like the film; no name the credits lack."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message.startswith(answer), result.message
    assert result.picks and "not the people's names" not in result.message


def test_a_cast_is_named_best_known_first(described_assistant: Assistant) -> None:
    """Wikidata lists a cast by name; the reply names the famous leads first (Titanic's 51
    credited begin with Anatoly Sagalevich), and the films that share its cast come first."""
    result = described_assistant.turn(described_assistant.new_session(None), "who's in titanic")
    named = result.message.removeprefix("The cast of Titanic (1997) includes ").split(", ")
    assert set(named[:2]) == {"Leonardo DiCaprio", "Kate Winslet"}, result.message
    assert "(51 credited)" in result.message
    assert result.picks[0].reasons[0].kind == "shared_cast", result.picks[0].reasons


def test_a_question_about_a_film_shown_is_about_that_film(described_assistant: Assistant) -> None:
    """ "who directed the first one?" after a list names the first pick's director: it is no
    thumbs up ("Noted: you liked..."). "how long is it?" and "is it ok for kids?" are then about
    that film."""
    assistant = described_assistant
    session = assistant.new_session(None)
    first = assistant.turn(session, "more like fargo").picks[0].item
    directors = assistant.catalogue.credits.of(first.item_id, "director")
    result = assistant.turn(session, "who directed the first one?")
    assert directors and result.message.startswith(f"{display_title(first.title)} was directed by")
    assert all(name in result.message for name in directors), result.message
    assert not result.message.startswith("Noted") and first.item_id not in session.likes
    again = assistant.turn(session, "how long is it?")
    assert again.message.startswith(f"{display_title(first.title)} is {first.minutes} minutes")
    rated = assistant.catalogue.credits.films[first.item_id].rating
    kids = assistant.turn(session, "is it ok for kids?")
    assert rated and kids.message.startswith(f"{display_title(first.title)} is rated {rated}: ")


def test_more_from_a_director_names_them(described_assistant: Assistant) -> None:
    """ "more from the director of alien": the credits name him, so the reply does not say the
    people's names are unknown, and his other film comes first."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "more from the director of alien"
    )
    assert result.message.startswith(
        "More films directed by Ridley Scott, as Alien (1979) was, come first."
    ), result.message
    assert result.picks[0].item.title == "Blade Runner (1982)"


def test_what_no_source_knows_is_said_unknown(described_assistant: Assistant) -> None:
    """A film the credits do not link has no director named, and no length is made up."""
    item = _item(described_assistant, "fargo")
    unknown = item.__class__(item.item_id, item.title, item.tags, item.year, None)
    assert fact_note(item, "director", Credits({})) == "I don't know who directed Fargo (1996)."
    assert fact_note(unknown, "length", Credits({})) == "I don't know how long Fargo (1996) is."


def test_a_question_with_no_title_is_no_film_question(described_assistant: Assistant) -> None:
    """ "who is in the mood for a comedy": the form fits, but no film is named; it is read as a
    request as before, and no cast is claimed."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "who is in the mood for a comedy"
    )
    assert "cast" not in result.message and result.request.about is None
    assert result.picks and all("Comedy" in p.item.tags for p in result.picks)


def test_credits_link_films_the_graph_misses(settings, ml100k) -> None:
    """On the whole of ML-100k: Titanic's cast is known by name, and the films sharing it include
    The Basketball Diaries (Leonardo DiCaprio), which the Freebase graph does not link to it."""
    credits = load_credits(ml100k, load_people(settings.data_dir, "ml-100k"))
    titles = dict(zip(ml100k.items["title"], ml100k.items["item_id"].astype(str)))
    titanic, diaries = (
        titles["Titanic (1997)"],
        titles["Basketball Diaries, The (1995)"],
    )
    assert credits.of(titanic, "cast")[:2] == ("Leonardo DiCaprio", "Kate Winslet")
    assert credits.sharing(titanic, "shared_cast")[diaries] >= 1
    assert not credits.sharing(titanic, "sequel")


def test_a_relation_is_explained_by_its_people(described_assistant: Assistant) -> None:
    """ "more from the director of alien": Blade Runner's evidence names Ridley Scott (the credits
    of both films), and its explanation and its "why" say him, not "the same director"."""
    assistant = described_assistant
    session = assistant.new_session(None)
    first = assistant.turn(session, "more from the director of alien").picks[0]
    assert first.reasons[0].kind == "same_director" and first.reasons[0].people == ("Ridley Scott",)
    assert (
        "Ridley Scott" in first.explanation.text and "same director" not in first.explanation.text
    )
    why = assistant.turn(session, "why the first one?")
    assert "it is directed by Ridley Scott, as Alien (1979) is" in why.message, why.message


def test_named_people_are_evidence_to_the_check(described_assistant: Assistant) -> None:
    """The check takes the people a relation names as its evidence: citing them cites it; a
    relation with no people named words itself as before."""
    from recassist.grounding.evidence import Reason, phrase, prompt_line, template_explanation

    catalogue = described_assistant.catalogue
    alien, blade = _item(described_assistant, "alien"), _item(described_assistant, "blade runner")
    named = Reason("same_director", alien.title, alien, people=("Ridley Scott",))
    plain = Reason("same_director", alien.title, alien)
    assert prompt_line(named) == "made by the same director (Ridley Scott) as: Alien (1979)"
    assert phrase(plain) == "it has the same director as Alien (1979)"
    assert "Ridley Scott" in template_explanation(blade, [named], 0)
    checker = FaithfulnessChecker([i.title for i in catalogue.items.values()], catalogue.tag_names)
    said = "Ridley Scott directed both, and Blade Runner is a sci-fi film."
    assert checker.check(said, blade, [named]) == [], checker.check(said, blade, [named])
    assert "cites none of its evidence" in checker.check(said, blade, [plain])
    assert catalogue.credits.shared(blade.item_id, alien.item_id, "same_director") == (
        "Ridley Scott",
    )


def test_the_same_question_follows_on_and_may_leave_out_the_film(
    described_assistant: Assistant,
) -> None:
    """ "who directed it?", then "and the second one?": the same question of the second pick
    (it was a "why"); "who's the director?" alone is of the film shown."""
    assistant = described_assistant
    session = assistant.new_session(None)
    assistant.turn(session, "more like fargo")
    assistant.turn(session, "who directed it?")
    second = assistant.catalogue.items[session.last_shown[1]]
    answer = fact_note(second, "director", assistant.catalogue.credits)  # known or not
    result = assistant.turn(session, "and the second one?")
    assert result.message.startswith(answer) and "Why" not in result.message, result.message
    again = assistant.turn(session, "who's the director?")
    assert again.message.startswith(answer), again.message


@pytest.mark.parametrize("message", ["who directed it?", "how long is the first one?"])
def test_a_question_about_a_film_never_shown_asks_which(
    described_assistant: Assistant, message: str
) -> None:
    """A first message that asks about "it" or "the first one" gets the question back, not a
    list of what is popular or of films whose titles share its words."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert not result.picks and "have not shown you a list yet" in result.message, result.message


def test_other_lists_titles_link_by_their_parts_and_numbers() -> None:
    """Wikidata's "Star Wars: Episode V – The Empire Strikes Back" and "12 Monkeys" are the
    catalogue's films, by the title's last part and its number in words; a title's main part
    never takes a film another title names whole (a sequel is not its original)."""
    titles = {
        "1": "Empire Strikes Back, The (1980)",
        "2": "Twelve Monkeys (1995)",
        "3": "Air Bud (1997)",
        "4": "Star Wars (1977)",
    }
    films = [
        ("Star Wars: Episode V – The Empire Strikes Back", 1980),
        ("12 Monkeys", 1995),
        ("Air Bud", 1997),
        ("Air Bud: Golden Receiver", 1998),
        ("Star Wars: Episode IV – A New Hope", 1977),
    ]
    assert linked(films, titles) == ["1", "2", "3", None, "4"]


def test_a_cast_of_little_known_actors_gives_way_to_who_liked_both(settings, ml100k) -> None:
    """The Godfather and GoodFellas share only Nick Vallelonga (a few films here): with people who
    liked both to say, the shared cast is left out; Donnie Brasco's Al Pacino stays."""
    from recassist.assistant.related import with_people
    from recassist.grounding.evidence import Reason
    from recassist.retrieval.catalogue import Catalogue

    credits = load_credits(ml100k, load_people(settings.data_dir, "ml-100k"))
    items = Catalogue(ml100k, store=None).items
    by_title = {item.title: item for item in items.values()}
    godfather = by_title["Godfather, The (1972)"]
    liked = Reason("co_liked", godfather.title, godfather, count=124)
    cast = Reason("shared_cast", godfather.title, godfather)
    goodfellas = by_title["GoodFellas (1990)"].item_id
    assert [r.kind for r in with_people([cast, liked], goodfellas, credits)] == ["co_liked"]
    assert [r.kind for r in with_people([cast], goodfellas, credits)] == ["shared_cast"]
    brasco = with_people([cast, liked], by_title["Donnie Brasco (1997)"].item_id, credits)
    assert brasco[0].people[:1] == ("Al Pacino",) and len(brasco) == 2
