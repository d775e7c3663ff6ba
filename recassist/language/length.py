"""Film length in a message: "under 90 minutes", "less than two hours", "no longer than 100 min",
"under 2h", "an hour and a half at most", "over 2.5 hours", "something short", "not too long",
"pas trop long", "corta", "nicht zu lang", and "any length", which lets go of a bound.

The words are the `[length]` tables of `data/*.toml`; number words get their values from
text2num, in whichever of the six languages reads them. An amount is a number and a unit ("90
minutes", "two and a half hours", "an hour and a half"), or a unit written onto digits ("90min",
"2h", "1h30"); a cue before it ("under", "more than", "moins de") or after it ("at most", "or
more") says which bound it is, and an amount alone is the time the user has: at most it. A length
in words ("short") has the bound `[length.bounds]` gives it; the longest phrase wins ("not too
long" is no "long").

`spans` yields `Span`s of kind `length_most` or `length_least` (value: minutes) and `length_any`
(value: None for "any length", "shorter" or "longer" for one than the last list: the bound it had
goes, and the last list's lengths set a new one).
"""

from __future__ import annotations

from functools import cache

from text_to_num import text2num

from recassist.language.phrases import Phrases, PhraseTable, Token
from recassist.language.spans import Kind, Span
from recassist.language.words import LANGUAGES, language

MOST_MINUTES = 600  # no film of a catalogue is longer: a bigger amount is no length
WORDS = ("short", "not_long", "long", "any", "shorter", "longer")
RELATIVE = ("shorter", "longer")  # than the last list


@cache
def listed(name: str) -> tuple[str, ...]:
    """List `name` of the `[length]` table of every language that has it."""
    out: list[str] = []
    for code in LANGUAGES:
        out += language(code).get("length", {}).get(name, [])
    return tuple(dict.fromkeys(out))


@cache
def phrases(name: str) -> Phrases:
    """The phrase lookup of list `name` of the `[length]` tables ("names": "length", "durée")."""
    return Phrases(listed(name))


def _match(name: str, tokens: tuple[Token, ...], i: int) -> int:
    """The index after the longest phrase of list `name` at token `i`, or `i`."""
    return phrases(name).match_at(tokens, i) if 0 <= i < len(tokens) else i


@cache
def _words() -> PhraseTable:
    return PhraseTable({name: phrases(name) for name in WORDS})


@cache
def bounds() -> dict[str, dict[str, int]]:
    """The bound each length in words says: {"short": {"most": 95}, ...} (`[length.bounds]`)."""
    return dict(language("en")["length"]["bounds"])


def _number(words: list[str]) -> float | None:
    """The number some words say ("ninety", "deux", "one hundred"), in any language; None when
    they say none."""
    said = " ".join(words)
    if said.isascii() and said.isdigit():
        return float(said)
    for code in LANGUAGES:
        try:
            return float(text2num(said, code))
        except ValueError:
            continue
    return None


def _unit_at(tokens: tuple[Token, ...], i: int) -> tuple[int, int] | None:
    """The unit at token `i` as (index after it, minutes per unit), or None."""
    for name, per in (("hour_units", 60), ("minute_units", 1)):
        if (end := _match(name, tokens, i)) > i:
            return end, per
    return None


def _written_on(low: str) -> float | None:
    """A unit written onto digits: "90min", "2h", "1h30" (minutes), else None."""
    digits = len(low) - len(low.lstrip("0123456789"))
    if not digits or digits == len(low) or not low.isascii():
        return None
    number, rest = int(low[:digits]), low[digits:]
    if rest in listed("minute_units"):
        return float(number)
    unit = next((u for u in listed("hour_units") if rest.startswith(u)), None)
    tail = rest[len(unit) :] if unit else ""
    if unit is None or (tail and not (tail.isdigit() and len(tail) == 2)):
        return None
    return number * 60.0 + (int(tail) if tail else 0)


