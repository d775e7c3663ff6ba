"""The seeds stage: which catalogue items the titles of a request name.

A title is looked up as users write it (`Catalogue.match_title`: "Godfather part 2" is The
Godfather: Part II, "termnator" The Terminator, "lebowski" The Big Lebowski); a title matched
without certainty is built around all the same and the reply asks "did you mean ...?", so that a
film is never both missing and a pick. "The last Star Wars movie" (`TurnRequest.series`) is the
latest (or earliest) catalogue title that contains the name: the catalogue knows a series only by
its titles, so "Star Wars" is Star Wars (1977), the one ML-100k title with those words. A numbered
title the catalogue does not have ("Toy Story 2") names nothing; the list is then built around the
unnumbered title (Toy Story) in its place, and the reply says so. A title the catalogue lacks
or only guesses at may be a film TMDb knows (`retrieval.outside`: "The Matrix", "American
Beauty", no misspelt "American Dream"): the list is then the films whose synopses are nearest
what TMDb says of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from recassist.assistant.request import Intent, TurnRequest
from recassist.language.words import word_set
from recassist.retrieval.catalogue import Catalogue, without_number
from recassist.retrieval.generators.knowledge import SERIES_MOST
from recassist.retrieval.outside import OutsideFilm
from recassist.retrieval.serving import ServingModel
from recassist.retrieval.titles import known_series, title_key


@dataclass(frozen=True)
class NamedTitle:
    """One title of a request, as the catalogue reads it."""

    title: str  # as the user wrote it
    item_id: str | None  # the item it names; None when the catalogue does not have it
    stand_in: str | None = None  # for a missing numbered title, the unnumbered title's item
    # "latest" or "earliest" when `item_id` was chosen from a series; "all" when the whole series
    # was named ("all the star wars films": `item_id` is its first film)
    series: str | None = None
    suggestion: str | None = (
        None  # the item a misspelt title may name: the reply asks "did you mean ...?"
    )
    outside: OutsideFilm | None = None  # a missing title as TMDb knows it ("The Matrix")

    @property
    def known(self) -> bool:
        """Whether a film was found for it (the catalogue's, a stand-in, TMDb's), not words."""
        return bool(self.item_id or self.stand_in or self.outside)

    @property
    def seed(self) -> str | None:
        """The item the list is built around for this title."""
        return self.item_id or self.stand_in or self.suggestion


def series_name(title: str) -> str | None:
    """The name of the series `title` says whole ("all the star wars films", "every star trek
    movie", "the godfather trilogy"), else None: words of `whole_series_before` (and articles)
    before it, nouns after it; it is whole by a word before it or a plural noun after it ("the
    godfather movie" is one film)."""
    said = title.split()
    words = [w.lower().strip(".,!?") for w in said]
    before, plural = word_set("whole_series_before"), word_set("whole_series_nouns")
    lead = before | word_set("whole_series_articles")
    start = next((i for i, w in enumerate(words) if w not in lead), len(words))
    end = len(words)
    while end > start and words[end - 1] in plural | word_set("series_nouns"):
        end -= 1
    whole = bool(plural & set(words[end:]) or before & set(words[:start]))
    return " ".join(said[start:end]) if whole and end > start else None


def whole_series(
    catalogue: Catalogue, serving: ServingModel, named: list[NamedTitle]
) -> list[list[str]]:
    """The films of each whole series `named` ("all the star wars films"), oldest first: those
    the catalogue knows as the series (`Catalogue.series`) and their sequels and prequels by the
    graph."""
    out = []
    for title in (n.title for n in named if n.series == "all"):
        films = catalogue.series(series_name(title) or title)
        films += [s for f in films for s in _sequels(serving, f) if s in catalogue.items]
        out.append(sorted(set(films), key=lambda i: (catalogue.items[i].year or 0, i)))
    return out


def sequels_of_first(catalogue: Catalogue, serving: ServingModel, item_id: str) -> list[str]:
    """The later films of `item_id`'s series when it is the first (by the graph's sequels, and the
    series `known_series` lists under its title): "not star wars" rules out The Empire Strikes
    Back and Return of the Jedi too; [] for a later film ("like alien but not aliens" leaves
    Alien) or one without sequels."""
    listed = known_series().get(title_key(catalogue.items[item_id].title), ())  # "star wars"
    films = [*_sequels(serving, item_id), *filter(None, map(catalogue.exact_title, listed))]
    films = [i for i in dict.fromkeys(films) if i in catalogue.items and i != item_id]
    year = catalogue.items[item_id].year or 0
    if any((catalogue.items[i].year or 0) < year for i in films):
        return []
    return sorted(films, key=lambda i: (catalogue.items[i].year or 0, i))


def _sequels(serving: ServingModel, item_id: str) -> list[str]:
    """The item's sequels and prequels, theirs and so on, by the graph ([] without one)."""
    graph, rows = serving.fusion.generators.get("knowledge"), serving.data.items
    found = graph.series_of(rows.row(item_id)) if graph is not None and item_id in rows else []
    return [str(i) for i in rows.ids(found)]


def name(catalogue: Catalogue, title: str, series: str | None = None) -> NamedTitle:
    """The item `title` names: the latest or earliest of its series when `series` says so; the
    first of a whole series named ("all the star wars films")."""
    whole = series_name(title) if series is None and not catalogue.find_title(title) else None
    films = (catalogue.series(whole) or [catalogue.find_title(whole)]) if whole else []
    if films and films[0] is not None and len(films) <= SERIES_MOST:
        return NamedTitle(title, films[0], series="all")
    if series is not None:  # no series by that name: missing, not the nearest title by meaning
        members = catalogue.series(title)
        return NamedTitle(
            title,
            (members[-1] if series == "latest" else members[0]) if members else None,
            series=series,
        )
    match = catalogue.match_title(title)
    if match is not None and match.sure:
        return NamedTitle(title, match.item_id)
    base = without_number(title)
    stand_in = catalogue.find_title(base) if base else None
    outside = catalogue.outside
    film = outside.find(title) if outside is not None and stand_in is None else None
    if film is not None:  # "american beauty" is TMDb's film, not a misspelt American Dream
        return NamedTitle(title, None, outside=film)
    if match is not None and stand_in is None:  # unsure: "did you mean ...?", built around it
        return NamedTitle(title, None, suggestion=match.item_id)
    return NamedTitle(title, None, stand_in)


def built_around(named: list[NamedTitle]) -> list[str]:
    """The items a list is built around for the titles named: each title's item (or stand-in); a
    misspelt title's guess only when no title is sure ("I loved Heat and Ronin" is built around
    Heat alone, never around Batman & Robin for "ronin")."""
    sure = [n.seed for n in named if n.seed and n.suggestion is None]
    return list(dict.fromkeys(sure or [n.seed for n in named if n.seed]))


def named_titles(catalogue: Catalogue, request: TurnRequest) -> list[NamedTitle]:
    """Each title the request names, in order; the first is the one "the last ... movie" names (the
    parser puts it first)."""
    return [
        name(catalogue, title, request.series if i == 0 else None)
        for i, title in enumerate(request.seed_titles)
    ]


def outside_films(
    catalogue: Catalogue,
    request: TurnRequest,
    named: list[NamedTitle],
    last: TurnRequest | None,
    standing: tuple[str, ...],
) -> tuple[TurnRequest, list[OutsideFilm]]:
    """The films TMDb knows and the catalogue lacks that a list is like: those the request names
    ("like the matrix"); else, for a list that names no film, keeps the topic and has no
    standing seeds ("what else?", "only ones from the 80s"), the `last` request's, whose titles
    the request then holds again (a film the catalogue lacks is no standing seed)."""
    found = [n.outside for n in named if n.outside]
    keeps = not (request.new_topic or request.drop_seeds or request.reset)
    if found or request.seed_titles or standing or last is None or not keeps:
        return request, found
    if request.intent is Intent.search:
        return request, found
    again = [n for n in (name(catalogue, t) for t in last.seed_titles) if n.outside]
    if not again:
        return request, found
    titles = [n.title for n in again]
    return request.model_copy(update={"seed_titles": titles}), [n.outside for n in again]


def thumbs_on_no_film(catalogue: Catalogue, request: TurnRequest) -> TurnRequest:
    """A thumbs on words that name no film of the catalogue: a request, not "which one do you
    mean?" about a list. A famous person is wanted or ruled out ("i love tom hanks", "I hate tom
    cruise. any good thrillers?"); praise for a film TMDb knows ("i loved inception") asks for
    films like it; other words are a wish against them ("i don't like violence. a drama?": the
    least violent first, as for "no violence") or said back as unused."""
    if request.intent is not Intent.feedback or request.refers_to is not None:
        return request
    named = named_titles(catalogue, request)
    if not named or any(t.item_id or t.stand_in for t in named):
        return request
    against = request.feedback == "dislike"  # said back as a wish against it: "no violence"
    update = {"intent": Intent.recommend, "feedback": None, "then_more": False}
    if not against and any(t.outside for t in named):  # "i loved inception": films like it
        return request.model_copy(update=update)
    people = [t.title for t in named if catalogue.films_of(t.title)]
    if people:
        field = "exclude_people" if against else "people"
        update[field] = [*getattr(request, field), *people][:5]
    rest = [t.title for t in named if t.title not in people]
    unused = [*request.unused, *(f"no {title}" if against else title for title in rest)]
    if against:  # "i hate violence": the least violent first, as for "no violence"
        update["milder"] = [*request.milder, *(f"no {title}" for title in rest)][:5]
    return request.model_copy(update={**update, "seed_titles": [], "unused": unused[:20]})
