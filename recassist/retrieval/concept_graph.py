"""Concepts from item knowledge: the named entities of `data/names/freebase.toml` and `people.toml`
that a catalogue's items have in its knowledge graph, checked against the catalogue's own genres,
the TMDb keywords its films share (`data.film_keywords`) and the people of their credits
(`data.film_people`, Wikidata), both linked by title and year, as the `ConceptIndex` that messages
are matched against (`retrieval.concepts`)."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from text_to_num import alpha2digit

from recassist.data.film_keywords import FilmKeywords
from recassist.data.film_people import FilmPeople
from recassist.data.knowledge import ItemGraph, NamedEntity, entity_names
from recassist.data.store import Dataset
from recassist.retrieval.concept_values import KEYWORD, PEOPLE, RELATIONS, Concept
from recassist.retrieval.concepts import ConceptIndex, Encode
from recassist.retrieval.credits import Credits
from recassist.retrieval.outside import OutsideFilms
from recassist.retrieval.synopses import Synopses, Synopsis
from recassist.retrieval.titles import title_key, title_keys, title_year
from recassist.retrieval.wording import singular, tokens

TMDB = "tmdb:"  # a keyword concept's entity: "tmdb:revenge"
WIKIDATA = "wikidata:"  # a person's: "wikidata:actor:John Wayne"
YEARS_APART = 1
SPARSE = 10  # a subject of fewer films in the graph takes TMDb's films of its name too
# the kinds of concept a synopsis says: what a film is and is about, not where it was made or its
# awards ("best picture winner" came near "artists": 0.52 on the four sets with or without them)
ABOUT = (
    "genre",
    "subject",
    "country",
    "language",
)  # TMDb dates a film's release, MovieLens sometimes its festival year


def build_concepts(
    graph: ItemGraph,
    names: Sequence[NamedEntity],
    generic: set[str],
    item_tags: Mapping[str, frozenset[str]] | None = None,
    facts: FilmFacts | None = None,
) -> list[Concept]:
    """One `Concept` per named entity that two catalogue items have (a director or writer: one),
    its members checked against the catalogue's own genres (`item_tags`: item id -> tags), as a
    profile is: the graph links some films to the wrong entity (The Edge to a comedy, The Firm to
    a documentary), and a card that shows "Adventure, Thriller" must not say "a comedy". An entity with a `tag` holds the
    items the catalogue gives that genre, and only those (the graph misses some: The Empire Strikes
    Back has no entity); one with `within` keeps the graph's items that have one of those genres.
    What `facts` know beyond the graph is added (`beyond_graph`): TMDb's keywords and Wikidata's
    people."""
    members = _graph_members(graph, names, item_tags or {})
    n_items = max(1, graph.facts["item_id"].nunique())
    if facts is not None:
        sparse = {
            _phrase(n.names[0], generic): n.entity
            for n in names
            if n.kind == "subject"
            and not (n.tag or n.within)
            and len(members.get(n.entity, ())) < SPARSE
        }
        extra, more = beyond_graph(facts, names, generic, sparse)
        names = [*names, *extra]
        for entity, items in more.items():
            members[entity] = members.get(entity, frozenset()) | items
    # a kind is two films at least; a director or writer is known by one ("films by david
    # lynch": Lost Highway is the catalogue's one), an actor by two (a name of every cast)
    least = {"director": 1, "writer": 1}
    named = [n for n in names if len(members.get(n.entity, ())) >= least.get(n.kind, 2)]
    tags = item_tags or {}
    rarest = max((math.log(n_items / max(2, len(members[n.entity]))) for n in named), default=1.0)
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


def _graph_members(
    graph: ItemGraph, names: Sequence[NamedEntity], item_tags: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """Entity -> its items in the graph; a named entity with a `tag` holds the items of that
    genre instead, one with `within` only its items of one of those genres. A person holds the
    films of their role only: Tarantino the director is not the director of True Romance, which
    he wrote, or of Desperado, where he acts."""
    linked_facts = graph.facts[graph.facts["relation"].isin(RELATIONS.values())]
    by = linked_facts.groupby(["entity", "relation"])["item_id"]
    items = by.apply(lambda s: frozenset(map(str, s))).to_dict()
    members: dict[str, frozenset[str]] = {}
    for (entity, _), films in items.items():
        members[entity] = members.get(entity, frozenset()) | films
    for entry in names:
        if entry.kind in PEOPLE:
            members[entry.entity] = items.get((entry.entity, RELATIONS[entry.kind]), frozenset())
    for entry in names if item_tags else ():
        if entry.tag:
            members[entry.entity] = frozenset(
                i for i, tags in item_tags.items() if entry.tag in tags
            )
        elif entry.within:
            allowed = set(entry.within)
            members[entry.entity] = frozenset(
                i for i in members.get(entry.entity, ()) if item_tags.get(i, set()) & allowed
            )
    return members


def _phrase(name: str, generic: set[str]) -> tuple[str, ...]:
    """A name's words as messages are matched against them: singular, generic words left out."""
    said = [p for t in tokens(name) if t[0].isalnum() for p in t.split("-")]
    return tuple(w for w in map(singular, said) if w not in generic)


