"""Titles as people write them, and the lookup that reads them: the catalogue's title grammar.

Titles come in the catalogue's sorting form ("Godfather, The (1972)"); `display_title` gives the
form people say and `base_title` the lower-case form a sentence uses, the key titles are looked up
and checked by. Numbered titles are also found as people number them ("Godfather 2", "Godfather part
2", "Star Trek 3" for "Star Trek III: The Search for Spock"), and a number the catalogue does not
have ("Toy Story 2") names no item (`without_number` gives its name). `TitleIndex` is the title
lookup alone, over (item id, title) pairs, so the catalogue and the marketer questions read titles
the same way without a vector store. The informal names and number words are data
(`data/title_words.json`).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

_TITLE_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_ARTICLE = re.compile(r"^(.*), (The|A|An|Les|La|Le|Il|Das|Der|Die|El)$", re.IGNORECASE)
_ASIDE = re.compile(r"\s*\([^)]*\)")
_ASIDE_TEXT = re.compile(r"\(([^)]*)\)")
_TRAILING_ASIDES = re.compile(r"^(.*?)((?:\s*\([^)]*\))*)$", re.S)
_ROMAN = {
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
    "xi": "11",
    "xii": "12",
    "xiii": "13",
}
_NUMBERED = re.compile(
    r"^(.*?\S)\s+(?:part\s+)?(\d{1,2}|" + "|".join(_ROMAN) + r")$", re.IGNORECASE
)
# A sequel's number right after a title: "Toy Story 2", "Godfather part III"; not "Alien 2 movies".
_SEQUEL_NUMBER = re.compile(
    r"\s+(?:part\s+)?(?:\d{1,2}|" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")\b"
    r"(?!\s+(?:more\s+)?(?:[\w'-]+\s+)?"
    r"(?:movies|films|items|recommendations|picks|suggestions|titles|ones|things)\b)",
    re.IGNORECASE,
)
SURE, UNSURE = 85.0, 75.0  # rapidfuzz ratio (0-100) at which a misspelt title names an item, or may
CLEAR = 4.0  # how far a sure match must lead the next item's


def _spoken(title: str) -> str:
    """'Godfather, The (1972)' -> 'The Godfather': without the year, the article in front, also
    before an aside: 'City of Lost Children, The (Cité des enfants perdus, La)' -> 'The City of Lost
    Children (La Cité des enfants perdus)'."""
    base = _TITLE_YEAR.sub("", title).strip()
    main, asides = _TRAILING_ASIDES.match(base).groups()
    front = lambda text: (
        f"{m.group(2)} {m.group(1)}" if (m := _ARTICLE.match(text.strip())) else text.strip()
    )  # noqa: E731
    return (
        front(main) + "".join(f" ({front(aside)})" for aside in _ASIDE_TEXT.findall(asides))
    ).strip()


def base_title(title: str) -> str:
    """'Godfather, The (1972)' -> 'the godfather': the form a sentence uses, lower case."""
    return " ".join(_spoken(title).lower().split())


def display_title(title: str) -> str:
    """'Godfather, The (1972)' -> 'The Godfather (1972)': the catalogue's sorting form as people say
    it."""
    year = title_year(title)
    return f"{_spoken(title)} ({year})" if year is not None else _spoken(title)


def title_year(title: str) -> int | None:
    match = _TITLE_YEAR.search(title)
    return int(match.group(1)) if match else None


def title_key(title: str) -> str:
    """'Godfather, The (1972)' -> 'the godfather', punctuation and accents dropped ('Amélie' is
    'amelie', as people type it), "&" read "and" ('Oscar & Lucinda'): the key titles are looked
    up by."""
    said = unaccented(base_title(title)).replace("&", " and ")
    return " ".join(re.findall(r"[\w']+", said))


def title_keys(title: str) -> set[str]:
    """Every key a film may be looked up by in another list of films: the whole title's, the main
    title's, and each aside's ('Seven (Se7en) (1995)': 'seven se7en', 'seven', 'se7en'), so that a
    list that writes it "Se7en" finds it."""
    base = _TITLE_YEAR.sub("", title).strip()
    main, asides = _TRAILING_ASIDES.match(base).groups()
    forms = [title, main, *_ASIDE_TEXT.findall(asides)]
    return {key for form in forms if (key := title_key(form))}


def number_key(key: str) -> str | None:
    """A title key with its numbers as people say them: roman numerals in digits, no "part" before
    one, no leading article ('the godfather part ii' -> 'godfather 2'); None for a key without a
    number."""
    words = [_ROMAN.get(w, w) for w in key.split()]
    words = [
        w
        for i, w in enumerate(words)
        if not (w == "part" and i + 1 < len(words) and words[i + 1].isdigit())
    ]
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words) if any(w.isdigit() for w in words) else None


