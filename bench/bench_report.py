"""The full report on 1,000,000 orders: wall time, peak memory, per-stage times, and the
two bounds it sits between, measured in the same run.

    python bench/bench_report.py [--orders 1000000] [--keep DIR]

Lower bound: reading the same CSV with pandas alone.  Upper-side reference: writing the
same cells with XlsxWriter (constant_memory), no analysis at all.  Target (issue 4):
under 60 s and 3 GB peak on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import measured_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder for the CSV and the report (default: temporary)")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="xlbizops-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"orders-{args.orders}.csv"
    if not log.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "xlbizops.cli",
                "sample-data",
                "-o",
                str(log),
                "--orders",
                str(args.orders),
            ],
            check=True,
        )
    size = log.stat().st_size / 1e6
    report = folder / "report.xlsx"
    # The report runs in its own process, which reports its own peak resident memory.
    wall, peak_mb, stages = measured_run("report", str(log), "-o", str(report))
    print(f"orders: {args.orders:,} ({size:,.0f} MB CSV)")
    print(
        f"xlbizops report, end to end:  {wall:6.1f} s   peak {peak_mb:,.0f} MB"
        f"   {'OK' if wall < 60 and peak_mb < 3072 else 'OVER the 60 s / 3 GB target'}"
    )
    print("  stages: " + stages)

    t = time.perf_counter()
    pd.read_csv(log)
    print(f"bound: pandas.read_csv of the same file      {time.perf_counter() - t:6.1f} s")

    wb = openpyxl.load_workbook(report, read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    cells = sum(sum(v is not None for v in row) for rows in sheets.values() for row in rows)
    import xlsxwriter

    t = time.perf_counter()
    out = xlsxwriter.Workbook(str(folder / "xlsxwriter.xlsx"), {"constant_memory": True})
    for name, rows in sheets.items():
        ws = out.add_worksheet(name[:31])
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.write(i, j, value)
    out.close()
    print(f"bound: XlsxWriter writing the same {cells:,} cells {time.perf_counter() - t:6.1f} s")
    print(f"files in {folder}")
    if not args.keep:
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    os.sync()


if __name__ == "__main__":
    main()
