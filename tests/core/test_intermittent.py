"""Intermittent-demand forecasts (issue 23) against statsforecast 2.1.1 itself.

``tests/data/statsforecast_intermittent.json`` holds 47 series (all-zero, one sale
at the start, middle and end, leading zeros, a constant, and 40 drawn from
Bernoulli-Poisson, Bernoulli-gamma and negative-binomial processes of 8 to 104
periods) with statsforecast's ``CrostonClassic``, ``CrostonSBA``, ``TSB(0.1, 0.1)``,
``ADIDA`` and ``IMAPA`` one-step forecasts, written by
``bench/statsforecast_reference.py`` in an environment of its own (statsforecast
needs pandas < 3 and numba; it is never a dependency of xlbizops).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from xlbizops.core import InputError
from xlbizops.core import intermittent as im

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "data/statsforecast_intermittent.json").read_text()
)


def _matrix(series: list[list[float]]) -> np.ndarray:
    """Right-aligned, NaN before each series: the layout every method takes."""
    width = max(len(s) for s in series)
    y = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        y[i, width - len(s) :] = s
    return y


@pytest.mark.parametrize("method", ["croston", "sba", "tsb", "adida", "imapa"])
def test_point_forecasts_equal_statsforecast(method):
    assert REFERENCE["source"].startswith("statsforecast 2.1.1")
    assert REFERENCE["tsb_alphas"] == list(im.TSB_ALPHAS)
    cases = REFERENCE["cases"]
    ours = im.forecasts(_matrix([c["y"] for c in cases]), (method,))[method]
    theirs = np.array([c[method] for c in cases])
    assert len(cases) == 47 and (theirs > 0).sum() >= 40  # the set has real forecasts
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


def test_one_series_alone_gives_what_it_gives_among_others():
    """Right-alignment is only a layout: a series forecast alone or padded among
    longer ones gives the same number."""
    cases = REFERENCE["cases"]
    together = im.forecasts(_matrix([c["y"] for c in cases]))
    for i in (0, 4, 10, 30):
        alone = im.forecasts(_matrix([cases[i]["y"]]))
        for method, values in alone.items():
            assert values[0] == pytest.approx(together[method][i], rel=1e-9, abs=1e-12)


def test_croston_and_sba_by_hand():
    """0, 3, 0, 0, 5: sizes 3, 5 and intervals 2, 3.  SES (α 0.1) from the first
    value: sizes 3 + 0.1·(5 − 3) = 3.2, intervals 2 + 0.1·(3 − 2) = 2.1."""
    y = _matrix([[0, 3, 0, 0, 5]])
    assert im.croston(y)[0] == pytest.approx(3.2 / 2.1)
    assert im.croston(y, debias=True)[0] == pytest.approx(0.95 * 3.2 / 2.1)


def test_tsb_decays_when_sales_stop_and_croston_does_not():
    """TSB's probability falls every period without demand (Teunter et al. 2011):
    after 10 empty periods it is 0.9^10 of what it was; Croston's stays put."""
    sold = [4.0, 4.0, 4.0, 4.0]
    stopped = _matrix([sold + [0.0] * 10])
    active = _matrix([sold])
    assert im.tsb(stopped)[0] == pytest.approx(im.tsb(active)[0] * 0.9**10)
    assert im.croston(stopped)[0] == pytest.approx(im.croston(active)[0])


def test_ses_least_squares_alpha_is_the_minimum():
    """The golden-section α gives a smaller squared error than any α on a fine grid
    of the bounds, and it is the Saudi-oil SES answer of Hyndman's book at a
    given α (shared/oracles: α 0.2 → 484.8025 with the level at the first value)."""
    rng = np.random.default_rng(3)
    y = rng.poisson(4, (6, 40)).astype(float)
    alpha = im.least_squares_alpha(y, (0.1, 0.3))
    best = im.ses(y, alpha)[1]
    for a in np.linspace(0.1, 0.3, 201):
        assert (best <= im.ses(y, a)[1] + 1e-9).all()
    oil = [446.6565, 454.4733, 455.663, 423.6322, 456.2713, 440.5881, 425.3325, 485.1494,
           506.0482, 526.792, 514.2689, 494.211]  # fmt: skip
    assert im.ses(np.array([oil]), 0.2)[0][0] == pytest.approx(484.8025, abs=1e-3)
    assert im.ses(np.array([oil]), 0.6)[0][0] == pytest.approx(501.8375, abs=1e-3)


def test_an_unknown_method_is_refused_by_name():
    with pytest.raises(InputError, match="method must be one of croston, sba"):
        im.forecasts(_matrix([[1.0]]), ("holt",))
