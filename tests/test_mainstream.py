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


def test_surprise_me_as_a_first_message_offers_the_well_liked_not_the_popular(
    parser_only: Assistant,
) -> None:
    """A new user who says only "surprise me" has no list to make less mainstream but the popular
    one, which the rerank could not move: the films most liked by those who watched them instead,
    each cited with its share and its count of watchers, and the list less watched than the
    usual one."""
    assistant = parser_only
    usual = assistant.turn(assistant.new_session(None), "recommend something")
    surprise = assistant.turn(assistant.new_session(None), "surprise me")
    popularity = assistant.mainstream.popularity
    assert surprise.picks and popularity(surprise.picks) < popularity(usual.picks)
    for pick in surprise.picks:
        reason = pick.reasons[0]
        assert reason.kind == "well_liked" and str(reason.count) in pick.explanation.text
        share = int(re.search(r"(\d+)% of the", reason.label).group(1))
        assert share >= 50, reason.label  # liked by most of those who watched it


@pytest.mark.parametrize(
    ("message", "years"),
    [
        ("what's good from the 70s?", "from 1970 to 1979"),
        ("best films of 1994", "from 1994"),
        ("hey! can you recommend me something to watch tonight?", ""),
    ],
)
def test_words_of_asking_are_no_description(parser_only: Assistant, message, years) -> None:
    """ "what's good", "something to watch tonight" describe nothing: no picks by the nearest
    title text ("Good Morning", "One Night Stand") and no "Nothing I know ... says" note."""
    result = parser_only.turn(parser_only.new_session(None), message)
    assert result.picks and "Nothing I know" not in result.message, result.message
    assert not any(r.kind == "described" for p in result.picks for r in p.reasons)
    assert years in result.message.split(":")[0], result.message
