"""`recassist eval`: every candidate generator and their fusion under the leave-last-out protocol
(`evaluation.protocol`), as a table and JSON; with `--rerank`, also fusion vs fusion + LLM rerank
(`evaluation.rerank`) on a fixed sample of test users."""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors

if TYPE_CHECKING:
    from recassist.data.store import Dataset
    from recassist.retrieval.interactions import Interactions
    from recassist.settings import Settings


def evaluate(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="An imported data set, e.g. ml-100k or ml-1m.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full report as JSON here.")
    ] = None,
    generators: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated generator names; default: all but the slow opt-in ones (sasrec)."
        ),
    ] = None,
    rerank: Annotated[
        bool,
        typer.Option(
            "--rerank",
            help="Also compare fusion with fusion + LLM rerank (the configured llm.model).",
        ),
    ] = False,
    report_file: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="With --rerank: take the fusion from this earlier --json report instead of re-tuning.",
        ),
    ] = None,
    rerank_users: Annotated[
        int, typer.Option(min=1, help="Test users in the rerank comparison.")
    ] = 300,
    rerank_validation_users: Annotated[
        int, typer.Option(min=1, help="Validation users that choose the blend weight.")
    ] = 150,
    rerank_method: Annotated[
        str, typer.Option(help="verbalizer (one pass, letters) or pointwise (Yes/No).")
    ] = "verbalizer",
) -> None:
    """Leave-last-out, full ranking, tuned on validation, reported on test (see docs/benchmarks.md)."""
    if report_file is not None and not rerank:
        raise typer.BadParameter("--report is only used with --rerank", param_hint="--report")
    if rerank_method not in ("verbalizer", "pointwise"):
        raise typer.BadParameter("choose verbalizer or pointwise", param_hint="--rerank-method")
    settings = load_settings(ctx)
    loaded, data = _load(settings, dataset)
    started = time.time()
    output = _header(settings, dataset, started)
    if report_file is None:
        output = _run_protocol(settings, dataset, loaded, data, generators, output)
        rows = output["rows"]
    else:
        rows = _earlier_rows(report_file)
        output["fusion_report"] = str(report_file)
    if rerank:
        output["rerank"] = _rerank(
            settings, loaded, data, rows, rerank_users, rerank_validation_users, rerank_method
        )
    output["wall_s"] = time.time() - started
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(_dumps(output))


def _load(settings: Settings, dataset: str) -> tuple[Dataset, Interactions]:
    """The imported data set and its interactions, weighted by the configured events."""
    from recassist.data.store import DatasetStore
    from recassist.retrieval.interactions import Interactions

    with user_errors():
        loaded = DatasetStore(settings.data_dir).load(dataset)
        return loaded, Interactions.from_dataset(loaded, settings.events)


def _header(settings: Settings, dataset: str, started: float) -> dict:
    """The report's command line, machine and start time."""
    machine = {
        "cpu_cores": os.cpu_count(),
        "gpu_used": False,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "threads": settings.llm.threads,
    }
    command = (
        " ".join(["recassist", *sys.argv[1:]])
        if sys.argv[1:2] == ["eval"]
        else f"recassist eval --dataset {dataset}"
    )
    return {"command": command, "machine": machine, "started_at": started}


def _run_protocol(
    settings: Settings,
    dataset: str,
    loaded: Dataset,
    data: Interactions,
    generators: str | None,
    output: dict,
) -> dict:
    """The protocol over every generator (or those named), printed as tables; the JSON report."""
    from recassist.evaluation.fairness import dataset_attributes
    from recassist.evaluation.protocol import evaluate as run_protocol
    from recassist.evaluation.report import fairness_table, markdown_table, to_json
    from recassist.retrieval.generators.content import content_builders
    from recassist.retrieval.generators.knowledge import knowledge_builders

    with user_errors():
        builders, grids = content_builders(settings, dataset, data.items)
        kg_builders, kg_grids = knowledge_builders(settings, dataset, data.items)
        builders, grids = {**builders, **kg_builders}, {**grids, **kg_grids}
    names = [name.strip() for name in generators.split(",")] if generators else None
    item_tags, groups = dataset_attributes(loaded, data)
    with user_errors():
        report = run_protocol(
            data,
            dataset,
            names=names,
            builders=builders,
            grids=grids,
            memory=settings.memory,
            progress=lambda line: typer.echo(line, err=True),
            item_tags=item_tags,
            user_groups=groups,
        )
    typer.echo(markdown_table(report))
    if any(row.fairness for row in report.rows):
        typer.echo("")
        typer.echo(fairness_table(report))
    return json.loads(to_json(report, **output))


def _earlier_rows(report_file: Path) -> list[dict]:
    """The result rows of an earlier `--json` report (the fusion is taken from them)."""
    try:
        return json.loads(report_file.read_text())["rows"]
    except (OSError, ValueError, KeyError) as err:
        raise typer.BadParameter(
            f"{report_file} is not a `recassist eval --json` report: {err}",
            param_hint="--report",
        ) from err


def _dumps(output: dict) -> str:
    """Indented JSON with arrays of numbers on one line each (a rerank report keeps every user's
    scores)."""
    text = json.dumps(output, indent=2, default=str)
    return (
        re.sub(
            r"\[\s+([-+\d.eE,\s]+?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text
        )
        + "\n"
    )


def _rerank(
    settings: Settings,
    dataset: Dataset,
    data: Interactions,
    rows: list[dict],
    users: int,
    validation_users: int,
    method: str,
) -> dict:
    """Fusion vs fusion + rerank with the configured model; prints the table and returns the JSON
    part."""
    from recassist.assistant.rerank import RerankConfig, Reranker
    from recassist.evaluation.rerank import catalogue_of, evaluate_rerank, markdown_rows
    from recassist.llm.backend import chat_model

    with user_errors():
        config = RerankConfig(method=method)
        model = chat_model(settings.llm, settings.data_dir)
        result = evaluate_rerank(
            data,
            rows,
            Reranker(model, config),
            catalogue_of(dataset, data),
            validation_users=validation_users,
            test_users=users,
            candidates=config.max_candidates,
            progress=lambda line: typer.echo(line, err=True),
        )
    result["model"] = settings.llm.model
    typer.echo("")
    typer.echo(markdown_rows(result))
    return result
