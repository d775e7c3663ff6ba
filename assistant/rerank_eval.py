"""Fusion vs fusion + LLM rerank, measured under issue 3's leave-last-out protocol.

1. Split leave-last-out; fit the fusion (the generators, configs and weights of a `recassist eval` report)
   on train.
2. For a fixed sample of validation users, score each user's top-`candidates` fusion list with the LLM
   (one verbalizer pass, or one Yes/No request per candidate) and choose the blend weight that maximises
   NDCG@10 on validation (the grid is evaluated on stored scores: no extra model calls).
3. Refit the fusion on train + validation; for a fixed sample of test users, report NDCG@10 of the fusion,
   of fusion + rerank at the chosen weight, and of the LLM order alone, the paired difference with a
   bootstrap 95 % interval, and the LLM seconds per user.

Only the order of the first `candidates` items changes, so a target outside them scores the same either way.
`evaluate_rerank` is what `recassist eval --rerank` and `benchmarks/rerank.py` call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from assistant.llm import LLM_ERRORS
from assistant.rerank import Candidate, Reranker, blend
from retrieval.evaluation.metrics import NOT_FOUND, ndcg_at
from retrieval.fusion import Fusion, FusionConfig
from retrieval.generators import GENERATORS
from retrieval.interactions import Interactions, Split, Targets

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


def fusion_from_report(rows: list[dict], train: Interactions) -> Fusion:
    """The report's generators (those buildable from a config alone), configs and weights, fitted on `train`."""
    configs = {row["name"]: row["config"] for row in rows}
    names = [name for name in configs if name in GENERATORS]
    generators = {
        name: GENERATORS[name](GENERATORS[name].config_type(**configs[name])).fit(train) for name in names
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
    """LLM scores of each target user's top-`candidates` fusion list; `catalogue` maps item rows to (title, tags)."""
    recs = fusion.recommend(targets.users, candidates)
    scored = []
    for i, (user, target) in enumerate(zip(targets.users, targets.items)):
        valid = recs.items[i] >= 0
        rows, scores = recs.items[i][valid], recs.scores[i][valid]
        history = [catalogue[r][0] for r in data.sequence(int(user))[::-1][: reranker.config.max_history]]
        shown = [Candidate(str(r), catalogue[r][0], float(s), catalogue[r][1]) for r, s in zip(rows, scores)]
        start = time.perf_counter()
        try:
            llm = reranker.llm_scores(history, shown) if len(shown) > 1 else None
        except LLM_ERRORS as err:
            log.warning("user %s: LLM failed (%s); scored as fusion order", user, err)
            llm = None
        seconds = time.perf_counter() - start
        hits = np.flatnonzero(rows == target)
        scored.append(Scored(scores.astype(np.float64), llm, int(hits[0]) if len(hits) else NOT_FOUND, seconds))
        if (i + 1) % 25 == 0:
            progress(f"  {i + 1}/{len(targets.users)} users, {seconds:.2f}s for the last")
    return scored


def ndcg_per_user(scored: list[Scored], weight: float | None) -> np.ndarray:
    """NDCG@10 per user: fusion order (`weight` None or 0), blend, or LLM alone (`weight` 1)."""
    gains = []
    for s in scored:
        if s.target == NOT_FOUND:
            gains.append(0.0)
            continue
        order = np.argsort(-blend(s.fusion, None if weight is None else s.llm, weight or 0.0), kind="stable")
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
    split = Split.leave_last_out(data)
    rng = np.random.default_rng(seed)

    def sample(targets: Targets, n: int) -> Targets:
        pick = np.sort(rng.choice(len(targets.users), size=min(n, len(targets.users)), replace=False))
        return Targets(targets.users[pick], targets.items[pick])

    val, test = sample(split.validation, validation_users), sample(split.test, test_users)
    progress(f"validation: {len(val.users)} users")
    fusion = fusion_from_report(report_rows, split.train)
    val_scored = score_users(fusion, split.train, val, reranker, catalogue, candidates=candidates, progress=progress)
    val_ndcg = {w: float(ndcg_per_user(val_scored, w).mean()) for w in WEIGHTS}
    weight = max(WEIGHTS, key=lambda w: (val_ndcg[w], -w))  # ties: the smaller LLM weight
    progress(f"validation NDCG@10 by weight {val_ndcg}; chosen {weight}")

    progress(f"test: {len(test.users)} users")
    fusion = fusion_from_report(report_rows, split.train_validation)
    test_scored = score_users(
        fusion, split.train_validation, test, reranker, catalogue, candidates=candidates, progress=progress
    )
    base, reranked, alone = (ndcg_per_user(test_scored, w) for w in (None, weight, 1.0))
    llm_s = np.array([s.llm_s for s in test_scored])
    return {
        "validation_users": len(val.users), "test_users": len(test.users), "candidates": candidates,
        "method": reranker.config.method, "validation_ndcg10_by_weight": val_ndcg, "weight": weight,
        "test_ndcg10": {"fusion": float(base.mean()), "fusion+rerank": float(reranked.mean()),
                        "llm_alone": float(alone.mean())},
        "difference": float((reranked - base).mean()), "difference_ci95": bootstrap_ci(reranked - base),
        "target_in_candidates": float(np.mean([s.target != NOT_FOUND for s in test_scored])),
        "llm_failures": int(sum(s.llm is None for s in test_scored)),
        "llm_s_per_user": {"mean": float(llm_s.mean()), "p50": float(np.median(llm_s))},
    }
