"""Reference answers for the intermittent-demand forecasts, from statsforecast itself.

statsforecast 2.1 needs pandas < 3 and numba, so it cannot share an environment with
xlbizops' tests (pandas 3) or run in xlwings Lite.  This script runs in its own
environment and writes the series and statsforecast's forecasts to
``tests/data/statsforecast_intermittent.json``; ``tests/core/test_intermittent.py``
compares ours with them.  To regenerate::

    python -m venv /tmp/sf && /tmp/sf/bin/pip install statsforecast==2.1.1
    /tmp/sf/bin/python bench/statsforecast_reference.py

The series: all-zero, one sale (first, middle, last period), leading zeros,
smooth, erratic, intermittent and lumpy ones of 8 to 104 periods, drawn with a
fixed seed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

TSB_ALPHAS = (0.1, 0.1)  # xlbizops' defaults, given to statsforecast's TSB


def series_set() -> dict[str, list[float]]:
    rng = np.random.default_rng(2026)
    out = {
        "all_zero": [0.0] * 12,
        "one_sale_first": [4.0] + [0.0] * 11,
        "one_sale_middle": [0.0] * 6 + [4.0] + [0.0] * 5,
        "one_sale_last": [0.0] * 11 + [4.0],
        "leading_zeros": [0.0] * 20 + [2, 0, 0, 5, 0, 1, 0, 0, 0, 3, 0, 2],
        "two_sales": [3.0, 0, 0, 0, 0, 0, 0, 7],
        "constant": [5.0] * 26,
    }
    for i in range(40):
        n = int(rng.choice([8, 13, 26, 52, 104]))
        p = float(rng.choice([0.08, 0.2, 0.4, 0.7, 0.95]))
        kind = ("poisson", "gamma", "negbin")[i % 3]
        occurs = rng.random(n) < p
        if kind == "poisson":
            sizes = 1 + rng.poisson(float(rng.uniform(0.5, 8)), n)
        elif kind == "gamma":
            sizes = np.ceil(rng.gamma(float(rng.uniform(0.3, 3)), float(rng.uniform(2, 20)), n))
        else:
            sizes = 1 + rng.negative_binomial(1, float(rng.uniform(0.05, 0.5)), n)
        y = np.where(occurs, sizes, 0).astype(float)
        if not y.any():
            y[-1] = 1.0
        out[f"{kind}_{i:02d}_n{n}_p{p}"] = y.tolist()
    return out


def main(path: Path) -> None:
    import statsforecast
    from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonSBA

    models = {
        "croston": CrostonClassic(),
        "sba": CrostonSBA(),
        "tsb": TSB(alpha_d=TSB_ALPHAS[0], alpha_p=TSB_ALPHAS[1]),
        "adida": ADIDA(),
        "imapa": IMAPA(),
    }
    cases = []
    for name, y in series_set().items():
        values = np.asarray(y, dtype=float)
        row = {"name": name, "y": y}
        for method, model in models.items():
            row[method] = float(model.forecast(values, h=1)["mean"][0])
        cases.append(row)
    out = {
        "source": f"statsforecast {statsforecast.__version__}, bench/statsforecast_reference.py",
        "tsb_alphas": list(TSB_ALPHAS),
        "cases": cases,
    }
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(cases)} series written to {path}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else root / "tests/data/statsforecast_intermittent.json"
    )
