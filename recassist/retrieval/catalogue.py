"""The catalogue of one indexed data set, as every later stage reads it: items (title, tags, year)
by id, title lookup as users write titles, metadata filters, nearest items in the vector store, and
each user's history. It reads the imported data set and the vector store and writes nothing.

Titles come in the catalogue's sorting form ("Godfather, The (1972)"); `display_title` gives the
form people say and `base_title` the lower-case form a sentence uses, the key titles are looked up
and checked by. Numbered titles are also found as people number them ("Godfather 2", "Godfather part
2", "Star Trek 3" for "Star Trek III: The Search for Spock"), and a number the catalogue does not
have ("Toy Story 2") names no item: `find_title` does not hand back the unnumbered title in its
place (`without_number` gives its name). `TitleIndex` is that title lookup alone, over (item id,
title) pairs, so marketer questions read titles the same way without a vector store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from recassist.data.item_profiles import ItemProfile
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.errors import UnknownUserError
from recassist.retrieval.concepts import ConceptIndex
from recassist.retrieval.embedding import Embedder
from recassist.retrieval.profiles import latest_first
from recassist.retrieval.vector_store import Hit, VectorStore

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
    r"(?!\s+(?:more\s+)?(?:[\w'-]+\s+)?(?:movies|films|items|recommendations|picks|suggestions|titles|ones|things)\b)",
    re.IGNORECASE,
)
SURE, UNSURE = 85.0, 75.0  # rapidfuzz ratio (0-100) at which a misspelt title names an item, or may
CLEAR = 4.0  # how far a sure match must lead the next item's


@dataclass(frozen=True)
class Item:
    """A catalogue item: what cards show and explanations may state (its description is not kept
    here: descriptions never reach the LLM)."""

    item_id: str
    title: str
    tags: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Constraints:
    """Filters on catalogue items: any of `include_tags` (when given), every one of `all_tags` ("a
    romantic comedy": Romance and Comedy), none of `exclude_tags`, years within."""

    include_tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None
    all_tags: frozenset[str] = frozenset()
    less_mainstream: bool = False  # no filter: the ranking puts popular items lower

    def allows(self, item: Item) -> bool:
        if self.exclude_tags & set(item.tags):
            return False
        if self.include_tags and not self.include_tags & set(item.tags):
            return False
        if not self.all_tags <= set(item.tags):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        return not (self.year_max is not None and (item.year is None or item.year > self.year_max))

    def where(self) -> dict | None:
        """The same filter as a Chroma metadata `where` clause (None when there is nothing to
        filter)."""
        clauses: list[dict] = [{"tags": {"$not_contains": t}} for t in sorted(self.exclude_tags)]
        if self.year_min is not None:
            clauses.append({"year": {"$gte": self.year_min}})
        if self.year_max is not None:
            clauses.append({"year": {"$lte": self.year_max}})
        if len(self.include_tags) == 1:
            clauses.append({"tags": {"$contains": next(iter(self.include_tags))}})
        elif self.include_tags:
            clauses.append({"$or": [{"tags": {"$contains": t}} for t in sorted(self.include_tags)]})
        clauses += [{"tags": {"$contains": t}} for t in sorted(self.all_tags)]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


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
    """'Godfather, The (1972)' -> 'the godfather', punctuation dropped: the key titles are looked up
    by."""
    return " ".join(re.findall(r"[\w']+", base_title(title)))


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


def informal_key(title: str) -> str:
    """A title key as the catalogue would write it: number and informal words replaced ('indy and
    the last crusade part two' -> 'indiana jones and the last crusade part 2'), a known informal
    name named."""
    words = title_words()
    swaps = {**words["number_words"], **words["word_aliases"]}
    key = " ".join(swaps.get(w, w) for w in title_key(title).split())
    return words["name_aliases"].get(number_key(key) or key, words["name_aliases"].get(key, key))


@dataclass(frozen=True)
class TitleMatch:
    """The item a title as written names, and whether the match is sure (else: "did you mean ...?")."""

    item_id: str
    sure: bool


def _holds(title: list[str], words: list[str]) -> bool:
    """Whether a title's words hold every one of `words`, as written or (four letters or more)
    nearly."""
    return all(
        w in title or (len(w) >= 4 and any(fuzz.ratio(w, t) >= 80 for t in title)) for w in words
    )


class TitleIndex:
    """Titles as people write them, over (item id, catalogue title) pairs: the exact title (numbered
    titles as people number them), a title a key begins, and the titles a text names. The
    catalogue's and the marketer questions' one title matcher."""

    def __init__(self, titles: Iterable[tuple[str, str]]) -> None:
        self._by_title: dict[str, str] = {}
        self._by_number: dict[str, str] = {}  # number_key -> item id: "godfather 2", "star trek 3"
        for item_id, title in titles:  # "Seven (Se7en) (1995)" is also "seven"
            for key in (title_key(title), title_key(_ASIDE.sub("", title))):
                if key:
                    self._by_title.setdefault(key, item_id)
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


class Catalogue:
    """Items, titles, filters and histories of one data set, over its vector store (collection
    `items`)."""

    def __init__(
        self,
        dataset: Dataset,
        store: VectorStore,
        embedder: Embedder | None = None,
        profiles: Mapping[str, ItemProfile] | None = None,
        concepts: ConceptIndex | None = None,
    ) -> None:
        self.dataset, self.store, self.embedder = dataset, store, embedder
        self.profiles = dict(profiles or {})  # item id -> kept LLM profile (`data.item_profiles`)
        self.concepts = concepts  # what items are, from the knowledge graph (`retrieval.concepts`)
        frame = dataset.items
        years = frame["year"] if "year" in frame.columns else [None] * len(frame)
        self.items: dict[str, Item] = {
            item_id: Item(
                item_id,
                title,
                tuple(t for t in tags.split(TAG_SEPARATOR) if t),
                None if pd.isna(year) else int(year),
            )
            for item_id, title, tags, year in zip(
                frame["item_id"], frame["title"], frame["tags"], years
            )
        }
        self.tag_names = sorted({t for item in self.items.values() for t in item.tags})
        self.titles = TitleIndex((item.item_id, item.title) for item in self.items.values())
        known = [item.year for item in self.items.values() if item.year is not None]
        self.years = (
            (min(known), max(known)) if known else None
        )  # the catalogue's first and last year
        self._titles = frame.set_index("item_id")[["title", "tags"]]
        self._latest = latest_first(dataset.interactions).groupby("user_id", sort=False)
        self._history = (
            dataset.interactions.groupby("user_id", sort=False)["item_id"].apply(list).to_dict()
        )

    # ------------------------------------------------------------------ users

    def users(self, limit: int | None = None) -> list[str]:
        """User ids, most active first."""
        counts = self.dataset.interactions["user_id"].value_counts(sort=True)
        return counts.index[:limit].tolist()

    def knows(self, user_id: str | None) -> bool:
        """Whether `user_id` (a pseudonym) has a history in the data set."""
        return user_id in self._history

    def history_ids(self, user_id: str | None) -> list[str]:
        """The user's item ids in the data set's order (none for an unknown user)."""
        return list(self._history.get(user_id, []))

    def history(self, user_id: str, n: int = 10) -> pd.DataFrame:
        """The user's `n` latest interactions with item titles, newest first; without a time order,
        the last `n` rows of the file, with no time shown (a stored 0 is no date)."""
        try:
            rows = self._latest.get_group(user_id).head(n)
        except KeyError:
            raise UnknownUserError(
                f"user '{user_id}' is not in data set '{self.dataset.name}'"
            ) from None
        out = rows[["item_id", "event", "weight", "timestamp"]].join(self._titles, on="item_id")
        out["time"] = pd.to_datetime(out["timestamp"], unit="s", utc=True).dt.strftime(
            "%Y-%m-%d %H:%M"
        )
        if not self.dataset.time_order.has_order:
            out["time"] = ""
        return out[["item_id", "title", "tags", "event", "weight", "time"]].reset_index(drop=True)

    def seen(self, user_id: str) -> set[str]:
        if user_id not in self._history:
            raise UnknownUserError(f"user '{user_id}' is not in data set '{self.dataset.name}'")
        return set(self._history[user_id])

    def nearest_items(self, user_id: str, k: int = 10, *, where: dict | None = None) -> list[Hit]:
        """The `k` unseen items nearest to the user's profile vector in the vector store."""
        vectors = self.store.vectors("users", [user_id])
        if user_id not in vectors:
            raise UnknownUserError(
                f"user '{user_id}' has no profile in the index; run `recassist index build`"
            )
        return self.store.query(
            "items", vectors[user_id], k, where=where, exclude=self.seen(user_id)
        )

    # ------------------------------------------------------------------ items

    def encode(self, text: str) -> np.ndarray:
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder.encode([text])[0]

    def exact_title(self, title: str) -> str | None:
        """The item whose title, normalised, is exactly `title`'s ("Godfather part 2" included)."""
        return self.titles.exact_title(title)

    def find_title(self, title: str) -> str | None:
        """The catalogue item a title as a user writes it surely names (`match_title`), else None;
        None for a numbered title the catalogue does not have ("Toy Story 2" is not Toy Story)."""
        match = self.match_title(title)
        return match.item_id if match is not None and match.sure else None

    def match_title(self, title: str) -> TitleMatch | None:
        """The item a title as written names: the exact (normalised) title, then a title it begins,
        then by spelling, informal and shortened forms (`TitleIndex.forgiving`), sure or not. Never
        the nearest title by meaning: "The Big Lebowski" is not "The Big One"."""
        key = title_key(title)
        if not key:
            return None
        if exact := self.titles.exact(key):
            return TitleMatch(exact, True)
        if without_number(title) is None and (prefixed := self.titles.prefixed(key)):
            return TitleMatch(prefixed, True)
        return self.titles.forgiving(title)

    def series(self, name: str) -> list[str]:
        """The items whose titles contain `name`'s words ("Star Trek": the eight Star Trek films),
        oldest first (by year, then title): a series as the catalogue knows it."""
        key = f" {title_key(name)} "
        if not key.strip():
            return []
        named = [i for i in self.items.values() if key in f" {title_key(i.title)} "]
        return [i.item_id for i in sorted(named, key=lambda i: (i.year or 0, i.title))]

    def title_spans(self, text: str) -> list[tuple[int, int]]:
        """Catalogue titles named in `text` as (start, end) spans (`TitleIndex.spans`)."""
        return self.titles.spans(text)

    def nearest(
        self, vector: np.ndarray, k: int, constraints: Constraints, exclude: set[str] = frozenset()
    ) -> dict[str, float]:
        """Up to `k` items nearest `vector` within the constraints, as item id -> cosine similarity."""
        hits = self.store.query("items", vector, k, where=constraints.where(), exclude=exclude)
        return {h.id: 1.0 - h.distance for h in hits if h.id in self.items}

    def search(self, text: str, constraints: Constraints, k: int) -> list[tuple[Item, float]]:
        """Items nearest `text` within the constraints; all matching items by title when there is no
        text."""
        if text.strip():
            return [
                (self.items[i], s)
                for i, s in self.nearest(self.encode(text), k, constraints).items()
            ]
        matching = sorted(
            (i for i in self.items.values() if constraints.allows(i)), key=lambda i: i.title
        )
        return [(item, 0.0) for item in matching[:k]]
