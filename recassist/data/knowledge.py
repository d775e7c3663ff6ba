"""Item knowledge graphs: RecBole's Freebase graph of ML-100k, fetched from its wheel and read as
(item, relation, entity) facts.

RecBole ships two atomic files beside its ML-100k copy (`recbole==1.2.1`, see ../docs/data.md):
`ml-100k.link` maps a MovieLens item id to a Freebase entity, and `ml-100k.kg` holds 91,631
`head_id, relation_id, tail_id` triples (tab-separated, a typed header `head_id:token ...`).
Entities are Freebase ids with no names, so what recassist can say about an item is which *other
catalogue item* shares a director, a writer, cast members or a series with it, never a person's
name.

The `.link` file's item ids are MovieLens-1M movie ids, not ML-100k's (read as ML-100k ids, Bottle
Rocket, Nobody's Fool and Booty Call would share a director). The package's crosswalk
(`data/crosswalks/ml-100k-kg.json`, ids only, derived and checked by benchmarks/kg_crosswalk.py)
maps them to ML-100k item ids; a linked film outside ML-100k is left out.

`fetch_graph` downloads the wheel and checks the archive's and both files' SHA-256 (the same
mechanism as `data.sources`); the files land in `<data_dir>/raw/<dataset>/` and are never committed.
`load_graph` reads them back; a malformed file raises `InputFileError` naming the file, the row and
the field."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from recassist import packages
from recassist.errors import InputFileError

FILM = "film.film."  # relations whose head is the film: film.film.directed_by, film.film.actor, ...
SERIES = {"film.film.sequel": "sequel", "film.film.prequel": "prequel"}
KG_FIELDS = ("head_id", "relation_id", "tail_id")
LINK_FIELDS = ("item_id", "entity_id")


@dataclass(frozen=True)
class GraphSource:
    """Where one data set's graph comes from: a pinned wheel and two members with their SHA-256."""

    dist: packages.Distribution
    kg: tuple[str, str]  # (path inside the archive, sha256)
    link: tuple[str, str]
    crosswalk: str | None = None  # package data mapping the .link's item ids to the data set's

    def item_ids(self) -> dict[str, str] | None:
        """The .link's item ids -> the data set's where they differ (None: they are the same)."""
        if self.crosswalk is None:
            return None
        text = (
            resources.files("recassist.data")
            .joinpath("crosswalks", self.crosswalk)
            .read_text("utf-8")
        )
        return json.loads(text)["ml1m_to_ml100k"]


_RECBOLE = "recbole/dataset_example/ml-100k/"
GRAPHS: dict[str, GraphSource] = {
    "ml-100k": GraphSource(
        dist=packages.Distribution(
            "recbole==1.2.1",
            "recbole-1.2.1-py3-none-any.whl",
            "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407",
        ),
        kg=(
            _RECBOLE + "ml-100k.kg",
            "200a0636fa07c218119a42e5bac7aa3e26e3665a6f919c1b22909bd412b14779",
        ),
        link=(
            _RECBOLE + "ml-100k.link",
            "524dca2c3d62619688ab99b3ec53ea2acb9b64d38eafec3e02bdd0dc6bb7d948",
        ),
        crosswalk="ml-100k-kg.json",
    ),
}


def graph_files(data_dir: Path, dataset: str) -> tuple[Path, Path]:
    """Where the graph of `dataset` is kept once fetched: (facts, links)."""
    folder = data_dir / "raw" / dataset
    return folder / "knowledge.kg", folder / "knowledge.link"


def fetch_graph(dataset: str, data_dir: Path) -> tuple[Path, Path] | None:
    """Download and check the graph of `dataset` (None when recassist knows no graph for it)."""
    source = GRAPHS.get(dataset)
    if source is None:
        return None
    archive = packages.download(source.dist, data_dir / "downloads", tools_dir=data_dir / "tools")
    kg_path, link_path = graph_files(data_dir, dataset)
    return (
        packages.extract(archive, source.kg[0], kg_path, source.kg[1]),
        packages.extract(archive, source.link[0], link_path, source.link[1]),
    )


@dataclass(frozen=True)
class ItemGraph:
    """A graph as item facts. `facts`: item_id, relation, entity (film.film.* relations, whose head
    is a linked film); `series`: item_id, relation ("sequel" or "prequel"), other_id (both items in
    the catalogue's ids): `other_id` is the sequel (or prequel) of `item_id`."""

    facts: pd.DataFrame
    series: pd.DataFrame


