"""The items a description names, for the candidate stage: the concepts its words name ("a heist
film", "about the Mafia", "directed by Alfred Hitchcock": `retrieval.concepts`) and the films
whose synopses are near it ("films about painters": `retrieval.synopses`), scored together, the
most typical by behaviour first, each with its evidence; and the films whose synopses are near
what TMDb says of a film the catalogue lacks ("like The Matrix": `retrieval.outside`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from recassist.grounding.evidence import Reason
from recassist.retrieval import neighbours
from recassist.retrieval.catalogue import Catalogue, Constraints
from recassist.retrieval.concept_values import PEOPLE, ConceptMatch
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.outside import OutsideFilm
from recassist.settings import AgentConfig

SYNOPSIS_QUOTED = 20  # items of a list whose synopsis is quoted (the picks come from these)
# a kind one word names stays beside the nearest of that word's kinds to the films a list goes
# by when at least this share as near ("darker" after Blade Runner: neo-noir 0.30, psychological
# thriller 0.11, black comedy 0.04; after The Terminator: 0.80, 0.82, 0.10)
TOWARD_SHARE = 0.5
OTHER_ROLE = 0.5  # a person's films in another role than the one asked: after those in it


@dataclass(frozen=True)
class Named:
    """What a description named: the concepts matched, whether synopses were near it, the items
    allowed (id -> score, best first; empty when none of what was named is allowed) and each
    one's evidence."""

    matches: tuple[ConceptMatch, ...]
    synopses: bool
    scores: Mapping[str, float] = field(default_factory=dict)
    reasons: Mapping[str, Reason] = field(default_factory=dict)


def named_items(
    catalogue: Catalogue,
    data: Interactions,
    config: AgentConfig,
    words: str,
    constraints: Constraints,
    seen: set[str],
    anchors: Sequence[str] = (),
    role: str | None = None,
) -> Named | None:
    """The items `words` name, within `constraints` and not `seen`, up to `config.depth`: an
    item's concept scores (`ConceptIndex.scores`) plus how near its synopsis is
    (`near_synopses`); one that no concept names counts how well known it is only as far as its
    synopsis is near (a famous film barely near "painters" is no answer). A word that names
    several kinds names those nearest the films the list goes by (`anchors`, `toward`); a person
    named in a `role` counts most in it, their other roles less (`in_role`). When no concept is
    named and no synopsis is near enough, the nearest synopses however far ("movies where the bad
    guy wins": stories, never titles, whose words would give Bad Boys). None when the words name
    nothing and no item has a synopsis."""
    index = catalogue.concepts
    matches = in_role(index.match(words), role) if index is not None else []
    matches = toward(catalogue, matches, anchors)
    near = near_synopses(catalogue, config, words, matches)
    if not (matches or near):  # the nearest stories, however far
        near = near_synopses(catalogue, config, words, floor=0.0)
    if not (matches or near):
        return None
    scores = index.scores(matches) if index is not None else {}
    top = max(near.values(), default=1.0)
    for item_id, part in near.items():
        known = index.popularity_weight * index.popularity.get(item_id, 0.0) if index else 0.0
        scores[item_id] = scores.get(item_id, known * part / top) + part
    scores = neighbours.typical(data, scores, config.typical_weight)  # the most typical first
    listed = _allowed(catalogue, scores, constraints, seen, config.depth)
    reasons = _reasons(catalogue, list(listed), matches, near, words)
    return Named(tuple(matches), bool(near), listed, reasons)


def in_role(matches: Sequence[ConceptMatch], role: str | None) -> list[ConceptMatch]:
    """The matches, a person's in other roles than the `role` the message gives them counting
    `OTHER_ROLE` as much, where they have that one: "directed by tarantino" is Jackie Brown before
    The Rock, which he wrote; "directed by tom hanks" is That Thing You Do! before his films as
    an actor."""
    cast = {m.concept.names[0].lower() for m in matches if m.concept.kind == role}
    return [
        m
        if m.concept.kind not in PEOPLE
        or m.concept.kind == role
        or m.concept.names[0].lower() not in cast
        else replace(m, score=m.score * OTHER_ROLE)
        for m in matches
    ]


def like_outside(
    catalogue: Catalogue,
    data: Interactions,
    config: AgentConfig,
    film: OutsideFilm,
    constraints: Constraints,
    seen: set[str],
) -> Named:
    """The items whose synopses are nearest what TMDb says of a film the catalogue lacks ("like
    The Matrix": The Terminator, Strange Days, Blade Runner), each by its cosine, halved for an
    item of none of the film's genres (Jaws is no answer to "like Finding Nemo"), raised by up to
    `outside_popularity` by how well known it is (its rank by interactions, as near as the
    nearest), the most typical by behaviour first; within `constraints`, not `seen`; each
    citing the film."""
    synopses = catalogue.synopses
    if synopses is None:
        return Named((), False)
    near = synopses.nearest(film.text, config.depth + len(seen), 0.0)  # a fan has seen many
    kinds, known = set(film.tags), catalogue.concepts.popularity if catalogue.concepts else {}
    scores = {i: s * (1 + _shared(kinds, catalogue.genres(i))) / 2 for i, s in near.items()}
    top = max(scores.values(), default=1.0)  # the well known first of those as near
    scores = {
        i: s * (1 + config.outside_popularity * known.get(i, 0.0) * s / top)
        for i, s in scores.items()
    }
    scores = neighbours.typical(data, scores, config.outside_typical)
    listed = _allowed(catalogue, scores, constraints, seen, config.depth)
    return Named((), False, listed, dict.fromkeys(listed, Reason("like_outside", film.named)))


