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


# --- Forecasting and seasonality ------------------------------------------------------

import pandas as pd  # noqa: E402

from tests.oracles import SAUDI_OIL  # noqa: E402
from xlbizops.core.timeseries import detect_seasonality, forecast_ets, seasonal_strength  # noqa: E402,E501


@pytest.mark.parametrize(("alpha", "expected"), [(0.2, 484.8025), (0.6, 501.8375)])
def test_simple_exponential_smoothing_fpp_saudi_oil(alpha, expected):
    # FPP 1st ed.: SES with the level initialised at the first value.
    f = forecast_ets(
        SAUDI_OIL, 1, 0, model="ANN", smoothing_level=alpha, initial_level=SAUDI_OIL[0]
    )
    assert f.table["forecast"].iloc[0] == pytest.approx(expected, abs=0.00005)


def test_forecast_table_has_nested_intervals_and_dates():
    rng = np.random.default_rng(0)
    t = np.arange(60)
    y = 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 60)
    dates = pd.date_range("2021-01-01", periods=60, freq="MS")
    f = forecast_ets(y, 6, dates=dates)
    assert f.period == 12 and f.model in ("ANA", "AAA", "AAdA")
    table = f.table
    assert table["date"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2026-01-01", "2026-02-01"]
    assert (table["lower_95"] < table["lower_80"]).all()
    assert (table["lower_80"] < table["forecast"]).all()
    assert (table["forecast"] < table["upper_80"]).all()
    assert (table["upper_80"] < table["upper_95"]).all()
    # Widths grow with the horizon.
    assert (np.diff(table["upper_95"] - table["lower_95"]) >= -1e-9).all()


def test_forecast_picks_a_trend_model_for_a_trending_series():
    y = 10 + 2.0 * np.arange(30) + np.random.default_rng(1).normal(0, 0.5, 30)
    f = forecast_ets(y, 3, period=0)
    assert f.model in ("AAN", "AAdN")
    assert f.table["forecast"].iloc[0] == pytest.approx(10 + 2 * 30, abs=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1.0, 2.0, 3.0], "horizon": 2}, "at least 4 points"),
        ({"values": list(range(10)), "horizon": 0}, "horizon must be at least 1"),
        ({"values": list(range(10)), "horizon": 2, "period": 6, "model": "AAA"},
         "needs at least two full periods"),
        ({"values": list(range(10)), "horizon": 2, "dates": ["2024-01-01"] * 10},
         "same date twice"),
        ({"values": list(range(10)), "horizon": 2, "model": "MAM"}, "model must be auto"),
    ],
)  # fmt: skip
def test_forecast_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        forecast_ets(**kwargs)


def test_seasonality_finds_weekly_and_monthly_seasons():
    rng = np.random.default_rng(0)
    t = np.arange(200)
    daily = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, 200)
    found = detect_seasonality(daily)
    assert found.period == 7 and found.strength > 0.9
    monthly = 50 + 5 * np.sin(2 * np.pi * np.arange(60) / 12) + rng.normal(0, 1, 60)
    assert detect_seasonality(monthly).period == 12


def test_seasonality_is_zero_for_noise_and_for_a_pure_trend():
    assert detect_seasonality(np.random.default_rng(2).normal(0, 1, 300)).period == 0
    assert detect_seasonality(np.arange(50.0)).period == 0


def test_seasonal_strength_bounds():
    t = np.arange(84)
    pure = np.tile([1.0, 5.0, 2.0, 8.0, 3.0, 9.0, 4.0], 12)
    assert seasonal_strength(pure + 0.01 * t, 7) > 0.99
    noise = np.random.default_rng(3).normal(0, 1, 84)
    assert seasonal_strength(noise, 7) < 0.5


def test_a_strongly_seasonal_log_gets_a_seasonal_model_not_a_stuck_fit():
    """Issue 22: on a four-year monthly revenue with a strong yearly pattern, fitting the
    12 initial seasonal states by likelihood stopped in a poor optimum (here: AICc
    1,066 against the flat model's 1,036), so the flat model won and the forecast
    ignored December.  Started from the classical decomposition the seasonal model's
    AICc is about 924, and it is chosen."""
    import warnings

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(11)
    days = pd.date_range("2022-11-01", "2026-10-31", freq="D")
    season = np.array([60, 50, 80, 90, 100, 120, 150, 140, 110, 100, 130, 200]) / 100
    rate = 12 * season[days.month - 1] * (1 + 0.1 * (days.year - 2022))
    revenue = pd.Series(rng.poisson(rate) * rng.gamma(4, 14, len(days)), index=days)
    y = revenue.resample("MS").sum().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = ETSModel(pd.Series(y), error="add").fit(disp=False).aicc
    result = forecast_ets(y, 12, 12)
    assert result.model.endswith("A") and result.aicc < flat - 50
    forecast = result.table["forecast"].to_numpy()  # Nov 2026 .. Oct 2027
    assert forecast[1] == forecast.max() and forecast[3] == forecast.min()  # Dec high, Feb low
