"""Demand history per SKU: demand per period and its class (smooth, erratic,
intermittent, lumpy), the first step from order lines to a reorder policy.

Most SKUs of an online shop sell in few periods and in lumps; the class says which
forecasting method and which stock rule suit each (Syntetos, Boylan & Croston,
"On the categorization of demand patterns", *Journal of the Operational Research
Society* 56 (2005) 495–503).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError

PERIODS = ("day", "week", "month")
ADI_CUT = 1.32  # average inter-demand interval, in periods (Syntetos et al. 2005)
CV2_CUT = 0.49  # squared coefficient of variation of the non-zero demand sizes
DEMAND_CLASS_COLUMNS = ["sku", "periods", "demand_periods", "adi", "cv2", "class"]
SBC_CLASSES = ("smooth", "erratic", "intermittent", "lumpy")


def period_starts(dates, period: str) -> np.ndarray:
    """The first day of each date's period: the day itself, the Monday of its week
    (ISO weeks), or the 1st of its month.

    >>> period_starts(pd.to_datetime(["2026-03-05", "2026-03-09"]), "week").astype(str).tolist()
    ['2026-03-02', '2026-03-09']
    """
    if period not in PERIODS:
        raise InputError(f'period must be "day", "week" or "month" (got {period!r})')
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    if period == "day":
        return days
    if period == "week":  # 1970-01-01 was a Thursday: day 0 is weekday 3
        weekday = (days.astype(np.int64) + 3) % 7
        return days - weekday.astype("timedelta64[D]")
    return days.astype("datetime64[M]").astype("datetime64[D]")


def demand_history(skus, dates, quantities, period: str = "week", as_of=None) -> dict:
    """Units per period for each SKU, from the period of its first sale to the
    period of ``as_of`` (default: the latest date), 0 in periods without sales.

    Returns {sku: (period starts, units)}, SKUs sorted.  A return (a negative
    quantity) nets its period's demand, never below 0; a SKU with no period of
    positive demand is left out.

    >>> h = demand_history(["A", "A", "B"], pd.to_datetime(["2026-03-02", "2026-03-17",
    ...     "2026-03-10"]), [2, 3, 1], "week")
    >>> h["A"][1].tolist(), h["B"][1].tolist()
    ([2.0, 0.0, 3.0], [1.0, 0.0])
    """
    names, starts, y = demand_matrix(skus, dates, quantities, period, as_of)
    out = {}
    for name, row in zip(names, y, strict=True):
        sold = ~np.isnan(row)
        out[name] = (starts[sold], row[sold])
    return out


def demand_matrix(skus, dates, quantities, period: str = "week", as_of=None, complete=False):
    """(SKUs sorted, period starts, units) with units[i, j] the net units SKU i sold
    in period j, NaN before its first period of positive demand: every SKU's row
    ends at the as-of period (right-aligned), one matrix for all SKUs at once.  With
    ``complete`` the as-of period is left out unless the as-of date (default the
    latest date) is its last day: a few days of a week read as a slump."""
    ids = np.asarray(skus, dtype=object)
    when = v.as_dates("dates", dates).to_numpy("datetime64[ns]")
    units = v.as_numbers("quantities", quantities)
    v.same_rows(skus=ids, dates=when, quantities=units)
    blank = pd.isna(ids) | (pd.Series(ids).astype(str).str.strip() == "").to_numpy()
    if blank.any():
        raise InputError(f"skus is blank in row {int(np.flatnonzero(blank)[0]) + 1}")
    starts = period_starts(when, period)
    if as_of is None:
        last = starts.max() if len(starts) else None
        last_day = when.max().astype("datetime64[D]") if len(when) else None
    else:
        stamp = v.as_date("as_of", as_of)
        last_day = np.datetime64(stamp.date())
        last = period_starts([last_day], period)[0]
        if len(starts) and last < starts.max():
            raise InputError(f"as_of ({stamp.date()}) is before the latest date")
    code, names = pd.factorize(pd.Series(ids).astype(str), sort=True)
    names = np.asarray(names, dtype=object)
    if not len(starts):
        return [], np.array([], dtype="datetime64[D]"), np.zeros((0, 0))
    calendar = _calendar(starts.min(), last, period)
    column = np.searchsorted(calendar, starts)
    width = len(calendar)
    net = np.bincount(code * width + column, weights=units, minlength=len(names) * width)
    y = np.maximum(net.reshape(len(names), width), 0.0)
    following = _calendar(last, last + np.timedelta64(62, "D"), period)[1]
    if complete and last_day < following - np.timedelta64(1, "D"):
        calendar, y, width = calendar[:-1], y[:, :-1], width - 1
        if not width:
            return [], calendar, np.zeros((0, 0))
    sold = y > 0
    first = np.where(sold.any(axis=1), np.argmax(sold, axis=1), width)
    y[np.arange(width)[None, :] < first[:, None]] = np.nan
    keep = first < width
    return names[keep].tolist(), calendar, y[keep]


def _calendar(first, last, period: str) -> np.ndarray:
    step = {"day": "D", "week": "7D", "month": "MS"}[period]
    return pd.date_range(first, last, freq=step).to_numpy("datetime64[D]")


def demand_class(units) -> tuple[int, int, float, float, str]:
    """(periods, demand periods, ADI, CV², class) of one SKU's units per period.

    ADI = periods ÷ periods with demand (the average interval between demands,
    counted from the first sale to the as-of date, so a SKU that has stopped selling
    reads as more intermittent); CV² = (s ÷ mean)² of the non-zero demand sizes, s
    the sample standard deviation (0 with a single demand).  Class by the
    Syntetos–Boylan–Croston cut-offs ADI 1.32 and CV² 0.49: smooth (both below),
    erratic (CV² at or above), intermittent (ADI at or above), lumpy (both).

    >>> demand_class([4, 0, 0, 5, 0, 4])[2:]
    (2.0, 0.01..., 'intermittent')
    """
    y = np.asarray(units, dtype=float)
    if not (y > 0).any():
        raise InputError("no demand: every period is 0")
    periods, count, adi, cv2, label = class_table(y[None, :])
    return int(periods[0]), int(count[0]), float(adi[0]), float(cv2[0]), str(label[0])


def class_table(y: np.ndarray):
    """:func:`demand_class` for every row of a matrix of units per period (NaN before
    a row's first period), all rows at once: arrays (periods, demand periods, ADI,
    CV², class)."""
    periods = (~np.isnan(y)).sum(axis=1)
    sizes = np.where(np.nan_to_num(y) > 0, y, np.nan)
    count = (~np.isnan(sizes)).sum(axis=1)
    with np.errstate(all="ignore"):
        adi = periods / count
        mean = np.nansum(sizes, axis=1) / count
        var = np.nansum((sizes - mean[:, None]) ** 2, axis=1) / (count - 1)
        cv2 = np.where(count > 1, var / mean**2, 0.0)
    lumpy = cv2 >= CV2_CUT
    label = np.where(adi < ADI_CUT, np.where(lumpy, "erratic", "smooth"),
                     np.where(lumpy, "lumpy", "intermittent"))  # fmt: skip
    return periods, count, adi, cv2, label


def demand_classes(skus, dates, quantities, period: str = "week", as_of=None) -> pd.DataFrame:
    """Per SKU (sorted): ``sku, periods, demand_periods, adi, cv2, class`` from its
    order lines (:func:`demand_matrix`, then :func:`class_table`).  A SKU with
    returns only has no demand and is not listed."""
    names, _, y = demand_matrix(skus, dates, quantities, period, as_of)
    periods, count, adi, cv2, label = class_table(y)
    return pd.DataFrame(
        {"sku": names, "periods": periods, "demand_periods": count, "adi": adi, "cv2": cv2,
         "class": label},
        columns=DEMAND_CLASS_COLUMNS,
    )  # fmt: skip
