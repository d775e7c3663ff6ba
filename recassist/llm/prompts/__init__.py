"""Prompt files (`recassist/llm/prompts/<name>.txt`, package data of the `prompts` package) loaded
as LangChain chat prompt templates, and data quoting.

A prompt file has a `=== system ===` section and a `=== user ===` section; `{name}` fields are
filled by the caller, with `quote`d data only. Catalogue text and user messages go into the prompt
between tags that the system text declares to be data; `quote` removes what could close or fake such
a tag (angle brackets) and control characters, collapses whitespace and bounds the length, so a
description cannot step outside its delimiters.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from recassist.errors import ConfigError

_SECTION = re.compile(r"^=== (system|user) ===$", re.MULTILINE)
_UNSAFE = re.compile(r"[<>\x00-\x08\x0b-\x1f\x7f]")


def load_prompt(name: str, folder: Path | Traversable | None = None) -> ChatPromptTemplate:
    """`<name>.txt` from `folder` (default: the installed `prompts` package) as a system + user chat
    prompt template."""
    path = (folder if folder is not None else resources.files(__name__)) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"prompt file {path} is missing") from None
    parts = _SECTION.split(text)
    sections = {role: body.strip() for role, body in zip(parts[1::2], parts[2::2])}
    if set(sections) != {"system", "user"}:
        raise ConfigError(
            f"prompt file {path} needs exactly a '=== system ===' and a '=== user ===' section"
        )
    return ChatPromptTemplate.from_messages(
        [("system", sections["system"]), ("user", sections["user"])]
    )


def quote(text: object, limit: int = 300) -> str:
    """`text` made safe to sit between data tags: one line, no angle brackets, at most `limit`
    characters."""
    clean = " ".join(_UNSAFE.sub(" ", str(text)).split())
    return clean if len(clean) <= limit else clean[: limit - 1].rstrip() + "…"
