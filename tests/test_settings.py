"""One typed settings object: defaults, recassist.toml, RECASSIST_* variables, in that rising order."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from recassist.settings import Settings


def test_toml_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().port == 7860 and Settings().chroma.url is None
    (tmp_path / "recassist.toml").write_text(
        'port = 9000\ndataset = "ml-1m"\n[chroma]\nurl = "http://db:8000"\n[events]\nview = 0.5\n'
    )
    settings = Settings()
    assert (settings.port, settings.dataset, settings.chroma.url, settings.events) == (
        9000,
        "ml-1m",
        "http://db:8000",
        {"view": 0.5},
    )
    monkeypatch.setenv("RECASSIST_PORT", "9100")
    monkeypatch.setenv("RECASSIST_EMBEDDING__BATCH_SIZE", "8")
    settings = Settings()
    assert (
        settings.port == 9100 and settings.embedding.batch_size == 8 and settings.dataset == "ml-1m"
    )


def test_bad_values_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recassist.toml").write_text("[embedding]\ndevice = 'tpu'\n")
    with pytest.raises(ValidationError, match="device"):
        Settings()
    (tmp_path / "recassist.toml").write_text("prot = 1\n")
    with pytest.raises(ValidationError, match="prot"):
        Settings()
