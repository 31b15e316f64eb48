"""Catalogue functions at scale, each beside the obvious alternative in the same process.

    pip install -e '.[bench]'
    python bench/bench_catalogue.py [--lifetimes-python PATH]

Issue 24: CLV on 1,000,000 customers, "auto", and the Pareto/NBD fit beside
lifetimes' (``bench_clv.py``, run last; it takes the same arguments).

Issue 3: CLV fit on 100,000 customers, COHORT_RETENTION on 1,000,000 orders,
ORDER_KPIS on 1,000,000 orders, ANOMALIES on 1,000,000 values.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
import bench_clv  # noqa: E402
from _timing import best_of, row  # noqa: E402

from xlbizops.core import clv, customers, orders, risk  # noqa: E402
from xlbizops.sampledata import generate_orders  # noqa: E402


def bench_clv_pipeline(log: pd.DataFrame):
    ids, dates, amounts = log["customer_id"].astype(str), log["order_date"], log["amount"]
    n_customers = ids.nunique()
    print(f"\nCLV: {len(log):,} orders, {n_customers:,} customers (BG/NBD + Gamma-Gamma)")
    ours, table = best_of(lambda: clv.customer_lifetime_value(ids, dates, amounts), 1)
    row("xlbizops customer_lifetime_value (summary, 2 fits, CLV)", ours, n_customers)
    summary = clv.repeat_purchase_summary(ids, dates, amounts)
    x = summary["frequency"].to_numpy(float)
    tx, t = summary["recency_days"] / 7, np.maximum(summary["age_days"] / 7, 1 / 7)
    fit_only, model = best_of(lambda: clv.fit_bgnbd(x, tx, t), 1)
    row("  of which the BG/NBD fit alone", fit_only, n_customers)
    try:
        from lifetimes import BetaGeoFitter, GammaGammaFitter
    except ImportError:
        print("  (lifetimes not installed: pip install -e '.[bench]' for the comparison)")
        return

    def lifetimes_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bgf = BetaGeoFitter().fit(x, tx, t)
            buyers = x > 0
            GammaGammaFitter().fit(x[buyers], summary["repeat_average"][buyers])
            return bgf

    theirs, bgf = best_of(lifetimes_fit, 1)
    row("lifetimes BetaGeoFitter + GammaGammaFitter fits", theirs, n_customers)
    ours_params = np.array([model.r, model.alpha, model.a, model.b])
    their_params = bgf.params_[["r", "alpha", "a", "b"]].to_numpy()
    gap = np.max(np.abs(ours_params / their_params - 1))
    print(
        f"  our BG/NBD fit {fit_only:.3f} s (analytic gradients) vs lifetimes' two fits "
        f"{theirs:.3f} s (autograd); BG/NBD optimum within "
        f"{gap:.1e} relative of lifetimes' (r {model.r:.5f} vs {bgf.params_['r']:.5f})"
    )

    def lifetimes_pipeline():
        from lifetimes.utils import summary_data_from_transaction_data

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.DataFrame({"id": ids, "date": dates, "amount": amounts})
            summ = summary_data_from_transaction_data(
                frame, "id", "date", monetary_value_col="amount", freq="W"
            )
            bg = BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"])
            buyers = summ[summ["frequency"] > 0]
            gg = GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])
            return gg.customer_lifetime_value(
                bg, summ["frequency"], summ["recency"], summ["T"], summ["monetary_value"],
                time=12, discount_rate=0.01, freq="W",
            )  # fmt: skip

    pipeline, _ = best_of(lifetimes_pipeline, 1)
    row("lifetimes pipeline (summary, 2 fits, CLV)", pipeline, n_customers)
    print(f"  pipeline: ours {ours:.2f} s vs lifetimes {pipeline:.2f} s: {pipeline / ours:.1f}x")


def bench_cohorts(log: pd.DataFrame):
    ids, dates = log["customer_id"], log["order_date"]
    print(f"\nCOHORT_RETENTION: {len(log):,} orders, monthly")
    ours, table = best_of(lambda: customers.cohort_retention(ids, dates, "month"))
    row("xlbizops cohort_retention", ours, len(log))

    def pandas_recipe():  # the usual tutorial recipe
        df = pd.DataFrame({"id": ids, "month": dates.dt.to_period("M")})
        df["cohort"] = df.groupby("id", observed=True)["month"].transform("min")
        df["k"] = (df["month"] - df["cohort"]).apply(lambda off: off.n)
        counts = df.groupby(["cohort", "k"])["id"].nunique().unstack()
        return counts.div(counts[0], axis=0)

    theirs, recipe = best_of(pandas_recipe, 1)
    row("pandas groupby/nunique/unstack recipe", theirs, len(log))
    same = np.allclose(table[0].to_numpy(), recipe[0].to_numpy())
    print(f"  ratio: {theirs / ours:.1f}x faster; first column agrees: {same}")


def bench_order_kpis(log: pd.DataFrame):
    print(f"\nORDER_KPIS: {len(log):,} orders")
    args = [log[c] for c in ("order_date", "shipped_date", "delivered_date", "promised_date",
                             "status", "error_flag")]  # fmt: skip
    ours, _ = best_of(lambda: orders.order_kpis(*args))
    row("xlbizops order_kpis (18 KPIs), each line an order", ours, len(log))
    # Order ids shared by 2 lines in 10: about 700,000 orders of one or two lines
    ids = (np.arange(len(log)) * 0.7).astype(np.int64).astype(str)
    by_order, _ = best_of(lambda: orders.order_kpis(*args, order_ids=ids))
    row("xlbizops order_kpis, lines grouped by order id (issue 21)", by_order, len(log))

    def pandas_way():
        df = log
        to_ship = (df["shipped_date"] - df["order_date"]).dt.days
        to_del = (df["delivered_date"] - df["shipped_date"]).dt.days
        total = (df["delivered_date"] - df["order_date"]).dt.days
        out = {}
        for name, s in (("ship", to_ship), ("deliver", to_del), ("total", total)):
            out[name] = (s.mean(), s.median(), s.quantile(0.9))
        delivered = df["delivered_date"].notna()
        on_time = (df["delivered_date"] <= df["promised_date"]) & delivered
        out["on_time"] = on_time.sum() / delivered.sum()
        out["cancel"] = (df["status"] == "cancelled").mean()
        return out

    theirs, _ = best_of(pandas_way)
    row("pandas Series arithmetic (a subset of the KPIs)", theirs, len(log))
    print(f"  ratio: {theirs / ours:.2f}x")


def bench_anomalies(n=1_000_000):
    rng = np.random.default_rng(0)
    x = rng.normal(100, 10, n)
    x[rng.choice(n, 100, replace=False)] *= 5
    print(f"\nANOMALIES: {n:,} values")
    for method in ("mad", "iqr"):
        ours, table = best_of(lambda m=method: risk.anomalies(x, m))
        row(f"xlbizops anomalies ({method})", ours, n)
    from scipy.stats import median_abs_deviation

    def scipy_way():
        s = pd.Series(x)
        return (0.6745 * (s - s.median()) / median_abs_deviation(x)).abs() > 3.5

    theirs, flags = best_of(scipy_way)
    row("pandas + scipy.stats.median_abs_deviation", theirs, n)
    same = (flags.to_numpy() == risk.anomalies(x)["anomaly"].to_numpy()).all()
    print(f"  same flags: {same}")
    sub = np.column_stack([x[:100_000], rng.normal(size=100_000)])
    ours, _ = best_of(lambda: risk.anomalies(sub, "iforest"), 1)
    row("xlbizops anomalies (iforest, 100,000 x 2)", ours, len(sub))


if __name__ == "__main__":
    print(f"numpy {np.__version__}, pandas {pd.__version__}, cores {os.cpu_count()}")
    log = generate_orders(1_000_000, seed=1)
    bench_order_kpis(log)
    bench_cohorts(log)
    bench_anomalies()
    # About 100,000 buying customers
    clv_log = generate_orders(700_000, seed=2)
    bench_clv_pipeline(clv_log[~clv_log["status"].isin(["cancelled", "returned"])])
    print()
    bench_clv.main()
