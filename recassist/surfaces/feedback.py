"""Thumbs up / down and "not interested" from the app, kept as an append-only log per data set.

`<data_dir>/feedback/<dataset>.jsonl`, one JSON object a line. A like from a known user is an interaction
(event `like`): `DatasetStore.load` adds it to the data set, so the next `recassist index build` learns
from it. Dislikes and "not interested" are kept too; the running session stops showing those items at
once. Only pseudonymous user ids are written.

A record is stored whole or not at all, even when the app is killed while writing: each line goes to the
file in one `write` on a descriptor opened for appending, and is flushed to disk before `append` returns.
A line cut short by a crash (a tail without its newline) is ignored by the reader and cut off by the next
writer before it appends, so it never glues onto the next record. A file lock keeps several app
processes writing one log in turn.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

from recassist.assistant.request import FeedbackKind as Feedback


def feedback_path(data_dir: Path, dataset: str) -> Path:
    return data_dir / "feedback" / f"{dataset}.jsonl"


class FeedbackLog:
    def __init__(self, data_dir: Path, dataset: str) -> None:
        self.path = feedback_path(data_dir, dataset)
        self._lock = threading.Lock()

    def append(self, user_id: str | None, item_id: str, feedback: Feedback) -> None:
        record = {"user_id": user_id, "item_id": item_id, "feedback": feedback, "timestamp": int(time.time())}
        line = (json.dumps(record) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                _drop_torn_tail(fd)
                written = os.write(fd, line)
                if written != len(line):  # a full disk: take the partial record back out
                    os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_END) - written)
                    raise OSError(f"only {written} of {len(line)} bytes of a feedback record reached {self.path}")
                os.fsync(fd)
            finally:
                os.close(fd)


def _drop_torn_tail(fd: int) -> None:
    """Cut a last line that lacks its newline (a record a killed writer left half written); a last line
    that is a whole record and only misses its newline gets the newline instead."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end, step = size, 4096
    cut = 0
    while end > 0:
        start = max(0, end - step)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            cut = start + newline + 1
            break
        end = start
    try:
        json.loads(os.pread(fd, size - cut, cut))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError both
        os.ftruncate(fd, cut)
        return
    os.write(fd, b"\n")
