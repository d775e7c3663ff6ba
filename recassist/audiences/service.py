"""`Audiences`: every marketer measure over one data set, each released through `audiences.privacy`.

Each method takes the caller's `principal` (the API key's name; the budget is kept per principal), builds
exact counts with each user's contribution bounded, and hands them to `PrivacyGuard.release`; the answer
(an `AudienceTable`) is computed from the released noisy counts only, after the minimum segment size is
checked on them. Segment criteria and reported interests in sensitive categories are refused or dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.audiences.lookalike import lookalike_rows, lookalike_size
from recassist.audiences.population import Population, build_population
from recassist.audiences.privacy import CountTable, PrivacyGuard, Release, noise_drop
from recassist.audiences.segments import EVERYONE, Lookalike, Segment, SegmentEvaluator, canonical_segment, texts
from recassist.audiences.sentiment import TextSentiment, held_out, labels_from_stars
from recassist.audiences.tables import AudienceTable
from recassist.errors import QueryError, SegmentTooSmallError
from recassist.settings import AudienceConfig, Settings
from recassist.data.store import DatasetStore
from recassist.trust.sensitive import SensitiveCheck

log = logging.getLogger(__name__)

_Z95 = 1.959964
LOOKALIKE_MISSES_ONE_IN = 1000


def affinity_interval(seg_count: float, seg_size: float, base_count: float, base_size: float, noise_var: float) -> tuple[float, float, float]:
    """Index = (seg share / base share) x 100 and its 95 % interval on the log scale (delta method), with
    sampling variance and the variance of the privacy noise on both counts."""
    seg_count, base_count = max(seg_count, 0.5), max(base_count, 0.5)
    p_seg, p_base = min(seg_count / seg_size, 1.0), min(base_count / base_size, 1.0)
    index = 100.0 * p_seg / p_base
    var = (1 - p_seg) / seg_count + noise_var / seg_count**2 + (1 - p_base) / base_count + noise_var / base_count**2
    spread = _Z95 * float(np.sqrt(var))
    return index, index * float(np.exp(-spread)), index * float(np.exp(spread))


def _share(count: float, total: float) -> float:
    """A percentage of `total`, at most 100 (noise can lift a count past its total)."""
    return round(min(100.0, 100 * count / total), 1)


class Audiences:
    """Audience insights over one data set for marketers; thread-safe, no state shared across data sets."""

    def __init__(
        self,
        population: Population,
        guard: PrivacyGuard,
        config: AudienceConfig,
        nearest_users: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.population, self.guard, self.config = population, guard, config
        # The smallest lookalike: its noisy size (released with tag counts: `interests_per_user` + 1 per
        # person) falls under the minimum segment size only once in 1000 answers.
        noise = noise_drop((config.interests_per_user + 1) / config.epsilon_per_query, LOOKALIKE_MISSES_ONE_IN)
        self.lookalike_min = config.min_segment_size + int(np.ceil(noise))
        self.segments = SegmentEvaluator(population, nearest_users, self.lookalike_min)
        self._lock = threading.Lock()
        self._sentiment: np.ndarray | None = None
        self._clusters: dict[str, np.ndarray] = {}
        self._allowed: dict[str, set[str]] = {}

    @classmethod
    def open(cls, settings: Settings, dataset: str, *, store=None, embedder=None) -> Audiences:
        """The data set's audiences; with a vector store and an embedder, segments in words work too."""
        data = DatasetStore(settings.data_dir).load(dataset)
        population = build_population(data, settings.audiences, settings.data_dir / "index" / dataset)
        nearest = None
        if store is not None and embedder is not None:

            def nearest(text: str, k: int) -> list[str]:
                vector = embedder.encode([text])[0]
                return [hit.id for hit in store.query("users", vector, k)]

        check = SensitiveCheck(embedder) if embedder is not None else None
        guard = PrivacyGuard.for_data_dir(settings.audiences, settings.data_dir, check)
        return cls(population, guard, settings.audiences, nearest)

    # ------------------------------------------------------------ shared steps

    def _query(self, measure: str, **parts) -> dict:
        return {
            "measure": measure, "dataset": self.population.fingerprint,
            "rules": self.config.model_dump(include={"interests_per_user", "items_per_user", "periods_per_user", "like_threshold"}),
            **parts,
        }

    def _check(self, *segments: Segment) -> None:
        for segment in segments:
            self.guard.refuse_sensitive(texts(segment), "segment criterion")

    def _masks(self, segment: Segment, base: Segment) -> tuple[np.ndarray, np.ndarray]:
        return self.segments.mask(segment), self.segments.mask(base)

    def _table(self, release: Release, principal: str, *more: Release, **fields) -> AudienceTable:
        """The answer's table; its charge is the sum of its new releases (sequential composition)."""
        releases = (release, *more)
        new = [r for r in releases if not r.cached]
        notes = list(fields.pop("notes", []))
        if len(new) > 1:
            notes.append(f"epsilon {sum(r.epsilon for r in new):g}: {len(new)} count tables released (the segment's "
                         f"and the base's), epsilon {self.config.epsilon_per_query:g} each; a base released before is free")
        return AudienceTable(
            noise_margin95=round(max(r.margin95 for r in releases), 1),
            epsilon_charged=sum(r.epsilon for r in new),
            budget_left=round(self.guard.remaining(principal), 3), notes=notes, **fields,
        )

    def _breakdown(self, by: str) -> tuple[sp.csr_matrix, list[str], int]:
        """users x labels membership matrix for a breakdown, its labels, and the most labels one user has."""
        p = self.population
        if by == "tag":
            return p.interests, list(p.tags), self.config.interests_per_user
        if by == "item":
            return p.liked_items, [str(t) for t in p.titles], self.config.items_per_user
        if by not in p.attributes.columns:
            known = ", ".join(["tag", "item", *p.attributes.columns])
            raise QueryError(f"unknown breakdown '{by}' (known: {known})")
        self.guard.refuse_sensitive([by], "breakdown attribute")
        values = p.attributes[by].astype(str)
        domain = sorted(v for v in values.unique() if v not in ("", "nan", "<NA>"))
        if len(domain) > self.config.max_attribute_values:
            raise QueryError(
                f"attribute '{by}' has {len(domain)} values, over the {self.config.max_attribute_values} allowed for a "
                "breakdown (values that narrow people down, like zip codes, are not reported)"
            )
        column = pd.Index(domain).get_indexer(values)
        rows = np.flatnonzero(column >= 0)
        matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, column[rows])), shape=(p.size, len(domain)))
        return matrix, domain, 1

    # ------------------------------------------------------------ measures

    def size(self, principal: str, segment: Segment) -> AudienceTable:
        self._check(segment)
        query = self._query("size", segment=canonical_segment(segment))
        release = self.guard.release(
            principal, query, lambda: CountTable(["segment:size"], np.array([int(self.segments.mask(segment).sum())]), 1)
        )
        size = release.get("segment:size")
        self.guard.require_size(size)
        return self._table(
            release, principal, measure="size", segment=self.segments.describe(segment), columns=["segment", "people"],
            rows=[{"segment": self.segments.describe(segment), "people": size}], segment_size=size,
        )

    def counts_by(self, principal: str, segment: Segment, by: str) -> Release:
        """The released size of `segment` and its counts per tag, item or attribute value. Segment and base
        are released separately, so a base (most often everyone) is paid for once and then reused."""
        matrix, labels, per_user = self._breakdown(by)
        query = self._query("counts", segment=canonical_segment(segment), by=by)

        def compute() -> CountTable:
            mask = self.segments.mask(segment)
            counts = np.concatenate([[mask.sum()], np.asarray(matrix[mask].sum(axis=0)).ravel()]).astype(np.int64)
            return CountTable(["size", *(str(i) for i in range(len(labels)))], counts, per_user + 1)

        return self.guard.release(principal, query, compute)

    def _reportable(self, by: str, labels: list[str]) -> set[str]:
        with self._lock:
            if by not in self._allowed:
                self._allowed[by] = set(self.guard.reportable(labels))
            return self._allowed[by]

    def affinity(self, principal: str, segment: Segment, base: Segment = EVERYONE, by: str = "tag", top: int = 25) -> AudienceTable:
        """Interests (or items, or attribute values) most over-represented in `segment` relative to `base`."""
        self._check(segment, base)
        _, labels, per_user = self._breakdown(by)
        seg_release = self.counts_by(principal, segment, by)
        base_release = self.counts_by(principal, base, by)
        seg_size, base_size = int(seg_release.counts[0]), int(base_release.counts[0])
        self.guard.require_size(seg_size)
        self.guard.require_size(base_size, "the base population")
        seg_counts, base_counts = seg_release.counts[1:], base_release.counts[1:]
        # An attribute splits people (one value each): its shares are of the released counts' sum, so they
        # add up to 100 % (post-processing of released counts, no privacy cost). A person has up to
        # `interests_per_user` tags and `items_per_user` items, so those shares are of the size and add up
        # to more than 100 %; each count's own noise can also push a share past what is exact.
        split = by not in ("tag", "item")
        seg_total = max(int(seg_counts.sum()), 1) if split else seg_size
        base_total = max(int(base_counts.sum()), 1) if split else base_size
        margin = max(seg_release.margin95, base_release.margin95)
        noise_var = 2.0 * max(seg_release.scale, base_release.scale) ** 2
        allowed = self._reportable(by, labels)
        rows, hidden = [], 0
        for i, label in enumerate(labels):
            if label not in allowed:
                continue
            if seg_counts[i] < margin or base_counts[i] < margin:
                hidden += 1
                continue
            index, low, high = affinity_interval(seg_counts[i], seg_total, base_counts[i], base_total, noise_var)
            rows.append({
                by: label, "index": round(index), "ci_low": round(low), "ci_high": round(high),
                "segment_count": int(seg_counts[i]), "segment_share": _share(seg_counts[i], seg_total),
                "base_count": int(base_counts[i]), "base_share": _share(base_counts[i], base_total),
            })
        rows.sort(key=lambda r: (-r["index"], str(r[by])))
        notes = [f"{hidden} {by} rows hidden: their counts are within the privacy noise"] if hidden else []
        if split:
            notes.append(f"shares are of the people with a {by} (the sum of the noisy counts), so they add up to 100 %")
        else:
            notes.append(f"shares need not add up to 100 %: one person counts in up to {per_user} {by}s, "
                         "and every count carries its own privacy noise")
        if len(rows) > top:
            notes.append(f"showing the {top} most distinctive of {len(rows)}")
        return self._table(
            seg_release, principal, base_release, measure="affinity", segment=self.segments.describe(segment),
            base=self.segments.describe(base), by=by,
            columns=[by, "index", "ci_low", "ci_high", "segment_count", "segment_share", "base_count", "base_share"],
            rows=rows[:top], segment_size=seg_size, base_size=base_size, notes=notes,
        )

    def lookalike(self, principal: str, seed: Segment, share: float = 0.05, top: int = 15) -> AudienceTable:
        """The lookalike audience's size and its most distinctive interests against everyone (no ids)."""
        everyone, size = self.population.size, lookalike_size(self.population, share, self.lookalike_min)
        asked = lookalike_size(self.population, share)
        try:
            table = self.affinity(principal, Lookalike(seed=seed, share=share), EVERYONE, "tag", top)
        except SegmentTooSmallError:
            raise SegmentTooSmallError(
                f"the lookalike audience of {size} people came out under the {self.config.min_segment_size}-person "
                f"minimum on its privacy-protected count: the noise does that about once in {LOOKALIKE_MISSES_ONE_IN} "
                "answers, the seed is not the cause; another share is a new query (charged again) and will likely pass"
            ) from None
        if size > asked:
            table.notes.append(
                f"the lookalike has {size} people, not {share:.0%} of {everyone} ({asked}): the smallest audience whose "
                f"privacy-protected size clears the {self.config.min_segment_size}-person minimum (but once in "
                f"{LOOKALIKE_MISSES_ONE_IN})"
            )
        return table

    def export_lookalike(self, seed: Segment, share: float = 0.05) -> list[str]:
        """Pseudonymous ids of a lookalike audience: for the admin role only (the API checks the role)."""
        self._check(seed)
        rows = lookalike_rows(self.population, self.segments.mask(seed), share, min_size=self.lookalike_min)
        return [str(u) for u in self.population.user_ids[np.sort(rows)]]

    # ------------------------------------------------------------ trends

    def trend(
        self, principal: str, segment: Segment, tag: str, period: str = "month", last_months: int | None = None
    ) -> AudienceTable:
        """Per period: the segment's active people and the share of them who liked `tag` items then."""
        self._check(segment)
        self.guard.refuse_sensitive([tag], "trend tag")
        p = self.population
        column = self.segments.tag_column(tag)
        tag_name = p.tags[column]
        freq = {"week": "W-MON", "month": "M", "quarter": "Q"}.get(period)
        if freq is None:
            raise QueryError(f"unknown period '{period}': use week, month or quarter")
        frame = p.interactions
        end = int(frame["timestamp"].max())
        start = int(frame["timestamp"].min())
        if last_months:
            start = max(start, int((pd.Timestamp(end, unit="s") - pd.DateOffset(months=last_months)).timestamp()))
        stamps = pd.to_datetime([start, end], unit="s")
        labels = [str(x) for x in pd.period_range(stamps[0], stamps[1], freq=freq.replace("W-MON", "W"))]
        query = self._query("trend", segment=canonical_segment(segment), tag=tag_name, period=period, start=start, end=end)
        k = self.config.periods_per_user

        def compute() -> CountTable:
            seg = self.segments.mask(segment)
            window = frame[(frame["timestamp"] >= start) & (frame["timestamp"] <= end) & seg[frame["user_row"].to_numpy()]]
            keys = pd.to_datetime(window["timestamp"], unit="s").dt.to_period(freq.replace("W-MON", "W")).astype(str)
            has_tag = np.asarray(p.item_tags[window["item_row"].to_numpy(), column].todense()).ravel() > 0
            pairs = pd.DataFrame({"user": window["user_row"].to_numpy(), "period": keys.to_numpy(),
                                  "tag": has_tag & window["liked"].to_numpy()})
            per = pairs.groupby(["user", "period"], sort=False)["tag"].any().reset_index()
            per = per.sort_values(["user", "period"], ascending=[True, False])
            per = per[per.groupby("user").cumcount() < k]  # each person in at most k periods
            active = per["period"].value_counts().reindex(labels, fill_value=0)
            liked_tag = per.loc[per["tag"], "period"].value_counts().reindex(labels, fill_value=0)
            counts = np.concatenate([[int(seg.sum())], active.to_numpy(), liked_tag.to_numpy()]).astype(np.int64)
            return CountTable(["segment:size", *(f"active:{x}" for x in labels), *(f"tag:{x}" for x in labels)], counts, 1 + 2 * k)

        release = self.guard.release(principal, query, compute)
        size = release.get("segment:size")
        self.guard.require_size(size)
        rows = []
        for i, label in enumerate(labels):
            active, liked_tag = int(release.counts[1 + i]), int(release.counts[1 + len(labels) + i])
            share = round(100 * liked_tag / active, 1) if active >= release.margin95 and active > 0 else None
            rows.append({"period": label, "active": active, f"liked {tag_name}": liked_tag, "share": share})
        notes = ["share is left empty where the active count is within the privacy noise"]
        return self._table(
            release, principal, measure="trend", segment=self.segments.describe(segment), by=period,
            columns=["period", "active", f"liked {tag_name}", "share"], rows=rows, segment_size=size, notes=notes,
        )

    # ------------------------------------------------------------ sentiment

    def sentiment_scores(self) -> np.ndarray:
        """P(positive) of every text interaction (NaN where there is no text), from the classifier trained
        on this data set's own starred reviews (trained once, at the first call)."""
        with self._lock:
            if self._sentiment is None:
                frame = self.population.interactions
                if "text" not in frame.columns:
                    raise QueryError(f"data set '{self.population.dataset}' has no review text to score")
                text = frame["text"].fillna("").astype(str)
                has_text = (text.str.len() > 0).to_numpy()
                labels = labels_from_stars(frame["weight"].to_numpy())
                train = has_text & (labels >= 0) & ~held_out(self.population.user_ids[frame["user_row"]].astype(str))
                model = TextSentiment().fit(text[train].tolist(), labels[train])
                scores = np.full(len(frame), np.nan)
                scores[has_text] = model.score(text[has_text].tolist())
                self._sentiment = scores
            return self._sentiment

    def sentiment(
        self, principal: str, segment: Segment, base: Segment = EVERYONE, by: str = "department", category: str | None = None
    ) -> AudienceTable:
        """Share of positive reviews per category, segment against base, with the counts."""
        self._check(segment, base)
        p = self.population
        frame = p.interactions
        if by not in frame.columns:
            raise QueryError(f"data set '{p.dataset}' has no '{by}' on its reviews")
        domain = sorted(c for c in frame[by].astype(str).unique() if c)
        if category:
            wanted = [c for c in domain if c.lower().rstrip("s") == category.lower().rstrip("s")]
            if not wanted:
                raise QueryError(f"unknown {by} '{category}' (known: {', '.join(domain)})")
            domain = wanted
        k = min(len(domain), self.config.interests_per_user)
        query = self._query("sentiment", segment=canonical_segment(segment), base=canonical_segment(base), by=by, domain=domain)

        def compute() -> CountTable:
            seg, everyone = self._masks(segment, base)
            scores = self.sentiment_scores()
            reviews = pd.DataFrame({"user": frame["user_row"], "cat": frame[by].astype(str), "score": scores})
            reviews = reviews[reviews["score"].notna() & reviews["cat"].isin(domain)]
            per = reviews.groupby(["user", "cat"], sort=False)["score"].mean().reset_index()
            per = per[per.groupby("user").cumcount() < k]  # each person in at most k categories
            per["positive"] = per["score"] >= 0.5
            counts, labels = [int(seg.sum()), int(everyone.sum())], ["segment:size", "base:size"]
            for name, mask in (("segment", seg), ("base", everyone)):
                part = per[mask[per["user"].to_numpy()]]
                total = part["cat"].value_counts().reindex(domain, fill_value=0)
                positive = part.loc[part["positive"], "cat"].value_counts().reindex(domain, fill_value=0)
                counts += [*total.to_numpy(), *positive.to_numpy()]
                labels += [f"{name}:n:{c}" for c in domain] + [f"{name}:pos:{c}" for c in domain]
            return CountTable(labels, np.asarray(counts, dtype=np.int64), 2 * (1 + 2 * k))

        release = self.guard.release(principal, query, compute)
        seg_size, base_size = release.get("segment:size"), release.get("base:size")
        self.guard.require_size(seg_size)
        rows = []
        for c in domain:
            row: dict = {by: c}
            for name in ("segment", "base"):
                n, pos = release.get(f"{name}:n:{c}"), release.get(f"{name}:pos:{c}")
                row[f"{name}_reviews"] = n
                row[f"{name}_positive_%"] = round(100 * min(pos, n) / n, 1) if n >= release.margin95 and n > 0 else None
            rows.append(row)
        return self._table(
            release, principal, measure="sentiment", segment=self.segments.describe(segment),
            base=self.segments.describe(base), by=by,
            columns=[by, "segment_reviews", "segment_positive_%", "base_reviews", "base_positive_%"], rows=rows,
            segment_size=seg_size, base_size=base_size,
            notes=["positive = the classifier trained on this data's starred reviews gives P(positive) >= 0.5",
                   "a positive share is left empty where the review count is within the privacy noise"],
        )

    # ------------------------------------------------------------ clusters

    def cluster_labels(self, segment: Segment = EVERYONE, max_k: int = 8) -> np.ndarray:
        """k-means cluster of each user of `segment` over profile vectors (-1 outside), k by silhouette."""
        from recassist.audiences.clusters import fit_clusters

        key = repr(canonical_segment(segment))
        with self._lock:
            if key not in self._clusters:
                self._clusters[key] = fit_clusters(self.population, self.segments.mask(segment), max_k)
            return self._clusters[key]

    def clusters(self, principal: str, segment: Segment = EVERYONE, top_tags: int = 3) -> AudienceTable:
        """Behaviour clusters of the segment: size and the most distinctive interests of each, which name it."""
        self._check(segment)
        p = self.population
        query = self._query("clusters", segment=canonical_segment(segment))
        labels = self.cluster_labels(segment)
        k = int(labels.max()) + 1
        n_tags = len(p.tags)

        def compute() -> CountTable:
            inside = labels >= 0
            one_hot = sp.csr_matrix((np.ones(int(inside.sum())), (labels[inside], np.flatnonzero(inside))), shape=(k, p.size))
            sizes = np.bincount(labels[inside], minlength=k)
            tag_counts = np.asarray((one_hot @ p.interests).todense())
            counts = np.concatenate([sizes, tag_counts.ravel()]).astype(np.int64)
            names = [f"size:{c}" for c in range(k)] + [f"tag:{c}:{t}" for c in range(k) for t in range(n_tags)]
            return CountTable(names, counts, 1 + self.config.interests_per_user)

        release = self.guard.release(principal, query, compute)
        sizes = release.counts[:k]
        total = int(sizes.sum())
        self.guard.require_size(total)
        tag_counts = release.counts[k:].reshape(k, n_tags).astype(float)
        overall = tag_counts.sum(axis=0) / max(total, 1)
        allowed = np.array([t in set(self.guard.reportable(p.tags)) for t in p.tags])
        rows = []
        for c in range(k):
            shares = tag_counts[c] / max(int(sizes[c]), 1)
            lift = np.divide(shares, overall, out=np.zeros_like(shares), where=overall > 0)
            lift[(tag_counts[c] < release.margin95) | ~allowed] = 0
            best = [i for i in np.argsort(-lift, kind="stable")[:top_tags] if lift[i] > 0]
            name = " / ".join(p.tags[i] for i in best) or "no distinctive interest"
            rows.append({
                "cluster": name, "people": int(sizes[c]), "share_%": round(100 * sizes[c] / max(total, 1), 1),
                "top_tags": ", ".join(f"{p.tags[i]} ({100 * lift[i]:.0f})" for i in best),
            })
        rows.sort(key=lambda r: -r["people"])
        return self._table(
            release, principal, measure="clusters", segment=self.segments.describe(segment), by="cluster",
            columns=["cluster", "people", "share_%", "top_tags"], rows=rows, segment_size=total,
            notes=[f"k = {k} chosen by silhouette; a cluster is named by its most distinctive interests "
                   "(affinity index against the whole segment in brackets)",
                   "the k-means partition itself is fitted on exact profiles; only its counts are noised"],
        )

