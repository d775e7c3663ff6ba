"""The `recassist` command line. Each command group lives in `recassist/cli/commands/`; this file
wires them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from recassist.cli.commands import ads as ads_commands
from recassist.cli.commands import chat as chat_commands
from recassist.cli.commands import data as data_commands
from recassist.cli.commands import evaluate as evaluate_commands
from recassist.cli.commands import index as index_commands
from recassist.cli.commands import recommend as recommend_commands
from recassist.cli.commands import serve as serve_commands

app = typer.Typer(
    name="recassist",
    help="A recommendation assistant that runs on a laptop and explains itself.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data_commands.app, name="data")
app.add_typer(index_commands.app, name="index")
app.command("serve")(serve_commands.serve)
app.command("eval")(evaluate_commands.evaluate)
app.command("recommend")(recommend_commands.recommend)
app.command("chat")(chat_commands.chat)
app.add_typer(ads_commands.app, name="ads")


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data directory (default: settings.data_dir, ./.recassist)", envvar=None),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"data_dir": data_dir}
