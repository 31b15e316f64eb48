"""Distinct rows of a few columns, found by hashing rather than sorting whole rows.

Model fits and k-means sum over distinct (x, t_x, T) or feature rows weighted by how
often each occurs; on millions of customers ``np.unique(axis=0)`` (a sort of the rows
as raw bytes) is the slowest step of the fit, this a small fraction of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlbizops.core.errors import InputError


def distinct_rows(*columns) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(the distinct rows' columns, how often each occurs, each row's distinct row).

    The distinct rows come in the order ``np.unique(axis=0)`` gives: sorted by the
    first column, then the second, …

    >>> (x, y), counts, which = distinct_rows([2, 1, 2], [5.0, 7.0, 5.0])
    >>> x.tolist(), y.tolist(), counts.tolist(), which.tolist()
    ([1, 2], [7.0, 5.0], [1, 2], [1, 0, 1])
    """
    if not columns:
        raise InputError("distinct_rows needs at least one column")
    if len({len(c) for c in columns}) > 1:
        raise InputError("the columns must have the same number of rows")
    key = np.zeros(len(columns[0]), dtype=np.int64)
    levels = []
    for column in columns:
        codes, values = pd.factorize(np.asarray(column), sort=True)
        levels.append(values)
        if len(values) and key.max(initial=0) + 1 > np.iinfo(np.int64).max // len(values):
            # too many combinations for one integer key: sort the rows themselves
            unique, which, counts = np.unique(
                np.column_stack(columns), axis=0, return_inverse=True, return_counts=True
            )
            return [unique[:, j] for j in range(unique.shape[1])], counts, which.ravel()
        key = key * len(values) + codes
    keys, which, counts = np.unique(key, return_inverse=True, return_counts=True)
    out = []
    for values in reversed(levels):
        keys, code = np.divmod(keys, len(values))
        out.append(np.asarray(values)[code])
    return out[::-1], counts, which
