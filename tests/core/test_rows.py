"""distinct_rows against numpy's row sort, and the fits that use it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xlbizops.core import segmentation
from xlbizops.core.rows import distinct_rows


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from([0.5, 1.25, 3.0]), st.integers(-2, 2)),
        min_size=1,
        max_size=40,
    )
)
def test_distinct_rows_are_numpys_unique_rows(rows):
    table = np.array(rows, dtype=float)
    expected, inverse, counts = np.unique(table, axis=0, return_inverse=True, return_counts=True)
    got, got_counts, which = distinct_rows(*table.T)
    np.testing.assert_array_equal(np.column_stack(got), expected)
    np.testing.assert_array_equal(got_counts, counts)
    np.testing.assert_array_equal(which, inverse.ravel())
    np.testing.assert_array_equal(np.column_stack(got)[which], table)  # back to every row


def test_many_levels_fall_back_to_sorting_rows():
    rng = np.random.default_rng(3)
    columns = [rng.random(2_000) for _ in range(6)]  # 2000**6 combinations: no int64 key
    got, counts, which = distinct_rows(*columns)
    assert counts.sum() == 2_000 and len(got) == 6
    np.testing.assert_array_equal(np.column_stack(got)[which], np.column_stack(columns))


def test_kmeans_on_a_drawn_subset_finds_the_same_segments(monkeypatch):
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = np.vstack([c + rng.normal(0, 1, (3_000, 2)) for c in centres])
    full = segmentation.kmeans_segments(points, 3)
    monkeypatch.setattr(segmentation, "FIT_ROWS", 900)
    drawn = segmentation.kmeans_segments(points, 3)
    assert (drawn.labels == full.labels).mean() > 0.999
    np.testing.assert_allclose(drawn.centers, full.centers, atol=0.05)
    assert abs(drawn.inertia / full.inertia - 1) < 0.01  # on z-scores, both
