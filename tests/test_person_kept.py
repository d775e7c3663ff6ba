"""The person a list went by stays for a follow-up that names nobody ("films by hitchcock", then
"only from the 50s", "the best one"), on the real slice with ML-100k's credits, read by the parser
alone; and the note on a person's few films names the role asked for."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


def _directed_by(assistant: Assistant, name: str) -> set[str]:
    index = assistant.catalogue.concepts
    return {
        i for c in index.concepts if c.kind == "director" and c.names[0] == name for i in c.members
    }


@pytest.mark.parametrize("follow_up", ["only from the 50s", "the best one"])
def test_a_follow_up_keeps_the_director(described_assistant: Assistant, follow_up: str) -> None:
    """Before: "only from the 50s" after three Hitchcock films listed The Bridge on the River
    Kwai, The African Queen and Singin' in the Rain; "the best one" the catalogue's best."""
    session = described_assistant.new_session(None)
    first = described_assistant.turn(session, "3 films by hitchcock")
    hitchcock = _directed_by(described_assistant, "Alfred Hitchcock")
    assert {p.item.item_id for p in first.picks} <= hitchcock
    result = described_assistant.turn(session, follow_up)
    assert result.request.people == ["hitchcock"], result.request
    assert result.picks and result.picks[0].item.item_id in hitchcock, result.message
    assert "Alfred Hitchcock" in result.message or all(
        p.item.item_id in hitchcock for p in result.picks
    )


def test_a_new_person_replaces_the_last(described_assistant: Assistant) -> None:
    """ "anything with tom hanks", then "now something with meg ryan": hers, not both."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "anything with tom hanks")
    result = described_assistant.turn(session, "now something with meg ryan")
    assert result.request.people == ["meg ryan"]


def test_the_note_on_a_person_s_films_names_the_role_asked(described_assistant: Assistant) -> None:
    """ "anything with tom hanks", then "only comedies": the slice has no comedy of his left to
    show; the note says "a film with Tom Hanks", as asked (it said "directed by Tom Hanks,
    written by Tom Hanks or a film with Tom Hanks": he directed and wrote That Thing You Do!)."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "anything with tom hanks")
    result = described_assistant.turn(session, "only comedies")
    assert "with Tom Hanks" in result.message, result.message
    assert "directed by Tom Hanks" not in result.message and "written by" not in result.message
