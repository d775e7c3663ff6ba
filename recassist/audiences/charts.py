"""Plotly figures for audience tables: affinity bars with their intervals, trend lines, sentiment
bars, cluster sizes. Built from an `AudienceTable` only, so a chart never shows more than the table.
"""

from __future__ import annotations

from recassist.audiences.tables import AudienceTable

_HEIGHT = 420


def figure(table: AudienceTable):
    import plotly.graph_objects as go

    fig = go.Figure()
    rows = table.rows
    if table.measure == "affinity":
        shown = rows[::-1]  # every row of the table, the most over-represented at the top
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
            hovertemplate="%{y}: index %{x}<br>segment %{customdata[0]}, base %{customdata[1]}<extra></extra>",
            name="affinity index",
        )
        fig.add_vline(
            x=100,
            line_dash="dash",
            annotation_text="100 = as common as in the base",
            annotation_position="bottom right",
        )
        title, xaxis, yaxis = (
            f"Affinity of {table.segment} vs {table.base}",
            "index (100 = same share as the base)",
            label,
        )
    elif table.measure == "trend":
        share_column = "share"
        fig.add_scatter(
            x=[r["period"] for r in rows],
            y=[r[share_column] for r in rows],
            mode="lines+markers",
            name="% of active people",
            connectgaps=False,
        )
        title, xaxis, yaxis = (
            f"{table.columns[2]} among {table.segment}",
            table.by or "period",
            "% of active people",
        )
    elif table.measure == "sentiment":
        label = table.by or "category"
        for name in ("segment", "base"):
            fig.add_bar(
                x=[r[label] for r in rows],
                y=[r[f"{name}_positive_%"] for r in rows],
                name=table.segment if name == "segment" else (table.base or "base"),
            )
        fig.update_layout(barmode="group")
        title, xaxis, yaxis = (
            f"Positive reviews: {table.segment} vs {table.base}",
            label,
            "% positive",
        )
    elif table.measure == "lookalike":
        fig.add_bar(
            x=[r["index"] for r in rows[::-1]],
            y=[r["interest"] for r in rows[::-1]],
            orientation="h",
        )
        title, xaxis, yaxis = (
            f"Interests of the {table.segment}",
            "index against everyone",
            "interest",
        )
    elif table.measure == "clusters":
        fig.add_bar(x=[r["cluster"] for r in rows], y=[r["people"] for r in rows], name="people")
        title, xaxis, yaxis = (
            f"Behaviour clusters of {table.segment}",
            "cluster (most distinctive interests)",
            "people",
        )
    elif table.measure in ("help", "segments"):  # a guide: nothing was released, so nothing to plot
        title, xaxis, yaxis = "No chart: nothing was released", "", ""
    else:
        fig.add_bar(x=[r["segment"] for r in rows], y=[r["people"] for r in rows], name="people")
        title, xaxis, yaxis = "Segment size", "segment", "people"
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
