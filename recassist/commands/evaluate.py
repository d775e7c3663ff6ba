"""`recassist eval`: every candidate generator and their fusion under issue 3's protocol, as a table and JSON."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from recassist.commands.common import load_settings, user_errors


def evaluate(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="An imported data set, e.g. ml-100k or ml-1m.")],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the full report as JSON here.")] = None,
    generators: Annotated[
        Optional[str],
        typer.Option(help="Comma-separated generator names; default: all but the slow opt-in ones (sasrec)."),
    ] = None,
) -> None:
    """Leave-last-out, full ranking, tuned on validation, reported on test (see docs/benchmarks.md)."""
    from retrieval.data.store import DatasetStore
    from retrieval.evaluation.protocol import evaluate as run_protocol
    from retrieval.evaluation.report import markdown_table, to_json
    from retrieval.generators.content import content_builders
    from retrieval.interactions import Interactions

    settings = load_settings(ctx)
    with user_errors():
        data = Interactions.from_dataset(DatasetStore(settings.data_dir).load(dataset), settings.events)
        builders, grids = content_builders(settings, dataset, data.items)
    started = time.time()
    names = [name.strip() for name in generators.split(",")] if generators else None
    with user_errors():
        report = run_protocol(
            data, dataset, names=names, builders=builders, grids=grids, progress=lambda line: typer.echo(line, err=True)
        )
    typer.echo(markdown_table(report))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        machine = {"cpu_cores": os.cpu_count(), "gpu_used": False, "platform": platform.platform(),
                   "python": sys.version.split()[0]}
        json_out.write_text(to_json(report, command=f"recassist eval --dataset {dataset}" + (f" --generators {generators}" if generators else ""), machine=machine,
                                    started_at=started, wall_s=time.time() - started))
