"""The sensitive-category check every marketer and advertiser text passes: one mechanism, no
deny-list.

`SensitiveCheck.check(text)` returns a `Finding` when the text names a GDPR Art. 9 special category
(health, religion, sexuality, racial or ethnic origin, trade union membership, genetic or biometric
data) or politics, else None. Two tests, in order:

- **words**: the text is normalised (Unicode NFKC, confusable letters such as a Cyrillic 'а' read as
  their Latin twin, case folded, accents dropped, spaced-out letters joined) and each word is
  stemmed with the Snowball stemmer of each of the six languages the chat reads (EN, FR, ES, DE, IT,
  PT); a run of stems equal to a listed term's stems is a finding. The lists are package data
  (`recassist/trust/words/<lang>.txt`), so a plural or a derivation ('Catholics', 'diabetics') is
  caught without being listed.
- **meaning** (when an embedder is given): the text's embedding against sensitive concept sentences
  (`recassist/trust/concepts.txt`); the nearest above `threshold` is a finding. It catches
  paraphrases no list holds ("people who go to mass on Sunday").

The numbers (refusal rate on sensitive phrases, false refusals on ordinary marketing phrases) are in
docs/benchmarks.md ("Sensitive categories"), from benchmarks/sensitive.py.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

import numpy as np
import snowballstemmer
from confusable_homoglyphs import confusables

if TYPE_CHECKING:
    from recassist.retrieval.embedding import Embedder

LANGUAGES = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
}
# cosine similarity (MiniLM-L6, normalised) at which a text means a sensitive concept; chosen on the
# phrase sets of benchmarks/sensitive.py, see docs/benchmarks.md
DEFAULT_THRESHOLD = 0.6
_WORD = re.compile(r"\w+")
SHORT_STEM = 4  # a listed word stemmed shorter than this is matched as written, not by its stem
_MAX_CHARS = 2_000  # the meaning test reads this much of a text
_STEMMING = threading.Lock()


@dataclass(frozen=True)
class Finding:
    """Why a text is refused: its category, the listed term or concept it matched, and how."""

    category: str
    term: str
    how: Literal["word", "meaning"]
    language: str | None = None  # the word list's language; None for the meaning test
    score: float = 1.0  # cosine similarity for the meaning test

    def reason(self) -> str:
        """The refusal in words, for an error message."""
        if self.how == "word":
            return f"names {self.category} ('{self.term}', {self.language})"
        return f"means {self.category} (near '{self.term}', similarity {self.score:.2f})"


def _fold(text: str) -> str:
    """Case folded, accents dropped (NFKD without combining marks), so lists and texts compare
    alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """NFKC, then each letter confusable with a Latin one replaced by it, then `_fold`."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        found = confusables.is_confusable(text, preferred_aliases=["latin"], greedy=True) or []
        table = {
            hit["character"]: hit["homoglyphs"][0]["c"]
            for hit in found
            if hit.get("homoglyphs") and hit["alias"] not in ("LATIN", "COMMON")
        }
        text = "".join(table.get(c, c) for c in text)
    return _fold(text)


def words(text: str) -> list[str]:
    """The normalised words of `text`; a run of three or more single letters ("g a y") is joined."""
    out: list[str] = []
    run: list[str] = []
    for token in _WORD.findall(normalise(text).replace("_", " ")):
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        out.append(token)
    out.extend(["".join(run)] if len(run) >= 3 else run)
    return out


@dataclass(frozen=True)
class _Lexicon:
    """Per language: its stemmer and the stemmed terms, as tuples of stems -> (category, term)."""

    stemmers: dict[str, snowballstemmer.stemmer]
    terms: dict[str, dict[tuple[str, ...], tuple[str, str]]]
    longest: int
    # per language: a word whose stem is too short to tell ("queer" is "que" in French and
    # Spanish, as is "qué") -> (category, term), matched as written
    exact: dict[str, dict[str, tuple[str, str]]]

    def find(self, tokens: Sequence[str]) -> Finding | None:
        for language, table in self.exact.items():
            if hit := next((table[t] for t in tokens if t in table), None):
                return Finding(hit[0], hit[1], "word", language)
        for language, stemmer in self.stemmers.items():
            with _STEMMING:  # a Snowball stemmer keeps state between calls
                stems = stemmer.stemWords(list(tokens))
            table = self.terms[language]
            for size in range(1, self.longest + 1):
                for start in range(len(stems) - size + 1):
                    hit = table.get(tuple(stems[start : start + size]))
                    if hit is not None:
                        return Finding(hit[0], hit[1], "word", language)
        return None


def _entries(name: str) -> Iterable[tuple[str, str]]:
    """(category, entry) of a package data file of "category | entry, entry" lines."""
    text = resources.files("recassist.trust").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            category, _, rest = line.partition("|")
            yield from (
                (category.strip(), entry.strip()) for entry in rest.split(",") if entry.strip()
            )


@cache
def lexicon() -> _Lexicon:
    """The six word lists, stemmed, read once on first use."""
    stemmers, terms, exact, longest = {}, {}, {}, 1
    for code, algorithm in LANGUAGES.items():
        stemmer = snowballstemmer.stemmer(algorithm)
        table: dict[tuple[str, ...], tuple[str, str]] = {}
        exact[code] = {}
        for category, term in _entries(f"words/{code}.txt"):
            written = words(term)
            stems = tuple(stemmer.stemWords(written))
            if len(stems) == 1 and stems[0] != written[0] and len(stems[0]) < SHORT_STEM:
                exact[code].setdefault(written[0], (category, term))
                continue
            table.setdefault(stems, (category, term))
            longest = max(longest, len(stems))
        stemmers[code], terms[code] = stemmer, table
    return _Lexicon(stemmers, terms, longest, exact)


def concepts() -> list[tuple[str, str]]:
    """(category, sentence) of the sensitive concepts of the meaning test."""
    return list(_entries("concepts.txt"))


class SensitiveCheck:
    """Words and, with an `embedder`, meaning; thread-safe. Construct once per app: the concept
    vectors are computed on the first `check` that needs them."""

    def __init__(
        self, embedder: Embedder | None = None, threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.embedder, self.threshold = embedder, threshold
        self._concepts = concepts()
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()  # one computation of the concept vectors

    def check(self, text: str) -> Finding | None:
        """The first sensitive category `text` names or means, or None."""
        return self.check_many([text])[0]

    def check_many(self, texts: Sequence[str]) -> list[Finding | None]:
        """`check` of each text, the meaning test of those the words pass in one embedding batch."""
        found: list[Finding | None] = []
        pending: dict[int, str] = {}
        for i, text in enumerate(texts):
            tokens = words(text)
            found.append(lexicon().find(tokens) if tokens else None)
            if found[-1] is None and tokens and self.embedder is not None:
                pending[i] = " ".join(tokens)[:_MAX_CHARS]
        if pending:
            for i, meant in zip(pending, self._meaning(list(pending.values()))):
                found[i] = meant
        return found

    def _meaning(self, texts: list[str]) -> list[Finding | None]:
        """The nearest concept of each text when it is at least `threshold` near."""
        assert self.embedder is not None
        with self._lock:
            if self._vectors is None:
                self._vectors = self.embedder.encode([s for _, s in self._concepts])
        scores = self.embedder.encode(texts) @ self._vectors.T
        out: list[Finding | None] = []
        for row in scores:
            best = int(np.argmax(row))
            category, sentence = self._concepts[best]
            near = float(row[best]) >= self.threshold
            out.append(
                Finding(category, sentence, "meaning", None, float(row[best])) if near else None
            )
        return out
