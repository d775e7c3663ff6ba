"""Answers as post-processing of a `ReleaseSet`: size, affinity, trend and sentiment of a segment,
read from the noisy releases only. This module never sees the data: the same releases give the
same answer every time, at no further privacy cost, and every decision (a refusal, a hidden row)
is made on noisy values, so it reveals nothing beyond the releases.

A segment is read over the releases (`Where`): its attribute criteria select cells (and/or/not
over attribute values), and it may name one interest (tag) or one title (item) on top. A title's
audience is released by one attribute at a time (the `items` rows), so a title combines with
values of one attribute only; trends and sentiment are released per row the same way."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recassist.audiences.intervals import ROUGH, Z95, affinity_interval, simultaneous_z
from recassist.audiences.releases import ReleaseSet
from recassist.audiences.segments import (
    Active,
    And,
    Attribute,
    Everyone,
    Item,
    Lookalike,
    Not,
    Or,
    Segment,
    Tag,
    Words,
    describe,
)
from recassist.audiences.tables import AudienceTable
from recassist.audiences.vocabulary import band_range, readable, readable_value
from recassist.errors import QueryError, SegmentTooSmallError


@dataclass(frozen=True)
class Where:
    """A segment over the releases: the cells its attributes select and at most one tag or item."""

    cells: np.ndarray  # bool per cell
    focus: tuple[str, int] | None = None  # ("tag", column) or ("item", column)


class ReleasedAnswers:
    """Marketer measures over one `ReleaseSet`: no data, only the releases and the vocabulary."""

    def __init__(self, releases: ReleaseSet, min_size: int) -> None:
        self.releases, self.vocabulary, self.min_size = releases, releases.vocabulary, min_size
        v = self.vocabulary
        shape = [len(values) for values in v.attributes.values()] or [1]
        grid = np.unravel_index(np.arange(v.cells), shape)
        self._grid = dict(
            zip(v.attributes, grid, strict=False)
        )  # attribute -> value index per cell
        self.titles = dict(zip(v.item_ids, v.titles, strict=True))

    # ------------------------------------------------------------ segments over the releases

    def where(self, segment: Segment) -> Where:
        v = self.vocabulary
        everyone = np.ones(v.cells, dtype=bool)
        if isinstance(segment, Everyone):
            return Where(everyone)
        if isinstance(segment, Attribute):
            return Where(self._attribute(segment))
        if isinstance(segment, Tag):
            lower = [t.lower() for t in v.tags]
            if segment.tag.lower() not in lower:
                raise QueryError(
                    f"unknown interest '{segment.tag}'; known: {', '.join(v.tags[:40])}"
                )
            return Where(everyone, ("tag", lower.index(segment.tag.lower())))
        if isinstance(segment, Item):
            if segment.item_id not in self.titles:
                raise QueryError(f"unknown title '{segment.item_id}' in '{v.dataset}'")
            return Where(everyone, ("item", v.item_ids.index(segment.item_id)))
        if isinstance(segment, And):
            parts = [self.where(p) for p in segment.parts]
            focus = [p.focus for p in parts if p.focus is not None]
            if len(focus) > 1:
                raise QueryError(
                    "a segment may name one interest or one title, not several: ask about each"
                )
            return Where(
                np.logical_and.reduce([p.cells for p in parts]), focus[0] if focus else None
            )
        if isinstance(segment, Or | Not):
            inner = [
                self.where(p)
                for p in (segment.parts if isinstance(segment, Or) else [segment.part])
            ]
            if any(p.focus for p in inner):
                raise QueryError(
                    "'or' and 'not' combine attribute values (gender, age, occupation), "
                    "not interests"
                )
            cells = np.logical_or.reduce([p.cells for p in inner])
            return Where(cells if isinstance(segment, Or) else ~cells)
        kind = {
            Words: "a description in words",
            Active: "activity dates",
            Lookalike: "a lookalike",
        }[type(segment)]
        raise QueryError(
            f"{kind} is not a segment the released aggregates hold; segments are built from "
            f"{self.fields_text()} and one interest or title"
        )

    def fields_text(self) -> str:
        return ", ".join(readable(a) for a in self.vocabulary.attributes) or "no attributes"

    def _attribute(self, segment: Attribute) -> np.ndarray:
        v = self.vocabulary
        name = (
            "age_band" if segment.field == "age" and "age_band" in v.attributes else segment.field
        )
        if name not in v.attributes:
            raise QueryError(
                f"'{v.dataset}' has no '{readable(segment.field)}' to build a segment from; "
                f"its segment fields are {self.fields_text()}"
            )
        values = v.attributes[name]
        chosen = np.ones(len(values), dtype=bool)
        if segment.values:
            wanted = {w.lower() for w in segment.values}
            chosen &= [
                x.lower() in wanted or readable_value(name, x).lower() in wanted for x in values
            ]
        if segment.min is not None or segment.max is not None:
            low = -np.inf if segment.min is None else segment.min
            high = np.inf if segment.max is None else segment.max
            if name != "age_band":
                raise QueryError(f"'{readable(name)}' is not numeric: give values, not a range")
            chosen &= [band_range(x)[0] <= high and band_range(x)[1] >= low for x in values]
        return chosen[self._grid[name]] if name in self._grid else np.zeros(v.cells, dtype=bool)

    def _rows(self, where: Where) -> np.ndarray | None:
        """The per-attribute release rows that make up `where`'s cells: everyone, or values of one
        attribute; None when it takes values of two attributes."""
        v = self.vocabulary
        if where.cells.all():
            return np.array([0])
        offset = 1
        for name, values in v.attributes.items():
            chosen = np.array(
                [where.cells[self._grid[name] == i].all() for i in range(len(values))]
            )
            if (chosen[self._grid[name]] == where.cells).all():
                return offset + np.flatnonzero(chosen)
            offset += len(values)
        return None

    def rows_of(self, where: Where) -> np.ndarray:
        """`_rows`, or the reason a segment of two attributes has none (titles, trends)."""
        rows = self._rows(where)
        if rows is not None:
            return rows
        raise QueryError(
            f"a title's audience, trends and review sentiment are released by one of "
            f"{self.fields_text()} at a time: leave out the other criteria"
        )

    def size(self, where: Where) -> tuple[float, float]:
        """The segment's noisy size and the variance of its noise."""
        r = self.releases
        if where.focus is not None and where.focus[0] == "item":
            rows = self.rows_of(where)
            return max(0.0, float(r.items.counts[rows, where.focus[1]].sum())), self.items_var(rows)
        column = 0 if where.focus is None else 1 + where.focus[1]
        counts, var = self.tag_sums(where)
        return max(0.0, float(counts[column])), var

    def tag_sums(self, where: Where) -> tuple[np.ndarray, float]:
        """The segment's size and interest counts (1 + tags) and the noise variance of one: from
        the rows release when the segment is everyone or values of one attribute and that is less
        noisy (a few rows against a hundred cells), else from the cells."""
        r = self.releases
        var = int(where.cells.sum()) * 2 * r.tags.scale**2
        rows = self._rows(where)
        if rows is not None and len(rows) * 2 * r.tag_rows.scale**2 < var:
            return r.tag_rows.counts[rows].sum(axis=0), len(rows) * 2 * r.tag_rows.scale**2
        return r.tags.counts[where.cells].sum(axis=0), var

    def items_var(self, rows: np.ndarray) -> float:
        """Noise variance of a sum of `items` rows: everyone's row sums the first attribute's."""
        first = len(next(iter(self.vocabulary.attributes.values()), [None]))
        counted = sum(first if row == 0 else 1 for row in rows)
        return counted * 2 * self.releases.items.scale**2

    def require(self, noisy_size: float, what: str = "the segment") -> None:
        if noisy_size < self.min_size:
            raise SegmentTooSmallError(
                f"{what} has fewer than {self.min_size} people (judged on its privacy-protected "
                "count), the minimum for any answer; widen it (fewer criteria, a wider age range)"
            )

    # ------------------------------------------------------------ measures

    def describe(self, segment: Segment) -> str:
        """The segment in words, as the releases hold it: an age range as the age bands it
        covers ("teenagers", 13-19, is answered as under 25: ages are released by band)."""
        return describe(self.banded(segment), self.titles)

    def banded(self, segment: Segment) -> Segment:
        """`segment` with each age range widened to the bands it overlaps, as `_attribute` reads
        it."""
        if isinstance(segment, And | Or):
            return segment.model_copy(update={"parts": [self.banded(p) for p in segment.parts]})
        if isinstance(segment, Not):
            return segment.model_copy(update={"part": self.banded(segment.part)})
        if not (isinstance(segment, Attribute) and segment.field == "age"):
            return segment
        if segment.min is None and segment.max is None:
            return segment
        low = -np.inf if segment.min is None else segment.min
        high = np.inf if segment.max is None else segment.max
        bands = [band_range(x) for x in self.vocabulary.attributes.get("age_band", [])]
        bands = [(a, b) for a, b in bands if a <= high and b >= low]
        if not bands:
            return segment
        first, last = min(a for a, _ in bands), max(b for _, b in bands)
        return segment.model_copy(
            update={"min": first if first > 0 else None, "max": last if last < 200 else None}
        )

    def table(self, **fields) -> AudienceTable:
        return AudienceTable(epsilon_charged=0.0, budget_left=0.0, **fields)

    def size_table(self, segment: Segment) -> AudienceTable:
        size, var = self.size(self.where(segment))
        self.require(size)
        name = self.describe(segment)
        return self.table(
            measure="size",
            segment=name,
            columns=["segment", "people"],
            rows=[{"segment": name, "people": int(size)}],
            segment_size=int(size),
            noise_margin95=round(Z95 * float(np.sqrt(var)), 1),
        )

    def _by(self, where: Where, by: str) -> tuple[list[str], np.ndarray, float]:
        """Labels, noisy counts per label and the noise variance of one count, for a breakdown."""
        r, v = self.releases, self.vocabulary
        if by == "tag":
            if where.focus is not None:
                return self._co_tags(where)
            counts, var = self.tag_sums(where)
            return v.tags, np.maximum(counts[1:], 0), var
        if by == "item":
            if where.focus is not None:
                raise QueryError(
                    "a title breakdown is of a segment of people, not of an interest's audience"
                )
            rows = self.rows_of(where)
            return v.titles, np.maximum(r.items.counts[rows].sum(axis=0), 0), self.items_var(rows)
        name = "age_band" if by == "age" and "age_band" in v.attributes else by
        if name not in v.attributes:
            known = ", ".join(["interest", "title", *map(readable, v.attributes)])
            raise QueryError(
                f"'{v.dataset}' has no '{readable(by)}' to break down by; it has {known}"
            )
        counts, variances = [], []
        for i in range(len(v.attributes[name])):
            count, var = self.size(Where(where.cells & (self._grid[name] == i), where.focus))
            counts.append(count)
            variances.append(var)
        labels = [readable_value(name, x) for x in v.attributes[name]]
        return labels, np.asarray(counts), max(variances)

    def _co_tags(self, where: Where) -> tuple[list[str], np.ndarray, float]:
        """What the fans of one interest are also into ("horror fans also like ..."): the
        `co_tags` release's row of that interest, for everyone who has it; a title's fans or an
        interest within a segment are not released that way."""
        focus, v = where.focus, self.vocabulary
        if focus is None or focus[0] != "tag" or not where.cells.all():
            raise QueryError(
                "what else an audience is into is released for the fans of a kind of film among "
                "everyone (e.g. 'what do horror fans also like?'), not for a title's fans or "
                f"within {self.fields_text()}: ask 'who likes ...' for its profile"
            )
        r = self.releases.co_tags
        return v.tags, np.maximum(r.counts[focus[1], 1:], 0), 2 * r.scale**2

    def affinity(
        self,
        segment: Segment,
        base: Segment,
        by: str = "tag",
        top: int = 25,
        allowed: set[str] | None = None,
    ) -> AudienceTable:
        """What is most over-represented in `segment` against `base`: index = share in segment /
        share in base x 100, with its 95 % interval (sampling and privacy noise)."""
        seg, bas = self.where(segment), self.where(base)
        seg_size, seg_size_var = self.size(seg)
        self.require(seg_size)
        base_size, base_size_var = self.size(bas)
        self.require(base_size, "the base")
        labels, seg_counts, seg_var = self._by(seg, by)
        _, base_counts, base_var = self._by(bas, by)
        margin, base_margin = Z95 * float(np.sqrt(seg_var)), Z95 * float(np.sqrt(base_var))
        column = readable(by)
        own = seg.focus[1] if by == "tag" and seg.focus and seg.focus[0] == "tag" else None
        allowed = set(labels) if allowed is None else allowed  # an interest's fans: all into it
        compared = [i for i, label in enumerate(labels) if label in allowed and i != own]
        z = simultaneous_z(len(compared))
        rows, hidden = [], 0
        for i in compared:
            if seg_counts[i] < margin or base_counts[i] < base_margin:
                hidden += 1
                continue
            counts = (seg_counts[i], seg_size, base_counts[i], base_size)
            noise = (seg_var, base_var, (seg_size_var, base_size_var))
            rows.append({column: labels[i], **_affinity_row(*counts, *noise, z)})
        rows.sort(key=lambda row: (-row["index"], str(row[column])))
        notes = [
            f"the 95 % intervals hold for all {len(compared)} {column} rows compared at once",
            *(
                [f"{hidden} {column} rows hidden: their counts are within the privacy noise"]
                * bool(hidden)
            ),
        ]
        if margin > ROUGH * seg_size:
            notes.append(
                f"each count of these {int(seg_size)} people is within ±{margin:.0f} of the truth "
                "(95 %): their shares are rough"
            )
        if len(rows) > top:
            notes.append(f"showing the {top} most over-represented of {len(rows)}")
        return self.table(
            measure="affinity",
            segment=self.describe(segment),
            base=self.describe(base),
            by=column,
            columns=[column, *AFFINITY_COLUMNS],
            rows=rows[:top],
            segment_size=int(seg_size),
            base_size=int(base_size),
            noise_margin95=round(margin, 1),
            notes=notes,
        )


AFFINITY_COLUMNS = ("index", "ci_low", "ci_high", "segment_count", "segment_share", "base_count")
AFFINITY_COLUMNS += ("base_share",)


def _affinity_row(
    seg_count, seg_size, base_count, base_size, seg_var, base_var, sizes_var, z
) -> dict:
    """One affinity row's cells (all but its label), from released counts."""
    index, low, high = affinity_interval(
        seg_count, seg_size, base_count, base_size, seg_var, base_var, z, sizes_var
    )
    return {
        "index": round(index),
        "ci_low": round(low),
        "ci_high": round(high),
        "segment_count": int(seg_count),
        "segment_share": _share(seg_count, seg_size),
        "base_count": int(base_count),
        "base_share": _share(base_count, base_size),
    }


def _share(count: float, total: float) -> float:
    """A percentage of `total`, at most 100 (noise can lift a count past its total)."""
    return round(min(100.0, 100 * count / max(total, 1)), 1)
