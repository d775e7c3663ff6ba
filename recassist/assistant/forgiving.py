"""The forgiving reading of a message: misspelt genre, decade and cue words put right before parsing
("somthing liek termnator but romantik from the eigthies" reads "something like termnator but
romantic from the eighties"), praise that also asks for picks ("I loved Alien, what else would I
like?"), and the wishes no tag or filter can hold ("nothing too violent"), which the reply names
instead of dropping.

Words come from `data/words.json` (package data) and the catalogue's tag words (`TagMatcher.forms`);
a word is put right only when it is one edit (two from eight letters on) from exactly one known
word, by optimal string alignment distance (rapidfuzz), so a transposition ("liek") is one edit.
Capitalised words inside a sentence (names, titles) and the catalogue titles found in the text are
left alone: misspelt titles are the title index's job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from recassist.assistant.tags import CLAUSE_BREAK, TagMatcher

_WORD = re.compile(r"[^\W\d_][\w'-]*")


@cache
def words() -> dict[str, list[str]]:
    """The word lists of `data/words.json`, read once at first use."""
    text = resources.files(__package__).joinpath("data/words.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _phrases(name: str) -> re.Pattern[str]:
    """A pattern of the phrases in list `name`, longest first, whole words only."""
    alternatives = sorted(words()[name], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(a) for a in alternatives) + r")\b", re.I)


def _vocabulary(tags: TagMatcher) -> list[str]:
    forms = [f for f in tags.forms() if " " not in f and len(f) >= 4]
    return sorted({*forms, *words()["vocabulary"]})


def _known(word: str, tags: TagMatcher, filler: Iterable[str]) -> bool:
    return word in tags.forms() or word in words()["keep"] or word in filler or len(word) < 4


def correction(word: str, vocabulary: list[str]) -> str | None:
    """The one known word `word` is a misspelling of, if exactly one is close enough."""
    limit = 2 if len(word) >= 8 else 1
    found = process.extract(word, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=3)
    best = [w for w, d, _ in found if d == min(d for _, d, _ in found)] if found else []
    return best[0] if len(best) == 1 and best[0] != word else None


def forgive(
    text: str,
    tags: TagMatcher,
    titles: Callable[[str], list[tuple[int, int]]] | None = None,
    filler: Iterable[str] = (),
) -> str:
    """`text` with misspelt known words put right (see the module docstring); titles left alone."""
    spans = titles(text) if titles else []
    vocabulary, filler = _vocabulary(tags), frozenset(filler)
    out, last = [], 0
    for match in _WORD.finditer(text):
        word = match.group()
        if any(s <= match.start() < e for s, e in spans) or _known(word.lower(), tags, filler):
            continue
        sentence_start = (
            not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in ".!?"
        )
        if word[0].isupper() and not sentence_start:
            continue
        if fixed := correction(word.lower(), vocabulary):
            out += [text[last : match.start()], fixed]
            last = match.end()
    return "".join([*out, text[last:]])


def asks_for_picks(text: str) -> bool:
    """Whether a message asks for picks ("what else would I like?"): praise in it is no mere
    feedback."""
    return bool(_phrases("ask_for_picks").search(text))


def unfiltered(text: str, tags: TagMatcher, unread: Iterable[str]) -> list[tuple[int, int]]:
    """The spans of wishes against something no tag names ("nothing too violent", "no gore"): a
    search cannot rule them out, and embedded they would pull in what they reject. Only clauses
    holding some of the `unread` words count ("not interested" and "not from the 80s" are read as
    something else)."""
    unread = frozenset(unread)
    tagged = [(m.start, m.end) for m in tags.mentions(text) if m.negated]
    spans = []
    for match in _phrases("negators").finditer(text):
        end = CLAUSE_BREAK.search(text, match.end())
        stop = end.start() if end else len(text)
        clause = {w.lower() for w in _WORD.findall(text[match.end() : stop])}
        if clause & unread and not any(match.start() <= s < stop for s, _ in tagged):
            spans.append((match.start(), stop))
    return spans


def left_out(text: str, against: list[tuple[int, int]], unread: list[str]) -> list[str]:
    """What the reply must name as not used: the `against` wishes of `text` (`unfiltered`), then the
    `unread` words outside them (those of a request with no description to put them in)."""
    phrases = [text[s:e].strip() for s, e in against]
    inside = {w.lower() for phrase in phrases for w in _WORD.findall(phrase)}
    return phrases + [w for w in unread if w not in inside]
