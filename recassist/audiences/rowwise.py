"""Measures that need individual rows, run inside the privacy boundary with their own accounted
release: behaviour clusters and lookalike audiences.

Each is gated first on the released aggregates (free): the segment or seed must be one the releases
hold, and its noisy size must clear the minimum. Only then, inside `PrivacyGuard.release` (the
budget checked first, in the same transaction), are the exact rows read: a fixed number of k-means
clusters, or the lookalike's members, whose sizes and interest counts are noised. Every decision and
message afterwards reads the noisy values only; a fixed output shape (`CLUSTERS` rows) keeps even k
from depending on the data."""

from __future__ import annotations

import numpy as np

from recassist.audiences.answers import ReleasedAnswers
from recassist.audiences.lookalike import MIN_SEEDS, lookalike_rows
from recassist.audiences.population import Population
from recassist.audiences.privacy import CountTable, PrivacyGuard
from recassist.audiences.releases import tag_counts
from recassist.audiences.segments import Everyone, Segment, SegmentEvaluator, canonical_segment
from recassist.audiences.tables import AudienceTable
from recassist.errors import SegmentTooSmallError

CLUSTERS = 5  # fixed, so that the released shape says nothing about the data


def cluster_labels(population: Population, mask: np.ndarray) -> np.ndarray:
    """`CLUSTERS` k-means groups of the segment's profiles (-1 outside); fewer people than groups:
    none."""
    from recassist.audiences.clusters import fit_clusters

    if int(mask.sum()) <= 2 * CLUSTERS:
        return np.full(population.size, -1, dtype=np.int64)
    return fit_clusters(population, mask, CLUSTERS)


class RowwiseMeasures:
    """Clusters and lookalikes of one population, each its own release, charged once per owner."""

    def __init__(
        self, population: Population, guard: PrivacyGuard, segments: SegmentEvaluator
    ) -> None:
        self.population, self.guard, self.segments = population, guard, segments

    def _query(self, name: str, **parts) -> dict:
        return {
            "snapshot": self.population.fingerprint,
            "name": name,
            "epsilon": self.guard.config.epsilon_per_query,
            "interests": self.guard.config.interests_per_user,
            **parts,
        }

    def clusters(
        self, owner: str, answers: ReleasedAnswers, segment: Segment, top_tags: int = 3
    ) -> AudienceTable:
        size, _ = answers.size(answers.where(segment))
        answers.require(size)
        p, config = self.population, self.guard.config
        release = self.guard.release(
            owner,
            self._query("clusters", segment=canonical_segment(segment)),
            lambda: CountTable(
                tag_counts(p, cluster_labels(p, self.segments.mask(segment)), CLUSTERS),
                1 + config.interests_per_user,
            ),
            config.epsilon_per_query,
        )
        allowed = np.array([t in set(self.guard.reportable(p.tags)) for t in p.tags])
        rows, hidden = cluster_rows(release, p.tags, allowed, config.min_segment_size, top_tags)
        total = float(np.maximum(release.counts[:, 0], 0).sum())
        if not rows:
            raise SegmentTooSmallError(
                f"no behaviour cluster of {answers.describe(segment)} has "
                f"{config.min_segment_size} people (judged on the privacy-protected counts); "
                "widen the segment"
            )
        notes = [
            f"{CLUSTERS} k-means clusters of the profiles; a cluster is named by the interests "
            "it over-indexes on (index against the whole segment in brackets, above 100 only)"
        ]
        if hidden:
            notes.append(
                f"{hidden} clusters under {config.min_segment_size} people (privacy-protected) "
                "not shown"
            )
        return AudienceTable(
            measure="clusters",
            segment=answers.describe(segment),
            by="cluster",
            columns=["cluster", "people", "share_%", "top_tags"],
            rows=rows,
            segment_size=int(total),
            noise_margin95=round(release.margin95, 1),
            epsilon_charged=release.charged,
            budget_left=0.0,
            notes=notes,
        )

    def lookalike(
        self, owner: str, answers: ReleasedAnswers, seed: Segment, share: float, min_size: int
    ) -> AudienceTable:
        seed_size, _ = answers.size(answers.where(seed))
        if seed_size < MIN_SEEDS:
            raise SegmentTooSmallError(
                f"a lookalike needs a seed of at least {MIN_SEEDS} people (judged on its "
                "privacy-protected count); widen the seed"
            )
        everyone, _ = answers.size(answers.where(Everyone()))
        size = max(int(round(share * everyone)), min_size)
        p, config = self.population, self.guard.config

        def compute() -> CountTable:
            rows = lookalike_rows(p, self.segments.mask(seed), size)
            labels = np.full(p.size, -1, dtype=np.int64)
            labels[rows] = 0
            return CountTable(tag_counts(p, labels, 1), 1 + config.interests_per_user)

        release = self.guard.release(
            owner,
            self._query("lookalike", seed=canonical_segment(seed), size=size),
            compute,
            config.epsilon_per_query,
        )
        return lookalike_table(answers, seed, release, everyone, size)


