"""REORDER_POLICY end to end on a big catalogue, and the forecasting step beside
statsforecast's (issue 23), printed beside their anchors from the same run.

10,000 SKUs x 104 weeks from about 1,000,000 order lines (each SKU sells in a share
of weeks drawn between 5 % and 90 %, 1-3 lines a selling week):

- ``reorder_policy`` from the lines to the table (method "auto": the holdout choice
  among five methods, the simulation, the search for S); anchor 3 s.
- the five intermittent methods (Croston, SBA, TSB, ADIDA, IMAPA) on the same weekly
  series, ours beside statsforecast 2.1.1's warm (already compiled) fit-and-predict
  of ``CrostonClassic, CrostonSBA, TSB(0.1, 0.1), ADIDA, IMAPA`` with one job.
  statsforecast needs pandas < 3: give ``--statsforecast-python`` an interpreter
  that has it (``python -m venv /tmp/sf && /tmp/sf/bin/pip install
  statsforecast==2.1.1``); without it that line says so.
- peak memory of the process; anchor 1 GB.

    python bench/bench_replenishment.py [--skus 10000] [--statsforecast-python PATH]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from xlbizops.core import intermittent, replenishment

STATSFORECAST = r"""
import sys, time
import numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonSBA
y = np.load(sys.argv[1])
rows = []
for i, row in enumerate(y):
    v = row[~np.isnan(row)]
    rows.append(pd.DataFrame({"unique_id": i, "ds": np.arange(len(v)), "y": v}))
df = pd.concat(rows, ignore_index=True)
models = [CrostonClassic(), CrostonSBA(), TSB(alpha_d=0.1, alpha_p=0.1), ADIDA(), IMAPA()]
sf = StatsForecast(models=models, freq=1, n_jobs=1)
sf.forecast(df=df[df.unique_id < 20], h=1)  # compile (numba) before timing
start = time.perf_counter()
sf.forecast(df=df, h=1)
print(time.perf_counter() - start)
"""


def order_lines(n_skus: int, weeks: int = 104, seed: int = 0):
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.05, 0.9, n_skus)
    selling = rng.random((n_skus, weeks)) < share[:, None]
    sku, week = np.nonzero(selling)
    lines = rng.integers(1, 4, len(sku))
    sku, week = np.repeat(sku, lines), np.repeat(week, lines)
    days = np.datetime64("2024-01-01") + (week * 7 + rng.integers(0, 7, len(week))).astype(
        "timedelta64[D]"
    )
    names = np.array([f"SKU{k:05d}" for k in range(n_skus)], dtype=object)[sku]
    return names, pd.DatetimeIndex(days), 1 + rng.poisson(3, len(sku)), "2025-12-28"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--statsforecast-python", default="")
    args = parser.parse_args()
    skus, dates, units, as_of = order_lines(args.skus)
    print(f"{args.skus:,} SKUs x 104 weeks, {len(skus):,} order lines")
    started = time.perf_counter()
    table = replenishment.reorder_policy(skus, dates, units, 2, as_of=as_of)
    policy = time.perf_counter() - started
    print(f"{'REORDER_POLICY end to end (auto method)':<52} {policy:7.2f} s   anchor 3 s"
          f"{'  OK' if policy <= 3 else '  OVER'}")  # fmt: skip
    print(f"  methods chosen: {table['method'].value_counts().to_dict()}")
    y = replenishment.History(skus, dates, units, "week", as_of).y
    started = time.perf_counter()
    intermittent.forecasts(y, intermittent.INTERMITTENT_METHODS)
    ours = time.perf_counter() - started
    print(f"{'five intermittent methods, ours':<52} {ours:7.2f} s")
    if args.statsforecast_python:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "y.npy"
            np.save(path, y)
            done = subprocess.run([args.statsforecast_python, "-c", STATSFORECAST, str(path)],
                                  capture_output=True, text=True, check=True)  # fmt: skip
        theirs = float(done.stdout.strip().splitlines()[-1])
        print(f"{'five intermittent methods, statsforecast 2.1.1 (warm)':<52} {theirs:7.2f} s"
              f"   ours {theirs / ours:.1f}x faster")  # fmt: skip
    else:
        print("statsforecast: not timed (give --statsforecast-python; it needs pandas < 3)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory of this process':<52} {peak:7.0f} MB   anchor 1,024 MB"
          f"{'  OK' if peak <= 1024 else '  OVER'}")  # fmt: skip


if __name__ == "__main__":
    main()
