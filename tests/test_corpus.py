"""115 realistic messages (`recassist/evaluation/data/messages.txt`: titles with numbers and "last",
refinements, ten languages, typos, emoji, hostile text) through the real 0.5B model planning, in
sessions of eight turns: every turn ends with `done`, shows catalogue items only, and every pick
obeys the standing constraints. Explanations are templates here; their model path is tested in
test_explain and test_agent."""

from __future__ import annotations

from importlib import resources

from recassist.assistant.agent import Assistant
from recassist.assistant.events import DoneEvent, ErrorEvent

MESSAGES = (
    resources.files("recassist.evaluation")
    .joinpath("data/messages.txt")
    .read_text(encoding="utf-8")
    .splitlines()
)


def test_a_hundred_realistic_messages_are_all_answered(slice_assistant: Assistant) -> None:
    assert len(MESSAGES) >= 100
    config = slice_assistant.config.model_copy(update={"explain_with_llm": False})
    assistant = Assistant(
        slice_assistant.catalogue, slice_assistant.serving, slice_assistant.model, config
    )
    planners, failures = [], []
    for start in range(0, len(MESSAGES), 8):
        session = assistant.new_session(None)
        for message in MESSAGES[start : start + 8]:
            events = list(assistant.stream(session, message))
            last = events[-1]
            if not isinstance(last, DoneEvent):
                failures.append((message, last))
                continue
            planners.append(last.planner)
            constraints = session.constraints
            for card in last.items:
                item = assistant.items.get(card.item_id)
                if item is None or not constraints.allows(item):
                    failures.append((message, card.title, constraints))
            assert last.message and not any(isinstance(e, ErrorEvent) for e in events)
    assert not failures, failures
    assert (
        "llm" in planners and "parser" in planners
    )  # the model planned what the parser could not read
