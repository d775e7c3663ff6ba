"""Vocabulary and the leave-last-out split, ties included."""

from __future__ import annotations

import numpy as np
import pytest

from recassist.retrieval.interactions import Interactions, Split
from recassist.retrieval.vocabulary import Vocabulary


def test_vocabulary_round_trip_and_unknown_ids():
    vocab = Vocabulary(["b", "a", "b", "c"])
    assert len(vocab) == 3
    assert vocab.rows(["a", "c"]).tolist() == [1, 2]
    assert vocab.ids([2, 0]).tolist() == ["c", "b"]
    assert "a" in vocab and "z" not in vocab
    with pytest.raises(KeyError):
        vocab.rows(["z"])
    assert vocab.rows(["z", "a"], missing=-1).tolist() == [-1, 1]


def make(events: list[tuple[str, str, int]]) -> Interactions:
    """Interactions from (user, item, timestamp) rows in file order."""
    users = Vocabulary(u for u, _, _ in events)
    items = Vocabulary(i for _, i, _ in events)
    return Interactions.from_arrays(
        users,
        items,
        users.rows([u for u, _, _ in events]),
        items.rows([i for _, i, _ in events]),
        np.array([t for _, _, t in events]),
        np.ones(len(events), np.float32),
    )


def test_split_sorts_by_time_and_breaks_ties_by_file_order():
    data = make(
        [
            ("u", "d", 30),
            ("u", "a", 10),
            ("u", "c", 30),
            ("u", "b", 20),  # d and c tie: d came first in the file
            ("v", "x", 5),
            ("v", "y", 5),
            ("v", "z", 5),  # all tied: file order decides everything
            ("w", "a", 1),
            ("w", "b", 2),  # two events: train only
        ]
    )
    split = Split.leave_last_out(data)
    ids = data.items.ids
    by_user = dict(zip(data.users.ids(split.test.users), ids(split.test.items)))
    assert by_user == {"u": "c", "v": "z"}
    assert dict(zip(data.users.ids(split.validation.users), ids(split.validation.items))) == {
        "u": "d",
        "v": "y",
    }
    u = data.users.row("u")
    assert ids(split.train.sequence(u)).tolist() == ["a", "b"]
    assert ids(split.train_validation.sequence(u)).tolist() == ["a", "b", "d"]
    assert ids(split.train.sequence(data.users.row("w"))).tolist() == ["a", "b"]
    assert len(split.train) == 9 - 4


def test_matrix_sums_strengths_and_binary_marks_touches():
    data = make([("u", "a", 1), ("u", "a", 2), ("v", "b", 1)])
    assert data.matrix.toarray().tolist() == [[2.0, 0.0], [0.0, 1.0]]
    assert data.binary.toarray().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_liked_events_are_likes_and_ratings_near_the_top_of_the_scale():
    import pandas as pd

    from recassist.retrieval.interactions import liked_events

    five_stars = pd.DataFrame(
        {
            "event": ["rating"] * 4 + ["like", "view", "click", "comment", "purchase"],
            "weight": [5, 4, 3, 1, 1, 9, 9, 9, 1],
        }
    )
    assert liked_events(five_stars).tolist() == [
        True,
        True,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
    ]
    four_stars = pd.DataFrame(
        {"event": ["rating"] * 3, "weight": [4.0, 3.5, 3.0]}
    )  # FilmTrust's 0.5-4 scale
    assert liked_events(four_stars).tolist() == [True, True, False]
