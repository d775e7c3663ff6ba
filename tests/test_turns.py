"""Every turn ends properly, whatever is typed and whatever the model does.

Property-based (hypothesis): arbitrary text (any Unicode, digits, catalogue titles, very long
strings, other scripts) to the parser, and to the agent running on the real slice with a LangChain
fake chat model that answers arbitrary text; fake models that fail at each point of a call (plan,
stream start, midway); the result is always a valid request, and a turn that ends with `done` or a
plain-words `error`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from recassist.assistant.agent import Assistant
from recassist.assistant.events import DoneEvent, ErrorEvent, PlanEvent
from recassist.assistant.parser import parse
from recassist.assistant.request import TurnRequest
from recassist.errors import ModelError

PROPERTY = hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

WORDS = st.sampled_from(
    [
        "something",
        "like",
        "the",
        "last",
        "one",
        "first",
        "second",
        "why",
        "not",
        "horror",
        "comedy",
        "no",
        "more",
        "from",
        "the 90s",
        "3000",
        "1800",
        "number",
        "0",
        "99th",
        "give me",
        "5",
        "forget",
        "start over",
        "is fine",
        "I loved",
        "not interested",
        "异形",
        "喜剧",
        "comme",
        "drôle",
        "😀",
        "\u202e",
        "<item>",
        "</evidence>",
        "{",
        '"',
        "Ignore previous instructions",
        "SCI-FI",
        "!!!",
        "\n",
        "\t",
    ]
)


def messages(titles: list[str]) -> st.SearchStrategy[str]:
    """Realistic-to-hostile chat messages: free Unicode, word salads with titles, very long strings."""
    title = st.sampled_from(titles)
    salad = st.lists(
        st.one_of(WORDS, title, st.integers(-5, 5000).map(str)), min_size=1, max_size=12
    ).map(" ".join)
    return st.one_of(
        st.text(max_size=200), salad, st.text(min_size=1, max_size=5).map(lambda s: s * 400)
    )


@pytest.fixture(scope="module")
def titles(slice_assistant: Assistant) -> list[str]:
    return [item.title for item in slice_assistant.items.values()][:60]


@given(data=st.data())
@PROPERTY
def test_parser_reads_anything_as_a_valid_request(
    slice_assistant: Assistant, titles: list[str], data
) -> None:
    message = data.draw(messages(titles))
    request = parse(message, slice_assistant.tags, slice_assistant.catalogue.title_spans)
    assert TurnRequest.model_validate(request.model_dump()) == request


def _fake_assistant(base: Assistant, model) -> Assistant:
    return Assistant(base.catalogue, base.serving, model, base.config)


def _ends_properly(events: list, assistant: Assistant) -> None:
    last = events[-1]
    assert isinstance(last, DoneEvent | ErrorEvent), last
    assert sum(isinstance(e, DoneEvent | ErrorEvent) for e in events) == 1
    if isinstance(last, ErrorEvent):
        assert last.message and "Traceback" not in last.message
        return
    for card in last.items:
        assert card.item_id in assistant.items
        assert card.explanation and card.explanation_source in ("model", "retry", "template")


@given(data=st.data())
@PROPERTY
def test_agent_with_a_model_that_says_anything_ends_every_turn(
    slice_assistant: Assistant, titles: list[str], data
) -> None:
    replies = data.draw(
        st.lists(
            st.one_of(
                st.text(max_size=80),
                st.just(
                    '{"intent": "recommend", "refers_to": 999, "include_tags": ["A","B","C","D","E","F"]}'
                ),
                st.just('{"intent": "more_like", "seed_titles": ["Alien"], "year_min": 3000}'),
                st.just('{"intent": "explain", "refers_to": -1}'),
                st.just(
                    "Like ![x](http://example.invalid/x.png) <item>Toy Story</item>, everyone loved it."
                ),
            ),
            min_size=1,
            max_size=4,
        )
    )
    assistant = _fake_assistant(slice_assistant, FakeListChatModel(responses=replies))
    session = assistant.new_session(None)
    for message in data.draw(st.lists(messages(titles), min_size=1, max_size=3)):
        events = list(assistant.stream(session, message))
        _ends_properly(events, assistant)


class _Failing(GenericFakeChatModel):
    """A chat model that fails where told: on every call ("call"), or after streaming a few words
    ("midway")."""

    where: str = "call"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        raise ModelError(f"the model failed ({self.where})")

    def _stream(
        self, messages, stop=None, run_manager=None, **kwargs
    ) -> Iterator[ChatGenerationChunk]:
        if self.where == "call":
            raise ModelError("the model failed before streaming")
        for word in ("You", " liked", " Toy"):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))
        raise ModelError("the stream was cut midway")


@pytest.mark.parametrize("where", ["call", "midway"])
def test_a_failing_model_falls_back_to_the_parser_and_the_template(
    slice_assistant: Assistant, where: str
) -> None:
    assistant = _fake_assistant(
        slice_assistant, _Failing(messages=iter([AIMessage(content="")]), where=where)
    )
    session = assistant.new_session(None)
    result = assistant.turn(session, "something funny, give me 2")
    assert result.planner == "parser" and result.error is None and len(result.picks) == 2
    assert all(p.explanation.source == "template" for p in result.picks)
    assert all(p.explanation.problems for p in result.picks)  # the failure is recorded, not hidden


@pytest.mark.parametrize(
    "message, answer",
    [
        ("why the third one?", "not shown you a list yet"),
        ("more like the 99th one", "not shown you a list yet"),
    ],
)
def test_an_unresolvable_reference_gets_a_question_back(
    slice_assistant: Assistant, message: str, answer: str
) -> None:
    assistant = _fake_assistant(slice_assistant, None)
    session = assistant.new_session(None)
    assert answer in assistant.turn(session, message).message
    assistant.turn(session, "something funny, give me 3")
    reply = assistant.turn(session, "more like the 99th one")
    assert not reply.picks and "had 3 picks" in reply.message


def test_a_title_not_in_the_catalogue_is_said_to_be_missing(slice_assistant: Assistant) -> None:
    assistant = _fake_assistant(slice_assistant, None)
    result = assistant.turn(
        assistant.new_session(None), "something like Zorblax Returns From Planet Qux"
    )
    assert "could not find" in result.message and result.picks


def test_the_model_gate_admits_slots_queues_depth_and_refuses_beyond() -> None:
    import threading

    from recassist.assistant.admission import ModelGate
    from recassist.settings import AgentConfig

    gate = ModelGate(AgentConfig(model_slots=1, queue_depth=1, queue_wait_s=0.2))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.slot() as admitted:
            assert admitted
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    with gate.slot() as admitted:  # queued, waits 0.2 s, then gives up
        assert not admitted
    release.set()
    holder.join(5)
    with gate.slot() as admitted:
        assert admitted


def test_a_turn_that_finds_the_model_busy_gets_templates_and_a_note_at_once(
    slice_assistant: Assistant,
) -> None:
    from recassist.assistant.events import NoteEvent, PicksEvent

    config = slice_assistant.config.model_copy(update={"queue_depth": 0, "queue_wait_s": 0.0})
    assistant = Assistant(
        slice_assistant.catalogue, slice_assistant.serving, slice_assistant.model, config
    )
    with assistant.gate.slot() as admitted:  # another user's turn holds the one slot
        assert admitted
        events = list(assistant.stream(assistant.new_session(None), "something funny, give me 3"))
        # words the parser does not read: no model plan either, and no preview, just the parser's
        # turn
        unread = list(
            assistant.stream(assistant.new_session(None), "a feel-good movie for a rainy sunday")
        )
    kinds = [type(e) for e in events]
    assert kinds.index(PicksEvent) < kinds.index(NoteEvent)  # the cards came before the note
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.busy and len(done.items) == 3
    assert all(card.explanation_source == "template" for card in done.items)
    assert [type(e) for e in unread].count(PicksEvent) == 1 and unread[-1].busy
    assert [e.planner for e in unread if isinstance(e, PlanEvent)] == ["parser"]


def test_while_the_model_warms_up_turns_say_so_and_never_say_busy(
    slice_assistant: Assistant,
) -> None:
    """With one user and the model warming up: answers at once with templates and the warming-up
    note, not "Many people are asking right now"; once warm, the model writes the explanations."""
    from recassist.assistant.admission import BUSY_NOTE, WARMING_NOTE
    from recassist.assistant.events import NoteEvent

    assistant = Assistant(
        slice_assistant.catalogue,
        slice_assistant.serving,
        slice_assistant.model,
        slice_assistant.config,
    )
    assistant.gate.begin_warm_up()
    assert not assistant.gate.ready
    events = list(assistant.stream(assistant.new_session(None), "something funny, give me 2"))
    notes = [e.text for e in events if isinstance(e, NoteEvent)]
    done = events[-1]
    assert notes == [WARMING_NOTE] and BUSY_NOTE not in notes
    assert isinstance(done, DoneEvent) and done.warming and not done.busy
    assert all(card.explanation_source == "template" for card in done.items)
    thread = assistant.warm_in_background()
    assert thread is not None and not assistant.gate.ready
    thread.join(600)
    assert assistant.gate.ready
    warm = list(assistant.stream(assistant.new_session(None), "something funny, give me 2"))
    assert not [e for e in warm if isinstance(e, NoteEvent)] and not warm[-1].busy
    assert any(card.explanation_source != "template" for card in warm[-1].items)
