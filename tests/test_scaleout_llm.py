"""The assistant against a real OpenAI-compatible server (llama.cpp's, with the 0.5B model) by
configuration alone, and every way a model backend can fail turned into `ModelError`, which the
callers degrade on.

The real server answers a whole chat turn and is then killed mid-turn: the turn still finishes, with
template explanations, and the same model object works again once the server is back. Failures that
a real server will not produce on demand (a 500, a hang, a stream cut after some tokens) come from a
small fake server on loopback; the transformers backend's failures from a fake `generate`.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage

from recassist.assistant.agent import Assistant
from recassist.assistant.events import TokenEvent
from recassist.data.store import DatasetStore
from recassist.errors import ModelError
from recassist.llm.backend import LLM_ERRORS, chat_model
from recassist.llm.openai_chat import OpenAIChat
from recassist.llm.transformers_chat import TransformersChat
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.vector_store import VectorStore
from recassist.settings import LLMConfig, Settings
from tests.conftest import SLICE
from tests.scaleout_servers import ServerProcess, llm_server

MESSAGE = "something like Star Wars but more cheerful, give me 1"  # "cheerful": the parser alone cannot plan it
HELLO = [HumanMessage("Say hello.")]
READY_POLLS = 1500  # a bound on polling the server, not a performance limit


@pytest.fixture(scope="module")
def openai_server(
    small_model_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, str]]:
    # one thread: llama.cpp's threads wait on each other, which costs most when the cores are shared
    server, url = llm_server(small_model_path, tmp_path_factory.mktemp("llm-server"), threads=1)
    server.start()
    yield server, url
    server.stop()


def _assistant(settings: Settings, indexed_slice, slice_serving, embedder, model) -> Assistant:
    builder, _ = indexed_slice
    dataset = DatasetStore(settings.data_dir).load(SLICE)
    catalogue = Catalogue(dataset, VectorStore(builder.client, SLICE), embedder)
    return Assistant(catalogue, slice_serving, model, settings.agent)


def _user(assistant: Assistant) -> str:
    return str(assistant.serving.data.users.ids(np.arange(3))[1])


def test_a_chat_turn_through_an_openai_compatible_server_then_it_dies_and_comes_back(
    openai_server, settings: Settings, indexed_slice, slice_serving, embedder, tmp_path: Path
) -> None:
    server, url = openai_server
    config = LLMConfig(
        backend="openai",
        base_url=url,
        model="qwen2.5-coder-0.5b-instruct",
        temperature=0.0,
        max_tokens=48,
        timeout_s=600,
        max_retries=0,
    )
    model = chat_model(config, tmp_path)
    assert isinstance(model, OpenAIChat)
    assistant = _assistant(settings, indexed_slice, slice_serving, embedder, model)

    # 1. the server up: the model plans (constrained JSON) and writes the explanation (shown if it
    #    passes the faithfulness check, else replaced by the template; either way the model wrote
    #    tokens)
    result = assistant.turn(assistant.new_session(_user(assistant)), MESSAGE)
    assert result.planner == "llm" and len(result.picks) == 1
    explanation = result.picks[0].explanation
    assert (
        explanation.text
        and explanation.tokens > 0
        and not any("model error" in p for p in explanation.problems)
    )

    # 2. killed after the first explanation token: the turn still ends, with the template
    events = assistant.stream(assistant.new_session(_user(assistant)), MESSAGE)
    while True:
        try:
            event = next(events)
        except StopIteration as stop:
            explanations = [p.explanation for p in stop.value.picks]
            break
        if isinstance(event, TokenEvent) and server.alive:
            server.kill()
    assert not server.alive and [e.source for e in explanations] == ["template"]
    assert any("model error" in p for p in explanations[0].problems)

    # 3. down from the start: the parser plans, templates explain, nothing raises
    down = assistant.turn(assistant.new_session(_user(assistant)), MESSAGE)
    assert (
        down.planner == "parser"
        and len(down.picks) == 1
        and down.picks[0].explanation.source == "template"
    )

    # 4. back on the same port: the same model object (no restart of recassist) answers and plans
    #    again
    server.start()
    assert model.invoke(HELLO, max_tokens=4).content
    plan = assistant.planner.plan(assistant.new_session(_user(assistant)), MESSAGE)
    assert plan.planner == "llm" and plan.request.count == 1


def test_closing_a_real_stream_early_stops_the_server_generating(
    openai_server, tmp_path: Path
) -> None:
    """A stream asked for 400 tokens and closed after 3: the server's slot goes idle having decoded
    far fewer."""
    import httpx

    _, url = openai_server
    model = chat_model(
        LLMConfig(backend="openai", base_url=url, model="m", max_tokens=400, temperature=0.0),
        tmp_path,
    )
    stream = model.stream([HumanMessage("Count from 1 to 300, one number a line.")])
    for _ in zip(range(3), stream):
        pass
    stream.close()
    slots = url.removesuffix("/v1") + "/slots"
    for _ in range(READY_POLLS):
        slot = httpx.get(slots, timeout=10).json()[0]
        if not slot["is_processing"]:
            break
        time.sleep(0.2)
    assert not slot["is_processing"] and slot["next_token"][0]["n_decoded"] < 100, slot


# ---------------------------------------------------------------------- a fake server that fails on
# purpose


class _Fake(http.server.BaseHTTPRequestHandler):
    """/v1/chat/completions that fails as `self.server.mode` says; records how many chunks it sent."""

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "500":
            self.send_response(500)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom"}}')
            return
        if mode == "hang":
            time.sleep(3)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        total = 3 if mode == "cut" else 2000
        for i in range(total):
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}],
            }
            try:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                break
            self.server.sent = i + 1  # type: ignore[attr-defined]
            time.sleep(0.01)
        self.close_connection = True  # "cut": the body ends with no finish reason and no [DONE]


@pytest.fixture(scope="module")
def fake_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    server.mode, server.sent = "500", 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _fake_model(server, tmp_path: Path, **options) -> OpenAIChat:
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return chat_model(
        LLMConfig(backend="openai", base_url=url, model="m", max_retries=0, **options), tmp_path
    )


@pytest.mark.parametrize("mode", ["500", "hang", "cut"])
def test_every_server_failure_is_a_model_error(fake_server, tmp_path: Path, mode: str) -> None:
    fake_server.mode = mode
    model = _fake_model(fake_server, tmp_path, timeout_s=0.5)
    with pytest.raises(ModelError, match="llm.base_url"):
        "".join(chunk.content for chunk in model.stream(HELLO))
    if mode != "cut":
        with pytest.raises(ModelError):
            model.invoke(HELLO)


def test_a_refused_connection_is_a_model_error(tmp_path: Path) -> None:
    from tests.background import free_port

    model = chat_model(
        LLMConfig(
            backend="openai",
            base_url=f"http://127.0.0.1:{free_port()}/v1",
            model="m",
            max_retries=0,
        ),
        tmp_path,
    )
    for call in (lambda: model.invoke(HELLO), lambda: list(model.stream(HELLO))):
        with pytest.raises(ModelError, match="ConnectionError"):
            call()


def test_closing_a_stream_early_closes_the_response(fake_server, tmp_path: Path) -> None:
    fake_server.mode, fake_server.sent = "long", 0
    stream = _fake_model(fake_server, tmp_path).stream(HELLO)
    assert [c.content for _, c in zip(range(3), stream)][:1] == [" w0"]
    stream.close()
    time.sleep(0.5)  # let the server try its next writes and find the connection closed
    assert 0 < fake_server.sent < 2000


# ---------------------------------------------------------------------- fake chat models at each
# point


class _Failing(GenericFakeChatModel):
    """A fake chat model that answers `messages` in turn and raises `ModelError` where told to."""

    fail_invoke: bool = False
    fail_after_chunks: int | None = None

    def _generate(self, *args, **kwargs):
        if self.fail_invoke:
            raise ModelError("fake: the plan call failed")
        return super()._generate(*args, **kwargs)

    def _stream(self, *args, **kwargs):
        for n, chunk in enumerate(super()._stream(*args, **kwargs)):
            if self.fail_after_chunks is not None and n >= self.fail_after_chunks:
                raise ModelError("fake: the stream broke")
            yield chunk


@pytest.mark.parametrize("fail_invoke,fail_after_chunks", [(True, 0), (False, 0), (False, 2)])
def test_the_agent_degrades_at_each_failure_point(
    settings: Settings,
    indexed_slice,
    slice_serving,
    embedder,
    fail_invoke: bool,
    fail_after_chunks: int,
) -> None:
    plan = json.dumps({"intent": "recommend", "seed_titles": ["Star Wars"], "count": 2})
    replies = iter([AIMessage(plan)] + [AIMessage("You liked it because it is great fun.")] * 20)
    model = _Failing(messages=replies, fail_invoke=fail_invoke, fail_after_chunks=fail_after_chunks)
    assistant = _assistant(settings, indexed_slice, slice_serving, embedder, model)
    result = assistant.turn(assistant.new_session(_user(assistant)), MESSAGE)
    assert result.planner == ("parser" if fail_invoke else "llm")
    assert len(result.picks) == 1 and result.picks[0].explanation.source == "template"
    assert ModelError in LLM_ERRORS


# ---------------------------------------------------------------------- the transformers backend


class _Tokenizer:
    eos_token_id = 0

    def decode(self, ids, **_) -> str:
        return "".join(f" t{int(i)}" for i in ids)


class _Generate:
    """Stands in for a model's `generate`: emits tokens to the streamer until a stopping criterion
    says stop."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error, self.steps = error, 0

    def generate(self, streamer=None, stopping_criteria=None, max_new_tokens=500, **_):
        if self.error is not None:
            raise self.error
        if streamer is None:  # not streaming: a sampled answer from torch's default generator
            sampled = torch.randint(1, 100, (max_new_tokens,))
            return SimpleNamespace(
                sequences=torch.cat([torch.zeros(1, dtype=torch.long), sampled])[None, :]
            )
        ids = torch.zeros((1, 1), dtype=torch.long)
        for step in range(max_new_tokens):
            self.steps = step + 1
            streamer.put(torch.tensor([step + 1]))
            if stopping_criteria is not None and bool(stopping_criteria[0](ids, None).all()):
                break
            time.sleep(0.005)
        streamer.end()


