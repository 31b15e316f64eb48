"""Trends: time-series decomposition Y = T + S + C + R (or Y = T·S·C·R).

Classical decomposition by centred moving averages (Kendall & Stuart; Hyndman &
Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §3.4; R's
``decompose``) or STL (Cleveland et al. 1990, via statsmodels).  Both give a
trend-cycle; it is split into a smooth trend and a cycle with the Hodrick–Prescott
filter (Hodrick & Prescott 1997) so all four components of the seed formula show.
"""

from __future__ import annotations

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
) -> pd.DataFrame:
    """Decompose a series into observed, trend, seasonal, cycle and residual.

    Additive: Y = T + S + C + R.  Multiplicative: Y = T·S·C·R (all values > 0).

    - ``method="classical"``: trend-cycle = centred moving average of order
      ``period`` (2×m MA for even periods), seasonal = period means of the
      detrended series, normalised to sum 0 (mean 1), residual = what is left.
      As in R's ``decompose``, trend, cycle and residual are undefined (NaN) for
      the first and last ⌊period/2⌋ values.
    - ``method="stl"``: STL by LOESS (multiplicative: STL on the logarithms,
      components exponentiated); defined everywhere.

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
        raise InputError(f"the multiplicative model needs values greater than 0 {v._where(y, bad)}")
    lam = hp_lambda_for_period(period) if hp_lambda is None else float(hp_lambda)
    if not lam > 0:
        raise InputError(f"hp_lambda must be greater than 0 (got {hp_lambda})")

    if method == "classical":
        parts = seasonal_decompose(y, model=model, period=period)
        trend_cycle, seasonal, residual = parts.trend, parts.seasonal, parts.resid
    else:
        fit = STL(np.log(y) if multiplicative else y, period=period).fit()
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
    stamps = pd.to_datetime(pd.Series(dates), errors="coerce")
    if stamps.isna().any():
        row = int(np.flatnonzero(stamps.isna())[0]) + 1
        raise InputError(f"dates is not a date in row {row}")
    x = v.as_numbers("values", values)
    if len(x) != len(stamps):
        raise InputError(f"dates has {len(stamps)} rows but values has {len(x)}")
    if len(x) == 0:
        raise InputError("dates and values are empty")
    periods = pd.PeriodIndex(stamps, freq=_PERIODS[period])
    grouped = getattr(pd.Series(x).groupby(periods), how)()
    every = pd.period_range(periods.min(), periods.max(), freq=_PERIODS[period])
    out = grouped.reindex(every, fill_value=0 if how in ("sum", "count") else np.nan)
    return pd.DataFrame({"period": every.start_time.to_numpy(), "value": out.to_numpy(dtype=float)})
