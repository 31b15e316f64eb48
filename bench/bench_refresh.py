"""Headless refresh of the template at several data sizes, against computing the same
analyses directly (the report's analyses on the same orders), in the same process.

    python bench/bench_refresh.py [--orders 2000 5000 10000]

Prints: the engine's load time (parsing every cell into its model), one refresh pass
(load + calculate + writing the values), and the direct computation.  The ratio is
what the real formula engine costs over calling the core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of  # noqa: E402


def main() -> None:
    import formulas
    import openpyxl

    from xlbizops.report.analyses import analyse
    from xlbizops.report.inputs import read_orders
    from xlbizops.template.build import write_workbook
    from xlbizops.template.sheets import template_orders
    from xlbizops.workbook import tables
    from xlbizops.workbook.refresh import refresh_workbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, nargs="+", default=[2_000, 5_000, 10_000])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xlbizops-refresh-"))
    print(
        f"{'orders':>8} {'cells':>9} {'load':>8} {'refresh':>8} {'passes':>6} "
        f"{'direct':>8} {'ratio':>7} {'cells/s':>10}"
    )
    for n in args.orders:
        orders = template_orders(n)
        draft = folder / f"draft-{n}.xlsx"
        write_workbook(draft, orders, {})
        spills = refresh_workbook(draft).spills
        book = folder / f"book-{n}.xlsx"
        write_workbook(book, orders, spills)
        # The engine reads plain ranges: load the copy refresh hands it (Orders[amount]
        # resolved to Data!$L$2:$L$2001), as refresh does.
        resolved = openpyxl.load_workbook(book)
        tables.resolve_in_book(resolved)
        resolved.save(folder / f"resolved-{n}.xlsx")
        started = time.perf_counter()
        formulas.ExcelModel().loads(str(folder / f"resolved-{n}.xlsx")).finish()
        load = time.perf_counter() - started
        started = time.perf_counter()
        result = refresh_workbook(book, folder / f"out-{n}.xlsx")
        refresh = time.perf_counter() - started
        orders.to_csv(folder / f"orders-{n}.csv", index=False, date_format="%Y-%m-%d")
        lines, _ = read_orders(folder / f"orders-{n}.csv")
        direct, _ = best_of(lambda lines=lines: analyse(lines), repeat=1)
        cells = n * len(orders.columns)
        print(
            f"{n:8,} {cells:9,} {load:7.1f}s {refresh:7.1f}s {result.passes:6} "
            f"{direct:7.2f}s {refresh / direct:6.0f}x {cells / refresh:10,.0f}"
        )


if __name__ == "__main__":
    main()
