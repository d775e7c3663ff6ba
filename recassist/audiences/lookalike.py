"""Lookalike audiences: the users whose profiles most resemble a seed segment's, seeds excluded,
sized 1-10 % of everyone, and never under the smallest audience a marketer may be shown
(`min_size`).

On a small data set 10 % of everyone is under the minimum segment size (ML-100k: 94 of 943 people,
against 100), so the size is raised to the smallest audience that may be shown (`audiences.rowwise`
decides that and every refusal on privacy-protected counts, never here).

Two ways to score resemblance over the profile vectors (the same vectors the index keeps in Chroma):
- `classifier` (the default): a logistic regression of seed against everyone else on the profile
  vectors, the propensity-model approach of ad platforms; users are ranked by its score.
- `centroid`: the cosine to the seed's mean profile, both centred on everyone's mean profile
  (without centring, the nearest users to any seed's centroid are simply the most average users).
  `held_out_recall` measures them: hide a share of the seed, build the lookalike from the rest, and
  count how many hidden seeds it finds, against a random draw of the same size (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recassist.audiences.population import Population
from recassist.errors import QueryError

MIN_SEEDS = 100  # what ad platforms require of a seed list
Method = Literal["classifier", "centroid", "raw-centroid"]


def profile_vectors(population: Population) -> np.ndarray:
    if population.vectors is None:
        raise QueryError(
            f"lookalikes and clusters need the profile vectors of '{population.dataset}'; "
            f"run `recassist index build --dataset {population.dataset}`"
        )
    return population.vectors


def lookalike_scores(
    population: Population, seed: np.ndarray, method: Method = "classifier"
) -> np.ndarray:
    """Resemblance to the seed of every user (higher is closer)."""
    vectors = profile_vectors(population)
    if method == "classifier":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1.0, max_iter=500, class_weight="balanced")
        return model.fit(vectors, seed).decision_function(vectors)
    if method == "centroid":
        vectors = vectors - vectors.mean(axis=0)
    centroid = vectors[seed].mean(axis=0)
    return vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))


def lookalike_size(population: Population, share: float, min_size: int = 0) -> int:
    """`share` of everyone, raised to `min_size` (the smallest audience that may be shown)."""
    return max(1, int(round(share * population.size)), min_size)


def lookalike_rows(
    population: Population, seed: np.ndarray, size: int, method: Method = "classifier"
) -> np.ndarray:
    """Rows of the `size` users most like the seed, seeds and profile-less users excluded. Runs
    inside the privacy boundary, so it refuses nothing on exact counts: a seed with fewer than two
    people, or with no one outside it, gives no rows (the caller decides on the noisy counts of what
    it returns)."""
    vectors = profile_vectors(population)
    if int(seed.sum()) < 2 or int((~seed).sum()) < 2 or size < 1:
        return np.zeros(0, dtype=np.int64)
    scores = lookalike_scores(population, seed, method).astype(np.float64)
    scores[seed | ~np.any(vectors != 0, axis=1)] = -np.inf
    size = min(size, len(scores))
    top = np.argpartition(-scores, size - 1)[:size]
    return top[np.isfinite(scores[top])]


@dataclass(frozen=True)
class RecallResult:
    seeds: int
    hidden: int
    lookalike_size: int
    recall: float  # share of hidden seeds inside the lookalike
    random_recall: float  # the same for a random draw of the same size (mean of draws)


def held_out_recall(
    population: Population,
    seed: np.ndarray,
    *,
    share: float = 0.05,
    hidden_share: float = 0.2,
    seed_value: int = 0,
    random_draws: int = 20,
    method: Method = "classifier",
) -> RecallResult:
    rng = np.random.default_rng(seed_value)
    members = np.flatnonzero(seed)
    hidden = rng.choice(
        members, size=max(1, int(round(hidden_share * len(members)))), replace=False
    )
    kept = seed.copy()
    kept[hidden] = False
    chosen = lookalike_rows(population, kept, lookalike_size(population, share), method)
    recall = float(np.isin(hidden, chosen).mean())
    pool = np.flatnonzero(~kept)
    random = [
        float(np.isin(hidden, rng.choice(pool, size=len(chosen), replace=False)).mean())
        for _ in range(random_draws)
    ]
    return RecallResult(int(seed.sum()), len(hidden), len(chosen), recall, float(np.mean(random)))
