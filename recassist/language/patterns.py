"""The few shapes of a message that a word list alone cannot say, as patterns built from the word
lists of `data/*.toml` on first use: a position ("the 2nd one", "le deuxième film"), a count ("5
movies", "give me three"), a decade ("the 80s", "die 80er Jahre"), a quoted title, what follows
"like", "the last <name> movie", "what is ... about" and "a ... movie".
"""

from __future__ import annotations

import re
from functools import cache
from types import SimpleNamespace

from recassist.language.words import listed, table


def _either(words) -> str:
    """An alternation of `words`, longest first, each escaped."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _position(ordinals: str, time_words: str, noun: str) -> str:
    return (
        rf"\b(?:the\s+)?({ordinals})\b(?!\s+(?:{time_words})\b)(?:\s+(?:{noun}))?"
        r"|(?:#|\bnumber\s+|\bno\.\s*)(\d{1,3})\b|\b(\d{1,3})(?:st|nd|rd|th)\b"
    )


def _article_position(ordinals: str, articles: str, of: str, film: str) -> str:
    return (
        rf"\b(?:{articles})\s+({ordinals})(?!\w)(?!(?:\s+(?:{film}))?\s+(?:{of})\b)"
        rf"(?:\s+(?:{film}))?"
    )


def _count(number: str, nouns: str, asks: str) -> str:
    return (
        rf"\b({number})\s+(?:more\s+)?(?:[\w'-]+\s+){{0,2}}?(?:{nouns})\b"
        rf"|\b(?:{asks})\s+({number})\b(?!\s*(?:st|nd|rd|th)\b)"
        rf"|^\W*({number})\s+more\b"
    )


def _decade(names: str, words: str) -> str:
    return (
        rf"\b(?:the\s+)?(?:(?:(19|20)?(\d)0)'?s|({names}))\b"
        rf"|\b(?:{words})\s+'?(19|20)?(\d)0\b"  # des années 90, los (años) 80, anni '70
        r"|\b(19|20)?(\d)0ern?\b(?:\s*jahren?\b)?"  # die 80er Jahre, aus den 1990ern
    )


@cache
def patterns() -> SimpleNamespace:
    """The patterns, compiled once."""
    nouns = "movies|films|items|recommendations|picks|suggestions|titles|ones|things"
    number = rf"\d{{1,2}}|{_either([*listed('count_words'), *table('count_phrases')])}"
    series = _either([*listed("series_latest"), *listed("series_earliest")]).replace(r"\ ", r"\s+")
    return SimpleNamespace(
        ordinal=re.compile(
            _position(
                _either(table("ordinals", ("en",))),
                _either(listed("time_words")),
                "one|movie|film|item|pick",
            ),
            re.I | re.ASCII,
        ),
        article_ordinal=re.compile(
            _article_position(
                _either(table("article_ordinals")),
                _either(listed("articles")),
                _either(listed("of")),
                _either(listed("film")),
            ),
            re.I,
        ),
        count=re.compile(
            _count(number, nouns, "top|give me|show me|recommend|suggest|need|want"), re.I
        ),
        decade=re.compile(
            _decade(_either(listed("decade_names")), _either(listed("decade_words"))),
            re.ASCII | re.I,
        ),
        series=re.compile(
            rf"\b(?:the\s+)?(?:very\s+)?({series})\s+",
            re.I,
        ),
        series_name=re.compile(
            r"([A-Z][\w'&:-]*(?:\s+[A-Z0-9][\w'&:-]*){0,3}?)\s*"
            rf"(?:\b(?:{_either(listed('series_nouns'))})s?\b|(?=[,.;!?]|$))"
        ),
        # a quoted title; a single quote only where no letter touches it from outside ("d'horreur
        # s'il" quotes nothing)
        quoted=re.compile(r"(?:[\"“]|(?<!\w)')([^\"”']{2,80})(?:[\"”]|'(?!\w))"),
        like=re.compile(
            rf"\b(?:{_either(listed('like'))})\s+(.+?)"
            rf"(?=\s+(?:{_either(listed('like_stops'))})\b|[,.;!?]|$)",
            re.I,
        ),
        # "what is the second one about?", "tell me more about Fargo"
        about=re.compile(r"\bwhat(?:'s| is)\b.{0,40}\babout\b|\btell me (?:more )?about\b", re.I),
        want_article=re.compile(r"\b(?:a|an)\s+(?:[\w'-]+\s+){0,3}?(?:movie|film)\b", re.I),
    )
