"""Spark MLlib ALS as a candidate generator: the shared contract on the known-answer matrix, and a
fit on a real ML-100k slice that ranks held-out items as `implicit`'s ALS does. One SparkSession
(local mode) for the whole test session: a JVM start takes seconds."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from recassist.data.store import DatasetStore
from recassist.retrieval.generators import (
    ALS,
    GENERATORS,
    OPT_IN_GENERATORS,
    ALSConfig,
    NotFittedError,
    SparkALS,
    SparkALSConfig,
)
from recassist.retrieval.generators.spark_als import spark_session
from recassist.retrieval.interactions import Interactions, Split
from recassist.settings import Settings
from tests.conftest import SLICE
from tests.test_generators import tiny  # noqa: F401  (the known-answer matrix fixture)

MASTER = "local[2]"


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    session = spark_session(MASTER)
    yield session
    session.stop()


def test_spark_als_is_opt_in() -> None:
    assert "spark_als" in OPT_IN_GENERATORS and "spark_als" not in GENERATORS
    config = SparkALSConfig(master="spark://head:7077", factors=8)
    assert SparkALSConfig.model_validate_json(config.model_dump_json()) == config


def test_spark_als_keeps_the_generator_contract(spark, tiny: Interactions) -> None:  # noqa: F811
    generator = SparkALS(
        SparkALSConfig(factors=4, iterations=10, regularization=0.1, master=MASTER, partitions=1)
    )
    with pytest.raises(NotFittedError):
        generator.recommend(np.array([4]), 3)
    generator.fit(tiny)
    recs = generator.recommend(np.array([4, 5]), 3)
    assert recs.items[0, 0] == tiny.items.row("c")
    assert not set(tiny.sequence(4)) & set(recs.items[0])
    candidates = tiny.items.rows(["d", "c", "f"])
    assert generator.recommend(np.array([4]), 1, items=candidates).items[0, 0] == tiny.items.row(
        "c"
    )
    evidence = generator.evidence(4, recs.items[0, :1])
    assert evidence and {e.source for e in evidence} <= {"a", "b"}


def test_spark_als_on_a_real_slice_ranks_like_implicit_als(
    spark, settings: Settings, indexed_slice
) -> None:
    """Leave-last-out on the ML-100k slice: Spark's ALS finds held-out items about as often as
    `implicit`'s with the same factors, and far more often than chance."""
    data = Interactions.from_dataset(DatasetStore(settings.data_dir).load(SLICE), settings.events)
    split = Split.leave_last_out(data)
    users, targets = split.validation.users, split.validation.items
    shared = dict(factors=16, iterations=8, alpha=2.0)
    hits = {}
    for name, generator in (
        ("spark", SparkALS(SparkALSConfig(regularization=0.01, master=MASTER, **shared))),
        ("implicit", ALS(ALSConfig(regularization=0.05, **shared))),
    ):
        top = generator.fit(split.train).recommend(users, 20).items
        hits[name] = float(np.mean([t in row for t, row in zip(targets, top)]))
    chance = 20 / data.n_items
    assert hits["spark"] > 3 * chance and hits["spark"] >= 0.8 * hits["implicit"], hits
