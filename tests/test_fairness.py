"""Popularity bias and fairness metrics against hand-computed values, the calibration rerank on a
toy catalogue, and both in the evaluation protocol on a real slice of ML-100k."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from recassist.evaluation.fairness import (
    dataset_attributes,
    fairness,
    gini,
    group_ndcg,
    ndcg_gains,
    paired_change,
    short_head,
)
from recassist.evaluation.protocol import evaluate
from recassist.retrieval.calibration import (
    calibration_kl,
    genre_matrix,
    genre_mix,
    greedy_rerank,
    greedy_rerank_batch,
    popularity_scale,
)
from recassist.retrieval.generators import EASEConfig, TransitionConfig
from recassist.retrieval.interactions import Interactions
from recassist.settings import DEFAULT_EVENT_WEIGHTS

# A toy catalogue: items 0-2 comedies (0 the most popular), 3 a horror film, 4 a comedy-horror.
TAGS = [["Comedy"], ["Comedy"], ["Comedy"], ["Horror"], ["Comedy", "Horror"]]
GENRES, NAMES = genre_matrix(TAGS)


def test_gini_by_hand():
    # sorted [0, 0, 1, 3], n 4, total 4: (-3*0 - 1*0 + 1*1 + 3*3) / (4*4)
    assert gini(np.array([3, 0, 1, 0])) == pytest.approx(10 / 16)
    assert gini(np.array([2, 2, 2])) == pytest.approx(0.0)
    assert gini(np.zeros(3)) == 0.0


def test_genre_matrix_and_mix_by_hand():
    assert NAMES == ["Comedy", "Horror"]
    assert GENRES.toarray()[4].tolist() == [0.5, 0.5]
    assert genre_mix(np.array([0, 3, 4, -1]), GENRES).tolist() == pytest.approx([0.5, 0.5])


def test_calibration_kl_by_hand():
    p, q = np.array([0.5, 0.5]), np.array([1.0, 0.0])
    mixed = [0.99 + 0.005, 0.005]
    expected = 0.5 * math.log(0.5 / mixed[0]) + 0.5 * math.log(0.5 / mixed[1])
    assert calibration_kl(p, q) == pytest.approx(expected)
    assert calibration_kl(p, p) == pytest.approx(0.0)
    assert calibration_kl(
        np.array([1.0, 0.0]), np.array([[0.0, 1.0], [1.0, 0.0]])
    ).tolist() == pytest.approx([math.log(1 / 0.01), 0.0])


def test_fairness_figures_by_hand():
    # 4 users x 5 items of training; item popularity (users) 4, 2, 1, 1, 0; head = top 20 % = item 0
    train = sp.csr_matrix(
        np.array([[1, 1, 0, 1, 0], [1, 1, 0, 0, 0], [1, 0, 1, 0, 0], [1, 0, 0, 0, 0]])
    )
    top = np.array([[2, 4, -1], [0, 3, -1]])  # users 0 and 1 only, lists of two
    out = fairness(
        top,
        np.array([4, 1]),
        np.array([0, 1]),
        train,
        GENRES,
        {"gender": np.array(["F", "M", "F", "M"])},
    )
    # exposure: items 0, 2, 3, 4 once each, item 1 never -> sorted [0,1,1,1,1]:
    # (-4*0 -2 +0 +2 +4) / (5*4)
    assert out["gini@10"]["value"] == pytest.approx(4 / 20)
    # popularity shares: item 2 1/4, item 4 0, item 0 4/4, item 3 1/4 -> user means 1/8 and 5/8
    assert out["arp@10"]["value"] == pytest.approx((1 / 8 + 5 / 8) / 2)
    assert out["long_tail_share@10"]["value"] == pytest.approx((1.0 + 0.5) / 2)
    assert out["coverage@10"]["value"] == pytest.approx(4 / 5)
    # user 0: history comedy x2 + horror -> p (2/3, 1/3); list comedy + comedy-horror -> q (3/4,
    # 1/4) user 1: history comedy x2 -> p (1, 0); list comedy + horror -> q (1/2, 1/2)
    kl0 = calibration_kl(np.array([2 / 3, 1 / 3]), np.array([0.75, 0.25]))
    kl1 = calibration_kl(np.array([1.0, 0.0]), np.array([0.5, 0.5]))
    assert out["calibration_kl@10"]["value"] == pytest.approx((kl0 + kl1) / 2)
    # user 0 (F) found item 4 at rank 1: 1/log2(3); user 1 (M) missed
    by_gender = out["ndcg@10_by_group"]["gender"]
    assert by_gender["F"]["value"] == pytest.approx(1 / math.log2(3))
    assert by_gender["M"]["value"] == 0.0
    assert by_gender["gap"]["best"] == "F" and by_gender["gap"]["value"] == pytest.approx(
        1 / math.log2(3)
    )
    for figure in ("arp@10", "long_tail_share@10", "calibration_kl@10"):
        assert out[figure]["low"] <= out[figure]["value"] <= out[figure]["high"]


def test_group_ndcg_interval_and_missing_labels():
    gains = np.array([1.0, 0.0, 0.5, 0.5, 0.2])
    labels = np.array(["a", "a", "b", "b", None], dtype=object)
    out = group_ndcg(gains, labels, np.random.default_rng(0))
    assert set(out) == {"a", "b", "gap"}
    assert (
        out["a"]["value"] == 0.5
        and out["a"]["users"] == 2
        and out["a"]["low"] <= 0.5 <= out["a"]["high"]
    )


def test_ndcg_gains_by_hand():
    """One target per user: 1 / log2(rank + 2) inside the top 10, 0 outside it or when missing."""
    top = np.array([[7, 3, 5] + [-1] * 7, [3, 7, 5] + [-1] * 7, list(range(10, 20))])
    gains = ndcg_gains(top, np.array([3, 3, 4]))
    assert gains.tolist() == pytest.approx([1 / math.log2(3), 1.0, 0.0])


def test_paired_change_by_hand():
    """The relative change of the mean, 3 / 4 - 1 here, with a paired interval around it; the same
    lists change by exactly 0 in every resample."""
    before, after = np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.0, 1.0, 1.0, 1.0])
    change = paired_change(before, after)
    assert change["value"] == pytest.approx(-0.25)
    assert -1.0 <= change["low"] <= -0.25 <= change["high"] <= 0.0
    same = paired_change(before * 2, before * 2)
    assert same == {"value": 0.0, "low": 0.0, "high": 0.0}


def test_short_head_is_the_most_popular_fifth():
    assert short_head(np.array([5, 50, 1, 7, 9, 0, 3, 2, 8, 4])).nonzero()[0].tolist() == [1, 4]


def test_calibration_rerank_on_a_toy_catalogue():
    """A half-comedy, half-horror user whose candidates score comedies highest: weight 0 keeps the
    score order (all comedy), a calibration weight brings horror in and lowers the KL."""
    candidates = np.array([0, 1, 2, 3, -1])
    scores = np.array([1.0, 0.9, 0.8, 0.5, np.nan])
    p = np.array([0.5, 0.5])
    plain = greedy_rerank(candidates, scores, p, GENRES, 3, weight=0.0)
    assert plain.tolist() == [0, 1, 2]
    calibrated = greedy_rerank(candidates, scores, p, GENRES, 3, weight=0.5)
    assert 3 in calibrated.tolist() and calibrated[0] == 0
    kl = lambda items: calibration_kl(p, genre_mix(items, GENRES))  # noqa: E731
    assert kl(calibrated) < kl(plain)


def test_score_order_keeps_the_greedy_set_and_its_kl_in_score_order():
    """The calibration KL reads only which items are listed: `order="score"` lists the greedy set
    by score, so its KL is the greedy order's and the best-scored item leads."""
    candidates = np.array([0, 1, 2, 3, 4])
    scores = np.array([1.0, 0.9, 0.8, 0.7, 0.1])
    p = np.array([0.2, 0.8])  # mostly horror: the rerank pulls item 3 (horror) to the front
    greedy = greedy_rerank(candidates, scores, p, GENRES, 3, weight=0.5)
    by_score = greedy_rerank(candidates, scores, p, GENRES, 3, weight=0.5, order="score")
    assert greedy[0] == 3 and set(by_score.tolist()) == set(greedy.tolist())
    assert by_score.tolist() == sorted(greedy.tolist(), key=lambda item: -scores[item])
    kl = lambda items: calibration_kl(p, genre_mix(items, GENRES))  # noqa: E731
    assert kl(by_score) == pytest.approx(kl(greedy))


