"""Data without a time order: detected at import, and then nothing uses order.

The main case is the export that exposed the problem: string ids (some with leading zeros), some
items without a title, every timestamp equal, each user's rows sorted by item id; imported through
the generic import. It is built from the real ML-100k ratings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from recassist.cli import app
from recassist.data.importer import import_tables, read_files
from recassist.data.store import DatasetStore
from recassist.data.timeorder import measure
from recassist.evaluation.protocol import evaluate
from recassist.grounding.evidence import Item, reasons_from_evidence, template_explanation
from recassist.retrieval.fusion import choose_blend
from recassist.retrieval.generators import Evidence
from recassist.retrieval.interactions import Interactions, Split
from recassist.retrieval.training import ORDER_BASED, tune_all
from recassist.retrieval.vocabulary import Vocabulary
from recassist.settings import Settings
from tests.conftest import write_csv

EXPORT = "no-time-export"


def frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user_id", "timestamp"])


def test_measure_tells_total_partial_and_no_order():
    total = measure(frame([("a", 1), ("a", 2), ("a", 3), ("b", 5), ("b", 4)]))
    assert total.order == "total" and total.distinct_share == 1.0 and not total.all_equal
    # like MovieLens: one user's last two in the same second, the other's not
    partial = measure(frame([("a", 1), ("a", 2), ("a", 2), ("b", 1), ("b", 1), ("b", 3)]))
    assert (
        partial.order == "partial"
        and partial.untied_last_two_share == 0.5
        and partial.distinct_share == 0.0
    )
    equal = measure(frame([("a", 7), ("a", 7), ("b", 7), ("b", 7)]))
    assert equal.order == "none" and equal.all_equal and not equal.has_order
    # each user exported at one moment: different times across users, none within a user
    per_user = measure(frame([("a", 1), ("a", 1), ("b", 2), ("b", 2)]))
    assert per_user.order == "none" and not per_user.all_equal and per_user.ordered_share == 0.0


def test_random_ties_reorder_only_events_in_the_same_second():
    users, items = Vocabulary(pd.Series(["u"])), Vocabulary(pd.Series([f"i{n}" for n in range(40)]))
    stamps = np.repeat([10, 20], 20)
    data = Interactions.from_arrays(
        users, items, np.zeros(40, np.int64), np.arange(40), stamps, np.ones(40, np.float32)
    )
    shuffled = data.with_random_ties(seed=1).sequence(0)
    assert sorted(shuffled[:20]) == list(range(20)) and sorted(shuffled[20:]) == list(range(20, 40))
    assert shuffled.tolist() != list(range(40))
    assert data.with_random_ties(seed=1).sequence(0).tolist() == shuffled.tolist(), "seeded"


def test_blend_that_does_not_beat_its_best_member_gives_way_to_it():
    rng = np.random.default_rng(0)
    n_users, n_items = 400, 60
    targets = rng.integers(0, n_items, n_users)
    good = np.full((n_users, n_items), 0.05)
    good[np.arange(n_users), targets] = 1.0  # the target first for every user
    good[rng.random(n_users) < 0.5, :] = rng.random((1, n_items))  # ... but only for half of them
    noise = rng.random((n_users, n_items))
    choice = choose_blend({"good": sp.csr_matrix(good), "noise": sp.csr_matrix(noise)}, targets)
    assert choice.best_single == "good" and choice.single == "good" and choice.held_out_gain <= 0


@pytest.mark.parametrize(("helped", "kept"), [(3, False), (60, True)])
def test_blend_is_kept_only_when_its_held_out_gain_is_beyond_noise(helped: int, kept: bool):
    """A second generator that knows `helped` of the users the first one misses: a gain for 3 users
    of 400 is positive on the held-out folds but within their noise (the blend gives way); for 60 it
    is real."""
    rng = np.random.default_rng(0)
    n_users, n_items = 400, 60
    targets = rng.integers(0, n_items, n_users)
    good = np.full((n_users, n_items), 0.05)
    good[np.arange(n_users), targets] = 1.0
    missed = rng.random(n_users) < 0.5
    good[missed, :] = rng.random((1, n_items))
    other = rng.random((n_users, n_items)) * 0.5
    known = np.flatnonzero(missed)[:helped]
    other[known, targets[known]] = 1.0
    choice = choose_blend({"good": sp.csr_matrix(good), "other": sp.csr_matrix(other)}, targets)
    assert choice.held_out_gain > 0 and choice.held_out_stderr > 0
    assert (choice.single is None) == kept, choice.describe()


@pytest.fixture(scope="module")
def export(settings: Settings, ml100k, tmp_path_factory: pytest.TempPathFactory):
    """The failure case, from the 600 most rated ML-100k films, imported through the generic import."""
    ratings = ml100k.interactions
    top = ratings["item_id"].value_counts().index[:600]
    code = {
        item: f"{n:05d}" for n, item in enumerate(sorted(top, key=int))
    }  # '00000', '00001', ...
    items = ml100k.items[ml100k.items["item_id"].isin(top)][["item_id", "title"]].copy()
    items["item_id"] = items["item_id"].map(code)
    items.loc[items["item_id"].isin(["00003", "00007"]), "title"] = (
        ""  # no title: rejected and reported
    )
    rows = ratings[ratings["item_id"].isin(top)].copy()
    rows["item_id"] = rows["item_id"].map(code)
    rows["user_id"] = "c" + rows["user_id"]
    rows["timestamp"] = 1_700_000_000
    rows = rows.sort_values(["user_id", "item_id"])[
        ["user_id", "item_id", "event", "timestamp", "weight"]
    ]
    folder = tmp_path_factory.mktemp("export")
    raw = read_files(
        items=write_csv(folder / "items.csv", items),
        interactions=write_csv(folder / "events.csv", rows),
    )
    result = import_tables(EXPORT, raw, settings, source="test-export")
    return result, DatasetStore(settings.data_dir).load(EXPORT)


def test_import_records_no_time_order_and_data_list_shows_it(settings, export):
    result, dataset = export
    order = dataset.manifest["time_order"]
    assert (
        order["order"] == "none"
        and order["all_equal"] is True
        and order["untied_last_two_share"] == 0.0
    )
    assert "time: no time order (all timestamps equal)" in result.summary()
    assert dataset.interactions["item_id"].str.startswith("0").all(), "ids stay strings, zeros kept"
    assert result.reports["items"].rejected == {"title: empty title": 2}
    listed = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), "data", "list"])
    assert listed.exit_code == 0, listed.output
    assert (
        f"{EXPORT}: " in listed.stdout and "no time order (all timestamps equal)" in listed.stdout
    )
    assert "ml-100k: " in listed.stdout and "partial time order" in listed.stdout


def test_without_timestamps_the_import_records_them_missing(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "data")
    items = write_csv(
        tmp_path / "items.csv", pd.DataFrame({"item_id": ["1", "2"], "title": ["A", "B"]})
    )
    events = write_csv(
        tmp_path / "events.csv",
        pd.DataFrame({"user_id": ["x", "x"], "item_id": ["1", "2"], "event": "view"}),
    )
    import_tables("untimed", read_files(items=items, interactions=events), settings, source="test")
    dataset = DatasetStore(settings.data_dir).load("untimed")
    assert dataset.time_order.missing and dataset.time_order.order == "none"
    assert dataset.interactions["timestamp"].tolist() == [0, 0]


def test_without_time_order_the_held_out_items_are_random_not_the_files_last(settings, export):
    _, dataset = export
    data = Interactions.from_dataset(dataset, settings.events)
    assert not data.time_ordered
    split = Split.for_data(data, seed=0)
    assert split.holdout == "random"
    last_in_file = data.item_rows[data.indptr[split.test.users + 1] - 1]
    # leave-last-out would hold out each user's highest item id; a random draw rarely does
    assert np.mean(split.test.items == last_in_file) < 0.1
    assert np.mean(split.validation.items == last_in_file) < 0.1
    assert not np.any(split.test.items == split.validation.items)
    again = Split.for_data(data, seed=0)
    assert np.array_equal(again.test.items, split.test.items), (
        "a fixed seed: the same split every time"
    )


def test_protocol_leaves_order_out_and_fusion_is_not_below_its_best_generator(settings, export):
    _, dataset = export
    data = Interactions.from_dataset(dataset, settings.events)
    report = evaluate(data, EXPORT, seed=0)
    rows = {row.name: row for row in report.rows}
    assert report.holdout == "random" and not report.time_ordered
    assert not ORDER_BASED & set(rows), "transition and SASRec are left out"
    assert rows["popularity"].config["half_life_days"] is None, "no recency decay"
    singles = [row for name, row in rows.items() if name != "fusion"]
    assert rows["fusion"].validation_ndcg10 >= max(row.validation_ndcg10 for row in singles)
    assert rows["fusion"].metrics["ndcg@10"] >= max(row.metrics["ndcg@10"] for row in singles)
    assert report.fusion_choice is not None


def test_order_based_generators_run_only_when_named(settings, export):
    _, dataset = export
    split = Split.for_data(Interactions.from_dataset(dataset, settings.events))
    tuned = tune_all(split.train, split.validation, names=["popularity", "transition"])
    assert set(tuned.fusion.generators) == {"popularity", "transition"}


def test_serving_model_is_tuned_by_the_same_rule(settings, export, monkeypatch):
    from recassist.retrieval import training
    from recassist.retrieval.generators import EASEConfig, ItemKNNConfig
    from recassist.retrieval.serving import fit_serving_model

    small = {
        "itemknn": (ItemKNNConfig(neighbours=50),),
        "ease": (EASEConfig(regularization=200.0),),
        "als": (),
    }
    monkeypatch.setattr(training, "DEFAULT_GRIDS", {**training.DEFAULT_GRIDS, **small})
    monkeypatch.setattr(training, "OPT_IN", training.OPT_IN | {"als"})
    model = fit_serving_model(settings, export[1])
    assert not ORDER_BASED & set(model.fusion.generators)
    assert model.fusion.generators["popularity"].config.half_life_days is None


def test_evidence_never_speaks_of_time():
    item = Item("x", "Heat (1995)")
    evidence = [Evidence(0, "popular", "x", 1.0), Evidence(0, "neighbour_user", "u1", 0.5)]
    reasons = reasons_from_evidence(evidence, {})
    text = template_explanation(item, reasons).lower()
    for phrase in ("recent", "right now", "after you", "lately", "last watched"):
        assert phrase not in text
