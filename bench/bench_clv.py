"""CLV at scale (issue 24), each figure beside its anchor from the same run.

    python bench/bench_clv.py [--customers 1000000] [--lifetimes-python PATH]

- ``CLV`` end to end with "bgnbd" on an order log of 1,000,000 customers (summary,
  both fits, Hessians, intervals, churn risk, next order); anchor 5 s.
- ``CLV`` with "auto" (three models, a holdout check) on the same log; anchor 4×
  the "bgnbd" time.
- The Pareto/NBD fit on 100,000 customers (a log drawn from the Pareto/NBD of the
  CDNOW fit) beside lifetimes' ``ParetoNBDFitter``;
  anchor: at least 10× faster.  lifetimes 0.11.3 needs an environment of its own
  (``python -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes==0.11.3
  "setuptools<81"``): give ``--lifetimes-python`` its interpreter.

The log is drawn from a CDNOW-like BG/NBD (r 0.25, α 4 weeks, a 0.8, b 2.5) over
two years, customers joining over the first year; purchases on whole days.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from xlbizops.core import clv

LIFETIMES = """
import sys, time, warnings
import pandas as pd
from lifetimes import ParetoNBDFitter
s = pd.read_csv(sys.argv[1])
warnings.simplefilter("ignore")
started = time.perf_counter()
f = ParetoNBDFitter().fit(s["x"], s["tx"], s["t"])
print(time.perf_counter() - started)
print(",".join(str(f.params_[k]) for k in ("r", "alpha", "s", "beta")))
"""


def order_log(customers: int, seed: int = 7, kind: str = "bgnbd"):
    """(customer ids, order dates, amounts) of ``customers`` customers: BG/NBD as
    above, or with ``kind="paretonbd"`` the Pareto/NBD of the CDNOW fit (r 0.55,
    α 10.6 weeks, s 0.6, β 11.7 weeks: leaving at an exponential time)."""
    rng = np.random.default_rng(seed)
    birth = rng.integers(0, 365, customers)  # joining day
    span = (730 - birth).astype(float)
    if kind == "paretonbd":
        rate = rng.gamma(0.55, 1 / 10.6, customers) / 7  # purchases a day
        span = np.minimum(span, 7 * rng.exponential(1 / rng.gamma(0.6, 1 / 11.7, customers)))
        leave_after = np.full(customers, np.iinfo(np.int64).max)
    else:
        rate = rng.gamma(0.25, 1 / 4.0, customers) / 7
        leave_after = rng.geometric(rng.beta(0.8, 2.5, customers))
    count = rng.poisson(rate * span)  # repeat purchases of a customer who stays
    who = np.repeat(np.arange(customers), count)
    when = rng.random(len(who)) * span[who]  # given the count, uniform times
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    nth = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count) + 1
    kept = nth <= leave_after[who]  # BG/NBD: gone right after the leave_after-th
    who, day = who[kept], birth[who[kept]] + np.floor(when[kept])
    who = np.r_[np.arange(customers), who]  # each customer's first order
    day = np.r_[birth, day].astype("int64")
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")
    amounts = np.round(rng.gamma(4.0, 12.0, len(who)), 2)
    return who, pd.Series(dates), amounts


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lifetimes-python", default="")
    args = parser.parse_args()
    ids, dates, amounts = order_log(args.customers)
    print(f"CLV: {args.customers:,} customers, {len(ids):,} orders over two years")
    single, table = timed(lambda: clv.customer_lifetime_value(ids, dates, amounts, model="bgnbd"))
    print(f"{'CLV bgnbd, end to end (every output column)':<52} {single:7.2f} s   anchor 5 s"
          f"{'  OK' if single <= 5 else '  OVER'}")  # fmt: skip
    assert table["clv_low_80"].notna().all()
    auto, table = timed(lambda: clv.customer_lifetime_value(ids, dates, amounts, model="auto"))
    print(
        f"{'CLV auto (3 models, holdout check)':<52} {auto:7.2f} s   "
        f"{auto / single:.1f}x bgnbd, anchor 4x{'  OK' if auto <= 4 * single else '  OVER'}"
    )
    print(f"  auto chose: {table['model'].iloc[0]}")

    small = clv.repeat_purchase_summary(*order_log(100_000, seed=8, kind="paretonbd"))
    x, tx, t = clv.model_times(small)
    ours, (fitted, _) = timed(lambda: clv.fit_purchase_model(x, tx, t, "paretonbd"))
    print(f"{'Pareto/NBD fit, 100,000 customers, xlbizops':<52} {ours:7.2f} s")
    if not args.lifetimes_python:
        print("lifetimes: not timed (give --lifetimes-python; it needs its own environment)")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.csv"
        pd.DataFrame({"x": x, "tx": tx, "t": t}).to_csv(path, index=False)
        done = subprocess.run([args.lifetimes_python, "-c", LIFETIMES, str(path)],
                              capture_output=True, text=True, check=True)  # fmt: skip
    seconds, params = done.stdout.strip().splitlines()[-2:]
    theirs = float(seconds)
    theirs_params = np.array([float(p) for p in params.split(",")])
    gap = np.max(np.abs(clv._vector(fitted) / theirs_params - 1))
    print(
        f"{'Pareto/NBD fit, 100,000 customers, lifetimes 0.11.3':<52} {theirs:7.2f} s   "
        f"{theirs / ours:.0f}x, anchor 10x{'  OK' if theirs >= 10 * ours else '  UNDER'}"
    )
    print(f"  parameters within {gap:.1e} relative of lifetimes'")


if __name__ == "__main__":
    main()
