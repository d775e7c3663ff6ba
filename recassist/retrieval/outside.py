"""Films outside the catalogue: what TMDb says of a film the catalogue does not have, so that
"something like The Matrix" finds the catalogue's films nearest it rather than nothing.

ML-100k's films are from 1922 to 1998, and people name the films they saw last: The Matrix,
Inception, The Dark Knight. TMDb's 4,803 films (`data.film_keywords`) hold most of them, each with
an overview, genres and keywords. Such a film's text (`OutsideFilm.text`, written as a synopsis is,
`retrieval.synopses`) is matched against the catalogue's synopses by meaning: The Matrix is
nearest Hackers, Strange Days, Dark City and Blade Runner; The Dark Knight the four Batman films.
A title is looked up as the catalogue's are (`retrieval.titles.TitleIndex`: with or without its
article, a title it begins, misspelt when sure), the best known of two alike first. A film that
TMDb and the catalogue both have is the catalogue's, never an outside film.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from recassist.data.film_keywords import FilmKeywords
from recassist.retrieval.titles import TitleIndex, title_key, without_number

ABOUT_SPOKEN = 4  # keywords a reply names of what the film is about
SPELT = 88.0  # rapidfuzz ratio at which a title is a misspelling of a film's
FOUND_KEPT = 512  # titles whose answer `find` keeps


@dataclass(frozen=True)
class OutsideFilm:
    """A film the catalogue does not have, as TMDb describes it."""

    title: str  # as TMDb writes it: "The Matrix"
    year: int | None
    genres: tuple[str, ...]  # TMDb's, lower case: "science fiction"
    keywords: tuple[str, ...]  # lower case, without those of how it was made
    overview: str
    tags: tuple[str, ...] = ()  # its genres as the catalogue's: "Sci-Fi", "Children's"

    @property
    def named(self) -> str:
        """How a reply names it: "The Matrix (1999)"."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def text(self) -> str:
        """What is matched against the synopses: the overview, then "About: <genres, keywords>"."""
        about = ", ".join([*self.genres, *self.keywords])
        return " ".join(p for p in (self.overview, f"About: {about}." if about else "") if p)

    def about(self) -> str:
        """What a reply says it is: "action, science fiction: artificial intelligence, ..."."""
        kinds, words = ", ".join(self.genres), ", ".join(self.keywords[:ABOUT_SPOKEN])
        return f"{kinds}: {words}" if kinds and words else kinds or words


class OutsideFilms:
    """TMDb's films that the catalogue does not have, found by a title as people write it."""

    def __init__(
        self,
        films: Iterable[FilmKeywords],
        ignore: Iterable[str] = (),
        genres: Mapping[str, str] | None = None,
    ) -> None:
        """`ignore`: keywords of how a film was made ("duringcreditsstinger"); `genres`: TMDb's
        genre -> the catalogue's ("family": "Children's"; "" for none)."""
        left_out, tags = set(ignore), dict(genres or {})
        known = sorted(films, key=lambda f: -f.votes)  # of two alike, the best known first
        self.films = [
            OutsideFilm(
                f.title,
                f.year,
                f.genres,
                tuple(k for k in f.keywords if k not in left_out),
                f.overview,
                tuple(dict.fromkeys(t for g in f.genres if (t := tags.get(g)))),
            )
            for f in known
        ]
        self._found: dict[str, OutsideFilm | None] = {}  # title as written -> `find`'s answer
        self._titles = TitleIndex(
            (str(n), f"{f.title} ({f.year})" if f.year else f.title)
            for n, f in enumerate(self.films)
        )

    def __len__(self) -> int:
        return len(self.films)

    def joined_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of `text` that name one of these films whose title a reader would split at
        "and" or a comma ("Indiana Jones and the Temple of Doom", "Crouching Tiger, Hidden
        Dragon"), four words or more: "like X and Y" names two films, these one."""
        return [(s, e) for s, e in self._titles.spans(text) if _joined(text[s:e])]

    def find(self, title: str) -> OutsideFilm | None:
        """The film `title` names: exactly (numbers as people say them), without its article, a
        title it begins ("harry potter": the best known), or misspelt when the match is sure;
        None for any other. Kept per title: a turn asks several times (its seeds, its words, its
        notes), and a misspelling is matched against every title."""
        if title not in self._found:
            if len(self._found) > FOUND_KEPT:
                self._found.clear()
            self._found[title] = self._find(title)
        return self._found[title]

    def _find(self, title: str) -> OutsideFilm | None:
        """`find`, uncached."""
        key = title_key(title)
        if not key:
            return None
        index = self._titles
        found = index.exact(key) or index.without_article(key)
        if found is None and without_number(title) is None and " " in key:
            found = index.prefixed(key)  # "harry potter", not "robot" for "Robots and Monsters"
        if found is None:  # misspelt, never a shortened title: "space adventures" is no Zathura
            near = index.forgiving(title)
            spelt = (
                near is not None and near.sure and self._spelt(key, self.films[int(near.item_id)])
            )
            found = near.item_id if spelt else None
        return self.films[int(found)] if found is not None else None

    @staticmethod
    def _spelt(key: str, film: OutsideFilm) -> bool:
        """Whether `key` is `film`'s title nearly as spelt ("the notebok"), with or without its
        article."""
        own = title_key(film.title)
        bare = own.split(" ", 1)[1] if own.startswith(("the ", "a ", "an ")) else own
        return max(fuzz.ratio(key, own), fuzz.ratio(key, bare)) >= SPELT


def _joined(title: str) -> bool:
    """Whether `title` is four words or more, joined by "and", "&" or a comma."""
    words = title.replace(",", " , ").replace("&", " & ").lower().split()
    return len([w for w in words if w not in {",", "&"}]) >= 4 and bool(
        {"and", "&", ","} & set(words)
    )
