"""`recassist chat`: the same agent as the app, in the terminal or scripted.

Interactive: type messages, see the plan, the picks and their explanations as they stream. Scripted:
`--script FILE` (one message a line) runs without a terminal; with `--json` each turn prints one
JSON object: the parsed request, the recommended item ids, their explanations and whether each
passed the faithfulness check (an explanation from the template is faithful by construction, but did
not pass as written by the model).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors


def chat(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option(help="Data set (default: settings.dataset)")
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="A user id as in the imported files (or its pseudonym)")
    ] = None,
    script: Annotated[
        Path | None, typer.Option(help="Messages, one a line", exists=True, dir_okay=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per turn")] = False,
) -> None:
    """Chat with the assistant."""
    from recassist.surfaces.context import build_context

    settings = load_settings(ctx)
    with user_errors():
        app = build_context(
            settings, dataset or settings.dataset, progress=lambda line: typer.echo(line, err=True)
        )
    user_id = app.user_for(user)
    if user and user_id is None:
        typer.secho(
            f"warning: user '{user}' is not in the data set: chatting as a new user",
            err=True,
            fg="yellow",
        )
    _, session = app.sessions.get_or_create(None, user_id)
    messages = script.read_text(encoding="utf-8").splitlines() if script else _prompt_lines()
    for message in messages:
        if not message.strip():
            continue
        done = None
        for event in app.assistant.stream(session, message):
            if event.type in ("done", "error"):
                done = event
            if not as_json:
                _show(event)
        if as_json and done is not None:
            typer.echo(json.dumps(_turn_json(message, done)))


def _turn_json(message: str, done) -> dict:
    """One turn as the `--json` line: the request, who planned it, the reply and the picks."""
    if done.type == "error":
        return {"message": message, "error": done.code, "reply": done.message, "items": []}
    cards = done.items
    return {
        "message": message,
        "request": done.request.model_dump(mode="json"),
        "planner": done.planner,
        "reply": done.message,
        "items": [c.item_id for c in cards],
        "titles": [c.title for c in cards],
        "explanations": [c.explanation for c in cards],
        "faithful": [
            c.explanation_source in ("model", "retry") if c.explanation_source else None
            for c in cards
        ],
        "explanation_sources": [c.explanation_source for c in cards],
    }


def _prompt_lines():
    while True:
        try:
            line = input("you> ") if sys.stdin.isatty() else sys.stdin.readline()
        except EOFError:
            return
        if not sys.stdin.isatty() and line == "":
            return
        yield line.rstrip("\n")


def _show(event) -> None:
    """A turn event as terminal text."""
    if event.type == "message":
        typer.echo(f"recassist> {event.text}")
    elif event.type == "error":
        typer.echo(f"recassist> {event.message}")
    elif event.type == "note":
        typer.echo(f"recassist> ({event.text})")
    elif event.type == "picks":
        for index, card in enumerate(event.items, 1):
            typer.echo(f"  {index}. {card.title} [{', '.join(card.tags)}]")
    elif event.type == "token":
        typer.echo(event.text, nl=False)
    elif event.type == "reset":
        typer.echo(" [checking failed, trying again]")
    elif event.type == "explanation":
        typer.echo(f"\n     ({event.index + 1}: {event.source})")
    elif event.type == "sponsored":
        card = event.card
        typer.echo(
            f"  [{card.label}{' · synthetic' if card.synthetic else ''}] {card.title} ({card.advertiser})"
        )
        typer.echo(f"     why this ad: {card.why}")
