"""`recassist index build`: embeddings into the vector store, per-user features."""

from __future__ import annotations

from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors

app = typer.Typer(help="Build the vector index of a data set.", no_args_is_help=True)


@app.command()
def build(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option(help="Data set name (default: settings.dataset)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the index is up to date.")] = False,
) -> None:
    """Embed items and user profiles into Chroma. Idempotent: unchanged items are not embedded
    again."""
    from recassist.retrieval.index import IndexBuilder

    settings = load_settings(ctx)
    with user_errors():
        report = IndexBuilder(settings).build(dataset or settings.dataset, force=force)
    typer.echo(report.summary())


@app.command()
def profiles(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option(help="Data set (default: settings's)")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many profiles.")] = None,
    max_seconds: Annotated[float | None, typer.Option(help="Stop after this long.")] = None,
) -> None:
    """Write LLM item profiles (themes, mood, setting, audience) with the configured model,
    most-rated items first. Incremental and resumable: cached profiles are kept, and a stopped run
    goes on where it stopped. `recassist index build` then embeds them with the items."""
    from tqdm import tqdm

    from recassist.data.item_profiles import ProfileStore
    from recassist.data.store import DatasetStore
    from recassist.llm.backend import chat_model
    from recassist.llm.item_profiles import ProfileWriter, most_rated_first

    settings = load_settings(ctx)
    with user_errors():
        data = DatasetStore(settings.data_dir).load(dataset or settings.dataset)
        model = chat_model(settings.llm, settings.data_dir)
        tags = {t for joined in data.items["tags"] for t in str(joined or "").split("|")}
        writer = ProfileWriter(model, settings.llm.model, tags)
        store = ProfileStore(settings.data_dir, data.name)
        order = most_rated_first(data.items, data.interactions)
        report = writer.run(
            store,
            data.items,
            order,
            limit=limit,
            max_seconds=max_seconds,
            progress=lambda batch: tqdm(batch, desc="profiles", unit="item"),
        )
    typer.echo(report.summary())
