"""Trends: time-series decomposition Y = T + S + C + R (or Y = T·S·C·R).

Classical decomposition by centred moving averages (Kendall & Stuart; Hyndman &
Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §3.4; R's
``decompose``) or STL (Cleveland et al. 1990, via statsmodels).  Both give a
trend-cycle; it is split into a smooth trend and a cycle with the Hodrick–Prescott
filter (Hodrick & Prescott 1997) so all four components of the seed formula show.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.filters.hp_filter import hpfilter
from statsmodels.tsa.seasonal import STL, seasonal_decompose

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError

DECOMPOSE_COLUMNS = ["observed", "trend", "seasonal", "cycle", "residual"]


def hp_lambda_for_period(period: int) -> float:
    """Ravn & Uhlig (2002) smoothing: λ = 1600·(period/4)^4.

    Treats ``period`` as observations per year: 1600 for quarterly data (period 4),
    129,600 for monthly (12), 6.25 for yearly.  For daily data with a weekly season
    (period 7) it gives 15,006, a trend that follows swings of a few months.
    """
    return 1600.0 * (period / 4.0) ** 4


def _split_trend_cycle(trend_cycle: np.ndarray, lam: float, multiplicative: bool):
    """Split a trend-cycle (NaN at undefined ends) into HP trend and cycle."""
    trend = np.full_like(trend_cycle, np.nan)
    cycle = np.full_like(trend_cycle, np.nan)
    ok = np.isfinite(trend_cycle)
    if ok.sum() < 3:  # nothing to smooth: the whole trend-cycle is trend
        trend[ok] = trend_cycle[ok]
        cycle[ok] = 1.0 if multiplicative else 0.0
        return trend, cycle
    tc = trend_cycle[ok]
    if multiplicative:
        if (tc <= 0).any():
            raise InputError("the multiplicative model needs a positive trend; use additive")
        cyc, trd = hpfilter(np.log(tc), lamb=lam)
        trend[ok], cycle[ok] = np.exp(trd), np.exp(cyc)
    else:
        cyc, trd = hpfilter(tc, lamb=lam)
        trend[ok], cycle[ok] = trd, cyc
    return trend, cycle


def decompose(
    values,
    period: int,
    model: str = "additive",
    method: str = "classical",
    hp_lambda: float | None = None,
    robust: bool = False,
) -> pd.DataFrame:
    """Decompose a series into observed, trend, seasonal, cycle and residual.

    Additive: Y = T + S + C + R.  Multiplicative: Y = T·S·C·R (all values > 0).

    - ``method="classical"``: trend-cycle = centred moving average of order
      ``period`` (2×m MA for even periods), seasonal = period means of the
      detrended series, normalised to sum 0 (mean 1), residual = what is left.
      As in R's ``decompose``, trend, cycle and residual are undefined (NaN) for
      the first and last ⌊period/2⌋ values.
    - ``method="stl"``: STL by LOESS (multiplicative: STL on the logarithms,
      components exponentiated); defined everywhere.  ``robust=True`` uses STL's
      robustness weights so single extreme values stay in the residual (for
      anomaly detection).

    The trend-cycle is then split by the HP filter (``hp_lambda``, default
    :func:`hp_lambda_for_period`): T = HP trend, C = trend-cycle − T
    (multiplicative: HP on log trend-cycle, C = trend-cycle / T).

    Needs at least two full periods.  The statsmodels test series (period 4) gives
    seasonal 62.46, 86.17, −88.38, −60.25 and trend[2] = 159.125.
    """
    y = v.as_numbers("values", values)
    if y.ndim != 1:
        raise InputError("values must be a single column")
    period = v.whole_number("period", period, minimum=2)
    model = v.choice("model", model, ("additive", "multiplicative"))
    method = v.choice("method", method, ("classical", "stl"))
    if len(y) < 2 * period:
        raise InputError(
            f"values needs at least two full periods: {2 * period} values for "
            f"period {period} (got {len(y)})"
        )
    multiplicative = model == "multiplicative"
    if multiplicative and (y <= 0).any():
        bad = y <= 0
        raise InputError(f"the multiplicative model needs values greater than 0 {v.got(y, bad)}")
    lam = hp_lambda_for_period(period) if hp_lambda is None else float(hp_lambda)
    if not lam > 0:
        raise InputError(f"hp_lambda must be greater than 0 (got {hp_lambda})")

    if method == "classical":
        parts = seasonal_decompose(y, model=model, period=period)
        trend_cycle, seasonal, residual = parts.trend, parts.seasonal, parts.resid
    else:
        fit = STL(np.log(y) if multiplicative else y, period=period, robust=robust).fit()
        trend_cycle, seasonal, residual = fit.trend, fit.seasonal, fit.resid
        if multiplicative:
            trend_cycle, seasonal, residual = (
                np.exp(trend_cycle),
                np.exp(seasonal),
                np.exp(residual),
            )
    trend, cycle = _split_trend_cycle(np.asarray(trend_cycle, float), lam, multiplicative)
    return pd.DataFrame(
        {
            "observed": y,
            "trend": trend,
            "seasonal": np.asarray(seasonal, float),
            "cycle": cycle,
            "residual": np.asarray(residual, float),
        },
        columns=DECOMPOSE_COLUMNS,
    )


# pandas period codes; a "W-SUN" week runs Monday to Sunday.
_PERIODS = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
_HOW = ("sum", "mean", "count", "min", "max")


def resample(dates, values, period: str = "month", how: str = "sum") -> pd.DataFrame:
    """Aggregate dated values into an unbroken series of periods (``period``, ``value``).

    ``period``: "day", "week" (starting Monday), "month", "quarter" or "year", each
    labelled by its first day.  ``how``: "sum" (default), "mean", "count", "min" or
    "max".  Periods with no data between the first and the last are kept: 0 for sum
    and count, blank (NaN) otherwise - so a series fed to :func:`decompose` has no
    silent gaps.
    """
    period = v.choice("period", period, tuple(_PERIODS))
    how = v.choice("how", how, _HOW)
    stamps = v.as_dates("dates", dates)
    x = v.as_numbers("values", values)
    v.same_rows(dates=stamps, values=x)
    periods = pd.PeriodIndex(stamps, freq=_PERIODS[period])
    grouped = getattr(pd.Series(x).groupby(periods), how)()
    every = pd.period_range(periods.min(), periods.max(), freq=_PERIODS[period])
    out = grouped.reindex(every, fill_value=0 if how in ("sum", "count") else np.nan)
    return pd.DataFrame(
        {"period": every.start_time.to_numpy(), "value": out.to_numpy(dtype=float)},
        columns=RESAMPLE_COLUMNS,
    )


RESAMPLE_COLUMNS = ["period", "value"]


# --- Seasonality and exponential-smoothing forecasts ---------------------------------


@dataclass(frozen=True)
class Seasonality:
    """``period`` 0 when no season was found; ``strength`` in 0..1."""

    period: int
    strength: float


def seasonal_strength(values, period: int) -> float:
    """Strength of seasonality F_S = max(0, 1 − Var(R) / Var(S + R)) from STL.

    Wang, Smith & Hyndman (2006); Hyndman & Athanasopoulos, FPP 3rd ed., §4.3.
    """
    y = v.as_numbers("values", values)
    fit = STL(y, period=period).fit()
    total = np.var(fit.seasonal + fit.resid)
    return float(max(0.0, 1.0 - np.var(fit.resid) / total)) if total > 0 else 0.0


def detect_seasonality(values, max_period: int | None = None) -> Seasonality:
    """Season length from the autocorrelation of the linearly detrended series.

    Candidates are lags 2..min(n/2, ``max_period``) where the autocorrelation has a
    local peak above 0.2; the highest wins, but a shorter lag within 10 % of it is
    preferred (multiples of the season peak too).  The season counts only if its STL
    strength is at least 0.3; otherwise ``period`` is 0.
    """
    y = v.as_numbers("values", values)
    n = len(y)
    if n < 8:
        raise InputError(f"values needs at least 8 points to look for a season (got {n})")
    top = n // 2 if max_period is None else min(n // 2, int(max_period))
    t = np.arange(n)
    detrended = y - np.polyval(np.polyfit(t, y, 1), t)
    if np.allclose(detrended, 0):
        return Seasonality(0, 0.0)
    acf = _autocorrelation(detrended, top + 1)
    lags = np.arange(2, top)
    peaks = lags[(acf[lags] > 0.2) & (acf[lags] >= acf[lags - 1]) & (acf[lags] >= acf[lags + 1])]
    if peaks.size == 0:
        return Seasonality(0, 0.0)
    best = acf[peaks].max()
    period = int(peaks[acf[peaks] >= 0.9 * best][0])
    if n < 2 * period:
        return Seasonality(0, 0.0)
    strength = seasonal_strength(y, period)
    return Seasonality(period, strength) if strength >= 0.3 else Seasonality(0, strength)


def _autocorrelation(x: np.ndarray, lags: int) -> np.ndarray:
    x = x - x.mean()
    spectrum = np.fft.rfft(x, 2 * len(x))
    acov = np.fft.irfft(spectrum * np.conj(spectrum))[:lags]
    return acov / acov[0]


FORECAST_COLUMNS = ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
# ETS(error, trend, season) codes (Hyndman et al. 2008) and their statsmodels settings.
_ETS_MODELS = {
    "ANN": (None, False, None),
    "AAN": ("add", False, None),
    "AAdN": ("add", True, None),
    "ANA": (None, False, "add"),
    "AAA": ("add", False, "add"),
    "AAdA": ("add", True, "add"),
}


@dataclass(frozen=True)
class Forecast:
    """``table``: step (or date), forecast and 80 %/95 % prediction intervals."""

    table: pd.DataFrame
    model: str
    period: int
    aicc: float


def _fit_ets(y, code, period, smoothing_level=None, initial_level=None):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    trend, damped, seasonal = _ETS_MODELS[code]
    kwargs = {}
    if initial_level is not None:
        kwargs = {"initialization_method": "known", "initial_level": float(initial_level)}
        if trend:
            kwargs["initial_trend"] = 0.0
        if seasonal:
            kwargs["initial_seasonal"] = np.zeros(period)
    model = ETSModel(
        pd.Series(y),  # get_prediction needs an index
        error="add",
        trend=trend,
        damped_trend=damped,
        seasonal=seasonal,
        seasonal_periods=period if seasonal else None,
        **kwargs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the AICc comparison decides
        if smoothing_level is not None:
            with model.fix_params({"smoothing_level": float(smoothing_level)}):
                return model.fit(disp=False)
        fit = model.fit(disp=False)
        if seasonal and initial_level is None:
            # Estimating the 12 initial seasonal states with the smoothing weights
            # often stops in a poor local optimum (on a 4-year monthly log: α 0.001,
            # γ 0.999, log-likelihood −535); the classical-decomposition start
            # (Hyndman & Athanasopoulos, FPP3 §8.6) found −458 there.  Both are
            # fitted; the lower AICc (statsmodels counts each one's own parameters) wins.
            try:
                heuristic = ETSModel(
                    pd.Series(y), error="add", trend=trend, damped_trend=damped,
                    seasonal=seasonal, seasonal_periods=period,
                    initialization_method="heuristic",
                ).fit(disp=False)  # fmt: skip
            except ValueError:  # too short for the decomposition start: keep the first
                return fit
            if np.isfinite(heuristic.aicc) and not heuristic.aicc >= fit.aicc:
                fit = heuristic
        return fit


def forecast_ets(
    values,
    horizon: int,
    period: int | None = None,
    dates=None,
    model: str = "auto",
    smoothing_level: float | None = None,
    initial_level: float | None = None,
) -> Forecast:
    """Exponential-smoothing forecast with 80 % and 95 % prediction intervals.

    State-space ETS with additive errors (Hyndman, Koehler, Ord & Snyder 2008;
    FPP 3rd ed., ch. 8), fitted by maximum likelihood with statsmodels.  With
    ``model="auto"`` the candidates ANN, AAN, AAdN and, when a season of ``period``
    fits at least twice, ANA, AAA, AAdA are compared by AICc (Excel's
    FORECAST.ETS is AAA).  ``period`` is detected when omitted (0 = none).
    Intervals are analytic.  ``dates`` (evenly spaced) label the future periods.

    ``smoothing_level`` and ``initial_level`` fix α and ℓ₀, e.g. FPP's Saudi oil
    example: ANN, α = 0.2, ℓ₀ = first value → one-step forecast 484.8025.
    """
    y = v.as_numbers("values", values)
    horizon = v.whole_number("horizon", horizon, minimum=1, maximum=10_000)
    if len(y) < 4:
        raise InputError(f"values needs at least 4 points to forecast (got {len(y)})")
    if period is None:
        period = detect_seasonality(y).period if len(y) >= 8 else 0
    period = v.whole_number("period", period, minimum=0)
    if period == 1:
        period = 0  # Excel's convention: 1 = no season
    seasonal_ok = period >= 2 and len(y) >= 2 * period
    if model == "auto":
        candidates = [c for c in _ETS_MODELS if seasonal_ok or not c.endswith("A")]
    else:
        code = str(model).strip()
        if code not in _ETS_MODELS:
            raise InputError(
                f"model must be auto or one of {', '.join(_ETS_MODELS)} (got {model!r})"
            )
        if code.endswith("A") and not seasonal_ok:
            raise InputError(f"model {code} needs at least two full periods of {period}")
        candidates = [code]
    fits = {c: _fit_ets(y, c, period, smoothing_level, initial_level) for c in candidates}
    chosen = min(fits, key=lambda c: fits[c].aicc if np.isfinite(fits[c].aicc) else np.inf)
    result = fits[chosen]
    prediction = result.get_prediction(start=len(y), end=len(y) + horizon - 1)
    wide, narrow = prediction.summary_frame(alpha=0.05), prediction.summary_frame(alpha=0.2)
    table = pd.DataFrame(
        {
            "forecast": np.asarray(wide["mean"]),
            "lower_80": np.asarray(narrow["pi_lower"]),
            "upper_80": np.asarray(narrow["pi_upper"]),
            "lower_95": np.asarray(wide["pi_lower"]),
            "upper_95": np.asarray(wide["pi_upper"]),
        },
        columns=FORECAST_COLUMNS,
    )
    if dates is None:
        table.insert(0, "step", np.arange(1, horizon + 1))
    else:
        table.insert(0, "date", future_dates(dates, horizon, len(y)))
    return Forecast(
        table=table, model=chosen, period=period if seasonal_ok else 0, aicc=float(result.aicc)
    )


def future_dates(dates, horizon: int, expected: int) -> np.ndarray:
    """The ``horizon`` dates after evenly spaced ``dates`` (daily, weekly, monthly, …)."""
    stamps = pd.DatetimeIndex(v.as_dates("dates", dates))
    if len(stamps) != expected:
        raise InputError(f"dates has {len(stamps)} rows but values has {expected}")
    if stamps.has_duplicates:
        raise InputError("dates has the same date twice; aggregate first (RESAMPLE)")
    freq = pd.DatetimeIndex(stamps, freq="infer").freq if len(stamps) >= 3 else None
    if freq is None:
        raise InputError("dates must be evenly spaced (every day, week, month, quarter or year)")
    return pd.date_range(stamps[-1], periods=horizon + 1, freq=freq)[1:].to_numpy()


# --- Complete periods and honest forecasts ---------------------------------------------

_OFFSETS = {"week": pd.Timedelta(days=7), "month": pd.DateOffset(months=1)}


def complete_periods(starts, period: str, first_day, last_day) -> np.ndarray:
    """Which periods (given by their first days, weeks starting Monday or months) the
    log covers whole: the period starts on or after ``first_day`` and ends on or
    before ``last_day``.  A month with the log's last order on its 1st, or a week cut
    by the log's start, is partial: its total is not comparable with the others.

    >>> complete_periods(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
    ...                  "month", "2025-01-01", "2025-03-30").tolist()
    [True, True, False]
    """
    begin = pd.DatetimeIndex(pd.to_datetime(starts)).normalize()
    end = begin + _OFFSETS[period] - pd.Timedelta(days=1)
    first, last = pd.Timestamp(first_day).normalize(), pd.Timestamp(last_day).normalize()
    return np.asarray((begin >= first) & (end <= last))


def partial_note(start, period: str, first_day, last_day) -> str:
    """How a partial period is marked where it is shown: "partial (to 1 Jan)"."""
    begin = pd.Timestamp(start).normalize()
    end = begin + _OFFSETS[period] - pd.Timedelta(days=1)
    first, last = pd.Timestamp(first_day).normalize(), pd.Timestamp(last_day).normalize()
    if begin < first and end > last:
        return f"partial ({first.day} {first:%b} to {last.day} {last:%b})"
    if begin < first:
        return f"partial (from {first.day} {first:%b})"
    if end > last:
        return f"partial (to {last.day} {last:%b})"
    return ""


def seasonal_naive(y, horizon: int, period: int) -> pd.DataFrame:
    """The seasonal naive forecast ŷ(T+h) = y(T+h−m(k+1)), k = ⌊(h−1)/m⌋, with normal
    prediction intervals σ̂·√(k+1), σ̂ the in-sample residuals' standard deviation
    (FPP 3rd ed., §5.5); ``period`` 0 or 1: the naive forecast (m = 1)."""
    y = np.asarray(y, dtype=float)
    m = period if period >= 2 else 1
    steps = np.arange(1, horizon + 1)
    k = (steps - 1) // m
    mean = y[len(y) - m + (steps - 1) % m]
    residuals = y[m:] - y[:-m]
    sigma = float(np.sqrt(np.mean(residuals**2))) if residuals.size else 0.0
    spread = sigma * np.sqrt(k + 1)
    return pd.DataFrame(
        {
            "forecast": mean,
            "lower_80": mean - 1.2816 * spread,
            "upper_80": mean + 1.2816 * spread,
            "lower_95": mean - 1.96 * spread,
            "upper_95": mean + 1.96 * spread,
        },
        columns=FORECAST_COLUMNS,
    )


@dataclass
class Holdout:
    """How a forecast did on data it had not seen: the last ``held`` points held out,
    the method refitted on the rest.  MASE scales the mean absolute error by the
    in-sample seasonal naive error (Hyndman & Koehler 2006): below 1 beats it."""

    held: int
    mase: float
    mape: float
    naive_mase: float
    naive_mape: float
    naive_period: int  # the benchmark's season: 1 is the plain naive forecast


def holdout(y, period: int) -> Holdout | None:
    """Hold out the last season when two full seasons are left to fit on (else the
    last quarter of the points, at most 6), fit :func:`forecast_ets` on the rest
    (seasonal only when the rest has two seasons) and score it and the seasonal naive
    forecast (naive without a season in the rest) on what was held out; None when too
    short to hold anything out."""
    y = np.asarray(y, dtype=float)
    m = period if period >= 2 else 1
    held = m if m > 1 and len(y) >= 3 * m else min(6, len(y) // 4)
    train, test = y[:-held], y[-held:]
    if held < 1 or len(train) < 4:
        return None
    fit_period = period if m > 1 and len(train) >= 2 * m else 0
    naive_m = m if len(train) > m else 1
    fitted = forecast_ets(train, held, fit_period).table["forecast"].to_numpy()
    naive = seasonal_naive(train, held, naive_m).to_numpy()[:, 0]
    scale = float(np.mean(np.abs(train[naive_m:] - train[:-naive_m])))

    def scores(pred):
        errors = np.abs(test - pred)
        mase = float(errors.mean() / scale) if scale > 0 else np.nan
        mape = float(np.mean(errors / np.abs(test))) if (test != 0).all() else np.nan
        return mase, mape

    (mase, mape), (naive_mase, naive_mape) = scores(fitted), scores(naive)
    return Holdout(held, mase, mape, naive_mase, naive_mape, naive_m)
