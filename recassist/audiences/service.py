"""`Audiences`: the marketer measures of one data set, each declared once in `MEASURES` and served
by the question path, the REST API and the UI alike.

The caller's `owner` (the verified caller's organisation) is charged for the snapshot's releases
the first time it reads them (`audiences.releases`); size, affinity, trend and sentiment are then
post-processing of those releases (`audiences.answers`): free, the same answer every time, and
unable to reach the data. Clusters and lookalikes need rows, so they run inside the boundary with
their own release (`audiences.rowwise`). Sensitive segment criteria are refused before anything
runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recassist.audiences import trends
from recassist.audiences.answers import ReleasedAnswers
from recassist.audiences.lookalike import lookalike_rows, lookalike_size
from recassist.audiences.population import Population, build_population
from recassist.audiences.privacy import PrivacyGuard, noise_drop
from recassist.audiences.releases import ReleaseSet, publish
from recassist.audiences.rowwise import RowwiseMeasures
from recassist.audiences.segments import EVERYONE, Segment, SegmentEvaluator, texts
from recassist.audiences.sentiment import TextSentiment, held_out, labels_from_stars
from recassist.audiences.tables import AudienceTable
from recassist.audiences.vocabulary import Vocabulary, build_vocabulary
from recassist.data.store import DatasetStore
from recassist.settings import AudienceConfig, Settings
from recassist.trust.sensitive import SensitiveCheck

LOOKALIKE_MISSES_ONE_IN = 1000


@dataclass(frozen=True)
class Measure:
    """One marketer measure: what it answers and the `Audiences` method that answers it."""

    name: str
    what: str
    # True: its own release (charged once per distinct question); False: free post-processing
    rowwise: bool


MEASURES = {
    m.name: m
    for m in (
        Measure("size", "how many people a segment has", False),
        Measure(
            "affinity",
            "what a segment over-indexes on against a base, by interest, title or attribute",
            False,
        ),
        Measure("trend", "how an interest changes month by month in a segment", False),
        Measure("sentiment", "the share of positive reviewers per category", False),
        Measure("clusters", "behaviour clusters of a segment", True),
        Measure("lookalike", "the people who most resemble a seed segment", True),
    )
}


class Audiences:
    """Audience insights over one data set for marketers; thread-safe."""

    def __init__(
        self,
        population: Population,
        guard: PrivacyGuard,
        config: AudienceConfig,
        nearest_users: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.population, self.guard, self.config = population, guard, config
        # The smallest lookalike: its noisy size falls under the minimum only once in 1000 answers.
        noise = noise_drop(
            (config.interests_per_user + 1) / config.epsilon_per_query, LOOKALIKE_MISSES_ONE_IN
        )
        self.lookalike_min = config.min_segment_size + int(np.ceil(noise))
        self.segments = SegmentEvaluator(population, nearest_users, self.lookalike_min)
        self.vocabulary: Vocabulary = build_vocabulary(population, config, guard.sensitive_term)
        self.rowwise = RowwiseMeasures(population, guard, self.segments)
        self._lock = threading.Lock()
        self._sentiment: np.ndarray | None = None
        self._read: dict[str, ReleaseSet] = {}

    @classmethod
    def open(cls, settings: Settings, dataset: str, *, store=None, embedder=None) -> Audiences:
        """The data set's audiences on the app's database; with a vector store and an embedder,
        segments in words work for the row-wise measures too."""
        from recassist.state.database import engine

        data = DatasetStore(settings.data_dir).load(dataset)
        population = build_population(
            data, settings.audiences, settings.data_dir / "index" / dataset
        )
        nearest = None
        if store is not None and embedder is not None:

            def nearest(text: str, k: int) -> list[str]:
                vector = embedder.encode([text])[0]
                return [hit.id for hit in store.query("users", vector, k)]

        check = SensitiveCheck(embedder) if embedder is not None else None
        guard = PrivacyGuard(
            settings.audiences, engine(settings.state, settings.data_dir), check=check
        )
        return cls(population, guard, settings.audiences, nearest)

    # ------------------------------------------------------------ the releases

    def releases(self, owner: str) -> tuple[ReleaseSet, float]:
        """The snapshot's releases for `owner` and what reading them charged now (0 after the first
        time)."""
        with self._lock:
            if owner in self._read:
                return self._read[owner], 0.0
        made = publish(self.population, self.vocabulary, self.guard, owner, self.sentiment_scores)
        with self._lock:
            self._read[owner] = made
        return made, made.charged

    def answers(self, owner: str) -> tuple[ReleasedAnswers, float]:
        made, charged = self.releases(owner)
        return ReleasedAnswers(made, self.config.min_segment_size), charged

    def _done(self, table: AudienceTable, owner: str, charged: float) -> AudienceTable:
        return table.model_copy(
            update={
                "epsilon_charged": round(table.epsilon_charged + charged, 6),
                "budget_left": round(self.guard.remaining(owner), 3),
            }
        )

    def _check(self, *segments: Segment) -> None:
        for segment in segments:
            self.guard.refuse_sensitive(texts(segment), "segment criterion")

    def reportable(self) -> set[str]:
        return set(self.guard.reportable(self.vocabulary.tags))

    # ------------------------------------------------------------ the measures (see MEASURES)

    def size(self, owner: str, segment: Segment) -> AudienceTable:
        self._check(segment)
        answers, charged = self.answers(owner)
        return self._done(answers.size_table(segment), owner, charged)

    def affinity(
        self, owner: str, segment: Segment, base: Segment = EVERYONE, by: str = "tag", top: int = 25
    ) -> AudienceTable:
        self._check(segment, base)
        self.guard.refuse_sensitive([by], "breakdown")
        answers, charged = self.answers(owner)
        allowed = self.reportable() if by == "tag" else None
        return self._done(answers.affinity(segment, base, by, top, allowed), owner, charged)

    def trend(
        self,
        owner: str,
        segment: Segment,
        tag: str,
        period: str = "month",
        last_months: int | None = None,
    ) -> AudienceTable:
        self._check(segment)
        self.guard.refuse_sensitive([tag], "trend interest")
        answers, charged = self.answers(owner)
        return self._done(trends.trend(answers, segment, tag, period, last_months), owner, charged)

    def rising(self, owner: str, segment: Segment, last_months: int | None = None) -> AudienceTable:
        """The interests that rose and fell most in the segment (`trends.rising`)."""
        self._check(segment)
        answers, charged = self.answers(owner)
        table = trends.rising(answers, segment, self.reportable(), last_months)
        return self._done(table, owner, charged)

    def sentiment(
        self, owner: str, segment: Segment, base: Segment = EVERYONE, category: str | None = None
    ) -> AudienceTable:
        self._check(segment, base)
        answers, charged = self.answers(owner)
        return self._done(trends.sentiment(answers, segment, base, category), owner, charged)

    def clusters(self, owner: str, segment: Segment = EVERYONE) -> AudienceTable:
        self._check(segment)
        answers, charged = self.answers(owner)
        return self._done(self.rowwise.clusters(owner, answers, segment), owner, charged)

    def lookalike(self, owner: str, seed: Segment, share: float = 0.05) -> AudienceTable:
        self._check(seed)
        answers, charged = self.answers(owner)
        table = self.rowwise.lookalike(owner, answers, seed, share, self.lookalike_min)
        return self._done(table, owner, charged)

    def export_lookalike(self, seed: Segment, share: float = 0.05) -> list[str]:
        """Pseudonymous ids of a lookalike audience: for the admin role only (the API checks the
        role)."""
        self._check(seed)
        size = lookalike_size(self.population, share, self.lookalike_min)
        rows = lookalike_rows(self.population, self.segments.mask(seed), size)
        return [str(u) for u in self.population.user_ids[np.sort(rows)]]

    # ------------------------------------------------------------ inside the boundary

    def sentiment_scores(self) -> np.ndarray:
        """P(positive) of every text interaction (NaN without text), from the classifier trained on
        this data set's own starred reviews; read only while the sentiment release is made."""
        with self._lock:
            if self._sentiment is None:
                frame = self.population.interactions
                text = frame["text"].fillna("").astype(str)
                has_text = (text.str.len() > 0).to_numpy()
                labels = labels_from_stars(frame["weight"].to_numpy())
                users = self.population.user_ids[frame["user_row"]].astype(str)
                train = has_text & (labels >= 0) & ~held_out(users)
                model = TextSentiment().fit(text[train].tolist(), labels[train])
                scores = np.full(len(frame), np.nan)
                scores[has_text] = model.score(text[has_text].tolist())
                self._sentiment = scores
            return self._sentiment
