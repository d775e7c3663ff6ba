"""Knowledge: items that share directors, writers, cast, a series or a studio with the user's liked
items, from an item knowledge graph (`data.knowledge`: RecBole's Freebase graph of ML-100k).

Each item is a row of graph facts (one column per (relation, entity): "directed by m.0bln8"). A fact
weighs its relation's weight (a shared director says more than a shared language) times its IDF (a
director of two films says more than the USA as country), and two items' similarity is the cosine of
their weighted rows, plus `series` for a sequel or prequel. Each item keeps its `neighbours` most
similar items, as ItemKNN does with co-ratings; a user's score for an item is the sum of its
similarities to the items in their history. So it reaches items few people rated, where the
collaborative generators cannot.

Evidence names the history item and the strongest shared relation: the sequel or prequel of X, the
same director or writer as X, N cast members shared with X. Entities have no names: evidence cites
catalogue items, never people."""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from pydantic import NonNegativeFloat, PositiveInt

from recassist.data.knowledge import ItemGraph
from recassist.retrieval.generators.base import (
    Evidence,
    EvidenceKind,
    Generator,
    GeneratorConfig,
    matrix_bytes,
)
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.vocabulary import Vocabulary
from recassist.settings import MemoryConfig

log = logging.getLogger(__name__)

# Relation groups, in the order of `KnowledgeConfig`'s weights; a relation not named here is
# "other".
GROUPS = (
    "director",
    "writer",
    "cast",
    "producer",
    "company",
    "cinematography",
    "subject",
    "genre",
    "award",
    "other",
)
RELATION_GROUP = {
    "film.film.directed_by": "director",
    "film.film.written_by": "writer",
    "film.film.actor": "cast",
    "film.film.produced_by": "producer",
    "film.film.production_companies": "company",
    "film.film.cinematography": "cinematography",
    "film.film.subjects": "subject",
    "film.film.genre": "genre",
    "film.film.award_nomination": "award",
    "film.film.award_won": "award",
}
# What evidence a shared relation gives, strongest first; sequel/prequel come from `series`.
EVIDENCE_GROUPS: tuple[tuple[str, EvidenceKind], ...] = (
    ("director", "same_director"),
    ("writer", "same_writer"),
    ("cast", "shared_cast"),
)
SEQUEL, PREQUEL = 1, 2  # values of the series matrix: column is the sequel (prequel) of row
DENSE_BYTES_PER_PAIR = 16


# films of one series, at most: a longer chain is a mistake of the graph, and more titles sharing
# a name are no series ("all of me")
SERIES_MOST = 12


class KnowledgeConfig(GeneratorConfig):
    """Weights of each relation group (times the fact's IDF), of a series link; neighbours kept."""

    neighbours: PositiveInt = 50
    director: NonNegativeFloat = 4.0
    writer: NonNegativeFloat = 2.0
    cast: NonNegativeFloat = 1.0
    producer: NonNegativeFloat = 1.0
    company: NonNegativeFloat = 0.5
    cinematography: NonNegativeFloat = 0.5
    subject: NonNegativeFloat = 1.0
    genre: NonNegativeFloat = 0.25
    award: NonNegativeFloat = 0.1
    other: NonNegativeFloat = 0.05  # language, country, content rating
    series: NonNegativeFloat = 1.0  # added to the similarity of a sequel and its prequel


