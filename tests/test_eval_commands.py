"""`recassist recommend` and `recassist eval` end to end on the real ML-100k, with one config per generator."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from recassist.cli import app
from retrieval.data.pseudonym import Pseudonymizer
from retrieval.evaluation import protocol
from retrieval.generators import ALSConfig, EASEConfig, ItemKNNConfig, PopularityConfig, TransitionConfig

SMALL_GRIDS = {
    "popularity": (PopularityConfig(),),
    "itemknn": (ItemKNNConfig(neighbours=50),),
    "ease": (EASEConfig(regularization=200.0),),
    "als": (ALSConfig(factors=16, iterations=5),),
    "transition": (TransitionConfig(),),
}


@pytest.fixture()
def small_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "DEFAULT_GRIDS", {**protocol.DEFAULT_GRIDS, **SMALL_GRIDS})


def test_recommend_writes_raw_ids_and_serves_unknown_users(settings, ml100k, small_grids, tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("1\n2\nnobody\n")
    out = tmp_path / "recs.jsonl"
    result = CliRunner().invoke(
        app, ["--data-dir", str(settings.data_dir), "recommend", "--dataset", "ml-100k",
              "--users", str(users), "--k", "10", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["user_id"] for line in lines] == ["1", "2", "nobody"]
    catalogue = set(ml100k.items["item_id"])
    assert all(len(line["items"]) == 10 and set(line["items"]) <= catalogue for line in lines)
    # raw id "1" went through the data directory's keyed hash: user 1's 272 rated movies are all excluded
    pseudonym = Pseudonymizer.for_data_dir(settings.data_dir).user_id("1")
    seen = set(ml100k.interactions.loc[ml100k.interactions["user_id"] == pseudonym, "item_id"])
    assert len(seen) == 272
    assert not seen & set(lines[0]["items"])


def test_eval_prints_table_and_writes_json(settings, ml100k, small_grids, tmp_path):
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        app, ["--data-dir", str(settings.data_dir), "eval", "--dataset", "ml-100k", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "| **fusion** |" in result.stdout
    report = json.loads(out.read_text())
    assert [row["name"] for row in report["rows"]][-1] == "fusion"
    assert report["n_evaluated"] == 943 and report["machine"]["cpu_cores"] >= 1


def test_eval_names_unknown_generators(settings, ml100k):
    result = CliRunner().invoke(
        app, ["--data-dir", str(settings.data_dir), "eval", "--dataset", "ml-100k", "--generators", "ease,magic"]
    )
    assert result.exit_code == 1
    assert "unknown generator(s) ['magic']" in result.output
