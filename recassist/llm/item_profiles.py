"""Writing item profiles with the local model: one profile per item, under a JSON schema
(`recassist.data.item_profiles`), checked against the item's own genres, appended to the cache.

Items are written most-rated first, so that a bounded run (`limit`, `max_seconds`) covers the items
people ask about most; the rest follow on the next run (the cache is incremental and resumable). On
two shared cores the 1.5B model writes a profile in several seconds (docs/benchmarks.md has the
figures), so the whole catalogue is a background job (`recassist index profiles`), never part of
serving a turn.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import ValidationError

from recassist.data.item_profiles import (
    ItemProfile,
    ProfileStore,
    contradicts,
    profile_key,
    profile_schema,
)
from recassist.llm.backend import LLM_ERRORS
from recassist.llm.prompts import load_prompt, quote
from recassist.llm.structured import json_reply, response_format

log = logging.getLogger(__name__)


@dataclass
class ProfileReport:
    """What one run did: profiles kept, dropped (contradicting the genres), failed, cached."""

    kept: int = 0
    contradicted: int = 0
    failed: int = 0
    cached: int = 0
    remaining: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.kept + self.contradicted

    def summary(self) -> str:
        rate = self.contradicted / self.written if self.written else 0.0
        per = self.seconds / max(1, self.written + self.failed)
        return (
            f"{self.written} profiles written in {self.seconds:.0f} s ({per:.1f} s each): "
            f"{self.kept} kept, "
            f"{self.contradicted} dropped as contradicting the item's genres ({rate:.0%}), "
            f"{self.failed} failed; {self.cached} already cached, "
            f"{self.remaining} left for a later run"
        )


def most_rated_first(items: pd.DataFrame, interactions: pd.DataFrame) -> list[str]:
    """Item ids, the most interacted-with first (ties by id order)."""
    counts = interactions["item_id"].value_counts()
    order = items.assign(_n=items["item_id"].map(counts).fillna(0)).sort_values(
        "_n", ascending=False, kind="stable"
    )
    return order["item_id"].astype(str).tolist()


class ProfileWriter:
    """Writes profiles of a data set's items with `model`; `model_name` is part of each key."""

    def __init__(
        self, model: BaseChatModel, model_name: str, tags: Iterable[str], max_tokens: int = 120
    ) -> None:
        self.model, self.model_name, self.max_tokens = model, model_name, max_tokens
        self._prompt = load_prompt("item_profile")
        self._format = response_format("item_profile", profile_schema(tags))

    def write_one(self, title: str) -> ItemProfile:
        """The model's profile of one title; `ModelError`, `ValidationError` or `JSONDecodeError`
        when its answer is unusable."""
        messages = self._prompt.format_messages(title=quote(title, 120))
        return json_reply(self.model, messages, ItemProfile, self._format, self.max_tokens)

    def run(
        self,
        store: ProfileStore,
        items: pd.DataFrame,
        order: list[str],
        *,
        limit: int | None = None,
        max_seconds: float | None = None,
        progress: Callable[[Iterable], Iterable] = lambda it: it,
    ) -> ProfileReport:
        """Profiles for the items in `order` that have none cached under their key yet, at most
        `limit` of them and for at most `max_seconds`; each appended to `store` as soon as it is
        written."""
        report, started = ProfileReport(), time.monotonic()
        done = store.records()
        rows = items.set_index(items["item_id"].astype(str))
        todo = []
        for item_id in order:
            key = profile_key(rows.at[item_id, "title"], self.model_name)
            if done.get(item_id, {}).get("key") == key:
                report.cached += 1
            else:
                todo.append((item_id, key))
        batch = todo[:limit] if limit is not None else todo
        report.remaining = len(todo) - len(batch)
        for n, (item_id, key) in enumerate(progress(batch)):
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                report.remaining += len(batch) - n
                break
            self._write(store, item_id, key, rows.loc[item_id], report)
        report.seconds = time.monotonic() - started
        return report

    def _write(
        self, store: ProfileStore, item_id: str, key: str, row: pd.Series, report: ProfileReport
    ) -> None:
        try:
            profile = self.write_one(str(row["title"]))
        except (*LLM_ERRORS, ValidationError, json.JSONDecodeError) as err:
            log.info("no profile for item %s: %s", item_id, type(err).__name__)
            report.failed += 1
            return
        tags = str(row["tags"] or "")
        status = "contradicts" if contradicts(profile, tags) else "ok"
        report.kept += status == "ok"
        report.contradicted += status == "contradicts"
        store.append(item_id, key, profile, status)
