"""Tokens and phrase lookup: the mechanics that replace one regex per word list.

A message is cut once into tokens (runs of word characters, and every other character that is not
a space on its own, so "don't" is `don ' t` and "d'horreur" is `d ' horreur`). A phrase list
(`Phrases`) is a dictionary from a first token to the phrases that start with it; finding phrases
is one lookup per token, and a phrase matches whole words only, as `\\b...\\b` did. Within a
phrase, tokens written together ("don't", "grown-up") must touch in the text, tokens written apart
need some space between them.

Phrase syntax (the data files use it): "a|b" is one of several words, "word?" a word that may be
left out, "stem*" a word that starts so, "<digit>" a word that starts with a digit, and a last
"!word" a word that must not follow ("por que !no"; "!a|b" none of those).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

_TOKEN = re.compile(r"\w+|[^\w\s]")


class Token(NamedTuple):
    """One token of a text: its lower-case form and where it stands (a tuple: made by the
    thousand)."""

    low: str
    start: int
    end: int


def tokenise(text: str) -> tuple[Token, ...]:
    """The tokens of `text` (see the module docstring), lower-cased."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): token by token
        return tuple(Token(m.group().lower(), *m.span()) for m in _TOKEN.finditer(text))
    return tuple(Token(m.group(), *m.span()) for m in _TOKEN.finditer(low))


def tokens_outside(
    text: str, tokens: tuple[Token, ...], spans: list[tuple[int, int]]
) -> tuple[Token, ...]:
    """The tokens of `text` with `spans` blanked out: `tokens` (`text`'s) less those inside the
    spans; cut again only when a span ends inside a token."""
    if not spans:
        return tokens
    marked = bytearray(len(text))
    for start, end in spans:
        marked[start:end] = b"\1" * max(0, end - start)
    out = []
    for token in tokens:
        inside = marked.count(1, token.start, token.end)
        if inside == 0:
            out.append(token)
        elif inside != token.end - token.start:
            return tokenise("".join(" " if m else c for c, m in zip(text, marked, strict=True)))
    return tuple(out)


def words_of(tokens: tuple[Token, ...], text: str) -> list[tuple[int, int]]:
    """The words of `text` as spans: a letter first, then letters, digits, "'" or "-" touching it
    ("don't", "sci-fi"), as people read them."""
    spans: list[tuple[int, int]] = []
    for token in tokens:
        joined = spans and spans[-1][1] == token.start
        if joined and (token.low[0].isalnum() or token.low[0] in "_'-"):
            spans[-1] = (spans[-1][0], token.end)
        elif letter := next((k for k, c in enumerate(token.low) if c.isalpha()), None):
            spans.append((token.start + letter, token.end))  # "3d" holds the word "d"
        elif token.low[0].isalpha():
            spans.append((token.start, token.end))
    return spans


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]  # the tokens; a "*" ending is a prefix, "<digit>" any number
    touching: tuple[bool, ...]  # whether token k and k+1 touch (no space between)
    unless: frozenset[str] | None  # tokens that must not follow


def _token_matches(pattern: str, token: str) -> bool:
    if pattern == "<digit>":
        return token[:1].isdigit()
    if pattern.endswith("*") and len(pattern) > 1:
        return token.startswith(pattern[:-1])
    return token == pattern


def _expand(phrase: str) -> Iterable[tuple[str, str | None]]:
    """Every plain phrase the syntax stands for, with its "!word"."""
    parts = phrase.split()
    unless = parts.pop()[1:] if parts[-1].startswith("!") else None  # "!kids|children"
    slots = [
        [*part.rstrip("?").split("|"), *([""] if part.endswith("?") else [])] for part in parts
    ]
    for choice in itertools.product(*slots):
        yield " ".join(word for word in choice if word), unless


def _compile(phrase: str, unless: str | None) -> _Phrase:
    """A phrase cut as a message is (`tokenise`), with "<digit>" and a "*" ending kept whole;
    `unless` "a|b" is any of those words."""
    tokens: list[list] = []
    for token in tokenise(phrase.replace("<digit>", "\0")):
        low = "<digit>" if token.low == "\0" else token.low
        if low == "*" and tokens and tokens[-1][2] == token.start:
            tokens[-1][0] += "*"  # "resembl*": a prefix
            tokens[-1][2] = token.end
        else:
            tokens.append([low, token.start, token.end])
    touching = tuple(a[2] == b[1] for a, b in itertools.pairwise(tokens))
    barred = frozenset(unless.split("|")) if unless else None
    return _Phrase(tuple(t[0] for t in tokens), touching, barred)


