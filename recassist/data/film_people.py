"""Film people: who directed, wrote and acted in 17,472 films released from 1940 to 2014, from
Wikidata (CC0), fetched from a PyPI wheel that ships them (`bokeh-sampledata==2026.1`,
`bokeh_sampledata/_data/movies.db`, the table `omdb`) and read as (title, year, directors, writers,
cast, length in minutes, MPAA rating, awards).

The Freebase graph links films to people by id only, so only the famous people named by hand
(`names/people.toml`) could be asked for by name; Wikidata names them all ("anything with john
wayne", "stephen king adaptations", "films by david lynch"). It covers 1,395 of ML-100k's 1,682
films by title and year (not those before 1940).

`fetch_people` downloads the wheel and checks its and the file's SHA-256 (as `data.knowledge` does
for the graph); the file lands in `<data_dir>/raw/<dataset>/` and is never committed.
`read_people` reads it back, with each film's MPAA rating and OMDb's line of its awards; a
malformed row raises `InputFileError` naming the file, the row and the field. A film's length is its `Runtime` (minutes, filled for 93 % of the films); none or 0
is an unknown length, a negative or non-numeric one is malformed. Linking the films to a catalogue's items by title and year is the retrieval layer's
(`retrieval.concept_graph`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from recassist import packages
from recassist.data import lengths
from recassist.errors import InputFileError

SOURCE = packages.Distribution(
    "bokeh-sampledata==2026.1",
    "bokeh_sampledata-2026.1-py3-none-any.whl",
    "f40331a40ca30c64a1c1471835aad9006b61b0d9731a3f649ee8cbbf48d3822f",
)
MEMBER = (
    "bokeh_sampledata/_data/movies.db",
    "1d9c6a02e488d0354b2309e16130c58820a91ac2ce417e814c5964f9579a65ac",
)
DATASETS = ("ml-100k",)  # the catalogues whose films Wikidata's 17,472 overlap
COLUMNS = ("Title", "Year", "Director", "Writer", "Cast", "Runtime", "Rating", "Awards")
SUFFIXES = frozenset({"jr.", "jr", "sr.", "sr", "ii", "iii"})  # "Robert Downey, Jr.": one name


@dataclass(frozen=True)
class FilmPeople:
    """One film: its title and year as Wikidata writes them, its people by role and its length in
    minutes (None: not known)."""

    title: str
    year: int | None
    directors: tuple[str, ...]
    writers: tuple[str, ...]
    cast: tuple[str, ...]
    minutes: int | None = None
    rating: str | None = None  # its MPAA rating ("PG-13"), None: not known
    awards: str = ""  # OMDb's line of its awards ("Won 2 Oscars. Nominated for 5 Oscars.")


def people_file(data_dir: Path, dataset: str) -> Path:
    """Where the people of `dataset`'s films are kept once fetched."""
    return data_dir / "raw" / dataset / "people.db"


def fetch_people(dataset: str, data_dir: Path) -> Path | None:
    """Download and check the film people for `dataset` (None when none are known for it)."""
    if dataset not in DATASETS:
        return None
    return packages.fetch_file(SOURCE, MEMBER, people_file(data_dir, dataset), data_dir=data_dir)


def names(listed: str | None) -> tuple[str, ...]:
    """'Robert Downey, Jr., Tom Hanks' -> ('Robert Downey, Jr.', 'Tom Hanks'): names split at
    commas, a suffix kept with the name before it."""
    out: list[str] = []
    for part in (p.strip() for p in (listed or "").split(",")):
        if part.lower() in SUFFIXES and out:
            out[-1] = f"{out[-1]}, {part}"
        elif part:
            out.append(part)
    return tuple(out)


def read_people(path: Path) -> list[FilmPeople]:
    """The films of the `omdb` table of a bokeh-sampledata `movies.db`."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            quoted = ", ".join(f'"{c}"' for c in COLUMNS)
            rows = db.execute(f"SELECT {quoted} FROM omdb ORDER BY rowid").fetchall()
    except sqlite3.Error as err:
        raise InputFileError(
            str(path), f"no table omdb with {', '.join(COLUMNS)} ({err})"
        ) from None
    films = []
    for number, (title, year, *people, runtime, rating, awards) in enumerate(rows, start=1):
        if not isinstance(title, str) or not title.strip():
            raise InputFileError(str(path), "no title", row=number, field="Title")
        if year is not None and not isinstance(year, int):
            raise InputFileError(str(path), f"not a year: {year!r}", row=number, field="Year")
        for field, value in (("Rating", rating), ("Awards", awards)):
            if value is not None and not isinstance(value, str):
                raise InputFileError(str(path), f"not text: {value!r}", row=number, field=field)
        minutes = lengths.minutes(str(path), runtime, number, "Runtime")
        crew = tuple(names(listed) for listed in people)
        said = (rating or "").strip() or None, (awards or "").strip()
        films.append(FilmPeople(title.strip(), year, *crew, minutes, *said))
    return films


def load_people(data_dir: Path, dataset: str) -> list[FilmPeople] | None:
    """The fetched film people for `dataset`, or None when there are none (not fetched, none
    known)."""
    path = people_file(data_dir, dataset)
    if dataset not in DATASETS or not path.is_file():
        return None
    return read_people(path)
