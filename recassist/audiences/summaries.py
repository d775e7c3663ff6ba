"""Summaries of marketer answers and their check: the template summary built from a table, and the
check of a model's summary (every number in it a number of the table or the question, every tag it
names in the table), the same idea as the explanation check in the chat."""

from __future__ import annotations

from recassist.audiences.guide import EXAMPLES
from recassist.audiences.intervals import ROUGH
from recassist.audiences.parser import names_tag
from recassist.audiences.tables import AudienceTable

OVER_INDEX = 100  # an index above this over-indexes
DISTINCTIVE = 120  # ... and is called distinctive when its whole 95 % interval is at or above this


def numbers_in(text: str) -> set[float]:
    """The numbers written in `text` ("1,234", "12.5", the 25 and 34 of "25-34")."""
    out, i = set(), 0
    while i < len(text):
        if not text[i].isdecimal():
            i += 1
            continue
        j = _digits_end(text, i)
        while j + 1 < len(text) and text[j] in ".," and text[j + 1].isdecimal():
            j = _digits_end(text, j + 1)
        out.add(float(text[i:j].replace(",", "")))
        i = j
    return out


def _digits_end(text: str, i: int) -> int:
    while i < len(text) and text[i].isdecimal():
        i += 1
    return i


def table_text(table: AudienceTable, limit: int = 8) -> str:
    lines = [" | ".join(table.columns)]
    lines += [
        " | ".join("" if r.get(c) is None else str(r.get(c)) for c in table.columns)
        for r in table.rows[:limit]
    ]
    lines.append(
        f"segment: {table.segment} ({table.segment_size} people)"
        + (f"; base: {table.base} ({table.base_size} people)" if table.base else "")
    )
    return "\n".join(lines)


def check_summary(summary: str, table: AudienceTable, question: str, tags: list[str]) -> list[str]:
    """Problems of a summary: numbers not in the table or the question, tags not in the table."""
    in_table = numbers_in(table_text(table, limit=len(table.rows)))
    allowed = in_table | numbers_in(question)
    problems = [f"number {n:g} is not in the table" for n in sorted(numbers_in(summary) - allowed)]
    shown = table_text(table, limit=len(table.rows)).lower()
    for tag in tags:
        if names_tag(tag, summary) and tag.lower() not in shown:
            problems.append(f"tag {tag} is not in the table")
    if not numbers_in(summary) & (in_table - numbers_in(question)):
        problems.append("states no number of the table")
    return problems


def template_summary(table: AudienceTable) -> str:
    """A summary built from the table alone: the answer when the model's fails its check."""
    rows = table.rows
    if table.measure == "help":
        return (
            f"Not answered: {table.notes[0]}. Nothing was charged. Try, e.g., '{EXAMPLES[0]}' or "
            f"'{EXAMPLES[2]}'."
        )
    if table.measure == "segments":
        names = ", ".join(str(r["segment"]) for r in rows)
        return (
            f"A question can build segments from {names} (the table lists their values) and "
            "combine them, e.g. 'women 25-34 who like sci-fi'. Nothing was charged."
        )
    if not rows:
        return f"No rows to report for {table.segment}: every count is within the privacy noise."
    if table.measure == "affinity":
        return _affinity_summary(table)
    if table.measure == "lookalike":
        names = ", ".join(f"{r['interest']} (index {r['index']})" for r in rows[:3])
        return (
            f"The {table.segment} has about {table.segment_size} people; it over-indexes most on "
            f"{names}."
        )
    if table.measure == "trend":
        return _trend_summary(table)
    if table.measure == "sentiment":
        label = table.by or "category"
        parts = [
            f"{r[label]}: {r['segment_positive_%']}% positive of {r['segment_reviews']} reviews "
            f"(base {r['base_positive_%']}%)"
            for r in rows[:4]
        ]
        return f"{table.segment} against {table.base}: " + "; ".join(parts) + "."
    if table.measure == "clusters":
        top = rows[0]
        return (
            f"{len(rows)} behaviour clusters; the largest is {top['cluster']} with "
            f"{top['people']} people ({top['share_%']}%)."
        )
    return f"{table.segment}: about {rows[0]['people']} people."


def _rough(table: AudienceTable) -> bool:
    """Whether the noise on each released count is a large part of the segment (`ROUGH`)."""
    return bool(table.segment_size) and table.noise_margin95 > ROUGH * table.segment_size


