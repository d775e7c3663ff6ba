"""Marketer audiences: sentiment AUC and time per review, lookalike held-out recall against random,
affinity query latency on ML-1M without the LLM, and marketer questions answered end to end.

Needs `recassist data fetch ml-1m`, `recassist data fetch clothing-reviews` and `recassist index
build --dataset ml-1m` in the data directory. Each part writes its own key of
`benchmarks/results/marketer.json` (parts not run keep their previous result). The ledger is a
temporary file with a large budget, so the numbers are not limited by the budget.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/marketer.py --part sentiment --llm-reviews 60 --threads 2
    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/marketer.py --part lookalike
    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/marketer.py --part affinity --queries 300
    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/marketer.py --part questions --threads 2 --llm-questions 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "marketer.json"
QUESTIONS = [
    "what do women 25–34 like compared to everyone?",
    "who would respond to a sci-fi campaign?",
    "how did interest in horror change this year?",
    "what do students like compared to men?",
    "how many men over 50 are into westerns?",
    "what do older viewers like?",
]


def _audiences(settings, dataset: str, folder: Path, with_index: bool = True):
    from recassist.audiences.population import build_population
    from recassist.audiences.privacy import PrivacyGuard
    from recassist.audiences.service import Audiences
    from recassist.data.store import DatasetStore
    from recassist.settings import AudienceConfig

    config = AudienceConfig(epsilon_budget=1e9)
    data = DatasetStore(settings.data_dir).load(dataset)
    population = build_population(
        data, config, settings.data_dir / "index" / dataset if with_index else None
    )
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{folder / f'{dataset}.sqlite'}")
    return Audiences(population, PrivacyGuard(config, engine), config)


def _auc_ci(
    labels: np.ndarray, scores: np.ndarray, draws: int = 1000
) -> tuple[float, float, float]:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    values = []
    for _ in range(draws):
        pick = rng.integers(0, len(labels), len(labels))
        if labels[pick].min() != labels[pick].max():
            values.append(roc_auc_score(labels[pick], scores[pick]))
    return (
        float(roc_auc_score(labels, scores)),
        float(np.percentile(values, 2.5)),
        float(np.percentile(values, 97.5)),
    )


def sentiment(settings, folder: Path, llm_reviews: int, model) -> dict:
    from recassist.audiences.sentiment import (
        LLMSentiment,
        TextSentiment,
        held_out,
        labels_from_stars,
    )

    audiences = _audiences(settings, "clothing-reviews", folder, with_index=False)
    frame = audiences.population.interactions
    text = frame["text"].fillna("").astype(str).to_numpy()
    labels = labels_from_stars(frame["weight"].to_numpy())
    test = held_out(audiences.population.user_ids[frame["user_row"]].astype(str))
    usable = (labels >= 0) & (np.char.str_len(text.astype(str)) > 0)
    train, evaluate = usable & ~test, usable & test
    start = time.perf_counter()
    classifier = TextSentiment().fit(list(text[train]), labels[train])
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = classifier.score(list(text[evaluate]))
    per_review = (time.perf_counter() - start) / evaluate.sum()
    auc, low, high = _auc_ci(labels[evaluate], scores)
    out = {
        "data": "clothing-reviews (4-5 stars positive, 1-2 negative, 3 left out; 20 % held out by reviewer hash)",
        "classifier": {
            "train_reviews": int(train.sum()),
            "test_reviews": int(evaluate.sum()),
            "train_s": round(train_s, 2),
            "auc": round(auc, 4),
            "auc_ci95": [round(low, 4), round(high, 4)],
            "ms_per_review": round(1000 * per_review, 3),
        },
    }
    if model is not None and llm_reviews:
        rng = np.random.default_rng(0)
        rows = np.flatnonzero(evaluate)
        positives, negatives = rows[labels[rows] == 1], rows[labels[rows] == 0]
        half = llm_reviews // 2
        sample = np.concatenate(
            [
                rng.choice(positives, half, replace=False),
                rng.choice(negatives, llm_reviews - half, replace=False),
            ]
        )
        scorer = LLMSentiment(model)
        scorer.score_one(text[sample[0]])  # load the model and warm the prompt cache
        start = time.perf_counter()
        llm_scores = scorer.score(list(text[sample]))
        llm_per_review = (time.perf_counter() - start) / len(sample)
        auc, low, high = _auc_ci(labels[sample], llm_scores)
        same = classifier.score(list(text[sample]))
        c_auc, c_low, c_high = _auc_ci(labels[sample], same)
        out["llm"] = {
            "model": model.path.name,
            "reviews": len(sample),
            "balanced": True,
            "auc": round(auc, 4),
            "auc_ci95": [round(low, 4), round(high, 4)],
            "s_per_review": round(llm_per_review, 3),
            "classifier_auc_same_reviews": round(c_auc, 4),
            "classifier_auc_same_reviews_ci95": [round(c_low, 4), round(c_high, 4)],
        }
    return out


def lookalike(settings, folder: Path) -> dict:
    from recassist.audiences.lookalike import held_out_recall
    from recassist.audiences.segments import And, Attribute, Tag

    audiences = _audiences(settings, "ml-1m", folder)
    seeds = {
        "occupation college/grad student": Attribute(
            field="occupation_name", values=["college/grad student"]
        ),
        "women 25-34": And(
            parts=[Attribute(field="gender", values=["F"]), Attribute(field="age", min=25, max=34)]
        ),
        "age 56+": Attribute(field="age", min=56),
        "interest Horror": Tag(tag="Horror"),
        "interest Children's": Tag(tag="Children's"),
    }
    rows = []
    for name, segment in seeds.items():
        mask = audiences.segments.mask(segment)
        row: dict = {"seed": name}
        for method in ("classifier", "centroid", "raw-centroid"):
            start = time.perf_counter()
            recalls = [
                held_out_recall(audiences.population, mask, share=0.05, seed_value=s, method=method)
                for s in range(5)
            ]
            row.update(
                {
                    "seeds": recalls[0].seeds,
                    "hidden": recalls[0].hidden,
                    "lookalike_size": recalls[0].lookalike_size,
                    f"recall_{method}": round(float(np.mean([r.recall for r in recalls])), 4),
                    f"s_{method}": round((time.perf_counter() - start) / len(recalls), 2),
                }
            )
        row["random_recall"] = round(float(np.mean([r.random_recall for r in recalls])), 4)
        rows.append(row)
        print(rows[-1], file=sys.stderr, flush=True)
    return {
        "data": "ml-1m, profile vectors of `recassist index build`",
        "hidden_share": 0.2,
        "lookalike_share": 0.05,
        "repeats": 5,
        "rows": rows,
    }


def affinity(settings, folder: Path, queries: int) -> dict:
    from recassist.audiences.segments import And, Attribute
    from recassist.errors import SegmentTooSmallError

    audiences = _audiences(settings, "ml-1m", folder, with_index=False)
    attributes = audiences.population.attributes
    genders = sorted(attributes["gender"].unique())
    bands = sorted(attributes["age_band"].unique())
    jobs = sorted(attributes["occupation_name"].unique())
    combos = [
        And(parts=[Attribute(field="gender", values=[g]), Attribute(field="age_band", values=[b])])
        for g, b in itertools.product(genders, bands)
    ]
    combos += [Attribute(field="occupation_name", values=[j]) for j in jobs]
    combos += [
        And(
            parts=[
                Attribute(field="gender", values=[g]),
                Attribute(field="occupation_name", values=[j]),
            ]
        )
        for g, j in itertools.product(genders, jobs)
    ]
    combos += [
        And(
            parts=[
                Attribute(field="age_band", values=[b]),
                Attribute(field="occupation_name", values=[j]),
            ]
        )
        for b, j in itertools.product(bands, jobs)
    ]
    audiences.size("warm-up", combos[0])  # OpenDP's import and first use are not a query's cost
    times: dict[str, list[float]] = {}
    refused = 0
    for i, segment in enumerate(combos[:queries]):
        by = "tag" if i % 2 else "item"
        for kind in ("fresh", "repeat"):
            start = time.perf_counter()
            try:
                audiences.affinity("bench", segment, by=by)
                outcome = "answered"
            except SegmentTooSmallError:
                refused += kind == "fresh"
                outcome = "refused"
            seconds = time.perf_counter() - start
            for key in (kind, f"{kind} by {by}", f"{kind} {outcome}"):
                times.setdefault(key, []).append(seconds)
    pct = lambda xs, q: round(1000 * float(np.percentile(xs, q)), 2)  # noqa: E731
    return {
        "data": "ml-1m (6,040 users, 1,000,209 ratings)",
        "queries": len(times["fresh"]),
        "segments": "gender x age band, occupation, gender x occupation, age band x occupation; by tag and by item alternately",
        "refused_under_minimum": refused,
        "ms": {
            key: {"n": len(xs), "p50": pct(xs, 50), "p95": pct(xs, 95), "max": pct(xs, 100)}
            for key, xs in sorted(times.items())
        },
    }


def questions(settings, folder: Path, model, llm_questions: int) -> dict:
    from recassist.audiences.questions import MarketerAssistant, check_summary
    from recassist.errors import PrivacyRefusal, QueryError
    from recassist.settings import AudienceConfig

    audiences = _audiences(settings, "ml-1m", folder)
    rows = []
    for mode in ("parser", "parser + LLM summary", "LLM plan + LLM summary"):
        if mode != "parser" and model is None:
            continue
        config = AudienceConfig(
            llm_questions=mode.startswith("LLM plan"), llm_summaries=mode != "parser"
        )
        assistant = MarketerAssistant(audiences, model if mode != "parser" else None, config)
        for question in QUESTIONS if mode == "parser" else QUESTIONS[:llm_questions]:
            start = time.perf_counter()
            try:
                answer = assistant.answer(question, f"bench-{mode}")
            except (PrivacyRefusal, QueryError) as err:  # e.g. a plan the data cannot answer
                rows.append(
                    {
                        "mode": mode,
                        "question": question,
                        "s": round(time.perf_counter() - start, 2),
                        "error": str(err),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
                continue
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "mode": mode,
                    "question": question,
                    "s": round(seconds, 2),
                    "planned_by": answer.planned_by,
                    "query": answer.query.model_dump(exclude_defaults=True),
                    "rows": len(answer.table.rows),
                    "summary_source": answer.summary_source,
                    "summary": answer.summary,
                    "summary_check": check_summary(
                        answer.summary, answer.table, answer.question, audiences.population.tags
                    ),
                }
            )
            print(rows[-1], file=sys.stderr, flush=True)
    return {"data": "ml-1m", "model": None if model is None else model.path.name, "rows": rows}


def main() -> None:
    from recassist.llm.backend import chat_model
    from recassist.settings import LLMConfig, Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=["sentiment", "lookalike", "affinity", "questions"], required=True
    )
    parser.add_argument(
        "--model", default="qwen2.5-coder-0.5b-instruct", help="'none' to skip the LLM"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--llm-reviews", type=int, default=60)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--llm-questions", type=int, default=3, help="questions asked in the LLM modes"
    )
    args = parser.parse_args()

    settings = Settings()
    model = None
    if args.model != "none" and args.part in ("sentiment", "questions"):
        model = chat_model(
            LLMConfig(
                model=args.model, threads=args.threads, temperature=0.0, n_ctx=2048, max_tokens=90
            ),
            settings.data_dir,
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.part == "sentiment":
            result = sentiment(settings, folder, args.llm_reviews, model)
        elif args.part == "lookalike":
            result = lookalike(settings, folder)
        elif args.part == "affinity":
            result = affinity(settings, folder, args.queries)
        else:
            result = questions(settings, folder, model, args.llm_questions)
    result["command"] = " ".join(["python", *sys.argv])
    result["note"] = "measured under shared load (2 cores shared by about 6 developers)"
    result["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    everything = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    everything[args.part] = result
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(everything, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
