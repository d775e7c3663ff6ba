"""Plotly figures for audience tables: affinity bars with their intervals, trend lines, sentiment
bars, cluster sizes. Built from an `AudienceTable` only, so a chart never shows more than the table.
"""

from __future__ import annotations

from recassist.audiences.tables import AudienceTable

_HEIGHT = 420


def figure(table: AudienceTable):
    """The table's chart: one drawing per measure (`_DRAW`), a segment-size bar chart otherwise,
    and no chart for a guide, which released nothing."""
    import plotly.graph_objects as go

    fig = go.Figure()
    if table.measure in ("help", "segments"):  # a guide: nothing was released, so nothing to plot
        title, xaxis, yaxis = "No chart: nothing was released", "", ""
    else:
        title, xaxis, yaxis = _DRAW.get(table.measure, _sizes)(fig, table)
    rows = table.rows
    height = max(_HEIGHT, 120 + 24 * len(rows)) if table.measure == "affinity" else _HEIGHT
    fig.update_layout(
        title=title,
        xaxis_title=xaxis,
        yaxis_title=yaxis,
        height=height,
        margin={"l": 140, "r": 20, "t": 60, "b": 60},
        template="plotly_white",
        showlegend=table.measure == "sentiment",
    )
    return fig


def _affinity(fig, table: AudienceTable) -> tuple[str, str, str]:
    """Horizontal bars of the index with its interval, every row, the most over-represented on
    top, and the line at 100 (as common as in the base)."""
    shown = table.rows[::-1]
    label = table.by or "tag"
    fig.add_bar(
        x=[r["index"] for r in shown],
        y=[str(r[label]) for r in shown],
        orientation="h",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [r["ci_high"] - r["index"] for r in shown],
            "arrayminus": [r["index"] - r["ci_low"] for r in shown],
        },
        customdata=[[r["segment_count"], r["base_count"]] for r in shown],
        hovertemplate="%{y}: index %{x}<br>segment %{customdata[0]}, base %{customdata[1]}"
        "<extra></extra>",
        name="affinity index",
    )
    fig.add_vline(
        x=100,
        line_dash="dash",
        annotation_text="100 = as common as in the base",
        annotation_position="bottom right",
    )
    title = f"Affinity of {table.segment} vs {table.base}"
    return title, "index (100 = same share as the base)", label


def _trend(fig, table: AudienceTable) -> tuple[str, str, str]:
    """The share of active people per period, gaps left open; or, by interest, each interest's
    change in points."""
    rows = table.rows
    if table.by == "interest":
        known = [r for r in rows if r["change_pts"] is not None]
        fig.add_bar(x=[r["interest"] for r in known], y=[r["change_pts"] for r in known])
        return f"Interests rising and falling among {table.segment}", "interest", "change (points)"
    fig.add_scatter(
        x=[r["period"] for r in rows],
        y=[r["share"] for r in rows],
        mode="lines+markers",
        name="% of active people",
        connectgaps=False,
    )
    title = f"{table.columns[2]} among {table.segment}"
    return title, table.by or "period", "% of active people"


def _sentiment(fig, table: AudienceTable) -> tuple[str, str, str]:
    """Grouped bars of the positive share, segment beside base."""
    label = table.by or "category"
    for name in ("segment", "base"):
        fig.add_bar(
            x=[r[label] for r in table.rows],
            y=[r[f"{name}_positive_%"] for r in table.rows],
            name=table.segment if name == "segment" else (table.base or "base"),
        )
    fig.update_layout(barmode="group")
    return f"Positive reviews: {table.segment} vs {table.base}", label, "% positive"


def _lookalike(fig, table: AudienceTable) -> tuple[str, str, str]:
    """The lookalike audience's interests by their index against everyone."""
    rows = table.rows[::-1]
    fig.add_bar(x=[r["index"] for r in rows], y=[r["interest"] for r in rows], orientation="h")
    return f"Interests of the {table.segment}", "index against everyone", "interest"


def _clusters(fig, table: AudienceTable) -> tuple[str, str, str]:
    """People per behaviour cluster."""
    rows = table.rows
    fig.add_bar(x=[r["cluster"] for r in rows], y=[r["people"] for r in rows], name="people")
    title = f"Behaviour clusters of {table.segment}"
    return title, "cluster (most distinctive interests)", "people"


def _sizes(fig, table: AudienceTable) -> tuple[str, str, str]:
    """People per segment."""
    rows = table.rows
    fig.add_bar(x=[r["segment"] for r in rows], y=[r["people"] for r in rows], name="people")
    return "Segment size", "segment", "people"


_DRAW = {
    "affinity": _affinity,
    "trend": _trend,
    "sentiment": _sentiment,
    "lookalike": _lookalike,
    "clusters": _clusters,
}


def load_charting() -> None:
    """Import the charting stack now: the app calls this while it is built, before any thread
    starts, so that the first request never imports Plotly while another thread imports it (a
    module-lock deadlock that answered the first marketer question with a 500)."""
    import plotly.graph_objects  # noqa: F401
    import plotly.io  # noqa: F401


def figure_json(table: AudienceTable) -> dict:
    """The figure as Plotly's JSON (what `Plotly.newPlot` takes)."""
    import json

    return json.loads(figure(table).to_json())
