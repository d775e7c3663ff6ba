"""A turn's five explanations with llama.cpp's parallel slots: the real explain prompt, checker and
`assistant.explain.explain_stage`, with `llm.parallel` = `agent.explain_parallel` = 1, 2, 3 and 5.

Each setting loads the model, warms its slots (`Explainer.warm`, as the app does at start; timed
apart), then explains `--rounds` turns of five picks each. Every round pairs items with other
evidence, so no request finds its whole prompt in a slot's cache: only the fixed instructions are
reused, as in real turns. Reports, per setting, the wall time of a turn's five explanations (p50 and
max over the rounds), generated tokens per second over all of them, and the time to the first token.
Writes `benchmarks/results/parallel-slots-<model>.json`.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/parallel_slots.py --model qwen2.5-coder-1.5b-instruct --threads 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
# (title, tags, year) of ML-100k films: picks and evidence are drawn from them in rotation
FILMS = [
    ("Alien (1979)", ("Action", "Horror", "Sci-Fi", "Thriller"), 1979),
    ("Heat (1995)", ("Action", "Crime", "Thriller"), 1995),
    ("Fargo (1996)", ("Crime", "Drama", "Thriller"), 1996),
    ("Babe (1995)", ("Children's", "Comedy", "Drama"), 1995),
    ("Clueless (1995)", ("Comedy", "Romance"), 1995),
    ("Twister (1996)", ("Action", "Adventure", "Thriller"), 1996),
    ("Casino (1995)", ("Drama", "Thriller"), 1995),
    ("Toy Story (1995)", ("Animation", "Children's", "Comedy"), 1995),
    ("Sleeper (1973)", ("Comedy", "Sci-Fi"), 1973),
    ("Jerry Maguire (1996)", ("Drama", "Romance"), 1996),
    ("Contact (1997)", ("Drama", "Sci-Fi"), 1997),
]


def main() -> None:
    from recassist.assistant.explain import Explainer, Explanation, explain_stage
    from recassist.grounding.evidence import Reason
    from recassist.grounding.faithfulness import FaithfulnessChecker
    from recassist.llm.backend import chat_model
    from recassist.retrieval.catalogue import Item
    from recassist.settings import LLMConfig, Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--slots", default="1,2,3,5")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    items = [Item(str(i), title, tags, year) for i, (title, tags, year) in enumerate(FILMS)]
    checker = FaithfulnessChecker(
        [i.title for i in items], sorted({t for i in items for t in i.tags})
    )

    def turn(round_: int) -> list[tuple[Item, list[Reason]]]:
        picks = []
        for k in range(5):
            item = items[(round_ * 5 + k) % len(items)]
            liked = items[(round_ * 7 + 2 * k + 1) % len(items)]
            if liked is item:
                liked = items[(items.index(item) + 1) % len(items)]
            picks.append(
                (
                    item,
                    [
                        Reason("history_item", liked.title, liked),
                        Reason("neighbour_user", f"{3 + k} users with tastes like yours"),
                    ],
                )
            )
        return picks

    rows = []
    for slots in (int(s) for s in args.slots.split(",")):
        model = chat_model(
            LLMConfig(model=args.model, threads=args.threads, parallel=slots), Settings().data_dir
        )
        explainer = Explainer(model, checker)
        start = time.perf_counter()
        explainer.warm(slots)
        warm_s = time.perf_counter() - start
        walls, firsts, tokens, sources = [], [], 0, []
        for round_ in range(args.rounds):
            start, first = time.perf_counter(), None
            stage = explain_stage(explainer, turn(round_), slots)
            while True:
                try:
                    next(stage)
                    first = first or time.perf_counter() - start
                except StopIteration as end:
                    explained: list[Explanation] = end.value
                    break
            walls.append(time.perf_counter() - start)
            firsts.append(first or walls[-1])
            tokens += sum(e.tokens for e in explained)
            sources += [e.source for e in explained]
        rows.append(
            {
                "slots": slots,
                "warm_s": round(warm_s, 2),
                "turns": args.rounds,
                "turn_p50_s": round(float(np.median(walls)), 2),
                "turn_max_s": round(max(walls), 2),
                "tokens_per_s": round(tokens / sum(walls), 1),
                "first_event_p50_s": round(float(np.median(firsts)), 2),
                "model_written": sum(s != "template" for s in sources),
                "explanations": len(sources),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        model.close()
    result = {
        "model": args.model,
        "threads": args.threads,
        "rows": rows,
        "command": " ".join(["python", *sys.argv]),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"parallel-slots-{args.model}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(
        "| slots (= explanations at once) | warm-up s | turn of 5 explanations p50 s | max s | tokens/s (all) | first event p50 s | written by the model |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['slots']} | {r['warm_s']} | {r['turn_p50_s']} | {r['turn_max_s']} | {r['tokens_per_s']} | "
            f"{r['first_event_p50_s']} | {r['model_written']}/{r['explanations']} |"
        )


if __name__ == "__main__":
    main()
