"""People ruled out in a chat ("comedies without jim carrey", "I hate tom cruise"): their films
are left out of every list until the user names them as wanted, on the real slice with the
people Wikidata credits."""

from __future__ import annotations

from recassist.assistant.agent import Assistant


def test_a_person_ruled_out_stays_out_until_wanted(described_assistant: Assistant) -> None:
    """The films of a person ruled out are in no list, the line above each list says so, a later
    turn keeps it, and "jim carrey movies then" lifts it."""
    films = described_assistant.catalogue.films_of("jim carrey")
    assert films is not None and films[1]
    session = described_assistant.new_session(None)
    first = described_assistant.turn(session, "comedies without jim carrey")
    again = described_assistant.turn(session, "more please")
    for result in (first, again):
        assert "nothing with Jim Carrey" in result.message, result.message
        assert result.picks and not {p.item.item_id for p in result.picks} & films[1]
    lifted = described_assistant.turn(session, "ok, jim carrey comedies then")
    assert "nothing with Jim Carrey" not in lifted.message
    assert {p.item.item_id for p in lifted.picks} & films[1], lifted.message


def test_a_dislike_of_a_person_rules_them_out(described_assistant: Assistant) -> None:
    """ "I hate tom cruise. any good thrillers?" was a thumbs down on a film called "tom
    cruise", said back unused, and his thrillers could still come."""
    result = described_assistant.turn(
        described_assistant.new_session(None), "I hate tom cruise. any good thrillers?"
    )
    films = described_assistant.catalogue.films_of("tom cruise")
    assert films is not None and "nothing with Tom Cruise" in result.message, result.message
    assert result.picks and not {p.item.item_id for p in result.picks} & films[1]
