"""What every command needs: the settings, and errors shown as one clear line instead of a
traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from pydantic import ValidationError

from recassist.errors import RecassistError
from recassist.settings import Settings


def load_settings(ctx: typer.Context, **overrides: object) -> Settings:
    data_dir = (ctx.obj or {}).get("data_dir")
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as err:
        typer.secho(f"error: bad configuration:\n{err}", err=True, fg="red")
        raise typer.Exit(2) from None


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show recassist's own errors as `error: ...` and exit 1; anything else is a bug and keeps its
    traceback."""
    try:
        yield
    except RecassistError as err:
        typer.secho(f"error: {err}", err=True, fg="red")
        raise typer.Exit(1) from None
