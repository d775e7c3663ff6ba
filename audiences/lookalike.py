"""Lookalike audiences: the users nearest a seed segment's profile, seeds excluded, sized 1-10 % of everyone.

Similarity is the cosine between a user's profile vector (the same vectors the index keeps in Chroma) and
the normalised mean of the seed's vectors. Quality is measured by `held_out_recall`: hide a share of the
seed, build the lookalike from the rest, and count how many hidden seeds it finds, against the share a
random draw of the same size finds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audiences.population import Population
from recassist.errors import QueryError

MIN_SEEDS = 100  # what ad platforms require of a seed list


def profile_vectors(population: Population) -> np.ndarray:
    if population.vectors is None:
        raise QueryError(
            f"lookalikes and clusters need the profile vectors of '{population.dataset}'; "
            f"run `recassist index build --dataset {population.dataset}`"
        )
    return population.vectors


def lookalike_rows(population: Population, seed: np.ndarray, share: float) -> np.ndarray:
    """Rows of the `share` x everyone users nearest the seed's centroid, seeds and profile-less users excluded."""
    vectors = profile_vectors(population)
    if int(seed.sum()) < MIN_SEEDS:
        raise QueryError(f"a lookalike needs at least {MIN_SEEDS} seed users; widen the seed segment")
    centroid = vectors[seed].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    scores = vectors @ centroid
    scores[seed | ~np.any(vectors != 0, axis=1)] = -np.inf
    size = max(1, int(round(share * population.size)))
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
    population: Population, seed: np.ndarray, *, share: float = 0.05, hidden_share: float = 0.2, seed_value: int = 0,
    random_draws: int = 20,
) -> RecallResult:
    rng = np.random.default_rng(seed_value)
    members = np.flatnonzero(seed)
    hidden = rng.choice(members, size=max(1, int(round(hidden_share * len(members)))), replace=False)
    kept = seed.copy()
    kept[hidden] = False
    chosen = lookalike_rows(population, kept, share)
    recall = float(np.isin(hidden, chosen).mean())
    pool = np.flatnonzero(~kept)
    random = [float(np.isin(hidden, rng.choice(pool, size=len(chosen), replace=False)).mean()) for _ in range(random_draws)]
    return RecallResult(int(seed.sum()), len(hidden), len(chosen), recall, float(np.mean(random)))
