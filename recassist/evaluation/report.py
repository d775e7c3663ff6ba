"""An evaluation report as JSON (for machines and benchmarks/results) and as a Markdown table (for docs)."""

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