class _FakeTransformers(TransformersChat):
    fake: Any = None

    def _inputs(self, messages, kwargs):
        return (
            _Tokenizer(),
            self.fake,
            {
                "input_ids": torch.zeros((1, 1), dtype=torch.long),
                "max_new_tokens": kwargs.get("max_tokens", 500),
            },
        )


def _transformers(fake: _Generate) -> TransformersChat:
    return _FakeTransformers(model_name="fake", device="cpu", timeout_s=5, fake=fake)


@pytest.mark.parametrize(
    "error", [torch.OutOfMemoryError("CUDA out of memory"), RuntimeError("device-side assert")]
)
def test_transformers_failures_are_model_errors(error: BaseException) -> None:
    model = _transformers(_Generate(error))
    with pytest.raises(ModelError, match=type(error).__name__):
        list(model.stream(HELLO))
    with pytest.raises(ModelError, match=type(error).__name__):
        model.invoke(HELLO)


def test_closing_a_transformers_stream_stops_generate() -> None:
    fake = _Generate()
    stream = _transformers(fake).stream(HELLO)
    for _ in zip(range(3), stream):
        pass
    stream.close()
    assert fake.steps < 50, fake.steps


def test_transformers_backend_does_not_seed_torch_globally() -> None:
    """Two calls sample differently and leave torch's random state where sampling left it, not
    reset."""
    model = _transformers(_Generate())
    first, second = (
        model.invoke(HELLO, max_tokens=8).content,
        model.invoke(HELLO, max_tokens=8).content,
    )
    assert first != second
