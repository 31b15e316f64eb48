"""Reference answers for the customer-lifetime models, from lifetimes itself.

lifetimes 0.11.3 (MIT; the models' reference implementation in Python) is
unmaintained and imports ``pkg_resources``; it runs in an environment of its own
(the ``bench`` extra) and writes ``tests/data/lifetimes_clv.json``, which
``tests/core/test_customers.py`` compares with.  To regenerate::

    python -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes==0.11.3 "setuptools<81"
    /tmp/lt/bin/python bench/lifetimes_reference.py

Written: the BG/NBD, modified BG/NBD and Pareto/NBD parameters fitted on the authors' CDNOW
calibration summary (2,357 customers, weeks), and at those parameters P(alive) and
the expected purchases in 10 and 52 weeks for a grid of (x, t_x, T).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GRID = [(x, tx, t) for x in (0, 1, 2, 5, 12) for t in (20.0, 38.86) for tx in (0.0, 5.5, t)
        if not (x == 0 and tx > 0) and not (x > 0 and tx == 0)]  # fmt: skip


def main(path: Path) -> None:
    import lifetimes
    from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    summary = pd.read_csv(
        ROOT / "tests/fixtures/cdnow/cdnow_customers_summary_with_transactions.csv"
    )
    out = {"source": f"lifetimes {lifetimes.__version__}, bench/lifetimes_reference.py",
           "grid": GRID, "models": {}}  # fmt: skip
    x, tx, t = (np.array([g[i] for g in GRID], float) for i in range(3))
    fitters = (("bgnbd", BetaGeoFitter()), ("mbgnbd", ModifiedBetaGeoFitter()),
               ("paretonbd", ParetoNBDFitter()))  # fmt: skip
    for name, fitter in fitters:
        fitter.fit(summary["x"], summary["t_x"], summary["T"])
        out["models"][name] = {
            "params": {k: float(v) for k, v in fitter.params_.items()},
            "p_alive": fitter.conditional_probability_alive(x, tx, t).tolist(),
            "expected_10": fitter.conditional_expected_number_of_purchases_up_to_time(
                10, x, tx, t).tolist(),
            "expected_52": fitter.conditional_expected_number_of_purchases_up_to_time(
                52, x, tx, t).tolist(),
        }  # fmt: skip
    out["holdout"] = holdout_check()
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"written to {path}")


def holdout_check() -> dict:
    """lifetimes' own calibration/holdout comparison on the CDNOW sample log
    (calibration to 1997-09-30, holdout to 1998-06-30, days then weeks): BG/NBD
    fitted on the calibration part, mean actual and predicted holdout purchases per
    calibration frequency 0..6, 7+ (``plot_calibration_purchases_vs_holdout_purchases``)."""
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import calibration_and_holdout_data

    names = ["master", "id", "date", "cds", "amount"]
    log = pd.read_csv(ROOT / "tests/fixtures/cdnow/CDNOW_sample.txt", sep=r"\s+",
                      header=None, names=names, dtype={"date": str})  # fmt: skip
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    split = calibration_and_holdout_data(log, "id", "date", "1997-09-30", "1998-06-30", freq="D")
    x = split["frequency_cal"].to_numpy(float)
    tx, t = split["recency_cal"].to_numpy(float) / 7, split["T_cal"].to_numpy(float) / 7
    t = np.maximum(t, 1 / 7)
    weeks = float(split["duration_holdout"].iloc[0]) / 7
    fitter = BetaGeoFitter().fit(x, tx, t)
    predicted = fitter.conditional_expected_number_of_purchases_up_to_time(weeks, x, tx, t)
    group = np.minimum(x, 7).astype(int)
    frame = pd.DataFrame(
        {"group": group, "actual": split["frequency_holdout"], "predicted": predicted}
    )
    means = frame.groupby("group")[["actual", "predicted"]].mean()
    return {
        "calibration_end": "1997-09-30", "as_of": "1998-06-30", "weeks": weeks,
        "params": {k: float(v) for k, v in fitter.params_.items()},
        "customers": frame.groupby("group").size().tolist(),
        "actual_mean": means["actual"].tolist(), "predicted_mean": means["predicted"].tolist(),
    }  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/lifetimes_clv.json")
