"""Fusion vs fusion + LLM rerank (NDCG@10, LLM seconds per user) on a fixed sample of test users.

The fusion's generators, configs and weights come from `benchmarks/results/eval-<dataset>.json` (written by
`recassist eval --json`); the protocol is `assistant.rerank_eval`. Writes
`benchmarks/results/rerank-<dataset>-<model>.json`.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/rerank.py --dataset ml-100k --model qwen2.5-coder-0.5b-instruct
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    from assistant.llm import chat_model
    from assistant.rerank import Reranker, RerankConfig
    from assistant.rerank_eval import evaluate_rerank
    from recassist.settings import LLMConfig, Settings
    from retrieval.data.store import DatasetStore
    from retrieval.interactions import Interactions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--method", choices=("verbalizer", "pointwise"), default="verbalizer")
    parser.add_argument("--validation-users", type=int, default=150)
    parser.add_argument("--test-users", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=20)
    args = parser.parse_args()

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    data = Interactions.from_dataset(dataset, settings.events)
    items = dataset.items.set_index("item_id")
    catalogue = {
        int(row): (str(items.at[item_id, "title"]), str(items.at[item_id, "tags"] or "").replace("|", ", "))
        for row, item_id in enumerate(data.items.ids(range(data.n_items)))
        if item_id in items.index
    }
    report = json.loads((RESULTS / f"eval-{args.dataset}.json").read_text())["rows"]
    model = chat_model(LLMConfig(model=args.model, threads=args.threads, temperature=0.0), settings.data_dir)
    reranker = Reranker(model, RerankConfig(method=args.method, max_candidates=args.candidates))
    started = time.time()
    result = evaluate_rerank(
        data, report, reranker, catalogue, validation_users=args.validation_users, test_users=args.test_users,
        candidates=args.candidates, progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    result.update({
        "dataset": args.dataset, "model": args.model, "wall_s": time.time() - started,
        "machine": {"cpu_cores": os.cpu_count(), "threads": args.threads, "gpu_used": False,
                    "platform": platform.platform(), "python": sys.version.split()[0]},
        "command": " ".join(["python", *sys.argv]),
    })
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"rerank-{args.dataset}-{args.model}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