def test_batch_rerank_matches_one_user_at_a_time():
    """The batched rerank gives every user the list the one-user rerank gives, -1 past the end."""
    candidates = np.array([[0, 1, 2, 3, 4], [4, 3, -1, 1, 0], [2, -1, -1, -1, -1]])
    scores = np.array([[1.0, 0.9, 0.8, 0.7, 0.1], [0.9, 0.8, 0.0, 0.5, 0.4], [1.0, 0, 0, 0, 0]])
    p = np.array([[0.2, 0.8], [1.0, 0.0], [0.5, 0.5]])
    batch = greedy_rerank_batch(candidates, scores, p, GENRES, 3, weight=0.4)
    for row in range(3):
        one = greedy_rerank(candidates[row], scores[row], p[row], GENRES, 3, weight=0.4).tolist()
        assert batch[row].tolist() == one + [-1] * (3 - len(one))


def test_popularity_penalty_lowers_the_lists_popularity():
    """ "Less mainstream": with a popularity penalty the list's mean popularity drops."""
    popularity = popularity_scale(np.array([1000, 10, 5, 3, 1]))
    candidates, scores = np.arange(5), np.array([1.0, 0.95, 0.9, 0.85, 0.8])
    plain = greedy_rerank(candidates, scores, np.zeros(2), GENRES, 2, weight=0.0)
    niche = greedy_rerank(
        candidates,
        scores,
        np.zeros(2),
        GENRES,
        2,
        weight=0.0,
        popularity=popularity,
        popularity_penalty=1.0,
    )
    assert plain.tolist() == [0, 1]
    assert popularity[niche].mean() < popularity[plain].mean()
    assert 0 not in niche.tolist()


