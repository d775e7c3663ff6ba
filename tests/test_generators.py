"""Contract tests every generator passes, on a tiny matrix whose right answer is known, and on real
data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recassist.retrieval.generators import (
    GENERATORS,
    ALSConfig,
    Evidence,
    Generator,
    NotFittedError,
    SASRecConfig,
)
from recassist.retrieval.generators.content import Content
from recassist.retrieval.interactions import Interactions, Split
from recassist.retrieval.vocabulary import Vocabulary
from recassist.settings import DEFAULT_EVENT_WEIGHTS

KINDS = {"history_item", "neighbour_user", "followed_user", "popular", "similar_text"}
# small, deterministic configs; everything else at its defaults
CONFIGS = {
    "als": ALSConfig(factors=4, iterations=15, regularization=0.1),
    "sasrec": SASRecConfig(
        dim=16, layers=1, heads=1, dropout=0.0, learning_rate=0.01, max_epochs=40, progress=False
    ),
}


def build(name: str, *, tiny: bool = False) -> Generator:
    return GENERATORS[name](CONFIGS.get(name) if tiny else None)


@pytest.fixture(scope="module")
def tiny() -> Interactions:
    """Users 0-3 watch a -> b -> c; user 4 watches a -> b and follows user 0; user 5 watches d -> e.

    For user 4 the right next item is c by every signal: it is the most popular unseen item, it
    co-occurs with a and b, it follows b, and user 0 (followed) watched it.
    """
    events = [(u, i) for u in range(4) for i in "abc"] + [(4, "a"), (4, "b"), (5, "d"), (5, "e")]
    users = Vocabulary(str(u) for u in range(6))
    items = Vocabulary(list("abcdef"))  # f: in the catalogue, never touched
    social = sp.csr_matrix((np.ones(1, np.float32), ([4], [0])), shape=(6, 6))
    return Interactions.from_arrays(
        users,
        items,
        np.array([u for u, _ in events]),
        items.rows([i for _, i in events]),
        np.arange(len(events)),
        np.ones(len(events), np.float32),
        social,
    )


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_known_answer_and_contract(name: str, tiny: Interactions):
    generator = build(name, tiny=True)
    with pytest.raises(NotFittedError):
        generator.recommend(np.array([4]), 3)
    assert generator.fit(tiny) is generator

    recs = generator.recommend(np.array([4, 5]), 3)
    assert recs.items.shape == recs.scores.shape == (2, 3)
    assert recs.items[0, 0] == tiny.items.row("c")
    seen_4 = set(tiny.sequence(4))
    assert not seen_4 & set(recs.items[0]), "seen items must be excluded"
    assert np.all(np.diff(recs.scores[0][recs.items[0] >= 0]) <= 0), "scores must be sorted"

    # asking for more than there is pads with -1 / NaN
    padded = generator.recommend(np.array([4]), 10)
    assert (padded.items[0, 4:] == -1).all() and np.isnan(padded.scores[0, 4:]).all()

    # items= scores only the candidate set, in the catalogue's rows
    candidates = tiny.items.rows(["d", "c", "f"])
    restricted = generator.recommend(np.array([4]), 2, items=candidates)
    assert set(restricted.items[0]) <= set(candidates)
    assert restricted.items[0, 0] == tiny.items.row("c")

    evidence = generator.evidence(4, recs.items[0, :1])
    assert evidence, f"{name} gives no evidence for its best candidate"
    assert all(
        isinstance(e, Evidence) and e.kind in KINDS and e.item == recs.items[0, 0] for e in evidence
    )
    assert all(e.source in set(tiny.users.all_ids) | set(tiny.items.all_ids) for e in evidence)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_config_round_trips(name: str):
    generator = build(name)
    config = generator.config
    again = type(config).model_validate_json(config.model_dump_json())
    assert again == config and hash(again) == hash(config)
    with pytest.raises(TypeError):
        GENERATORS[name](CONFIGS["als"] if name != "als" else GENERATORS["ease"].config_type())


@pytest.fixture(scope="module")
def real_slice(ml100k) -> Interactions:
    """The first 300 users of the real ML-100k (by first appearance in the file), with their
    ratings."""
    frame = ml100k.interactions
    keep = frame["user_id"].isin(frame["user_id"].unique()[:300])
    from dataclasses import replace

    return Interactions.from_dataset(
        replace(ml100k, interactions=frame[keep]), DEFAULT_EVENT_WEIGHTS
    )


@pytest.mark.parametrize("name", ["popularity", "itemknn", "ease", "als", "transition"])
def test_obvious_next_item_on_real_slice(name: str, real_slice: Interactions):
    """A real user's history minus the slice's most popular item they watched: that item comes back
    in the top 20."""
    data = real_slice
    popular = int(np.bincount(data.item_rows, minlength=data.n_items).argmax())
    user = next(
        u
        for u in range(data.n_users)
        if popular in data.sequence(u) and len(data.sequence(u)) >= 30
    )
    mask = ~((data.user_rows == user) & (data.item_rows == popular))
    top = build(name).fit(data.select(mask)).recommend(np.array([user]), 20).items[0]
    assert popular in top


@pytest.mark.parametrize("name", ["itemknn", "ease", "als", "transition"])
def test_beats_popularity_floor_on_real_slice(name: str, real_slice: Interactions):
    """Leave-last-out on the slice: every personalised generator finds some validation items
    (random: ~1 %)."""
    split = Split.leave_last_out(real_slice)
    top = build(name).fit(split.train).recommend(split.validation.users, 20).items
    hit_rate = float((top == split.validation.items[:, None]).any(axis=1).mean())
    assert hit_rate > 0.05


def test_content_ranks_by_text_vectors_and_reaches_untouched_items(tiny: Interactions):
    """a, b, c share a direction, d, e another; f (never touched) leans towards d, e."""
    vectors = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0.6, 0.8]], np.float32)
    generator = Content(item_vectors=vectors).fit(tiny)
    recs = generator.recommend(np.array([4, 5]), 2)
    assert recs.items[0].tolist() == tiny.items.rows(["c", "f"]).tolist()
    assert recs.items[1, 0] == tiny.items.row("f")
    evidence = generator.evidence(5, recs.items[1, :1])
    assert {e.source for e in evidence} == {"d", "e"} and all(
        e.kind == "similar_text" for e in evidence
    )
    assert generator.fresh().item_vectors is generator.item_vectors
    with pytest.raises(ValueError):
        Content(item_vectors=vectors[:3]).fit(tiny)


def test_social_evidence_cites_only_followed_users_who_liked_the_item():
    """User 2 follows users 0 and 1, who both rated c: 0 gave it a low rating, 1 liked it. Both
    ratings move the score, but only user 1 may be cited: an explanation says the followed user
    enjoyed it."""
    users, items = Vocabulary(["0", "1", "2"]), Vocabulary(list("abc"))
    events = [(0, "a"), (0, "c"), (1, "b"), (1, "c"), (2, "a")]
    liked = np.array([True, False, True, True, True])  # (0, c) is a low rating
    social = sp.csr_matrix((np.ones(2, np.float32), ([2, 2], [0, 1])), shape=(3, 3))
    data = Interactions.from_arrays(
        users,
        items,
        np.array([u for u, _ in events]),
        items.rows([i for _, i in events]),
        np.arange(len(events)),
        np.array([5, 1, 4, 4, 3], np.float32),
        social,
        liked=liked,
    )
    generator = GENERATORS["social"]().fit(data)
    recs = generator.recommend(np.array([2]), 2)
    assert recs.items[0, 0] == items.row("c") and recs.scores[0, 0] == pytest.approx(5.0, rel=1e-3)
    cited = generator.evidence(2, np.array([items.row("c"), items.row("b")]))
    assert [(items.ids([e.item])[0], e.kind, e.source) for e in cited] == [
        ("c", "followed_user", "1"),
        ("b", "followed_user", "1"),
    ]


def test_sasrec_ce_recipe_fits_and_recommends_on_real_slice(real_slice: Interactions):
    """The SASRec+ recipe (latest window, full cross-entropy) on a slice, tiny dims, a few epochs: a
    validation curve with wall times, valid unseen top-N lists, and more hits than chance."""
    split = Split.leave_last_out(real_slice)
    config = SASRecConfig(
        dim=16,
        layers=1,
        heads=1,
        max_len=50,
        learning_rate=0.01,
        max_epochs=4,
        windows="last",
        threads=1,
        progress=False,
    )
    model = GENERATORS["sasrec"](config).fit(split.train)
    assert [point["epoch"] for point in model.curve] == [1, 2, 3, 4]
    assert all(b["wall_s"] >= a["wall_s"] for a, b in zip(model.curve, model.curve[1:]))
    recs = model.rebind(split.train_validation).recommend(split.test.users, 20)
    seen = split.train_validation.binary[split.test.users].toarray()
    assert not seen[np.arange(len(recs.items))[:, None], recs.items].any()
    hit_rate = float((recs.items == split.test.items[:, None]).any(axis=1).mean())
    assert hit_rate > 20 / real_slice.n_items
