"""Importing users' own files: good files in three formats, and every kind of bad input failing with
an error that names the file, row and field while the stored data set stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from recassist.cli import app
from recassist.data.importer import import_tables, read_files
from recassist.data.store import DatasetStore
from recassist.errors import InputFileError
from recassist.settings import Settings

ITEMS = "item_id,title,text,tags\ni1,Alien,Space horror,Horror|Sci-Fi\ni2,Toy Story,Toys come alive,Animation|Comedy\ni3,Heat,Heist,Crime\n"
USERS = "user_id,age\nalice,30\nbob,41\ncarol,25\n"
INTERACTIONS = (
    "user_id,item_id,event,timestamp,weight\n"
    "alice,i1,view,2024-01-02T10:00:00Z,\n"
    "alice,i2,like,1704190000,\n"
    "bob,i2,rating,2024-01-03 08:00:00+00:00,4\n"
    "bob,i3,purchase,1704200000,1\n"
    "carol,i1,click,1704300000,\n"
)
SOCIAL = "src_user_id,dst_user_id,kind,timestamp\nalice,bob,follow,1704000000\nbob,carol,friend,\n"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.fixture()
def shop(tmp_path: Path) -> tuple[Settings, Path]:
    """A data directory with a good data set 'shop' already imported."""
    settings = Settings(data_dir=tmp_path / "data")
    files = tmp_path / "in"
    files.mkdir()
    raw = read_files(
        items=write(files, "items.csv", ITEMS),
        interactions=write(files, "interactions.csv", INTERACTIONS),
        users=write(files, "users.csv", USERS),
        social=write(files, "social.csv", SOCIAL),
    )
    import_tables("shop", raw, settings, source="test")
    return settings, files


def snapshot(settings: Settings) -> dict[str, bytes]:
    folder = DatasetStore(settings.data_dir).path("shop")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_good_import_cleans_and_pseudonymises(shop) -> None:
    settings, _ = shop
    ds = DatasetStore(settings.data_dir).load("shop")
    assert len(ds.items) == 3 and len(ds.interactions) == 5 and len(ds.social) == 2
    assert ds.interactions["timestamp"].tolist()[:3] == [1704189600, 1704190000, 1704268800]
    assert ds.interactions["weight"].tolist() == [1.0, 1.0, 4.0, 1.0, 1.0]
    assert ds.items.set_index("item_id").loc["i1", "tags"] == "Horror|Sci-Fi"
    # raw user ids are stored nowhere: not in any table, not in the manifest
    folder = DatasetStore(settings.data_dir).path("shop")
    for path in folder.iterdir():
        for raw_id in (b"alice", b"carol"):
            assert raw_id not in path.read_bytes(), f"{raw_id!r} found in {path.name}"
    assert set(ds.users["user_id"]) == set(ds.interactions["user_id"]) | {
        ds.users["user_id"].iloc[1]
    }
    assert all(u.startswith("u") and len(u) == 17 for u in ds.users["user_id"])
    key = settings.data_dir / "secret.key"
    assert key.stat().st_mode & 0o077 == 0


def test_parquet_and_jsonl_inputs(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    items = pd.read_csv(pd.io.common.StringIO(ITEMS))
    items.to_parquet(tmp_path / "items.parquet")
    lines = [
        json.dumps(
            {"user_id": "u1", "item_id": "i3", "event": "share", "timestamp": 1700000000 + i}
        )
        for i in range(3)
    ]
    write(tmp_path, "events.jsonl", "\n".join(lines) + "\n")
    result = import_tables(
        "mixed",
        read_files(tmp_path / "items.parquet", tmp_path / "events.jsonl"),
        settings,
        source="t",
    )
    assert result.counts == {"items": 3, "users": 1, "interactions": 3, "social": 0}


BAD_CASES = {
    # name: (which file is replaced, its content, strict, expected message fragments)
    "malformed csv": (
        "items",
        ITEMS + "i4,Up,Balloons,Animation,extra\n",
        False,
        ["items.csv", "row 4 (line 5)", "expected 4 fields"],
    ),
    "missing column": (
        "interactions",
        "user_id,item_id,timestamp\nalice,i1,1704000000\n",
        False,
        ["field 'event'", "missing required column 'event'"],
    ),
    "bad timestamp": (
        "interactions",
        INTERACTIONS.replace("1704190000", "yesterday"),
        True,
        ["row 2", "field 'timestamp'", "bad timestamp 'yesterday'"],
    ),
    "bad weight": (
        "interactions",
        INTERACTIONS.replace(",4\n", ",four\n"),
        True,
        ["row 3", "field 'weight'", "'four' is not a number"],
    ),
    "unknown event": (
        "interactions",
        INTERACTIONS.replace("purchase", "teleport"),
        True,
        ["row 4", "field 'event'", "unknown event 'teleport'"],
    ),
    "duplicate id": (
        "items",
        ITEMS + "i2,Toy Story 2,Sequel,Animation\n",
        True,
        ["row 4", "field 'item_id'", "duplicate item_id 'i2' (kept row 2)"],
    ),
    "unknown user": (
        "interactions",
        INTERACTIONS + "mallory,i1,view,1704400000,\n",
        True,
        ["row 6", "field 'user_id'", "unknown user_id"],
    ),
    "unknown item": (
        "interactions",
        INTERACTIONS + "bob,i99,view,1704400000,\n",
        True,
        ["row 6", "field 'item_id'", "unknown item_id"],
    ),
    "empty file": ("items", "", False, ["items.csv", "the file is empty"]),
    "header only": ("items", "item_id,title,text,tags\n", False, ["items.csv", "no data rows"]),
    "not utf-8": (
        "items",
        ITEMS.encode() + "i4,Caf\u00e9,x,y\n".encode("latin-1"),
        False,
        ["line 5", "not UTF-8"],
    ),
    "1 MB title": (
        "items",
        ITEMS + "i4," + "A" * 1_048_576 + ",x,Drama\n",
        True,
        ["row 4", "field 'title'", "1,048,576 characters"],
    ),
    "most rows bad": (
        "interactions",
        INTERACTIONS.replace("i1", "i404"),
        False,
        ["2 of 5 interactions rows rejected", "over the limit of 5%"],
    ),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_input_fails_specifically_and_keeps_stored_data(shop, case: str) -> None:
    settings, files = shop
    before = snapshot(settings)
    which, content, strict, fragments = BAD_CASES[case]
    originals = {"items": ITEMS, "interactions": INTERACTIONS, "users": USERS, "social": SOCIAL}
    paths = {
        t: write(files, f"{t}.csv", content if t == which else originals[t]) for t in originals
    }
    with pytest.raises(InputFileError) as raised:
        import_tables("shop", read_files(**paths), settings, source="test", strict=strict)
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "mallory" not in message  # raw user ids never reach a message
    assert snapshot(settings) == before


def test_lenient_import_reports_rejected_rows(shop) -> None:
    settings, files = shop
    rows = (
        INTERACTIONS
        + "".join(f"bob,i{1 + i % 3},view,{1704500000 + i},\n" for i in range(40))
        + "bob,i2,view,soon,\n"
    )
    paths = read_files(
        items=files / "items.csv", interactions=write(files, "interactions.csv", rows)
    )
    result = import_tables("shop", paths, settings, source="test")
    report = result.reports["interactions"]
    assert report.rows_read == 46 and report.rows_kept == 45
    assert report.rejected == {"timestamp: bad timestamp": 1}
    assert report.examples == [
        "row 46, field 'timestamp': bad timestamp 'soon' (use epoch seconds or ISO 8601)"
    ]


def test_exact_duplicates_are_dropped_and_counted(shop) -> None:
    settings, files = shop
    rows = INTERACTIONS + INTERACTIONS.splitlines(keepends=True)[1]
    paths = read_files(
        items=files / "items.csv", interactions=write(files, "interactions.csv", rows)
    )
    result = import_tables("shop", paths, settings, source="test")
    assert result.reports["interactions"].exact_duplicates == 1
    assert result.counts["interactions"] == 5


def test_cli_import_shows_one_clear_error_line(shop) -> None:
    settings, files = shop
    bad = write(files, "bad.csv", INTERACTIONS.replace("like", "lick"))
    runner = CliRunner()
    args = [
        "--data-dir",
        str(settings.data_dir),
        "data",
        "import",
        "shop",
        "--items",
        str(files / "items.csv"),
        "--interactions",
        str(bad),
        "--strict",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "bad.csv, row 2, field 'event': unknown event 'lick'" in result.output
    assert "Traceback" not in result.output


def test_placeholder_items_are_dropped_with_their_interactions_and_named(shop) -> None:
    settings, files = shop
    items = (
        ITEMS + "i4,unknown,,\ni5,Unknown,,Thriller\n"
    )  # a placeholder, and a real item of that name
    rows = INTERACTIONS + "bob,i4,rating,1704500000,1\nbob,i5,view,1704500001,\n"
    paths = read_files(
        items=write(files, "items.csv", items), interactions=write(files, "interactions.csv", rows)
    )
    lenient = settings.model_copy(
        update={"imports": settings.imports.model_copy(update={"max_rejected_share": 0.5})}
    )
    result = import_tables("shop", paths, lenient, source="test")
    assert result.reports["items"].rejected == {"title: placeholder item": 1}
    assert "placeholder item 'i4': its title is 'unknown' and it has no tags" in result.summary()
    assert (
        result.reports["interactions"].rows_kept == 6
    )  # the rating of i4 is rejected with its item
    stored = DatasetStore(settings.data_dir).load("shop")
    assert "i4" not in set(stored.items["item_id"]) and "i5" in set(stored.items["item_id"])


def test_ml100k_placeholder_item_267_is_not_imported(ml100k, settings) -> None:
    """ML-100k's item 267 is titled 'unknown', with no genre and no date: the import drops it and
    says so."""
    assert "267" not in set(ml100k.items["item_id"]) and "267" not in set(
        ml100k.interactions["item_id"]
    )
    report = DatasetStore(settings.data_dir).manifest("ml-100k")
    assert "title: placeholder item" in json.dumps(report)
    assert len(ml100k.items) == 1681 and (ml100k.items["title"].str.lower() != "unknown").all()