def _before(tokens: tuple[Token, ...], u: int, per: int) -> tuple[int, float] | None:
    """The number before a unit of `per` minutes at token `u`: (its first token, its value), with
    "and a half" read ("two and a half hours"); digits ("90", "2.5", "2,5", "90-minute"), up to
    four number words, or a word of one before an hour ("an hour", "un'ora")."""
    half = 0.0
    for start in range(max(1, u - 3), u):
        if _match("half", tokens, start) == u:
            half, u = 0.5, start
            break
    if u > 1 and tokens[u - 1].low == "-" and tokens[u - 1].end == tokens[u].start:
        u -= 1  # "a 90-minute film"
    low = [t.low for t in tokens[:u]]
    if len(low) >= 3 and low[-3].isdigit() and low[-2] in ".," and low[-1].isdigit():
        if tokens[u - 3].end == tokens[u - 2].start == tokens[u - 1].start - 1:
            return u - 3, float(f"{low[-3]}.{low[-1]}") + half
    if low and low[-1].isascii() and low[-1].isdigit():
        return u - 1, float(low[-1]) + half
    for start in range(max(0, u - 4), u):
        if all(w.isalpha() for w in low[start:u]) and (value := _number(low[start:u])):
            return start, value + half
    for start in (u - 2, u - 1) if per == 60 else ():
        if _match("one", tokens, start) == u:
            return start, 1.0 + half
    return None


def _amounts(tokens: tuple[Token, ...]) -> list[tuple[int, int, float]]:
    """Every amount of time in `tokens`: (first token, index after it, minutes)."""
    out = []
    for i, token in enumerate(tokens):
        if (minutes := _written_on(token.low)) is not None:
            out.append((i, i + 1, minutes))
            continue
        unit = _unit_at(tokens, i)
        if unit is None or not (found := _before(tokens, i, unit[1])):
            continue
        end, per = unit
        first, value = found
        if per == 60 and (after := _match("half", tokens, end)) > end:
            value, end = value + 0.5, after  # "an hour and a half"
        if per == 1 and value != int(value):
            continue
        out.append((first, end, value * per))
    return [a for a in out if 0 < a[2] <= MOST_MINUTES]


def _cue(tokens: tuple[Token, ...], first: int, end: int) -> tuple[Kind, int, int]:
    """Which bound an amount from token `first` to `end` is, and the tokens its cue takes in:
    the longest cue ending right before it ("nothing over"), else one right after it ("at
    most"), else at most (the time the user has)."""
    for start in range(max(0, first - 4), first):
        for name, kind in (("at_most", Kind.length_most), ("at_least", Kind.length_least)):
            if _match(name, tokens, start) == first:
                return kind, start, end
    for name, kind in (("at_most_after", Kind.length_most), ("at_least_after", Kind.length_least)):
        if (after := _match(name, tokens, end)) > end:
            return kind, first, after
    return Kind.length_most, first, end


def spans(tokens: tuple[Token, ...]) -> list[Span]:
    """The lengths of a message (see the module docstring), left to right, none overlapping."""
    out: list[Span] = []
    taken = 0
    for first, end, minutes in _amounts(tokens):
        if first < taken:
            continue
        kind, start, end = _cue(tokens, first, end)
        out.append(Span(kind, tokens[start].start, tokens[end - 1].end, round(minutes)))
        taken = end
    said = sorted(_words().spans(tokens), key=lambda s: (s[1], -s[2]))
    starts = {t.start: n for n, t in enumerate(tokens)}
    for name, start, stop in said:
        if any(start < s.end and s.start < stop for s in out):
            continue
        before = starts[start] - 1
        if name == "long" and before >= 0 and tokens[before].low in listed("not_after"):
            continue  # "how long is Fargo?"
        if name == "any" or name in RELATIVE:
            out.append(Span(Kind.length_any, start, stop, None if name == "any" else name))
            continue
        bound = bounds()[name]
        kind = Kind.length_most if "most" in bound else Kind.length_least
        out.append(Span(kind, start, stop, bound.get("most", bound.get("least"))))
    return sorted(out, key=lambda s: s.start)


def bound(found: list[Span]) -> tuple[int | None, int | None]:
    """The (least, most) minutes the spans of a message ask: the tightest of each side, as every
    one of them holds ("something short, under 90 minutes": at most 90); when they cannot all
    hold ("a long film under an hour"), the most alone."""
    least = max((int(s.value) for s in found if s.kind is Kind.length_least), default=None)
    most = min((int(s.value) for s in found if s.kind is Kind.length_most), default=None)
    if least is not None and most is not None and least > most:
        return None, most
    return least, most
