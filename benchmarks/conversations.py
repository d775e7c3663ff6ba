"""Constraint satisfaction per turn over the scripted conversations
(`recassist/evaluation/data/conversations.json`), and the share of the message corpus
(`recassist/evaluation/data/messages.txt`) answered, on a full data set.

Planned two ways: by the deterministic parser alone, and with the local LLM planning what the parser
cannot read (explanations are templates: this measures the plan, the constraints and the picks).
Writes `benchmarks/results/conversations-<dataset>.json` and prints a Markdown table.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/conversations.py --dataset ml-100k \
        --model qwen2.5-coder-1.5b-instruct --threads 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    from recassist.assistant.agent import Assistant
    from recassist.assistant.events import DoneEvent
    from recassist.evaluation.conversations import load_conversations, run_conversation
    from recassist.settings import LLMConfig, Settings
    from recassist.surfaces.context import build_context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()

    base = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    settings = base.model_copy(update={"llm": LLMConfig(model=args.model, threads=args.threads)})
    ctx = build_context(settings, args.dataset, progress=lambda line: print(line, file=sys.stderr))
    messages = (
        resources.files("recassist.evaluation")
        .joinpath("data/messages.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    rows = []
    for planner in ("parser", "llm"):
        config = settings.agent.model_copy(
            update={"llm_planner": planner == "llm", "explain_with_llm": False}
        )
        assistant = Assistant(ctx.catalogue, ctx.assistant.serving, ctx.assistant.model, config)
        start = time.perf_counter()
        checks = [c for script in load_conversations() for c in run_conversation(assistant, script)]
        failed = [
            {
                "conversation": c.conversation,
                "turn": c.turn,
                "message": c.message,
                "problems": c.problems,
            }
            for c in checks
            if not c.satisfied
        ]
        answered, llm_planned = 0, 0
        for begin in range(0, len(messages), 8):
            session = assistant.new_session(None)
            for message in messages[begin : begin + 8]:
                last = list(assistant.stream(session, message))[-1]
                answered += isinstance(last, DoneEvent)
                llm_planned += isinstance(last, DoneEvent) and last.planner == "llm"
        rows.append(
            {
                "planner": planner,
                "conversations": len(load_conversations()),
                "turns": len(checks),
                "turns_satisfied": len(checks) - len(failed),
                "satisfaction": round((len(checks) - len(failed)) / len(checks), 4),
                "corpus_messages": len(messages),
                "corpus_answered": answered,
                "corpus_llm_planned": llm_planned,
                "seconds": round(time.perf_counter() - start, 1),
                "failed_turns": failed,
            }
        )
        print(
            json.dumps({k: v for k, v in rows[-1].items() if k != "failed_turns"}), file=sys.stderr
        )
    result = {
        "dataset": args.dataset,
        "model": args.model,
        "rows": rows,
        "command": " ".join(["python", *sys.argv]),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"conversations-{args.dataset}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(
        "| planner | conversations | turns | constraints kept on every turn | corpus answered | corpus planned by the LLM |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['planner']} | {r['conversations']} | {r['turns']} | {r['turns_satisfied']}/{r['turns']} "
            f"({100 * r['satisfaction']:.0f} %) | {r['corpus_answered']}/{r['corpus_messages']} | {r['corpus_llm_planned']} |"
        )


if __name__ == "__main__":
    main()
