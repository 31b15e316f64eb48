"""Before/after over time (issue 25), each figure beside its anchor from the same run.

    python bench/bench_impact.py [--series 500]

- IMPACT_SERIES calibration: on simulated daily series (trend, weekly and yearly
  cycles, AR(1) noise, one correlated control; 800 days before, 60 after) with no
  change, the share whose 95 % interval of the cumulative effect holds 0; anchor
  93–97 %.
- Power: the same series with a true 5 % lift: the share found (p < 0.05), anchor
  ≥ 80 %; the mean error of the relative effect, anchor within 1 point.
- IMPACT_DID calibration on simulated panels (20 stores, 8 treated, 12 days, no
  change): the share whose 95 % interval holds 0; anchor 93–97 %.
- Speed: 1,000 days before + 90 after with 3 controls, placebo check included;
  anchor 2 s.

The series and panels are drawn by ``tests/core/test_impact.py``'s generators (the
test runs a short version of the same calibration).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.core.test_impact import _panel, _simulated  # noqa: E402
from xlbizops.core import impact  # noqa: E402


def series_runs(count: int, lift: float, seed: int):
    rng = np.random.default_rng(seed)
    held, found, errors = [], [], []
    for _ in range(count):
        dates, y, control, true = _simulated(rng, lift)
        s = impact.impact_series(dates, y, dates[800], controls=control, placebo=False)
        s = s.summary.set_index("measure")["cumulative"]
        held.append(s["absolute effect lower 95%"] <= true <= s["absolute effect upper 95%"])
        found.append(s["p-value"] < 0.05)
        errors.append(s["relative effect"] - lift)
    return np.mean(held), np.mean(found), np.mean(errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=500)
    n = parser.parse_args().series

    started = time.perf_counter()
    held, _, error = series_runs(n, 0.0, 11)
    each = (time.perf_counter() - started) / n
    ok = "OK" if 0.93 <= held <= 0.97 else "OUT"
    print(f"{'IMPACT_SERIES, no change: 95 % interval holds 0':<52} {held:6.1%}   "
          f"anchor 93-97 %  {ok}  ({n} series, {each:.2f} s each)")  # fmt: skip
    held, found, error = series_runs(n, 0.05, 12)
    print(f"{'IMPACT_SERIES, 5 % lift: found (p < 0.05)':<52} {found:6.1%}   "
          f"anchor >= 80 %  {'OK' if found >= 0.8 else 'UNDER'}")  # fmt: skip
    print(f"{'IMPACT_SERIES, 5 % lift: mean error of the relative effect':<52} {error:+6.2%}   "
          f"anchor within 1 point  {'OK' if abs(error) <= 0.01 else 'OVER'}")  # fmt: skip
    print(f"{'IMPACT_SERIES, 5 % lift: interval holds the true effect':<52} {held:6.1%}")

    rng = np.random.default_rng(13)
    held = []
    for _ in range(n):
        frame, treated, change = _panel(rng, periods=12, change=8)
        s = impact.impact_did(frame["date"], frame["value"], frame["group"], treated, change)
        s = s.summary.set_index("measure")["value"]
        held.append(s["effect lower 95%"] <= 0 <= s["effect upper 95%"])
    share = np.mean(held)
    print(
        f"{'IMPACT_DID, no change: 95 % interval holds 0':<52} {share:6.1%}   "
        f"anchor 93-97 %  {'OK' if 0.93 <= share <= 0.97 else 'OUT'}  ({n} panels)"
    )

    rng = np.random.default_rng(0)
    days = 1090
    t = np.arange(days)
    controls = 10 + rng.normal(size=(days, 3)).cumsum(axis=0) * 0.1
    y = (100 + 0.02 * t + 5 * np.sin(2 * np.pi * t / 7) + 8 * np.sin(2 * np.pi * t / 365.25)
         + controls @ [1, 0.5, 0.2] + rng.normal(size=days))  # fmt: skip
    dates = pd.date_range("2022-01-01", periods=days)
    started = time.perf_counter()
    impact.impact_series(dates, y, dates[1000], controls=controls)
    took = time.perf_counter() - started
    print(
        f"{'IMPACT_SERIES, 1,000 + 90 days, 3 controls, placebo':<52} {took:6.2f} s   "
        f"anchor 2 s  {'OK' if took <= 2 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
