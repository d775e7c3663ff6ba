"""`recassist serve`: the app (UI and API) on one port."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from recassist.commands.common import load_settings, user_errors


def serve(
    ctx: typer.Context,
    dataset: Annotated[Optional[str], typer.Option(help="Data set to serve (default: settings.dataset)")] = None,
    host: Annotated[Optional[str], typer.Option(help="Interface to listen on (default: settings.host, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: settings.port, 7860)")] = None,
) -> None:
    """Serve the recassist app: the UI at /, health at /healthz."""
    import uvicorn

    from app import create_app

    settings = load_settings(ctx, host=host, port=port)
    with user_errors():
        asgi = create_app(settings, dataset)
    typer.echo(f"recassist on http://{settings.host}:{settings.port}/")
    uvicorn.run(asgi, host=settings.host, port=settings.port, log_level="warning")
