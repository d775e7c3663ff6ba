"""The word lists of `data/<language>.toml` (English, French, Spanish, German, Italian,
Portuguese), read once at first use and merged across the languages: a message may mix them, and
the reading does not need to know which one it is in.

Number words get their values from text2num, not from a table.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from text_to_num import text2num

from recassist.data.knowledge import feeling_phrases
from recassist.language.phrases import Phrases, PhraseTable

LANGUAGES = ("en", "fr", "es", "de", "it", "pt")


@cache
def language(code: str) -> dict:
    """The word lists of one language, as its data file holds them."""
    path = resources.files(__package__).joinpath(f"data/{code}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def word_set(name: str) -> frozenset[str]:
    """List `name` of every language as a set."""
    return frozenset(listed(name))


@cache
def listed(name: str, languages: tuple[str, ...] = LANGUAGES) -> tuple[str, ...]:
    """List `name` of every language that has it (a string is a list of words), in order."""
    out: list[str] = []
    for code in languages:
        value = language(code).get(name, [])
        out += value.split() if isinstance(value, str) else value
    return tuple(dict.fromkeys(out))


@cache
def table(name: str, languages: tuple[str, ...] = LANGUAGES) -> dict:
    """Table `name` of every language that has it, merged (the first language wins a key)."""
    out: dict = {}
    for code in reversed(languages):
        out.update(language(code).get(name, {}))
    return out


def cue_words(name: str) -> list[str]:
    """The phrases of cue `name` (the `[cues]` tables) in every language."""
    out: list[str] = []
    for code in LANGUAGES:
        value = language(code)["cues"].get(name, [])
        out += value.split() if isinstance(value, str) else value
    return list(dict.fromkeys(out))


def cue_phrases(name: str) -> list[str]:
    """The phrases of cue `name`; "ask" and "want_head" take every language's `something`, and
    "want_head" how one says one feels ("i'm so bored": a want of its own, `feeling_phrases`)."""
    extra = list(listed("something")) if name in ("ask", "want_head") else []
    extra += list(feeling_phrases()) if name == "want_head" else []
    return [*cue_words(name), *extra]


@cache
def cue(name: str) -> Phrases:
    """The phrase lookup of cue `name` (`cue_phrases`)."""
    return Phrases(cue_phrases(name))


@cache
def phrases(name: str) -> Phrases:
    """The phrase lookup of top-level list `name` in every language."""
    return Phrases(listed(name))


@cache
def phrase_table(name: str) -> PhraseTable:
    """The phrase lookup of table `name` (a list of phrases per key) in every language."""
    return PhraseTable({key: Phrases(words) for key, words in table(name).items()})


@cache
def filler() -> frozenset[str]:
    """Words that carry no request of their own, in every language."""
    return frozenset(listed("filler"))


@cache
def negators() -> frozenset[str]:
    """Words before a tag that rule it out, in every language."""
    return frozenset(listed("negators"))


def count_value(word: str) -> int:
    """The number a count word or phrase says ("three", "12", "a couple")."""
    if word.isascii() and word.isdigit():  # "²" is a digit to isdigit, and no int
        return int(word)
    return table("count_phrases").get(word) or int(text2num(word, "en"))
