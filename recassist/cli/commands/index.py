"""`recassist index build`: embeddings into the vector store, per-user features."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from recassist.cli.commands.common import load_settings, user_errors

app = typer.Typer(help="Build the vector index of a data set.", no_args_is_help=True)


@app.command()
def build(
    ctx: typer.Context,
    dataset: Annotated[Optional[str], typer.Option(help="Data set name (default: settings.dataset)")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the index is up to date.")] = False,
) -> None:
    """Embed items and user profiles into Chroma. Idempotent: unchanged items are not embedded again."""
    from recassist.retrieval.index import IndexBuilder

    settings = load_settings(ctx)
    with user_errors():
        report = IndexBuilder(settings).build(dataset or settings.dataset, force=force)
    typer.echo(report.summary())
