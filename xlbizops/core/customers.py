"""Customers: recency-frequency-monetary (RFM) scoring and named segments.

RFM after Hughes, *Strategic Database Marketing* (1994); quantile scores follow the
common convention (oracles README): recency in days since the last order, fewer days
score higher; frequency ties broken before cutting into quantiles (by spend, then
recency: see :func:`frequency_ranks`, never by how ids are spelled); monetary
ascending.  Named segments use the widely published R×F map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.orderlog import orders as order_rollup

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
SEGMENT_NAMES = sorted({str(name) for name in _SEGMENT_MAP.ravel()})  # the ten named segments


def quantile_scores(values, bins: int, ties: str = "average") -> np.ndarray:
    """Scores 1..bins by rank: equal-count groups, higher value → higher score.

    The ``pandas.qcut(rank, bins, labels=1..bins)`` recipe on ranks 1..n, with its
    cut points taken exactly: rank ρ scores 1 + #{j = 1..bins−1 : ρ > 1 + (n−1)·j/bins}
    (groups closed on the right).  Integer arithmetic, so no round-off decides a
    boundary (pandas' own float edges differ between versions).  ``ties="average"``
    gives equal values equal scores; ``ties="first"`` breaks ties by position (the
    frequency convention).  Either way a strictly larger value never scores lower.
    """
    n = len(values)
    if n < 2:
        return np.ones(n, dtype=int)
    ranks = rankdata(values, method="average" if ties == "average" else "ordinal")
    above = np.rint((2 * ranks - 2) * bins).astype(np.int64)  # 2·(ρ − 1)·bins, exact
    per_cut = 2 * (n - 1)
    return np.clip((above + per_cut - 1) // per_cut - 1, 0, bins - 1) + 1


def _categorical_if_arrow(values):
    """An Arrow dictionary array (ids read by pyarrow) as a pandas Categorical: the same
    codes and dictionary, no Python string per row."""
    kind = getattr(values, "type", None)
    if kind is not None and str(kind).startswith("dictionary<"):
        return pd.Series(values.to_pandas()).astype("category")
    return values


def factorize_sorted(original, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted unique ids), like ``pd.factorize(ids, sort=True)`` but faster.

    A pandas Categorical is already factorized; text ids are hashed once and their
    uniques sorted as fixed-width strings in C rather than as Python objects.
    """
    if isinstance(getattr(original, "dtype", None), pd.CategoricalDtype):
        categorical = pd.Categorical(original)
        used = np.unique(categorical.codes[categorical.codes >= 0])
        remap = np.full(len(categorical.categories), -1, dtype=np.int64)
        order = np.argsort(np.asarray(categorical.categories[used], dtype=object).astype(str))
        remap[used[order]] = np.arange(len(used))
        codes = np.where(categorical.codes >= 0, remap[categorical.codes], -1)
        return codes, np.asarray(categorical.categories[used[order]], dtype=object)
    codes, uniques = pd.factorize(ids)
    uniques = np.asarray(uniques, dtype=object)
    if not all(isinstance(u, str) for u in uniques):
        return pd.factorize(ids, sort=True)  # mixed types: pandas' safe ordering
    order = np.argsort(uniques.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.where(codes >= 0, rank[codes], -1), uniques[order]


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
    r = v.whole_scores("r_score", r_score, bins)
    f = v.whole_scores("f_score", f_score, bins)
    v.same_length(r_score=r, f_score=f)
    r5 = np.ceil(r * 5 / bins).astype(int)
    f5 = np.ceil(f * 5 / bins).astype(int)
    return _SEGMENT_MAP[r5 - 1, f5 - 1]


def orders_of(customer_ids, order_dates, amounts, order_ids):
    """One row per order from a customer's order lines (``orderlog.orders.ORDER_ROLLUP``,
    as the report counts them): the order's customer, its earliest line's date and
    its lines' amounts summed.  Returns (customer ids, dates, amounts); ``amounts``
    None stays None.  RFM's frequency, CLV's repeat purchases and cohorts count
    orders, so a three-line order is one purchase, not three.

    >>> ids, days, money = orders_of(["C1", "C1", "C2"], pd.to_datetime(["2025-01-02",
    ...     "2025-01-02", "2025-01-05"]), [10.0, 5.0, 7.0], ["A", "A", "B"])
    >>> ids.tolist(), money.tolist()
    (['C1', 'C2'], [15.0, 7.0])
    """
    ids = np.asarray(customer_ids, dtype=object)
    lines = {
        "customer_id": ids,
        "order_date": np.asarray(order_dates, dtype="datetime64[ns]"),
        "amount": np.zeros(len(ids)) if amounts is None else np.asarray(amounts, dtype=float),
    }
    v.same_rows(customer_ids=ids, order_dates=lines["order_date"], order_ids=order_ids)
    o = order_rollup.rollup_frame(order_ids, lines, ("customer_id", "first_sale", "amount"))
    money = None if amounts is None else o["amount"].to_numpy(float)
    return o["customer_id"].to_numpy(object), o["first_sale"].to_numpy("datetime64[ns]"), money


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
    last order to ``as_of`` (default: the latest order's day, so a customer who
    bought that day has 0: the as-of date printed is the day counted from);
    ``frequency`` = number of orders; ``monetary`` = sum of amounts (refunds, as
    negative amounts, reduce it).  R, F and M are :func:`quantile_scores` 1..bins;
    ``RFM`` is the three digits as text ("545"; joined by "-" when bins > 9);
    ``score`` = w1·R + w2·F + w3·M.
    Customers come out sorted by id.
    """
    customer_ids = _categorical_if_arrow(customer_ids)
    if isinstance(getattr(customer_ids, "dtype", None), pd.CategoricalDtype):
        ids = customer_ids  # already codes: never turned into Python objects
    else:
        ids = np.asarray(customer_ids, dtype=object)
    dates = v.as_dates("order_dates", order_dates)
    amount = v.as_numbers("amounts", amounts)
    v.same_rows(customer_ids=ids, order_dates=dates, amounts=amount)
    codes, customers = factorize_sorted(customer_ids, ids)  # a blank id gets code -1
    if (codes < 0).any():
        raise InputError(f"customer_ids is blank in row {int(np.flatnonzero(codes < 0)[0]) + 1}")

    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    latest = int(days.max())
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        as_of_day = latest
    else:
        stamp = v.as_date("as_of", as_of)
        as_of_day = int(np.datetime64(stamp.date(), "D").astype(np.int64))
        if as_of_day < latest:
            last = np.datetime64(latest, "D")
            raise InputError(f"as_of ({stamp.date()}) is before the latest order ({last})")

    k = len(customers)
    frequency = np.bincount(codes, minlength=k)
    monetary = np.bincount(codes, weights=amount, minlength=k)
    last_day = np.full(k, np.iinfo(np.int64).min)
    np.maximum.at(last_day, codes, days)
    return rfm_scores(customers, as_of_day - last_day, frequency, monetary, weights, bins)


def rfm_scores(
    customer_ids,
    recency_days,
    frequency,
    monetary,
    weights=(1 / 3,) * 3,
    bins=5,
    recency_cuts=None,
):
    """The RFM table from each customer's recency, frequency and monetary value.

    What :func:`rfm_table` does once it has summed the orders; the report calls it on
    per-customer sums its query engine computed.  R = :func:`quantile_scores` of
    −recency (average ranks for ties), F of :func:`frequency_ranks` (ties broken by
    spend, then recency), M of monetary; ``score`` = w1·R + w2·F + w3·M.
    ``recency_cuts`` (``bins`` − 1 ascending day counts, e.g. from
    :func:`buying_cycle_cuts`) scores R by fixed days instead: ``bins`` up to the
    first cut, one less past each.

    >>> rfm_scores(["a", "b"], [3, 40], [5, 1], [120.0, 15.0], bins=2)["RFM"].tolist()
    ['222', '111']
    """
    bins = v.whole_number("bins", bins, minimum=2, maximum=100)
    w = v.non_negative("weights", weights)
    if w.size != 3:
        raise InputError(f"weights must be 3 numbers, for R, F and M (got {w.size})")
    v.non_negative("recency_days", recency_days)  # checked; kept in their own type
    v.non_negative("frequency", frequency)
    recency, frequency = np.asarray(recency_days), np.asarray(frequency)
    monetary = v.as_numbers("monetary", monetary)
    if recency_cuts is not None and len(recency_cuts) != bins - 1:
        raise InputError(f"recency_cuts must be {bins - 1} days, one fewer than bins")
    # A column of ids stays in its own type (pandas' text, Arrow, categorical): turning
    # 100,000 of them into Python strings for each table costs a tenth of a second.
    ids = customer_ids.array if isinstance(customer_ids, pd.Series) else customer_ids
    ids = ids if isinstance(ids, pd.api.extensions.ExtensionArray) else np.asarray(ids, object)
    v.same_rows(
        customer_ids=ids,
        recency_days=recency,
        frequency=frequency,
        monetary=monetary,
    )
    if recency_cuts is None:
        r = quantile_scores(-recency, bins)
    else:  # R = bins while recency ≤ the first cut, … 1 past the last
        r = bins - np.searchsorted(np.asarray(recency_cuts, float), recency, side="left")
    f = quantile_scores(frequency_ranks(frequency, monetary, recency), bins)
    m = quantile_scores(monetary, bins)
    return pd.DataFrame(
        {
            "customer_id": ids,
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


def frequency_ranks(frequency, monetary, recency_days) -> np.ndarray:
    """Ranks 1..n of frequency with its ties broken by the customer's data, not id.

    Most customers of a shop have one or two orders, so frequency ties are the rule;
    the common recipe breaks them "first", by position, which makes a customer's F
    depend on how the ids sort (renaming ``C000617`` to ``617`` moved 10 customers
    in or out of At Risk on a real log).  Here a tie in frequency goes to the larger
    spend, then the more recent last order; customers equal on all three share the
    average of their ranks.

    >>> frequency_ranks([1, 1, 3, 1], [10.0, 50.0, 5.0, 10.0], [9, 2, 4, 9]).tolist()
    [1.5, 3.0, 4.0, 1.5]
    """
    f = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    r = np.asarray(recency_days, dtype=float)
    if not len(f):
        return np.zeros(0)
    order = np.lexsort((-r, m, f))  # ascending: last key (frequency) first
    key = np.stack([f[order], m[order], -r[order]])
    new_group = np.r_[True, (np.diff(key, axis=1) != 0).any(axis=0)]
    group = np.cumsum(new_group) - 1
    position = np.arange(1, len(f) + 1, dtype=float)
    starts = position[new_group]
    ends = np.r_[starts[1:] - 1, len(f)]
    ranks = np.empty(len(f))
    ranks[order] = ((starts + ends) / 2)[group]
    return ranks


BUYING_CYCLE_SHARES = (0.50, 0.75, 0.90, 0.95)  # R 5..1 cut at these shares of gaps
MIN_GAPS = 30  # fewer gaps between orders than this: no cycle to read, use quantiles


def buying_cycle_cuts(first_day, last_day, orders, shares=BUYING_CYCLE_SHARES):
    """Recency cut points, in days, from the shop's own time between orders.

    Quantile recency scores rank customers against each other, so on a shop whose
    customers buy every week the bottom fifth is "Hibernating" after 11 days.  Here
    R is read against how long the shop's customers usually wait between orders: a
    customer silent for longer than 95 % of the gaps between repeat orders is R 1,
    longer than 90 % R 2, 75 % R 3, 50 % R 4, else R 5 (cut points: the 50th, 75th,
    90th and 95th percentiles of the gaps, rounded up to whole days).  Each repeat
    customer contributes ``orders − 1`` gaps of their average length
    (last − first) / (orders − 1) (Fader, Hardie & Lee 2005 use the same summary:
    first, last and number of purchases).  Returns None with fewer than
    :data:`MIN_GAPS` gaps, when the log has no buying cycle to read.

    >>> buying_cycle_cuts([0] * 40, [70] * 40, [11] * 40)  # everyone every 7 days
    [7, 7, 7, 7]
    """
    first, last = np.asarray(first_day, float), np.asarray(last_day, float)
    n = np.asarray(orders, float)
    repeat = n > 1
    gaps, weight = (last - first)[repeat] / (n[repeat] - 1), (n - 1)[repeat]
    if weight.sum() < MIN_GAPS:
        return None
    order = np.argsort(gaps, kind="stable")
    cumulative = np.cumsum(weight[order]) / weight.sum()
    at = np.searchsorted(cumulative, np.asarray(shares) - 1e-12, side="left")
    return [int(np.ceil(gaps[order][i])) for i in at]


def _score_text(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
    """ "545" for each customer; "10-7-3" once a score can have two digits."""
    if bins > 9:
        return np.array([f"{a}-{b}-{c}" for a, b, c in zip(r, f, m, strict=True)], dtype=object)
    names = np.array([f"{a}{b}{c}" for a in range(10) for b in range(10) for c in range(10)])
    return names[r * 100 + f * 10 + m].astype(object)


# --- Cohort retention -----------------------------------------------------------------

_COHORT_PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def cohort_retention(customer_ids, order_dates, period="month") -> pd.DataFrame:
    """Cohort × period retention: share of each cohort buying again k periods later.

    Cohort = the period of a customer's first order.  Column k (0, 1, 2, …) is the
    share of the cohort's customers with an order in period cohort + k; column 0 is
    therefore 1.  Periods beyond the data are blank, not 0.  Returns columns
    ``cohort`` (first day of the period), ``customers`` and 0..n.
    """
    period = v.choice("period", period, tuple(_COHORT_PERIODS))
    ids = np.asarray(customer_ids, dtype=object)
    stamps = v.as_dates("order_dates", order_dates)
    if v.same_rows(customer_ids=ids, order_dates=stamps) == 0:
        raise InputError("customer_ids is empty")
    periods = pd.PeriodIndex(stamps, freq=_COHORT_PERIODS[period])
    codes, _ = pd.factorize(ids)
    ordinal = periods.asi8  # consecutive integers per period
    first = pd.Series(ordinal).groupby(codes).transform("min").to_numpy()
    offset = ordinal - first
    active = pd.DataFrame({"customer": codes, "cohort": first, "offset": offset}).drop_duplicates()
    counts = active.groupby(["cohort", "offset"]).size().rename("customers").reset_index()
    return retention_from_counts(counts, int(ordinal.max()), period)


def retention_from_counts(counts: pd.DataFrame, last_period: int, period="month") -> pd.DataFrame:
    """:func:`cohort_retention` from the number of customers of each cohort active k
    periods later (``cohort`` and ``last_period`` as pandas period ordinals,
    ``offset`` = k, ``customers``); the report's query engine counts them.  Every
    cohort needs its k = 0 count: its size."""
    period = v.choice("period", period, tuple(_COHORT_PERIODS))
    v.needs("counts", counts, ("cohort", "offset", "customers"))
    if counts.empty:
        raise InputError("counts is empty")
    v.non_negative("offset", counts["offset"])
    sizes = set(counts.loc[counts["offset"] == 0, "cohort"])
    if set(counts["cohort"]) - sizes:
        cohort = min(set(counts["cohort"]) - sizes)
        raise InputError(f"cohort {cohort} has no count at offset 0 (its size)")
    counts = counts.pivot_table(
        index="cohort", columns="offset", values="customers", aggfunc="sum", fill_value=0
    )
    last = last_period
    counts = counts.reindex(columns=range(last - counts.index.min() + 1), fill_value=0)
    size = counts[0]
    share = counts.div(size, axis=0)
    horizon = last - share.index.to_numpy()[:, None]
    share = share.where(share.columns.to_numpy()[None, :] <= horizon)
    cohort_start = pd.PeriodIndex.from_ordinals(share.index, freq=_COHORT_PERIODS[period])
    out = pd.DataFrame({"cohort": cohort_start.start_time, "customers": size.to_numpy()})
    for k in share.columns:
        out[int(k)] = share[k].to_numpy()
    return out
