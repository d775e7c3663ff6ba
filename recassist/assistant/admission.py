"""Admission control for the one local model: a bounded queue that degrades instead of making users
wait.

At most `model_slots` turns use the model at once (each writes its `explain_parallel` explanations
in llama.cpp's parallel slots, so `llm.parallel / explain_parallel` turns fit), at most
`queue_depth` more wait for it, and none waits longer than `queue_wait_s`. A turn that is not
admitted is answered at once without the model: the parser's plan, template explanations (faithful
by construction), and a note that says so. Nobody gets an error for a busy model.

While the model warms up after a start (loading, and its explanation prompt going into its slots: a
minute or two on 2 cores), no turn waits for it: each is answered at once without it, with
`WARMING_NOTE`, not `BUSY_NOTE`, which is said only when the queue is really full or the wait ran
out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from recassist.settings import AgentConfig

BUSY_NOTE = "Many people are asking right now, so these explanations come from the evidence alone (no AI text)."
WARMING_NOTE = (
    "The assistant is still warming up after its start, so these explanations come "
    "from the evidence alone (no AI text) for a minute or two."
)


class ModelGate:
    def __init__(self, config: AgentConfig) -> None:
        self.wait_s, self.depth = config.queue_wait_s, config.queue_depth
        self._slots = threading.BoundedSemaphore(config.model_slots)
        self._lock = threading.Lock()
        self._waiting = 0
        self._ready = threading.Event()
        self._ready.set()  # a gate whose model needs no warm-up is ready at once

    @property
    def ready(self) -> bool:
        """Whether the model is warm: false from `begin_warm_up` until `warming_up` ends."""
        return self._ready.is_set()

    def begin_warm_up(self) -> None:
        """Mark the model as warming up, from now until a `warming_up` block ends."""
        self._ready.clear()

    @contextmanager
    def warming_up(self) -> Iterator[None]:
        """Hold a model slot while the model warms up (waiting for a turn already in it), then mark
        it ready even when warming failed: turns then meet the failure themselves, with templates.
        """
        self._ready.clear()
        self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()
            self._ready.set()

    @contextmanager
    def slot(self, wait_s: float | None = None) -> Iterator[bool]:
        """Hold a model slot for the `with` block; yields False (holding nothing) when the queue is
        full or the wait would pass `wait_s` (default: the configured wait), and at once while the
        model warms up."""
        if not self.ready:
            yield False
            return
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
