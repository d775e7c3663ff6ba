"""Trends and review sentiment as post-processing of a `ReleaseSet` (the `months` and `sentiment`
releases), read through `ReleasedAnswers`: no data, no further privacy cost, the same answer every
time. Both are released per row (everyone, or the values of one attribute), so a segment here is
everyone or values of one attribute."""

from __future__ import annotations

import numpy as np

from recassist.audiences.answers import ReleasedAnswers
from recassist.audiences.intervals import Z95
from recassist.audiences.segments import Segment, Tag
from recassist.audiences.tables import AudienceTable
from recassist.errors import QueryError


def trend(
    answers: ReleasedAnswers,
    segment: Segment,
    tag: str,
    period: str = "month",
    last_months: int | None = None,
) -> AudienceTable:
    """Per month (or quarter): the segment's active people and the share who liked items of
    `tag`."""
    v, r = answers.vocabulary, answers.releases
    where, focus = answers.where(segment), answers.where(Tag(tag=tag)).focus
    if where.focus is not None:
        raise QueryError(
            "a trend follows one interest over time for a segment of people, not of an interest"
        )
    size, _ = answers.size(where)
    answers.require(size)
    if period not in ("month", "quarter"):
        raise QueryError(f"trends are released by month (and so by quarter), not by {period}")
    rows = answers.rows_of(where)
    counts = r.months.counts[rows].sum(axis=0)[:, [0, 1 + focus[1]]]
    counts = np.maximum(counts, 0)
    labels = list(v.months)
    if last_months:
        labels, counts = labels[-last_months:], counts[-last_months:]
    if period == "quarter":
        quarters = [f"{m[:4]}Q{(int(m[5:7]) - 1) // 3 + 1}" for m in labels]
        order = list(dict.fromkeys(quarters))
        counts = np.array([counts[[q == o for q in quarters]].sum(axis=0) for o in order])
        labels = order
    width = len(rows) * (3 if period == "quarter" else 1)
    margin = Z95 * float(np.sqrt(width * 2 * r.months.scale**2))
    name = v.tags[focus[1]]
    table_rows = [
        {
            "period": label,
            "active": int(a),
            f"liked {name}": int(t),
            # a share of a count within the noise is the noise's ("0.0 %", then "75.5 %")
            "share": _clear_share(a, t, margin),
        }
        for label, (a, t) in zip(labels, counts, strict=True)
    ]
    return answers.table(
        measure="trend",
        segment=answers.describe(segment),
        by=period,
        columns=["period", "active", f"liked {name}", "share"],
        rows=table_rows,
        segment_size=int(size),
        noise_margin95=round(margin, 1),
        notes=[
            "share is left empty where the active or liked count is within the privacy noise, "
            f"or where the noise leaves it uncertain by more than {SHARE_SPREAD} points"
        ],
    )


def rising(
    answers: ReleasedAnswers,
    segment: Segment,
    allowed: set[str],
    last_months: int | None = None,
) -> AudienceTable:
    """Which interests rose and fell most in the segment ("which genres are trending among
    students?"): each tag of `allowed`'s share of active people in the earlier months against the
    later ones (split where the released active counts reach half), in percentage points, from
    the same `months` release as `trend`. A share whose counts are within the noise is left
    empty and its row comes last."""
    v, r = answers.vocabulary, answers.releases
    where = answers.where(segment)
    if where.focus is not None:
        raise QueryError("a trend follows interests over time for a segment of people")
    size, _ = answers.size(where)
    answers.require(size)
    rows = answers.rows_of(where)
    counts = np.maximum(r.months.counts[rows].sum(axis=0), 0)  # months x (active, tags...)
    labels = list(v.months)
    if last_months:
        labels, counts = labels[-last_months:], counts[-last_months:]
    if len(labels) < 2:
        raise QueryError("one month is released, so nothing can be said to rise or fall")
    # the halves hold as many active people each (the released counts): most ratings may be early
    active = np.cumsum(counts[:, 0])
    half = int(np.clip(np.searchsorted(active, active[-1] / 2) + 1, 1, len(labels) - 1))
    halves = (counts[:half].sum(axis=0), counts[half:].sum(axis=0))
    margins = [
        Z95 * float(np.sqrt(len(rows) * n * 2 * r.months.scale**2))
        for n in (half, len(labels) - half)
    ]
    table_rows = []
    for n, name in enumerate(v.tags):
        if name not in allowed:
            continue
        early, late = (_share(c, m, n) for c, m in zip(halves, margins, strict=True))
        change = round(late - early, 1) if early is not None and late is not None else None
        table_rows.append(
            {"interest": name, "earlier_%": early, "later_%": late, "change_pts": change}
        )
    table_rows.sort(key=lambda row: (row["change_pts"] is None, -(row["change_pts"] or 0)))
    earlier, later = f"{labels[0]} to {labels[half - 1]}", f"{labels[half]} to {labels[-1]}"
    return answers.table(
        measure="trend",
        segment=answers.describe(segment),
        by="interest",
        columns=["interest", "earlier_%", "later_%", "change_pts"],
        rows=table_rows,
        segment_size=int(size),
        noise_margin95=round(max(margins), 1),
        notes=[
            f"earlier = {earlier}, later = {later}: the share of active people who liked the "
            "interest in each",
            "a share is left empty where its counts are within the privacy noise, or where the "
            f"noise leaves it uncertain by more than {SHARE_SPREAD} points",
        ],
    )


