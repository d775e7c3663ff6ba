"""Thumbs up / down and "not interested" from the app, kept as an append-only log per data set.

`<data_dir>/feedback/<dataset>.jsonl`, one JSON object a line. A like from a known user is an interaction
(event `like`): `DatasetStore.load` adds it to the data set, so the next `recassist index build` learns
from it. Dislikes and "not interested" are kept too; the running session stops showing those items at
once. Only pseudonymous user ids are written.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Literal

Feedback = Literal["like", "dislike", "not_interested"]


def feedback_path(data_dir: Path, dataset: str) -> Path:
    return data_dir / "feedback" / f"{dataset}.jsonl"


class FeedbackLog:
    def __init__(self, data_dir: Path, dataset: str) -> None:
        self.path = feedback_path(data_dir, dataset)
        self._lock = threading.Lock()

    def append(self, user_id: str | None, item_id: str, feedback: Feedback) -> None:
        record = {"user_id": user_id, "item_id": item_id, "feedback": feedback, "timestamp": int(time.time())}
        line = json.dumps(record) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
