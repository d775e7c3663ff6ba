"""Pure turn stages and the LLM pattern helpers.

A turn's stages read the session and return values: an `Answer` with a `SessionUpdate` that the
caller commits or drops (a preview is a turn not committed), frozen picks, one resolve step before
intent dispatch. `llm.structured` plans under a JSON schema with the user's words winning;
`llm.checked` writes, checks and falls back to a template, reporting typed problems. The real
slice and the real 0.5B model; fake models only to make the model fail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from copy import deepcopy

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import BaseModel

from recassist.assistant.agent import Assistant
from recassist.assistant.events import DoneEvent, MessageEvent, PicksEvent
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.session import SessionUpdate
from recassist.assistant.turn import run
from recassist.errors import ModelError
from recassist.llm.checked import Draft, Problem, Reset, checked_stream, checked_text
from recassist.llm.structured import SchemaPlanner


@pytest.fixture(scope="module")
def parser_assistant(slice_assistant: Assistant) -> Assistant:
    """The slice's assistant with no model: the parser plans, templates explain (fast, exact)."""
    base = slice_assistant
    return Assistant(base.catalogue, base.serving, None, base.config)


def test_an_answer_leaves_the_session_alone_until_its_update_is_committed(
    parser_assistant: Assistant,
) -> None:
    assistant = parser_assistant
    session = assistant.new_session(None)
    before = deepcopy(session)
    request = TurnRequest(intent=Intent.recommend, include_tags=["Comedy"], count=3)
    result = run(assistant.answer(session, request))
    assert session == before  # nothing written during the turn
    assert len(result.picks) == 3 and result.update.shown == tuple(
        p.item.item_id for p in result.picks
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.picks[0].score = 1.0  # type: ignore[misc]
    assert all(p.explanation is not None and p.reasons for p in result.picks)
    assistant.commit(session, result.update)
    assert session.last_shown == list(result.update.shown) and session.lists == 1
    assert session.constraints.include_tags == {"Comedy"}
    committed = assistant.new_session(None)
    same = run(assistant.stream_request(committed, request))
    assert [p.item.item_id for p in same.picks] == session.last_shown
    assert committed.last_shown == session.last_shown and committed.lists == session.lists


def test_one_resolve_step_answers_a_reference_to_nothing_without_changing_the_session(
    parser_assistant: Assistant,
) -> None:
    assistant = parser_assistant
    session = assistant.new_session(None)
    assistant.turn(session, "recommend 3 comedies")
    before = deepcopy(session)
    for message, listed in (
        ("why the 9th one?", True),
        ("more like the 7th one", True),
        ("I loved the 8th one", False),
    ):
        events = list(assistant.stream(session, message))
        text = next(e.text for e in events if isinstance(e, MessageEvent))
        assert "I can't find the" in text and "1 to 3" in text, text
        assert any(isinstance(e, PicksEvent) for e in events) is listed
        assert isinstance(events[-1], DoneEvent) and events[-1].items == []
        assert session == before


def test_a_thumbs_in_words_is_committed_with_the_turn(parser_assistant: Assistant) -> None:
    assistant = parser_assistant
    session = assistant.new_session(None)
    assistant.turn(session, "recommend 3 comedies")
    second = session.last_shown[1]
    result = run(assistant.answer(session, TurnRequest(intent=Intent.feedback, refers_to=2)))
    assert result.update.feedback == ((second, "like"),) and second not in session.likes
    assistant.commit(session, result.update)
    assert session.likes == [second]


def test_session_updates_compose_later_wins_tastes_add_up() -> None:
    first = SessionUpdate(tastes=("space robots",), seeds=("1",))
    later = SessionUpdate(seeds=("2",), shown=(), new_list=True)
    both = first.then(later)
    assert both.tastes == ("space robots",) and both.seeds == ("2",)
    assert both.shown == () and both.new_list and both.constraints is None


# ---------------------------------------------------------------- llm.checked


def _writer(texts: list[str]):
    def attempt(number: int, before: Sequence[Problem]) -> Generator[str, None, Draft]:
        text = texts[number]
        if text == "boom":
            raise ModelError("the model stopped")
        yield text[:5]  # released before the check fails, as a stream would
        problems = (Problem("title", f"names {text}"),) if "Alien" in text else ()
        return Draft(text, problems, first_token_s=0.1, tokens=len(text.split()))

    return attempt


def _drain(steps):
    events = []
    while True:
        try:
            events.append(next(steps))
        except StopIteration as end:
            return events, end.value


def test_checked_stream_retries_resets_and_reports_typed_problems() -> None:
    events, checked = _drain(
        checked_stream(_writer(["Like Alien.", "A calm drama."]), lambda: "template")
    )
    assert checked.source == "retry" and checked.text == "A calm drama."
    assert [p.kind for p in checked.problems] == ["title"] and checked.rejected == ("Like Alien.",)
    assert events[:2] == ["Like ", events[1]] and isinstance(events[1], Reset)
    events, checked = _drain(checked_stream(_writer(["boom", "Alien too"]), lambda: "template"))
    assert checked.source == "template" and events[-1] == "template"
    assert [p.kind for p in checked.problems] == ["model error", "title"]


def test_checked_text_checks_whole_texts_and_falls_back_to_the_template() -> None:
    checked = checked_text(
        lambda number, before: ["", "fine words"][number],
        lambda text: [Problem("tag", "bad")] if "bad" in text else [],
        lambda: "template",
    )
    assert checked.source == "retry" and checked.text == "fine words"
    assert [p.kind for p in checked.problems] == ["empty"]


# ---------------------------------------------------------------- llm.structured


class Colour(BaseModel):
    colour: str
    count: int = 1


def test_schema_planner_plans_with_the_real_model_and_the_users_words_win(small_model) -> None:
    planner = SchemaPlanner(small_model, Colour, "colour", max_tokens=40)
    messages = [("system", "Reply in JSON."), ("user", "Two red apples: colour and count?")]
    parsed = Colour(colour="green", count=2)
    planned = planner.plan(messages, parsed, lambda plan: plan.model_copy(update={"count": 2}))
    assert planned.planner == "llm" and planned.plan.count == 2 and planned.plan.colour


def test_schema_planner_falls_back_to_the_readers_plan_when_the_model_fails() -> None:
    parsed = Colour(colour="green")
    for reply in ("not json at all", '{"count": "many"}'):
        planner = SchemaPlanner(FakeListChatModel(responses=[reply]), Colour, "colour")
        planned = planner.plan([("user", "green")], parsed, lambda plan: plan)
        assert planned.planner == "parser" and planned.plan is parsed and planned.error


def test_a_change_to_a_person_s_list_keeps_the_person() -> None:
    """ "anything by spielberg", then "only from the 90s" or "something older": the list still
    goes by the person (their film, the relation and the two films named); a new topic does not."""
    from recassist.assistant.request import Intent, TurnRequest
    from recassist.assistant.rules import refined

    person = TurnRequest(
        seed_titles=["Jaws (1975)"],
        relation="same_director",
        people=["spielberg"],
        people_by=["Jaws (1975)", "E.T. the Extra-Terrestrial (1982)"],
    )
    for then in (
        TurnRequest(intent=Intent.refine, year_min=1990, year_max=1999),
        TurnRequest(era="older"),
    ):
        kept = refined(then, person)
        assert (kept.people, kept.people_by, kept.relation) == (
            person.people,
            person.people_by,
            "same_director",
        )
    fresh = refined(TurnRequest(intent=Intent.refine, new_topic=True, mood="a western"), person)
    assert not fresh.people_by and fresh.relation is None
