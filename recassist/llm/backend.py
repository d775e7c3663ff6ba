"""One LangChain chat-model interface for every backend the assistant can use.

`chat_model(config, data_dir)` builds, from `LLMConfig` alone:
- `local`: `LocalGGUFChat`, a small `BaseChatModel` around xllamacpp's in-process llama.cpp server.
  The GGUF file's size and SHA-256 are checked before it is loaded (once per instance, at its first
  call);
- `openai`: LangChain's `ChatOpenAI` pointed at any OpenAI-compatible endpoint (vLLM, llama.cpp
  server, Ollama), as `assistant.openai_chat.OpenAIChat`, which bounds each request by
  `llm.timeout_s`;
- `transformers`: `assistant.transformers_chat.TransformersChat`, a transformers model on a GPU.

All of them take OpenAI-style request options as call keyword arguments, e.g.
`model.invoke(messages, logprobs=True, top_logprobs=20, max_tokens=1)` for next-token scoring, or
`response_format={"type": "json_schema", ...}` for constrained output, and report next-token
log-probabilities the way ChatOpenAI does (`message.response_metadata["logprobs"]["content"]`), so
`next_token_logprobs` reads them from any backend. Nothing is loaded until the first call, and there
is no module-level instance: the app holds one model and passes it around.

Every backend failure (a server that refuses, times out or cuts a stream short; a generate thread
that raises or runs out of memory) surfaces as `ModelError`, the one type in `LLM_ERRORS`, and
closing a stream early stops the generation behind it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    convert_to_openai_messages,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from recassist.errors import ConfigError, ModelError
from recassist.llm.models import MODELS, fetch_model, model_path, spec, verify_file
from recassist.settings import LLMConfig

# Errors a caller may turn into a degraded answer (retrieval order, a template): the model failed or
# answered something unusable. Anything else is a bug and propagates.
LLM_ERRORS: tuple[type[Exception], ...] = (ModelError,)


class LocalGGUFChat(BaseChatModel):
    """A GGUF model run in-process by xllamacpp (llama.cpp); loaded, after its checksum, at the
    first call.

    llama.cpp keeps the previous request's prompt in its KV cache and reuses the longest common
    prefix, so callers should put the stable part of a prompt first (docs/benchmarks.md measures the
    effect).
    """

    path: Path
    size: int | None = None
    sha256: str | None = None
    n_ctx: int = 4096
    threads: int | None = None
    temperature: float = 0.2
    max_tokens: int = 160
    seed: int = 42
    parallel: int = 1  # llama.cpp slots: requests decoded together in one batch
    cache_ram_mib: int = 512  # host memory for saved prompt caches (llama.cpp's default is 8192)

    _server: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "xllamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "n_ctx": self.n_ctx}

    def _load(self) -> Any:
        with self._lock:
            if self._server is None:
                if self.sha256 is not None:
                    verify_file(self.path, size=self.size, sha256=self.sha256)
                elif not self.path.is_file():
                    raise ModelError(f"model file {self.path} does not exist")
                import xllamacpp

                params = xllamacpp.CommonParams()
                params.model.path = str(self.path)
                params.n_ctx = (
                    self.n_ctx * self.parallel
                )  # llama.cpp splits its context among the slots
                params.n_parallel = self.parallel
                params.verbosity = -1
                params.cache_ram_mib = self.cache_ram_mib
                if self.threads is not None:
                    params.cpuparams.n_threads = self.threads
                    params.cpuparams_batch.n_threads = self.threads
                try:
                    self._server = xllamacpp.Server(params)
                except RuntimeError as err:
                    raise ModelError(f"llama.cpp could not load {self.path}: {err}") from err
            return self._server

    def close(self) -> None:
        """Free the model's memory; a later call loads it again (after the checksum)."""
        with self._lock:
            self._server = None

    def _request(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> dict:
        request: dict[str, Any] = {
            "messages": convert_to_openai_messages(messages),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }
        if stop:
            request["stop"] = stop
        request.update(kwargs)
        return request

    def _call(self, request: dict, callback: Any = None) -> dict | None:
        server = self._load()
        try:
            response = server.handle_chat_completions(request, callback)
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"llama.cpp request failed: {err}") from err
        if isinstance(response, dict) and "error" in response:
            raise ModelError(
                "llama.cpp refused the request: "
                f"{response['error'].get('message', response['error'])}"
            )
        return response

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        response = self._call(self._request(messages, stop, kwargs))
        assert response is not None
        choice = response["choices"][0]
        usage = response.get("usage", {})
        metadata = {
            "finish_reason": choice.get("finish_reason"),
            "model_name": self.path.name,
            "timings": response.get("timings", {}),
        }
        if choice.get("logprobs"):
            metadata["logprobs"] = choice["logprobs"]
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata=metadata,
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Tokens as llama.cpp produces them: its callback runs in a worker thread and feeds a
        queue.

        Closing the iterator early (a consumer that has seen enough) cancels the generation: the
        callback returns True, which tells llama.cpp to stop, so the next request does not wait for
        it."""
        request = self._request(messages, stop, {**kwargs, "stream": True})
        chunks: queue.Queue = queue.Queue()
        done, cancelled = object(), threading.Event()

        def on_chunk(chunk: dict) -> bool:
            chunks.put(chunk)
            return cancelled.is_set()

        def work() -> None:
            try:
                self._call(request, on_chunk)
            except ModelError as err:
                chunks.put(err)
            finally:
                chunks.put(done)

        worker = threading.Thread(target=work, daemon=True, name="xllamacpp-stream")
        worker.start()
        try:
            yield from self._chunks(chunks, done, run_manager)
        finally:
            cancelled.set()
            worker.join()

    @staticmethod
    def _chunks(
        chunks: queue.Queue, done: object, run_manager: CallbackManagerForLLMRun | None
    ) -> Iterator[ChatGenerationChunk]:
        while (item := chunks.get()) is not done:
            if isinstance(item, ModelError):
                raise item
            if "error" in item:
                raise ModelError(f"llama.cpp stream failed: {item['error']}")
            choice = item["choices"][0] if item.get("choices") else {}
            text = (choice.get("delta") or {}).get("content") or ""
            metadata = {}
            if choice.get("finish_reason"):
                metadata = {
                    "finish_reason": choice["finish_reason"],
                    "timings": item.get("timings", {}),
                }
            if not text and not metadata:
                continue
            chunk = ChatGenerationChunk(
                message=AIMessageChunk(content=text, response_metadata=metadata)
            )
            if run_manager is not None and text:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk


def _local(config: LLMConfig, data_dir: Path) -> LocalGGUFChat:
    if config.model in MODELS:
        model = spec(config.model)
        path = model_path(config.model, data_dir)
        if not path.is_file():
            path = fetch_model(config.model, data_dir)
        size, sha256 = model.size, model.sha256
    else:
        path, size, sha256 = Path(config.model), None, config.sha256
        if path.suffix != ".gguf" or not path.is_file():
            raise ConfigError(
                f"llm.model '{config.model}' is neither a known model ({', '.join(MODELS)}) nor an"
                " existing .gguf file"
            )
    return LocalGGUFChat(
        path=path,
        size=size,
        sha256=sha256,
        n_ctx=config.n_ctx,
        threads=config.threads,
        parallel=config.parallel,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        seed=config.seed,
        cache_ram_mib=config.cache_ram_mib,
    )


def chat_model(config: LLMConfig, data_dir: Path) -> BaseChatModel:
    """The chat model `config` describes; a named local model is fetched into `data_dir` if
    missing."""
    if config.backend == "local":
        return _local(config, data_dir)
    if config.backend == "openai":
        if not config.base_url:
            raise ConfigError(
                "llm.backend 'openai' needs llm.base_url, e.g. http://localhost:8000/v1"
            )
        from recassist.llm.openai_chat import OpenAIChat

        return OpenAIChat(
            base_url=config.base_url,
            model=config.model,
            api_key=config.api_key.get_secret_value() if config.api_key else "not-needed",
            temperature=config.temperature,
            max_tokens=config.max_tokens,
            seed=config.seed,
            timeout=config.timeout_s,
            max_retries=config.max_retries,
        )
    from recassist.llm.transformers_chat import TransformersChat

    return TransformersChat(
        model_name=config.model,
        device=config.device,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        timeout_s=config.timeout_s,
    )


def next_token_logprobs(message: BaseMessage) -> dict[str, float]:
    """Token -> log-probability of the first generated position, from a call made with
    `logprobs=True, top_logprobs=k`; tokens are stripped of surrounding spaces and the best
    log-probability is kept."""
    content = (message.response_metadata.get("logprobs") or {}).get("content") or []
    if not content:
        raise ModelError(
            "the model returned no log-probabilities; its backend may not support them"
        )
    scores: dict[str, float] = {}
    for entry in content[0].get("top_logprobs") or []:
        token = entry["token"].strip()
        scores[token] = max(scores.get(token, float("-inf")), float(entry["logprob"]))
    return scores
