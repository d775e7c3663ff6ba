"""The memory budget: every generator estimates its fit first, and one over budget fits its scalable
form (EASE on the most popular items, ItemKNN as sparse top-k neighbours) with a log line, or
declines with `MemoryBudgetError` before allocating; on real MovieLens-100k with budgets of a few
MiB."""

from __future__ import annotations

import logging
import tracemalloc

import numpy as np
import pytest

from recassist.errors import ConfigError, MemoryBudgetError
from recassist.retrieval.generators import (
    ALS,
    EASE,
    GENERATORS,
    EASEConfig,
    ItemKNN,
    ItemKNNConfig,
    NotFittedError,
)
from recassist.retrieval.generators.base import MIB
from recassist.retrieval.generators.content import Content
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.vocabulary import Vocabulary
from recassist.settings import MemoryConfig, Settings

ROOMY = MemoryConfig(budget_mib=4096)


@pytest.fixture(scope="module")
def data(ml100k, settings) -> Interactions:
    return Interactions.from_dataset(ml100k, settings.events)


def test_budget_defaults_to_a_share_of_ram_and_is_configurable(monkeypatch):
    import os

    total_mib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // MIB
    default = MemoryConfig().budget_mib
    assert 0.2 * total_mib < default < 0.6 * total_mib
    monkeypatch.setenv("RECASSIST_MEMORY__BUDGET_MIB", "123")
    assert Settings().memory.budget_bytes == 123 * MIB


def test_every_generator_estimates_its_fit(data: Interactions):
    for name, cls in GENERATORS.items():
        assert cls().estimate(data) > 0, name
    content = Content(item_vectors=np.zeros((data.n_items, 8), np.float32))
    assert content.estimate(data) > 0
    # the dense item-item models grow with items^2: the 50k items would need far more than
    # 24 GB
    big = Interactions.from_arrays(
        data.users,
        Vocabulary(str(i) for i in range(50_000)),
        data.user_rows,
        data.item_rows,
        data.timestamps,
        data.strengths,
    )
    assert EASE().estimate(big) > 24 * 2**30 and ItemKNN().estimate(big) > 24 * 2**30


