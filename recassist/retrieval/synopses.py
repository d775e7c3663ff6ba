"""Synopses: what each film is about in words, matched by meaning against a description.

The concepts match a description by the names of what films are (`retrieval.concepts`): a
request that names none of them ("films about painters", "life in a psychiatric hospital") finds
nothing there, though TMDb's overview of Basquiat speaks of a painter and One Flew Over the
Cuckoo's Nest has the keyword "mental institution". A film's synopsis is its TMDb overview
where TMDb has the film, then what it is about: the names of its concepts (kinds
of film, subjects, countries and languages, not people nor awards) and its TMDb keywords. The items
whose synopsis is nearest a description in the embedder's space add to what the concepts score
(`assistant.named`); no title is in a synopsis, so "more like The Big Lebowski" never finds
The Big One here. On the descriptive requests it raised precision@5 where the concepts knew least
(docs/benchmarks.md, eleventh session).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Encode = Callable[[Sequence[str]], np.ndarray]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
QUOTE_MOST = 160  # characters of a sentence an explanation quotes


def quoted_part(part: str) -> str:
    """A part of a synopsis as it is quoted: without its full stop, cut at `QUOTE_MOST`
    characters (at a word, with an ellipsis)."""
    best = part.rstrip(".!?")
    if len(best) <= QUOTE_MOST:
        return best
    return best[: best.rfind(" ", 0, QUOTE_MOST)].rstrip(",;:") + "…"


@dataclass(frozen=True)
class Synopsis:
    """One film's words: its overview ("" when TMDb has none) and what it is about."""

    overview: str
    about: tuple[str, ...]

    @property
    def text(self) -> str:
        """What is embedded: the overview, then "About: ..." (its concepts and keywords)."""
        about = f"About: {', '.join(self.about)}." if self.about else ""
        return " ".join(p for p in (self.overview, about) if p)

    def parts(self) -> list[str]:
        """What an explanation may quote: each sentence of the overview, else (TMDb has none)
        each of what it is about ("filmmaking"; a list of them read as a list, not a reason)."""
        return [s for s in _SENTENCE.split(self.overview) if s] or list(self.about)


class Synopses:
    """The synopses of one catalogue's items. `encode` embeds a description; `documents` embeds
    the synopses, once (a cache on disk makes a second start instant), at `warm` or at the first
    request that needs them, whichever comes first."""

    def __init__(
        self,
        synopses: Mapping[str, Synopsis],
        encode: Encode,
        documents: Encode | None = None,
    ) -> None:
        self.synopses, self.encode = dict(synopses), encode
        self._documents = documents or encode
        self._ids = list(self.synopses)
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()
        self._asked: tuple[str, np.ndarray] | None = None  # the last text and its vector

    def warm(self) -> None:
        """Embed every synopsis now (about 17 s for ML-100k on 2 cores, unless cached)."""
        with self._lock:
            if self._vectors is None:
                self._vectors = self._documents([self.synopses[i].text for i in self._ids])

    def nearest(self, text: str, n: int, floor: float) -> dict[str, float]:
        """Item id -> cosine similarity of its synopsis to `text`, for the `n` nearest that are
        more than `floor` near, nearest first."""
        if not self._ids or not text.strip():
            return {}
        self.warm()
        assert self._vectors is not None
        similarity = self._vectors @ self._vector(text)
        order = np.argsort(-similarity)[:n]
        return {self._ids[j]: float(similarity[j]) for j in order if similarity[j] > floor}

    def evidence(self, item_id: str, text: str) -> str | None:
        """The part of the item's synopsis nearest `text`: a sentence of its overview (cut at
        `QUOTE_MOST` characters) or one of what it is about; None when it has no synopsis."""
        synopsis = self.synopses.get(item_id)
        parts = synopsis.parts() if synopsis is not None else []
        if not parts:
            return None
        return quoted_part(parts[int(np.argmax(self.encode(parts) @ self._vector(text)))])

    def _vector(self, text: str) -> np.ndarray:
        """`text` embedded, once for the picks of a turn that all quote against it."""
        asked = self._asked  # one read: another turn may replace it meanwhile
        if asked is None or asked[0] != text:
            asked = self._asked = (text, self.encode([text])[0])
        return asked[1]