class Phrases:
    """A list of phrases found as whole words in tokenised text (see the module docstring).
    `hyphen_bound`: a phrase touching a hyphen does not count ("sci-fi" holds no "fi")."""

    def __init__(self, phrases: Iterable[str], *, hyphen_bound: bool = False) -> None:
        self._first: dict[str, list[_Phrase]] = {}
        self._wild: list[_Phrase] = []  # phrases whose first token is a prefix or a number
        for phrase, unless in (p for text in phrases for p in _expand(text)):
            compiled = _compile(phrase, unless)
            first = compiled.words[0]
            if first.endswith("*") or first == "<digit>":
                self._wild.append(compiled)
            else:
                self._first.setdefault(first, []).append(compiled)
        for group in self._first.values():
            group.sort(key=lambda p: len(p.words), reverse=True)
        self._hyphen_bound = hyphen_bound

    @property
    def first_words(self) -> list[str]:
        """The tokens a phrase may start with (besides the prefix and number ones)."""
        return list(self._first)

    @property
    def has_wild(self) -> bool:
        """Whether a phrase starts with a prefix or a number."""
        return bool(self._wild)

    def match_at(self, tokens: tuple[Token, ...], i: int, text: str = "") -> int:
        """The index after the longest phrase starting at token `i`, or `i` when none does."""
        best = i
        candidates = self._first.get(tokens[i].low, ())
        if self._wild:
            candidates = [*candidates, *self._wild]
        for phrase in candidates:  # longest first, among those starting with this token
            end = i + len(phrase.words)
            if end > best and end <= len(tokens) and self._fits(phrase, tokens, i, text):
                best = end
        return best

    def _fits(self, phrase: _Phrase, tokens: tuple[Token, ...], i: int, text: str) -> bool:
        for k in range(1, len(phrase.words)):  # the first token is the lookup's (or a wild one)
            if not _token_matches(phrase.words[k], tokens[i + k].low):
                return False
            if phrase.touching[k - 1] != (tokens[i + k - 1].end == tokens[i + k].start):
                return False
        if not _token_matches(phrase.words[0], tokens[i].low):
            return False
        end = i + len(phrase.words)
        if phrase.unless is not None and end < len(tokens) and tokens[end].low in phrase.unless:
            return False
        if self._hyphen_bound and text:
            start, stop = tokens[i].start, tokens[end - 1].end
            return text[start - 1 : start] != "-" and text[stop : stop + 1] != "-"
        return True

    def matches(self, tokens: tuple[Token, ...], text: str = "") -> list[tuple[int, int]]:
        """The phrases in `tokens` as (first, after last) token indices, left to right, none
        overlapping."""
        out, i, first = [], 0, self._first
        while i < len(tokens):
            end = self.match_at(tokens, i, text) if self._wild or tokens[i].low in first else i
            if end > i:
                out.append((i, end))
                i = end
            else:
                i += 1
        return out

    def spans(self, tokens: tuple[Token, ...], text: str = "") -> list[tuple[int, int]]:
        """The character spans of the phrases in `tokens`, left to right, none overlapping."""
        return [(tokens[i].start, tokens[j - 1].end) for i, j in self.matches(tokens, text)]

    def found(self, tokens: tuple[Token, ...], text: str = "") -> bool:
        """Whether any phrase is in `tokens`."""
        return any(self.match_at(tokens, i, text) > i for i in range(len(tokens)))

    def at_start(
        self, tokens: tuple[Token, ...], *, after_punctuation: bool = False
    ) -> tuple[int, int] | None:
        """The phrase at the first token of `tokens` (with `after_punctuation`: at the first word,
        punctuation before it aside), as (first, after last) token indices; None if none is."""
        first = next(
            (i for i, t in enumerate(tokens) if not after_punctuation or t.low[0].isalnum()), None
        )
        if first is None or (end := self.match_at(tokens, first)) == first:
            return None
        return first, end

    def whole(self, tokens: tuple[Token, ...]) -> bool:
        """Whether `tokens` are exactly one phrase."""
        return bool(tokens) and self.match_at(tokens, 0) == len(tokens)


class PhraseTable:
    """Several named phrase lists found in one pass over the tokens: the same spans as each list's
    `Phrases.spans` (a list's finds never overlap each other; different lists' may), as
    (name, start, end), left to right."""

    def __init__(self, lists: dict[str, Phrases]) -> None:
        self._lists = lists
        self._by_first: dict[str, list[str]] = {}
        for name, found in lists.items():
            for first in found.first_words:
                self._by_first.setdefault(first, []).append(name)
        self._wild = [name for name, found in lists.items() if found.has_wild]

    def spans(self, tokens: tuple[Token, ...], text: str = "") -> list[tuple[str, int, int]]:
        free = dict.fromkeys(self._lists, 0)
        out = []
        for i, token in enumerate(tokens):
            for name in (*self._by_first.get(token.low, ()), *self._wild):
                if i < free[name]:
                    continue
                end = self._lists[name].match_at(tokens, i, text)
                if end > i:
                    out.append((name, token.start, tokens[end - 1].end))
                    free[name] = end
        return out