def toward(
    catalogue: Catalogue, matches: Sequence[ConceptMatch], anchors: Sequence[str]
) -> list[ConceptMatch]:
    """Of the kinds of film one word names, those nearest the films a list goes by: "darker"
    names a black comedy, a neo-noir, a psychological thriller and a crime drama, and "like
    Blade Runner, something darker" wants the neo-noir, not Heathers. A kind's nearness is the
    share of its films with a genre of one of `anchors`; those under `TOWARD_SHARE` of the
    nearest of their words go. Kinds named by words of their own, and lists with no film to go
    by, keep every match."""
    genres = {t for a in anchors if a in catalogue.items for t in catalogue.items[a].tags}
    by_words: dict[str, list[ConceptMatch]] = {}
    for match in matches:
        by_words.setdefault(match.said, []).append(match)
    kept = []
    for group in by_words.values():
        near = [_near(catalogue, m.concept.members, genres) for m in group]
        top = max(near)
        single = len(group) == 1 or not genres or top == 0
        kept += [m for m, n in zip(group, near) if single or n >= TOWARD_SHARE * top]
    return sorted(kept, key=matches.index)


def _near(catalogue: Catalogue, members: frozenset[str], genres: set[str]) -> float:
    """The share of the catalogue's items of `members` with one of `genres`."""
    items = [catalogue.items[i] for i in members if i in catalogue.items]
    return sum(bool(genres & set(item.tags)) for item in items) / max(1, len(items))


def _shared(kinds: set[str], genres: Sequence[str]) -> float:
    """How much of one kind two films are: their genres' Jaccard overlap (0 if either has none)."""
    both = kinds | set(genres)
    return len(kinds & set(genres)) / len(both) if kinds and genres else 0.0


def _allowed(
    catalogue: Catalogue,
    scores: Mapping[str, float],
    constraints: Constraints,
    seen: set[str],
    depth: int,
) -> dict[str, float]:
    """The best `depth` of `scores` that are catalogue items within `constraints`, not `seen`."""
    listed: dict[str, float] = {}
    for item_id in sorted(scores, key=lambda i: -scores[i]):
        item = catalogue.items.get(item_id)
        if item is not None and item_id not in seen and constraints.allows(item):
            listed[item_id] = scores[item_id]
        if len(listed) >= depth:
            break
    return listed


def near_synopses(
    catalogue: Catalogue,
    config: AgentConfig,
    words: str,
    matches: Sequence[ConceptMatch] = (),
    floor: float | None = None,
) -> dict[str, float]:
    """Item id -> how much its synopsis says what `words` (without what they wish away and
    generic words) describe: its similarity above `floor` (`synopsis_floor` unless given),
    scaled to 0-1, times a weight from `synopsis_weight` (the `matches` used every word: the
    synopsis only orders what they named) to `synopsis_weight_unused` (they used none: it is all
    there is to go on). A person's name matched is no description."""
    synopses, index = catalogue.synopses, catalogue.concepts
    weight = config.synopsis_weight
    floor = config.synopsis_floor if floor is None else floor
    if synopses is None or not (weight or config.synopsis_weight_unused):
        return {}
    text = index.wanted(words) if index is not None else words
    names = {w for m in matches if m.concept.kind in PEOPLE for w in m.said.lower().split()}
    text = " ".join(w for w in text.split() if w.strip(",").lower() not in names).strip(" ,")
    if not text:  # "films with tom cruise": a name says nothing of a story ("Cruise Control")
        return {}
    share = index.unused_share(words, matches) if index is not None and matches else 1.0
    weight += (config.synopsis_weight_unused - weight) * share
    near = synopses.nearest(text, config.depth, floor)
    return {i: weight * (s - floor) / (1 - floor) for i, s in near.items()}


def _reasons(
    catalogue: Catalogue,
    listed: Sequence[str],
    matches: Sequence[ConceptMatch],
    near: Mapping[str, float],
    words: str,
) -> dict[str, Reason]:
    """Each listed item's evidence: the most specific concept of the request it has, else, for
    the first `SYNOPSIS_QUOTED`, the part of its synopsis nearest the words ("Along side the
    biography of Basquiat are the artists and the art scene")."""
    index, synopses = catalogue.concepts, catalogue.synopses
    out: dict[str, Reason] = {}
    for rank, item_id in enumerate(listed):
        concept = index.best_for(item_id, matches) if index is not None else None
        if concept is not None:
            out[item_id] = Reason("concept", concept.spoken)
        elif synopses is not None and item_id in near and rank < SYNOPSIS_QUOTED:
            part = synopses.evidence(item_id, words)
            if part:
                out[item_id] = Reason("synopsis", part)
    return out
