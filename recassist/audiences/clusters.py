"""Behaviour clusters: k-means (scikit-learn) over user profile vectors, k chosen by silhouette.

The profiles (unit length, so Euclidean k-means ranks like cosine) are first projected on their 32
main axes (PCA), which keeps the clusters and makes each fit cheap. k runs from 2 to `max_k`; each
candidate is fitted on a fixed random sample of at most 2,000 profiles and scored by its silhouette
on that sample. The best k is refitted on every profile of the segment.
"""

from __future__ import annotations

import numpy as np

from recassist.audiences.lookalike import profile_vectors
from recassist.audiences.population import Population

SAMPLE = 2000
DIMENSIONS = 32


def fit_clusters(
    population: Population, segment: np.ndarray, max_k: int = 8, seed: int = 0
) -> np.ndarray:
    """Cluster of each user (-1 for users outside the segment or without a profile)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    vectors = profile_vectors(population)
    rows = np.flatnonzero(segment & np.any(vectors != 0, axis=1))
    rng = np.random.default_rng(seed)
    sample = rows if len(rows) <= SAMPLE else rng.choice(rows, SAMPLE, replace=False)
    reduced = np.zeros((population.size, DIMENSIONS), dtype=np.float32)
    pca = PCA(n_components=min(DIMENSIONS, vectors.shape[1], len(sample)), random_state=seed).fit(
        vectors[sample]
    )
    reduced[rows, : pca.n_components_] = pca.transform(vectors[rows])
    vectors = reduced
    best_k, best_score = 2, -1.0
    for k in range(2, max(2, min(max_k, len(sample) - 1)) + 1):
        fitted = KMeans(n_clusters=k, n_init=2, random_state=seed).fit(vectors[sample])
        score = float(silhouette_score(vectors[sample], fitted.labels_, random_state=seed))
        if score > best_score:
            best_k, best_score = k, score
    final = KMeans(n_clusters=best_k, n_init=3, random_state=seed).fit(vectors[rows])
    labels = np.full(population.size, -1, dtype=np.int64)
    labels[rows] = final.labels_
    return labels