def graph_arrays(
    graph: ItemGraph, items: Vocabulary
) -> tuple[sp.csr_matrix, np.ndarray, sp.csr_matrix]:
    """The graph aligned to `items`: facts (items x fact columns, binary), each column's relation
    group (an index into `GROUPS`), and series (items x items, `SEQUEL` / `PREQUEL`). Facts of items
    outside the vocabulary are dropped."""
    facts = graph.facts.assign(row=items.rows(graph.facts["item_id"].astype(str), missing=-1))
    facts = facts[facts["row"] >= 0]
    keys = facts["relation"] + "\t" + facts["entity"]
    columns, uniques = keys.factorize()
    features = sp.csr_matrix(
        (np.ones(len(facts), np.float32), (facts["row"].to_numpy(), columns)),
        shape=(len(items), len(uniques)),
    )
    group_of = {g: i for i, g in enumerate(GROUPS)}
    groups = np.array(
        [group_of[RELATION_GROUP.get(k.split("\t")[0], "other")] for k in uniques], np.int8
    )
    rows = items.rows(graph.series["item_id"].astype(str), missing=-1)
    others = items.rows(graph.series["other_id"].astype(str), missing=-1)
    values = np.where(graph.series["relation"].to_numpy() == "sequel", SEQUEL, PREQUEL)
    keep = (rows >= 0) & (others >= 0)
    series = sp.csr_matrix(
        (values[keep], (rows[keep], others[keep])), shape=(len(items), len(items))
    )
    series.sum_duplicates()
    series.data = np.minimum(series.data, PREQUEL)
    return features, groups, series