def test_ease_over_budget_fits_the_most_popular_items(data: Interactions, caplog):
    budget = MemoryConfig(budget_mib=8)
    assert EASE().estimate(data) > budget.budget_bytes
    with caplog.at_level(logging.WARNING, logger="recassist.retrieval.generators.base"):
        tracemalloc.start()
        restricted = EASE(EASEConfig(), memory=budget).fit(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= budget.budget_bytes, "the scalable form must stay within the budget"
    assert "over the memory budget of 8 MiB" in caplog.text and "most popular" in caplog.text
    kept = restricted.kept
    assert 100 <= len(kept) < data.n_items and restricted.form.startswith(
        f"EASE on the {len(kept):,} most popular"
    )
    counts = np.bincount(data.item_rows, minlength=data.n_items)
    assert counts[kept].min() >= np.sort(counts)[::-1][len(kept) - 1], (
        "kept items are the most popular ones"
    )

    # the same model as a full EASE fitted on only those items' columns
    only_kept = data.select(np.isin(data.item_rows, kept))
    reference = EASE(EASEConfig(), memory=ROOMY).fit(only_kept)
    assert reference.form == "full"
    np.testing.assert_allclose(restricted.weights, reference.weights[np.ix_(kept, kept)], atol=1e-5)

    users = np.arange(50)
    recs = restricted.recommend(users, 10)
    assert np.isin(recs.items[recs.items >= 0], kept).all(), (
        "items outside the kept set get no score"
    )
    np.testing.assert_array_equal(recs.items, reference.recommend(users, 10).items)
    # a candidate set mixing kept and other items: the others are never ranked
    others = np.setdiff1d(np.arange(data.n_items), kept)[:20]
    mixed = restricted.recommend(users[:5], 5, items=np.concatenate([kept[:20], others]))
    assert np.isin(mixed.items[mixed.items >= 0], kept).all()
    evidence = restricted.evidence(0, recs.items[0, :3])
    assert evidence and {e.item for e in evidence} <= set(recs.items[0, :3].tolist())


def test_itemknn_over_budget_keeps_sparse_top_k(data: Interactions, caplog):
    budget = MemoryConfig(budget_mib=4)
    dense = ItemKNN(ItemKNNConfig(neighbours=20), memory=ROOMY).fit(data)
    assert dense.form == "full"
    with caplog.at_level(logging.WARNING, logger="recassist.retrieval.generators.base"):
        tracemalloc.start()
        sparse = ItemKNN(ItemKNNConfig(neighbours=20), memory=budget).fit(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak <= budget.budget_bytes
    assert "sparse top-20 neighbours" in caplog.text and sparse.form.startswith("sparse top-20")
    per_item = np.diff(sparse.similarity.tocsc().indptr)
    assert per_item.max() <= 20
    # each target item keeps neighbours as similar as the dense form's (they differ only among ties)
    dense_sim = dense.similarity
    for item in range(0, data.n_items, 97):
        kept = sparse.similarity[:, item].toarray().ravel()
        assert np.allclose(
            np.sort(kept)[::-1][: per_item[item]],
            np.sort(dense_sim[:, item])[::-1][: per_item[item]],
            atol=1e-6,
        )
    users = np.arange(200)
    overlap = np.mean(
        [
            len(set(a) & set(b)) / 10
            for a, b in zip(sparse.recommend(users, 10).items, dense.recommend(users, 10).items)
        ]
    )
    assert overlap > 0.9
    assert sparse.evidence(3, sparse.recommend(np.array([3]), 3).items[0])


def test_itemknn_sparse_form_equals_the_dense_one_where_nothing_ties(data: Interactions):
    config = ItemKNNConfig(neighbours=1000)
    dense = ItemKNN(config, memory=ROOMY).fit(data)
    sparse = ItemKNN(config, memory=MemoryConfig(budget_mib=40)).fit(data)
    assert dense.form == "full" and sparse.form.startswith("sparse")
    similarity = sparse.similarity.toarray()
    untruncated = np.count_nonzero(dense.similarity, axis=0) < 1000
    assert untruncated.sum() > 100
    np.testing.assert_allclose(
        similarity[:, untruncated], dense.similarity[:, untruncated], atol=1e-6
    )


def test_a_generator_without_a_smaller_form_declines_and_says_what_to_change(data: Interactions):
    als = ALS(memory=MemoryConfig(budget_mib=1))
    with pytest.raises(MemoryBudgetError, match=r"memory.budget_mib .*lower als factors") as caught:
        als.fit(data)
    assert isinstance(caught.value, ConfigError)
    assert als.form == "unfitted" and not hasattr(als, "model"), "nothing was fitted"
    with pytest.raises(NotFittedError):
        als.recommend(np.array([0]), 5)
    # the budget travels with fresh(), as the protocol's refit uses it
    assert als.fresh().memory == als.memory


def test_csv_import_reads_in_chunks_without_holding_the_whole_text(tmp_path, monkeypatch):
    """The reader's transient memory stays below the file's size (it used to hold the text several
    times over); row numbers and errors still count across chunks."""
    import pandas as pd

    from recassist.data import readers
    from recassist.errors import InputFileError

    monkeypatch.setattr(readers, "CSV_CHUNK_ROWS", 5_000)
    n = 60_000
    path = tmp_path / "events.csv"
    pd.DataFrame(
        {
            "user_id": [f"u{i % 997}" for i in range(n)],
            "item_id": [f"i{i % 313}" for i in range(n)],
            "event": "view",
            "timestamp": 1_700_000_000 + np.arange(n),
        }
    ).to_csv(path, index=False)
    tracemalloc.start()
    frame = readers.read_table(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (
        len(frame) == n
        and frame[readers.ROW].iloc[-1] == n
        and frame["user_id"].iloc[-1] == f"u{(n - 1) % 997}"
    )
    assert peak < path.stat().st_size

    lines = path.read_text().splitlines(keepends=True)
    lines[42_001] = "u1,i1,view,1700000000,extra\n"
    path.write_text("".join(lines))
    with pytest.raises(InputFileError, match=r"row 42001 \(line 42002\): expected 4 fields"):
        readers.read_table(path)
