"""Concepts from item knowledge: the named entities of `data/names/freebase.toml` and `people.toml`
that a catalogue's items have in its knowledge graph, checked against the catalogue's own genres,
and the TMDb keywords its films share (`data.film_keywords`, linked by title and year), as the
`ConceptIndex` that messages are matched against (`retrieval.concepts`)."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources

from recassist.data.film_keywords import FilmKeywords
from recassist.data.knowledge import ItemGraph, NamedEntity, entity_names
from recassist.data.store import Dataset
from recassist.retrieval.concepts import (
    KEYWORD,
    RELATIONS,
    Concept,
    ConceptIndex,
    Encode,
    singular,
    tokens,
)
from recassist.retrieval.titles import title_key, title_keys, title_year

TMDB = "tmdb:"  # a keyword concept's entity: "tmdb:revenge"
YEARS_APART = 1  # TMDb dates a film's release, MovieLens sometimes its festival year


def build_concepts(
    graph: ItemGraph,
    names: Sequence[NamedEntity],
    generic: set[str],
    item_tags: Mapping[str, frozenset[str]] | None = None,
    keywords: Sequence[FilmKeywords] | None = None,
    titles: Mapping[str, str] | None = None,
) -> list[Concept]:
    """One `Concept` per named entity that at least two catalogue items have, its members checked
    against the catalogue's own genres (`item_tags`: item id -> tags), as a profile is: the graph
    links some films to the wrong entity (The Edge to a comedy, The Firm to a documentary), and a
    card that shows "Adventure, Thriller" must not say "a comedy". An entity with a `tag` holds the
    items the catalogue gives that genre, and only those (the graph misses some: The Empire Strikes
    Back has no entity); one with `within` keeps the graph's items that have one of those genres.
    Each TMDb keyword that two items share (`keywords`, linked to `item_tags`' items by their
    titles) is a concept named by itself ('tagged "revenge" on TMDb')."""
    facts = graph.facts[graph.facts["relation"].isin(RELATIONS.values())]
    members = facts.groupby("entity")["item_id"].apply(lambda s: frozenset(map(str, s))).to_dict()
    if item_tags:
        for entry in names:
            if entry.tag:
                members[entry.entity] = frozenset(
                    i for i, tags in item_tags.items() if entry.tag in tags
                )
            elif entry.within:
                allowed = set(entry.within)
                members[entry.entity] = frozenset(
                    i for i in members.get(entry.entity, ()) if item_tags.get(i, set()) & allowed
                )
    n_items = max(1, graph.facts["item_id"].nunique())
    said = {_phrase(name, generic) for entry in names for name in entry.names}
    for keyword, items in keyword_members(keywords or [], titles or {}).items():
        if _phrase(keyword, generic) not in said:  # "comedy", "coming of age": the graph's
            members[TMDB + keyword] = items
            names = [*names, NamedEntity(TMDB + keyword, KEYWORD, (keyword,))]
    named = [n for n in names if len(members.get(n.entity, ())) >= 2]
    tags = item_tags or {}
    rarest = max((math.log(n_items / len(members[n.entity])) for n in named), default=1.0)
    concepts = []
    for entry in named:
        items = members[entry.entity]
        phrases = [_phrase(name, generic) for name in entry.names]
        concepts.append(
            Concept(
                entity=entry.entity,
                kind=entry.kind,
                names=tuple(entry.names),
                phrases=tuple(phrases),
                words=frozenset(singular(w) for w in entry.also),
                members=items,
                share={i: min(1.0, 2 / len(tags[i])) for i in items if tags.get(i)}
                if entry.tag
                else {},
                specificity=max(0.05, math.log(n_items / max(2, len(items))) / rarest),
            )
        )
    return concepts


def _phrase(name: str, generic: set[str]) -> tuple[str, ...]:
    """A name's words as messages are matched against them: singular, generic words left out."""
    said = [p for t in tokens(name) if t[0].isalnum() for p in t.split("-")]
    return tuple(w for w in map(singular, said) if w not in generic)


def keyword_members(
    films: Sequence[FilmKeywords], titles: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """TMDb keyword -> the catalogue items (`titles`: item id -> title) whose film has it. A film
    is the item with one of its title keys (`titles.title_keys`: "Se7en" is "Seven (Se7en)") and a
    year at most `YEARS_APART` from its own; the keywords of `data/names/keywords.toml`'s `ignore`
    (how a film was made, not what it is) are left out."""
    table = resources.files("recassist.data").joinpath("names", "keywords.toml").read_text("utf-8")
    ignore = set(tomllib.loads(table).get("ignore", ()))
    by_key: dict[str, list[str]] = {}
    for item_id, title in titles.items():
        for key in title_keys(title):
            by_key.setdefault(key, []).append(item_id)
    out: dict[str, set[str]] = {}
    for film in films:
        near = [
            i
            for i in by_key.get(title_key(film.title), ())
            if film.year is not None
            and (year := title_year(titles[i])) is not None
            and abs(year - film.year) <= YEARS_APART
        ]
        for keyword in film.keywords if len(near) == 1 else ():  # two remakes: neither
            if keyword not in ignore:
                out.setdefault(keyword, set()).add(near[0])
    return {k: frozenset(v) for k, v in out.items()}


def load_concepts(
    graph: ItemGraph | None,
    dataset: Dataset,
    encode: Encode | None,
    keywords: Sequence[FilmKeywords] | None = None,
) -> ConceptIndex | None:
    """The concept index of a catalogue with a knowledge graph (None without one): the named
    entities of `data/names/freebase.toml` that its items have (by the graph, or by the
    catalogue's genre of the same meaning) and the TMDb `keywords` its films share, with each item's popularity (its rank by interactions,
    0-1) as the tie-break."""
    if graph is None:
        return None
    names, language = entity_names()
    generic = {singular(w) for w in language.get("generic", ())}
    item_tags = {
        item_id: frozenset(str(tags or "").split("|"))
        for item_id, tags in zip(dataset.items["item_id"].astype(str), dataset.items["tags"])
    }
    titles = dict(zip(dataset.items["item_id"].astype(str), dataset.items["title"]))
    concepts = build_concepts(graph, names, generic, item_tags, keywords, titles)
    if not concepts:
        return None
    counts = dataset.interactions["item_id"].astype(str).value_counts()
    return ConceptIndex(concepts, language, counts.rank(pct=True).to_dict(), encode)
