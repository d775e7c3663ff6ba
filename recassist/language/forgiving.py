"""The forgiving reading of a message: misspelt genre, decade and cue words put right before parsing
("somthing liek termnator but romantik from the eigthies" reads "something like termnator but
romantic from the eighties"), praise that also asks for picks ("I loved Alien, what else would I
like?"), and the wishes no tag or filter can hold ("nothing too violent"), which the reply names
instead of dropping.

Words come from the `[forgiving]` table of `data/en.toml` and the catalogue's tag words
(`TagMatcher.forms`); a word is put right only when it is no English word
(`retrieval.embedding.english_words`: "aviation" is no misspelt "animation") and one edit (two
from eight letters on) from exactly one known word, by optimal string alignment distance
(rapidfuzz), so a transposition ("liek") is one edit.
Capitalised words inside a sentence (names, titles), the catalogue titles found in the text and a
word right after one that is no known word and no misspelling of one ("like pulp fction": a title's
word, not "action") are left alone: misspelt titles are the title index's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from weakref import WeakKeyDictionary

from rapidfuzz import process
from rapidfuzz.distance import OSA

from recassist.language.phrases import Phrases, Token, tokenise, words_of
from recassist.language.tags import TagMatcher, clause_end
from recassist.language.words import LANGUAGES, language, listed, table
from recassist.retrieval.embedding import english_words
from recassist.retrieval.titles import unaccented

_ONE = re.compile(r"\s+ones?\b", re.IGNORECASE)  # "one" after a word: a position ("the fist one")

_VOCABULARY: WeakKeyDictionary[TagMatcher, list[str]] = WeakKeyDictionary()


@cache
def words() -> dict[str, list[str]]:
    """The word lists of the forgiving reading (`[forgiving]` in `data/en.toml`)."""
    return language("en")["forgiving"]


@cache
def phrase_list(name: str) -> Phrases:
    """The phrase lookup of list `name`, whole words only."""
    return Phrases(words()[name])


@cache
def _against() -> Phrases:
    """What begins a wish against something: the `[forgiving]` negators, and every other
    language's own ("pas", "sin", "ohne")."""
    foreign = [w for code in LANGUAGES if code != "en" for w in language(code).get("negators", ())]
    return Phrases([*words()["negators"], *foreign])


@cache
def _keep() -> frozenset[str]:
    return frozenset(words()["keep"])


def _vocabulary(tags: TagMatcher) -> list[str]:
    """The words a misspelling may be put right to: the tag words and the vocabulary list, made
    once per tag matcher."""
    if (known := _VOCABULARY.get(tags)) is None:
        forms = [f for f in tags.forms() if " " not in f and len(f) >= 4]
        known = _VOCABULARY[tags] = sorted({*forms, *words()["vocabulary"]})
    return known


def _known(word: str, tags: TagMatcher, filler: Iterable[str]) -> bool:
    return word in tags.forms() or word in _keep() or word in filler or len(word) < 4


@cache
def _ordinals() -> list[str]:
    """The English words of a position in a list ("first", "second"), which an English word right
    before "one" may be typed for ("the fist one")."""
    return [w for w in table("ordinals", ("en",)) if w.isalpha()]


def edits_allowed(word: str) -> int:
    """How far a misspelling may be from the word meant: one edit, two from eight letters on."""
    return 2 if len(word) >= 8 else 1


def misspelt(typed: str, word: str) -> bool:
    """Whether `typed` is `word` or within `edits_allowed` of it, by optimal string alignment."""
    return OSA.distance(typed, word) <= edits_allowed(typed)


def correction(word: str, vocabulary: list[str]) -> str | None:
    """The one known word `word` is a misspelling of, if exactly one is close enough; words that
    differ only by their accents are one ("comdies": "comedies", not also French "comédies")."""
    limit = edits_allowed(word)
    found = process.extract(word, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=3)
    best = [w for w, d, _ in found if d == min(d for _, d, _ in found)] if found else []
    plain = {unaccented(w): w for w in reversed(best)}  # the unaccented one where both are
    one = plain.get(unaccented(best[0])) if len(plain) == 1 else None
    return one if one is not None and one != word else None


