"""What people ask of a list and rule out of it, as they type it, on the real slice with its
concepts, synopses, credits and TMDb's films, read by the parser alone: which film shown is the
longest or oldest, a series or a person ruled out ("anything with harrison ford that isn't star
wars", "westerns other than clint eastwood ones"), and a person's films run out."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("question", "field", "most", "word"),
    [
        ("which one is the longest?", "minutes", max, "longest"),
        ("which is the shortest", "minutes", min, "shortest"),
        ("¿cuál es la más antigua?", "year", min, "oldest"),
        ("and the newest?", "year", max, "newest"),
    ],
)
def test_which_of_the_list_is_longest_or_oldest(
    described_assistant: Assistant, question: str, field: str, most, word: str
) -> None:
    """ "which one is the longest?" after a list searched the films' descriptions for "one is the
    longest" (Highlander: "He is immortal"). It names the film of the list with the most or
    least of the length or year, and the other end, and shows no new list."""
    session = described_assistant.new_session(None)
    shown = described_assistant.turn(session, "recommend some comedies").picks
    answer = described_assistant.turn(session, question)
    known = [p.item for p in shown if getattr(p.item, field)]
    expected = most(known, key=lambda i: getattr(i, field))
    assert answer.message.startswith(f"Of the {len(shown)} I showed, "), answer.message
    assert f" is the {word}" in answer.message
    assert len(answer.picks) == 1 and getattr(answer.picks[0].item, field) == getattr(
        expected, field
    )
    assert session.last_shown == [p.item.item_id for p in shown]  # the list stays


def test_a_series_ruled_out_rules_out_its_sequels(described_assistant: Assistant) -> None:
    """ "anything with harrison ford that isn't star wars" ruled out the kind War ("with no War")
    and showed The Empire Strikes Back and Return of the Jedi. Now the three films are ruled out,
    and said so, and the genre War is not."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "anything with harrison ford that isn't star wars"
    )
    assert "War" not in result.request.exclude_tags
    titles = {p.item.title for p in result.picks}
    series = {"Star Wars (1977)", "Empire Strikes Back, The (1980)", "Return of the Jedi (1983)"}
    assert result.picks and not titles & series, titles
    assert "Noted: not Star Wars (1977), The Empire Strikes Back (1980)" in result.message


def test_a_later_film_ruled_out_leaves_its_series(described_assistant: Assistant) -> None:
    """ "like alien but not aliens": Aliens alone is ruled out; Alien is still what the list is
    like."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "like alien but not aliens"
    )
    assert result.message.startswith("Noted: not Aliens (1986). "), result.message
    assert "like Alien (1979)" in result.message


@pytest.mark.parametrize(
    "message", ["westerns other than clint eastwood ones", "anything apart from clint eastwood"]
)
def test_a_person_other_than_is_ruled_out(described_assistant: Assistant, message: str) -> None:
    """ "westerns other than clint eastwood ones" listed Unforgiven and The Good, the Bad and the
    Ugly first: "other than" ruled nothing out."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.request.exclude_people == ["clint eastwood"] and not result.request.people
    catalogue = described_assistant.catalogue
    _, his = catalogue.films_of("clint eastwood")
    assert result.picks and not {p.item.item_id for p in result.picks} & his


