"""Numbers in a message, read over its tokens: a position in the last list ("the 2nd one", "number
3", "le deuxième film"), a count ("5 movies", "give me three", "2 more") and a decade ("the 80s",
"the eighties", "los 80", "die 80er Jahre"). The words are the lists of `data/*.toml`; values of
count words come from text2num (`words.count_value`).

Each reader yields (start, end, value) character spans, left to right, none overlapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from recassist.language.phrases import Phrases, Token, tokenise
from recassist.language.shapes import runs
from recassist.language.words import count_value, cue, filler, listed, phrases, table, word_set

_SUFFIXES = ("st", "nd", "rd", "th")
_POSITION_NOUNS = frozenset({"one", "movie", "film", "item", "pick"})


def _gap(tokens: tuple[Token, ...], i: int) -> bool:
    """Whether space stands between token i-1 and token i (both there)."""
    return 0 < i < len(tokens) and tokens[i].start > tokens[i - 1].end


def _digits(low: str, most: int) -> bool:
    return 0 < len(low) <= most and low.isascii() and low.isdigit()


def _nth(low: str) -> int | None:
    """ "12th", "2nd": the number, for one to three digits and an English suffix."""
    if low[-2:] in _SUFFIXES and _digits(low[:-2], 3):
        return int(low[:-2])
    return None


def positions(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int, int]]:
    """ "the first one", "the last", "#2", "number 2", "no. 2", "the 3rd": the positions; a
    following "one", "movie", ... is part of one, even as the start of a word ("the first
    movies" leaves "s")."""
    words = table("ordinals", ("en",))
    times = word_set("time_words") | word_set("list_nouns")  # "the first week", "the last list"
    starts = {*words, "the", "#", "number", "no"}
    i = 0
    while i < len(tokens):
        if tokens[i].low not in starts and not tokens[i].low[0].isdigit():
            i += 1
            continue
        k = i + 1 if tokens[i].low == "the" and _gap(tokens, i + 1) else i
        word = tokens[k].low if k < len(tokens) else ""
        after_time = _gap(tokens, k + 1) and tokens[k + 1].low in times
        if word in words and not after_time and not _names_a_thing(tokens, k + 1):
            start, end, i = tokens[i].start, tokens[k].end, k + 1
            if _gap(tokens, k + 1) and (noun := _prefix(tokens[k + 1].low, _POSITION_NOUNS)):
                end, i = tokens[k + 1].start + len(noun), k + 2
            yield start, end, words[word]
        elif (found := _number_position(tokens, i)) is not None:
            yield tokens[found[0]].start, tokens[found[1] - 1].end, found[2]
            i = found[1]
        else:
            i += 1


def _names_a_thing(tokens: tuple[Token, ...], i: int) -> bool:
    """Whether the word at `i`, right after an ordinal, makes the ordinal part of a name ("the
    second world war", "the first knight"): a word that is no position noun and no filler."""
    if not _gap(tokens, i):
        return False
    low = tokens[i].low
    return low[0].isalpha() and not _prefix(low, _POSITION_NOUNS) and low not in filler()


def _prefix(low: str, words) -> str | None:
    """The longest of `words` that `low` starts with."""
    return max((w for w in words if low.startswith(w)), key=len, default=None)


def _number_position(tokens: tuple[Token, ...], i: int) -> tuple[int, int, int] | None:
    low = tokens[i].low
    if (nth := _nth(low)) is not None:
        return i, i + 1, nth
    if low == "#" and i + 1 < len(tokens) and not _gap(tokens, i + 1):
        number = i + 1
    elif low == "number" and _gap(tokens, i + 1):
        number = i + 1
    elif (
        low == "no" and i + 1 < len(tokens) and tokens[i + 1].low == "." and not _gap(tokens, i + 1)
    ):
        number = i + 2
    else:
        return None
    if number < len(tokens) and _digits(tokens[number].low, 3):
        return i, number + 1, int(tokens[number].low)
    return None


def article_positions(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int, int]]:
    """ "le deuxième", "den zweiten Film", not "la última película de Star Wars" (a series) nor
    "the second world war", "la deuxième guerre mondiale" (a name)."""
    words, articles = table("article_ordinals"), word_set("articles")
    films, of = word_set("film"), word_set("of")
    if not any(t.low in words for t in tokens):
        return
    i = 0
    while i + 1 < len(tokens):
        k = i + 1
        if tokens[i].low not in articles or not _gap(tokens, k) or tokens[k].low not in words:
            i += 1
            continue
        last = k + 1 if _gap(tokens, k + 1) and tokens[k + 1].low in films else k
        named = (
            last == k and _names_a_thing(tokens, k + 1) and not _prefix(tokens[k + 1].low, films)
        )
        if named or (_gap(tokens, last + 1) and tokens[last + 1].low in of):  # "la segunda guerra"
            i += 1
            continue
        end = tokens[k].end
        if _gap(tokens, k + 1) and (film := _prefix(tokens[k + 1].low, films)):
            end = tokens[k + 1].start + len(film)  # "film" of "filmes", as ever
        yield tokens[i].start, end, words[tokens[k].low]
        i = last + 1 if last > k or end == tokens[k].end else k + 2