@pytest.fixture(scope="module")
def slice_report(ml100k):
    frame = ml100k.interactions
    keep = frame["user_id"].isin(frame["user_id"].unique()[:200])
    dataset = replace(ml100k, interactions=frame[keep])
    data = Interactions.from_dataset(dataset, DEFAULT_EVENT_WEIGHTS)
    item_tags, groups = dataset_attributes(dataset, data)
    grids = {"transition": (TransitionConfig(),), "ease": (EASEConfig(regularization=100.0),)}
    return evaluate(
        data,
        "ml-100k-slice",
        names=["transition", "ease"],
        grids=grids,
        item_tags=item_tags,
        user_groups=groups,
        progress=lambda line: None,
    )


def test_every_eval_row_reports_bias_and_fairness(slice_report):
    rows = {row.name: row for row in slice_report.rows}
    assert set(rows) == {"transition", "ease", "fusion", "fusion+calibration"}
    for row in rows.values():
        assert {
            "gini@10",
            "arp@10",
            "long_tail_share@10",
            "coverage@10",
            "calibration_kl@10",
        } <= set(row.fairness)
        assert set(row.fairness["ndcg@10_by_group"]) == {"gender", "age_band"}
        assert row.fairness["coverage@10"]["value"] == pytest.approx(row.metrics["coverage@10"])


def test_calibration_row_keeps_its_validation_promise(slice_report):
    """The weight is chosen on validation within 2 % NDCG@10 of the fusion, and its KL there is
    lower."""
    sweep = slice_report.calibration["validation_sweep"]
    chosen = next(row for row in sweep if row["weight"] == slice_report.calibration["weight"])
    assert chosen["ndcg@10"] >= 0.98 * sweep[0]["ndcg@10"]
    assert chosen["calibration_kl@10"] <= sweep[0]["calibration_kl@10"]
