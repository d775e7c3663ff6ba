"""Keyed pseudonyms for user ids (HMAC-SHA256).

The key is made once per data directory and kept in `secret.key` (mode 0600); it is never logged.
The same raw id always maps to the same pseudonym under one key, so `recassist recommend` can take
raw ids and find the imported user, while the raw ids themselves are never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

KEY_FILE = "secret.key"
_PREFIX = "u"
_HEX_CHARS = 16  # 64 bits: collisions are out of reach for any user count this app serves


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("a pseudonym key must have at least 32 bytes")
        self._key = key

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Pseudonymizer:
        """The data directory's key, made on first use."""
        path = data_dir / KEY_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
        return cls(path.read_bytes())

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(key=<hidden>)"

    def user_id(self, raw: str) -> str:
        digest = hmac.new(self._key, str(raw).encode("utf-8"), hashlib.sha256).hexdigest()
        return _PREFIX + digest[:_HEX_CHARS]

    def user_ids(self, raw: pd.Series) -> pd.Series:
        """Vectorised over a column: each distinct id is hashed once."""
        mapping = {value: self.user_id(value) for value in pd.unique(raw)}
        return raw.map(mapping)
