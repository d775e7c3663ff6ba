"""The chat's "surprise me" cue on the real slice: the list's average popularity drops, and the
reply says so, in the constraint line and with both figures, which are the list's real ones."""

from __future__ import annotations

import re

import pytest

from recassist.assistant.agent import Assistant


@pytest.fixture(scope="module")
def parser_only(slice_assistant: Assistant) -> Assistant:
    """The slice's assistant planned by the parser alone, with template explanations (exact)."""
    config = slice_assistant.config.model_copy(
        update={"llm_planner": False, "explain_with_llm": False}
    )
    return Assistant(slice_assistant.catalogue, slice_assistant.serving, None, config)


def test_surprise_me_lowers_the_lists_popularity_and_says_so(parser_only: Assistant) -> None:
    assistant = parser_only
    session = assistant.new_session(None)
    usual = assistant.turn(session, "some dramas")
    surprise = assistant.turn(session, "surprise me")
    assert "tagged Drama, less mainstream" in surprise.message, surprise.message
    assert surprise.picks and all("Drama" in p.item.tags for p in surprise.picks)
    note = re.search(
        r"watched by ([\d.]+)% of users on average; the usual picks, by ([\d.]+)%", surprise.message
    )
    assert note, surprise.message
    shown, before = (float(value) / 100 for value in note.groups())
    assert shown < before
    popularity = assistant.mainstream.popularity
    assert popularity(surprise.picks) == pytest.approx(shown, abs=0.0005)
    assert popularity(surprise.picks) < popularity(usual.picks)
