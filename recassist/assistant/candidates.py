"""The candidate stage of a chat turn, and the evidence for what it proposed.

Sources, each a list of items with scores: for what the user named or liked in this session, the
items people who liked it also liked and its knowledge-graph neighbours (`requested` /
`history_item` evidence, and per item `co_liked`, `sequel`, `same_director`, `shared_cast` ...;
never the nearest title text), the items the knowledge graph says are what the user's words ask for
(`concept`: "a heist film", "directed by Alfred Hitchcock"; when only people are named, the films
liked by those who liked theirs come after their own, for when theirs run out) or whose synopsis
is near them
(`synopsis`: "films about painters"; both in `assistant.named`), for a title the catalogue lacks and
TMDb knows, the items whose synopses are near TMDb's (`like_outside`: "like The Matrix"), else, with
no title to go by, items near the words (`described`: near a text is near its title words), and for
a known user the serving model's generators; a new user who said nothing yet gets what is popular,
or for "surprise me" what those who watched it liked most (`well_liked`), which "the best" also adds
to any list not built around titles. A relation asked by name ("who directed Fargo?") puts the films
that share it with the seed ahead of every list. Wanted tags with nothing else to go on ("a romantic
comedy") add the items nearest the tags (at the text weight), so that a rare combination is found
beside what is popular. The lists are combined by the serving model's fusion (`retrieval.fusion`),
the generators' tuned weights sharing the agent's `history_weight`. Evidence reuses the lists this
turn scored; an item reason gets a co-liked count in front where enough people liked both
(`assistant.coliked`), strongest first. A new user's first tastes count (and are cited) only until a
new topic.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recassist.assistant import described as desc
from recassist.assistant.coliked import CoLiked
from recassist.assistant.gathered import Found, Gathered
from recassist.assistant.named import Named, like_outside, named_items
from recassist.assistant.parser import search_text, unread
from recassist.assistant.related import related_counts, with_people
from recassist.assistant.replies import wanted_tags
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.session import SessionMemory
from recassist.errors import VectorStoreUnavailableError
from recassist.grounding.evidence import Reason, reasons_from_evidence, strongest_first
from recassist.language.tags import TagMatcher, no_kind_cut
from recassist.language.words import word_set
from recassist.llm.prompts import quote
from recassist.retrieval import neighbours
from recassist.retrieval.catalogue import Catalogue, Constraints
from recassist.retrieval.concept_values import PEOPLE, ConceptMatch
from recassist.retrieval.fusion import normalised_matrix
from recassist.retrieval.outside import OutsideFilm
from recassist.retrieval.serving import ServingModel
from recassist.retrieval.wording import singular
from recassist.settings import AgentConfig

log = logging.getLogger(__name__)
POPULAR = Reason("popular", "it is popular with other users")
RELATED_WEIGHT = 10.0  # a relation asked by name outranks every other list
# a person's films asked for run out ("more" after them): films liked by those who liked theirs
# fill the list, their best at this share of a concept's weight: below the least of theirs
# (a listed item scores at least 0.01, `fusion.normalised_matrix`)
PEOPLE_FILL = 0.005
NAMED_KINDS = ("concept", "synopsis")  # evidence that an item is what the words named
MIN_CO_LIKED = 2  # people who liked both, for "people who liked X also liked it" to be cited


class CandidateStage:
    def __init__(
        self, catalogue: Catalogue, serving: ServingModel, config: AgentConfig, tags: TagMatcher
    ) -> None:
        self.catalogue, self.serving, self.config = catalogue, serving, config
        self._liked: sp.csc_matrix | None = None  # who liked what, built at the first "like X"
        self._kinds: sp.csr_matrix | None = None  # each item's kinds of film, built then too
        self.co_liked = CoLiked(serving.data)
        self._tags = tags  # the agent's own: what the parser reads in the words

    def find(
        self,
        session: SessionMemory,
        request: TurnRequest,
        seeds: Sequence[str],
        constraints: Constraints,
        outside: Sequence[OutsideFilm] = (),
    ) -> Found:
        """The candidates for one turn, fused (see the module docstring); `outside`: the films
        named that the catalogue lacks and TMDb knows, for a list with no other title to go by."""
        gathered, seen = Gathered(), set(self.catalogue.history_ids(session.user_id)) | set(seeds)
        anchors = list(seeds) or ([] if request.intent is Intent.search else session.likes[-5:])
        words = desc.without_wishes(self._words(session, request, seeds), constraints.milder)
        people = [self.catalogue.person(p) or p for p in request.people]  # "hitchcok": Hitchcock
        unused = [u for u in request.unused if u not in request.milder]  # "nothing heavy": less
        said = no_kind_cut(" , ".join([words, *unused, *people])).strip(" ,")
        if not (said or anchors):  # "a western", "comedies or romances": the kinds of film named
            said = wanted_tags(constraints)
        role = request.people_role  # "directed by tarantino": not the films he wrote first
        concepts = bool(said) and self._concepts(gathered, said, constraints, seen, anchors, role)
        best = request.best and not anchors
        series = desc.series_named(words, self.catalogue, single=not concepts) if best else []
        kinds = wanted_tags(constraints)
        if not (concepts or anchors) and kinds and said != kinds:  # "a comedy, nothing dark"
            concepts = self._concepts(gathered, kinds, constraints, seen)
        if concepts and not anchors and _people_only(gathered.concepts):  # "more" after his films:
            theirs = [i for m in gathered.concepts for i in sorted(m.concept.members)]
            scale = PEOPLE_FILL * self.config.concept_weight / self.config.seed_weight
            self._like(gathered, theirs, None, constraints, seen, scale)
        if anchors and not request.people_by:  # named or liked earlier (a person's film is
            # neither): their neighbours by behaviour, graph
            kind = "requested" if seeds else "history_item"
            self._like(gathered, anchors, kind, constraints, seen)
        if request.relation and seeds:  # "more from the director of Alien": those first
            self._related(gathered, seeds[0], request.relation, constraints, seen)
        for n, film in enumerate(() if anchors else outside):  # "like the matrix"
            near = like_outside(
                self.catalogue, self.serving.data, self.config, film, constraints, seen
            )
            self._listed(gathered, f"outside {n}", self.config.seed_weight, near)
        described = words and not (concepts or series or outside)  # near a text: its title words
        if described and (request.intent is Intent.search or not anchors):  # not "like X but ..."
            weight = self.config.text_weight if (anchors or session.user_id) else 1.0
            reason = Reason("described", quote(words, 80))
            self._nearest(gathered, "words", weight, search_text(words), reason, constraints, seen)
        if session.user_id is not None and request.intent is not Intent.search:
            self._generators(gathered, session.user_id)
        if request.best and not anchors:  # "the best sci-fi": the best liked of what is asked
            named = {i for i, rs in gathered.item_reasons.items() if rs[0].kind in NAMED_KINDS}
            within = set(series) if series else named if concepts else None
            self._best(gathered, constraints, seen, within)  # "the best star trek": of those
        self._popular(gathered, constraints, seen)
        wanted = " ".join(sorted(constraints.all_tags | constraints.include_tags))
        if wanted and not (words or anchors or concepts):
            # "a romantic comedy" alone: beside what is popular, items near the tags, so that a
            # rare combination ("sci-fi horror from the eighties") is found at all
            reason = Reason("described", quote(wanted_tags(constraints), 80))
            weight = self.config.text_weight
            self._nearest(gathered, "tags", weight, wanted, reason, constraints, seen)
        return gathered.fused(self.serving)

    def _words(self, session: SessionMemory, request: TurnRequest, seeds: Sequence[str]) -> str:
        """What the user wants in their own words: a new user's first tastes (until a new topic)
        and the request's mood (`without_titles`); "" when they say nothing beyond asking."""
        tastes = session.tastes if session.tastes_current else []
        said = (
            desc.without_titles(self.catalogue, w, request.seed_titles, seeds)
            for w in (*tastes, request.mood)
            if w
        )
        words = " ".join(desc.once(said)).strip()  # titles out first: the tastes are without them
        # words of asking, tags and years alone ("qualcosa di divertente per stasera") describe
        # nothing beyond the tags the request holds
        tagged = request.include_tags or request.all_tags
        kinds = word_set("kind_words") & set(words.lower().split())  # "a heist movie"
        if tagged and not kinds and not unread(words, self._tags):
            return ""
        return words if desc.says_something(words) else ""

    def _nearest(
        self,
        gathered: Gathered,
        name: str,
        weight: float,
        text: str,
        reason: Reason,
        constraints: Constraints,
        seen: set[str],
    ) -> None:
        """The list of items nearest `text` in the vector store; none, and noted, when the store
        does not answer (the turn degrades to the collaborative lists, and says so)."""
        try:
            vector = self.catalogue.encode(text)
            nearest = self.catalogue.nearest(vector, self.config.depth, constraints, seen)
        except VectorStoreUnavailableError as err:
            log.warning("candidates without the vector store: %s", err)
            gathered.store_down = True
            return
        gathered.add(self.serving, name, weight, nearest, [reason])

    def _generators(self, gathered: Gathered, user_id: str) -> None:
        """A known user's lists from the serving model's generators, their tuned weights sharing
        the agent's `history_weight`."""
        fusion = self.serving.fusion
        gathered.user_row = int(self.serving.data.users.rows([user_id])[0])
        generator_lists = fusion.candidate_lists(np.array([gathered.user_row]))
        total = sum(fusion.weight(name) for name in generator_lists) or 1.0
        for name, matrix in generator_lists.items():
            gathered.lists[name] = matrix
            gathered.weights[name] = self.config.history_weight * fusion.weight(name) / total

    def _popular(self, gathered: Gathered, constraints: Constraints, seen: set[str]) -> None:
        """What is popular, for a new user who said nothing yet (no other list); for "surprise
        me", what those who watched it liked most instead, each with its share."""
        generators = self.serving.fusion.generators
        if gathered.lists or "popularity" not in generators:
            return
        if constraints.less_mainstream and self._best(gathered, constraints, seen):
            return  # none when no item has enough watchers: what is popular
        allowed = [i for i, item in self.catalogue.items.items() if constraints.allows(item)]
        rows = self.serving.data.items.rows(allowed, missing=-1)
        if not (rows >= 0).any():  # nothing is allowed: the reply says what to let go of
            return
        popular = generators["popularity"].recommend(  # the most popular of what is allowed
            np.array([0]), self.config.depth, exclude_seen=False, items=rows[rows >= 0]
        )
        gathered.lists["popular"] = normalised_matrix(popular, len(self.serving.data.items))
        gathered.weights["popular"], gathered.reasons["popular"] = 1.0, [POPULAR]

    def _best(
        self,
        gathered: Gathered,
        constraints: Constraints,
        seen: set[str],
        within: set[str] | None = None,
    ) -> bool:
        """The items liked by most of those who watched them ("surprise me", "the best sci-fi"),
        of those `within` ("black and white classics") if given; whether there were any."""
        liked = self.co_liked.well_liked()
        scores = liked.scores
        if within is not None:
            keep = self.serving.data.items.rows(sorted(within), missing=-1)
            scores = np.zeros_like(scores)
            scores[keep[keep >= 0]] = liked.scores[keep[keep >= 0]]
        listed = self._top(scores, constraints, seen)
        if not listed:
            return False
        gathered.add(self.serving, "well_liked", 1.0, listed, [])
        for item_id in listed:
            row = self.serving.data.items.row(item_id)
            share, watchers = liked.liked[row] / liked.watchers[row], int(liked.watchers[row])
            label = f"liked by {share:.0%} of the {watchers} people who watched it"
            reason = Reason("well_liked", label, count=watchers)
            gathered.item_reasons.setdefault(item_id, []).append(reason)
        return True

    def _concepts(
        self,
        gathered: Gathered,
        words: str,
        constraints: Constraints,
        seen: set[str],
        anchors: Sequence[str] = (),
        role: str | None = None,
    ) -> bool:
        """The items `words` name (`assistant.named`: "a heist film", "about the Mafia", "films
        about painters" by their synopses; "darker" after Blade Runner, the neo-noir), each with
        its evidence; False when the words name nothing (True, with no list, when none of what
        they name is allowed)."""
        named = named_items(
            self.catalogue, self.serving.data, self.config, words, constraints, seen, anchors, role
        )
        if named is None:
            return False
        gathered.concepts, gathered.synopses = named.matches, named.synopses
        self._listed(gathered, "concepts", self.config.concept_weight, named)
        return True

    def _listed(self, gathered: Gathered, name: str, weight: float, named: Named) -> None:
        """A list of `assistant.named` (its scores, if any) and its items' evidence."""
        if named.scores:
            gathered.add(self.serving, name, weight, dict(named.scores), [])
        for item_id, reason in named.reasons.items():
            gathered.item_reasons.setdefault(item_id, []).append(reason)

    def unnamed(self, found: Found, words: str) -> list[str]:
        """Unless items near the words were listed: the clauses no concept named that hold words
        the parser read as nothing ("clint eastwood", "a happy ending" in "like titanic but with a
        happy ending"), and such words no concept used ("oscar winning" dramas), said back."""
        index = self.catalogue.concepts
        if index is None or not words or (not found.concepts and "words" in found.lists):
            return []
        own = {singular(w) for w in unread(words, self._tags)}
        unmatched = [part for c in index.unmatched(words) for part in desc.unread_parts(c, own)]
        return [*unmatched, *index.unsaid(words, found.concepts, own)]

    def described(self, found: Found, text: str) -> bool:
        """Whether `text` (a title the catalogue lacks, a word the parser could not use) only says
        what this turn's concepts were matched by: it was used, as a description."""
        index = self.catalogue.concepts
        return index is not None and index.covers(text, found.concepts)

    def _like(
        self,
        gathered: Gathered,
        anchors: Sequence[str],
        kind: str | None,
        constraints: Constraints,
        seen: set[str],
        scale: float = 1.0,
    ) -> None:
        """ "Like X": the items people who liked X also liked ("seeds", with how many; those of
        X's kinds of film raised by `agent.kind_weight`) and X's neighbours in the knowledge graph
        ("graph": its sequel, the same director, shared cast), never the nearest title text. Each
        item keeps the specific evidence it has; the lists say they are like X as `kind` (none:
        only the items' own evidence), weighing `scale` times as much as a seed's."""
        items, vocab = self.catalogue.items, self.serving.data.items
        rows = vocab.rows(anchors, missing=-1)
        rows, sources = rows[rows >= 0], [a for a, r in zip(anchors, rows) if r >= 0]
        if not len(rows):
            return
        if self._liked is None or self._kinds is None:
            self._liked = neighbours.liked_matrix(self.serving.data)
            self._kinds = neighbours.kind_matrix(self.serving.data, self.catalogue.genres)
        co = neighbours.co_liked(self._liked, rows, self._kinds, self.config.kind_weight)
        listed = self._top(co.scores, constraints, seen)
        shared = [Reason(kind, items[a].title, items[a]) for a in sources[:2]] if kind else []
        weight = self.config.seed_weight * scale
        gathered.add(self.serving, "seeds", weight, listed, shared)
        for item_id in listed:
            row, seed = vocab.row(item_id), sources[int(co.seed[vocab.row(item_id)])]
            if co.counts[row] >= MIN_CO_LIKED:
                gathered.item_reasons.setdefault(item_id, []).append(
                    Reason("co_liked", items[seed].title, items[seed], int(co.counts[row]))
                )
        graph = self.serving.fusion.generators.get("knowledge")
        if graph is None or not self.config.graph_weight:
            return
        listed = self._top(graph.neighbours(rows), constraints, seen)
        gathered.add(self.serving, "graph", weight * self.config.graph_weight, listed, shared)
        for ev in graph.item_evidence(rows, vocab.rows(listed), limit=1):
            if ev.kind != "history_item" and ev.source in items:
                reason = Reason(ev.kind, items[ev.source].title, items[ev.source], ev.count or None)
                gathered.item_reasons.setdefault(str(vocab.id(ev.item)), []).insert(0, reason)

    @property
    def has_graph(self) -> bool:
        """Whether the serving model has the knowledge graph's generator."""
        return "knowledge" in self.serving.fusion.generators

    def shares(self, first: str, second: str, kind: str) -> bool:
        """Whether the graph says item `second` shares `kind` ("same_director") with `first`."""
        graph = self.serving.fusion.generators.get("knowledge")
        rows = self.serving.data.items.rows([first, second], missing=-1)
        if graph is None or min(rows) < 0:
            return False
        return bool(graph.related(rows[:1], kind)[rows[1]] > 0)

    def _related(
        self, gathered: Gathered, seed: str, kind: str, constraints: Constraints, seen: set[str]
    ) -> None:
        """The films that share the asked relation with the seed (its director's, its sequel),
        ahead of every other list, each citing that relation; none when no source links any."""
        counts, near = related_counts(self.serving, self.catalogue.credits, seed, kind)
        listed = self._top(counts + 1e-3 * near, constraints, seen)
        listed = {i: s for i, s in listed.items() if counts[self.serving.data.items.row(i)] > 0}
        if not listed:
            return
        item = self.catalogue.items[seed]
        gathered.add(self.serving, "related", RELATED_WEIGHT, listed, [])
        for item_id in listed:
            count = int(counts[self.serving.data.items.row(item_id)])
            reason = Reason(kind, item.title, item, count or None)
            gathered.item_reasons.setdefault(item_id, []).insert(0, reason)

    def _top(
        self, scores: np.ndarray, constraints: Constraints, seen: set[str]
    ) -> dict[str, float]:
        """The `depth` best-scoring items within the constraints, unseen, as id -> score."""
        out: dict[str, float] = {}
        ids = self.serving.data.items.ids(np.argsort(-scores, kind="stable"))
        for item_id, score in zip(ids, -np.sort(-scores, kind="stable")):
            if score <= 0 or len(out) >= self.config.depth:
                break
            item = self.catalogue.items.get(str(item_id))
            if item is not None and item.item_id not in seen and constraints.allows(item):
                out[item.item_id] = float(score)
        return out

    def evidence(
        self, found: Found, item_ids: Sequence[str], limit: int = 3
    ) -> dict[str, list[Reason]]:
        """Each item's reasons: every proposing list's evidence, the strongest list's first."""
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
            reasons = with_people(reasons, item_id, self.catalogue.credits)  # "Ridley Scott"
            out[item_id] = strongest_first(self.co_liked.specific(reasons, item_id))[:limit]
        return out


def _people_only(matches: Sequence[ConceptMatch]) -> bool:
    """Whether every concept matched is a person ("movies with tom cruise")."""
    return bool(matches) and all(m.concept.kind in PEOPLE for m in matches)
