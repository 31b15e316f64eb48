"""The report beyond memory (issue 13): time and peak memory of the in-memory pandas
path beside the DuckDB path, on the same Parquet logs, measured in the same run.

    python bench/bench_engines.py [--sizes 1000000 5000000 20000000] [--keep DIR]
                                  [--pandas-up-to 5000000]

Each report runs in its own process, which prints its own peak resident memory.
The pandas path reads the single Parquet file into memory (``report orders.parquet``);
the DuckDB path reads the same file as a glob (``report 'orders*.parquet'``), out of
core.  Targets (issue 13): 1M orders, DuckDB no slower than pandas; 20M under 3 min
and 3 GB; 5M under 2 GB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import measured_run  # noqa: E402

TARGETS = {  # orders: (seconds, MB) for the DuckDB path
    5_000_000: (None, 2048),
    20_000_000: (180, 3072),
}


def sample(folder: Path, orders: int) -> Path:
    path = folder / f"orders-{orders}.parquet"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "xlbizops.cli", "sample-data", "-o", str(path),
             "--orders", str(orders)],
            check=True, capture_output=True,
        )  # fmt: skip
        size = path.stat().st_size / 1e6
        print(f"sample-data {orders:,} orders → {size:,.0f} MB Parquet "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return path


def report(source: str, output: Path, *extra: str) -> tuple[float, float, str]:
    return measured_run("report", source, "-o", str(output), *extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000_000, 5_000_000, 20_000_000])  # fmt: skip
    parser.add_argument("--pandas-up-to", type=int, default=5_000_000)
    parser.add_argument("--keep", help="folder for the logs and reports (default: temporary)")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="xlbizops-engines-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'orders':>12} {'path':<8} {'seconds':>8} {'peak MB':>8}  target / stages")
    for orders in args.sizes:
        log = sample(folder, orders)
        pandas_time = None
        if orders <= args.pandas_up_to:
            wall, peak, stages = report(str(log), folder / "pandas.xlsx")
            pandas_time = wall
            print(f"{orders:>12,} {'pandas':<8} {wall:8.1f} {peak:8,.0f}  ({stages})")
        glob = str(log).replace(".parquet", "*.parquet")
        wall, peak, stages = report(glob, folder / "duckdb.xlsx")
        limit_s, limit_mb = TARGETS.get(orders, (None, None))
        verdicts = []
        if pandas_time is not None:
            ratio = wall / pandas_time
            verdicts.append(f"{ratio:.2f}x the pandas path")
        if limit_s:
            verdicts.append(f"{'OK' if wall < limit_s else 'OVER'} {limit_s} s")
        if limit_mb:
            verdicts.append(f"{'OK' if peak < limit_mb else 'OVER'} {limit_mb:,} MB")
        print(f"{orders:>12,} {'duckdb':<8} {wall:8.1f} {peak:8,.0f}  {'; '.join(verdicts)}")
        print(f"{'':>22}({stages})")
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
