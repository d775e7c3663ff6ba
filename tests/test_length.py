"""Film length: the lengths the two sources give, read and checked; the bound a message asks, in
six languages; the filter, which leaves out films of unknown length and says how many; the bound
standing across turns until "any length"; the list line saying it; an explanation stating only
the film's own length."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recassist.assistant.parser import parse
from recassist.assistant.replies import in_force
from recassist.assistant.session import SessionMemory
from recassist.data.film_keywords import load_keywords, read_keywords
from recassist.data.film_people import load_people, read_people
from recassist.errors import InputFileError
from recassist.grounding.evidence import Reason
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.language.tags import TagMatcher
from recassist.retrieval.catalogue import Constraints, Item
from recassist.retrieval.concept_graph import load_lengths

TAGS = TagMatcher(["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "War", "Thriller"])


@pytest.fixture(scope="module")
def lengths(ml100k, settings) -> dict[str, int]:
    return load_lengths(
        ml100k,
        load_people(settings.data_dir, "ml-100k"),
        load_keywords(settings.data_dir, "ml-100k"),
    )


def test_each_source_gives_lengths_and_wikidata_comes_first(ml100k, settings, lengths) -> None:
    """Wikidata's `Runtime` links 1,344 of ML-100k's films, TMDb's `runtime` 14 more; where both
    know a film, Wikidata's is kept."""
    people = load_people(settings.data_dir, "ml-100k")
    keywords = load_keywords(settings.data_dir, "ml-100k")
    wikidata, tmdb = load_lengths(ml100k, people), load_lengths(ml100k, None, keywords)
    assert (len(wikidata), len(set(tmdb) - set(wikidata)), len(lengths)) == (1344, 14, 1358)
    assert all(lengths[i] == m for i, m in wikidata.items())
    by_title = dict(zip(ml100k.items["title"], ml100k.items["item_id"].astype(str)))
    assert lengths[by_title["Toy Story (1995)"]] == 80
    assert lengths[by_title["Schindler's List (1993)"]] == 195


def _omdb(path: Path, runtimes: list, ratings: list | None = None) -> Path:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE omdb (Title, Year, Director, Writer, Cast, Runtime, Rating, Awards)"
        )
        for n, runtime in enumerate(runtimes):
            rating = ratings[n] if ratings else "PG"
            db.execute(
                "INSERT INTO omdb VALUES (?, 1995, 'A B', 'C D', 'E F', ?, ?, NULL)",
                (f"F{n}", runtime, rating),
            )
    return path


def test_a_malformed_rating_names_its_file_row_and_field(tmp_path: Path) -> None:
    """A rating that is no text (a number where "PG-13" stands) is named, row and field; an
    empty one is not known."""
    path = _omdb(tmp_path / "people.db", [98.0, 90.0], ["", 13])
    with pytest.raises(InputFileError) as err:
        read_people(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, "Rating")
    path = _omdb(tmp_path / "fine.db", [98.0, 90.0], ["", "R"])
    assert [f.rating for f in read_people(path)] == [None, "R"]


@pytest.mark.parametrize("bad", ["long", -5, "-1"])
def test_a_malformed_runtime_names_its_file_row_and_field(tmp_path: Path, bad) -> None:
    path = _omdb(tmp_path / "people.db", [98.0, bad])
    with pytest.raises(InputFileError) as err:
        read_people(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, "Runtime")
    csv = tmp_path / "movies.csv"
    csv.write_text(
        f"title,release_date,keywords,runtime\nHeat,1995-12-15,[],170\nX,1995,[],{bad}\n"
    )
    with pytest.raises(InputFileError) as err:
        read_keywords(csv)
    assert (err.value.file, err.value.row, err.value.field) == (str(csv), 2, "runtime")


def test_no_length_or_zero_is_unknown(tmp_path: Path) -> None:
    path = _omdb(tmp_path / "people.db", [None, 0.0, 89.6])
    assert [f.minutes for f in read_people(path)] == [None, None, 90]
    csv = tmp_path / "movies.csv"
    csv.write_text("title,release_date,keywords,runtime\nA,1995,[],\nB,1995,[],0\nC,1995,[],95.0\n")
    assert [f.minutes for f in read_keywords(csv)] == [None, None, 95]