def _read_atomic(path: Path, fields: tuple[str, ...]) -> list[list[str]]:
    """Rows of a RecBole atomic file, checked: the header names `fields` (typed `name:token`), and
    every row has one non-empty value per field."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        names = tuple(column.split(":")[0] for column in header)
        if names != fields:
            raise InputFileError(str(path), f"the header is {names}, expected {fields}", line=1)
        rows = []
        for number, line in enumerate(handle, start=1):
            values = line.rstrip("\n").split("\t")
            if len(values) != len(fields):
                raise InputFileError(
                    str(path),
                    f"{len(values)} tab-separated values, expected {len(fields)}",
                    row=number,
                    line=number + 1,
                )
            for field, value in zip(fields, values):
                if not value.strip():
                    raise InputFileError(
                        str(path), "empty value", row=number, line=number + 1, field=field
                    )
            rows.append(values)
    return rows


def read_graph(
    kg_path: Path, link_path: Path, item_ids: Mapping[str, str] | None = None
) -> ItemGraph:
    """The item facts of a RecBole graph: links map entities to items (through `item_ids` when the
    link's ids are not the data set's), then every film.film.* triple whose head is a linked film is
    a fact of that item; sequel/prequel triples between two linked films are series links."""
    links = _read_atomic(link_path, LINK_FIELDS)
    item_of: dict[str, str] = {}
    for number, (link_id, entity) in enumerate(links, start=1):
        item_id = link_id if item_ids is None else item_ids.get(link_id)
        if item_id is None:
            continue
        if item_of.setdefault(entity, item_id) != item_id:
            raise InputFileError(
                str(link_path), f"entity {entity} links two items", row=number, field="entity_id"
            )
    facts, series = [], []
    for head, relation, tail in _read_atomic(kg_path, KG_FIELDS):
        item_id = item_of.get(head)
        if item_id is None or not relation.startswith(FILM):
            continue
        if relation in SERIES:
            if (other := item_of.get(tail)) is not None and other != item_id:
                series.append((item_id, SERIES[relation], other))
        else:
            facts.append((item_id, relation, tail))
    return ItemGraph(
        pd.DataFrame(facts, columns=["item_id", "relation", "entity"]).drop_duplicates(
            ignore_index=True
        ),
        pd.DataFrame(series, columns=["item_id", "relation", "other_id"]).drop_duplicates(
            ignore_index=True
        ),
    )


def graph_signature(data_dir: Path, dataset: str) -> str | None:
    """What the fitted models depend on in the graph of `dataset`: its files and crosswalk (None: no
    graph). A graph fetched later, or a new crosswalk, changes it, so the serving model is refitted.
    """
    source = GRAPHS.get(dataset)
    paths = graph_files(data_dir, dataset)
    if source is None or not all(p.is_file() for p in paths):
        return None
    parts = [
        *(packages.sha256_file(p) for p in paths),
        json.dumps(source.item_ids(), sort_keys=True),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def load_graph(data_dir: Path, dataset: str) -> ItemGraph | None:
    """The fetched graph of `dataset`, or None when there is none (not fetched, or none known)."""
    kg_path, link_path = graph_files(data_dir, dataset)
    if dataset not in GRAPHS or not (kg_path.is_file() and link_path.is_file()):
        return None
    return read_graph(kg_path, link_path, GRAPHS[dataset].item_ids())


@dataclass(frozen=True)
class NamedEntity:
    """A graph entity with the names people use for it (`names/freebase.toml`)."""

    entity: str
    kind: str  # genre, subject, country, language, award, keyword; director, actor, writer
    names: tuple[str, ...]
    also: tuple[str, ...] = ()
    tag: str = ""  # the catalogue's own genre of the same meaning ("Sci-Fi"), if any
    within: tuple[str, ...] = ()  # catalogue genres one of which its films have ("Comedy")


def feelings(table: dict) -> dict[str, str]:
    """How a user says they feel, each way of saying it before each state ("i'm so" "bored"), as
    the kind of film that answers it ("exciting"): the `[feelings]` table of `translations.toml`."""
    return {
        f"{b} {state}": kind for b in table["before"] for state, kind in table["states"].items()
    }


@cache
def feeling_phrases() -> tuple[str, ...]:
    """Every way of saying how one feels that `feelings` reads ("i'm so bored", "feeling down"):
    a want of its own, never a change to the last list. Read once."""
    folder = resources.files("recassist.data").joinpath("names")
    foreign = tomllib.loads(folder.joinpath("translations.toml").read_text("utf-8"))
    return tuple(feelings(foreign["feelings"]))


def entity_names() -> tuple[list[NamedEntity], dict[str, list[str]]]:
    """The named Freebase entities (kinds of film in `freebase.toml`, people in `people.toml`),
    and how messages are read for them (the `match` section, with `translations`: the words of
    five other languages for the English names, `translations.toml`, all languages in one)."""
    folder = resources.files("recassist.data").joinpath("names")
    table = tomllib.loads(folder.joinpath("freebase.toml").read_text("utf-8"))
    language = table.pop("match", {})
    foreign = tomllib.loads(folder.joinpath("translations.toml").read_text("utf-8"))
    felt = feelings(foreign.pop("feelings"))
    language["translations"] = {k: v for words in foreign.values() for k, v in words.items()}
    language["translations"] |= felt
    table |= tomllib.loads(folder.joinpath("people.toml").read_text("utf-8"))
    named = [
        NamedEntity(
            entity,
            kind,
            tuple(entry["names"]),
            tuple(entry.get("also", ())),
            entry.get("tag", ""),
            tuple(entry.get("within", ())),
        )
        for kind, entries in table.items()
        for entity, entry in entries.items()
    ]
    return named, language
