"""Seed formulas at scale, each beside the obvious alternative run in the same process.

    pip install -e '.[bench]'   # lifetimes, for the RFM comparison
    python bench/bench_seed_formulas.py

Targets (issue 2, 2-core machine): RFM_SCORE 1,000,000 orders / 100,000 customers
< 1 s and >= 5x faster than lifetimes + pandas qcut; EOQ over 1,000,000 rows < 0.1 s;
DECOMPOSE 100,000 points < 1 s; SEGMENT 100,000 x 5, k = 5 < 5 s.
"""

from __future__ import annotations

import math
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _timing import best_of, row  # noqa: E402

from xlbizops import udfs  # noqa: E402
from xlbizops.core import customers, inventory, segmentation, timeseries  # noqa: E402

rng = np.random.default_rng(0)


def bench_rfm(n_orders=1_000_000, n_customers=100_000):
    weights = rng.pareto(1.5, n_customers) + 0.1
    # Every customer orders once, the rest of the orders follow heavy-tailed weights.
    who = np.concatenate(
        [
            np.arange(n_customers),
            rng.choice(n_customers, n_orders - n_customers, p=weights / weights.sum()),
        ]
    )
    ids = np.array([f"C{i:06d}" for i in range(n_customers)], dtype=object)[rng.permutation(who)]
    dates = np.datetime64("2024-01-01") + rng.integers(0, 730, n_orders).astype("timedelta64[D]")
    amounts = np.round(rng.lognormal(3.5, 1.0, n_orders), 2)
    as_of = "2026-01-01"
    print(f"\nRFM_SCORE: {n_orders:,} orders, {len(set(ids)):,} customers")
    ours, table = best_of(lambda: customers.rfm_table(ids, dates, amounts, as_of=as_of))
    row("xlbizops rfm_table (core), text ids", ours, n_orders, 1.0)
    categorical = pd.Categorical(ids)  # ids as a reader that keeps a dictionary gives them
    cat, _ = best_of(lambda: customers.rfm_table(categorical, dates, amounts, as_of=as_of))
    row("xlbizops rfm_table (core), categorical ids", cat, n_orders, 1.0)

    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except ImportError:
        print("  (lifetimes not installed: pip install -e '.[bench]' for the comparison)")
        return
    frame = pd.DataFrame({"customer_id": ids, "date": dates, "amount": amounts})

    def lifetimes_and_qcut():
        s = summary_data_from_transaction_data(
            frame,
            "customer_id",
            "date",
            monetary_value_col="amount",
            observation_period_end=as_of,
        )
        last = frame.groupby("customer_id")["date"].max()
        recency = (pd.Timestamp(as_of) - last).dt.days
        r = pd.qcut(recency.rank(method="first", ascending=False), 5, labels=False) + 1
        f = pd.qcut((s["frequency"] + 1).rank(method="first"), 5, labels=False) + 1
        m = pd.qcut(frame.groupby("customer_id")["amount"].sum(), 5, labels=False) + 1
        return r, f, m

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, _ = best_of(lifetimes_and_qcut)  # best of 3, like ours
    row("lifetimes summary_data_from_transaction_data + qcut", theirs, n_orders)
    print(
        f"  ratio: xlbizops is {theirs / ours:.1f}x faster with text ids, "
        f"{theirs / cat:.1f}x with categorical ids (target >= 5x)"
    )

    cells_ids = [[c] for c in ids.tolist()]
    serials = ((dates - np.datetime64("1899-12-30")).astype(int)).astype(float)
    cells_dates = [[d] for d in serials.tolist()]
    cells_amounts = [[a] for a in amounts.tolist()]
    udf, _ = best_of(lambda: udfs.RFM_SCORE(cells_ids, cells_dates, cells_amounts, 46023.0), 1)
    row("RFM_SCORE UDF incl. converting 3 x 1M Excel cells", udf, n_orders)


def bench_eoq(n=1_000_000):
    demand = rng.uniform(100, 100_000, n)
    order = rng.uniform(10, 500, n)
    holding = rng.uniform(0.5, 50, n)
    print(f"\nEOQ: {n:,} rows")
    ours, q = best_of(lambda: inventory.economic_order_quantity(demand, order, holding))
    row("xlbizops economic_order_quantity (core)", ours, n, 0.1)
    d, s, h = demand.tolist(), order.tolist(), holding.tolist()
    loop, _ = best_of(
        lambda: [math.sqrt(2 * a * b / c) for a, b, c in zip(d, s, h, strict=True)], 1
    )
    row("per-row Python loop (math.sqrt)", loop, n)
    print(f"  ratio: {loop / ours:.1f}x faster than the loop")
    cells = [[x] for x in d], [[x] for x in s], [[x] for x in h]
    udf, out = best_of(lambda: udfs.EOQ(*cells), 1)
    row("EOQ UDF incl. converting 3 x 1M Excel cells", udf, n)
    assert abs(out[0][0] - q[0]) < 1e-9


def bench_decompose(n=100_000):
    t = np.arange(n)
    y = 1000 + 0.01 * t + 50 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 10, n)
    print(f"\nDECOMPOSE: {n:,} points, period 7")
    for method in ("classical", "stl"):
        ours, _ = best_of(lambda m=method: timeseries.decompose(y, 7, method=m))
        row(f"xlbizops decompose ({method}, with HP trend/cycle split)", ours, n, 1.0)
    from statsmodels.tsa.seasonal import seasonal_decompose

    base, _ = best_of(lambda: seasonal_decompose(y, period=7))
    row("statsmodels seasonal_decompose alone (no cycle split)", base, n)


def bench_segment(n=100_000, p=5, k=5):
    centres = rng.normal(0, 5, (k, p))
    x = centres[rng.integers(0, k, n)] + rng.normal(0, 1, (n, p))
    x[:, 0] *= 1000  # one column in dollars
    print(f"\nSEGMENT: {n:,} x {p}, k = {k}")
    ours, _ = best_of(lambda: segmentation.kmeans_segments(x, k), 1)
    row("xlbizops kmeans_segments (standardised, 10 starts)", ours, n, 5.0)
    from sklearn.cluster import KMeans

    base, _ = best_of(lambda: KMeans(k, n_init=10, random_state=0).fit(x), 1)
    row("scikit-learn KMeans(n_init=10) on raw data", base, n)


if __name__ == "__main__":
    print(f"numpy {np.__version__}, pandas {pd.__version__}, cores {os.cpu_count()}")
    bench_eoq()
    bench_rfm()
    bench_decompose()
    bench_segment()
