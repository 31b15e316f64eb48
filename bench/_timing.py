"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import time


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
