"""Release once, answer many: a 200-question marketer session on ML-1M under a monthly epsilon, and
the accuracy table (95 % interval width of an affinity index at segment sizes 100, 1,000 and
10,000) of the releases against the old per-question noise at the same total epsilon.

    PYTHONPATH=. python benchmarks/marketer_releases.py  # needs `recassist data fetch ml-1m`

The accuracy table is computed from the interval formula the answers use (`affinity_interval`),
for an interest held by 20 % of the segment and 15 % of a base of 6,040 people (ML-1M's
everyone), with the noise each design puts on the counts and the sizes. Writes
benchmarks/results/marketer-releases.json."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONTHLY_EPSILON = 10.0
ATTRIBUTES = 3  # ML-1M's segment attributes: gender, age band, occupation
QUESTIONS = [
    "what do women 25–34 like compared to everyone?",
    "what do women 25-34 like compared to everybody?",
    "who likes Star Wars?",
    "how many programmers are there?",
    "how did interest in horror change this year?",
    "what do men like compared to women?",
    "who would respond to a sci-fi campaign?",
    "what do students like?",
    "what do people over 50 like?",
    "what do women like?",
    "what do men 18-24 like?",
    "who likes Fargo?",
    "how many women are there?",
    "how did interest in comedy change?",
    "who likes westerns?",
    "what do executives like?",
    "what do people under 18 like?",
    "who likes Toy Story?",
    "what do artists like compared to everyone?",
    "how many people are 56 or older?",
]


def accuracy(
    interests_per_user: int = 3, epsilon_total: float = 6.0, questions: int = 200
) -> list[dict]:
    """Interval widths: releases (epsilon 1 each; the segment summed over its cells, or, for one
    attribute's value, its row of the rows release, the base everyone's row) against per-question
    releases that split the same total epsilon over `questions` questions (two tables each)."""
    from recassist.audiences.intervals import affinity_interval

    sensitivity = 1 + interests_per_user
    row_sensitivity = (1 + ATTRIBUTES) * sensitivity  # a person is in 1 + attributes rows
    base = 6040
    rows = []
    for size in (100, 1_000, 10_000):
        base_size = max(base, size * 4)
        cells = 21 if size <= 1_000 else 147  # a gender x an age band, or one gender
        release_scale = sensitivity / 1.0
        seg_var, base_var = cells * 2 * release_scale**2, 294 * 2 * release_scale**2
        row_var = 2 * (row_sensitivity / 1.0) ** 2
        per_question_scale = sensitivity / (epsilon_total / (2 * questions))
        pq_var = 2 * per_question_scale**2
        widths = {}
        for name, (sv, bv) in {
            "releases": (seg_var, base_var),
            "row": (row_var, row_var),
            "per_question": (pq_var, pq_var),
        }.items():
            counts = (0.20 * size, size, 0.15 * base_size, base_size)
            _, low, high = affinity_interval(*counts, sv, bv, sizes_var=(sv, bv))
            widths[name] = round(high - low, 1) if high - low < 1e5 else "over 100,000"
        rows.append(
            {
                "segment_size": size,
                "index": round(100 * 0.20 / 0.15),
                "width_releases": widths["releases"],
                "width_one_attribute_row": widths["row"],
                "width_per_question": widths["per_question"],
                "cells_summed": cells,
            }
        )
    return rows


def session(settings, n: int = 200) -> dict:
    from sqlalchemy import create_engine

    from recassist.audiences.population import build_population
    from recassist.audiences.privacy import PrivacyGuard
    from recassist.audiences.questions import MarketerAssistant
    from recassist.audiences.service import Audiences
    from recassist.data.store import DatasetStore
    from recassist.errors import PrivacyRefusal, QueryError
    from recassist.retrieval.catalogue import Catalogue
    from recassist.settings import AudienceConfig

    config = AudienceConfig(epsilon_budget=MONTHLY_EPSILON)
    data = DatasetStore(settings.data_dir).load("ml-1m")
    population = build_population(data, config)
    with tempfile.TemporaryDirectory() as folder:
        guard = PrivacyGuard(config, create_engine(f"sqlite:///{folder}/state.sqlite"))
        assistant = MarketerAssistant(
            Audiences(population, guard, config), find_title=Catalogue(data, store=None).find_title
        )
        seen: dict[str, str] = {}
        answered = refused = dry = differing = 0
        start = time.perf_counter()
        for i in range(n):
            question = QUESTIONS[i % len(QUESTIONS)]
            try:
                text = assistant.answer(question, "team").model_dump_json(
                    include={"table": {"rows", "segment", "notes"}, "summary": True}
                )
                answered += 1
            except PrivacyRefusal as err:
                dry += "budget" in str(err)
                refused += 1
                text = str(err)
            except QueryError as err:
                refused += 1
                text = str(err)
            differing += question in seen and seen[question] != text
            seen.setdefault(question, text)
        seconds = time.perf_counter() - start
        spent = guard.spent("team")
    return {
        "questions": n,
        "answered": answered,
        "refused_plainly": refused,
        "refused_for_budget": dry,
        "repeats_that_differed": differing,
        "epsilon_spent": spent,
        "monthly_epsilon": MONTHLY_EPSILON,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from recassist.settings import Settings

    settings = Settings(data_dir=Path(os.environ.get("RECASSIST_DATA_DIR", ROOT / ".recassist")))
    result = {
        "load": f"loadavg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared)",
        "accuracy": accuracy(),
        "session": session(settings),
    }
    out = ROOT / "benchmarks" / "results" / "marketer-releases.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
