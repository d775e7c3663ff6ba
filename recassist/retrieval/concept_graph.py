"""Concepts from an item knowledge graph: the named entities of `data/names/freebase.toml` and
`people.toml` that a catalogue's items have, checked against the catalogue's own genres, as the
`ConceptIndex` that messages are matched against (`retrieval.concepts`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from recassist.data.knowledge import ItemGraph, NamedEntity, entity_names
from recassist.data.store import Dataset
from recassist.retrieval.concepts import (
    RELATIONS,
    Concept,
    ConceptIndex,
    Encode,
    singular,
    tokens,
)


def build_concepts(
    graph: ItemGraph,
    names: Sequence[NamedEntity],
    generic: set[str],
    item_tags: Mapping[str, frozenset[str]] | None = None,
) -> list[Concept]:
    """One `Concept` per named entity that at least two catalogue items have, its members checked
    against the catalogue's own genres (`item_tags`: item id -> tags), as a profile is: the graph
    links some films to the wrong entity (The Edge to a comedy, The Firm to a documentary), and a
    card that shows "Adventure, Thriller" must not say "a comedy". An entity with a `tag` holds the
    items the catalogue gives that genre, and only those (the graph misses some: The Empire Strikes
    Back has no entity); one with `within` keeps the graph's items that have one of those genres."""
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
    named = [n for n in names if len(members.get(n.entity, ())) >= 2]
    tags = item_tags or {}
    rarest = max((math.log(n_items / len(members[n.entity])) for n in named), default=1.0)
    concepts = []
    for entry in named:
        items = members[entry.entity]
        phrases = []
        for phrase in entry.names:
            said = [p for t in tokens(phrase) if t[0].isalnum() for p in t.split("-")]
            words = tuple(w for w in map(singular, said) if w not in generic)
            phrases.append(words)
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


def load_concepts(
    graph: ItemGraph | None, dataset: Dataset, encode: Encode | None
) -> ConceptIndex | None:
    """The concept index of a catalogue with a knowledge graph (None without one): the named
    entities of `data/names/freebase.toml` that its items have (by the graph, or by the
    catalogue's genre of the same meaning), with each item's popularity (its rank by interactions,
    0-1) as the tie-break."""
    if graph is None:
        return None
    names, language = entity_names()
    generic = {singular(w) for w in language.get("generic", ())}
    item_tags = {
        item_id: frozenset(str(tags or "").split("|"))
        for item_id, tags in zip(dataset.items["item_id"].astype(str), dataset.items["tags"])
    }
    concepts = build_concepts(graph, names, generic, item_tags)
    if not concepts:
        return None
    counts = dataset.interactions["item_id"].astype(str).value_counts()
    return ConceptIndex(concepts, language, counts.rank(pct=True).to_dict(), encode)
