"""A transformers causal LM as a LangChain chat model: the backend for a GPU.

Takes the same call options as the other backends: `max_tokens`, `temperature`, `stop`, and
`logprobs`/`top_logprobs`, which it reports in ChatOpenAI's shape (`response_metadata["logprobs"]`)
from the first generated position's scores, so the verbalizer reranker works on it. Streaming runs
`generate` in a worker thread with a `TextIteratorStreamer`. `response_format` (constrained JSON) is
not supported here and raises `ModelError`, so a caller degrades to its deterministic path.
`model_name` is a model folder, or a `.gguf` file (transformers dequantises it; needs the `gguf`
package).

Failures are `ModelError`: a model that cannot be loaded, `generate` raising (out of GPU memory
included, which torch raises as a `RuntimeError`) in the caller's thread or in the streaming worker,
and a stream that produces nothing for `timeout_s`. Closing a stream early stops `generate` at its
next token (a stopping criterion watches a flag), so the GPU is free for the next request. Sampling
uses torch's default generator unseeded: seeding it would reset the random state of every other user
of torch in the process (it is global), so this backend takes no `seed`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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

from recassist.errors import ModelError

# What `generate` raises when the model or the device fails: torch's out-of-memory errors are
# RuntimeErrors, a bad input shape or option a ValueError.
GENERATE_ERRORS: tuple[type[Exception], ...] = (RuntimeError, ValueError)


class TransformersChat(BaseChatModel):
    """`model_name` loaded with transformers on `device` at the first call."""

    model_name: str
    device: str = "cuda"
    temperature: float = 0.2
    max_tokens: int = 160
    timeout_s: float = 60.0  # longest wait for the next streamed text

    _loaded: tuple[Any, Any] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "transformers"

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._loaded is None:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                path = Path(self.model_name)
                kwargs: dict[str, Any] = {}
                if path.suffix == ".gguf":
                    kwargs["gguf_file"] = path.name
                    source = str(path.parent)
                else:
                    source = self.model_name
                try:
                    tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
                    model = AutoModelForCausalLM.from_pretrained(source, dtype="auto", **kwargs).to(
                        self.device
                    )
                except (OSError, ValueError, RuntimeError) as err:
                    raise ModelError(
                        f"transformers could not load {self.model_name} on {self.device}: {err}"
                    ) from err
                self._loaded = (tokenizer, model.eval())
            return self._loaded

    def _inputs(
        self, messages: list[BaseMessage], kwargs: dict[str, Any]
    ) -> tuple[Any, Any, dict[str, Any]]:
        if kwargs.get("response_format") is not None:
            raise ModelError(
                "the transformers backend does not support response_format (constrained JSON)"
            )
        tokenizer, model = self._load()
        # a final assistant message is the answer's beginning, continued (as llama.cpp does)
        prefilled = bool(messages) and messages[-1].type == "ai"
        ids = tokenizer.apply_chat_template(
            convert_to_openai_messages(messages),
            add_generation_prompt=not prefilled,
            continue_final_message=prefilled,
            return_tensors="pt",
            return_dict=True,
        ).to(self.device)
        temperature = kwargs.get("temperature", self.temperature)
        options = {
            "max_new_tokens": kwargs.get("max_tokens", self.max_tokens),
            "do_sample": temperature > 0,
            "pad_token_id": tokenizer.eos_token_id,
        }
        if temperature > 0:
            options["temperature"] = temperature
        return tokenizer, model, {**ids, **options}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tokenizer, model, inputs = self._inputs(messages, kwargs)
        try:
            with torch.inference_mode():
                out = model.generate(
                    **inputs,
                    output_scores=True,
                    return_dict_in_generate=True,
                    stop_strings=stop,
                    tokenizer=tokenizer,
                )
        except GENERATE_ERRORS as err:
            raise ModelError(
                f"transformers generate failed on {self.device}: {type(err).__name__}: {err}"
            ) from err
        new = out.sequences[0, inputs["input_ids"].shape[1] :]
        metadata: dict[str, Any] = {"model_name": self.model_name}
        if kwargs.get("logprobs"):
            logprobs = torch.log_softmax(out.scores[0][0].float(), dim=-1)
            top = torch.topk(logprobs, kwargs.get("top_logprobs") or 1)
            metadata["logprobs"] = {
                "content": [
                    {
                        "token": tokenizer.decode(new[:1]),
                        "logprob": float(logprobs[new[0]]),
                        "top_logprobs": [
                            {"token": tokenizer.decode([int(i)]), "logprob": float(v)}
                            for v, i in zip(top.values, top.indices)
                        ],
                    }
                ]
            }
        text = tokenizer.decode(new, skip_special_tokens=True)
        return ChatResult(
            generations=[
                ChatGeneration(message=AIMessage(content=text, response_metadata=metadata))
            ]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Text as `generate` produces it in a worker thread; see the module docstring for
        failures."""
        import queue

        from transformers import TextIteratorStreamer

        tokenizer, model, inputs = self._inputs(messages, kwargs)
        streamer = TextIteratorStreamer(
            tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=self.timeout_s
        )
        cancelled = threading.Event()
        failure: list[BaseException] = []
        worker = _generating(
            model,
            {**inputs, "stop_strings": stop, "tokenizer": tokenizer},
            streamer,
            cancelled,
            failure,
        )
        try:
            for text in streamer:
                if text:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager is not None:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
        except queue.Empty as err:
            raise ModelError(
                f"transformers produced nothing for {self.timeout_s} s on {self.device}"
            ) from err
        finally:
            cancelled.set()
            worker.join(timeout=self.timeout_s)
        if failure:
            err = failure[0]
            raise ModelError(
                f"transformers generate failed on {self.device}: {type(err).__name__}: {err}"
            ) from err


def _generating(
    model: Any,
    options: dict[str, Any],
    streamer: Any,
    cancelled: threading.Event,
    failure: list[BaseException],
) -> threading.Thread:
    """`model.generate(**options)` started in a daemon thread, feeding `streamer` until it ends or
    `cancelled` is set (checked at every token); a failure is put in `failure` and ends the stream,
    so that the reader raises it."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Cancelled(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **_: Any) -> Any:
            return torch.full(
                (input_ids.shape[0],),
                cancelled.is_set(),
                dtype=torch.bool,
                device=input_ids.device,
            )

    def work() -> None:
        try:
            with torch.inference_mode():
                model.generate(
                    **options,
                    streamer=streamer,
                    stopping_criteria=StoppingCriteriaList([Cancelled()]),
                )
        except GENERATE_ERRORS as err:
            failure.append(err)
            streamer.end()  # wake the reader, which raises the failure

    worker = threading.Thread(target=work, daemon=True, name="transformers-stream")
    worker.start()
    return worker
