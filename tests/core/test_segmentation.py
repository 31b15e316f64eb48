"""k-means segmentation: recovery of clearly separated groups, scaling, determinism."""

import numpy as np
import pytest

from xlbizops.core import InputError
from xlbizops.core.segmentation import kmeans_segments, segment_profile


def _blobs(seed=7):
    rng = np.random.default_rng(seed)
    centres = [(0.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    return np.vstack([rng.normal(c, 0.5, size=(40, 2)) for c in centres])


def test_recovers_clearly_separated_groups_numbered_by_first_appearance():
    labels = kmeans_segments(_blobs(), 3).labels
    assert labels.tolist() == [1] * 40 + [2] * 40 + [3] * 40


def test_same_input_same_answer_whatever_the_seed_numbering():
    x = _blobs()[np.random.default_rng(1).permutation(120)]
    a = kmeans_segments(x, 3, seed=0).labels
    b = kmeans_segments(x, 3, seed=12345).labels
    assert a.tolist() == b.tolist()
    assert a[0] == 1


def test_standardising_stops_dollars_drowning_counts():
    # Orders per year split customers into two groups (2 vs 20); spend is noise
    # with a spread of thousands of dollars.  Unscaled, k-means splits on spend.
    rng = np.random.default_rng(3)
    orders = np.r_[rng.normal(2, 0.3, 100), rng.normal(20, 0.3, 100)]
    spend = rng.normal(5000, 2000, 200)
    x = np.column_stack([orders, spend])
    truth = np.r_[np.zeros(100), np.ones(100)]
    scaled = kmeans_segments(x, 2).labels
    raw = kmeans_segments(x, 2, standardize_features=False).labels

    def agreement(labels):
        same = (labels == labels[0]) == (truth == truth[0])
        return same.mean()

    assert agreement(scaled) == 1.0
    assert agreement(raw) < 0.8


def test_profile_is_in_original_units():
    x = np.array([[1.0, 100.0], [3.0, 300.0], [10.0, 1000.0]])
    profile = segment_profile(x, np.array([1, 1, 2]), ["orders", "spend"])
    assert profile["size"].tolist() == [2, 1]
    assert profile["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert profile["orders"].tolist() == [2.0, 10.0]
    assert profile["spend"].tolist() == [200.0, 1000.0]


@pytest.mark.parametrize(
    ("x", "k", "message"),
    [
        (np.ones((3, 2)), 4, "k must be at most the number of rows (3); got 4"),
        (np.array([[1.0, 1], [1, 1], [2, 2]]), 3, "number of distinct rows (2)"),
        (np.ones((3, 2)), 0, "k must be at least 1"),
        (np.array([[1.0, np.nan]]), 1, "data must be a finite number"),
    ],
)
def test_bad_input(x, k, message):
    with pytest.raises(InputError) as err:
        kmeans_segments(x, k)
    assert message in str(err.value)


# --- Choosing k -----------------------------------------------------------------------

from tests.oracles import (  # noqa: E402
    COUNTRY_DISSIMILARITY_LOWER,
    COUNTRY_PARTITION_K2,
    COUNTRY_PARTITION_K3,
)
from xlbizops.core.segmentation import best_k, compare_k, mean_silhouette  # noqa: E402


def test_silhouette_of_rousseeuw_1987_country_partitions():
    d = np.zeros((12, 12))
    d[np.tril_indices(12, -1)] = COUNTRY_DISSIMILARITY_LOWER
    d += d.T
    assert mean_silhouette(d, COUNTRY_PARTITION_K2, metric="precomputed") == pytest.approx(
        0.28, abs=0.005
    )
    assert mean_silhouette(d, COUNTRY_PARTITION_K3, metric="precomputed") == pytest.approx(
        0.33, abs=0.005
    )


def test_k_by_silhouette_finds_the_three_groups():
    assert best_k(_blobs(), k_max=6) == 3
    table = compare_k(_blobs(), k_max=5)
    assert table["k"].tolist() == [2, 3, 4, 5]
    assert table["inertia"].is_monotonic_decreasing
    assert table["silhouette"].idxmax() == 1  # k = 3


def test_compare_k_needs_enough_distinct_rows():
    with pytest.raises(InputError, match="at least 3 distinct rows"):
        compare_k(np.array([[1.0, 1.0], [2.0, 2.0], [2.0, 2.0]]))
