"""The order-log rules through their two computing faces (issue 21): numpy, as the
Excel functions run them, and Ibis on DuckDB, as the report runs them.

    python bench/bench_rule_faces.py

The question it answers: could the Excel functions reach the report's Ibis
expressions through DuckDB instead of a numpy compilation of the same rules?  It
times ORDER_KPIS' work both ways at the template's size (2,000 lines, what one
recalculation of a cell costs) and at 1,000,000 lines, the DuckDB way including
handing the lines to DuckDB (what a function would have to do on every call).
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _timing import best_of, row  # noqa: E402

from xlbizops.core import orders  # noqa: E402
from xlbizops.orderlog import orders as rollup  # noqa: E402
from xlbizops.orderlog import sums  # noqa: E402
from xlbizops.report.sources import duckdb_connection  # noqa: E402
from xlbizops.sampledata import generate_orders  # noqa: E402

COLUMNS = ("order_date", "shipped_date", "delivered_date", "promised_date", "status", "error_flag")


def numpy_face(log: pd.DataFrame, ids):
    return orders.order_kpis(*(log[c] for c in COLUMNS), order_ids=ids)


def duckdb_face(log: pd.DataFrame, ids):
    lines = log[list(COLUMNS)].assign(
        order_id=ids,
        amount=log["amount"].astype(float),
        customer_id=log["customer_id"].astype(str),
        status=log["status"].astype(str),
        is_return=False,
    )
    con = duckdb_connection()
    table = con.create_table("lines", sums.arrow_lines(lines), overwrite=True)
    o = sums.order_table(sums.classify(table))
    return sums.fetch(rollup.count_orders_expr(o))


if __name__ == "__main__":
    print(f"numpy {np.__version__}, pandas {pd.__version__}, cores {os.cpu_count()}")
    for n in (2_000, 1_000_000):
        log = generate_orders(max(n, 2_000), seed=1).head(n)
        ids = (np.arange(n) * 0.7).astype(np.int64).astype(str)  # 3 in 10 orders: 2 lines
        repeat = 20 if n < 10_000 else 3
        a, kpis = best_of(lambda log=log, ids=ids: numpy_face(log, ids), repeat)
        b, counts = best_of(lambda log=log, ids=ids: duckdb_face(log, ids), repeat)
        print(f"\nORDER_KPIS' order counts, {n:,} lines")
        row("numpy (the Excel functions' face)", a, n)
        row("Ibis on DuckDB, lines handed over each call", b, n)
        same = int(kpis.set_index("kpi").loc["orders", "value"]) == int(counts["orders"].iloc[0])
        print(f"  numpy {b / a:.1f}x faster; same order count: {same}")
