"""`recassist recommend` and `recassist eval` end to end on the real ML-100k, with one config per
generator."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from recassist.cli import app
from recassist.data.pseudonym import Pseudonymizer
from recassist.retrieval import training
from recassist.retrieval.generators import (
    ALSConfig,
    EASEConfig,
    ItemKNNConfig,
    PopularityConfig,
    TransitionConfig,
)

SMALL_GRIDS = {
    "popularity": (PopularityConfig(),),
    "itemknn": (ItemKNNConfig(neighbours=50),),
    "ease": (EASEConfig(regularization=200.0),),
    "als": (ALSConfig(factors=16, iterations=5),),
    "transition": (TransitionConfig(),),
}


@pytest.fixture()
def small_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "DEFAULT_GRIDS", {**training.DEFAULT_GRIDS, **SMALL_GRIDS})


def test_recommend_writes_raw_ids_and_serves_unknown_users(settings, ml100k, small_grids, tmp_path):
    users = tmp_path / "users.txt"
    users.write_text("1\n2\nnobody\n")
    out = tmp_path / "recs.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(settings.data_dir),
            "recommend",
            "--dataset",
            "ml-100k",
            "--users",
            str(users),
            "--k",
            "10",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["user_id"] for line in lines] == ["1", "2", "nobody"]
    catalogue = set(ml100k.items["item_id"])
    assert all(len(line["items"]) == 10 and set(line["items"]) <= catalogue for line in lines)
    # raw id "1" went through the data directory's keyed hash: user 1's 271 rated movies are all
    # excluded (272 in the raw file, one of them the placeholder item 267, which the import drops)
    pseudonym = Pseudonymizer.for_data_dir(settings.data_dir).user_id("1")
    seen = set(ml100k.interactions.loc[ml100k.interactions["user_id"] == pseudonym, "item_id"])
    assert len(seen) == 271
    assert not seen & set(lines[0]["items"])


def test_eval_prints_table_and_writes_json(settings, ml100k, small_grids, tmp_path):
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(settings.data_dir), "eval", "--dataset", "ml-100k", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "| **fusion** |" in result.stdout
    report = json.loads(out.read_text())
    assert [row["name"] for row in report["rows"]][-2:] == ["fusion", "fusion+calibration"]
    assert "| fusion+calibration |" in result.stdout and "calibration_kl@10" in result.stdout
    assert report["rows"][-2]["fairness"]["ndcg@10_by_group"]["gender"]["gap"]["value"] >= 0
    assert report["n_evaluated"] == 943 and report["machine"]["cpu_cores"] >= 1


def test_eval_names_unknown_generators(settings, ml100k):
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(settings.data_dir),
            "eval",
            "--dataset",
            "ml-100k",
            "--generators",
            "ease,magic",
        ],
    )
    assert result.exit_code == 1
    assert "unknown generator(s) ['magic']" in result.output


def test_eval_rerank_compares_fusion_with_the_real_llm(
    settings, ml100k, small_model_path, tmp_path, monkeypatch
):
    """`eval --rerank` on a fusion taken from an earlier report: the 0.5B model scores real users'
    lists."""
    from recassist.evaluation.rerank import WEIGHTS

    monkeypatch.setenv("RECASSIST_LLM__MODEL", str(small_model_path))
    args = ["--data-dir", str(settings.data_dir), "eval", "--dataset", "ml-100k"]
    report = tmp_path / "eval.json"
    first = CliRunner().invoke(
        app, [*args, "--generators", "popularity,transition", "--json", str(report)]
    )
    assert first.exit_code == 0, first.output
    out = tmp_path / "rerank.json"
    result = CliRunner().invoke(
        app,
        [
            *args,
            "--rerank",
            "--report",
            str(report),
            "--rerank-users",
            "6",
            "--rerank-validation-users",
            "4",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| fusion + rerank (" in result.stdout and "| LLM order alone |" in result.stdout
    saved = json.loads(out.read_text())
    rerank = saved["rerank"]
    assert saved["fusion_report"] == str(report) and rerank["model"] == str(small_model_path)
    assert (rerank["test_users"], rerank["validation_users"], rerank["llm_failures"]) == (6, 4, 0)
    assert rerank["weight"] in WEIGHTS and rerank["llm_s_per_user"]["mean"] > 0
    ndcg = rerank["test_ndcg10"]
    assert all(0.0 <= value <= 1.0 for value in ndcg.values())
    if rerank["weight"] == 0:
        assert ndcg["fusion+rerank"] == ndcg["fusion"]


def test_eval_rerank_names_a_bad_report(settings, ml100k, tmp_path):
    bad = tmp_path / "not-a-report.json"
    bad.write_text('{"rows_missing": true}')
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(settings.data_dir),
            "eval",
            "--dataset",
            "ml-100k",
            "--rerank",
            "--report",
            str(bad),
        ],
    )
    assert result.exit_code == 2
    squeezed = "".join(result.output.replace("│", "").split())  # typer wraps the message in a box
    assert f"{bad}isnota`recassisteval--json`report" in squeezed
