"""The serving model is kept as arrays and a JSON sidecar, never a pickle; a kept file that is
corrupt, from other code or from other data is refitted, with one log line, and a good one loads to
the same answers."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from recassist.data.store import DatasetStore
from recassist.retrieval import model_store
from recassist.retrieval.serving import FILE, load_serving_model
from tests.conftest import SLICE


@pytest.fixture()
def kept(settings, slice_serving, tmp_path):
    """A copy of the slice's data directory state the test may damage: its own data dir, same data."""
    import shutil

    own = settings.model_copy(update={"data_dir": tmp_path})
    for part in (
        "datasets",
        "index",
        "feedback",
        "secret.key",
    ):  # feedback: app likes join the data set
        source = settings.data_dir / part
        if not source.exists():
            continue
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / part)
    return own, DatasetStore(tmp_path).load(SLICE), tmp_path / "index" / SLICE / FILE


def _recs(model, users=np.arange(5)):
    return model.fusion.recommend(users, 10).items


def test_the_kept_model_is_arrays_and_json_and_loads_to_the_same_answers(kept) -> None:
    settings, dataset, path = kept
    first = load_serving_model(
        settings, dataset
    )  # refits only if the copied data moved on (app feedback)
    assert path.with_suffix(".npz").is_file() and path.with_suffix(".json").is_file()
    assert not list(path.parent.glob("*.pkl"))
    meta = json.loads(path.with_suffix(".json").read_text())
    assert {"code_version", "config_hash", "data_fingerprint", "generators"} <= set(meta)
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as npz:
        assert npz.files
    loaded = load_serving_model(
        settings, dataset, progress=pytest.fail
    )  # a matching kept model: no refit
    assert np.array_equal(_recs(loaded), _recs(first))


@pytest.mark.parametrize("damage", ["corrupt npz", "other code version"])
def test_a_bad_or_stale_kept_model_is_refitted_with_one_log_line(
    kept, slice_serving, damage, caplog
) -> None:
    settings, dataset, path = kept
    npz, sidecar = path.with_suffix(".npz"), path.with_suffix(".json")
    if damage == "corrupt npz":
        npz.write_bytes(b"not a zip file at all")
    elif damage == "truncated sidecar":
        sidecar.write_text(sidecar.read_text()[:40])
    else:
        meta = json.loads(sidecar.read_text())
        meta["code_version" if damage == "other code version" else "signature"] = "something else"
        sidecar.write_text(json.dumps(meta))
    refits = []
    with caplog.at_level(logging.INFO, logger="recassist.retrieval.serving"):
        model = load_serving_model(settings, dataset, progress=refits.append)
    assert refits and len([r for r in caplog.records if "refitting" in r.getMessage()]) == 1
    assert (
        _recs(model) >= 0
    ).all() and "ease" in model.fusion.generators  # (no vector store here: no content)
    assert (
        model_store.header(path)["code_version"] == model_store.code_version()
    )  # kept again, fresh
