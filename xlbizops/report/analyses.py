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

from xlbizops.core import customers, inventory, orders, risk, rules, segmentation, timeseries
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
    monthly: pd.DataFrame
    supply: pd.DataFrame | Missing
    rfm: pd.DataFrame
    segment_counts: pd.DataFrame
    clv: pd.DataFrame | Missing
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


def headline(agg: sums.Aggregates, settings, snapshot) -> pd.DataFrame:
    """Headline KPIs for the last full month and the month before, with the change."""
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
                end_day + 1 - bought[f"last_day_{name}"].to_numpy(np.int64),
                bought[f"orders_{name}"].to_numpy(np.int64),
                bought[f"monetary_{name}"].to_numpy(float),
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
    return pd.DataFrame(rows, columns=["kpi", label_now, label_before, "change"])


def monthly_revenue(agg: sums.Aggregates) -> pd.DataFrame:
    daily = agg.daily_revenue
    table = timeseries.resample(daily["day"], daily["revenue"], "month", "sum")
    return table.rename(columns={"period": "month", "value": "revenue"})


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
    ]
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
    try:
        result = timeseries.forecast_ets(
            monthly["value"], s.forecast_months, dates=monthly["period"]
        )
        forecast = result.table
        history = monthly.rename(columns={"period": "date", "value": "revenue"})
        forecast = pd.concat([history, forecast], ignore_index=True)
        model = f"ETS({result.model}), season {result.period or 'none'}, AICc {result.aicc:,.1f}"
    except InputError as err:
        forecast, model = Missing(f"at least 4 months of revenue ({err})"), ""
    return parts, forecast, model


def customer_tables(agg: sums.Aggregates, s: ReportSettings):
    """RFM (as of the day after as_of), CLV (BG/NBD + Gamma-Gamma) and cohorts, from the
    per-customer sums (``core.customers.summary_from_sums``)."""
    c = agg.customers
    as_of_day = sums.day_of(agg.as_of)
    first, last = c["first_day"].to_numpy(np.int64), c["last_day"].to_numpy(np.int64)
    rfm = customers.rfm_scores(
        c["customer_id"],
        as_of_day + 1 - last,
        c["orders"].to_numpy(np.int64),
        c["monetary"].to_numpy(float),
    )
    counts = rfm["segment"].value_counts().rename_axis("segment").reset_index(name="customers")
    summary = customers.summary_from_sums(
        c["customer_id"], first, last, c["purchase_days"], c["monetary"], c["first_amount"],
        as_of_day,
    )  # fmt: skip
    try:
        clv = customers.lifetime_value_from_summary(summary, s.clv_months, s.discount_rate)
        clv = clv.sort_values("clv", ascending=False, ignore_index=True)
    except InputError as err:
        clv = Missing(f"more repeat customers ({err})")
    cohorts = customers.retention_from_counts(agg.cohorts, agg.last_month)
    return rfm, counts, clv, cohorts


def segment_tables(rfm: pd.DataFrame, s: ReportSettings):
    names = ["recency_days", "frequency", "monetary"]
    features = rfm[names].to_numpy(dtype=float)
    k = min(s.segments, len(distinct_rows(*features.T)[1]))
    result = segmentation.kmeans_segments(features, k)
    members = rfm[["customer_id", *names]].copy()
    members.insert(1, "segment", result.labels)
    return segmentation.segment_profile(features, result.labels, names), members


def order_processing(agg: sums.Aggregates):
    needed = {"shipped_date", "delivered_date", "promised_date"}
    if agg.order_counts is None:
        missing = ", ".join(sorted(needed - agg.fields))
        return (Missing(f"{missing} columns in the order log"),) * 3
    table = orders.kpi_table(agg.order_counts, agg.spans)
    days, count = agg.spans["total"]
    whole = pd.Series(count).groupby(np.trunc(days).astype(int)).sum().sort_index()
    cycle = pd.DataFrame({"days to deliver": whole.index, "orders": whole.to_numpy()})
    rates = agg.order_on_time
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
            daily["day"], daily["revenue"], settings.anomaly_method, settings.anomaly_threshold
        )
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
        agg = sums.aggregate(table, as_of, run, hold or (lambda expr: expr.cache()))
    if agg.customers.empty:  # no order with a sale in it
        raise InputError(
            f"no sales on or before the as-of date {agg.as_of:%Y-%m-%d}: every order line "
            "there is cancelled, returned or a refund (or there is none), so there is "
            "nothing to report"
        )
    return analyse_aggregates(agg, s, snapshot, supplier_file, step)


def analyse_aggregates(agg, s: ReportSettings, snapshot, supplier_file, step) -> ReportData:
    notes: list[str] = []
    with step("summary"):
        summary = headline(agg, s, snapshot)
        monthly = monthly_revenue(agg)
    with step("supply chain"):
        supply = supply_chain(agg, s, snapshot, notes)
    with step("customers"):
        rfm, counts, clv, cohorts = customer_tables(agg, s)
    with step("trends"):
        parts, forecast, model = trends(agg, s)
    with step("segments"):
        profile, members = segment_tables(rfm, s)
    with step("orders"):
        kpis, cycle, on_time = order_processing(agg)
    with step("risk"):
        weeks, stock, suppliers = risk_tables(agg, supply, s, supplier_file)
    return ReportData(
        as_of=agg.as_of,
        settings=s,
        summary=summary,
        monthly=monthly,
        supply=supply,
        rfm=rfm,
        segment_counts=counts,
        clv=clv,
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
        notes=notes,
    )
