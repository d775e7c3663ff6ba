"""LLM-written item profiles (KAR-style knowledge augmentation): what an item is about beyond its
title and tags, as short phrases: themes, mood, setting, audience.

The local model writes one profile per item under a JSON schema (`recassist.llm.item_profiles`);
this module holds what every layer reads: the profile's type, the genre check, and the cache. The
model is not shown the item's genres; it names the genres it believes the item has, and a profile
whose genres share none with the item's own tags is a profile of some other film (the model does not
know this one) and is dropped (`contradicts`).

The cache is one JSON Lines file per data set, `<data_dir>/profiles/<dataset>.jsonl`, one record per
item written, keyed by a hash of what the profile was written from (the title, the prompt version
and the model): appends only, so a run killed at any point loses at most the line it was writing,
and a second run writes only the items whose key has no record yet (incremental and resumable).
Dropped profiles are recorded too, so that they are not written again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from recassist.data.schema import TAG_SEPARATOR

PROFILE_VERSION = "1"  # bump when the prompt or the schema changes: every key changes with it


class ItemProfile(BaseModel):
    """One item's profile as the model writes it (bounded: constrained decoding cannot run on)."""

    genres: list[str] = Field(default_factory=list, max_length=3)
    themes: list[str] = Field(default_factory=list, max_length=4)
    mood: str = Field(default="", max_length=60)
    setting: str = Field(default="", max_length=60)
    audience: str = Field(default="", max_length=40)

    def text(self) -> str:
        """The profile in words, as it is embedded with the item and shown as evidence."""
        parts = []
        if self.themes:
            parts.append("Themes: " + ", ".join(self.themes) + ".")
        if self.mood:
            parts.append(f"Mood: {self.mood}.")
        if self.setting:
            parts.append(f"Setting: {self.setting}.")
        if self.audience:
            parts.append(f"For: {self.audience}.")
        return " ".join(parts)


def profile_schema(tags: Iterable[str]) -> dict:
    """The JSON schema the model writes under: genres from the catalogue's `tags` only."""
    schema = ItemProfile.model_json_schema()
    props = schema["properties"]
    props["genres"]["items"] = {"type": "string", "enum": sorted(t for t in tags if t)}
    props["genres"]["minItems"] = 1
    props["themes"]["minItems"] = 2
    for name in ("themes",):
        props[name]["items"] = {"type": "string", "maxLength": 40}
    schema["required"] = ["genres", "themes", "mood", "setting", "audience"]
    return schema


def contradicts(profile: ItemProfile, tags: str) -> bool:
    """Whether the profile's genres share none with the item's own tags (a profile of some other
    film). An item without tags cannot be checked and is never contradicted."""
    own = {t.lower() for t in tags.split(TAG_SEPARATOR) if t}
    return bool(own) and not any(g.lower() in own for g in profile.genres)


def profile_key(title: str, model: str) -> str:
    """The cache key of an item's profile: its title, the prompt version and the model."""
    return hashlib.sha256(f"{PROFILE_VERSION}\0{model}\0{title}".encode()).hexdigest()[:16]


class ProfileStore:
    """The profiles of one data set: read all at once, appended one record at a time."""

    def __init__(self, data_dir: Path, dataset: str) -> None:
        self.path = data_dir / "profiles" / f"{dataset}.jsonl"

    def records(self) -> dict[str, dict]:
        """The latest record per item id; a torn last line (a killed run) is skipped."""
        out: dict[str, dict] = {}
        if not self.path.is_file():
            return out
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "item_id" in record:
                out[str(record["item_id"])] = record
        return out

    def profiles(self) -> dict[str, ItemProfile]:
        """The kept (not contradicted) profiles by item id."""
        out = {}
        for item_id, record in self.records().items():
            if record.get("status") == "ok":
                try:
                    out[item_id] = ItemProfile.model_validate(record["profile"])
                except (ValidationError, KeyError):
                    continue
        return out

    def append(self, item_id: str, key: str, profile: ItemProfile | None, status: str) -> None:
        """One record, flushed and synced: a killed run keeps every profile written before."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "item_id": item_id,
            "key": key,
            "status": status,
            "profile": profile.model_dump() if profile else None,
        }
        with self.path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell():  # a torn last line (a killed run) is ended, so this record is whole
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")
            handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
            handle.flush()
            os.fsync(handle.fileno())
