"""Order processing: speed, accuracy and before/after impact.

KPI definitions follow common fulfilment practice (APQC / SCOR "perfect order":
delivered complete, on time and without error).  Durations are in days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.orderlog import orders as order_rollup
from xlbizops.orderlog.checked import CheckedLines

KPI_COLUMNS = ["kpi", "value"]


def _days(name: str, dates) -> np.ndarray:
    return v.as_dates(name, dates, allow_blank=True).to_numpy("datetime64[ns]")


def _duration(start: np.ndarray, end: np.ndarray, name: str, unit: str = "days") -> np.ndarray:
    """end − start in days (or hours); NaN where either is missing; refuses end < start."""
    per = np.timedelta64(1, "h") if unit == "hours" else np.timedelta64(1, "D")
    spans = (end - start) / per
    bad = spans < 0
    if bad.any():
        raise InputError(
            f"{name} is before its start date in row {int(np.flatnonzero(bad)[0]) + 1}"
        )
    return spans


def cycle_time(start_dates, end_dates, unit: str = "days") -> np.ndarray:
    """Per-order duration end − start in ``unit`` ("days" or "hours"); blank while open."""
    unit = v.choice("unit", unit, ("days", "hours"))
    start = v.as_dates("start_dates", start_dates).to_numpy("datetime64[ns]")
    end = _days("end_dates", end_dates)
    v.same_rows(start_dates=start, end_dates=end)
    return _duration(start, end, "end_dates", unit)


def on_time(delivered_dates, promised_dates) -> np.ndarray:
    """Per order: 1.0 if delivered on or before the promised day, 0.0 if later, NaN if
    either date is missing.  Days are compared, not times of day."""
    delivered = v.as_dates("delivered_dates", delivered_dates, allow_blank=True)
    promised = v.as_dates("promised_dates", promised_dates, allow_blank=True)
    v.same_rows(delivered_dates=delivered, promised_dates=promised)
    known = delivered.notna() & promised.notna()
    late = delivered.dt.normalize() > promised.dt.normalize()
    return np.where(known, np.where(late, 0.0, 1.0), np.nan)


def percentile_of_counts(values, counts, q: float) -> float:
    """The ``q``-th percentile of ``values`` each repeated ``counts`` times, by linear
    interpolation between closest ranks (numpy's default, Hyndman & Fan 1996 type 7)
    — without repeating them: h = (N − 1)·q/100, x_⌊h⌋ + (h − ⌊h⌋)(x_⌈h⌉ − x_⌊h⌋).

    >>> percentile_of_counts([1.0, 2.0, 10.0], [2, 1, 1], 50)  # the median of 1, 1, 2, 10
    1.5
    """
    x = v.as_numbers("values", values)
    c = v.non_negative("counts", counts)
    v.same_rows(values=x, counts=c)
    if not 0 <= q <= 100:
        raise InputError(f"q must be between 0 and 100 (got {q})")
    if c.sum() < 1:
        raise InputError("counts are all 0: no values to take a percentile of")
    order = np.argsort(x, kind="stable")
    x, c = x[order], c[order].astype(np.int64)
    ends = np.cumsum(c)  # rank (0-based) of each value's last copy is ends - 1
    h = (ends[-1] - 1) * q / 100
    lo, hi = int(np.floor(h)), int(np.ceil(h))
    below, above = x[np.searchsorted(ends, lo, "right")], x[np.searchsorted(ends, hi, "right")]
    return float(below + (h - lo) * (above - below))


def _summary(name: str, spans) -> list[tuple[str, float]]:
    """Mean, median and 90th percentile of the spans: an array of them, or (distinct
    values, how many of each) as the report's engine counts them.  Both ways the
    percentiles are numpy's type 7: ``np.percentile`` (a partition) on an array,
    :func:`percentile_of_counts` on counted values."""
    if isinstance(spans, tuple):
        values, counts = np.asarray(spans[0], dtype=float), np.asarray(spans[1], dtype=np.int64)
        done = ~np.isnan(values) & (counts > 0)
        values, counts = values[done], counts[done]
    else:
        values = np.asarray(spans, dtype=float)
        values, counts = values[~np.isnan(values)], None
    if values.size == 0:
        return [
            (f"{name} mean (days)", np.nan),
            (f"{name} median (days)", np.nan),
            (f"{name} 90th percentile (days)", np.nan),
        ]
    if counts is None:
        mean = float(values.mean())
        median, p90 = (float(q) for q in np.percentile(values, [50, 90]))
    else:
        mean = float(np.average(values, weights=counts))
        median = percentile_of_counts(values, counts, 50)
        p90 = percentile_of_counts(values, counts, 90)
    return [
        (f"{name} mean (days)", mean),
        (f"{name} median (days)", median),
        (f"{name} 90th percentile (days)", p90),
    ]


def order_kpis(
    order_dates,
    shipped_dates,
    delivered_dates,
    promised_dates,
    status=None,
    error_flags=None,
    order_ids=None,
) -> pd.DataFrame:
    """Order-processing KPIs as a two-column table (kpi, value), by order.

    The lines become orders first (``orderlog.orders.ORDER_ROLLUP``: with
    ``order_ids`` the lines of one id are one order; without, each line is one): an
    order is delivered when its last line that is not cancelled is, and on time when
    every line arrived on or before its own promise.  Then (``orderlog.rules.ORDER_COUNTS``):

    - orders; open (not shipped, not cancelled); in transit (shipped, not delivered).
    - order-to-ship, ship-to-delivery and order-to-delivery days: mean, median and
      90th percentile over the orders that reached that step (open ones are counted
      above, not dropped).
    - on-time delivery rate = delivered on or before the promised date / delivered
      orders with a promised date.
    - perfect order rate = delivered on time, without error flag and not returned /
      delivered orders.
    - error rate = orders with an error flag / orders not cancelled.
    - cancellation rate = cancelled / orders; return rate = returned / delivered.

    ``status`` (text, optional): "cancelled" and "returned" are recognised, case
    insensitive.  ``error_flags``: 1/TRUE for an order with a processing error.

    Two orders, the second of two lines of which one arrived a day late:

    >>> d = pd.to_datetime
    >>> t = order_kpis(d(["2025-01-01"] * 3), d(["2025-01-02"] * 3), d(["2025-01-04"] * 3),
    ...                d(["2025-01-05", "2025-01-05", "2025-01-03"]), order_ids=["A", "B", "B"])
    >>> t.set_index("kpi").loc[["orders", "on-time delivery rate"], "value"].tolist()
    [2.0, 0.5]
    """
    lines = v.order_lines(
        order_dates=order_dates,
        shipped_dates=shipped_dates,
        delivered_dates=delivered_dates,
        promised_dates=promised_dates,
        status=status,
        error_flags=error_flags,
        order_ids=order_ids,
    )
    return kpis_of_lines(lines)


def kpis_of_lines(lines: CheckedLines) -> pd.DataFrame:
    """:func:`order_kpis` of lines already checked (``core.validation.order_lines``)."""
    n = len(lines)
    columns = dict(lines.columns)
    columns.setdefault("error_flag", np.zeros(n))
    o = order_rollup.rollup_frame(lines.order_ids, columns, order_rollup.PROCESSING_FIELDS)
    at = {name: o[name].to_numpy("datetime64[ns]") for name in ("ordered", "shipped", "delivered")}
    spans = {
        "to_ship": (at["shipped"] - at["ordered"]) / np.timedelta64(1, "D"),
        "to_deliver": (at["delivered"] - at["shipped"]) / np.timedelta64(1, "D"),
        "total": (at["delivered"] - at["ordered"]) / np.timedelta64(1, "D"),
    }
    return kpi_table(order_rollup.count_orders(o), spans)


KPI_COUNTS = (
    "orders", "open", "in_transit", "delivered", "on_time", "with_promise", "perfect",
    "errors", "not_cancelled", "cancelled", "returned",
)  # fmt: skip


def kpi_table(counts: dict[str, int], spans: dict) -> pd.DataFrame:
    """:func:`order_kpis` from its counts (keys as there: orders, open, in_transit,
    delivered, on_time, with_promise, perfect, errors, not_cancelled, cancelled,
    returned) and the three spans in days (``to_ship``, ``to_deliver``, ``total``),
    each an array or (distinct values, how many orders had each).  The report's query
    engine gives the counts for logs too big to hold in memory."""
    v.needs("counts", counts, KPI_COUNTS, what="")
    v.needs("spans", spans, ("to_ship", "to_deliver", "total"), what="")

    def rate(part, whole):
        return float(part) / whole if whole else np.nan

    c = counts
    rows = [
        ("orders", c["orders"]),
        ("open orders (not shipped)", c["open"]),
        ("in transit (shipped, not delivered)", c["in_transit"]),
        ("delivered orders", c["delivered"]),
        *_summary("order to ship", spans["to_ship"]),
        *_summary("ship to delivery", spans["to_deliver"]),
        *_summary("order to delivery", spans["total"]),
        ("on-time delivery rate", rate(c["on_time"], c["with_promise"])),
        ("perfect order rate", rate(c["perfect"], c["delivered"])),
        ("error rate", rate(c["errors"], c["not_cancelled"])),
        ("cancellation rate", rate(c["cancelled"], c["orders"])),
        ("return rate", rate(c["returned"], c["delivered"])),
    ]
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


IMPACT_COLUMNS = ["measure", "value"]


def impact(before, after, higher_is_better: bool = False) -> pd.DataFrame:
    """Did a change help?  Before/after comparison of two samples.

    Change = mean(after) − mean(before) and its percentage of mean(before); a 95 %
    confidence interval for the change and the p-value of Welch's t-test (unequal
    variances, Welch 1947); the p-value of the Mann-Whitney rank test (normal
    approximation with continuity correction, as R's ``wilcox.test``), which does
    not assume normal data.  The verdict says "improved"/"worse" when Welch's
    p < 0.05, judged by ``higher_is_better`` (False for times and error counts).

    R's ``sleep`` data (group 1 before, group 2 after): t = −1.8608, df = 17.776,
    p = 0.07939, CI (−0.2055, 3.3655) for after − before; Mann-Whitney p = 0.06933.
    """
    a = v.as_numbers("before", before)
    b = v.as_numbers("after", after)
    for name, x in (("before", a), ("after", b)):
        if x.size < 2:
            raise InputError(f"{name} needs at least 2 values (got {x.size})")
    if np.var(a) == 0 and np.var(b) == 0:
        raise InputError("before and after have no spread at all; nothing to test")
    mean_a, mean_b = a.mean(), b.mean()
    change = mean_b - mean_a
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    t_stat = change / se
    p_welch = 2 * stats.t.sf(abs(t_stat), df)
    margin = stats.t.ppf(0.975, df) * se
    p_rank = stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").pvalue
    better = change > 0 if higher_is_better else change < 0
    verdict = ("improved" if better else "worse") if p_welch < 0.05 else "no significant change"
    rows = [
        ("mean before", mean_a),
        ("mean after", mean_b),
        ("change", change),
        ("percent change", change / mean_a if mean_a else np.nan),
        ("95% CI low", change - margin),
        ("95% CI high", change + margin),
        ("t statistic (Welch)", t_stat),
        ("degrees of freedom", df),
        ("p-value (Welch t-test)", p_welch),
        ("p-value (Mann-Whitney)", float(p_rank)),
        ("verdict", verdict),
    ]
    return pd.DataFrame(rows, columns=IMPACT_COLUMNS)
