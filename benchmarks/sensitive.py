"""Refusal rate of the sensitive-category check (recassist/trust/sensitive.py) on sensitive phrases,
and its false-refusal rate on ordinary marketing phrases (benchmarks/data/sensitive_phrases.json),
by the word lists alone and with the meaning test at several thresholds.

    .venv/bin/python benchmarks/sensitive.py   # -> benchmarks/results/sensitive.json
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from recassist.retrieval.embedding import Embedder  # noqa: E402
from recassist.trust.sensitive import DEFAULT_THRESHOLD, SensitiveCheck  # noqa: E402

HERE = Path(__file__).parent
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7)


def rates(check: SensitiveCheck, phrases: dict[str, list[str]]) -> dict:
    """Share refused of each set, and the phrases on the wrong side."""
    sensitive, ordinary = phrases["sensitive"], phrases["ordinary"]
    missed = [p for p, f in zip(sensitive, check.check_many(sensitive)) if f is None]
    false = [p for p, f in zip(ordinary, check.check_many(ordinary)) if f is not None]
    return {
        "refusal_rate": round(1 - len(missed) / len(phrases["sensitive"]), 3),
        "false_refusal_rate": round(len(false) / len(phrases["ordinary"]), 3),
        "missed": missed,
        "false_refusals": false,
    }


def main() -> None:
    phrases = json.loads((HERE / "data" / "sensitive_phrases.json").read_text())
    embedder = Embedder()
    runs = {"words only": rates(SensitiveCheck(), phrases)}
    for threshold in THRESHOLDS:
        runs[f"words + meaning >= {threshold}"] = rates(
            SensitiveCheck(embedder, threshold), phrases
        )
    check = SensitiveCheck(embedder)
    check.check("warm-up")
    texts = phrases["sensitive"] + phrases["ordinary"]
    started = time.perf_counter()
    for text in texts:
        check.check(text)
    per_check_ms = (time.perf_counter() - started) * 1000 / len(texts)
    result = {
        "phrases": {k: len(v) for k, v in phrases.items()},
        "default_threshold": DEFAULT_THRESHOLD,
        "runs": runs,
        "ms_per_check_default": round(per_check_ms, 2),  # one text at a time, words and meaning
        "load": os.getloadavg()[0],
    }
    out = HERE / "results" / "sensitive.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for name, run in runs.items():
        print(f"{name:28} refused {run['refusal_rate']:.1%}  false {run['false_refusal_rate']:.1%}")
    print(
        json.dumps(
            {k: v for k, v in runs.items() if "0.6" in k or "only" in k},
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