def cluster_rows(
    release, tags: list[str], allowed: np.ndarray, min_size: int, top_tags: int
) -> tuple[list[dict], int]:
    """The clusters' rows from their release (noisy sizes and interest counts), biggest first, and
    how many were hidden for a noisy size under `min_size`. A cluster is named by the interests it
    over-indexes on against the whole segment."""
    counts = np.maximum(release.counts, 0).astype(float)
    sizes, tag_counts_ = counts[:, 0], counts[:, 1:]
    total = float(sizes.sum())
    overall = tag_counts_.sum(axis=0) / max(total, 1.0)
    rows, hidden = [], 0
    for c in range(len(sizes)):
        if sizes[c] < min_size:
            hidden += 1
            continue
        shares = tag_counts_[c] / sizes[c]
        lift = np.divide(shares, overall, out=np.zeros_like(overall), where=overall > 0)
        lift[(tag_counts_[c] < release.margin95) | ~allowed] = 0
        best = [i for i in np.argsort(-lift, kind="stable")[:top_tags] if lift[i] > 1.0]
        rows.append(
            {
                "cluster": " / ".join(tags[i] for i in best) or "no distinctive interest",
                "people": int(sizes[c]),
                "share_%": round(100 * sizes[c] / max(total, 1.0), 1),
                "top_tags": ", ".join(f"{tags[i]} ({100 * lift[i]:.0f})" for i in best),
            }
        )
    rows.sort(key=lambda r: -r["people"])
    return rows, hidden


def lookalike_table(
    answers: ReleasedAnswers, seed: Segment, release, everyone: float, size: int
) -> AudienceTable:
    """The lookalike's noisy size and the interests it over-indexes on against everyone."""
    tags_everyone = np.maximum(answers.releases.tag_rows.counts[0, 1:], 0).astype(float)
    counts = np.maximum(release.counts[0], 0).astype(float)
    people, tags = counts[0], counts[1:]
    rows = []
    for i, tag in enumerate(answers.vocabulary.tags):
        if tags[i] < release.margin95 or tags_everyone[i] <= 0:
            continue
        index = 100 * (tags[i] / max(people, 1.0)) / (tags_everyone[i] / max(everyone, 1.0))
        if index > 100:
            rows.append({"interest": tag, "index": round(index), "lookalike_count": int(tags[i])})
    rows.sort(key=lambda r: -r["index"])
    name = f"lookalike of [{answers.describe(seed)}]"
    return AudienceTable(
        measure="lookalike",
        segment=name,
        by="interest",
        columns=["interest", "index", "lookalike_count"],
        rows=rows[:15],
        segment_size=int(people),
        noise_margin95=round(release.margin95, 1),
        epsilon_charged=release.charged,
        budget_left=0.0,
        notes=[
            f"the {size} people whose profiles most resemble the seed's, seeds excluded; "
            "interests it over-indexes on against everyone (index above 100)"
        ],
    )
