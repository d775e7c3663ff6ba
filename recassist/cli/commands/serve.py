"""`recassist serve`: the app (UI and API) on one port."""

from __future__ import annotations

from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors


def serve(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option(help="Data set to serve (default: settings.dataset)")
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Interface to listen on (default: settings.host, 127.0.0.1)"),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings.port, 7860)")] = None,
    prepare: Annotated[
        bool,
        typer.Option(
            help="First fetch the data set if it is a known one and missing, and build its index if stale."
        ),
    ] = False,
) -> None:
    """Serve the recassist app: the UI at /, health at /healthz."""
    import uvicorn

    from recassist.app import create_app
    from recassist.surfaces.server import server_config

    settings = load_settings(ctx, host=host, port=port)
    name = dataset or settings.dataset
    with user_errors():
        if prepare:
            _prepare(settings, name)
        asgi = create_app(settings, name, progress=typer.echo)
    typer.echo(f"recassist on http://{settings.host}:{settings.port}/")
    uvicorn.Server(
        server_config(asgi, settings.api, settings.host, settings.port, log_level="warning")
    ).run()


def _prepare(settings, name: str) -> None:
    from recassist.data.sources import SOURCES, fetch
    from recassist.llm.models import MODELS, fetch_model, model_path
    from recassist.retrieval.index import IndexBuilder

    if name in SOURCES:
        result = fetch(name, settings)
        if result is not None:
            typer.echo(result.summary())
    typer.echo(IndexBuilder(settings).build(name).summary())
    if (
        settings.llm.backend == "local"
        and settings.llm.model in MODELS
        and not model_path(settings.llm.model, settings.data_dir).is_file()
    ):
        typer.echo(f"fetching the local model {settings.llm.model} (once) ...")
        fetch_model(settings.llm.model, settings.data_dir)