def without_number(title: str) -> str | None:
    """'Toy Story 2' -> 'Toy Story', 'Godfather part II' -> 'Godfather': a title without the number
    that ends it (a sequel's), or None when it ends in none."""
    match = _NUMBERED.match(" ".join(_spoken(title).split()))
    return (
        match.group(1)
        if match and match.group(2).lower() in (*_ROMAN, *map(str, range(2, 100)))
        else None
    )


@cache
def title_words() -> dict:
    """How people write titles (package data `retrieval/data/title_words.json`): number words,
    informal words and names, the little words a shortened title leaves out."""
    return json.loads(
        resources.files("recassist.retrieval").joinpath("data/title_words.json").read_text("utf-8")
    )


@cache
def foreign_titles() -> dict[str, str]:
    """Title keys of famous films' French, Spanish, Italian, German and Portuguese titles, with
    and without accents -> the catalogue title's key ('le parrain' -> 'the godfather'; package
    data `retrieval/data/foreign_titles.json`)."""
    data = json.loads(
        resources.files("recassist.retrieval")
        .joinpath("data/foreign_titles.json")
        .read_text("utf-8")
    )
    out = {}
    for title, names in data["titles"].items():
        for name in names:
            out[title_key(name)] = out[unaccented(title_key(name))] = title_key(title)
    return out


@cache
def known_series() -> dict[str, tuple[str, ...]]:
    """Title key of a series' name -> its films' titles, for series whose films' titles do not all
    hold its name (package data `retrieval/data/series.toml`: "star wars", "james bond")."""
    text = resources.files("recassist.retrieval").joinpath("data/series.toml").read_text("utf-8")
    return {title_key(name): tuple(titles) for name, titles in tomllib.loads(text).items()}


