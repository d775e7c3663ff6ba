"""`recassist recommend`: top-k lists for a file of users, from the fusion trained on all of a data
set.

The fitted pipeline is the app's serving model (`recassist/retrieval/serving.py`): configs and
fusion weights tuned leave-last-out on the data set itself (last item of each user as validation),
then every generator refitted on all interactions; it is kept in the data directory and reused while
the data set is unchanged. User ids in the users file are raw (as in the imported files) and mapped
through the data directory's keyed hash; item ids are as imported. A user the data set does not know
gets the popularity list, and a warning says how many there were.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors

log = logging.getLogger(__name__)


def recommend(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="An imported data set.")],
    users: Annotated[
        Path, typer.Option(help="Text file, one raw user id a line.", exists=True, dir_okay=False)
    ],
    out: Annotated[
        Path, typer.Option(help='JSON Lines output: {"user_id": ..., "items": [...]} a line.')
    ],
    k: Annotated[int, typer.Option(min=1, help="Items per user.")] = 10,
) -> None:
    """Write one line per user with their top-k item ids."""
    import numpy as np

    from recassist.data.pseudonym import Pseudonymizer
    from recassist.data.store import DatasetStore
    from recassist.retrieval.serving import load_serving_model
    from recassist.state.database import engine
    from recassist.state.feedback import stored_likes

    settings = load_settings(ctx)
    with user_errors():
        likes = stored_likes(engine(settings.state, settings.data_dir), dataset)  # as `serve` does
        data = DatasetStore(settings.data_dir).load(dataset, likes)
        serving = load_serving_model(
            settings, data, progress=lambda line: typer.echo(line, err=True)
        )
    data, fusion = serving.data, serving.fusion
    raw_ids = [line.strip() for line in users.read_text().splitlines() if line.strip()]
    pseudonyms = Pseudonymizer.for_data_dir(settings.data_dir)
    rows = data.users.rows([pseudonyms.user_id(raw) for raw in raw_ids], missing=-1)

    known = rows >= 0
    lists = np.full((len(rows), k), -1, np.int64)
    if known.any():
        lists[known] = fusion.recommend(rows[known], k).items
    if not known.all():
        typer.secho(
            f"warning: {int((~known).sum())} user(s) not in '{dataset}': given the popularity list",
            err=True,
            fg="yellow",
        )
        popular = (
            fusion.generators["popularity"].recommend(np.array([0]), k, exclude_seen=False).items[0]
        )
        lists[~known] = popular
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as handle:
        for raw, items in zip(raw_ids, lists):
            ids = [str(i) for i in data.items.ids(items[items >= 0])]
            handle.write(json.dumps({"user_id": raw, "items": ids}) + "\n")
    typer.echo(f"wrote {len(raw_ids)} lists to {out}")
