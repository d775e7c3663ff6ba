"""An evaluation report as JSON (for machines and benchmarks/results) and as a Markdown table (for
docs)."""

from __future__ import annotations

import json
from dataclasses import asdict

from recassist.evaluation.protocol import EvalReport

COLUMNS = ("recall@10", "recall@20", "ndcg@10", "mrr@10", "coverage@10")


def to_json(report: EvalReport, **context: object) -> str:
    return json.dumps({**context, **asdict(report)}, indent=2, default=str)


def markdown_table(report: EvalReport) -> str:
    header = ["generator", *COLUMNS, "val NDCG@10", "fit s", "score all s"]
    lines = [
        f"{report.dataset}: {report.n_users:,} users, {report.n_items:,} items, "
        f"{report.n_interactions:,} interactions, {report.n_evaluated:,} test users",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for row in report.rows:
        cells = [f"**{row.name}**" if row.name == "fusion" else row.name]
        cells += [f"{row.metrics[c]:.4f}" for c in COLUMNS]
        cells += [f"{row.validation_ndcg10:.4f}", f"{row.fit_s:.1f}", f"{row.score_s:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


FAIRNESS = ("gini@10", "arp@10", "long_tail_share@10", "coverage@10", "calibration_kl@10")


def _cell(figure: dict | None) -> str:
    if not figure:
        return "–"
    return f"{figure['value']:.4f} [{figure['low']:.4f}, {figure['high']:.4f}]"


def fairness_table(report: EvalReport) -> str:
    """Popularity bias and fairness per row, each with its 95 % bootstrap interval, and NDCG@10 by
    user group with the gap between the best and the worst group."""
    by_group = [row.fairness.get("ndcg@10_by_group", {}) for row in report.rows]
    attributes = sorted({name for groups in by_group for name in groups})
    header = ["generator", *FAIRNESS, *(f"NDCG@10 gap by {name}" for name in attributes)]
    rule = "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"
    lines = ["| " + " | ".join(header) + " |", rule]
    for row in report.rows:
        if not row.fairness:
            continue
        cells = [row.name, *(_cell(row.fairness.get(name)) for name in FAIRNESS)]
        for name in attributes:
            gap = row.fairness.get("ndcg@10_by_group", {}).get(name, {}).get("gap")
            cells.append(f"{gap['best']} − {gap['worst']}: {_cell(gap)}" if gap else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