def _share(summed: np.ndarray, margin: float, tag: int) -> float | None:
    """The share (%) of the active (`summed[0]`) who liked tag `tag`; None within the noise."""
    return _clear_share(summed[0], summed[1 + tag], margin)


def _clear_share(active: float, liked: float, margin: float) -> float | None:
    """The share (%) of the `active` who `liked`, released counts both; None where either is
    within the noise `margin` (each count's 95 % margin), or where the share's own 95 % interval,
    from both counts' noise, is wider than `SHARE_SPREAD` points: a month of 275 active and 226
    liked, margin 133, is 82 % give or take 64 points, no finding."""
    if min(active, liked) < margin:
        return None
    share = min(liked, active) / active
    spread = 2 * 100 * margin * float(np.sqrt(1 + share**2)) / active
    return round(100 * share, 1) if spread <= SHARE_SPREAD else None


def sentiment(
    answers: ReleasedAnswers, segment: Segment, base: Segment, category: str | None = None
) -> AudienceTable:
    """Share of positive reviewers per review category, segment against base."""
    v, r = answers.vocabulary, answers.releases
    if r.sentiment is None:
        raise QueryError(
            f"'{v.dataset}' has no review text by category, so no sentiment; its fields are "
            f"{answers.fields_text()}, interests and titles"
        )
    seg, bas = answers.where(segment), answers.where(base)
    size, _ = answers.size(seg)
    answers.require(size)
    base_size, _ = answers.size(bas)
    domain = list(v.categories)
    if category:
        domain = [c for c in domain if c.lower().rstrip("s") == category.lower().rstrip("s")]
        if not domain:
            raise QueryError(f"unknown department '{category}' (known: {', '.join(v.categories)})")
    margin = r.sentiment.margin95
    rows = []
    for c in domain:
        row: dict = {"department": c}
        for name, where in (("segment", seg), ("base", bas)):
            summed = r.sentiment.counts[answers.rows_of(where), v.categories.index(c)].sum(axis=0)
            n, pos = np.maximum(summed, 0)
            row[f"{name}_reviewers"] = int(n)
            row[f"{name}_positive_%"] = _clear_share(n, pos, margin)
        rows.append(row)
    return answers.table(
        measure="sentiment",
        segment=answers.describe(segment),
        base=answers.describe(base),
        by="department",
        columns=[
            "department",
            "segment_reviewers",
            "segment_positive_%",
            "base_reviewers",
            "base_positive_%",
        ],
        rows=rows,
        segment_size=int(size),
        base_size=int(base_size),
        noise_margin95=round(margin, 1),
        notes=[
            "positive = the classifier trained on this data's starred reviews gives a "
            "reviewer's reviews a mean P(positive) >= 0.5",
            "a share is left empty where its counts are within the noise, or where the noise "
            f"leaves it uncertain by more than {SHARE_SPREAD} points",
        ],
    )


# the widest 95 % interval, in percentage points, of a share shown (plus or minus 10): a wider one
# is the noise's, not the audience's
SHARE_SPREAD = 20
