"""The LLM layer on the real 0.5B model: checksum refusal, streaming, log-probabilities, JSON
schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from recassist.errors import ConfigError, ModelError
from recassist.llm.backend import LocalGGUFChat, chat_model, next_token_logprobs
from recassist.llm.models import MODELS, QWEN_0_5B, verify_model
from recassist.settings import LLMConfig


def test_assembled_model_passes_its_checksum(small_model_path: Path) -> None:
    assert verify_model(QWEN_0_5B, small_model_path.parents[1]) == small_model_path
    assert small_model_path.stat().st_size == MODELS[QWEN_0_5B].size


def test_corrupted_model_file_is_refused(tmp_path: Path) -> None:
    spec = MODELS[QWEN_0_5B]
    corrupted = tmp_path / "models" / f"{QWEN_0_5B}.gguf"
    corrupted.parent.mkdir()
    with corrupted.open("wb") as handle:  # right size, wrong bytes
        handle.truncate(spec.size)
    with pytest.raises(ModelError, match="SHA-256.*refusing to load"):
        verify_model(QWEN_0_5B, tmp_path)
    model = LocalGGUFChat(path=corrupted, size=spec.size, sha256=spec.sha256)
    with pytest.raises(ModelError, match="refusing to load"):
        model.invoke("hello")
    corrupted.write_bytes(b"GGUF")
    with pytest.raises(ModelError, match="4 bytes, not the expected"):
        model.invoke("hello")


def test_config_errors_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="llm.model"):
        chat_model(LLMConfig(model=str(tmp_path / "missing.gguf")), tmp_path)
    with pytest.raises(ConfigError, match="llm.base_url"):
        chat_model(LLMConfig(backend="openai", model="qwen"), tmp_path)


def test_openai_compatible_endpoint_is_a_chat_openai(tmp_path: Path) -> None:
    from langchain_openai import ChatOpenAI

    model = chat_model(
        LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1", model="qwen", max_tokens=7),
        tmp_path,
    )
    assert isinstance(model, ChatOpenAI) and model.max_tokens == 7 and model.model_name == "qwen"


def test_streaming_yields_several_chunks(small_model: LocalGGUFChat) -> None:
    chunks = [
        c.content for c in small_model.stream("Count from one to five in words.", max_tokens=16)
    ]
    text = "".join(chunks)
    assert sum(1 for c in chunks if c) >= 4
    assert "two" in text.lower()


def test_next_token_logprobs_from_one_token(small_model: LocalGGUFChat) -> None:
    reply = small_model.invoke(
        "Which letter comes first in the alphabet? Answer with one capital letter.",
        max_tokens=1,
        logprobs=True,
        top_logprobs=20,
    )
    logprobs = next_token_logprobs(reply)
    assert len(logprobs) >= 10 and all(v <= 0 for v in logprobs.values())
    assert max(logprobs, key=logprobs.get) == "A"


class Movie(BaseModel):
    title: str
    year: int


def test_json_schema_constrained_output_parses(small_model: LocalGGUFChat) -> None:
    schema = {"name": "movie", "schema": Movie.model_json_schema()}
    reply = small_model.invoke(
        "Toy Story came out in 1995. Give its title and year as JSON.",
        response_format={"type": "json_schema", "json_schema": schema},
        max_tokens=32,
    )
    movie = Movie.model_validate(json.loads(reply.content))
    assert movie.title and 1900 < movie.year < 2100


def test_an_invalid_request_is_a_model_error(small_model: LocalGGUFChat) -> None:
    with pytest.raises(ModelError, match="refused"):
        small_model.invoke("hi", max_tokens="many")
