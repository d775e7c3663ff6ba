"""The people of one data set as the marketer features see them: attributes, likes, interests,
activity and (when the index is built) profile vectors, all as arrays over user rows.

- A *like* is a rating at or above `like_threshold` or any `like`, `purchase`, `share`, `comment` or
  `click` event; views and low ratings are not likes.
- A user's *interests* are their `interests_per_user` most distinctive tags: among the tags of the
  items they liked (at least two likes, or one for users with fewer than five likes), those whose
  share of the user's likes is highest relative to the tag's share of all likes. Bounding interests
  per user bounds what one person adds to any tag count (see `audiences.privacy`).
- A user's *liked items* are their `items_per_user` favourite likes (highest rated, then latest),
  for the same reason.

Built once per data set (about a second on ML-1M) and read-only afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.settings import AudienceConfig

POSITIVE_EVENTS = ("like", "purchase", "share", "comment", "click")


@dataclass
class Population:
    dataset: str
    fingerprint: str
    user_ids: np.ndarray  # pseudonyms, row order of every array below
    attributes: pd.DataFrame  # one row per user (same order), the users table's attribute columns
    item_ids: np.ndarray
    titles: np.ndarray
    tags: list[str]  # the public tag vocabulary
    interactions: pd.DataFrame  # user_row, item_row, timestamp, liked (+ text columns when present)
    interests: sp.csr_matrix  # users x tags, 1 where the tag is one of the user's interests
    liked_items: sp.csr_matrix  # users x items, the latest `items_per_user` likes
    item_tags: sp.csr_matrix  # items x tags
    vectors: np.ndarray | None = None  # users x dim profile vectors (unit length), when indexed

    @property
    def size(self) -> int:
        return len(self.user_ids)

    def rows(self, user_ids) -> np.ndarray:
        """Row numbers of the given pseudonyms (unknown ones dropped)."""
        index = pd.Index(self.user_ids)
        found = index.get_indexer(pd.Index(list(user_ids)))
        return found[found >= 0]


def liked(interactions: pd.DataFrame, threshold: float) -> np.ndarray:
    events = interactions["event"].to_numpy()
    rating = (events == "rating") & (interactions["weight"].to_numpy() >= threshold)
    return rating | np.isin(events, POSITIVE_EVENTS)


def build_population(
    dataset: Dataset, config: AudienceConfig, index_folder: Path | None = None
) -> Population:
    """The data set as audience tables: users and their attributes, the item x tag matrix, the
    interactions by row, each user's interests and favourites (and their vectors from the index
    in `index_folder`, when given)."""
    users = dataset.users.reset_index(drop=True)
    user_ids = users["user_id"].to_numpy()
    items = dataset.items.reset_index(drop=True)
    item_ids = items["item_id"].to_numpy()
    vocabulary, item_tags = _item_tags(items)
    frame = _interaction_rows(dataset.interactions, user_ids, item_ids, config)
    likes = frame[frame["liked"]]
    shape = (len(users), len(items))
    like_matrix = _ones(likes, shape)  # a repeated like counts once
    interests = _interests(like_matrix @ item_tags, config.interests_per_user)
    # a person's favourites: their highest-rated likes first, the latest among equals (their own
    # data only, so the bound on what one person adds holds)
    latest = likes.sort_values(
        ["user_row", "weight", "timestamp"], ascending=[True, False, False], kind="stable"
    )
    latest = latest[latest.groupby("user_row").cumcount() < config.items_per_user]
    population = Population(
        dataset=dataset.name,
        fingerprint=dataset.fingerprint,
        user_ids=user_ids,
        attributes=users.drop(columns=["user_id"]),
        item_ids=item_ids,
        titles=items["title"].to_numpy(),
        tags=vocabulary,
        interactions=frame,
        interests=interests,
        liked_items=_ones(latest, shape),
        item_tags=item_tags,
    )
    if index_folder is not None:
        population.vectors = _load_vectors(index_folder, user_ids)
    return population


def _item_tags(items: pd.DataFrame) -> tuple[list[str], sp.csr_matrix]:
    """The sorted tag vocabulary and the items x tags 0/1 matrix."""
    tag_lists = [[t for t in str(tags).split(TAG_SEPARATOR) if t] for tags in items["tags"]]
    vocabulary = sorted({t for tags in tag_lists for t in tags})
    tag_col = {t: i for i, t in enumerate(vocabulary)}
    rows = np.repeat(np.arange(len(items)), [len(t) for t in tag_lists])
    cols = np.fromiter(
        (tag_col[t] for tags in tag_lists for t in tags), dtype=np.int64, count=len(rows)
    )
    item_tags = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(items), len(vocabulary))
    )
    return vocabulary, item_tags


def _interaction_rows(
    raw: pd.DataFrame, user_ids: np.ndarray, item_ids: np.ndarray, config: AudienceConfig
) -> pd.DataFrame:
    """The interactions by user and item row, marked liked or not, with their review text and
    department where the data set has them; rows of unknown users or items dropped."""
    frame = pd.DataFrame(
        {
            "user_row": pd.Index(user_ids).get_indexer(raw["user_id"]),
            "item_row": pd.Index(item_ids).get_indexer(raw["item_id"]),
            "timestamp": raw["timestamp"].to_numpy(),
            "liked": liked(raw, config.like_threshold),
            "weight": raw["weight"].to_numpy(),
        }
    )
    for column in ("text", "department"):
        if column in raw.columns:
            frame[column] = raw[column].to_numpy()
    return frame[(frame["user_row"] >= 0) & (frame["item_row"] >= 0)].reset_index(drop=True)


def _ones(pairs: pd.DataFrame, shape: tuple[int, int]) -> sp.csr_matrix:
    """users x items with a 1 where `pairs` (user_row, item_row) has a row, repeats counted once."""
    matrix = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (pairs["user_row"], pairs["item_row"])),
        shape=shape,
    )
    matrix.data[:] = 1.0
    return matrix


def _interests(tag_likes: sp.spmatrix, k: int) -> sp.csr_matrix:
    """users x tags: each user's `k` tags with the highest share of their likes relative to all
    likes."""
    counts = np.asarray(tag_likes.todense(), dtype=np.float64)
    total = counts.sum(axis=1, keepdims=True)
    overall = counts.sum(axis=0) / max(counts.sum(), 1.0)
    lift = np.divide(
        counts, total * overall, out=np.zeros_like(counts), where=(total > 0) & (overall > 0)
    )
    floor = np.where(counts.sum(axis=1, keepdims=True) >= 5, 2, 1)
    lift[counts < floor] = 0.0
    top = np.argsort(-lift, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(counts)), top.shape[1])
    cols = top.ravel()
    keep = lift[rows, cols] > 0
    return sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols[keep])), shape=counts.shape
    )


def _load_vectors(folder: Path, user_ids: np.ndarray) -> np.ndarray | None:
    """The index's user profile vectors in population row order (zeros for users without one)."""
    ids_path, vectors_path = folder / "user_ids.json", folder / "user_vectors.npy"
    if not (ids_path.is_file() and vectors_path.is_file()):
        return None
    ids = json.loads(ids_path.read_text())
    stored = np.load(vectors_path)
    out = np.zeros((len(user_ids), stored.shape[1]), dtype=np.float32)
    where = pd.Index(ids).get_indexer(pd.Index(user_ids))
    out[where >= 0] = stored[where[where >= 0]]
    return out