def noise_only(table: AudienceTable) -> bool:
    """An affinity table of a segment so small that no row is distinctive: its top rows are where
    the noise fell, and only the template says so (the model would report them as findings)."""
    label = table.by or "interest"
    distinctive = [r for r in table.rows if r.get("ci_low", 0) >= DISTINCTIVE and r.get(label)]
    return table.measure == "affinity" and _rough(table) and not distinctive


def _affinity_summary(table: AudienceTable) -> str:
    label = table.by or "interest"
    over = [r for r in table.rows if r["index"] > OVER_INDEX]
    who = (
        f"Compared with {table.base} ({table.base_size} people), {table.segment} "
        f"({table.segment_size} people)"
    )
    if table.segment == table.base and table.rows:  # "what do people like?": the most common
        common = sorted(table.rows, key=lambda r: -r["segment_share"])[:5]
        shares = ", ".join(f"{r[label]} ({r['segment_share']}%)" for r in common)
        return (
            f"The most common {label}s of {table.segment} ({table.segment_size} people): {shares}."
        )
    if not over:
        return f"{who} over-index on no {label}: every index is {OVER_INDEX} or below."
    best = ", ".join(
        f"{r[label]} (index {r['index']}, {r['segment_share']}% vs {r['base_share']}%)"
        for r in over[:3]
    )
    distinctive = [str(r[label]) for r in over if r["ci_low"] >= DISTINCTIVE]
    tail = (
        f" Distinctive (the whole 95 % interval at or above {DISTINCTIVE}): "
        f"{', '.join(distinctive[:5])}."
        if distinctive
        else f" None is distinctive (95 % interval wholly at or above {DISTINCTIVE})."
    )
    rough = _rough(table)
    noise = (
        f"each count is within ±{table.noise_margin95:.0f} people of the truth (95 %)"
        if rough
        else ""
    )
    if rough and not distinctive:  # the shares listed would be the noise's, not the segment's
        return (
            f"{who}: no {label} stands out from the privacy noise, since in a segment this small "
            f"{noise}. Ask about a larger group (a wider age range, fewer criteria)."
        )
    caveat = f" In a segment this small {noise}, so these shares are rough." if rough else ""
    return f"{who} over-index most on {best}.{tail}{caveat}"


def _rising_summary(table: AudienceTable) -> str:
    """The interests that rose and fell most, with their shares before and after."""
    known = [r for r in table.rows if r["change_pts"] is not None]
    if not known:
        return (
            f"The privacy noise is too large for {table.segment} to say which interests rose or "
            "fell: each share would be uncertain by more than 10 points either way."
        )

    def said(r: dict) -> str:
        return f"{r['interest']} ({r['change_pts']:+} points: {r['earlier_%']}% to {r['later_%']}%)"

    up = [said(r) for r in known[:3] if r["change_pts"] > 0]
    down = [said(r) for r in reversed(known[-3:]) if r["change_pts"] < 0]
    parts = [f"rose most: {', '.join(up)}" if up else "no interest rose"]
    parts.append(f"fell most: {', '.join(down)}" if down else "none fell")
    return f"Among {table.segment}, of active people, " + "; ".join(parts) + f" ({table.notes[0]})."


def _trend_summary(table: AudienceTable) -> str:
    if table.by == "interest":
        return _rising_summary(table)
    known = [r for r in table.rows if r["share"] is not None]
    if not known:
        return (
            f"Too few active people per period in {table.segment} to show a trend above the "
            "privacy noise (each share would be uncertain by more than 10 points either way)."
        )
    if len(known) == 1:  # one share is no trend, and first, last and highest would repeat it
        only = known[0]
        return (
            f"{table.columns[2]} among {table.segment}: only {only['period']} has counts above the "
            f"privacy noise ({only['share']}% of active people); one {table.by} shows no trend. "
            + ("Ask by quarter, or about a larger group." if table.by == "month" else "")
        ).strip()
    peak = max(known, key=lambda r: r["share"])
    return (
        f"{table.columns[2]} among {table.segment}: {known[0]['share']}% of active people in "
        f"{known[0]['period']}, {known[-1]['share']}% in {known[-1]['period']}; highest "
        f"{peak['share']}% in {peak['period']}."
    )