@dataclass(frozen=True)
class FilmFacts:
    """Knowledge of films beyond the graph, linked to the catalogue by title and year: TMDb's
    keywords and Wikidata's people, with the catalogue's titles (item id -> title)."""

    titles: Mapping[str, str]
    keywords: Sequence[FilmKeywords] = ()
    people: Sequence[FilmPeople] = ()


def linked(films: Sequence[tuple[str, int | None]], titles: Mapping[str, str]) -> list[str | None]:
    """The catalogue item (`titles`: item id -> title) each (title, year) names: the item with one
    of its title keys (`titles.title_keys`: "Se7en" is "Seven (Se7en)"; its number words as
    digits: "Twelve Monkeys" is "12 Monkeys") and a year at most `YEARS_APART` from the film's;
    None where there is none or two (remakes). A film its whole title links to none is looked up
    by its main or last part (`_film_keys`), for an item no other film's whole title took ("Air
    Bud: Golden Receiver" is not Air Bud). A film the catalogue lists twice under one title
    (ML-100k's "Chasing Amy (1997)") is its first id's."""
    by_key: dict[str, set[str]] = {}
    for item_id, title in titles.items():
        for key in title_keys(title):
            for form in {key, alpha2digit(key, "en")}:
                by_key.setdefault(form, set()).add(item_id)
    whole = [_item(by_key, titles, title_key(title), year) for title, year in films]
    taken = set(whole)
    out: list[str | None] = []
    for (title, year), found in zip(films, whole, strict=True):
        for key in _film_keys(title) if found is None else ():
            found = _item(by_key, titles, key, year)
            if found is not None:
                found = None if found in taken else found
                break
        out.append(found)
    return out


def _item(
    by_key: Mapping[str, set[str]], titles: Mapping[str, str], key: str, year: int | None
) -> str | None:
    """The one item of `key` whose year is near `year` (the first id of a title listed twice)."""
    near = {
        i
        for i in by_key.get(key, ())
        if year is not None
        and (made := title_year(titles[i])) is not None
        and abs(made - year) <= YEARS_APART
    }
    once = len({titles[i] for i in near}) == 1
    return min(near, key=lambda i: (len(i), i)) if near and once else None


def _film_keys(title: str) -> list[str]:
    """The keys another list's film is looked up by when its whole title links none: its main
    title's and its last part's ("Star Wars: Episode IV – A New Hope" is the catalogue's "Star
    Wars"; "Star Wars: Episode V – The Empire Strikes Back" its "The Empire Strikes Back")."""
    keys = []
    if ": " in title:
        keys.append(title_key(title.split(": ")[0]))
    parts = _PART_DASH.split(title)
    if len(parts) > 1:
        keys.append(title_key(parts[-1]))
    return [key for key in dict.fromkeys(keys) if key and key != title_key(title)]


_PART_DASH = re.compile(r" [–—-] ")


