"""The offline evaluation protocol: every generator and the fusion, in one run.

1. Split: leave-last-out when the data is in time order (stable sort by time, ties in file order),
   else one random test and one random validation item per user with a fixed seed
   (`Split.for_data`).
2. For each generator, fit every config of its grid on train and keep the best NDCG@10 on
   validation.
3. Tune the fusion weights on validation with those fitted generators; keep the blend only where it
   beats the best single generator on validation users it was not tuned on, else that generator
   alone.
4. Refit the chosen configs on train + validation, then rank all items (seen excluded) for every
   test user and report Recall@10/20, NDCG@10, MRR@10, coverage@10, fit time and time to score all
   users.
5. With item genres or user groups: every row's popularity bias and fairness (`evaluation.fairness`:
   Gini, average popularity, long-tail share, coverage, calibration KL, NDCG@10 by user group, with
   intervals), and a "fusion+calibration" row: Steck's greedy rerank of the fusion's lists, its
   weight chosen on validation (`evaluation.calibrated`).

Steps 2-3 and the refit are `retrieval.training`'s, the same code the serving model is fitted with.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from recassist.evaluation.calibrated import calibrated, candidates, choose_weight
from recassist.evaluation.fairness import fairness
from recassist.retrieval.calibration import genre_matrix
from recassist.retrieval.fusion import Fusion, FusionConfig
from recassist.retrieval.generators import GeneratorConfig
from recassist.retrieval.interactions import Interactions, Split, Targets
from recassist.retrieval.metrics import all_metrics
from recassist.retrieval.training import Builder, Progress, rank_all, refit, tune_all
from recassist.settings import MemoryConfig

log = logging.getLogger(__name__)


@dataclass
class ResultRow:
    """One line of the table: a generator (or the fusion) with its chosen config and test metrics."""

    name: str
    config: dict
    validation_ndcg10: float
    metrics: dict[str, float]
    fit_s: float
    score_s: float
    form: str = (
        "full"  # "full", or the scalable form the memory budget chose (e.g. EASE on popular items)
    )
    # `evaluation.fairness`, when genres or user groups are known
    fairness: dict = field(default_factory=dict)


@dataclass
class EvalReport:
    dataset: str
    n_users: int
    n_items: int
    n_interactions: int
    n_evaluated: int
    rows: list[ResultRow] = field(default_factory=list)
    holdout: str = "last"  # "last" (leave-last-out) or "random"
    time_ordered: bool = True
    ties: str = "file"  # how same-second events were ordered: "file" (the rule) or "random" (a sensitivity run)
    fusion_choice: dict | None = None
    notes: list[str] = field(default_factory=list)  # e.g. generators left out for the memory budget
    calibration: dict | None = None  # the calibration weight chosen on validation and its sweep


def evaluate(
    data: Interactions,
    dataset: str,
    *,
    names: Sequence[str] | None = None,
    grids: Mapping[str, Sequence[GeneratorConfig]] | None = None,
    fusion: FusionConfig | None = None,
    builders: Mapping[str, Builder] | None = None,
    progress: Progress = log.info,
    seed: int = 0,
    random_ties: bool = False,
    memory: MemoryConfig | None = None,
    item_tags: Sequence[Sequence[str]] | None = None,
    user_groups: Mapping[str, np.ndarray] | None = None,
) -> EvalReport:
    """The protocol on `data`; `seed` draws a random holdout; `random_ties` breaks same-second ties
    at random (with `seed`) instead of by file order, to measure how much the numbers depend on that
    rule. `item_tags` (per item row) and `user_groups` (attribute -> label per user row) add step 5.
    """
    if random_ties:
        data = data.with_random_ties(seed)
    split = Split.for_data(data, seed)
    report = _empty_report(data, dataset, split, random_ties)
    order = "time order" if data.time_ordered else "no time order"
    progress(f"{split.holdout} item per user held out ({order})")
    tuned = tune_all(
        split.train,
        split.validation,
        names=names,
        grids=grids,
        fusion=fusion,
        builders=builders,
        progress=progress,
        memory=memory,
    )
    report.fusion_choice = tuned.choice.to_dict() if tuned.choice else None
    report.notes += [f"{name} left out: {why}" for name, why in tuned.left_out.items()]
    final, fit_s = refit(tuned.fusion, split.train_validation)
    genres = genre_matrix(item_tags)[0] if item_tags is not None else None
    test = split.test

    def bias(top: np.ndarray) -> dict:
        if genres is None and not user_groups:
            return {}
        seen = split.train_validation.binary
        return fairness(top, test.items, test.users, seen, genres, user_groups, seed)

    report.rows += _test_rows(
        final, tuned.validation_ndcg, fit_s, test, data.n_items, bias, progress
    )
    fusion_fit_s = sum(fit_s.values())
    if genres is not None:
        row, report.calibration = _calibrated_row(
            tuned.fusion, final, split, genres, bias, progress
        )
        report.rows.append(replace(row, fit_s=fusion_fit_s))
    return report


def _empty_report(data: Interactions, dataset: str, split: Split, random_ties: bool) -> EvalReport:
    """The report's header: the data's size, the users evaluated, how the holdout was drawn."""
    return EvalReport(
        dataset,
        data.n_users,
        data.n_items,
        len(data),
        len(split.test.users),
        holdout=split.holdout,
        time_ordered=data.time_ordered,
        ties="random" if random_ties else "file",
    )


def _test_rows(
    final: Fusion,
    validation_ndcg: Mapping[str, float],
    fit_s: Mapping[str, float],
    test: Targets,
    n_items: int,
    bias: Callable[[np.ndarray], dict],
    progress: Progress,
) -> list[ResultRow]:
    """One row per refitted generator, then the fusion's: test metrics over every test user, the
    time to score them all, and popularity bias and fairness where known."""
    rows = []
    for name, generator in final.generators.items():
        top, score_s = rank_all(generator, test.users)
        metrics = all_metrics(top, test.items, n_items)
        row = ResultRow(
            name,
            generator.config.model_dump(),
            validation_ndcg[name],
            metrics,
            fit_s[name],
            score_s,
            form=generator.form,
            fairness=bias(top),
        )
        rows.append(row)
        progress(f"{name}: test {_brief(metrics)}")
    top, score_s = rank_all(final, test.users)
    metrics = all_metrics(top, test.items, n_items)
    rows.append(
        ResultRow(
            "fusion",
            final.config.model_dump(),
            validation_ndcg["fusion"],
            metrics,
            sum(fit_s.values()),
            score_s,
            fairness=bias(top),
        )
    )
    progress(f"fusion: test {_brief(metrics)}")
    return rows


def _calibrated_row(
    tuned: Fusion, final: Fusion, split: Split, genres, bias: Callable, progress: Progress
) -> tuple[ResultRow, dict]:
    """Steck's calibration weight chosen on validation with the `tuned` fusion, then the refitted
    `final` fusion's test lists reranked at that weight; the row and the weight with its sweep."""
    weight, sweep = choose_weight(tuned, split.train, split.validation, genres, progress)
    start = time.perf_counter()
    test = split.test
    items, scores = candidates(final, test.users)
    top = calibrated(items, scores, test.users, split.train_validation, genres, weight)
    metrics = all_metrics(top, test.items, split.train_validation.n_items)
    chosen = next(row["ndcg@10"] for row in sweep if row["weight"] == weight)
    score_s = time.perf_counter() - start
    progress(f"fusion+calibration (weight {weight}): test {_brief(metrics)}")
    name, config = "fusion+calibration", {"weight": weight}
    row = ResultRow(name, config, chosen, metrics, 0.0, score_s, fairness=bias(top))
    return row, {"weight": weight, "validation_sweep": sweep}


def _brief(metrics: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
