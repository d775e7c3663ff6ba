"""A fitted fusion kept as arrays, never as a pickle: `<name>.npz` (loaded with
`allow_pickle=False`) and a JSON sidecar `<name>.json` with the format, the code version, the
configuration hash, the data fingerprint and, per generator, its class, config and the kind of each
fitted attribute.

A generator's fitted state is its attributes: numpy arrays, scipy sparse matrices, numbers and
strings. Anything else cannot be kept, and saving says so (`ModelStoreError`), so the caller refits
instead. Loading rebuilds each generator without calling its constructor and attaches the training
interactions, which the caller rebuilds from the data set.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

import recassist
from recassist.errors import ModelStoreError
from recassist.retrieval.fusion import Fusion, FusionConfig
from recassist.retrieval.generators import GENERATORS, Generator
from recassist.retrieval.generators.content import Content
from recassist.retrieval.generators.knowledge import Knowledge
from recassist.retrieval.interactions import Interactions
from recassist.settings import MemoryConfig

FORMAT = 1
# Not fitted state: the config (in the sidecar), the training data (rebuilt by the caller), the
# memory budget (the loading process's own) and library handles.
_NOT_STATE = frozenset({"config", "_train", "memory", "_blas"})


def code_version() -> str:
    """recassist's version and a hash of the generator and fusion sources: a fitted model from other
    code is refitted, not trusted."""
    digest = hashlib.sha256(recassist.__version__.encode())
    package = resources.files("recassist.retrieval")
    for name in sorted(
        p.name for p in package.joinpath("generators").iterdir() if p.name.endswith(".py")
    ):
        digest.update(package.joinpath("generators", name).read_bytes())
    digest.update(package.joinpath("fusion.py").read_bytes())
    return digest.hexdigest()[:16]


def save(fusion: Fusion, path: Path, header: dict[str, Any]) -> None:
    """Write `path.npz` and `path.json` (atomically, the sidecar last) for `fusion`."""
    arrays: dict[str, np.ndarray] = {}
    generators = {}
    for name, generator in fusion.generators.items():
        attrs = {}
        for attr, value in vars(generator).items():
            if attr in _NOT_STATE:
                continue
            attrs[attr] = _put(arrays, f"{name}.{attr}", value)
        generators[name] = {
            "class": type(generator).__name__,
            "config": generator.config.model_dump(mode="json"),
            "attrs": attrs,
        }
    sidecar = {
        "format": FORMAT,
        "code_version": code_version(),
        **header,
        "fusion": fusion.config.model_dump(mode="json"),
        "generators": generators,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path.with_suffix(".npz"))
    tmp_json = path.with_name(path.name + ".tmp.json")
    tmp_json.write_text(json.dumps(sidecar, sort_keys=True))
    tmp_json.replace(path.with_suffix(".json"))


def header(path: Path) -> dict[str, Any]:
    """The sidecar of a kept model; `ModelStoreError` when it is missing or unreadable."""
    try:
        return json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError) as err:
        raise ModelStoreError(
            f"no readable model sidecar at {path.with_suffix('.json')}: {err}"
        ) from err


def load(path: Path, train: Interactions, memory: MemoryConfig | None = None) -> Fusion:
    """The kept fusion, its generators fitted on `train` as they were (under the `memory` budget
    from now on); `ModelStoreError` when the files are unreadable or do not fit together."""
    meta = header(path)
    by_class = {cls.__name__: cls for cls in (*GENERATORS.values(), Content, Knowledge)}
    try:
        with np.load(path.with_suffix(".npz"), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        generators: dict[str, Generator] = {}
        for name, spec in meta["generators"].items():
            cls = by_class[spec["class"]]
            generator = cls.__new__(cls)
            generator.config = cls.config_type.model_validate(spec["config"])
            generator._train = train
            generator.memory = memory or MemoryConfig()
            for attr, kind in spec["attrs"].items():
                setattr(generator, attr, _get(arrays, f"{name}.{attr}", kind))
            generators[name] = generator
        return Fusion(generators, FusionConfig.model_validate(meta["fusion"]))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as err:
        raise ModelStoreError(
            f"the kept model at {path.with_suffix('.npz')} is unreadable: {err}"
        ) from err


def _put(arrays: dict[str, np.ndarray], key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise ModelStoreError(f"{key} is an object array, which cannot be kept without pickle")
        arrays[key] = value
        return {"kind": "array"}
    if sp.issparse(value):
        matrix = value.tocsr()
        arrays[f"{key}.data"], arrays[f"{key}.indices"], arrays[f"{key}.indptr"] = (
            matrix.data,
            matrix.indices,
            matrix.indptr,
        )
        return {"kind": "csr", "shape": list(matrix.shape)}
    if value is None or isinstance(value, bool | int | float | str):
        return {"kind": "scalar", "value": value}
    raise ModelStoreError(
        f"{key} is a {type(value).__name__}, which the model store cannot keep; it is refitted instead"
    )


def _get(arrays: dict[str, np.ndarray], key: str, kind: dict[str, Any]) -> Any:
    if kind["kind"] == "array":
        return arrays[key]
    if kind["kind"] == "csr":
        return sp.csr_matrix(
            (arrays[f"{key}.data"], arrays[f"{key}.indices"], arrays[f"{key}.indptr"]),
            shape=tuple(kind["shape"]),
        )
    if kind["kind"] == "scalar":
        return kind["value"]
    raise KeyError(f"unknown kind {kind['kind']!r} of {key}")
