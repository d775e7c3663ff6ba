"""LangChain's `ChatOpenAI` for an OpenAI-compatible server, with every failure of that server as
`ModelError`.

A server that is down, restarting, overloaded or cut off mid-answer shows up in many shapes: the
openai client's `APIConnectionError`, `APITimeoutError` and `APIStatusError` (a 5xx, a 4xx for a
request the server does not support), or, while a stream is being read, a bare `httpx` transport
error. Callers catch one type (`assistant.llm.LLM_ERRORS`) and degrade: the parser plans, the
template explains. A stream that ends without a finish reason was cut short and is an error too, so
a half explanation is never taken as whole.

Closing a stream early (a consumer that has seen enough) closes the HTTP response, which tells the
server to stop generating.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

from recassist.errors import ModelError

# What a failing OpenAI-compatible server raises through the openai client and httpx.
SERVER_ERRORS: tuple[type[Exception], ...] = (openai.APIError, httpx.HTTPError)


def _model_error(err: Exception, base_url: str | None) -> ModelError:
    return ModelError(
        f"the OpenAI-compatible server at llm.base_url='{base_url}' failed: "
        f"{type(err).__name__}: {err}; "
        "check that it is running and serves llm.model"
    )


class OpenAIChat(ChatOpenAI):
    """`ChatOpenAI` whose server failures raise `ModelError`; see the module docstring."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        try:
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        except SERVER_ERRORS as err:
            raise _model_error(err, self.openai_api_base) from err

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chunks = super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
        finished = False
        try:
            for chunk in chunks:
                info = chunk.generation_info or {}
                finished = finished or bool(
                    info.get("finish_reason")
                    or chunk.message.response_metadata.get("finish_reason")
                )
                yield chunk
        except SERVER_ERRORS as err:
            raise _model_error(err, self.openai_api_base) from err
        finally:
            # a consumer that stops early closes the response: the server stops generating
            chunks.close()
        if not finished:
            raise ModelError(
                f"the stream from llm.base_url='{self.openai_api_base}' ended without a finish reason"
                " (cut short); "
                "check the server's log"
            )
