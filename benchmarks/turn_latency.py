"""Time to the first token of an explanation inside a chat turn, right after the turn's plan request.

A turn first sends the plan prompt, then one explanation prompt per pick; llama.cpp keeps the evicted
prompt's state in RAM (`cache_ram_mib`) and restores it, so the explanation's fixed part need not be
processed again. Five scripted turns, each: one plan request, then two explanations (catalogue items from a
fixed list). Writes `benchmarks/results/turn-latency-<model>.json`.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/turn_latency.py --model qwen2.5-coder-1.5b-instruct --threads 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ITEMS = [
    ("Alien (1979)", ("Horror", "Sci-Fi")), ("Aliens (1986)", ("Action", "Sci-Fi")), ("Heat (1995)", ("Crime", "Thriller")),
    ("Fargo (1996)", ("Crime", "Drama")), ("Babe (1995)", ("Children's", "Comedy")), ("Clueless (1995)", ("Comedy", "Romance")),
    ("Twister (1996)", ("Action", "Thriller")), ("Casino (1995)", ("Crime", "Drama")),
]
MESSAGES = ["something like Alien but funnier", "not horror please", "why the second one?", "more like Fargo",
            "a romantic comedy from the 90s"]


def main() -> None:
    from assistant.evidence import Reason
    from retrieval.catalogue import Item
    from assistant.explain import Explainer
    from assistant.faithfulness import FaithfulnessChecker
    from assistant.llm import chat_model
    from assistant.prompts import load_prompt
    from recassist.settings import LLMConfig, Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    model = chat_model(LLMConfig(model=args.model, threads=args.threads), Settings().data_dir)
    items = [Item(str(i), title, tags) for i, (title, tags) in enumerate(ITEMS)]
    explainer = Explainer(model, FaithfulnessChecker([i.title for i in items], {t for i in items for t in i.tags}))
    plan = load_prompt("plan")
    explainer.explain(items[0], [Reason("history_item", items[1].title, items[1])])  # warm-up
    turns = []
    for k, message in enumerate(MESSAGES):
        start = time.perf_counter()
        model.invoke(plan.format_messages(tags="Action, Comedy, Horror, Sci-Fi, Drama, Crime", shown="1. Heat (1995)",
                                          message=message), max_tokens=40, temperature=0.0)
        plan_s = time.perf_counter() - start
        a, b = items[(k + 2) % len(items)], items[(k + 3) % len(items)]
        first = explainer.explain(a, [Reason("history_item", b.title, b)])
        second = explainer.explain(b, [Reason("history_item", a.title, a)])
        turns.append({"plan_s": plan_s, "first_explanation_ttft_s": first.first_token_s,
                      "second_explanation_ttft_s": second.first_token_s})
        print(turns[-1], file=sys.stderr, flush=True)
    result = {"model": args.model, "threads": args.threads, "turns": turns, "command": " ".join(["python", *sys.argv])}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"turn-latency-{args.model}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
