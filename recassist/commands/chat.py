"""`recassist chat`: the same agent as the app, in the terminal or scripted.

Interactive: type messages, see the plan, the picks and their explanations as they stream.
Scripted: `--script FILE` (one message a line) runs without a terminal; with `--json` each turn prints one
JSON object: the parsed request, the recommended item ids, their explanations and whether each passed the
faithfulness check (an explanation from the template is faithful by construction, but did not pass as
written by the model).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from recassist.commands.common import load_settings, user_errors


def chat(
    ctx: typer.Context,
    dataset: Annotated[Optional[str], typer.Option(help="Data set (default: settings.dataset)")] = None,
    user: Annotated[Optional[str], typer.Option(help="A user id as in the imported files (or its pseudonym)")] = None,
    script: Annotated[Optional[Path], typer.Option(help="Messages, one a line", exists=True, dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per turn")] = False,
) -> None:
    """Chat with the assistant."""
    from surfaces.context import build_context

    settings = load_settings(ctx)
    with user_errors():
        app = build_context(settings, dataset or settings.dataset, progress=lambda line: typer.echo(line, err=True))
    user_id = app.user_for(user)
    if user and user_id is None:
        typer.secho(f"warning: user '{user}' is not in the data set: chatting as a new user", err=True, fg="yellow")
    _, session = app.sessions.get_or_create(None, user_id)
    messages = script.read_text(encoding="utf-8").splitlines() if script else _prompt_lines()
    for message in messages:
        if not message.strip():
            continue
        if session.user_id is None and not session.tastes and not session.shown:
            session.tastes.append(message[:500])
        result = None
        for kind, payload in app.assistant.stream(session, message):
            if kind == "done":
                result = payload
            elif not as_json:
                _show(kind, payload)
        if as_json and result is not None:
            typer.echo(json.dumps({
                "message": message,
                "request": result.request.model_dump(mode="json"),
                "planner": result.planner,
                "reply": result.message,
                "items": [p.item.item_id for p in result.picks],
                "titles": [p.item.title for p in result.picks],
                "explanations": [p.explanation.text if p.explanation else None for p in result.picks],
                "faithful": [p.explanation.source in ("model", "retry") if p.explanation else None for p in result.picks],
                "explanation_sources": [p.explanation.source if p.explanation else None for p in result.picks],
            }))


def _prompt_lines():
    while True:
        try:
            line = input("you> ") if sys.stdin.isatty() else sys.stdin.readline()
        except EOFError:
            return
        if not sys.stdin.isatty() and line == "":
            return
        yield line.rstrip("\n")


def _show(kind: str, payload: object) -> None:
    if kind == "message":
        typer.echo(f"recassist> {payload}")
    elif kind == "picks":
        for index, pick in enumerate(payload, 1):
            typer.echo(f"  {index}. {pick.item.title} [{', '.join(pick.item.tags)}]")
    elif kind == "token":
        typer.echo(payload[1], nl=False)
    elif kind == "reset":
        typer.echo(" [checking failed, trying again]")
    elif kind == "explanation":
        index, explanation = payload
        typer.echo(f"\n     ({index + 1}: {explanation.source})")
