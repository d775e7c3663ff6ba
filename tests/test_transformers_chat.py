"""The transformers backend, run for real: the 0.5B model's GGUF dequantised by transformers, on the
CPU.

It is the GPU backend; on a CPU it is slow (full precision), so it is exercised with a few short
calls. The same weights run under llama.cpp in the other tests, so the two backends can be compared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from recassist.assistant.rerank import Reranker
from recassist.errors import ModelError
from recassist.llm.backend import LocalGGUFChat, chat_model, next_token_logprobs
from recassist.llm.transformers_chat import TransformersChat
from recassist.settings import LLMConfig
from tests.test_rerank import CANDIDATES, HISTORY

MESSAGES = [SystemMessage("You answer in a few words."), HumanMessage("Name a colour of the sky.")]


@pytest.fixture(scope="module")
def hf_model(small_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TransformersChat:
    config = LLMConfig(
        backend="transformers",
        model=str(small_model_path),
        device="cpu",
        temperature=0.0,
        max_tokens=8,
    )
    model = chat_model(config, tmp_path_factory.mktemp("unused"))
    assert isinstance(model, TransformersChat)
    return model


def test_generates_and_streams_the_same_text(hf_model: TransformersChat) -> None:
    text = hf_model.invoke(MESSAGES).content
    streamed = "".join(chunk.content for chunk in hf_model.stream(MESSAGES))
    assert text.strip() and streamed == text


def test_letter_scores_agree_with_llama_cpp(
    hf_model: TransformersChat, small_model: LocalGGUFChat
) -> None:
    """The verbalizer reads the letters' log-probabilities from either backend; with the same
    weights the two put the same candidate first."""
    reply = hf_model.invoke(MESSAGES, max_tokens=1, logprobs=True, top_logprobs=5)
    assert len(next_token_logprobs(reply)) >= 3
    scores = Reranker(hf_model).verbalizer_scores(HISTORY, CANDIDATES)
    reference = Reranker(small_model).verbalizer_scores(HISTORY, CANDIDATES)
    assert scores.shape == (len(CANDIDATES),) and np.isclose(scores.sum(), 1.0)
    assert int(np.argmax(scores)) == int(np.argmax(reference))


def test_constrained_json_is_refused_clearly(hf_model: TransformersChat) -> None:
    with pytest.raises(ModelError, match="response_format"):
        hf_model.invoke(
            MESSAGES,
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        )