def beyond_graph(
    facts: FilmFacts,
    names: Sequence[NamedEntity],
    generic: set[str],
    sparse: Mapping[tuple[str, ...], str] | None = None,
) -> tuple[list[NamedEntity], dict[str, frozenset[str]]]:
    """The entities `facts` add, and the items of each: a TMDb keyword two items share, named by
    itself ('tagged "revenge" on TMDb'), unless a graph name ("comedy") or a catalogue title
    of two words or more ("jurassic park": a seed's words find its title neighbours) says it, and leaving out
    `names/keywords.toml`'s `ignore` (how a film was made, not what it is), and its `same` read
    as the one they name ("cyborg": "robot"); a person of two
    names or more in two items' credits ("a film with John Wayne"; a director is only that in
    their own films, not also in its cast for a cameo; a writer who directed is both), who is the table's entity
    where `names` has them by that name and role (the graph's ids miss films: Good Will Hunting
    for Robin Williams). A keyword that is the name of a `sparse` subject (its words -> entity)
    adds its films to that subject: the graph's aliens are five films, none Men in Black."""
    ignore, sparse = ignored_keywords(), sparse or {}
    said = {_phrase(name, generic) for entry in names for name in entry.names}
    titled = {_phrase(key, generic) for t in facts.titles.values() for key in title_keys(t)}
    said |= {words for words in titled if len(words) > 1}  # "funeral" is a word, too
    items: dict[str, set[str]] = {}
    extra: dict[str, NamedEntity] = {}
    films = linked([(f.title, f.year) for f in facts.keywords], facts.titles)
    same = _keywords_table().get("same", {})  # "cyborg" is a robot
    for film, item_id in zip(facts.keywords, films):
        for keyword in (same.get(k, k) for k in film.keywords) if item_id else ():
            words = _phrase(keyword, generic)  # "new love" would be any "new"
            whole = len(words) == len(_phrase(keyword, set()))
            if words in sparse and keyword not in ignore:
                items.setdefault(sparse[words], set()).add(item_id)
            elif keyword not in ignore and whole and words not in said:
                others = tuple(k for k, name in same.items() if name == keyword and " " not in k)
                named = NamedEntity(TMDB + keyword, KEYWORD, (keyword,), others)  # "cyborg" too
                extra.setdefault(keyword, named)
                items.setdefault(TMDB + keyword, set()).add(item_id)
    known = {(e.kind, n.lower()): e.entity for e in names if e.kind in PEOPLE for n in e.names}
    films = linked([(f.title, f.year) for f in facts.people], facts.titles)
    for film, item_id in zip(facts.people, films):
        credits = (("director", film.directors), ("writer", film.writers), ("actor", film.cast))
        for kind, name in ((k, n) for k, ns in credits if item_id for n in ns):
            if len(name.split()) < 2:  # "Cher", "Madonna": words of running text too
                continue
            if kind == "actor" and name in film.directors:  # Hitchcock's cameos: his films
                continue
            entity = known.get((kind, name.lower()), f"{WIKIDATA}{kind}:{name}")
            if entity.startswith(WIKIDATA):
                extra.setdefault(entity, NamedEntity(entity, kind, (name,)))
            items.setdefault(entity, set()).add(item_id)
    return list(extra.values()), {e: frozenset(i) for e, i in items.items()}


def ignored_keywords() -> set[str]:
    """TMDb's keywords of how a film was made, not what it is (`names/keywords.toml`)."""
    return set(_keywords_table().get("ignore", ()))


@cache
def _keywords_table() -> dict:
    """`names/keywords.toml`: TMDb's keywords left out, those that name one thing, and its genres
    as the catalogue's."""
    table = resources.files("recassist.data").joinpath("names", "keywords.toml").read_text("utf-8")
    return tomllib.loads(table)


