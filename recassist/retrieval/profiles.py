"""Per-user features from interactions: the profile vector and temporal activity features.

Profile vector: the mean of the embeddings of the items a user interacted with, each weighted by the
interaction's strength (event weight x `weight`) and by recency (half-life `half_life_days` before
the user's latest interaction), over at most `max_history` latest interactions; L2-normalised.
Temporal features: share of activity per hour of day (UTC) and per day of week, first and last
activity, recency (days from the last activity to the end of the data set), interaction count.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.settings import ProfileConfig

_DAY = 86_400.0


def strengths(interactions: pd.DataFrame, events: Mapping[str, float]) -> np.ndarray:
    """Event weight x `weight` for each interaction (events unknown to `events` count 1)."""
    event_weight = interactions["event"].map(dict(events)).fillna(1.0).to_numpy(dtype=np.float32)
    return event_weight * interactions["weight"].to_numpy(dtype=np.float32)


def latest_first(interactions: pd.DataFrame) -> pd.DataFrame:
    """Interactions ordered by user, newest first, with file order breaking timestamp ties."""
    order = interactions.assign(_pos=np.arange(len(interactions)))
    return order.sort_values(
        ["user_id", "timestamp", "_pos"], ascending=[True, False, False], kind="stable"
    )


def profile_vectors(
    interactions: pd.DataFrame,
    item_rows: Mapping[str, int],
    item_vectors: np.ndarray,
    events: Mapping[str, float],
    config: ProfileConfig,
) -> tuple[list[str], np.ndarray]:
    """User ids and their profile vectors (rows aligned)."""
    frame = latest_first(interactions[interactions["item_id"].isin(item_rows.keys())])
    frame = frame[frame.groupby("user_id", sort=False).cumcount() < config.max_history]
    latest = frame.groupby("user_id", sort=False)["timestamp"].transform("max").to_numpy()
    age_days = (latest - frame["timestamp"].to_numpy()) / _DAY
    weights = strengths(frame, events) * np.power(0.5, age_days / config.half_life_days)
    users, user_rows = np.unique(frame["user_id"].to_numpy(), return_inverse=True)
    cols = frame["item_id"].map(item_rows).to_numpy()
    matrix = sp.csr_matrix(
        (weights.astype(np.float32), (user_rows, cols)), shape=(len(users), len(item_vectors))
    )
    vectors = np.asarray(matrix @ item_vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return users.tolist(), vectors


def temporal_features(interactions: pd.DataFrame) -> pd.DataFrame:
    """One row per user: hour_00..hour_23 and weekday_0..weekday_6 activity shares, first/last
    activity (epoch s), recency_days, n_interactions."""
    stamps = pd.to_datetime(interactions["timestamp"], unit="s", utc=True)
    frame = pd.DataFrame(
        {
            "user_id": interactions["user_id"].to_numpy(),
            "hour": stamps.dt.hour,
            "weekday": stamps.dt.day_of_week,
        }
    )
    hours = pd.crosstab(frame["user_id"], frame["hour"], normalize="index").reindex(
        columns=range(24), fill_value=0.0
    )
    hours.columns = [f"hour_{h:02d}" for h in hours.columns]
    days = pd.crosstab(frame["user_id"], frame["weekday"], normalize="index").reindex(
        columns=range(7), fill_value=0.0
    )
    days.columns = [f"weekday_{d}" for d in days.columns]
    grouped = interactions.groupby("user_id")["timestamp"]
    summary = pd.DataFrame(
        {
            "first_timestamp": grouped.min(),
            "last_timestamp": grouped.max(),
            "n_interactions": grouped.size(),
        }
    )
    summary["recency_days"] = (interactions["timestamp"].max() - summary["last_timestamp"]) / _DAY
    return summary.join(hours).join(days).reset_index()