def unaccented(text: str) -> str:
    """`text` without its accents ('el rey león' -> 'el rey leon')."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def informal_key(title: str) -> str:
    """A title key as the catalogue would write it: number and informal words replaced ('indy and
    the last crusade part two' -> 'indiana jones and the last crusade part 2'), a known informal
    or foreign name named ('el padrino' -> 'the godfather')."""
    words = title_words()
    said = title_key(title)
    if foreign := foreign_titles().get(said) or foreign_titles().get(unaccented(said)):
        return foreign
    swaps = {**words["number_words"], **words["word_aliases"]}
    key = " ".join(swaps.get(w, w) for w in said.split())
    return words["name_aliases"].get(number_key(key) or key, words["name_aliases"].get(key, key))


@dataclass(frozen=True)
class TitleMatch:
    """The item a title as written names, and whether the match is sure (else: "did you mean
    ...?")."""

    item_id: str
    sure: bool


def _holds(title: list[str], words: list[str]) -> bool:
    """Whether a title's words hold every one of `words`, as written or (four letters or more, and
    two words written at least) nearly: one word alone nearly in a title ("violence", "silence")
    names nothing."""
    nearly = len(words) >= 2
    return all(
        w in title or (nearly and len(w) >= 4 and any(fuzz.ratio(w, t) >= 80 for t in title))
        for w in words
    )


class TitleIndex:
    """Titles as people write them, over (item id, catalogue title) pairs: the exact title (numbered
    titles as people number them), a title a key begins, and the titles a text names. The
    catalogue's and the marketer questions' one title matcher."""

    def __init__(self, titles: Iterable[tuple[str, str]]) -> None:
        self._by_title: dict[str, str] = {}
        self._by_number: dict[str, str] = {}  # number_key -> item id: "godfather 2", "star trek 3"
        self._one_word: dict[str, str] = {}  # "terminator" -> The Terminator, when named as a title
        articles = set(title_words()["articles"])
        for item_id, title in titles:  # "Seven (Se7en) (1995)" is also "seven"
            for key in (title_key(title), title_key(_ASIDE.sub("", title))):
                if key:
                    self._by_title.setdefault(key, item_id)
                first, _, rest = key.partition(" ")
                if first in articles and len(rest.split()) >= 2:  # "Empire Strikes Back"
                    self._by_title.setdefault(rest, item_id)
                elif first in articles and rest:  # not in text: "the net" is no title in "net"
                    self._one_word.setdefault(rest, item_id)
            spoken = _spoken(
                _ASIDE.sub("", title)
            )  # "Star Trek III: The Search for Spock" is "Star Trek III"
            for key in (title_key(title), title_key(spoken.split(":")[0])):
                if numbered := number_key(key):
                    self._by_number.setdefault(numbered, item_id)
        self._longest = max((len(key.split()) for key in self._by_title), default=0)
        filler = set(title_words()["filler_words"])
        self._bare = {
            " ".join(w for w in k.split() if w not in filler): i for k, i in self._by_title.items()
        }

    def forgiving(self, title: str) -> TitleMatch | None:
        """The item a misspelt, informal or shortened title names ('termnator', 'the godfather part
        two', 'lebowski'), sure or not; None when no title is near. A numbered title is matched only
        among titles with that number ("termintor 2" is Terminator 2, never The Terminator)."""
        key = informal_key(title)
        if found := self.exact(key):
            return TitleMatch(found, True)
        if numbered := number_key(
            key
        ):  # among titles with that number only: "scream 3" is not Scream 2
            number = [w for w in numbered.split() if w.isdigit()]
            same = {
                k: i
                for k, i in self._by_number.items()
                if [w for w in k.split() if w.isdigit()] == number
            }
            return self._nearest(numbered, same)
        filler = set(title_words()["filler_words"])
        words = [w for w in key.split() if w not in filler]
        if sum(map(len, words)) < 4:
            return None
        # a shortened title: every word the user wrote is in it, as written or nearly ("lebowski",
        # "monty python holy grail", "wrath of kahn"); sure when it is the one such title and the
        # words are most of it (or two at least), or when it is spelt nearly as written
        holding = sorted(
            (len(k.split()), k, i) for k, i in self._bare.items() if _holds(k.split(), words)
        )
        if holding:
            size, bare, item_id = holding[0]
            most = len(words) >= 2 or 2 * len(words) >= size
            near = fuzz.ratio(bare, " ".join(words)) >= SURE
            return TitleMatch(item_id, near or (len(holding) == 1 and most))
        return self._nearest(" ".join(words), self._bare)

    @staticmethod
    def _nearest(key: str, keys: dict[str, str]) -> TitleMatch | None:
        """The nearest of `keys` by spelling (rapidfuzz ratio): sure when close and clear of the
        next item."""
        hits = process.extract(key, list(keys), scorer=fuzz.ratio, limit=5, processor=None)
        hits = [(keys[k], score) for k, score, _ in hits if score >= UNSURE]
        if not hits:
            return None
        runner_up = next((score for i, score in hits if i != hits[0][0]), 0.0)
        return TitleMatch(hits[0][0], hits[0][1] >= SURE and hits[0][1] - runner_up >= CLEAR)

    def exact(self, key: str) -> str | None:
        """The item a title key names exactly, its numbers as written or as people say them."""
        if key in self._by_title:
            return self._by_title[key]
        numbered = number_key(key)
        return self._by_number.get(numbered) if numbered else None

    def without_article(self, key: str) -> str | None:
        """The item a one-word title names without its article ("terminator": The Terminator),
        for a title the user named as one; never read in running text (`spans`)."""
        return self._one_word.get(key)

    def exact_title(self, title: str) -> str | None:
        """The item whose title, normalised, is exactly `title`'s ("Godfather part 2" included)."""
        return self.exact(title_key(title))

    def prefixed(self, key: str) -> str | None:
        """The first item (in catalogue order) whose title key begins with `key`'s words."""
        return next(
            (iid for norm, iid in self._by_title.items() if norm.startswith(key + " ")), None
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Catalogue titles named in `text` as (start, end) spans, longest first, not overlapping.

        A title of one word counts only when written with a capital and not as the text's first word
        ("Seven", "Heat"); one of two words only when one of them has a capital; longer ones in any
        case. A title followed by a number ("Toy Story 2") spans the number too unless a count noun
        follows it ("Alien 2 movies"): the catalogue may not have that one, and its number is no
        count.
        """
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w']+", text)]
        taken = [False] * len(words)
        spans = []
        for n in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(taken[i : i + n]):
                    continue
                group = words[i : i + n]
                key = " ".join(w.lower() for _, _, w in group)
                if self.exact(key) is None:
                    continue
                capitals = sum(w[0].isupper() or w[0].isdigit() for _, _, w in group)
                if (n == 1 and (i == 0 or not capitals)) or (n == 2 and not capitals):
                    continue
                taken[i : i + n] = [True] * n
                end = group[-1][1]
                if (number := _SEQUEL_NUMBER.match(text, end)) and not (
                    i + n < len(words) and taken[i + n]
                ):
                    end = number.end()
                    taken[i + n : i + n + len(number.group().split())] = [True] * len(
                        number.group().split()
                    )
                spans.append((group[0][0], end))
        return sorted(spans)

    def named(self, text: str) -> list[tuple[int, int, str | None]]:
        """The titles named in `text` (`spans`), each with the item it names, None for a numbered
        title the catalogue does not have ("Toy Story 2")."""
        return [(start, end, self.exact_title(text[start:end])) for start, end in self.spans(text)]
