"""Decomposition against statsmodels' published test values (test_seasonal.py).

Those tests check statsmodels against R's ``decompose``.  Our ``trend`` + ``cycle``
is the classical trend-cycle, so their sum is compared with the published trend.
"""

import numpy as np
import pytest

from tests.oracles import QUARTERLY
from xlbizops.core import InputError
from xlbizops.core.timeseries import decompose, hp_lambda_for_period, resample


def test_additive_classical_matches_published_values():
    parts = decompose(QUARTERLY, 4)
    np.testing.assert_allclose(parts["seasonal"][:4], [62.46, 86.17, -88.38, -60.25], atol=0.01)
    trend_cycle = parts["trend"] + parts["cycle"]
    np.testing.assert_allclose(trend_cycle[2:6], [159.12, 204.00, 221.25, 245.12], atol=0.01)
    np.testing.assert_allclose(parts["residual"][2:4], [78.254, 70.254], atol=0.001)


def test_multiplicative_classical_matches_published_values():
    parts = decompose(np.abs(QUARTERLY), 4, model="multiplicative")
    np.testing.assert_allclose(parts["seasonal"][:4], [1.0815, 1.5538, 0.6716, 0.6931], atol=0.0001)
    assert parts["trend"][2] * parts["cycle"][2] == pytest.approx(171.62, abs=0.01)


def test_classical_ends_are_blank_like_r_decompose():
    parts = decompose(QUARTERLY, 4)
    for column in ("trend", "cycle", "residual"):
        assert parts[column].isna().tolist() == [True] * 2 + [False] * 28 + [True] * 2
    assert parts["seasonal"].notna().all()


@pytest.mark.parametrize("method", ["classical", "stl"])
def test_components_add_up_to_the_series(method):
    parts = decompose(QUARTERLY, 4, method=method).dropna()
    total = parts["trend"] + parts["seasonal"] + parts["cycle"] + parts["residual"]
    np.testing.assert_allclose(total, parts["observed"], atol=1e-9)


@pytest.mark.parametrize("method", ["classical", "stl"])
def test_multiplicative_components_multiply_to_the_series(method):
    y = np.abs(QUARTERLY) + 1.0
    parts = decompose(y, 4, model="multiplicative", method=method).dropna()
    product = parts["trend"] * parts["seasonal"] * parts["cycle"] * parts["residual"]
    np.testing.assert_allclose(product, parts["observed"], rtol=1e-9)


def test_a_straight_trend_has_no_cycle():
    # The HP filter reproduces a linear trend exactly, so trend + season + nothing else.
    t = np.arange(48, dtype=float)
    season = np.tile([3.0, -1.0, -4.0, 2.0], 12)
    parts = decompose(10 + 2 * t + season, 4).dropna()
    np.testing.assert_allclose(parts["trend"], 10 + 2 * parts.index.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(parts["cycle"], 0, atol=1e-6)
    np.testing.assert_allclose(parts["residual"], 0, atol=1e-9)


def test_hp_lambda_follows_ravn_uhlig():
    assert hp_lambda_for_period(4) == 1600
    assert hp_lambda_for_period(12) == pytest.approx(129_600)
    assert hp_lambda_for_period(1) == pytest.approx(6.25)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1.0] * 7, 4), {}, "at least two full periods: 8 values for period 4 (got 7)"),
        (([1.0] * 8, 1), {}, "period must be at least 2"),
        (([1.0] * 8, 2.5), {}, "period must be a whole number"),
        (([1.0, 0, 1, 1], 2), {"model": "multiplicative"}, "values greater than 0"),
        (([1.0] * 8, 2), {"model": "additiv"}, 'model must be one of "additive"'),
        (([1.0] * 8, 2), {"method": "x13"}, 'method must be one of "classical", "stl"'),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises(InputError) as err:
        decompose(*args, **kwargs)
    assert message in str(err.value)


def test_resample_fills_empty_periods_with_zero_for_sums():
    out = resample(["2024-01-31", "2024-01-01", "2024-03-05"], [1, 2, 3], "month")
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
    ]
    assert out["value"].tolist() == [3.0, 0.0, 3.0]


def test_resample_weeks_start_on_monday():
    out = resample(["2024-01-03", "2024-01-07", "2024-01-08"], [1, 1, 5], "week", "count")
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-08"]
    assert out["value"].tolist() == [2.0, 1.0]