def load_concepts(
    graph: ItemGraph | None,
    dataset: Dataset,
    encode: Encode | None,
    keywords: Sequence[FilmKeywords] | None = None,
    people: Sequence[FilmPeople] | None = None,
) -> ConceptIndex | None:
    """The concept index of a catalogue with a knowledge graph (None without one): the named
    entities of `data/names/freebase.toml` that its items have (by the graph, or by the
    catalogue's genre of the same meaning), the TMDb `keywords` its films share and the Wikidata
    `people` of their credits, with each item's popularity (its rank by interactions,
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
    facts = FilmFacts(titles, keywords or (), people or ())
    concepts = build_concepts(graph, names, generic, item_tags, facts)
    if not concepts:
        return None
    counts = dataset.interactions["item_id"].astype(str).value_counts()
    return ConceptIndex(concepts, language, counts.rank(pct=True).to_dict(), encode)


def load_synopses(
    concepts: ConceptIndex | None,
    dataset: Dataset,
    encode: Encode | None,
    keywords: Sequence[FilmKeywords] | None = None,
    documents: Encode | None = None,
) -> Synopses | None:
    """Each item's synopsis (`retrieval.synopses`): TMDb's overview of the film where `keywords`
    link one, and what it is about, the names of its concepts (kinds and subjects, not people:
    a name is no description of a film) and its TMDb keywords; None without an encoder or
    anything to say. `documents` embeds the synopses (a cached `encode`)."""
    if encode is None:
        return None
    generic = concepts.generic if concepts is not None else set()  # read once, by the index
    titles = dict(zip(dataset.items["item_id"].astype(str), dataset.items["title"]))
    films = keywords or ()
    told = {i: f for f, i in zip(films, linked([(f.title, f.year) for f in films], titles)) if i}
    out: dict[str, Synopsis] = {}
    for item_id in titles:
        own = concepts.of_item(item_id) if concepts is not None else []
        names = [
            " ".join(w for w in tokens(c.names[0]) if singular(w) not in generic)
            for c in own
            if c.kind in ABOUT
        ]  # "biographical", not "biographical film": "films about painters" is no match
        film = told.get(item_id)
        about = tuple(dict.fromkeys(n for n in [*names, *(film.keywords if film else ())] if n))
        if film or about:
            out[item_id] = Synopsis(film.overview if film else "", about)
    return Synopses(out, encode, documents) if out else None


def load_outside(dataset: Dataset, keywords: Sequence[FilmKeywords] | None) -> OutsideFilms | None:
    """TMDb's films that no item of the catalogue is (`retrieval.outside`), None without any."""
    titles = dict(zip(dataset.items["item_id"].astype(str), dataset.items["title"]))
    films = keywords or ()
    items = linked([(f.title, f.year) for f in films], titles)
    outside = [f for f, item_id in zip(films, items, strict=True) if item_id is None]
    table = _keywords_table()
    kinds = {g.lower(): g for tags in dataset.items["tags"] for g in str(tags).split("|") if g}
    genres = {g: kinds.get(g, "") for f in outside for g in f.genres}  # "comedy": Comedy
    genres |= {g: c for g, c in table.get("genres", {}).items()}  # "family": Children's
    return OutsideFilms(outside, set(table.get("ignore", ())), genres) if outside else None


def load_lengths(
    dataset: Dataset,
    people: Sequence[FilmPeople] | None,
    keywords: Sequence[FilmKeywords] | None = None,
) -> dict[str, int]:
    """Each item's length in minutes, where a source links a film to it by title and year:
    Wikidata's (`people`, the `omdb` table's `Runtime`) first, TMDb's (`keywords`, `runtime`)
    where Wikidata has none. An item neither knows is left out: its length is not known."""
    titles = dict(zip(dataset.items["item_id"].astype(str), dataset.items["title"]))
    out: dict[str, int] = {}
    for films in (people or (), keywords or ()):
        items = linked([(f.title, f.year) for f in films], titles)
        for film, item_id in zip(films, items, strict=True):
            if item_id is not None and film.minutes is not None:
                out.setdefault(item_id, film.minutes)
    return out


def load_credits(dataset: Dataset, people: Sequence[FilmPeople] | None) -> Credits:
    """Each item's people (Wikidata's directors, writers and cast), where a film links to it by
    title and year (`retrieval.credits`)."""
    titles = dict(zip(dataset.items["item_id"].astype(str), dataset.items["title"]))
    films = people or ()
    items = linked([(f.title, f.year) for f in films], titles)
    return Credits({i: film for film, i in zip(films, items, strict=True) if i is not None})
