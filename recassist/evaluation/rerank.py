"""Fusion vs fusion + LLM rerank, measured under the leave-last-out protocol of
`evaluation.protocol`.

1. Split leave-last-out; fit the fusion (the generators, configs and weights of a `recassist eval`
   report) on train.
2. For a fixed sample of validation users, score each user's top-`candidates` fusion list with the
   LLM (one verbalizer pass, or one Yes/No request per candidate) and choose the blend weight, and
   whether the LLM scores are first debiased by the model's position prior (`letter_prior`,
   estimated on these users), that maximise NDCG@10 on validation (the grid is evaluated on stored
   scores: no extra model calls).
3. Refit the fusion on train + validation; for a fixed sample of test users, report NDCG@10 of the
   fusion, of fusion + rerank as chosen, and of the LLM order alone (as given and debiased), the
   paired difference with a bootstrap 95 % interval, and the LLM seconds per user. Every user's
   scores are kept in the result.

Only the order of the first `candidates` items changes, so a target outside them scores the same
either way. `recassist eval --rerank` calls `evaluate_rerank` and prints `markdown_rows`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from recassist.assistant.rerank import Candidate, Reranker, blend
from recassist.data.store import Dataset
from recassist.llm.backend import LLM_ERRORS
from recassist.retrieval.fusion import Fusion, FusionConfig
from recassist.retrieval.generators import GENERATORS
from recassist.retrieval.interactions import Interactions, Split, Targets
from recassist.retrieval.metrics import NOT_FOUND, ndcg_at

log = logging.getLogger(__name__)

WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))


@dataclass(frozen=True)
class Scored:
    """One user's candidate list: fusion scores, LLM scores (None if the LLM failed), the target's
    position in the list (NOT_FOUND if absent) and the LLM seconds."""

    fusion: np.ndarray
    llm: np.ndarray | None
    target: int
    llm_s: float


def catalogue_of(dataset: Dataset, data: Interactions) -> dict[int, tuple[str, str]]:
    """Item row -> (title, tags as "A, B"), what the reranker's prompt shows of each item."""
    items = dataset.items.set_index("item_id")
    return {
        row: (
            str(items.at[item_id, "title"]),
            str(items.at[item_id, "tags"] or "").replace("|", ", "),
        )
        for row, item_id in enumerate(data.items.ids(range(data.n_items)))
        if item_id in items.index
    }


def fusion_from_report(rows: list[dict], train: Interactions) -> Fusion:
    """The report's generators (those buildable from a config alone), configs and weights, fitted on
    `train`."""
    configs = {row["name"]: row["config"] for row in rows}
    names = [name for name in configs if name in GENERATORS]
    generators = {
        name: GENERATORS[name](GENERATORS[name].config_type(**configs[name])).fit(train)
        for name in names
    }
    fusion = configs.get("fusion", {})
    weights = {k: v for k, v in fusion.get("weights", {}).items() if k in generators}
    return Fusion(generators, FusionConfig(**{**fusion, "weights": weights}))


def score_users(
    fusion: Fusion,
    data: Interactions,
    targets: Targets,
    reranker: Reranker,
    catalogue: Mapping[int, tuple[str, str]],
    *,
    candidates: int,
    progress: Callable[[str], None] = log.info,
) -> list[Scored]:
    """LLM scores of each target user's top-`candidates` fusion list; `catalogue` maps item rows to
    (title, tags)."""
    recs = fusion.recommend(targets.users, candidates)
    scored = []
    for i, (user, target) in enumerate(zip(targets.users, targets.items)):
        valid = recs.items[i] >= 0
        rows, scores = recs.items[i][valid], recs.scores[i][valid]
        history = [
            catalogue[r][0] for r in data.sequence(int(user))[::-1][: reranker.config.max_history]
        ]
        shown = [
            Candidate(str(r), catalogue[r][0], float(s), catalogue[r][1])
            for r, s in zip(rows, scores)
        ]
        start = time.perf_counter()
        try:
            llm = reranker.llm_scores(history, shown) if len(shown) > 1 else None
        except LLM_ERRORS as err:
            log.warning("user %s: LLM failed (%s); scored as fusion order", user, err)
            llm = None
        seconds = time.perf_counter() - start
        hits = np.flatnonzero(rows == target)
        scored.append(
            Scored(
                scores.astype(np.float64), llm, int(hits[0]) if len(hits) else NOT_FOUND, seconds
            )
        )
        if (i + 1) % 25 == 0:
            progress(f"  {i + 1}/{len(targets.users)} users, {seconds:.2f}s for the last")
    return scored


