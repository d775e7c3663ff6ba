"""Admission control for the one local model: a bounded queue that degrades instead of making users wait.

At most `model_slots` turns use the model at once (each writes its `explain_parallel` explanations in
llama.cpp's parallel slots, so `llm.parallel / explain_parallel` turns fit), at most `queue_depth` more
wait for it, and none waits longer than `queue_wait_s`. A turn that is not admitted is answered at once
without the model: the parser's plan, template explanations (faithful by construction), and a note that
says so. Nobody gets an error for a busy model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from recassist.settings import AgentConfig

BUSY_NOTE = "Many people are asking right now, so these explanations come from the evidence alone (no AI text)."


class ModelGate:
    def __init__(self, config: AgentConfig) -> None:
        self.wait_s, self.depth = config.queue_wait_s, config.queue_depth
        self._slots = threading.BoundedSemaphore(config.model_slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @contextmanager
    def slot(self, wait_s: float | None = None) -> Iterator[bool]:
        """Hold a model slot for the `with` block; yields False (holding nothing) when the queue is full or
        the wait would pass `wait_s` (default: the configured wait)."""
        with self._lock:
            if self._waiting >= self.depth:
                admitted = self._slots.acquire(blocking=False)
                queued = False
            else:
                self._waiting += 1
                admitted, queued = False, True
        if queued:
            try:
                admitted = self._slots.acquire(timeout=self.wait_s if wait_s is None else wait_s)
            finally:
                with self._lock:
                    self._waiting -= 1
        try:
            yield admitted
        finally:
            if admitted:
                self._slots.release()
