"""The fitted candidate pipeline a serving process loads: generators tuned and fused as the
evaluation protocol does (each user's last item as validation, or a random one when the data has no
time order), then refitted on all interactions.

Fitting happens once per data set content, index, settings and code; the result is kept as arrays in
`<data_dir>/index/<dataset>/serving.npz` with its JSON sidecar (`retrieval.model_store`, no pickle),
so the app's next start only loads it. A kept model from other data, settings or code, or one that
cannot be read, is fitted again, with one log line that says why.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from recassist.data.knowledge import graph_signature
from recassist.data.store import Dataset
from recassist.errors import ModelStoreError
from recassist.retrieval import model_store
from recassist.retrieval.fusion import Fusion
from recassist.retrieval.interactions import Interactions
from recassist.settings import Settings

log = logging.getLogger(__name__)

FILE = "serving"  # serving.npz and serving.json


@dataclass
class ServingModel:
    """A fusion fitted on all of a data set, with the id vocabularies it speaks."""

    data: Interactions
    fusion: Fusion
    signature: str


def _config_hash(settings: Settings, dataset: Dataset) -> str:
    """The settings and index the serving model depends on: event weights and the index build."""
    index_manifest = settings.data_dir / "index" / dataset.name / "manifest.json"
    index = (
        json.loads(index_manifest.read_text()).get("signature")
        if index_manifest.is_file()
        else None
    )
    holdout = (
        "last" if dataset.time_order.has_order else "random"
    )  # the validation rule the tuning used
    graph = graph_signature(settings.data_dir, dataset.name)  # a graph fetched later makes a refit
    payload = json.dumps(
        {"events": settings.events, "index": index, "holdout": holdout, "graph": graph},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _signature(settings: Settings, dataset: Dataset) -> str:
    """The data fingerprint and the config hash together: what a kept model must match."""
    return hashlib.sha256(
        f"{dataset.fingerprint}:{_config_hash(settings, dataset)}".encode()
    ).hexdigest()


def fit_serving_model(
    settings: Settings, dataset: Dataset, progress: Callable[[str], None] = log.info
) -> ServingModel:
    """Tune on one held-out item per user (the last, or a random one without a time order), refit on
    everything (what `recassist recommend` does)."""
    from recassist.retrieval.generators.content import content_builders
    from recassist.retrieval.generators.knowledge import knowledge_builders
    from recassist.retrieval.interactions import Split
    from recassist.retrieval.training import refit, tune_all

    data = Interactions.from_dataset(dataset, settings.events)
    builders, grids = content_builders(settings, dataset.name, data.items)
    kg_builders, kg_grids = knowledge_builders(
        settings, dataset.name, data.items
    )  # where a graph was fetched
    builders, grids = {**builders, **kg_builders}, {**grids, **kg_grids}
    split = Split.for_data(data)
    tuned = tune_all(
        split.train_validation,
        split.test,
        grids=grids,
        builders=builders,
        progress=progress,
        memory=settings.memory,
    )
    fusion, _ = refit(tuned.fusion, data)
    return ServingModel(data, fusion, _signature(settings, dataset))


def load_serving_model(
    settings: Settings, dataset: Dataset, progress: Callable[[str], None] = log.info
) -> ServingModel:
    """The kept serving model when it matches the data set, index, settings and code, else a freshly
    fitted (and kept) one."""
    path = settings.data_dir / "index" / dataset.name / FILE
    signature = _signature(settings, dataset)
    data = Interactions.from_dataset(dataset, settings.events)
    try:
        kept = model_store.header(path)
        stale = [
            what
            for what, now in (
                ("code", model_store.code_version()),
                ("data and settings", signature),
            )
            if kept.get({"code": "code_version", "data and settings": "signature"}[what]) != now
        ]
        if not stale:
            return ServingModel(data, model_store.load(path, data, settings.memory), signature)
        log.info(
            "refitting the serving model of '%s': its %s changed", dataset.name, " and ".join(stale)
        )
    except ModelStoreError as err:
        if path.with_suffix(".json").exists() or path.with_suffix(".npz").exists():
            log.warning("refitting the serving model of '%s': %s", dataset.name, err)
    progress(f"fitting the candidate generators on '{dataset.name}' (once per data set) ...")
    model = fit_serving_model(settings, dataset, progress)
    try:
        model_store.save(
            model.fusion,
            path,
            {
                "signature": signature,
                "dataset": dataset.name,
                "data_fingerprint": dataset.fingerprint,
                "config_hash": _config_hash(settings, dataset),
            },
        )
    except ModelStoreError as err:
        log.warning(
            "the serving model of '%s' is not kept (it is fitted at each start): %s",
            dataset.name,
            err,
        )
    return model
