"""Parse time of the chat's deterministic reading of a message (`unread` then `parse`, as the
planner calls them) over the 115-message corpus on the ML-100k catalogue: p50 and p95 in
milliseconds.

The catalogue's title index and tag matcher are built once, outside the timing; each message is read
`--repeat` times and its median kept. Writes `benchmarks/results/parse_time.json`.

    PYTHONPATH=. python benchmarks/parse_time.py --dataset ml-100k [--label NAME]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from importlib import resources
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "parse_time.json"


def main() -> None:
    from recassist.assistant.parser import parse, unread
    from recassist.language.tags import TagMatcher
    from recassist.data.schema import TAG_SEPARATOR
    from recassist.data.store import DatasetStore
    from recassist.retrieval.catalogue import TitleIndex
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--label", default="HEAD")
    args = parser.parse_args()

    items = DatasetStore(Settings().data_dir).load(args.dataset).items
    titles = TitleIndex(zip(items["item_id"], items["title"]))
    tags = TagMatcher(sorted({t for row in items["tags"] for t in row.split(TAG_SEPARATOR) if t}))
    corpus = resources.files("recassist.evaluation").joinpath("data/messages.txt")
    messages = [m for m in corpus.read_text(encoding="utf-8").splitlines() if m.strip()]
    times = []
    for message in messages:
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            parse(message, tags, titles.spans, unread(message, tags, titles.spans))
            runs.append((time.perf_counter() - start) * 1000)
        times.append(statistics.median(runs))
    times.sort()
    row = {
        "label": args.label,
        "dataset": args.dataset,
        "messages": len(messages),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if r["label"] != args.label] + [row]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(row))


if __name__ == "__main__":
    main()
