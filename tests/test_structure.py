"""Structure kept by review findings: one co-liked matrix shared by "like X" and the explanations,
and one place that creates the state tables, the audiences' among them."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect

from recassist.assistant.coliked import CoLiked
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.neighbours import co_liked, liked_matrix
from recassist.state import schema


@pytest.fixture(scope="module")
def interactions(ml100k, settings) -> Interactions:
    return Interactions.from_dataset(ml100k, settings.events)


def test_explanations_count_on_the_like_x_matrix(interactions) -> None:
    """The explanations' co-liked counts are read from the one matrix "like X" ranks with: built
    once per data, and the same numbers as the neighbours' counts."""
    liked = liked_matrix(interactions)
    assert liked_matrix(interactions) is liked
    counts = CoLiked(interactions)
    popularity = np.asarray(liked.sum(axis=0)).ravel()
    seed = int(np.argmax(popularity))
    neighbours = co_liked(liked, np.array([seed]))
    seed_id = str(interactions.items.ids([seed])[0])
    others = np.argsort(-neighbours.counts, kind="stable")[:20]
    for row in others:
        other_id = str(interactions.items.ids([int(row)])[0])
        if row != seed:
            assert counts.count(seed_id, other_id) == neighbours.counts[row] > 0
    assert counts.count(seed_id, "no such item") == 0


def test_one_create_makes_every_state_table_and_is_safe_to_repeat(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'state.db'}")
    schema.create(engine)
    schema.create(engine)  # a second replica starting: nothing to do, no error
    tables = set(inspect(engine).get_table_names())
    assert {"audience_releases", "audience_charges", "audience_owners", "feedback"} <= tables
    assert {"ad_spend", "ad_caps", "ad_impressions"} <= tables
