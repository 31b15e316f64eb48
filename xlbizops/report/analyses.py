"""Every analysis of the report, computed from order lines with ``xlbizops.core``.

Only choosing inputs and shaping tables happens here; the formulas live in core,
shared with the Excel functions.  An area that lacks the fields or side inputs it
needs returns a :class:`Missing` that says what would make it appear.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlbizops.core import clv as clv_model
from xlbizops.core import (
    customers,
    demand,
    impact,
    inventory,
    orders,
    replenishment,
    risk,
    rules,
    segmentation,
    timeseries,
)
from xlbizops.core.errors import InputError
from xlbizops.core.rows import distinct_rows
from xlbizops.orderlog import sums
from xlbizops.report import sources
from xlbizops.report.config import ReportSettings

AT_RISK_SEGMENTS = ("At Risk", "Can't Lose", "About to Sleep")
AT_RISK_KPI = f"at-risk customers ({', '.join(AT_RISK_SEGMENTS)})"
# Whether a rise in a headline KPI is good news (green) or bad news (red).
HIGHER_IS_BETTER = {
    "revenue (net of returns)": True,
    "orders": True,
    "customers": True,
    "on-time delivery rate": True,
    AT_RISK_KPI: False,
    "inventory turnover (annualised)": True,
}


@dataclass
class Missing:
    """An analysis that could not run, and what it needs."""

    needs: str


@dataclass
class ReportData:
    as_of: pd.Timestamp
    settings: ReportSettings
    summary: pd.DataFrame
    comparison: str  # which months the Summary compares, and why those
    tile_notes: dict  # KPI -> why it has no value or no change, in words
    monthly: pd.DataFrame
    to_date: pd.DataFrame  # month and year to date against the same days before
    supply: pd.DataFrame | Missing
    movers: pd.DataFrame | Missing
    rfm: pd.DataFrame
    segment_counts: pd.DataFrame
    clv: pd.DataFrame | Missing
    clv_check: pd.DataFrame | Missing  # calibration/holdout table (core.clv.holdout_table)
    cohorts: pd.DataFrame
    decomposition: pd.DataFrame | Missing
    forecast: pd.DataFrame | Missing
    forecast_model: str
    profile: pd.DataFrame
    members: pd.DataFrame
    kpis: pd.DataFrame | Missing
    cycle_days: pd.DataFrame | Missing
    on_time_monthly: pd.DataFrame | Missing
    anomalous_weeks: pd.DataFrame | Missing
    stockout: pd.DataFrame | Missing
    suppliers: pd.DataFrame | Missing
    replenishment: pd.DataFrame | Missing
    fill_by_class: pd.DataFrame | Missing
    impact: dict = field(default_factory=dict)  # measure -> core.impact.SeriesImpact or Missing
    actions: dict = field(default_factory=dict)  # list name -> table or Missing
    narrative: str = ""  # the Summary's opening paragraph
    notes: list[str] = field(default_factory=list)


def lines_table(lines: pd.DataFrame):
    """Cleaned order lines held in memory, as a table DuckDB aggregates in place: the
    Arrow table is registered, not copied (DuckDB reads Arrow's columns as they are)."""
    threads = 1 if sys.platform == "emscripten" else None  # Pyodide: no thread pool
    arrow = sums.arrow_lines(lines, threads)
    con = sources.duckdb_connection(threads=threads)
    con.con.register("lines", arrow)
    return con.table("lines")


def _window(frame: pd.DataFrame, column: str, month: int) -> pd.DataFrame:
    return frame[frame[column] == month]


def headline(agg: sums.Aggregates, settings, snapshot, cuts=None) -> pd.DataFrame:
    """Headline KPIs for the last full month and the month before, with the change;
    the at-risk count scores recency with ``cuts`` (:func:`recency_cuts`)."""
    this_end, prev_end = sums.headline_months(agg.as_of)

    def window(end: pd.Timestamp, name: str):
        month = end.to_period("M").ordinal
        start = end.to_period("M").start_time
        days = agg.daily_revenue["day"]
        counts = _window(agg.monthly_orders, "month", month)
        values = {
            "revenue (net of returns)": float(
                agg.daily_revenue["revenue"][(days >= start) & (days <= end)].sum()
            ),
            "orders": int(counts["orders"].sum()),
            "customers": int(counts["customers"].sum()),
        }
        # by order, as on the Orders sheet (sums.order_table says when one is on time)
        on_time = None if agg.order_on_time is None else _window(agg.order_on_time, "month", month)
        known = 0.0 if on_time is None else float(on_time["known"].sum())
        values["on-time delivery rate"] = float(on_time["hits"].sum()) / known if known else np.nan
        c = agg.customers
        bought = c[c[f"orders_{name}"] > 0]
        if len(bought) >= 2:
            end_day = sums.day_of(end)
            table = customers.rfm_scores(
                bought["customer_id"],
                end_day - bought[f"last_day_{name}"].to_numpy(np.int64),
                bought[f"orders_{name}"].to_numpy(np.int64),
                bought[f"monetary_{name}"].to_numpy(float),
                recency_cuts=cuts,
            )
            values[AT_RISK_KPI] = int(table["segment"].isin(AT_RISK_SEGMENTS).sum())
        else:
            values[AT_RISK_KPI] = np.nan
        if snapshot is not None and agg.sold is not None:
            cost = snapshot.set_index("sku")["unit_cost"]
            sold = _window(agg.sold, "month", month)
            cogs = float((sold["quantity"] * sold["sku"].map(cost)).sum())
            stock = float((snapshot["on_hand"] * snapshot["unit_cost"]).sum())
            values["inventory turnover (annualised)"] = (
                inventory.inventory_turnover(cogs, stock) * 12 if stock > 0 else np.nan
            )
        else:
            values["inventory turnover (annualised)"] = np.nan
        return values

    now, before = window(this_end, "this"), window(prev_end, "prev")
    start = first_day(agg)
    months = pd.to_datetime(
        [this_end.to_period("M").start_time, prev_end.to_period("M").start_time]
    )
    whole = timeseries.complete_periods(months, "month", start, agg.as_of)
    if not whole[1]:  # the log starts inside the month before: no fair comparison
        before = {name: np.nan for name in before}
    rows = []
    for name in now:
        a, b = now[name], before[name]
        if "rate" in name:
            change = (a - b) * 100  # percentage points
        else:
            change = (a - b) / b if np.isfinite(b) and b != 0 else np.nan
        rows.append((name, a, b, change))
    label_now = f"{this_end.to_period('M').start_time:%b %Y}"
    label_before = f"{prev_end.to_period('M').start_time:%b %Y}"
    table = pd.DataFrame(rows, columns=["kpi", label_now, label_before, "change"])
    table.attrs["comparison"] = comparison_words(agg.as_of, this_end, prev_end, whole, start)
    table.attrs["why"] = {
        kpi: why_empty(kpi, agg, snapshot, label_before, whole)
        for kpi, value, _, change in rows
        if pd.isna(value) or pd.isna(change)
    }
    return table


def comparison_words(as_of, this_end, prev_end, whole, start) -> str:
    """Which months the Summary compares, and why those: "October is partial (30 of 31
    days): comparing September 2026 with August 2026"."""
    this, prev = f"{this_end:%B %Y}", f"{prev_end:%B %Y}"
    if as_of.normalize() != this_end:
        days = as_of.days_in_month
        why = f"{as_of:%B} is partial ({as_of.day} of {days} days): "
    else:
        why = ""
    text = f"{why}comparing {this} with {prev}"
    if not whole[0]:
        text += f" ({this} is partial too: the log starts on {start.day} {start:%b %Y})"
    elif not whole[1]:
        starts = f"{start.day} {start:%b %Y}"
        text += f" ({prev} is partial: the log starts on {starts}, so no change is shown)"
    return text[:1].upper() + text[1:] + "."


def why_empty(kpi: str, agg, snapshot, before: str, whole) -> str:
    """Why a KPI tile has no value or no change, in words (never "no change")."""
    if kpi == "on-time delivery rate" and agg.order_on_time is None:
        return "needs promised_date and delivered_date"
    if kpi == "inventory turnover (annualised)" and (snapshot is None or agg.sold is None):
        return "needs an inventory snapshot (--inventory) and sku, quantity"
    if kpi == AT_RISK_KPI:
        return "needs 2 or more customers in both months"
    if not whole[1]:
        return f"{before} is partial: no comparison"
    return f"no {before} figure to compare with"


def to_date_revenue(agg: sums.Aggregates) -> pd.DataFrame:
    """Revenue so far this month and this year against the same days before, and the
    last full month against the same month a year earlier.

    Month to date is day 1 to the as-of day; "the same days" of an earlier month run
    from its day 1 to the same day number (to its last day when it is shorter: 1–30
    Sep against 1–31 Oct).  A comparison is made only when the log covers the earlier
    days whole (it starts on or before their first day), so a year-over-year row needs
    a year of history.  Columns: ``period``, ``revenue``, ``compared_with``,
    ``revenue_then``, ``change`` (a share: 0.05 is +5 %)."""
    daily, as_of, start = agg.daily_revenue, agg.as_of.normalize(), first_day(agg)

    def revenue(first, last):
        return float(daily["revenue"][(daily["day"] >= first) & (daily["day"] <= last)].sum())

    def same_days(month_start):
        end = month_start + pd.offsets.MonthEnd(0)
        return month_start, min(month_start + pd.Timedelta(days=as_of.day - 1), end)

    def span(first, last):
        if first.day == 1 and last == first + pd.offsets.MonthEnd(0):
            return f"{first:%b %Y}"  # a whole month
        if first.month == last.month:
            return f"{first.day}–{last.day} {last:%b %Y}"
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"

    month_start = as_of.replace(day=1)
    this_end, _ = sums.headline_months(as_of)
    full = this_end.replace(day=1)
    pairs = []
    if as_of != this_end:  # the as-of month is partial: month to date
        now = (month_start, as_of)
        pairs.append(("month to date", now, same_days(month_start - pd.DateOffset(months=1))))
        pairs.append(("month to date", now, same_days(month_start - pd.DateOffset(years=1))))
    year_ago = full - pd.DateOffset(years=1)
    pairs.append(("month", (full, this_end), (year_ago, year_ago + pd.offsets.MonthEnd(0))))
    year_start = as_of.replace(month=1, day=1)
    then = year_start - pd.DateOffset(years=1)
    last_then = min(as_of - pd.DateOffset(years=1), then + pd.offsets.YearEnd(0))
    pairs.append(("year to date", (year_start, as_of), (then, last_then)))
    rows, said = [], []
    for what, (a, b), (c, d) in pairs:
        if c < start or (what != "year to date" and a < start):
            continue  # the log does not cover the earlier days (or these) whole
        now, before = revenue(a, b), revenue(c, d)
        change = (now - before) / before if before else np.nan
        label = span(a, b) if what == "month" else f"{what}, {span(a, b)}"
        rows.append((label[:1].upper() + label[1:], now, span(c, d), before, change))
        if np.isfinite(change):
            said.append((what, span(a, b), span(c, d), change))
    table = pd.DataFrame(rows, columns=["period", "revenue", "compared_with", "revenue_then",
                                        "change"])  # fmt: skip
    table.attrs["words"] = to_date_words(said)
    return table


MOVERS_SHOWN = 10  # top sellers and decliners listed


def product_movers(agg: sums.Aggregates) -> pd.DataFrame | Missing:
    """Top sellers and decliners per SKU: revenue in the last 90 days against the 90
    days before (demand lines: cancelled orders and return lines left out).

    The top sellers are the 10 SKUs with the most revenue in the last 90 days; the
    decliners the 10 whose revenue fell the most in money (a SKU that sold 5,000 and
    now 3,000 before one that fell from 10 to 0), among those that sold before.
    Needs 180 days of log before the as-of date."""
    if agg.movers is None:
        return Missing("sku and quantity columns in the order log (--map sku=... quantity=...)")
    days = 2 * sums.MOVER_DAYS
    if first_day(agg) > agg.as_of - pd.Timedelta(days=days - 1):
        return Missing(f"{days} days of order log before the as-of date (the last 90 days "
                       "and the 90 before)")  # fmt: skip
    wide = agg.movers.pivot_table(
        index="sku", columns="window", values=["amount", "quantity"], aggfunc="sum", fill_value=0
    )
    table = pd.DataFrame({
        "sku": wide.index.astype(str),
        "revenue_recent": wide.get(("amount", 0), 0.0),
        "revenue_earlier": wide.get(("amount", 1), 0.0),
        "units_recent": wide.get(("quantity", 0), 0.0),
        "units_earlier": wide.get(("quantity", 1), 0.0),
    }).reset_index(drop=True)  # fmt: skip
    before = table["revenue_earlier"]
    table["change"] = np.where(before > 0, table["revenue_recent"] / before.where(before > 0) - 1,
                               np.nan)  # fmt: skip
    top = table.sort_values(["revenue_recent", "sku"], ascending=[False, True])
    top = top.head(MOVERS_SHOWN).assign(mover="top seller")
    fall = table["revenue_recent"] - table["revenue_earlier"]
    down = table[(before > 0) & (fall < 0)].assign(fall=fall)
    down = down.sort_values(["fall", "sku"]).head(MOVERS_SHOWN).assign(mover="decliner")
    columns = ["mover", "sku", "revenue_recent", "revenue_earlier", "change", "units_recent",
               "units_earlier"]  # fmt: skip
    return pd.concat([top, down], ignore_index=True)[columns]


def first_day(agg: sums.Aggregates) -> pd.Timestamp:
    """The log's first day with revenue: where its first period starts to count."""
    days = agg.daily_revenue["day"]
    return days.min() if len(days) else agg.as_of


def monthly_revenue(agg: sums.Aggregates) -> pd.DataFrame:
    """Revenue per month, a month the log does not cover whole marked "partial (to 1
    Jan)" (``core.timeseries.partial_note``)."""
    daily = agg.daily_revenue
    table = timeseries.resample(daily["day"], daily["revenue"], "month", "sum")
    table = table.rename(columns={"period": "month", "value": "revenue"})
    start = first_day(agg)
    table["note"] = [timeseries.partial_note(m, "month", start, agg.as_of) for m in table["month"]]
    return table


def supply_chain(
    agg: sums.Aggregates, s: ReportSettings, snapshot, notes: list[str] | None = None
) -> pd.DataFrame | Missing:
    """The reorder policy per SKU.  A SKU without a positive unit cost (sold at price 0,
    or only refunded) keeps its demand, safety stock and reorder point, but has no EOQ
    and no ABC class (both rest on cost); ``notes`` says how many."""
    if agg.demand is None:
        return Missing("sku and quantity columns in the order log (--map sku=... quantity=...)")
    has_prices = "unit_price" in agg.fields
    demand = inventory.demand_from_sums(agg.demand)
    table = demand.rename(columns={"item": "sku"})
    if snapshot is not None:
        snap = snapshot.set_index("sku")
        table["unit_cost"] = table["sku"].map(snap["unit_cost"])
        table["lead_time_days"] = table["sku"].map(snap["lead_time_days"]).fillna(s.lead_time_days)
        table["on_hand"] = table["sku"].map(snap["on_hand"])
        if "pack_size" in snap:
            table["pack_size"] = table["sku"].map(snap["pack_size"])
    else:
        if not has_prices:
            return Missing("unit_price in the order log, or an inventory snapshot (--inventory)")
        # Quantity-weighted mean price over the demand window, as DEMAND_BY_ITEM gives it.
        table["unit_cost"] = table["unit_price"] * s.cost_ratio
        table["lead_time_days"] = s.lead_time_days
        table["on_hand"] = np.nan
    table["unit_cost"] = table["unit_cost"].fillna(table["unit_cost"].median())
    sold = table["annual_demand"] > 0
    table = table[sold].reset_index(drop=True)
    costed = table["unit_cost"] > 0  # NaN or 0 or less: no cost to base EOQ or ABC on
    if not costed.all() and notes is not None:
        notes.append(
            f"{int((~costed).sum()):,} SKU(s) have no positive unit cost (sold at price 0, "
            "or only refunded): no EOQ and no ABC class for them"
        )
    holding = s.holding_rate * table["unit_cost"].where(costed)
    table["eoq"] = np.nan
    if costed.any():
        table.loc[costed, "eoq"] = inventory.economic_order_quantity(
            table.loc[costed, "annual_demand"], s.order_cost, holding[costed]
        )
    table["safety_stock"] = inventory.safety_stock(
        s.service_level, table["daily_mean"], table["daily_sd"], table["lead_time_days"]
    )
    table["reorder_point"] = inventory.reorder_point(
        s.service_level, table["daily_mean"], table["daily_sd"], table["lead_time_days"]
    )
    table["annual_value"] = table["annual_demand"] * table["unit_cost"].where(costed)
    valued = costed & (table["annual_value"] > 0)
    table["abc"], table["cumulative_share"] = None, np.nan
    if valued.any():
        abc = inventory.abc_classes(
            table.loc[valued, "sku"], table.loc[valued, "annual_value"]
        ).set_index("item")
        table["abc"] = table["sku"].map(abc["class"])
        table["cumulative_share"] = table["sku"].map(abc["cumulative_share"])
    monthly = agg.monthly_demand.pivot_table(
        index="sku", columns="month", values="quantity", aggfunc="sum", fill_value=0
    )
    if monthly.shape[1] < 2:
        monthly = monthly.assign(extra=0)
    xyz = inventory.xyz_classes(monthly.index, monthly.to_numpy(float)).set_index("item")
    table["xyz"] = table["sku"].map(xyz["class"])
    table["days_of_supply"] = inventory.days_of_supply(
        table["on_hand"].fillna(np.nan), table["daily_mean"]
    )
    columns = [
        "sku",
        "annual_demand",
        "daily_mean",
        "daily_sd",
        "unit_cost",
        "lead_time_days",
        "eoq",
        "safety_stock",
        "reorder_point",
        "on_hand",
        "days_of_supply",
        "annual_value",
        "cumulative_share",
        "abc",
        "xyz",
    ] + (["pack_size"] if "pack_size" in table else [])
    return table[columns].sort_values("annual_value", ascending=False, ignore_index=True)


def trends(agg: sums.Aggregates, s: ReportSettings):
    daily_sales = agg.daily_revenue
    daily = timeseries.resample(daily_sales["day"], daily_sales["revenue"], "day", "sum")
    try:
        parts = timeseries.decompose(daily["value"], s.season_length)
        parts.insert(0, "date", daily["period"])
    except InputError as err:
        parts = Missing(f"at least two weeks of daily revenue ({err})")
    monthly = timeseries.resample(daily_sales["day"], daily_sales["revenue"], "month", "sum")
    complete = timeseries.complete_periods(monthly["period"], "month", first_day(agg), agg.as_of)
    whole = monthly[complete].reset_index(drop=True)  # a partial month would drag the fit
    try:
        forecast, model = honest_forecast(whole, s.forecast_months)
        left_out = int((~complete).sum())
        if left_out:
            model += f"; {left_out} partial month(s) left out of the fit"
    except InputError as err:
        forecast, model = Missing(f"at least 4 complete months of revenue ({err})"), ""
    return parts, forecast, model


SEASON = 12  # monthly revenue's season: a year


def honest_forecast(monthly: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, str]:
    """The forecast of complete months and the words that say what it is.  ETS models
    with and without a yearly season compete by AICc when two full years exist
    (``core.timeseries.forecast_ets``); the chosen model is then checked on the last
    season (or last months) held out (``timeseries.holdout``), and when it did worse
    than the seasonal naive forecast, that is used instead, and the label says so."""
    y = monthly["value"].to_numpy(float)
    period = SEASON if len(y) >= 2 * SEASON else 0
    result = timeseries.forecast_ets(y, horizon, period, dates=monthly["period"])
    table = result.table
    seasonal = result.model.endswith("A")
    label = f"ETS({result.model}), " + (f"season {SEASON}" if seasonal else "no season")
    check = timeseries.holdout(y, period)
    if check is not None:
        naive = "seasonal naive" if check.naive_period > 1 else "naive"
        scores = (
            f"held out the last {check.held} months: MASE {check.mase:.2f} against "
            f"{naive} {check.naive_mase:.2f}"
            + ("" if np.isnan(check.mape) else f", MAPE {check.mape:.0%}")
        )
        if check.mase > check.naive_mase:
            dates = table["date"]
            table = timeseries.seasonal_naive(y, horizon, check.naive_period)
            table.insert(0, "date", dates)
            label = f"{naive} (ETS({result.model}) did worse: {scores})"
        else:
            label += f", AICc {result.aicc:,.1f}; {scores}"
    else:
        label += f", AICc {result.aicc:,.1f}; too short to hold months out for a check"
    history = monthly.rename(columns={"period": "date", "value": "revenue"})
    return pd.concat([history, table], ignore_index=True), label


CLV_MODEL = "auto"  # the purchase model with the best holdout fit (core.clv)


def customer_tables(agg: sums.Aggregates, s: ReportSettings, cuts=None, how: str = ""):
    """RFM (days since the last order, from as_of; R cut at ``cuts``, as ``how``
    says: :func:`recency_cuts`), CLV (the purchase model "auto" chooses + Gamma-Gamma;
    the holdout from :func:`holdout`) and cohorts, from the per-customer sums
    (``core.clv.summary_from_sums``).  The CLV table carries ``p_alive_fall_30d``
    (``core.clv.p_alive_fall``) for the win-back list."""
    c = agg.customers
    as_of_day = sums.day_of(agg.as_of)
    first, last = c["first_day"].to_numpy(np.int64), c["last_day"].to_numpy(np.int64)
    orders = c["orders"].to_numpy(np.int64)
    rfm = customers.rfm_scores(
        c["customer_id"], as_of_day - last, orders, c["monetary"].to_numpy(float),
        recency_cuts=cuts,
    )  # fmt: skip
    rfm.attrs["recency"] = how
    counts = rfm["segment"].value_counts().rename_axis("segment").reset_index(name="customers")
    summary = clv_model.summary_from_sums(
        c["customer_id"], first, last, c["purchase_days"], c["monetary"], c["first_amount"],
        as_of_day,
    )  # fmt: skip
    try:
        check = holdout(agg)
    except InputError:  # too few customers before the split: the models compare by BIC
        check = None
    try:
        clv = clv_model.lifetime_value_from_summary(
            summary, s.clv_months, s.discount_rate, CLV_MODEL, agg.as_of, check
        )
        fit = clv.attrs["fit"]
        clv["p_alive_fall_30d"] = clv_model.p_alive_fall(fit, *clv_model.model_times(summary))
        clv = clv.sort_values("clv", ascending=False, ignore_index=True)
        # the BG/NBD "recency" is first-to-last purchase: not the RFM table's recency
        clv = clv.rename(columns={"recency_days": "first_to_last_days"})
        clv.attrs.update(fit=fit, holdout=check)
    except InputError as err:
        clv = Missing(f"more repeat customers ({err})")
    cohorts = customers.retention_from_counts(agg.cohorts, agg.last_month)
    return rfm, counts, clv, cohorts


def holdout(agg: sums.Aggregates):
    """The CLV check's calibration/holdout split (``core.clv.Holdout``) from the
    customer sums' "calibration" cutoff; None when the log was too short to split
    (``core.clv.default_calibration_end``)."""
    if agg.calibration_end is None:
        return None
    c = agg.customers
    cut = sums.day_of(agg.calibration_end)
    before = c[c["first_day"].to_numpy(np.int64) <= cut]
    calibration = clv_model.summary_from_sums(
        before["customer_id"], before["first_day"],
        before["last_day_calibration"].to_numpy(np.int64),
        before["purchase_days_calibration"], before["monetary_calibration"],
        before["first_amount"], cut,
    )  # fmt: skip
    later = before["purchase_days"].to_numpy(float) - before["purchase_days_calibration"]
    days = sums.day_of(agg.as_of) - cut
    return clv_model.holdout_from_summary(calibration, later, days, agg.calibration_end)


def clv_check_table(agg: sums.Aggregates, clv):
    """The calibration/holdout table for the model the CLV table used, fitted on the
    calibration part (``core.clv.holdout_table``), or why there is none."""
    if isinstance(clv, Missing):
        return clv
    check = clv.attrs.get("holdout")
    if check is None:
        return Missing(
            f"an order log spanning at least {clv_model.MIN_SPLIT_WEEKS} weeks, with enough "
            "customers before its last third, to hold purchases out for a check"
        )
    try:
        fit = check.purchase_fit(clv.attrs["fit"].key)  # fitted once for "auto" already
    except InputError as err:
        return Missing(f"more customers before {check.calibration_end:%Y-%m-%d} ({err})")
    table = clv_model.holdout_table(check, fit)
    table.attrs["calibration_end"] = check.calibration_end
    return table


def recency_cuts(agg: sums.Aggregates, s: ReportSettings):
    """The R cut points the settings ask for, and the words that say how R was scored
    (one reading of the shop's buying cycle for the Customers sheet and the Summary's
    at-risk count)."""
    c = agg.customers
    first, last, orders = c["first_day"], c["last_day"], c["orders"]
    fixed = s.fixed_recency_cuts()
    if fixed:
        return (
            fixed,
            "R by fixed days since the last order: 5 up to {}, 4 up to {}, "
            "3 up to {}, 2 up to {}, else 1".format(*fixed),
        )
    quintiles = "R, F, M quintile scores (5 = best)"
    if s.recency_cuts == "quantiles":
        return None, quintiles
    cuts = customers.buying_cycle_cuts(first, last, orders)
    if cuts is None:
        return None, f"{quintiles}; too few repeat orders to read a buying cycle"
    return cuts, (
        "R from this shop's gaps between orders: 5 within {} days (half of all gaps are "
        "shorter), 4 within {}, 3 within {}, 2 within {} (95 % of gaps), else 1; F, M "
        "quintiles".format(*cuts)
    )


def segment_tables(rfm: pd.DataFrame, s: ReportSettings):
    names = ["recency_days", "frequency", "monetary"]
    features = rfm[names].to_numpy(dtype=float)
    k = min(s.segments, len(distinct_rows(*features.T)[1]))
    result = segmentation.kmeans_segments(features, k)
    members = rfm[["customer_id", *names]].copy()
    members.insert(1, "segment", result.labels)
    return segmentation.segment_profile(features, result.labels, names), members


# Which dates each order KPI needs; a KPI whose dates the log lacks is not shown.
KPI_NEEDS = {
    "open orders (not shipped)": {"shipped_date"},
    "in transit (shipped, not delivered)": {"shipped_date", "delivered_date"},
    "delivered orders": {"delivered_date"},
    "order to ship": {"shipped_date"},
    "ship to delivery": {"shipped_date", "delivered_date"},
    "order to delivery": {"delivered_date"},
    "on-time delivery rate": {"delivered_date", "promised_date"},
    "perfect order rate": {"delivered_date", "promised_date"},
    "return rate": {"delivered_date"},
}  # error and cancellation rates need no date: 0 % where the log has no flags or status


def order_processing(agg: sums.Aggregates):
    """The order KPIs from whatever dates the log has (order-to-ship needs only the
    ship date), each KPI shown only when its dates exist; cycle days with delivery
    dates; on-time by month with promised and delivery dates."""
    if agg.order_counts is None:
        return (Missing("shipped_date or delivered_date columns in the order log"),) * 3
    table = orders.kpi_table(agg.order_counts, agg.spans)

    def shown(kpi: str) -> bool:
        needs = next((n for name, n in KPI_NEEDS.items() if kpi.startswith(name)), set())
        return needs <= agg.fields

    table = table[table["kpi"].map(shown)].reset_index(drop=True)
    days, count = agg.spans["total"]
    if len(days):
        whole = pd.Series(count).groupby(np.trunc(days).astype(int)).sum().sort_index()
        cycle = pd.DataFrame({"days to deliver": whole.index, "orders": whole.to_numpy()})
    else:
        cycle = Missing("delivered_date in the order log")
    rates = agg.order_on_time
    if rates is None:
        return table, cycle, Missing("promised_date and delivered_date in the order log")
    monthly = pd.DataFrame(
        {
            "month": pd.PeriodIndex.from_ordinals(rates["month"], freq="M").start_time,
            "on-time rate": rates["hits"].to_numpy(float) / rates["known"].to_numpy(float),
        }
    )
    return table, cycle, monthly


def risk_tables(agg: sums.Aggregates, supply, settings: ReportSettings, supplier_metrics):
    try:
        daily = agg.daily_revenue
        weeks = rules.anomalous_weeks(
            daily["day"], daily["revenue"], settings.anomaly_method, settings.anomaly_threshold,
            first_day=first_day(agg), last_day=agg.as_of,
        )  # fmt: skip
    except InputError as err:
        weeks = Missing(f"a few weeks of revenue to compare ({err})")
    if isinstance(supply, Missing) or supply["on_hand"].isna().all():
        stock = Missing(
            "an inventory snapshot with sku, on_hand, unit_cost and lead_time_days "
            "(--inventory FILE)"
        )
    else:
        has = supply.dropna(subset=["on_hand"])
        stock = has[["sku", "on_hand", "daily_mean", "daily_sd", "lead_time_days"]].copy()
        stock["stockout_probability"] = risk.stockout_probability(
            stock["on_hand"], stock["daily_mean"], stock["daily_sd"], stock["lead_time_days"]
        )
        stock = stock.sort_values("stockout_probability", ascending=False, ignore_index=True)
    from_log = agg.suppliers if agg.suppliers is not None and len(agg.suppliers) else None
    suppliers = supplier_ranking(supplier_metrics if supplier_metrics is not None else from_log)
    return weeks, stock, suppliers


# A supplier metric is a risk (higher is worse) unless its name says it is a
# performance measure; the Risk sheet shows the direction each metric took.
HIGHER_IS_BETTER_WORDS = (
    "on_time",
    "ontime",
    "on-time",
    "otif",
    "fill",
    "quality",
    "reliability",
    "perfect",
)


def higher_is_better(metric: str) -> bool:
    name = metric.lower().replace(" ", "_")
    return any(word in name for word in HIGHER_IS_BETTER_WORDS)


def supplier_ranking(table: pd.DataFrame | None):
    if table is None or len(table) < 2:
        return Missing(
            "a supplier column with shipped and promised dates in the log, or a "
            "supplier metrics file (--suppliers FILE)"
        )
    metrics = [c for c in table.columns if c not in ("supplier", "orders")]
    values = table[metrics].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy()
    better = [higher_is_better(m) for m in metrics]
    ranked = risk.supplier_risk(table["supplier"], values, np.ones(len(metrics)), better)
    out = table.merge(ranked, on="supplier").sort_values("rank", ignore_index=True)
    out.attrs["directions"] = {
        m: ("higher is better" if b else "higher is worse")
        for m, b in zip(metrics, better, strict=True)
    }
    return out


def analyse(
    lines: pd.DataFrame,
    settings: ReportSettings | None = None,
    as_of=None,
    snapshot: pd.DataFrame | None = None,
    supplier_file: pd.DataFrame | None = None,
    progress=None,
) -> ReportData:
    """Every area of the report from cleaned order lines in memory (``inputs.read_orders``)."""
    with progress.stage("aggregate") if progress else nullcontext():
        table = lines_table(lines)  # the engine's start-up counts as aggregation
    return analyse_table(table, settings, as_of, snapshot, supplier_file, progress)


def analyse_table(
    table,
    settings: ReportSettings | None = None,
    as_of=None,
    snapshot: pd.DataFrame | None = None,
    supplier_file: pd.DataFrame | None = None,
    progress=None,
    run=None,
    hold=None,
) -> ReportData:
    """Every area of the report from an Ibis table of cleaned order lines, wherever it
    lives: the engine sums (``orderlog.sums``), the models run here on the sums.
    ``run`` executes a query; ``hold`` keeps a table several queries read (the
    orders), so the engine works it out once."""
    s = settings or ReportSettings()
    step = progress.stage if progress else lambda name: nullcontext()
    with step("aggregate"):
        agg = sums.aggregate(
            table, as_of, run, hold or (lambda expr: expr.cache()),
            clv_model.default_calibration_end, per_day=bool(s.change_date),
        )  # fmt: skip
    if agg.customers.empty:  # no order with a sale in it
        raise InputError(
            f"no sales on or before the as-of date {agg.as_of:%Y-%m-%d}: every order line "
            "there is cancelled, returned or a refund (or there is none), so there is "
            "nothing to report"
        )
    return analyse_aggregates(agg, s, snapshot, supplier_file, step)


def analyse_aggregates(agg, s: ReportSettings, snapshot, supplier_file, step) -> ReportData:
    notes: list[str] = []
    cuts, how = recency_cuts(agg, s)
    with step("summary"):
        summary = headline(agg, s, snapshot, cuts)
        monthly = monthly_revenue(agg)
        to_date = to_date_revenue(agg)
    with step("supply chain"):
        supply = supply_chain(agg, s, snapshot, notes)
        movers = product_movers(agg)
    with step("customers"):
        rfm, counts, clv, cohorts = customer_tables(agg, s, cuts, how)
        check = clv_check_table(agg, clv)
    with step("trends"):
        parts, forecast, model = trends(agg, s)
    with step("segments"):
        profile, members = segment_tables(rfm, s)
    with step("replenishment"):
        policy, by_class = replenishment_tables(agg, s, snapshot, notes)
    with step("orders"):
        kpis, cycle, on_time = order_processing(agg)
    with step("risk"):
        weeks, stock, suppliers = risk_tables(agg, supply, s, supplier_file)
    with step("impact"):
        effects = impact_tables(agg, s) if s.change_date else {}
    return ReportData(
        as_of=agg.as_of,
        settings=s,
        summary=summary,
        comparison=summary.attrs["comparison"],
        tile_notes=summary.attrs["why"],
        monthly=monthly,
        to_date=to_date,
        supply=supply,
        movers=movers,
        rfm=rfm,
        segment_counts=counts,
        clv=clv,
        clv_check=check,
        cohorts=cohorts,
        decomposition=parts,
        forecast=forecast,
        forecast_model=model,
        profile=profile,
        members=members,
        kpis=kpis,
        cycle_days=cycle,
        on_time_monthly=on_time,
        anomalous_weeks=weeks,
        stockout=stock,
        suppliers=suppliers,
        replenishment=policy,
        fill_by_class=by_class,
        impact=effects,
        actions=(todo := action_lists(agg.as_of, supply, rfm, clv, weeks, agg.emails)),
        narrative=narrative(summary, todo, to_date),
        notes=notes,
    )


IMPACT_PERIOD = "W-MON"  # weeks from Monday: days are too noisy to read an effect from
IMPACT_MEASURES = ("revenue", "orders", "on-time rate", "order-to-delivery days")


def impact_tables(agg: sums.Aggregates, s: ReportSettings) -> dict:
    """Before/after over time (``core.impact.impact_series``) for the change on
    ``s.change_date``: weekly revenue, orders, on-time delivery rate and mean
    order-to-delivery days, each against what a model of its weeks before the change
    says it would have been; the week the change falls in is the first after, and
    only complete weeks count.  A measure the log cannot give, or too short on either
    side of the change, gets a Missing saying so."""
    change = pd.Timestamp(s.change_date)
    start = change - pd.Timedelta(days=change.weekday())  # its week's Monday

    def weekly(values):  # sums by week from Monday, complete weeks only
        out = values.resample(IMPACT_PERIOD, label="left", closed="left").sum()
        return out[out.index + pd.Timedelta(days=6) <= agg.as_of.normalize()]

    def ratio(top, bottom):
        return (top / bottom.where(bottom > 0)).dropna()

    series = {"revenue": weekly(agg.daily_revenue.set_index("day")["revenue"])}
    daily = None if agg.daily_orders is None else weekly(agg.daily_orders.set_index("day"))
    if daily is not None:
        series["orders"] = daily["orders"]
        if "known" in daily:
            series["on-time rate"] = ratio(daily["hits"], daily["known"])
        if "delivered" in daily:
            series["order-to-delivery days"] = ratio(daily["delivery_days"], daily["delivered"])
    out = {}
    for name in IMPACT_MEASURES:
        if name not in series:
            out[name] = Missing("order, delivered and promised dates in the order log")
            continue
        values = series[name]
        try:
            out[name] = impact.impact_series(values.index, values.to_numpy(float), start)
        except InputError as err:
            out[name] = Missing(f"more complete weeks around {change:%Y-%m-%d} ({err})")
    return out


BACKTEST_SKUS = 2_000  # the backtest replays the SKUs with the most units, at most this many


def replenishment_tables(agg: sums.Aggregates, s: ReportSettings, snapshot, notes: list[str]):
    """The reorder policy per SKU from its weekly demand over the last 104 complete
    weeks (``core.replenishment``; fill-rate target = the service level; lead time
    from the inventory snapshot, else the lead-time setting, in weeks; on hand from
    the snapshot), and the fill rate the policy would have achieved over the last 26
    weeks, by demand class (:func:`fill_by_class`)."""
    weekly = agg.weekly_demand
    if weekly is None:
        gap = Missing("sku and quantity columns in the order log (--map sku=... quantity=...)")
        return gap, gap
    weekly = weekly[weekly["quantity"] != 0]
    if weekly.empty:
        gap = Missing("a complete week with units sold in the last 104 weeks")
        return gap, gap
    starts = pd.Timestamp(0) + pd.to_timedelta(weekly["week"], unit="D")
    end = agg.as_of  # the core keeps the complete weeks up to it, as the sums did
    lines = (weekly["sku"].astype(str).to_numpy(), starts, weekly["quantity"].to_numpy(float))
    skus = sorted(set(lines[0]))
    lead = pd.Series(s.lead_time_days, index=skus, dtype=float)
    stock = None
    if snapshot is not None:
        snap = snapshot.set_index(snapshot["sku"].astype(str))
        lead = snap["lead_time_days"].reindex(skus).fillna(s.lead_time_days)
        stock = snap["on_hand"].reindex(skus)
    policy = replenishment.reorder_policy(
        *lines, (lead / 7).to_dict(), s.service_level, as_of=end
    )  # one call: the forecasts run once for every SKU
    policy.insert(3, "lead_time_weeks", policy["sku"].map(lead / 7))
    if stock is not None:
        policy["on_hand"] = policy["sku"].map(stock)
        policy["order_now"] = (policy["order_up_to"] - policy["on_hand"]).clip(lower=0)
    else:
        policy = policy.drop(columns="order_now")
    return policy, fill_by_class(lines, lead, s.service_level, end, notes)


def fill_by_class(lines, lead: pd.Series, target: float, end, notes: list[str]):
    """The policy replayed over the last 26 weeks (``replenishment.inventory_backtest``,
    one lead time: the median), per demand class and in total: SKUs, units demanded,
    units served from stock, achieved fill rate and the target.  At most
    ``BACKTEST_SKUS`` SKUs, those with the most units (said in ``notes``)."""
    units = pd.Series(lines[2]).groupby(lines[0]).sum()
    chosen = units.nlargest(BACKTEST_SKUS).index
    if len(chosen) < len(units):
        notes.append(f"The replenishment backtest replays the {len(chosen):,} SKUs with the "
                     f"most units of {len(units):,}.")  # fmt: skip
    keep = np.isin(lines[0], chosen)
    try:
        replay = replenishment.inventory_backtest(
            lines[0][keep], lines[1][keep], lines[2][keep], float(lead.median()) / 7, target,
            as_of=end,
        )  # fmt: skip
    except InputError as gap:  # too short a log
        return Missing(f"more weeks of history than the backtest's 26 ({gap})")
    per_sku = replay[replay["sku"] != "Total"]
    table = per_sku.groupby("class").agg(
        skus=("sku", "size"), demand=("demand", "sum"), served=("served", "sum")
    )
    table = table.reindex([c for c in demand.SBC_CLASSES if c in table.index])
    table.loc["total"] = [len(per_sku), per_sku["demand"].sum(), per_sku["served"].sum()]
    table["achieved_fill_rate"] = table["served"] / table["demand"].where(table["demand"] > 0)
    table["target"] = target
    return table.rename_axis("class").reset_index()


# --- The Actions sheet: what to do this week ---------------------------------------------

WIN_BACK_SEGMENTS = ("Can't Lose", "At Risk")
FELL_FASTEST = 10  # win-back customers marked: the largest falls of P(alive) in 30 days
FELL_AT_LEAST = 0.05  # … of at least 5 points


def action_lists(as_of, supply, rfm, clv, weeks, emails=None) -> dict:
    """The three lists of the Actions sheet, each whole (the sheet shows the first 50):

    - **Reorder now**: SKUs whose stock on hand is at or below the reorder point, the
      fewest days of supply first, with the quantity to order (up to the reorder
      point plus the EOQ, whole units, rounded up to whole packs when the snapshot
      has a ``pack_size``; the EOQ left out where a SKU has none) and the date to
      order by (the as-of date: the stock is already at the point);
    - **Customers to win back**: Can't Lose and At Risk customers, the highest
      expected value (CLV) first, with P(alive) and churn risk, the ten whose
      P(alive) fell most in the last 30 days (by 5 points or more) marked, their
      last order date, orders and spend, and their e-mail address when the log has
      an ``email`` column (``emails``); when the purchase model could not estimate
      dropout, the list's ``attrs["note"]`` says so;
    - **Check these weeks**: the complete weeks whose revenue stands out.
    """
    out = {}
    if isinstance(supply, Missing) or supply["on_hand"].isna().all():
        out["Reorder now"] = Missing("an inventory snapshot with on_hand (--inventory FILE)")
    else:
        low = supply[supply["on_hand"] <= supply["reorder_point"]].copy()
        gap = (low["reorder_point"] - low["on_hand"]).clip(lower=0)
        # order up to the reorder point plus the EOQ (Silver, Pyke & Thomas, (s, Q)
        # with undershoot): the gap below the point, then one economic lot
        low["order_quantity"] = np.ceil(gap + low["eoq"].fillna(0)).clip(lower=1)
        columns = ["sku", "on_hand", "reorder_point", "order_quantity", "days_of_supply",
                   "order_by", "abc"]  # fmt: skip
        if "pack_size" in low:  # whole packs: the next multiple of the pack size up
            pack = low["pack_size"].fillna(1.0)
            low["order_quantity"] = np.ceil(low["order_quantity"] / pack - 1e-9) * pack
            columns.insert(4, "pack_size")
        low["order_by"] = as_of.normalize()
        out["Reorder now"] = low.sort_values(["days_of_supply", "sku"])[columns].reset_index(
            drop=True
        )
    slipping = rfm[rfm["segment"].isin(WIN_BACK_SEGMENTS)].copy()
    slipping["last_order"] = as_of.normalize() - pd.to_timedelta(
        slipping["recency_days"].to_numpy(float), unit="D"
    )  # recency is counted from the as-of date (customer_tables)
    by_customer = None if isinstance(clv, Missing) else clv.set_index("customer_id")
    for column in ("clv", "p_alive", "churn_risk", "p_alive_fall_30d"):
        slipping[column] = (
            np.nan if by_customer is None else slipping["customer_id"].map(by_customer[column])
        )
    table = slipping.sort_values(["clv", "monetary", "customer_id"], ascending=[False, False, True])
    fall = table["p_alive_fall_30d"].astype(float)
    fastest = fall[fall >= FELL_AT_LEAST].nlargest(FELL_FASTEST).index
    table["watch"] = np.where(table.index.isin(fastest), "P(alive) fell fastest", None)
    columns = ["customer_id", "segment", "clv", "p_alive", "churn_risk", "watch", "last_order",
               "frequency", "monetary"]  # fmt: skip
    if emails is not None:
        table["email"] = table["customer_id"].map(emails.set_index("customer_id")["email"])
        columns.append("email")
    out["Customers to win back"] = table[columns].reset_index(drop=True)
    if by_customer is not None and clv.attrs.get("fit") and not clv.attrs["fit"].identified:
        out["Customers to win back"].attrs["note"] = clv_model.NOT_IDENTIFIED
    out["Check these weeks"] = weeks
    return out


def actions_frame(actions: dict) -> pd.DataFrame:
    """The Actions lists as one table for ``--actions FILE.csv``: a ``list`` column,
    then each list's columns (blank where a list has no such column)."""
    parts = [
        table.assign(list=name)
        for name, table in actions.items()
        if not isinstance(table, Missing) and len(table)
    ]
    if not parts:
        return pd.DataFrame(columns=["list"])
    table = pd.concat(parts, ignore_index=True)
    return table[["list", *[c for c in table.columns if c != "list"]]]


def to_date_words(said: list[tuple[str, str, str, float]]) -> str:
    """ " Month to date (1–17 Oct 2026): +25.1% on 1–17 Sep 2026, +25.9% on 1–17 Oct
    2025. Year on year: Sep 2026 +23.9%, year to date +43.4%." from
    :func:`to_date_revenue`'s (kind, span, compared span, change) with a change."""
    text = ""
    mtd = [(now, then, c) for what, now, then, c in said if what == "month to date"]
    if mtd:
        text += f" Month to date ({mtd[0][0]}): "
        text += ", ".join(f"{c:+.1%} on {then}" for _, then, c in mtd) + "."
    yearly = [(what, now, c) for what, now, _, c in said if what != "month to date"]
    if yearly:
        parts = [f"{now if what == 'month' else what} {c:+.1%}" for what, now, c in yearly]
        text += " Year on year: " + ", ".join(parts) + "."
    return text


def narrative(summary: pd.DataFrame, actions: dict, to_date=None) -> str:
    """The Summary's opening paragraph, built from the numbers: "Revenue 245,362 in
    September 2026, +18.2 % on August. 40 SKUs at or below their reorder point. 545
    customers to win back (Can't Lose, At Risk), worth 48,300 in expected value."
    """
    this, before = summary.columns[1:3]
    kpis = summary.set_index("kpi")
    month, previous = pd.Timestamp(this), pd.Timestamp(before)
    revenue, change = kpis.loc["revenue (net of returns)", [this, "change"]]
    text = f"Revenue {revenue:,.0f} in {month:%B %Y}"
    text += f", {change:+.1%} on {previous:%B}." if pd.notna(change) else "."
    orders_now, orders_change = kpis.loc["orders", [this, "change"]]
    text += f" {orders_now:,.0f} orders" + (
        f" ({orders_change:+.1%})." if pd.notna(orders_change) else "."
    )
    text += "" if to_date is None else to_date.attrs.get("words", "")
    on_time = kpis.loc["on-time delivery rate", this]
    if pd.notna(on_time):
        text += f" {on_time:.0%} delivered on time."
    low = actions.get("Reorder now")
    if isinstance(low, pd.DataFrame):
        text += f" {len(low):,} SKU(s) at or below their reorder point."
    slipping = actions.get("Customers to win back")
    if isinstance(slipping, pd.DataFrame) and len(slipping):
        worth = slipping["clv"].sum(min_count=1)
        text += f" {len(slipping):,} customers to win back (Can't Lose, At Risk)"
        text += f", worth {worth:,.0f} in expected value." if pd.notna(worth) else "."
    weeks = actions.get("Check these weeks")
    if isinstance(weeks, pd.DataFrame) and len(weeks):
        text += f" {len(weeks)} week(s) of unusual revenue to check."
    return text