@pytest.mark.parametrize(
    ("message", "least", "most"),
    [
        ("something short tonight, under 90 minutes, funny", None, 90),
        ("less than two hours", None, 120),
        ("no longer than 100 min", None, 100),
        ("under 2h", None, 120),
        ("an hour and a half at most", None, 90),
        ("something short", None, 95),
        ("a short film", None, 95),
        ("not too long", None, 120),
        ("nothing over two hours", None, 120),
        ("a long epic", 150, None),
        ("over 2.5 hours", 150, None),
        ("two and a half hours or more", 150, None),
        ("I have 90min", None, 90),
        ("1h30 max", None, 90),
        ("a 95-minute comedy", None, 95),
        ("une comédie pas trop longue", None, 120),
        ("moins de deux heures", None, 120),
        ("algo corta", None, 95),
        ("menos de una hora y media", None, 90),
        ("etwas nicht zu lang", None, 120),
        ("weniger als 100 Minuten", None, 100),
        ("un film non troppo lungo", None, 120),
        ("un'ora e mezza al massimo", None, 90),
        ("um filme curto", None, 95),
        ("how long is fargo?", None, None),
        ("a long time ago", None, None),
        ("something to watch after a long day at work", None, None),
        ("a long weekend ahead, any ideas", None, None),
        ("something long and epic", 150, None),
        ("a very long film", 150, None),
        ("wait a minute", None, None),
        # English words a length word of another language is spelt as: no length
        ("films about kings and queens and royal courts", None, None),
        ("a thriller based on a short story", None, None),
        ("un film court et drôle", None, 95),
    ],
)
def test_the_parser_reads_the_length_asked(message: str, least, most) -> None:
    request = parse(message, TAGS)
    assert (request.minutes_min, request.minutes_max) == (least, most), message


def test_a_length_is_read_whole_and_left_out_of_the_words() -> None:
    """ "more than 2 hours" is no "more please", "no longer than" no "forget", and the length is
    no description for the embedder; "any length" and "forget the length" let go of it."""
    request = parse("a comedy, no longer than 100 min", TAGS)
    assert (request.minutes_max, request.drop_length, request.include_tags) == (
        100,
        False,
        ["Comedy"],
    )
    assert "minutes" not in (parse("something funny under 90 minutes", TAGS).mood or "")
    assert parse("more than 2 hours", TAGS).minutes_min == 120
    for message in ("any length", "forget the length", "peu importe la durée"):
        assert parse(message, TAGS).drop_length, message
    assert not parse("forget the length", TAGS).drop_seeds
    assert parse("something longer", TAGS).than == "longer"


def test_the_filter_leaves_out_unknown_lengths() -> None:
    short = Constraints(minutes_max=90)
    known, long, unknown = (
        Item("1", "A (1995)", (), 1995, 85),
        Item("2", "B", (), 1995, 130),
        Item("3", "C"),
    )
    assert short.allows(known) and not short.allows(long) and not short.allows(unknown)
    assert Constraints(minutes_min=120).allows(long) and not Constraints(minutes_min=120).allows(
        known
    )
    assert Constraints().allows(unknown)  # no bound, no question asked
    assert short.where() is None  # the vector store holds no lengths: checked after it
    assert not short.any_length().length_bound


def test_the_bound_stands_across_turns_until_any_length() -> None:
    session = SessionMemory()
    session.apply(parse("something funny under 90 minutes", TAGS))
    assert session.constraints.minutes_max == 90
    session.apply(parse("a horror movie instead", TAGS))  # a new kind: the time stays
    assert session.constraints.minutes_max == 90
    session.apply(parse("something like Alien", TAGS))  # a new topic: the time stays
    assert session.constraints.minutes_max == 90
    session.apply(parse("at least an hour", TAGS))  # the other side: both hold
    assert (session.constraints.minutes_min, session.constraints.minutes_max) == (60, 90)
    session.apply(parse("a long film", TAGS))  # cannot hold with "under 90": the new side wins
    assert (session.constraints.minutes_min, session.constraints.minutes_max) == (150, None)
    session.apply(parse("any length", TAGS))
    assert not session.constraints.length_bound
    session.apply(parse("not too long", TAGS))
    session.apply(parse("start over", TAGS))
    assert not session.constraints.length_bound


def test_the_list_line_says_the_bound() -> None:
    assert in_force([], Constraints(minutes_max=90)) == "at most 90 minutes long"
    assert in_force([], Constraints(minutes_min=150)) == "at least 150 minutes long"
    line = in_force([], Constraints(frozenset({"Comedy"}), minutes_min=60, minutes_max=120))
    assert line == "tagged Comedy, 60 to 120 minutes long"