@cache
def _count_phrases() -> Phrases:
    return Phrases([*listed("count_words"), *table("count_phrases")])


@cache
def _count_asks() -> Phrases:
    return Phrases(["top", "give me", "show me", "recommend", "suggest", "need", "want"])


def _number(tokens: tuple[Token, ...], i: int) -> int:
    """The index after a count said at token i ("3", "three", "a couple"), or i."""
    if i < len(tokens) and _digits(tokens[i].low, 2) and tokens[i].low.isdecimal():
        return i + 1
    return _count_phrases().match_at(tokens, i) if i < len(tokens) else i


def _value(tokens: tuple[Token, ...], i: int, end: int) -> int:
    said = " ".join(t.low for t in tokens[i:end])
    return max(1, min(20, count_value(said)))


def counts(
    tokens: tuple[Token, ...], kinds: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int, int]]:
    """ "5 movies", "three more films", "top 10", "give me a couple", "2 more" (first); "3
    comedies", "one thriller" too, with the words of kinds of film (`kinds`: the tag words)."""
    nouns = word_set("count_nouns") | kinds
    starts = {*_count_phrases().first_words, *_count_asks().first_words}
    if not any(t.low[0].isdigit() or t.low in starts for t in tokens):
        return
    words = runs(tokens, "'-")
    start_of = {first: n for n, (first, _, _) in enumerate(words)}
    first_word = next((i for i, t in enumerate(tokens) if t.low[0].isalnum()), None)
    i = 0
    while i < len(tokens):
        if not tokens[i].low[0].isdigit() and tokens[i].low not in starts and i:
            i += 1
            continue
        found = _count_nouns(tokens, words, start_of, i, nouns) or _count_asked(tokens, i)
        if found is None and i == 0 and first_word is not None:
            end = _number(tokens, first_word)
            if end > first_word and _gap(tokens, end) and tokens[end].low == "more":
                found = (0, end + 1, _value(tokens, first_word, end))
        if found is None:
            i += 1
            continue
        yield tokens[found[0]].start, tokens[found[1] - 1].end, found[2]
        i = found[1]


def _count_nouns(tokens, words, start_of, i, nouns) -> tuple[int, int, int] | None:
    """ "5 movies", "3 more good films", "one comedy": a count, at most two words, a noun of
    `nouns`."""
    end = _number(tokens, i)
    if end == i or not _gap(tokens, end) or end not in start_of:
        return None
    n = start_of[end]
    said = [tokens[first].low for first, _, _ in words[n : n + 1]]
    if said and said[0] in word_set("partitive"):
        return None
    reach = 4 if said == ["more"] else 3  # "more", two words, the noun
    for first, after, clean in words[n : n + reach]:
        if after - first == 1 and tokens[first].low in nouns:
            return i, first + 1, _value(tokens, i, end)
        if not clean:
            return None
    return None