class Knowledge(Generator):
    name = "knowledge"
    config_type = KnowledgeConfig
    config: KnowledgeConfig
    budget_hint = "leave the knowledge generator out"

    def __init__(
        self,
        config: KnowledgeConfig | None = None,
        *,
        features: sp.csr_matrix,
        groups: np.ndarray,
        series: sp.csr_matrix,
        memory: MemoryConfig | None = None,
    ) -> None:
        super().__init__(config, memory=memory)
        self.features, self.groups, self.series = (
            sp.csr_matrix(features),
            np.asarray(groups),
            sp.csr_matrix(series),
        )
        self._linked = (self.series + self.series.T).tocsr()  # a series link either way

    def fresh(self) -> Knowledge:
        return type(self)(
            self.config,
            features=self.features,
            groups=self.groups,
            series=self.series,
            memory=self.memory,
        )

    def estimate(self, train: Interactions) -> int:
        return DENSE_BYTES_PER_PAIR * train.n_items**2 + matrix_bytes(train)

    def _fit(self, train: Interactions) -> None:
        if self.features.shape[0] != train.n_items:
            raise ValueError(
                f"graph facts for {self.features.shape[0]} items, the data has {train.n_items}"
            )
        self.similarity = self.item_similarity()
        self._input = train.binary.tocsr()

    def item_similarity(self) -> np.ndarray:
        """Items x items: weighted-fact cosine plus series links, each column keeping its top
        neighbours."""
        n_items = self.features.shape[0]
        described = max(int((self.features.getnnz(axis=1) > 0).sum()), 1)
        df = np.asarray(self.features.sum(axis=0)).ravel()
        weights = np.array([getattr(self.config, g) for g in GROUPS], np.float32)[self.groups]
        idf = np.log(described / np.maximum(df, 1.0)).astype(np.float32)
        weighted = self.features @ sp.diags(np.sqrt(weights * np.maximum(idf, 0.0)))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        weighted = (
            sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ weighted
        )
        similarity = (weighted @ weighted.T).toarray().astype(np.float32)
        similarity += self.config.series * (self._linked.toarray() > 0)
        np.fill_diagonal(similarity, 0.0)
        k = min(self.config.neighbours, n_items)
        if k < n_items:
            cutoff = -np.partition(-similarity, k - 1, axis=0)[k - 1]
            similarity[similarity < cutoff[None, :]] = 0.0
        similarity[similarity < 0] = 0.0
        return np.ascontiguousarray(similarity)

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        similarity = self.similarity if items is None else self.similarity[:, items]
        return np.asarray(self._input[user_rows] @ similarity)

    def neighbours(self, item_rows: np.ndarray) -> np.ndarray:
        """Summed similarity of every item to `item_rows` ("like X"); those items score 0."""
        scores = self.similarity[np.asarray(item_rows, np.int64)].sum(axis=0)
        scores[np.asarray(item_rows, np.int64)] = 0.0
        return scores

    def related(self, sources: np.ndarray, kind: EvidenceKind) -> np.ndarray:
        """Per item, how many facts of `kind` it shares with `sources` ("more from the director
        of Alien": its director's films; "shared_cast": more shared cast first), or 1 where it is
        their sequel or prequel; 0 where it shares none, and for the sources themselves."""
        sources = np.asarray(sources, np.int64)
        if kind in ("sequel", "prequel"):
            forward, backward = (SEQUEL, PREQUEL) if kind == "sequel" else (PREQUEL, SEQUEL)
            rows = self.series[sources].toarray() == forward  # column is the source's sequel
            cols = self.series[:, sources].toarray().T == backward
            counts = (rows | cols).sum(axis=0).astype(np.float64)
        else:
            group = GROUPS.index(next(g for g, k in EVIDENCE_GROUPS if k == kind))
            facts = self.features[:, np.flatnonzero(self.groups == group)]
            counts = np.asarray((facts @ facts[sources].T).sum(axis=1), np.float64).ravel()
        counts[sources] = 0.0
        return counts

    def series_of(self, row: int) -> list[int]:
        """The other films of `row`'s series in the graph: its sequels and prequels, theirs, and
        so on (at most `SERIES_MOST` in all)."""
        found, todo = {row}, [row]
        while todo and len(found) < SERIES_MOST:
            for other in map(int, self._linked[todo.pop()].indices):
                if other not in found:
                    found.add(other)
                    todo.append(other)
        return sorted(found - {row})

    def relation(self, source: int, item: int) -> tuple[EvidenceKind, int] | None:
        """The strongest graph relation of `item` to `source` and how many facts of it they share:
        sequel, prequel, same director or writer, shared cast; None when they share none of those.
        """
        link = self.series[source, item]
        if link:
            return ("sequel" if link == SEQUEL else "prequel"), 1
        if self.series[
            item, source
        ]:  # the reverse link: source is the item's sequel, so it is the prequel
            return ("prequel" if self.series[item, source] == SEQUEL else "sequel"), 1
        shared = self.features[source].multiply(self.features[item])
        groups = self.groups[shared.indices]
        for group, kind in EVIDENCE_GROUPS:
            count = int((groups == GROUPS.index(group)).sum())
            if count:
                return kind, count
        return None

    def item_evidence(
        self, sources: np.ndarray, item_rows: np.ndarray, limit: int = 3
    ) -> list[Evidence]:
        """Per item, the `sources` (item rows) it is most similar to, with the relation they share;
        a source similar only through weaker facts (studio, subject, genre) is cited as a liked
        item."""
        sources, ids = np.asarray(sources, np.int64), self.train.items
        evidence: list[Evidence] = []
        if len(sources) == 0:
            return evidence
        for item in np.asarray(item_rows, np.int64):
            contribution = self.similarity[sources, item]
            for j in np.argsort(-contribution, kind="stable")[:limit]:
                if contribution[j] <= 0:
                    continue
                kind, count = self.relation(int(sources[j]), int(item)) or ("history_item", 0)
                evidence.append(
                    Evidence(
                        int(item), kind, str(ids.id(sources[j])), float(contribution[j]), count
                    )
                )
        return evidence

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        return self.item_evidence(self.train.liked_items(user_row), item_rows)


KNOWLEDGE_GRID = (
    KnowledgeConfig(),
    KnowledgeConfig(neighbours=200),
    KnowledgeConfig(cast=2.0, genre=1.0),
)


def knowledge_builders(settings, dataset: str, items: Vocabulary) -> tuple[dict, dict]:
    """(`builders`, `grids`) that add the knowledge generator to a run, or two empty dicts when the
    data set has no graph (none known, or not fetched: `recassist data fetch` fetches it).
    `settings` is the app's `Settings`."""
    from recassist.data.knowledge import load_graph

    graph = load_graph(settings.data_dir, dataset)
    if graph is None:
        log.info(
            "knowledge generator left out: data set '%s' has no fetched knowledge graph", dataset
        )
        return {}, {}
    features, groups, series = graph_arrays(graph, items)

    def build(config: KnowledgeConfig) -> Knowledge:
        return Knowledge(config, features=features, groups=groups, series=series)

    return {"knowledge": build}, {"knowledge": KNOWLEDGE_GRID}
