"""The films that share a relation asked by name with a seed ("who directed fargo?", "more from
the director of Alien", "the sequel to The Godfather"): the knowledge graph's links, and where
Wikidata's credits link more (`retrieval.credits`: the graph links no other film to Titanic by its
cast), those too, each with how many people it shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from recassist.grounding.evidence import Reason
from recassist.retrieval.credits import RELATION_ROLE, Credits
from recassist.retrieval.serving import ServingModel


def related_counts(
    serving: ServingModel, credits: Credits, seed: str, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per item row of `serving`: how many links of `kind` ("same_director", "sequel") it has to
    `seed`, the larger of the graph's and the credits' count (zeros where neither knows); and how
    near the graph puts it to `seed`, the tie-break among films that share as many (zeros without
    a graph)."""
    vocab = serving.data.items
    counts, near = np.zeros(len(vocab), dtype=float), np.zeros(len(vocab), dtype=float)
    graph = serving.fusion.generators.get("knowledge")
    row = int(vocab.rows([seed], missing=-1)[0])
    if graph is not None and row >= 0:
        counts = np.asarray(graph.related(np.array([row]), kind), dtype=float)
        near = np.asarray(graph.neighbours(np.array([row])), dtype=float).ravel()
    shared = credits.sharing(seed, kind)
    rows = vocab.rows(list(shared), missing=-1)
    for n, other in zip(shared.values(), rows):
        if other >= 0:
            counts[other] = max(counts[other], n)
    return counts, near


NAMED_MOST = 2  # the people a relation's evidence names, the best known first


def with_people(reasons: Sequence[Reason], item_id: str, credits: Credits) -> list[Reason]:
    """`reasons` with the people each relation to a film shares named where the credits know them
    ("same_director" as Alien (1979): Ridley Scott); such a reason is then worded by them, not by
    the graph's count of shared people. A cast shared by none the credits know well is left out
    where people who liked both say more ("both have Nick Vallelonga in their cast" for The
    Godfather and GoodFellas: 124 people liked both)."""
    liked_both = any(r.kind == "co_liked" for r in reasons)
    out = []
    for reason in reasons:
        if reason.kind in RELATION_ROLE and reason.item is not None:
            shared = credits.shared(item_id, reason.item.item_id, reason.kind)
            if reason.kind == "shared_cast" and liked_both and not any(map(credits.known, shared)):
                continue
            if shared:
                reason = dataclasses.replace(reason, people=shared[:NAMED_MOST], count=None)
        out.append(reason)
    return out
