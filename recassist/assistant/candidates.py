"""The candidate stage of a chat turn, and the evidence for what it proposed.

Sources, each a list of items with scores: for what the user named or liked in this session, the
items people who liked it also liked and its knowledge-graph neighbours (`requested` /
`history_item` evidence, and per item `co_liked`, `sequel`, `same_director`, `shared_cast` ...;
never the nearest title text), items near the user's own words (`described`), and for a known user
the serving model's generators (their own evidence); a new user who said nothing yet gets what is
popular. Wanted tags with nothing else to go on ("a romantic comedy") add the items nearest the tags
(`described`, at the text weight), so that a rare combination is found beside what is popular. The
lists are combined by the serving model's fusion (`retrieval.fusion`): the same min-max
normalisation and weighted sum the evaluation tunes, with the generators' tuned weights sharing the
agent's `history_weight`. Evidence reuses the lists this turn scored; nothing is scored twice; an
item reason gets a co-liked count in front where enough people liked both (`assistant.coliked`), and
each item's reasons come strongest first. A new user's first tastes count (and are cited) only until
a new topic.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recassist.assistant.coliked import CoLiked
from recassist.assistant.parser import search_text
from recassist.assistant.replies import wanted_tags
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.session import SessionMemory
from recassist.errors import VectorStoreUnavailableError
from recassist.grounding.evidence import Reason, reasons_from_evidence, strongest_first
from recassist.llm.prompts import quote
from recassist.retrieval.catalogue import Catalogue, Constraints, base_title, display_title
from recassist.retrieval.fusion import normalised_matrix
from recassist.retrieval.generators.base import Recommendations
from recassist.retrieval.neighbours import co_liked, liked_matrix
from recassist.retrieval.serving import ServingModel
from recassist.settings import AgentConfig

log = logging.getLogger(__name__)
POPULAR = Reason("popular", "it is popular with other users")
MIN_CO_LIKED = 2  # people who liked both, for "people who liked X also liked it" to be cited


@dataclass
class Found:
    """What the candidate stage found for one turn: fused scores by item id, and the lists behind
    them."""

    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[Reason]] = field(
        default_factory=dict
    )  # a list's own evidence, by list name
    lists: dict[str, sp.csr_matrix] = field(
        default_factory=dict
    )  # one row each, over the serving items
    user_row: int | None = None
    item_reasons: dict[str, list[Reason]] = field(
        default_factory=dict
    )  # an item's own evidence ("like X")
    store_down: bool = (
        False  # the vector store did not answer: only the serving model's lists were used
    )


def beside_titles(words: str, titles: Sequence[str]) -> str:
    """`words` without the `titles` (as displayed or said, with a "(more) like" before), "" when
    only words of asking are left: "something like Star Wars (1977)" describes nothing beyond Star
    Wars."""
    for title in titles:
        for form in (display_title(title), base_title(title)):
            words = re.sub(
                rf"(?:\b(?:more\s+)?like\s+)?{re.escape(form)}", " ", words, flags=re.IGNORECASE
            )
    return search_text(words, fallback=False) and " ".join(words.split())


class CandidateStage:
    def __init__(self, catalogue: Catalogue, serving: ServingModel, config: AgentConfig) -> None:
        self.catalogue, self.serving, self.config = catalogue, serving, config
        self._liked: sp.csc_matrix | None = None  # who liked what, built at the first "like X"
        self.co_liked = CoLiked(serving.data)

    def find(
        self,
        session: SessionMemory,
        request: TurnRequest,
        seeds: Sequence[str],
        constraints: Constraints,
    ) -> Found:
        found, weights = Found(), {}
        vocab, fusion = self.serving.data.items, self.serving.fusion
        seen = set(self.catalogue.history_ids(session.user_id)) | set(seeds)
        anchors = list(seeds) or ([] if request.intent is Intent.search else session.likes[-5:])
        tastes = session.tastes if session.tastes_current else []  # a new topic leaves them behind
        words = " ".join(dict.fromkeys(w for w in (*tastes, request.mood) if w)).strip()
        if (
            seeds
        ):  # a seed's own title is no description: its words would find title-word neighbours
            words = beside_titles(
                words, [self.catalogue.items[s].title for s in seeds if s in self.catalogue.items]
            )
        if (
            anchors
        ):  # named in the request, or liked earlier: their neighbours by behaviour and knowledge
            self._like(
                found, weights, anchors, "requested" if seeds else "history_item", constraints, seen
            )
        try:
            if words and (
                request.intent is Intent.search or session.user_id is None or not anchors
            ):
                weight = self.config.text_weight if (anchors or session.user_id) else 1.0
                self._add(
                    found,
                    weights,
                    "words",
                    weight,
                    self.catalogue.nearest(
                        self.catalogue.encode(search_text(words)),
                        self.config.depth,
                        constraints,
                        seen,
                    ),
                    [Reason("described", quote(words, 80))],
                )
        except VectorStoreUnavailableError as err:  # degrade to the collaborative lists, and say so
            log.warning("candidates without the vector store: %s", err)
            found.store_down = True
        if session.user_id is not None and request.intent is not Intent.search:
            found.user_row = int(self.serving.data.users.rows([session.user_id])[0])
            generator_lists = fusion.candidate_lists(np.array([found.user_row]))
            total = sum(fusion.weight(name) for name in generator_lists) or 1.0
            for name, matrix in generator_lists.items():
                found.lists[name], weights[name] = (
                    matrix,
                    self.config.history_weight * fusion.weight(name) / total,
                )
        if not found.lists and "popularity" in fusion.generators:  # a new user who said nothing yet
            popular = fusion.generators["popularity"].recommend(
                np.array([0]), self.config.depth, exclude_seen=False
            )
            found.lists["popular"], weights["popular"] = normalised_matrix(popular, len(vocab)), 1.0
            found.reasons["popular"] = [POPULAR]
        wanted = " ".join(sorted(constraints.all_tags | constraints.include_tags))
        if wanted and not (
            words or anchors
        ):  # "a romantic comedy" alone: beside what is popular, items near the
            try:  # tags, so that a rare combination ("sci-fi horror from the eighties") is found at all
                self._add(
                    found,
                    weights,
                    "tags",
                    self.config.text_weight,
                    self.catalogue.nearest(
                        self.catalogue.encode(wanted), self.config.depth, constraints, seen
                    ),
                    [Reason("described", quote(wanted_tags(constraints), 80))],
                )
            except VectorStoreUnavailableError as err:
                log.warning("candidates without the vector store: %s", err)
                found.store_down = True
        if found.lists:
            fused = fusion.fuse(found.lists, weights).tocsr()
            ids = vocab.ids(fused.indices)
            found.scores = {str(i): float(s) for i, s in zip(ids, fused.data) if s > 0}
        return found

    def _like(
        self,
        found: Found,
        weights: dict,
        anchors: Sequence[str],
        kind: str,
        constraints: Constraints,
        seen: set[str],
    ) -> None:
        """ "Like X": the items people who liked X also liked ("seeds", with how many) and X's
        neighbours in the knowledge graph ("graph": its sequel, the same director, shared cast),
        never the nearest title text. Each item keeps the specific evidence it has."""
        items, vocab = self.catalogue.items, self.serving.data.items
        rows = vocab.rows(anchors, missing=-1)
        rows, sources = rows[rows >= 0], [a for a, r in zip(anchors, rows) if r >= 0]
        if not len(rows):
            return
        if self._liked is None:
            self._liked = liked_matrix(self.serving.data)
        co = co_liked(self._liked, rows)
        listed = self._top(co.scores, constraints, seen)
        shared = [Reason(kind, items[a].title, items[a]) for a in sources[:2]]
        self._add(found, weights, "seeds", self.config.seed_weight, listed, shared)
        for item_id in listed:
            row, seed = vocab.row(item_id), sources[int(co.seed[vocab.row(item_id)])]
            if co.counts[row] >= MIN_CO_LIKED:
                found.item_reasons.setdefault(item_id, []).append(
                    Reason("co_liked", items[seed].title, items[seed], int(co.counts[row]))
                )
        graph = self.serving.fusion.generators.get("knowledge")
        if graph is None or not self.config.graph_weight:
            return
        listed = self._top(graph.neighbours(rows), constraints, seen)
        self._add(
            found,
            weights,
            "graph",
            self.config.seed_weight * self.config.graph_weight,
            listed,
            shared,
        )
        for ev in graph.item_evidence(rows, vocab.rows(listed), limit=1):
            if ev.kind != "history_item" and ev.source in items:
                reason = Reason(ev.kind, items[ev.source].title, items[ev.source], ev.count or None)
                found.item_reasons.setdefault(str(vocab.id(ev.item)), []).insert(0, reason)

    def _top(
        self, scores: np.ndarray, constraints: Constraints, seen: set[str]
    ) -> dict[str, float]:
        """The `depth` best-scoring catalogue items within the constraints, unseen, as id -> score."""
        out: dict[str, float] = {}
        ids = self.serving.data.items.ids(np.argsort(-scores, kind="stable"))
        for item_id, score in zip(ids, -np.sort(-scores, kind="stable")):
            if score <= 0 or len(out) >= self.config.depth:
                break
            item = self.catalogue.items.get(str(item_id))
            if item is not None and item.item_id not in seen and constraints.allows(item):
                out[item.item_id] = float(score)
        return out

    def _add(
        self,
        found: Found,
        weights: dict,
        name: str,
        weight: float,
        scores: dict[str, float],
        reasons: list[Reason],
    ) -> None:
        """One list of item id -> score, in the fusion's form (a row over the serving items)."""
        rows = self.serving.data.items.rows(scores, missing=-1)
        values = np.fromiter(scores.values(), np.float32, len(scores))
        keep = rows >= 0
        recs = Recommendations(np.array([0]), rows[keep][None, :], values[keep][None, :])
        found.lists[name], weights[name] = (
            normalised_matrix(recs, len(self.serving.data.items)),
            weight,
        )
        found.reasons[name] = reasons

    def evidence(
        self, found: Found, item_ids: Sequence[str], limit: int = 3
    ) -> dict[str, list[Reason]]:
        """Each item's reasons: the evidence of every list that proposed it, strongest list first."""
        vocab = self.serving.data.items
        rows = vocab.rows(item_ids, missing=-1)
        generator_lists = {n: m for n, m in found.lists.items() if n not in found.reasons}
        by_item: dict[str, list] = {}
        if found.user_row is not None and generator_lists:
            for ev in self.serving.fusion.evidence(
                found.user_row, rows[rows >= 0], generator_lists
            ):
                by_item.setdefault(str(vocab.id(ev.item)), []).append(ev)
        out = {}
        for item_id, row in zip(item_ids, rows):
            reasons: list[Reason] = list(found.item_reasons.get(item_id, []))
            for name, matrix in found.lists.items():
                if row >= 0 and matrix[0, row] > 0 and name in found.reasons:
                    reasons += found.reasons[name]
            reasons += reasons_from_evidence(by_item.get(item_id, []), self.catalogue.items)
            out[item_id] = strongest_first(self.co_liked.specific(reasons, item_id))[:limit]
        return out
