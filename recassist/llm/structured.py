"""The structured-plan pattern: the model plans under a JSON schema, and the words the user said
win.

A deterministic reader (the chat parser, the marketer question parser) reads a message first; the
model then writes the same typed plan under its JSON schema (constrained decoding), pydantic
validates it, and a `reconcile` step of the caller's puts what the reader found in so many words
over the model's reading where both speak. When the model's plan cannot be had or read (a model
error, JSON that is not the schema's), the reader's plan is the plan: a turn never fails because
the model planned badly. `json_reply` is the schema step alone, for a caller with no reader of its
own (item profiles).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ValidationError

from recassist.llm.backend import LLM_ERRORS

log = logging.getLogger(__name__)
Plan = TypeVar("Plan", bound=BaseModel)

# What a plan the model wrote can fail with: the model, its JSON, or the schema's validation.
PLAN_ERRORS: tuple[type[Exception], ...] = (
    *LLM_ERRORS,
    ValidationError,
    json.JSONDecodeError,
    TypeError,
)


def response_format(name: str, schema: dict) -> dict:
    """The `response_format` that makes the backends decode under `schema` (llama.cpp's grammar,
    OpenAI's structured output)."""
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}


def json_reply(
    model: BaseChatModel,
    messages: list,
    kind: type[Plan],
    fmt: dict,
    max_tokens: int,
) -> Plan:
    """The model's reply under the `fmt` schema, validated as `kind` (temperature 0: a plan is
    read, not written); raises one of `PLAN_ERRORS` when it is unusable."""
    reply = model.invoke(messages, response_format=fmt, max_tokens=max_tokens, temperature=0.0)
    return kind.model_validate(json.loads(reply.content))


@dataclass(frozen=True)
class Planned(Generic[Plan]):
    """A plan and who wrote it: "llm" (the model's, reconciled with the reader's) or "parser" (the
    reader's alone, as the model's failed or was not asked)."""

    plan: Plan
    planner: str
    error: str | None = None  # why the model's plan was not used


@dataclass(frozen=True)
class SchemaPlanner(Generic[Plan]):
    """Plans of type `kind` written by `model` under `kind`'s schema (or `schema`, a shorter one
    the model writes faster), at most `max_tokens` long."""

    model: BaseChatModel
    kind: type[Plan]
    name: str
    max_tokens: int = 200
    schema: dict | None = None

    def plan(
        self, messages: list, parsed: Plan, reconcile: Callable[[Plan], Plan]
    ) -> Planned[Plan]:
        """The model's plan passed through `reconcile` (the caller's: the reader's `parsed` reading
        wins where both speak), or `parsed` itself when the model's plan fails."""
        fmt = response_format(self.name, self.schema or self.kind.model_json_schema())
        try:
            planned = json_reply(self.model, messages, self.kind, fmt, self.max_tokens)
            return Planned(reconcile(planned), "llm")
        except PLAN_ERRORS as err:
            log.info(
                "%s from the parser: the LLM's plan failed (%s)", self.name, type(err).__name__
            )
            return Planned(parsed, "parser", type(err).__name__)
