"""Peak memory of the heavy functions as xlwings Lite calls them (2 GB cap in Lite).

Each size runs in a fresh process: the ranges are built as Office.js hands them over
(lists of rows, dates as serial numbers), then the function runs; printed is the peak
resident memory of the process beside the same process after the imports and the
inputs alone, so the difference is what the function itself needs.  Measured on
CPython (64-bit); Pyodide is 32-bit WebAssembly, where Python objects are smaller, so
these are upper bounds.

    python bench/bench_lite_memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys
import numpy as np
from xlbizops.excel import udfs
name, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if name in ("RFM_SCORE", "CLV"):
    customers = max(n // 10, 10)
    ids = [[f"C{int(c):07d}"] for c in rng.integers(0, customers, n)]
    dates = [[float(d)] for d in 45292 + rng.integers(0, 730, n)]
    amounts = [[float(a)] for a in rng.gamma(2.0, 30.0, n).round(2)]
    args = (ids, dates, amounts)
elif name in ("FORECAST_DEMAND", "REORDER_POLICY", "INVENTORY_BACKTEST"):
    skus = max(n // 100, 10)  # about 100 lines per SKU over two years
    ids = [[f"SKU{int(k):06d}"] for k in rng.integers(0, skus, n)]
    dates = [[float(d)] for d in 45292 + rng.integers(0, 728, n)]
    units = [[float(q)] for q in 1 + rng.poisson(3, n)]
    args = (ids, dates, units) + ((2.0,) if name != "FORECAST_DEMAND" else ())
else:  # SEGMENT: n customers x 4 features, header row first
    x = rng.normal(size=(n, 4)) + rng.integers(0, 4, n)[:, None] * 3
    args = ([["orders", "spend", "recency", "tenure"]] + x.tolist(), 4.0)
before = rss()
out = getattr(udfs, name)(*args)
ok = isinstance(out, list)
answer = {"inputs_mb": before, "peak_mb": rss(), "ok": ok, "rows_out": len(out) if ok else out}
print(json.dumps(answer))
"""

SIZES = {"RFM_SCORE": [100_000, 300_000, 1_000_000], "CLV": [100_000, 300_000, 1_000_000],
         "SEGMENT": [10_000, 50_000, 100_000],
         "FORECAST_DEMAND": [100_000, 1_000_000], "REORDER_POLICY": [100_000, 1_000_000],
         "INVENTORY_BACKTEST": [100_000, 300_000]}  # fmt: skip


def main() -> None:
    print(f"{'function':<18} {'input rows':>10} {'after inputs':>13} {'peak':>9} {'function':>9}")
    for name, sizes in SIZES.items():
        for n in sizes:
            done = subprocess.run([sys.executable, "-c", CHILD, name, str(n)], capture_output=True,
                                  text=True, check=True)  # fmt: skip
            r = json.loads(done.stdout.strip().splitlines()[-1])
            extra = r["peak_mb"] - r["inputs_mb"]
            flag = "" if r["ok"] else f"  ({r['rows_out']})"
            print(f"{name:<18} {n:>10,} {r['inputs_mb']:>10,.0f} MB {r['peak_mb']:>6,.0f} MB "
                  f"{extra:>6,.0f} MB{flag}")  # fmt: skip


if __name__ == "__main__":
    main()
