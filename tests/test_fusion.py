"""Fusion: weights tuned on validation, the fused list honours the contract, evidence from every
contributor."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recassist.retrieval.fusion import (
    WEIGHT_GRID,
    Fusion,
    FusionConfig,
    fused_ndcg,
    normalised_matrix,
)
from recassist.retrieval.generators import EASE, ItemKNN, Popularity, Recommendations, Transition
from recassist.retrieval.interactions import Split
from recassist.retrieval.metrics import all_metrics
from tests.test_generators import real_slice, tiny  # noqa: F401  (module fixtures)


def test_normalised_matrix_scales_each_list_to_unit_range():
    recs = Recommendations(
        np.array([0, 1]),
        np.array([[2, 0, -1], [1, 2, 3]]),
        np.array([[4.0, 2.0, np.nan], [0.0, 0.0, 0.0]]),
    )
    matrix = normalised_matrix(recs, 4).toarray()
    assert matrix[0].tolist() == pytest.approx([0.01, 0.0, 1.0, 0.0])
    assert matrix[1].tolist() == [0.0, 0.0, 0.0, 0.0], "a flat all-zero list proposes nothing"


def test_fused_ndcg_matches_full_ranking():
    fused = sp.csr_matrix(
        np.array([[0.0, 0.9, 0.5, 0.1], [0.3, 0.0, 0.2, 0.8], [0.5, 0.4, 0.0, 0.0]])
    )
    targets = np.array([2, 0, 3])
    dense = fused.toarray()
    top = np.argsort(-dense, axis=1, kind="stable")
    top = np.where(np.take_along_axis(dense, top, 1) > 0, top, -1)
    expected = all_metrics(np.pad(top, ((0, 0), (0, 16)), constant_values=-1), targets, 4)[
        "ndcg@10"
    ]
    assert fused_ndcg(fused, targets) == pytest.approx(expected)


def test_fusion_recommends_unseen_with_every_contributors_evidence(tiny):  # noqa: F811
    generators = {g.name: g.fit(tiny) for g in (Popularity(), EASE(), Transition())}
    fusion = Fusion(generators, FusionConfig(size=3, depth=5))
    recs = fusion.recommend(np.array([4]))
    assert recs.items[0, 0] == tiny.items.row("c")
    assert not set(recs.items[0]) & set(tiny.sequence(4))
    kinds = {(e.kind, e.source) for e in fusion.evidence(4, recs.items[0, :1])}
    assert ("popular", "c") in kinds and ("history_item", "b") in kinds


def test_tuned_weights_come_from_the_grid_and_do_not_lose_to_equal_weights(real_slice):  # noqa: F811
    split = Split.leave_last_out(real_slice)
    generators = {
        g.name: g.fit(split.train) for g in (Popularity(), ItemKNN(), EASE(), Transition())
    }
    fusion = Fusion(generators)
    equal = fused_ndcg(
        fusion.fuse(fusion.candidate_lists(split.validation.users), {}), split.validation.items
    )
    config = fusion.tune(split.validation.users, split.validation.items)
    assert set(config.weights) == set(generators)
    assert all(w in WEIGHT_GRID for w in config.weights.values())
    tuned = fused_ndcg(
        fusion.fuse(fusion.candidate_lists(split.validation.users), config.weights),
        split.validation.items,
    )
    assert tuned >= equal
