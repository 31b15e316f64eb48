"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import subprocess
import sys
import time

# A command of xlbizops in its own process, which prints its own peak resident memory.
_MEASURED = (
    "import resource, sys; from xlbizops.cli import main; "
    "code = main(sys.argv[1:], own_process=True); "
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)"
)


def best_of(fn, repeat: int = 3):
    """(best wall-clock seconds over ``repeat`` runs, last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def row(label: str, seconds: float, rows: int, target: float | None = None) -> None:
    verdict = "" if target is None else ("  OK" if seconds < target else f"  OVER {target:g} s")
    print(f"{label:<58} {seconds:8.3f} s {rows / seconds:14,.0f} rows/s{verdict}")


def measured_run(*argv: str) -> tuple[float, float, str]:
    """(wall seconds, peak MB, the stage timings printed) of ``xlbizops ARGV`` run in a
    process of its own."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *argv], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"xlbizops {' '.join(argv)} failed: {done.stderr}")
    peak_mb = int(done.stdout.split("PEAK_KB")[1]) / 1024
    wrote = next(line for line in done.stdout.splitlines() if line.startswith("wrote "))
    return wall, peak_mb, wrote.split("(", 1)[1].rsplit(")", 1)[0]
