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

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError


@dataclass(frozen=True)
class Segmentation:
    """``labels`` 1..k per input row; ``centers`` k × features in the original units."""

    labels: np.ndarray
    centers: np.ndarray
    inertia: float


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
    distinct rows.
    """
    x = v.as_numbers("data", features)
    if x.ndim != 2:
        raise InputError("data must be a table: one row per customer, one column per feature")
    n = x.shape[0]
    k = v.whole_number("k", k, minimum=1)
    seed = v.whole_number("seed", seed, minimum=0, maximum=2**32 - 1)
    if k > n:
        raise InputError(f"k must be at most the number of rows ({n}); got {k}")
    distinct = len(np.unique(x, axis=0))
    if k > distinct:
        raise InputError(f"k must be at most the number of distinct rows ({distinct}); got {k}")
    z = standardize(x) if standardize_features else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # checked just below
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(z)
    found, first_rows = np.unique(model.labels_, return_index=True)
    if len(found) < k:  # rows too close to tell apart at floating-point precision
        raise InputError(
            f"data has only {len(found)} distinguishable groups; use k <= {len(found)}"
        )
    # Renumber 1..k by first appearance so the numbering does not depend on the seed.
    order = np.argsort(first_rows)
    new_label = np.empty(k, dtype=int)
    new_label[order] = np.arange(1, k + 1)
    labels = new_label[model.labels_]
    centers = np.vstack([x[labels == j].mean(axis=0) for j in range(1, k + 1)])
    return Segmentation(labels=labels, centers=centers, inertia=float(model.inertia_))


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
