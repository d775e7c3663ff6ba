"""How people ask in French, German and Spanish, around what they want, on the real slice read by
the parser alone: the words of asking, the occasion and the company are no description, and
"plus léger" is "lighter"."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "une comédie romantique des années 90 s'il te plaît",
            "tagged Comedy and Romance, from 1990 to 1999",
        ),
        ("etwas Lustiges für einen Filmabend mit Freunden", "tagged Comedy"),
        ("algo de miedo para una noche de pelis con amigos", "tagged Horror"),
    ],
)
def test_the_words_around_a_want_are_no_description(
    described_assistant: Assistant, message: str, line: str
) -> None:
    """'No kind of film I know is named "s\\'il"' (and "einen filmabend"), and picks found by
    those words in the films' descriptions."""
    result = described_assistant.turn(described_assistant.new_session(None), message)
    assert result.message == f"Here are 5 picks, {line}:", result.message
    kinds = {r.kind for p in result.picks for r in p.reasons}
    assert not kinds & {"synopsis", "described"}, kinds


def test_lighter_in_french_is_lighter(described_assistant: Assistant) -> None:
    """ "Merci ! Et quelque chose de plus léger ?" found films whose descriptions say "french";
    now the same picks as "thanks! and something lighter?"."""
    english = described_assistant.turn(
        described_assistant.new_session(None), "thanks! and something lighter?"
    )
    french = described_assistant.turn(
        described_assistant.new_session(None), "Merci ! Et quelque chose de plus léger ?"
    )
    assert [p.item.item_id for p in french.picks] == [p.item.item_id for p in english.picks]
    assert french.message == english.message and "didn't use" not in french.message