def test_an_explanation_states_only_the_films_own_length() -> None:
    checker = FaithfulnessChecker(["Toy Story (1995)"], ["comedy"])
    item = Item("1", "Toy Story (1995)", ("Comedy",), 1995, 80)
    reasons = [Reason("requested", "a comedy")]
    assert not checker.check(
        "Toy Story (1995) is a comedy, as you asked, 80 minutes long.", item, reasons
    )
    problems = checker.check(
        "Toy Story (1995) is a comedy, as you asked, 95 minutes long.", item, reasons
    )
    assert any("length of 95 minutes" in p for p in problems)
    unknown = Item("1", "Toy Story (1995)", ("Comedy",), 1995)
    assert checker.check(
        "Toy Story (1995) is a comedy, as you asked, 80 minutes long.", unknown, reasons
    )


def test_left_out_counts_only_unknown_lengths_that_would_have_ranked(described_assistant) -> None:
    """ "Left out: 327 films that may fit" followed every list with a bound: every film of
    unknown length was counted, however far from what was asked. Only those that scored at
    least the last pick count."""
    catalogue = described_assistant.catalogue
    unknown = [i for i, item in catalogue.items.items() if item.minutes is None][:2]
    known = next(i for i, item in catalogue.items.items() if item.minutes)
    assert len(unknown) == 2
    scores = {unknown[0]: 0.9, unknown[1]: 0.1, known: 0.5}
    bound = Constraints(minutes_max=90)
    assert catalogue.unknown_length(bound, scores, 0.5) == 1
    assert catalogue.unknown_length(Constraints(), scores, 0.0) == 0  # no bound, nothing left out


def test_a_conversation_keeps_the_length_until_any_length(described_assistant) -> None:
    """The real chat on ML-100k's most rated films: every pick is within the bound, by its real
    length, the list line says the bound, a new kind of film keeps it, and "any length" lets it
    go; "something longer" is longer than the last list."""
    chat = described_assistant
    session = chat.new_session(None)
    first = chat.turn(session, "something short tonight, under 90 minutes, funny")
    assert first.picks and all(p.item.minutes and p.item.minutes <= 90 for p in first.picks)
    assert all("Comedy" in p.item.tags for p in first.picks)
    assert "at most 90 minutes long" in first.message and "didn't use" not in first.message
    assert all(p.card().minutes == p.item.minutes for p in first.picks)
    second = chat.turn(session, "what about a musical?")
    assert second.picks and all(p.item.minutes and p.item.minutes <= 90 for p in second.picks)
    assert "at most 90 minutes long" in second.message
    longest = max(p.item.minutes for p in second.picks)
    third = chat.turn(session, "something longer")
    assert session.constraints.minutes_max is None and session.constraints.minutes_min <= longest
    assert third.picks and all(
        p.item.minutes >= session.constraints.minutes_min for p in third.picks
    )
    chat.turn(session, "any length")
    assert not session.constraints.length_bound


def test_shorter_than_a_film_named_is_shorter_than_it(described_assistant) -> None:
    """ "Loved Fargo! Anything similar but shorter?" with no list shown: "shorter" was dropped,
    unsaid; it is shorter than Fargo (98 minutes), as "older" is older than it."""
    chat = described_assistant
    fargo = chat.catalogue.items[chat.catalogue.exact_title("fargo")]
    result = chat.turn(chat.new_session(None), "Loved Fargo! Anything similar but shorter?")
    assert f"like Fargo (1996), at most {fargo.minutes - 1} minutes long" in result.message
    assert result.picks and all(p.item.minutes < fargo.minutes for p in result.picks)


def test_nothing_left_says_any_length(described_assistant) -> None:
    """When the bound leaves nothing, the reply says what would find more."""
    session = described_assistant.new_session(None)
    answer = described_assistant.turn(session, "a war film under 40 minutes")
    assert not answer.picks and '"any length"' in answer.message


def test_a_card_shows_the_films_own_length() -> None:
    from recassist.assistant.ranking import Pick
    from recassist.surfaces.cards import render

    card = Pick(Item("1", "Toy Story (1995)", ("Comedy",), 1995, 80), 1.0, []).card()
    assert card.minutes == 80 and "Comedy · 1995 · 80 min" in render("Here.", [card], {})
    unknown = Pick(Item("2", "Heat (1995)", ("Crime",), 1995), 1.0, []).card()
    assert unknown.minutes is None and " min" not in render("Here.", [unknown], {})
