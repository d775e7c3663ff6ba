"""Relations named by their people, through the app's assistant (the app's context: the graph, the
films' credits, the default model explaining): how often a pick's strongest evidence names the
people a relation shares ("Ridley Scott directed both Alien and Blade Runner"), and whether the
model's explanations of such picks pass the faithfulness check.

For the `--seeds` most-rated items, a new user asks "something like <title>" and "more from the
director of <title>"; every pick is explained by the model as in a chat turn (checked, retried once,
else the template). Counted: picks, picks whose strongest evidence names people, and of their
explanations those faithful on the first try, after the retry, replaced by the template, and shown
unfaithful (the shown text checked again; must be 0: the check runs before anything is shown).

Writes `benchmarks/results/named-evidence-<dataset>.json` and prints a Markdown table.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/named_evidence.py --data-dir .recassist
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
ASKS = ("something like {title}", "more from the director of {title}")


def main() -> None:
    from recassist.assistant.agent import Assistant
    from recassist.grounding.evidence import strongest_first
    from recassist.retrieval.catalogue import display_title
    from recassist.settings import Settings
    from recassist.surfaces.context import build_context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    ctx = build_context(settings, args.dataset, progress=lambda line: None)
    config = settings.agent.model_copy(update={"llm_planner": False, "explain_with_llm": True})
    assistant = Assistant(ctx.catalogue, ctx.assistant.serving, ctx.assistant.model, config)
    data = assistant.serving.data
    popular = np.argsort(-np.asarray(data.binary.sum(axis=0)).ravel(), kind="stable")
    seeds = [str(i) for i in data.items.ids(popular[: args.seeds])]
    counts = dict.fromkeys(
        ("picks", "named", "first_try", "retry", "template", "shown_unfaithful"), 0
    )
    rows, start = [], time.perf_counter()
    for seed in seeds:
        for ask in ASKS:
            message = ask.format(title=display_title(assistant.items[seed].title))
            result = assistant.turn(assistant.new_session(None), message)
            for pick in result.picks:
                counts["picks"] += 1
                strongest = strongest_first(pick.reasons)[:1]
                if not (strongest and strongest[0].people):
                    continue
                counts["named"] += 1
                shown = pick.explanation
                kind = {"model": "first_try", "retry": "retry"}.get(shown.source, "template")
                counts[kind] += 1
                problems = assistant.explainer.checker.check(shown.text, pick.item, pick.reasons)
                counts["shown_unfaithful"] += bool(problems)
                rows.append(
                    {"message": message, "pick": pick.item.title, "how": kind, "text": shown.text}
                )
    out = {
        "dataset": args.dataset,
        "command": "python benchmarks/named_evidence.py --data-dir <data dir>",
        "model": settings.llm.model,
        "load": {"cpu_cores": os.cpu_count(), "loadavg_1m": os.getloadavg()[0]},
        "seconds": round(time.perf_counter() - start, 1),
        **counts,
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"named-evidence-{args.dataset}.json").write_text(json.dumps(out, indent=2) + "\n")
    print(table(counts))


def table(counts: dict[str, int]) -> str:
    """The counts as a Markdown table, the first-try share of the named ones."""
    named = max(counts["named"], 1)
    head = "| picks | strongest evidence names people | faithful first try | retry | template | unfaithful shown |"
    row = (
        f"| {counts['picks']} | {counts['named']} | {counts['first_try']} "
        f"({counts['first_try'] / named:.0%}) | {counts['retry']} | {counts['template']} "
        f"| {counts['shown_unfaithful']} |"
    )
    return "\n".join([head, "|---:|---:|---:|---:|---:|---:|", row])


if __name__ == "__main__":
    main()