def letter_prior(scored: list[Scored]) -> np.ndarray:
    """The mean log-score of each list position over users: what the model gives a letter whatever
    the candidate there (its position bias: the 0.5B model puts most of its probability on the first
    letters)."""
    width = max((len(s.llm) for s in scored if s.llm is not None), default=0)
    sums, counts = np.zeros(width), np.zeros(width)
    for s in scored:
        if s.llm is not None:
            sums[: len(s.llm)] += np.log(np.maximum(s.llm, 1e-12))
            counts[: len(s.llm)] += 1
    return sums / np.maximum(counts, 1)


def _llm_view(llm: np.ndarray | None, prior: np.ndarray | None) -> np.ndarray | None:
    """The LLM scores as the blend uses them: as given, or as log-scores minus the position prior."""
    if llm is None or prior is None:
        return llm
    return np.log(np.maximum(llm, 1e-12)) - prior[: len(llm)]


def ndcg_per_user(
    scored: list[Scored], weight: float | None, prior: np.ndarray | None = None
) -> np.ndarray:
    """NDCG@10 per user: fusion order (`weight` None or 0), blend, or LLM alone (`weight` 1); with
    `prior`, the LLM scores are debiased by it first (`letter_prior`)."""
    gains = []
    for s in scored:
        if s.target == NOT_FOUND:
            gains.append(0.0)
            continue
        llm = None if weight is None else _llm_view(s.llm, prior)
        order = np.argsort(-blend(s.fusion, llm, weight or 0.0), kind="stable")
        rank = int(np.flatnonzero(order == s.target)[0])
        gains.append(ndcg_at(np.array([rank]), 10))
    return np.array(gains)


