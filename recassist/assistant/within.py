"""What the picks are of the concepts a message named: none of them, when nothing named fits the
other constraints ("something darker" after 80s films: the only 80s neo-noir was shown already);
or only some, when a person named has fewer films that fit than the list holds ("tom hanks, not a
comedy": three of his films, then films near the words). Either way the reply says so, so that
the other picks are not taken for what was named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from recassist.assistant import replies
from recassist.assistant.ranking import Pick
from recassist.retrieval.catalogue import Constraints, Item
from recassist.retrieval.concept_values import PEOPLE, ConceptMatch


def within_notes(
    found: Sequence[ConceptMatch],
    picks: Sequence[Pick],
    constraints: Constraints,
    items: Mapping[str, Item],
    seen: set[str],
) -> list[str]:
    """The note on what the picks are of the concepts `found`; none when each pick is one, or
    when more of them fit than were shown (the ranking chose). `seen`: items shown or rated."""
    out = constraints.exclude_tags  # a kind ruled out ("for adults") is no kind named
    named = [
        m
        for m in _one_role_each(found)
        if not all(i in items and out.intersection(items[i].tags) for i in m.concept.members)
    ]
    picked = {p.item.item_id for p in picks}
    held = bool(replies.in_force([], constraints))  # "coming of age in the 60s": none then
    if not (named and picks):
        return []
    people = [m for m in named if m.concept.kind in PEOPLE]
    theirs = {i for m in people for i in m.concept.members}
    fitting = {i for i in theirs if i in items and i not in seen and constraints.allows(items[i])}
    if not any(picked & m.concept.members for m in named):
        if held:
            return [replies.none_within_note([m.concept.spoken for m in named])]
        shown = people and not fitting  # "more" after all of his films
        return [replies.no_more_note(_person(people[0]))] if shown else []
    if not people or not fitting <= picked or picked <= theirs:
        return []
    best = max(people, key=lambda m: len(picked & m.concept.members))
    return [replies.few_within_note(_person(best), len(picked & theirs), held)]


def _person(match: ConceptMatch) -> str:
    """ "with Tom Hanks", "directed by Alfred Hitchcock": the person as a note names them."""
    return f"{match.concept.credit} {match.concept.names[0]}"


def _one_role_each(found: Sequence[ConceptMatch]) -> list[ConceptMatch]:
    """`found` with each person once, in the role asked, which scores most (`named.in_role`),
    else in the role of most films: "anything with tom hanks" is the actor, not also the
    director and writer of That Thing You Do!, in what a note says."""

    def key(m: ConceptMatch) -> str:
        return m.concept.names[0].lower() if m.concept.kind in PEOPLE else m.concept.entity

    best: dict[str, ConceptMatch] = {}
    for match in found:
        kept = best.get(key(match))
        rank = (match.score, len(match.concept.members))
        if kept is None or rank > (kept.score, len(kept.concept.members)):
            best[key(match)] = match
    return [m for m in found if best[key(m)] is m]
