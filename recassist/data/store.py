"""Imported data sets in the data directory, one folder each: `<data_dir>/datasets/<name>/`.

Each holds items, users, interactions and social as Parquet (interactions in the row order of the
imported file, which the evaluation protocol uses to break timestamp ties) and `manifest.json`
(counts, the cleaning report, the source, a fingerprint of the content). A save is atomic: the new
folder is written beside the old one and swapped in by rename, so a failed import leaves the
previous data set untouched.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from recassist.data.schema import item_years
from recassist.data.timeorder import TimeOrder, measure, recorded
from recassist.errors import ConfigError, DatasetNotFoundError

MANIFEST = "manifest.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(
            f"data set name '{name}' is not allowed: use 3-64 lower-case letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Dataset:
    """One imported data set. User ids are pseudonyms; item ids are as in the imported files."""

    name: str
    items: pd.DataFrame
    users: pd.DataFrame
    interactions: pd.DataFrame
    social: pd.DataFrame
    manifest: dict

    @property
    def fingerprint(self) -> str:
        return self.manifest["fingerprint"]

    @cached_property
    def time_order(self) -> TimeOrder:
        """Whether the interactions are in time order (recorded at import; measured for older
        imports)."""
        return recorded(self.manifest, self.interactions)


def fingerprint(frames: dict[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in sorted(frames):
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frames[name], index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _logged_likes(raw: bytes, users: set[str], items: set[str]) -> pd.DataFrame:
    """Likes of known users on known items from a feedback log, as interaction rows."""
    rows = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: the rest of the log still counts
        if (
            record.get("feedback") == "like"
            and record.get("user_id") in users
            and record.get("item_id") in items
        ):
            rows.append(
                (record["user_id"], record["item_id"], "like", int(record.get("timestamp", 0)), 1.0)
            )
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "event", "timestamp", "weight"])
    return frame.astype({"timestamp": "int64", "weight": "float32"})


class DatasetStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "datasets"

    def path(self, name: str) -> Path:
        return self.root / check_name(name)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if (p / MANIFEST).is_file() and _NAME.match(p.name)
        )

    def exists(self, name: str) -> bool:
        return (self.path(name) / MANIFEST).is_file()

    def manifest(self, name: str) -> dict:
        path = self.path(name) / MANIFEST
        if not path.is_file():
            raise DatasetNotFoundError(
                f"data set '{name}' is not imported; run `recassist data fetch {name}` or `recassist data import {name} ...`"
            )
        return json.loads(path.read_text())

    def time_order(self, name: str) -> TimeOrder:
        """The manifest's time order; measured from the stored interactions for an older import."""
        manifest = self.manifest(name)
        if "time_order" in manifest:
            return TimeOrder.from_dict(manifest["time_order"])
        return measure(
            pd.read_parquet(
                self.path(name) / "interactions.parquet", columns=["user_id", "timestamp"]
            )
        )

    def load(self, name: str, likes: pd.DataFrame | None = None) -> Dataset:
        """The data set, with the app's logged likes added as `like` events, and each item's year
        the one in its title where it has one (`item_years`; imports made before that rule stored
        ML-100k's release dates). Likes come from `likes` (interaction rows, e.g. the state
        database's feedback: `recassist.state.feedback.stored_likes`) and from an older app's log
        `<data_dir>/feedback/<name>.jsonl`; only those of known users on known items count, and they
        change the fingerprint, so models fitted without them are fitted again."""
        manifest = self.manifest(name)
        folder = self.path(name)
        frames = {
            table: pd.read_parquet(folder / f"{table}.parquet")
            for table in ("items", "users", "interactions", "social")
        }
        if "year" in frames["items"].columns:
            frames["items"]["year"] = item_years(frames["items"])
        users, items = set(frames["users"]["user_id"]), set(frames["items"]["item_id"])
        found = []
        feedback = self.root.parent / "feedback" / f"{name}.jsonl"
        if feedback.is_file():
            found.append(_logged_likes(feedback.read_bytes(), users, items))
        if likes is not None and len(likes):
            found.append(likes[likes["user_id"].isin(users) & likes["item_id"].isin(items)])
        added = sum(len(frame) for frame in found)
        if added:
            frames["interactions"] = pd.concat([frames["interactions"], *found], ignore_index=True)
            # the validated likes, as distinct (user, item) pairs: a replayed, torn, unknown or
            # non-like event changes nothing, so the fitted generators are kept
            pairs = pd.concat(found)[["user_id", "item_id"]].drop_duplicates()
            pairs = pairs.sort_values(["user_id", "item_id"]).reset_index(drop=True)
            digest = hashlib.sha256(
                (manifest["fingerprint"] + fingerprint({"likes": pairs})).encode()
            )
            manifest = {**manifest, "fingerprint": digest.hexdigest(), "feedback_likes": added}
        return Dataset(name=name, manifest=manifest, **frames)

    def save(self, name: str, frames: dict[str, pd.DataFrame], manifest: dict) -> Path:
        """Write all tables, then swap the folder in. Returns the data set's folder."""
        target = self.path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=self.root))
        old: Path | None = None
        try:
            for table, frame in frames.items():
                frame.to_parquet(staging / f"{table}.parquet", index=False)
            manifest = {
                **manifest,
                "name": name,
                "fingerprint": fingerprint(frames),
                "imported_at": time.time(),
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=self.root))
                target.rename(old / "data")
            staging.rename(target)
        except BaseException:
            if old is not None and not target.exists():
                (old / "data").rename(target)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        return target
