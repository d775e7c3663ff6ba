"""The catalogue of one indexed data set, as every later stage reads it: items (title, tags, year,
length) by id, title lookup as users write titles, metadata filters, nearest items in the vector store, and
each user's history. It reads the imported data set and the vector store and writes nothing.

Titles are read by the title grammar of `retrieval.titles` (sorting form, display form, numbered
titles, the forgiving lookup); its names are importable from here as well, as the catalogue's. A
number the catalogue does not have ("Toy Story 2") names no item: `find_title` does not hand back
the unnumbered title in its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from recassist.data.item_profiles import ItemProfile
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.errors import UnknownUserError
from recassist.retrieval.concept_values import PEOPLE
from recassist.retrieval.concepts import ConceptIndex
from recassist.retrieval.credits import Credits
from recassist.retrieval.embedding import Embedder, english_words
from recassist.retrieval.outside import OutsideFilms
from recassist.retrieval.profiles import latest_first
from recassist.retrieval.synopses import Synopses, Synopsis
from recassist.retrieval.titles import (
    TitleIndex,
    TitleMatch,
    base_title,
    display_title,
    informal_key,
    known_series,
    number_key,
    title_key,
    title_words,
    title_year,
    without_number,
)
from recassist.retrieval.vector_store import Hit, VectorStore

# With a length bound, how many more hits the vector store is asked for than are wanted (it
# cannot filter lengths; about a third of ML-100k's films are over two hours).
LENGTH_REACH = 3

__all__ = [
    "Catalogue",
    "Constraints",
    "Item",
    "TitleIndex",
    "TitleMatch",
    "base_title",
    "display_title",
    "number_key",
    "title_key",
    "title_words",
    "title_year",
    "without_number",
]


@dataclass(frozen=True)
class Item:
    """A catalogue item: what cards show and explanations may state (its description is not kept
    here: descriptions never reach the LLM)."""

    item_id: str
    title: str
    tags: tuple[str, ...] = ()
    year: int | None = None
    minutes: int | None = None  # the film's length, where a source says it (`load_lengths`)


@dataclass(frozen=True)
class Constraints:
    """Filters on catalogue items: any of `include_tags` (when given), every one of `all_tags` ("a
    romantic comedy": Romance and Comedy), none of `exclude_tags`, years within, a length within
    `minutes_min` to `minutes_max` ("under 90 minutes").

    A film whose length is not known is left out by a length bound: "under 90 minutes" promises
    90 minutes, and a film that may last three hours would break it (the reply says how many were
    left out so, `unknown_length`). The vector store holds no lengths, so `where` cannot say the
    bound: `Catalogue.nearest` checks it on what the store returns."""

    include_tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None
    all_tags: frozenset[str] = frozenset()
    less_mainstream: bool = False  # no filter: the ranking puts popular items lower
    # no filter either: "nothing too violent", the films with most of a quality come last
    milder: frozenset[str] = frozenset()
    # "comedies without jim carrey": the people ruled out, as the graph names them, and their films
    exclude_people: frozenset[str] = frozenset()
    exclude_items: frozenset[str] = frozenset()
    minutes_min: int | None = None
    minutes_max: int | None = None
    # who the films are for ("I'm 12": Children's): these tags are in `all_tags` too, and stay
    # there across topics, until the user lifts them
    audience: frozenset[str] = frozenset()

    @property
    def length_bound(self) -> bool:
        """Whether a length bound holds."""
        return self.minutes_min is not None or self.minutes_max is not None

    def any_length(self) -> Constraints:
        """These constraints without their length bound ("any length")."""
        return replace(self, minutes_min=None, minutes_max=None)

    def allows_length(self, item: Item) -> bool:
        """Whether the item's length is within the bounds (an unknown one is not)."""
        if not self.length_bound:
            return True
        if item.minutes is None:
            return False
        low, high = self.minutes_min or 0, self.minutes_max
        return low <= item.minutes and (high is None or item.minutes <= high)

    def allows(self, item: Item) -> bool:
        if self.exclude_tags & set(item.tags) or item.item_id in self.exclude_items:
            return False
        if self.include_tags and not self.include_tags & set(item.tags):
            return False
        if not self.all_tags <= set(item.tags):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if not self.allows_length(item):
            return False
        return not (self.year_max is not None and (item.year is None or item.year > self.year_max))

    def where(self) -> dict | None:
        """The same filter as a Chroma metadata `where` clause (None when there is nothing to
        filter), but the length bound, which the store does not hold (`allows_length`)."""
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
        synopses: Synopses | None = None,
        outside: OutsideFilms | None = None,
        lengths: Mapping[str, int] | None = None,
        credits: Credits | None = None,
    ) -> None:
        self.dataset, self.store, self.embedder = dataset, store, embedder
        self.profiles = dict(profiles or {})  # item id -> kept LLM profile (`data.item_profiles`)
        self.concepts = concepts  # what items are, from the knowledge graph (`retrieval.concepts`)
        self.synopses = synopses  # what films are about in words (`retrieval.synopses`)
        self.outside = outside  # films it does not have, as TMDb knows them (`retrieval.outside`)
        self.credits = credits or Credits({})  # who made each film (`retrieval.credits`)
        lengths = lengths or {}  # item id -> minutes (`concept_graph.load_lengths`)
        frame = dataset.items
        years = frame["year"] if "year" in frame.columns else [None] * len(frame)
        self.items: dict[str, Item] = {
            item_id: Item(
                item_id,
                title,
                tuple(t for t in tags.split(TAG_SEPARATOR) if t),
                None if pd.isna(year) else int(year),
                lengths.get(str(item_id)),
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

    def genres(self, item_id: str) -> tuple[str, ...]:
        """The item's tags (none for an id the catalogue lacks)."""
        item = self.items.get(item_id)
        return item.tags if item is not None else ()

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

    def person(self, name: str) -> str | None:
        """The famous person `name` names ("hitchcok"), as the graph's names write them ("Alfred
        Hitchcock"); None for anyone else or without a graph (`ConceptIndex.person`)."""
        found = self.films_of(name)
        return found[0] if found is not None else None

    def synopsis(self, item_id: str) -> Synopsis | None:
        """What TMDb and the graph say of the item (`retrieval.synopses`); None where nothing."""
        return self.synopses.synopses.get(item_id) if self.synopses is not None else None

    def films_of(self, name: str) -> tuple[str, frozenset[str]] | None:
        """The famous person `name` names, as the graph's names write them, and their films in
        any role; None for anyone else or without a graph."""
        found = self.concepts.person(name) if self.concepts is not None else None
        if found is None:
            return None
        roles = [c for c in self.concepts.concepts if c.kind in PEOPLE and c.names == found.names]
        return found.names[0], frozenset().union(*(c.members for c in roles))

    def exact_title(self, title: str) -> str | None:
        """The item whose title, normalised, is exactly `title`'s ("Godfather part 2" included)."""
        return self.titles.exact_title(title)

    def find_title(self, title: str) -> str | None:
        """The catalogue item a title as a user writes it surely names (`match_title`), else None;
        None for a numbered title the catalogue does not have ("Toy Story 2" is not Toy Story)."""
        match = self.match_title(title)
        return match.item_id if match is not None and match.sure else None

    def match_title(self, title: str) -> TitleMatch | None:
        """The item a title as written names: the exact (normalised) title, with or without its
        article ("terminator" is The Terminator, not Terminator 2), then a title it begins,
        then by spelling, informal and shortened forms (`TitleIndex.forgiving`), sure or not; one
        English word only spelt near a title names none ("rocky" is no misspelt The Rock, while
        "jedi" is a word of Return of the Jedi). Never
        the nearest title by meaning: "The Big Lebowski" is not "The Big One"."""
        key = title_key(title)
        if not key:
            return None
        if exact := self.titles.exact(key) or self.titles.without_article(key):
            return TitleMatch(exact, True)
        if without_number(title) is None and (prefixed := self.titles.prefixed(key)):
            return TitleMatch(prefixed, True)
        found = self.titles.forgiving(title)
        if found and " " not in key and key in english_words():
            words = title_key(self.items[found.item_id].title).split()  # "jedi", "indy"
            held = set(informal_key(title).split()) <= set(words)
            return found if held else None  # "rocky" is a word, and no misspelt "the rock"
        return found

    def series(self, name: str) -> list[str]:
        """The items whose titles contain `name`'s words ("Star Trek": the eight Star Trek films),
        and those `known_series` lists for it ("Star Wars": The Empire Strikes Back too), oldest
        first (by year, then title): a series as the catalogue knows it."""
        key = f" {title_key(name)} "
        if not key.strip():
            return []
        named = {i for i in self.items.values() if key in f" {title_key(i.title)} "}
        listed = (self.exact_title(t) for t in known_series().get(key.strip(), ()))
        named |= {self.items[i] for i in listed if i is not None}
        return [i.item_id for i in sorted(named, key=lambda i: (i.year or 0, i.title))]

    def title_spans(self, text: str) -> list[tuple[int, int]]:
        """Catalogue titles named in `text` as (start, end) spans (`TitleIndex.spans`), and the
        films it lacks whose titles a reader would split ("Indiana Jones and the Temple of Doom",
        `OutsideFilms.joined_spans`): such a title holds the catalogue titles inside it."""
        spans = self.titles.spans(text)
        joined = self.outside.joined_spans(text) if self.outside else []

        def crosses(s: int, e: int) -> bool:
            return any(s < b and a < e and not (s <= a and b <= e) for a, b in spans)

        kept = [(s, e) for s, e in joined if not crosses(s, e)]
        inside = {(a, b) for a, b in spans for s, e in kept if s <= a and b <= e}
        return sorted([*kept, *(span for span in spans if span not in inside)])

    def nearest(
        self, vector: np.ndarray, k: int, constraints: Constraints, exclude: set[str] = frozenset()
    ) -> dict[str, float]:
        """Up to `k` items nearest `vector` within the constraints, as item id -> cosine similarity.
        With a length bound, which the store cannot filter, the store is asked for more and the
        bound checked here."""
        asked = k * LENGTH_REACH if constraints.length_bound else k
        exclude = set(exclude) | constraints.exclude_items  # a person's films ruled out too
        hits = self.store.query("items", vector, asked, where=constraints.where(), exclude=exclude)
        kept = [h for h in hits if h.id in self.items]
        kept = [h for h in kept if constraints.allows_length(self.items[h.id])]
        return {h.id: 1.0 - h.distance for h in kept[:k]}

    def unknown_length(
        self, constraints: Constraints, scores: Mapping[str, float], above: float
    ) -> int:
        """How many of the candidates `scores` at or `above` a score a length bound leaves out
        only because their length is not known: they fit every other constraint, and would have
        ranked among the picks. Not every film of unknown length (327 on ML-100k, said after
        every "like X" list with a bound)."""
        if not constraints.length_bound:
            return 0
        others = constraints.any_length()
        unknown = (
            self.items[i]
            for i, score in scores.items()
            if score >= above and i in self.items and self.items[i].minutes is None
        )
        return sum(1 for item in unknown if others.allows(item))

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