def bootstrap_ci(diff: np.ndarray, rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(rounds)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def evaluate_rerank(
    data: Interactions,
    report_rows: list[dict],
    reranker: Reranker,
    catalogue: Mapping[int, tuple[str, str]],
    *,
    validation_users: int = 150,
    test_users: int = 300,
    candidates: int = 20,
    seed: int = 0,
    progress: Callable[[str], None] = log.info,
) -> dict:
    """The protocol of the module docstring; a JSON-ready dict."""
    split = Split.for_data(data)
    rng = np.random.default_rng(seed)
    val = _sample(split.validation, validation_users, rng)
    test = _sample(split.test, test_users, rng)
    progress(f"validation: {len(val.users)} users")
    fusion = fusion_from_report(report_rows, split.train)
    val_scored = score_users(
        fusion, split.train, val, reranker, catalogue, candidates=candidates, progress=progress
    )
    prior = letter_prior(val_scored)
    val_ndcg, variant, weight = _choose_blend(val_scored, prior)
    progress(f"validation NDCG@10 by weight {val_ndcg}; chosen {variant} at weight {weight}")
    progress(f"test: {len(test.users)} users")
    fusion = fusion_from_report(report_rows, split.train_validation)
    test_scored = score_users(
        fusion,
        split.train_validation,
        test,
        reranker,
        catalogue,
        candidates=candidates,
        progress=progress,
    )
    return {
        "validation_users": len(val.users),
        "test_users": len(test.users),
        "candidates": candidates,
        "method": reranker.config.method,
        "validation_ndcg10_by_weight": val_ndcg,
        "variant": variant,
        "weight": weight,
        "letter_prior": [round(float(x), 4) for x in prior],
        **_test_results(test_scored, weight, prior if variant == "debiased" else None, prior),
        "users": {
            name: [_stored(s) for s in group]
            for name, group in (("validation", val_scored), ("test", test_scored))
        },
    }


def _sample(targets: Targets, n: int, rng: np.random.Generator) -> Targets:
    """At most `n` of the users, drawn without replacement, in their original order."""
    pick = np.sort(rng.choice(len(targets.users), size=min(n, len(targets.users)), replace=False))
    return Targets(targets.users[pick], targets.items[pick])


def _choose_blend(scored: list[Scored], prior: np.ndarray) -> tuple[dict, str, float]:
    """Validation NDCG@10 per variant and weight, and the chosen (variant, weight).

    Two ways to use the LLM, each with a weight grid: its scores as given, and debiased by the
    position prior estimated on the same validation users (no extra model calls). Ties: the
    smaller LLM weight, then the scores as given."""
    val_ndcg = {
        variant: {w: float(ndcg_per_user(scored, w, p).mean()) for w in WEIGHTS}
        for variant, p in (("raw", None), ("debiased", prior))
    }
    variant, weight = max(
        ((v, w) for v in val_ndcg for w in WEIGHTS),
        key=lambda vw: (val_ndcg[vw[0]][vw[1]], -vw[1], vw[0] == "raw"),
    )
    return val_ndcg, variant, weight


def _test_results(
    scored: list[Scored], weight: float, chosen_prior: np.ndarray | None, prior: np.ndarray
) -> dict:
    """Test NDCG@10 of the fusion, the chosen blend and the LLM alone (as given and debiased), the
    blend's difference with its bootstrap interval, recall of the candidates and the LLM's cost."""
    base, reranked = ndcg_per_user(scored, None), ndcg_per_user(scored, weight, chosen_prior)
    alone, alone_debiased = ndcg_per_user(scored, 1.0), ndcg_per_user(scored, 1.0, prior)
    llm_s = np.array([s.llm_s for s in scored])
    return {
        "test_ndcg10": {
            "fusion": float(base.mean()),
            "fusion+rerank": float(reranked.mean()),
            "llm_alone": float(alone.mean()),
            "llm_alone_debiased": float(alone_debiased.mean()),
        },
        "difference": float((reranked - base).mean()),
        "difference_ci95": bootstrap_ci(reranked - base),
        "target_in_candidates": float(np.mean([s.target != NOT_FOUND for s in scored])),
        "llm_failures": int(sum(s.llm is None for s in scored)),
        "llm_s_per_user": {"mean": float(llm_s.mean()), "p50": float(np.median(llm_s))},
    }


def _stored(s: Scored) -> dict:
    """One user's scores, rounded, so that other blends can be studied later without the model."""
    return {
        "fusion": [round(float(x), 5) for x in s.fusion],
        "target": s.target,
        "llm_s": round(s.llm_s, 3),
        "llm": None if s.llm is None else [round(float(x), 6) for x in s.llm],
    }


def markdown_rows(result: dict) -> str:
    """The comparison as a Markdown table: fusion, fusion + rerank, the LLM order alone, time per
    user."""
    ndcg, seconds = result["test_ndcg10"], result["llm_s_per_user"]["mean"]
    low, high = result["difference_ci95"]
    lines = [
        f"{result['test_users']} test users, the fusion's top {result['candidates']} reranked by "
        f"{result['model']} ({result['method']}); LLM scores {result['variant']}, blend weight "
        f"{result['weight']}, both chosen on {result['validation_users']} validation users",
        "",
        "| order | NDCG@10 | LLM s per user |",
        "|---|---:|---:|",
        f"| fusion | {ndcg['fusion']:.4f} | 0 |",
        f"| fusion + rerank ({result['variant']}, weight {result['weight']}) | {ndcg['fusion+rerank']:.4f} | {seconds:.2f} |",
        f"| LLM order alone | {ndcg['llm_alone']:.4f} | {seconds:.2f} |",
        f"| LLM order alone, position prior removed | {ndcg['llm_alone_debiased']:.4f} | {seconds:.2f} |",
        "",
        f"difference (fusion + rerank - fusion): {result['difference']:+.4f}, 95 % bootstrap CI "
        f"{low:+.4f} to {high:+.4f}; LLM failures: {result['llm_failures']}",
    ]
    return "\n".join(lines)
