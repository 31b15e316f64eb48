"""The full report on 1,000,000 orders: wall time, peak memory, per-stage times, and its
I/O bounds, measured in the same run.

    python bench/bench_report.py [--orders 1000000] [--keep DIR] [--repeat 3]

The bounds: reading the same CSV with pandas alone, and writing the same cells with
XlsxWriter (constant_memory), no analysis, no formats.  Target (issue 12): the report
end to end (its own process: start-up, imports, reading, analyses, writing) within
5 times their sum, peak under 1.5 GB.  Each is run ``--repeat`` times, one after
another, and the medians compared: on a shared virtual machine one run of the same
report varies by 15 % or more.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median shown)")
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
    print(f"orders: {args.orders:,} ({size:,.0f} MB CSV); {args.repeat} runs of each")
    walls, reads, writes = [], [], []
    for run in range(args.repeat):
        # The report runs in its own process, which reports its own peak resident memory.
        wall, peak_mb, stages = measured_run("report", str(log), "-o", str(report))
        walls.append(wall)
        print(f"run {run + 1}: xlbizops report, end to end {wall:6.1f} s, peak {peak_mb:,.0f} MB")
        print("  stages: " + stages)
        reads.append(_read_bound(log))
        cells, seconds = _write_bound(report, folder / "xlsxwriter.xlsx")
        writes.append(seconds)
        print(f"  bound: pandas.read_csv of the same file        {reads[-1]:6.2f} s")
        print(f"  bound: XlsxWriter writing the same {cells:,} cells {writes[-1]:6.2f} s")
        print(f"  report / bounds: {wall / (reads[-1] + writes[-1]):.2f}x")
    wall, bounds = statistics.median(walls), statistics.median(reads) + statistics.median(writes)
    verdict = "OK" if wall <= 5 * bounds else "OVER"
    print(
        f"median: report {wall:.1f} s, bounds {bounds:.1f} s (read_csv "
        f"{statistics.median(reads):.2f} + XlsxWriter {statistics.median(writes):.2f}): "
        f"{wall / bounds:.2f}x the bounds, target <= 5x: {verdict}"
    )
    print(f"files in {folder}")
    if not args.keep:
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    os.sync()


def _read_bound(log: Path) -> float:
    started = time.perf_counter()
    pd.read_csv(log)
    return time.perf_counter() - started


def _write_bound(report: Path, out: Path) -> tuple[int, float]:
    """(cells, seconds): XlsxWriter (constant_memory) writing the report's cells, no
    analysis and no formats."""
    import xlsxwriter

    wb = openpyxl.load_workbook(report, read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    cells = sum(sum(v is not None for v in row) for rows in sheets.values() for row in rows)
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name[:31])
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.write(i, j, value)
    book.close()
    return cells, time.perf_counter() - started


if __name__ == "__main__":
    main()
