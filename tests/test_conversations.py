"""The scripted multi-turn conversations (`recassist/evaluation/data/conversations.json`): every
turn's standing constraints are exactly what the user built up, and every pick obeys them. Planned
by the deterministic parser here, on the real slice; `benchmarks/conversations.py` runs them with
the LLM planning too."""

from __future__ import annotations

import pytest

from recassist.assistant.agent import Assistant
from recassist.evaluation.conversations import load_conversations, run_conversation

SCRIPTS = load_conversations()


@pytest.fixture(scope="module")
def parser_assistant(slice_assistant: Assistant) -> Assistant:
    config = slice_assistant.config.model_copy(
        update={"llm_planner": False, "explain_with_llm": False}
    )
    return Assistant(slice_assistant.catalogue, slice_assistant.serving, None, config)


def test_there_are_at_least_twenty_conversations() -> None:
    assert len(SCRIPTS) >= 20 and all(len(s["turns"]) >= 2 for s in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s["name"] for s in SCRIPTS])
def test_every_turn_keeps_every_constraint(parser_assistant: Assistant, script: dict) -> None:
    failed = [c for c in run_conversation(parser_assistant, script) if not c.satisfied]
    assert not failed, [(c.turn, c.message, c.problems, c.reply) for c in failed]
