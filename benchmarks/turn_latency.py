"""Chat-turn latency through the real agent, as a user feels it: time to the first card (the `picks`
event), to the first explanation token, and to the end of the turn (all explanations written).

The turns are the first `--turns` of the scripted conversations
(`recassist/evaluation/data/conversations.json`), each script in a fresh session of a new user, then
`--free-form` messages the parser cannot read whole (each in a new session), on an indexed data set,
with the chosen local model planning what the parser cannot read and writing the explanations,
`--parallel` of them at once (`llm.parallel` and `agent.explain_parallel`), after the slots are
warmed as the app does at start. Writes `benchmarks/results/turn-latency-<model>.json`.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/turn_latency.py --dataset ml-100k \
        --model qwen2.5-coder-1.5b-instruct --threads 2 --turns 15
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
# Messages with words the parser does not read, each in a new session: the model plans them (in a
# thread, while the parser's cards are shown)
FREE_FORM = [
    "a feel-good movie for a rainy sunday",
    "something uplifting for a long flight",
    "un film pour une soirée entre amis",
    "algo para ver con mi abuela",
    "a clever heist film my dad would enjoy",
    "etwas Lustiges für heute Abend",
]


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    return {
        "p50": round(float(np.percentile(values, 50)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
        "max": round(float(max(values)), 3),
        "n": len(values),
    }


def main() -> None:
    from recassist.assistant.events import (
        DoneEvent,
        ExplanationEvent,
        PicksEvent,
        PlanEvent,
        TokenEvent,
    )
    from recassist.evaluation.conversations import load_conversations
    from recassist.settings import LLMConfig, Settings
    from recassist.surfaces.context import build_context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--parallel", type=int, default=5, help="explanations written at once (llama.cpp slots)"
    )
    parser.add_argument(
        "--slots",
        type=int,
        default=None,
        help="llama.cpp slots (llm.parallel); default --parallel (one more gives the plan its own)",
    )
    parser.add_argument(
        "--free-form", type=int, default=len(FREE_FORM), help="free-form messages the model plans"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default results/turn-latency-<model>.json)",
    )
    args = parser.parse_args()

    base = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    settings = base.model_copy(
        update={
            "llm": LLMConfig(
                model=args.model, threads=args.threads, parallel=args.slots or args.parallel
            ),
            "agent": base.agent.model_copy(update={"explain_parallel": args.parallel}),
        }
    )
    ctx = build_context(settings, args.dataset, progress=lambda line: print(line, file=sys.stderr))
    assistant = ctx.assistant
    start = time.perf_counter()
    assistant.warm()  # as the app does at start: load the model, put the explain prompt into every slot
    warm_s = time.perf_counter() - start
    list(
        assistant.stream(assistant.new_session(None), "something like Alien but funnier")
    )  # the embedder, the plan prompt

    def timed(session, message: str) -> dict:
        start = time.perf_counter()
        marks: dict[str, float] = {}
        planner, cards, sources = None, 0, []
        for event in assistant.stream(session, message):
            now = time.perf_counter() - start
            if isinstance(event, PlanEvent):
                planner = event.planner  # the last plan: the model's, when it planned
                marks["plan_s"] = now
            elif isinstance(event, PicksEvent):
                marks.setdefault("first_card_s", now)
                marks["final_cards_s"] = (
                    now  # the turn's own cards (after a preview's, when the model planned)
                )
                cards, sources = len(event.items), []
            elif isinstance(event, TokenEvent):
                marks.setdefault("first_token_s", now)
            elif isinstance(event, ExplanationEvent):
                sources.append(event.source)  # of the cards shown last
            elif isinstance(event, DoneEvent):
                marks["done_s"] = now
        row = {
            "message": message,
            "planner": planner,
            "cards": cards,
            "sources": sources,
            **{k: round(v, 3) for k, v in marks.items()},
        }
        print(row, file=sys.stderr, flush=True)
        return row

    turns = []
    for script in load_conversations():
        session = assistant.new_session(None)
        for turn in script["turns"]:
            if len(turns) < args.turns:
                turns.append(timed(session, turn["say"]))
    turns += [
        timed(assistant.new_session(None), message) for message in FREE_FORM[: args.free_form]
    ]
    full = [t for t in turns if t["cards"] == 5]
    result = {
        "model": args.model,
        "dataset": args.dataset,
        "threads": args.threads,
        "cpu_cores": os.cpu_count(),
        "parallel": args.parallel,
        "slots": args.slots or args.parallel,
        "warm_s": round(warm_s, 2),
        "explanations": {
            k: sum(t["sources"].count(k) for t in turns) for k in ("model", "retry", "template")
        },
        "turns": len(turns),
        "llm_planned": sum(t["planner"] == "llm" for t in turns),
        "first_card_s": percentiles([t["first_card_s"] for t in turns if "first_card_s" in t]),
        "first_token_s": percentiles([t["first_token_s"] for t in turns if "first_token_s" in t]),
        "done_s": percentiles([t["done_s"] for t in turns if "done_s" in t]),
        "done_with_5_explanations_s": percentiles([t["done_s"] for t in full]),
        "llm_planned_turns": {
            key: percentiles([t[key] for t in turns if t["planner"] == "llm" and key in t])
            for key in ("first_card_s", "first_token_s", "plan_s", "final_cards_s", "done_s")
        },
        "per_turn": turns,
        "command": " ".join(["python", *sys.argv]),
    }
    RESULTS.mkdir(exist_ok=True)
    (args.out or RESULTS / f"turn-latency-{args.model}.json").write_text(
        json.dumps(result, indent=1) + "\n"
    )
    print(json.dumps({k: v for k, v in result.items() if k != "per_turn"}, indent=1))


if __name__ == "__main__":
    main()
