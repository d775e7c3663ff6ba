"""The fitted candidate pipeline a serving process loads: generators tuned and fused as the evaluation
protocol does (each user's last item as validation, or a random one when the data has no time order), then
refitted on all interactions.

Fitting happens once per data set content and index; the result is kept in
`<data_dir>/index/<dataset>/serving.pkl` beside a signature, so the app's next start only loads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass

from recassist.settings import Settings
from retrieval.data.store import Dataset
from retrieval.fusion import Fusion
from retrieval.interactions import Interactions

log = logging.getLogger(__name__)

FILE = "serving.pkl"


@dataclass
class ServingModel:
    """A fusion fitted on all of a data set, with the id vocabularies it speaks."""

    data: Interactions
    fusion: Fusion
    signature: str


def _signature(settings: Settings, dataset: Dataset) -> str:
    index_manifest = settings.data_dir / "index" / dataset.name / "manifest.json"
    index = json.loads(index_manifest.read_text()).get("signature") if index_manifest.is_file() else None
    holdout = "last" if dataset.time_order.has_order else "random"  # models tuned before the rule differ
    payload = json.dumps(
        {"dataset": dataset.fingerprint, "events": settings.events, "index": index, "holdout": holdout}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def fit_serving_model(settings: Settings, dataset: Dataset, progress: Callable[[str], None] = log.info) -> ServingModel:
    """Tune on one held-out item per user (the last, or a random one without a time order), refit on
    everything (what `recassist recommend` does)."""
    from retrieval.training import refit, tune_all
    from retrieval.generators.content import content_builders
    from retrieval.interactions import Split

    data = Interactions.from_dataset(dataset, settings.events)
    builders, grids = content_builders(settings, dataset.name, data.items)
    split = Split.for_data(data)
    tuned = tune_all(split.train_validation, split.test, grids=grids, builders=builders, progress=progress)
    fusion, _ = refit(tuned.fusion, data)
    return ServingModel(data, fusion, _signature(settings, dataset))


def load_serving_model(
    settings: Settings, dataset: Dataset, progress: Callable[[str], None] = log.info
) -> ServingModel:
    """The kept serving model when it matches the data set and index, else a freshly fitted (and kept) one."""
    path = settings.data_dir / "index" / dataset.name / FILE
    signature = _signature(settings, dataset)
    if path.is_file():
        with path.open("rb") as handle:
            model = pickle.load(handle)
        if isinstance(model, ServingModel) and model.signature == signature:
            return model
    progress(f"fitting the candidate generators on '{dataset.name}' (once per data set) ...")
    model = fit_serving_model(settings, dataset, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return model