def _count_asked(tokens: tuple[Token, ...], i: int) -> tuple[int, int, int] | None:
    """ "top 10", "give me three", not "top 5th"."""
    number = _count_asks().match_at(tokens, i)
    if number == i or not _gap(tokens, number):
        return None
    end = _number(tokens, number)
    if end == number or end < len(tokens) and tokens[end].low in _SUFFIXES:
        return None
    return i, end, _value(tokens, number, end)


def decades(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int, int]]:
    """ "the 80s", "1990s", "80's", "the eighties", "los 80", "die 80er Jahre": the first year."""
    names, foreign = _decade_names(), word_set("decade_words")
    starts = {*names, *foreign, "the"}
    i = 0
    while i < len(tokens):
        if not tokens[i].low[0].isdigit() and tokens[i].low not in starts:
            i += 1
            continue
        found = None
        if tokens[i].low == "the" and _gap(tokens, i + 1):
            if found := _decade_at(tokens, i + 1, names):
                found = (i, found[1], found[2])  # "the 80s": from "the" on
        found = found or _decade_at(tokens, i, names)
        if found is None and tokens[i].low in foreign:
            found = _decade_after(tokens, i)
        if found is None:
            i += 1
            continue
        yield tokens[found[0]].start, tokens[found[1] - 1].end, found[2]
        i = found[1]


def _year_of(digits: str) -> int | None:
    """ "80" -> 1980, "1990" -> 1990, "00" -> 2000 (a decade's first year)."""
    if len(digits) == 2 and _digits(digits, 2) and digits[1] == "0":
        return int(("20" if digits[0] in "012" else "19") + digits)
    if len(digits) == 4 and digits[:2] in ("19", "20") and digits[3] == "0" and _digits(digits, 4):
        return int(digits)
    return None


def _decade_at(tokens: tuple[Token, ...], k: int, names) -> tuple[int, int, int] | None:
    if k >= len(tokens):
        return None
    low = tokens[k].low
    if low in names:
        return k, k + 1, names[low]
    if low.endswith("s") and (year := _year_of(low[:-1])) is not None:
        return k, k + 1, year
    if (year := _year_of(low)) is not None and k + 2 < len(tokens):
        if [t.low for t in tokens[k + 1 : k + 3]] == ["'", "s"]:
            if tokens[k + 1].start == tokens[k].end and tokens[k + 2].start == tokens[k + 1].end:
                return k, k + 3, year
    for suffix in ("er", "ern"):
        if low.endswith(suffix) and (year := _year_of(low[: -len(suffix)])) is not None:
            end = (
                k + 2 if k + 1 < len(tokens) and tokens[k + 1].low in ("jahre", "jahren") else k + 1
            )
            return k, end, year
    return None


def _decade_after(tokens: tuple[Token, ...], i: int) -> tuple[int, int, int] | None:
    """ "años 80", "anni '70", "los ochenta": the decade after a foreign decade word."""
    k = i + 1
    if not _gap(tokens, k):
        return None
    if tokens[k].low == "'" and k + 1 < len(tokens) and not _gap(tokens, k + 1):
        k += 1
    if k < len(tokens) and (year := _year_of(tokens[k].low)) is not None:
        return i, k + 1, year
    if k < len(tokens) and (year := table("decade_years").get(tokens[k].low)) is not None:
        return i, k + 1, year  # "los ochenta", "anni ottanta"
    return None


@cache
def _decade_names() -> dict[str, int]:
    """The decades named by a word alone, each with its first year: English's in order ("the
    eighties": 1980), and those of `decade_alone` ("Achtziger")."""
    english = {name: 1920 + 10 * n for n, name in enumerate(listed("decade_names"))}
    return english | table("decade_alone")


def compared(text: str) -> tuple[int, int] | None:
    """The two positions of the last list a message compares ("what's the difference between the
    first and second one?": 1 and 2; "compare the last one with the first": -1 and 1; "compare
    the first two", or no position: the first two); None when it compares nothing."""
    tokens = tokenise(text)
    if not phrases("compare").found(tokens, text):
        return None
    found = [position for _, _, position in positions(tokens)]
    if len(found) == 1 and not cue("first_few").found(tokens):
        return None
    return (found[0], found[1]) if len(found) > 1 else (1, 2)