def forgive(
    text: str,
    tags: TagMatcher,
    titles: Callable[[str], list[tuple[int, int]]] | None = None,
    filler: Iterable[str] = (),
    tokens: tuple[Token, ...] | None = None,
) -> str:
    """`text` with misspelt known words put right (see the module docstring); titles left alone.
    `tokens` are `text`'s, when the caller has them."""
    spans = titles(text) if titles else []
    filler = frozenset(filler)
    out, last, named = [], 0, None  # named: where the last word that is no known word ends
    for start, end in words_of(tokenise(text) if tokens is None else tokens, text):
        word = text[start:end]
        if any(s <= start < e for s, e in spans) or _known(word.lower(), tags, filler):
            continue
        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
        if word[0].isupper() and not sentence_start:
            continue
        english = word.lower() in english_words()  # "aviation" is no misspelt "animation"
        fixed = None if english else correction(word.lower(), _vocabulary(tags))
        if english and _ONE.match(text, end):  # "the fist one", "the forth one": a position
            fixed = correction(word.lower(), _ordinals())
        after_name = named is not None and text[named:start].isspace()
        if fixed and not after_name:  # "pulp fction": a name's word, not "action"
            out += [text[last:start], fixed]
            last = end
        elif not fixed:
            named = end
    return "".join([*out, text[last:]])


def asks_for_picks(text: str, tokens: tuple[Token, ...] | None = None) -> bool:
    """Whether a message asks for picks ("what else would I like?"): praise in it is no mere
    feedback."""
    return phrase_list("ask_for_picks").found(tokenise(text) if tokens is None else tokens)


def unfiltered(
    text: str,
    tags: TagMatcher,
    unread: Iterable[str],
    tokens: tuple[Token, ...] | None = None,
    negated: Iterable[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """The spans of wishes against something no tag names ("nothing too violent", "no gore"): a
    search cannot rule them out, and embedded they would pull in what they reject. Only clauses
    holding some of the `unread` words count ("not interested" and "not from the 80s" are read as
    something else), and none holding a negated tag. `tokens` (`text`'s) and `negated` (the spans
    of the negated tags) when the caller has them."""
    tokens = tokenise(text) if tokens is None else tokens
    mentions = tags.mentions(text, tokens=tokens)
    if negated is None:
        negated = [(m.start, m.end) for m in mentions if m.negated]
    unread, tagged = frozenset(unread), list(negated)
    spans = []
    for start, end in _against().spans(tokens):
        stop = clause_end(tokens, end)
        stop = len(text) if stop is None else stop
        if any(start <= s < stop for s, _ in tagged):  # "not into horror": the kind is ruled out
            continue
        words = [(s, e) for s, e in words_of(tokens, text) if end <= s < stop]
        if words:  # "less scary horror films": the wish ends where a kind wanted begins
            stop = min([stop, *(m.start for m in mentions if words[0][1] <= m.start < stop)])
        clause = {text[s:e].lower() for s, e in words if s < stop}
        # "less horror": a kind of film named, of which less (`TagMatcher.mentions` reads no tag)
        fewer = text[start:end].lower() in listed("fewer") and bool(clause & set(tags.forms()))
        if clause & unread or fewer:
            spans.append((start, stop))
    return spans


def _trimmed(phrase: str) -> str:
    """A wish without the words of asking that end it ("not too scary please")."""
    words = phrase.split()
    while len(words) > 1 and words[-1].lower().strip(".,!?") in words_ending():
        words.pop()
    return " ".join(words).strip(" ,.;:!?")


@cache
def words_ending() -> frozenset[str]:
    """The words of asking a wish may end with (`[forgiving]` `ending`)."""
    return frozenset(words()["ending"])


def left_out(text: str, against: list[tuple[int, int]], unread: list[str]) -> list[str]:
    """What the reply must name as not used: the `against` wishes of `text` (`unfiltered`), then the
    `unread` words outside them (those of a request with no description to put them in)."""
    phrases = [_trimmed(text[s:e]) for s, e in against]
    inside = {p[s:e].lower() for p in phrases for s, e in words_of(tokenise(p), p)}
    return phrases + [w for w in unread if w not in inside]