def test_a_name_ends_before_the_film_ruled_out(described_assistant: Assistant) -> None:
    """ "movies directed by spielberg except jurassic park": the person was read as "spielberg
    except jurassic", and the reply said "No kind of film I know is named 'park'"."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "movies directed by spielberg except jurassic park"
    )
    assert result.request.people == ["spielberg"]
    assert "park" not in result.message.lower().replace("jurassic park", "")
    assert result.picks and all("Jurassic" not in p.item.title for p in result.picks)


def test_a_persons_films_run_out_into_films_liked_beside_them(
    described_assistant: Assistant,
) -> None:
    """ "more" after Tom Cruise's films filled the list with films whose descriptions hold his
    name's words (Speed 2: Cruise Control). A name is no description: the last of his films come
    first, said to be all there are, then films liked by those who liked his, each with that
    count."""
    session = described_assistant.new_session(None)
    _, his = described_assistant.catalogue.films_of("tom cruise")
    turns = [described_assistant.turn(session, "movies with tom cruise")]
    for _ in range(3):
        turns.append(described_assistant.turn(session, "more"))
        if not all(p.item.item_id in his for p in turns[-1].picks):
            break
    last = turns[-1]
    theirs = [p.item.item_id in his for p in last.picks]
    assert len(last.picks) == 5 and not all(theirs), [t.message for t in turns]
    assert theirs == sorted(theirs, reverse=True), theirs  # his first
    few = ("films with Tom Cruise: the only", "film with Tom Cruise: the", "no more films with Tom")
    assert any(note in last.message for note in few), last.message
    others = [p for p, own in zip(last.picks, theirs) if not own]
    kinds = {r.kind for p in others for r in p.reasons[:1]}
    assert kinds <= {"co_liked", "same_director", "same_writer", "shared_cast"}, kinds


@pytest.mark.parametrize(
    ("message", "unread"),
    [
        ("animated movies for kids under 10", "under"),
        ("una película de acción con mucho suspenso", "mucho"),
        ("something light, i had a rough day", "rough day"),
        ("a good movie to fall asleep to", "asleep"),
    ],
)
def test_what_people_say_around_a_want_is_read(
    described_assistant: Assistant, message: str, unread: str
) -> None:
    """Words said beside a want were named back as unused ("No kind of film I know is named
    'under'") or searched in descriptions: a child's age, a Spanish "mucho", a rough day, a film
    to fall asleep to (a comfort film)."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.picks and f'"{unread}' not in result.message, result.message
    assert "descriptions" not in result.message, result.message


@pytest.mark.parametrize(
    ("message", "tag"),
    [
        ("my husband doesn't like horror", "Horror"),
        ("comedies, but my kid hates westerns", "Western"),
    ],
)
def test_someone_elses_dislike_rules_a_kind_out(
    described_assistant: Assistant, message: str, tag: str
) -> None:
    """ "my husband doesn't like horror" listed horror films: "doesn't" and "hates" ruled nothing
    out."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert tag in result.request.exclude_tags and tag not in result.request.include_tags
    assert result.picks and not any(tag in p.item.tags for p in result.picks)


@pytest.mark.parametrize("message", ["my wife hates violence, we want a comedy", "i hate violence"])
def test_hating_a_quality_asks_for_less_of_it(described_assistant: Assistant, message: str) -> None:
    """ "my wife hates violence" said "hates" was unused and listed comedies TMDb tags "violence";
    "i hate violence" was a thumbs down on a film called "violence", said back unused. Both ask
    for the least violent first."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.request.milder and result.message.startswith('For "'), result.message
    assert "didn't use" not in result.message and result.picks
    assert not any("violence" in r.label for p in result.picks for r in p.reasons)


@pytest.mark.parametrize(
    ("message", "expected"),
    [("stars wars", "like Star Wars (1977)"), ("romantic comdies", "tagged Comedy and Romance")],
)
def test_two_words_misspelt_are_read(
    described_assistant: Assistant, message: str, expected: str
) -> None:
    """ "stars wars" was a list of war films ("stars" unused); "romantic comdies" said "comdies"
    was no kind of film, since it is as near the French "comédies" as "comedies"."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert expected in result.message and "descriptions" not in result.message, result.message


def test_a_film_to_watch_with_parents_is_family_friendly(described_assistant: Assistant) -> None:
    """ "what's a good movie to watch with my parents" was all words of asking: the most popular
    films (Fargo third). It asks for films the whole family can watch."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "what's a good movie to watch with my parents"
    )
    assert result.picks and all("family-friendly" in p.explanation.text for p in result.picks), [
        p.explanation.text for p in result.picks
    ]


def test_a_count_after_first_names_no_series(described_assistant: Assistant) -> None:
    """ "the first two" with no list shown was a list like the earliest film with "two" in its
    title ("The earliest "two" title in the catalogue is ..."): a count is no series' name."""
    result = described_assistant.turn(described_assistant.new_session(None), "the first two")
    assert "title in the catalogue is" not in result.message, result.message
    assert not result.request.series and not result.request.seed_titles
