"""Throughput of llama.cpp's parallel slots for the local model: `clients` explanation-sized requests sent at
once, with `llm.parallel` = 1, 2 and 4 (and the context scaled so each slot has `n_ctx`). Reports wall time,
generated tokens per second over all requests, and each request's time to first token and to its end.
Writes `benchmarks/results/parallel-slots-<model>.json`.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/parallel_slots.py --model qwen2.5-coder-1.5b-instruct --threads 2
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
ITEMS = ["Alien (1979)", "Heat (1995)", "Fargo (1996)", "Babe (1995)", "Clueless (1995)", "Twister (1996)",
         "Casino (1995)", "Seven (Se7en) (1995)"]


def main() -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.llm import chat_model
    from recassist.settings import LLMConfig, Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--slots", default="1,2,4")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=40)
    args = parser.parse_args()

    rows = []
    for slots in (int(s) for s in args.slots.split(",")):
        model = chat_model(LLMConfig(model=args.model, threads=args.threads, parallel=slots), Settings().data_dir)
        system = SystemMessage("In one sentence, say why the user may like the film, citing the film they liked.")
        model.invoke([system, HumanMessage("Film: Babe (1995). They liked: Toy Story (1995).")], max_tokens=8)  # load
        timings: list[dict] = []
        lock = threading.Lock()

        def client(index: int) -> None:
            a, b = ITEMS[index % len(ITEMS)], ITEMS[(index + 3) % len(ITEMS)]
            start, first, tokens = time.perf_counter(), None, 0
            for chunk in model.stream([system, HumanMessage(f"Film: {a}. They liked: {b}.")],
                                      max_tokens=args.max_tokens, temperature=0.2):
                if chunk.content:
                    first = first or time.perf_counter() - start
                    tokens += 1
            with lock:
                timings.append({"first_token_s": first, "end_s": time.perf_counter() - start, "tokens": tokens})

        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        tokens = sum(t["tokens"] for t in timings)
        rows.append({
            "slots": slots, "clients": args.clients, "wall_s": round(wall, 2), "tokens": tokens,
            "tokens_per_s": round(tokens / wall, 1),
            "first_token_p50_s": round(float(np.median([t["first_token_s"] or wall for t in timings])), 2),
            "first_token_max_s": round(float(max(t["first_token_s"] or wall for t in timings)), 2),
            "end_p50_s": round(float(np.median([t["end_s"] for t in timings])), 2),
        })
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        model.close()
    result = {"model": args.model, "threads": args.threads, "rows": rows, "command": " ".join(["python", *sys.argv])}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"parallel-slots-{args.model}.json").write_text(json.dumps(result, indent=1) + "\n")
    print("| slots | clients at once | wall s | tokens/s (all) | first token p50 s | first token max s | end p50 s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['slots']} | {r['clients']} | {r['wall_s']} | {r['tokens_per_s']} | {r['first_token_p50_s']} | "
              f"{r['first_token_max_s']} | {r['end_p50_s']} |")


if __name__ == "__main__":
    main()
