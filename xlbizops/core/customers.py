"""Customers: recency-frequency-monetary (RFM) scoring and named segments.

RFM after Hughes, *Strategic Database Marketing* (1994); quantile scores follow the
common convention (oracles README): recency in days since the last order, fewer days
score higher; frequency ranked "first" to break ties before cutting into quantiles;
monetary ascending.  Named segments use the widely published R×F map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError

RFM_COLUMNS = [
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "R",
    "F",
    "M",
    "RFM",
    "score",
    "segment",
]

# Segment name by (R, F) on the 1..5 scale; rows are R = 1..5, columns F = 1..5.
_SEGMENT_MAP = np.array(
    [
        ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"],
        ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose"],
        ["About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers",
         "Loyal Customers"],
        ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers",
         "Loyal Customers"],
        ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions",
         "Champions"],
    ],
    dtype=object,
)  # fmt: skip


def quantile_scores(values, bins: int, ties: str = "average") -> np.ndarray:
    """Scores 1..bins by rank: equal-count groups, higher value → higher score.

    Equivalent to ``pandas.qcut(rank, bins, labels=1..bins)`` on ranks 1..n: interior
    cut points sit at 1 + (n − 1)·j/bins and each group is closed on the right.
    ``ties="average"`` gives equal values equal scores; ``ties="first"`` breaks ties
    by position (the frequency convention).  Either way a strictly larger value never
    scores lower.
    """
    n = len(values)
    ranks = rankdata(values, method="average" if ties == "average" else "ordinal")
    cuts = 1.0 + (n - 1) * np.arange(1, bins) / bins
    return np.searchsorted(cuts, ranks, side="left") + 1


def rfm_segment(r_score, f_score, bins: int = 5) -> np.ndarray:
    """Named segment for R and F scores on a 1..``bins`` scale.

    Scores are first put on the 1..5 scale of the standard map (ceil(s·5/bins)), then
    looked up: 5[4-5] Champions, [3-4][4-5] Loyal Customers, [4-5][2-3] Potential
    Loyalists, 51 New Customers, 41 Promising, 33 Need Attention, 3[1-2] About to
    Sleep, [1-2]5 Can't Lose, [1-2][3-4] At Risk, [1-2][1-2] Hibernating.

    >>> rfm_segment([5, 1, 3], [5, 5, 3]).tolist()
    ['Champions', "Can't Lose", 'Need Attention']
    """
    bins = v.whole_number("bins", bins, minimum=2, maximum=100)
    r = v.as_numbers("r_score", r_score)
    f = v.as_numbers("f_score", f_score)
    v.same_length(r_score=r, f_score=f)
    for name, s in (("r_score", r), ("f_score", f)):
        bad = (s < 1) | (s > bins) | (s != np.round(s))
        if bad.any():
            raise InputError(f"{name} must be whole scores from 1 to {bins} {v._where(s, bad)}")
    r5 = np.ceil(r * 5 / bins).astype(int)
    f5 = np.ceil(f * 5 / bins).astype(int)
    return _SEGMENT_MAP[r5 - 1, f5 - 1]


def rfm_table(
    customer_ids,
    order_dates,
    amounts,
    as_of=None,
    weights=(1 / 3, 1 / 3, 1 / 3),
    bins: int = 5,
) -> pd.DataFrame:
    """One row per customer: recency, frequency, monetary, R/F/M scores, score, segment.

    Each input row is one order.  ``recency_days`` = whole days from the customer's
    last order to ``as_of`` (default: the day after the latest order);
    ``frequency`` = number of orders; ``monetary`` = sum of amounts (refunds, as
    negative amounts, reduce it).  R, F and M are :func:`quantile_scores` 1..bins;
    ``RFM`` is the three digits as text ("545"; joined by "-" when bins > 9);
    ``score`` = w1·R + w2·F + w3·M.
    Customers come out sorted by id.
    """
    ids = np.asarray(customer_ids, dtype=object)
    dates = pd.to_datetime(pd.Series(order_dates), errors="coerce")
    amount = v.as_numbers("amounts", amounts)
    n = len(ids)
    if len(dates) != n or len(amount) != n:
        raise InputError(
            "customer_ids, order_dates and amounts must have one value per order "
            f"(got {len(ids)}, {len(dates)} and {len(amount)})"
        )
    codes, customers = pd.factorize(ids, sort=True)  # a blank id gets code -1
    if (codes < 0).any():
        raise InputError(f"customer_ids is blank in row {int(np.flatnonzero(codes < 0)[0]) + 1}")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna())[0]) + 1
        raise InputError(f"order_dates is not a date in row {row}")
    bins = v.whole_number("bins", bins, minimum=2, maximum=100)
    w = v.non_negative("weights", weights)
    if w.size != 3:
        raise InputError(f"weights must be 3 numbers, for R, F and M (got {w.size})")

    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    latest = int(days.max())
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        as_of_day = latest + 1
    else:
        stamp = pd.to_datetime(as_of, errors="coerce")
        if pd.isna(stamp):
            raise InputError(f"as_of must be a date (got {as_of!r})")
        as_of_day = int(np.datetime64(stamp.date(), "D").astype(np.int64))
        if as_of_day < latest:
            last = np.datetime64(latest, "D")
            raise InputError(f"as_of ({stamp.date()}) is before the latest order ({last})")

    k = len(customers)
    frequency = np.bincount(codes, minlength=k)
    monetary = np.bincount(codes, weights=amount, minlength=k)
    last_day = np.full(k, np.iinfo(np.int64).min)
    np.maximum.at(last_day, codes, days)
    recency = as_of_day - last_day

    r = quantile_scores(-recency, bins)
    f = quantile_scores(frequency, bins, ties="first")
    m = quantile_scores(monetary, bins)
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customers, dtype=object),
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
            "R": r,
            "F": f,
            "M": m,
            "RFM": _score_text(r, f, m, bins),
            "score": w[0] * r + w[1] * f + w[2] * m,
            "segment": rfm_segment(r, f, bins),
        },
        columns=RFM_COLUMNS,
    )


def _score_text(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
    """ "545" for each customer; "10-7-3" once a score can have two digits."""
    if bins > 9:
        return np.array([f"{a}-{b}-{c}" for a, b, c in zip(r, f, m, strict=True)], dtype=object)
    names = np.array([f"{a}{b}{c}" for a in range(10) for b in range(10) for c in range(10)])
    return names[r * 100 + f * 10 + m].astype(object)
