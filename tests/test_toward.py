"""A word that names several kinds of film, after a list like a film: the kinds nearest that film
(`assistant.named.toward`), on the real slice with ML-100k's graph."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


def concepts_of(result) -> set[str]:
    return {r.label for p in result.picks for r in p.reasons if r.kind == "concept"}


@pytest.mark.parametrize("seed", ["the terminator", "blade runner"])
def test_darker_after_like_a_thriller_is_no_black_comedy(
    described_assistant: Assistant, seed: str
) -> None:
    """ "more like Blade Runner", then "something darker" listed Heathers and Evil Dead II: the
    word names a black comedy as well as a neo-noir and a psychological thriller, and all four
    counted alike. Near a science-fiction thriller, the black comedy goes."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, f"more like {seed}")
    result = described_assistant.turn(session, "something darker")
    found = concepts_of(result)
    assert result.picks and "a black comedy" not in found, (result.message, found)
    if seed == "the terminator":  # the slice's neo-noirs are mostly Blade Runner itself
        assert found & {"a neo-noir", "a psychological thriller"}, found


def test_darker_after_like_a_comedy_keeps_the_black_comedy(
    described_assistant: Assistant,
) -> None:
    """Near a comedy the same word is the black comedy: the choice is made by the film, not by a
    fixed reading of the word."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "something like groundhog day")
    result = described_assistant.turn(session, "something darker")
    assert "a black comedy" in concepts_of(result), result.message


def test_a_kind_named_that_no_pick_is_is_said(described_assistant: Assistant) -> None:
    """After films of the 80s like Blade Runner, "something darker" listed The Killing Fields and
    This Is Spinal Tap as if they were darker: the only 80s neo-noir is Blade Runner itself. The
    reply says that nothing named fits the rest."""
    session = described_assistant.new_session(None)
    described_assistant.turn(session, "more like blade runner from the 80s")
    result = described_assistant.turn(session, "something darker")
    assert result.picks and not concepts_of(result), concepts_of(result)
    assert result.message.startswith("Nothing I know that is a neo-noir"), result.message
