"""The protocol's metrics against examples computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recassist.retrieval.metrics import (
    all_metrics,
    coverage_at,
    mrr_at,
    ndcg_at,
    recall_at,
    target_ranks,
)

# three users, lists of five; targets at rank 0, rank 3, and absent
TOP = np.array([[7, 1, 2, 3, 4], [5, 6, 8, 9, 1], [1, 2, 3, 4, 5]])
TARGETS = np.array([7, 9, 0])


def test_target_ranks():
    assert target_ranks(TOP, TARGETS).tolist() == [0, 3, -1]


def test_recall_ndcg_mrr_by_hand():
    ranks = target_ranks(TOP, TARGETS)
    assert recall_at(ranks, 1) == pytest.approx(1 / 3)
    assert recall_at(ranks, 5) == pytest.approx(2 / 3)
    assert ndcg_at(ranks, 5) == pytest.approx((1.0 + 1 / math.log2(5)) / 3)
    assert ndcg_at(ranks, 3) == pytest.approx(1 / 3)
    assert mrr_at(ranks, 5) == pytest.approx((1.0 + 1 / 4) / 3)
    assert mrr_at(ranks, 2) == pytest.approx(1 / 3)


def test_coverage_counts_distinct_items_and_ignores_padding():
    top = np.array([[1, 2, -1], [2, 3, -1]])
    assert coverage_at(top, 3, n_items=10) == pytest.approx(0.3)
    assert coverage_at(top, 1, n_items=10) == pytest.approx(0.2)


def test_all_metrics_uses_cutoffs_10_and_20():
    top = np.tile(np.arange(20), (2, 1))
    metrics = all_metrics(top, np.array([12, 3]), n_items=40)
    assert metrics["recall@10"] == pytest.approx(0.5)
    assert metrics["recall@20"] == pytest.approx(1.0)
    assert metrics["ndcg@10"] == pytest.approx(0.5 / math.log2(5))
    assert metrics["mrr@10"] == pytest.approx(0.5 / 4)
    assert metrics["coverage@10"] == pytest.approx(10 / 40)


def test_empty_input_scores_zero():
    ranks = np.array([], dtype=np.int64)
    assert recall_at(ranks, 10) == ndcg_at(ranks, 10) == mrr_at(ranks, 10) == 0.0
