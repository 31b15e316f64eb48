"""Every analysis of the report, computed from order lines with ``xlbizops.core``.

Only choosing inputs and shaping tables happens here; the formulas live in core,
shared with the Excel functions.  An area that lacks the fields or side inputs it
needs returns a :class:`Missing` that says what would make it appear.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlbizops.core import customers, inventory, orders, risk, rules, segmentation, timeseries
from xlbizops.core.errors import InputError
from xlbizops.core.rules import DEMAND_EXCLUDES, SALES_EXCLUDE, Settings  # noqa: F401

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
    settings: Settings
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


def without_status(lines: pd.DataFrame, *statuses: str) -> pd.DataFrame:
    """Lines whose status (when the log has one) is none of ``statuses``."""
    if "status" not in lines:
        return lines
    return lines[~lines["status"].fillna("").str.lower().isin(statuses)]


def revenue_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines that count as revenue (``core.rules``): orders neither cancelled nor
    returned, plus return lines (negative amounts), which net the sales they refund."""
    kept = lines["is_return"].copy()
    kept[without_status(lines, *SALES_EXCLUDE).index] = True
    return lines[kept]


def order_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per order (lines summed), returns left out: what customer analyses use."""
    sales = without_status(lines[~lines["is_return"]], *SALES_EXCLUDE)
    grouped = sales.groupby("order_id", sort=False)
    return pd.DataFrame(
        {
            "order_date": grouped["order_date"].min(),
            "customer_id": grouped["customer_id"].first(),
            "amount": grouped["amount"].sum(),
        }
    ).reset_index()


def _month_end(stamp: pd.Timestamp) -> pd.Timestamp:
    return (stamp + pd.offsets.MonthEnd(0)).normalize()


def headline(lines: pd.DataFrame, orders_: pd.DataFrame, as_of, settings, snapshot):
    """Headline KPIs for the last full month and the month before, with the change."""
    last = as_of.normalize()
    this_end = last if last == _month_end(last) else (last - pd.offsets.MonthEnd(1)).normalize()
    this_start = this_end - pd.offsets.MonthBegin(1)
    prev_end = this_start - pd.Timedelta(days=1)
    prev_start = prev_end - pd.offsets.MonthBegin(1)

    def window(start, end):
        in_lines = lines[(lines["order_date"] >= start) & (lines["order_date"] <= end)]
        in_orders = orders_[(orders_["order_date"] >= start) & (orders_["order_date"] <= end)]
        values = {
            "revenue (net of returns)": float(revenue_lines(in_lines)["amount"].sum()),
            "orders": int(len(in_orders)),
            "customers": int(in_orders["customer_id"].nunique()),
        }
        if {"delivered_date", "promised_date"} <= set(lines):
            hit = orders.on_time(in_lines["delivered_date"], in_lines["promised_date"])
            values["on-time delivery rate"] = (
                float(np.nanmean(hit)) if (hit == hit).any() else np.nan
            )
        else:
            values["on-time delivery rate"] = np.nan
        upto = orders_[orders_["order_date"] <= end]
        if len(upto) and upto["customer_id"].nunique() >= 2:
            table = customers.rfm_table(
                upto["customer_id"],
                upto["order_date"],
                upto["amount"],
                as_of=end + pd.Timedelta(days=1),
            )
            values[AT_RISK_KPI] = int(table["segment"].isin(AT_RISK_SEGMENTS).sum())
        else:
            values[AT_RISK_KPI] = np.nan
        if snapshot is not None and "quantity" in lines and "sku" in lines:
            cost = snapshot.set_index("sku")["unit_cost"]
            sold = in_lines[~in_lines["is_return"]]
            cogs = float((sold["quantity"] * sold["sku"].map(cost)).sum())
            stock = float((snapshot["on_hand"] * snapshot["unit_cost"]).sum())
            values["inventory turnover (annualised)"] = (
                inventory.inventory_turnover(cogs, stock) * 12 if stock > 0 else np.nan
            )
        else:
            values["inventory turnover (annualised)"] = np.nan
        return values

    now, before = window(this_start, this_end), window(prev_start, prev_end)
    rows = []
    for name in now:
        a, b = now[name], before[name]
        if "rate" in name:
            change = (a - b) * 100  # percentage points
        else:
            change = (a - b) / b if np.isfinite(b) and b != 0 else np.nan
        rows.append((name, a, b, change))
    label_now, label_before = f"{this_start:%b %Y}", f"{prev_start:%b %Y}"
    return pd.DataFrame(rows, columns=["kpi", label_now, label_before, "change"])


def monthly_revenue(lines: pd.DataFrame) -> pd.DataFrame:
    sales = revenue_lines(lines)
    table = timeseries.resample(sales["order_date"], sales["amount"], "month", "sum")
    return table.rename(columns={"period": "month", "value": "revenue"})


def supply_chain(lines: pd.DataFrame, as_of, s: Settings, snapshot) -> pd.DataFrame | Missing:
    if not {"sku", "quantity"} <= set(lines):
        return Missing("sku and quantity columns in the order log (--map sku=... quantity=...)")
    sales = lines[~lines["is_return"] & lines["sku"].notna()]
    sales = without_status(sales, *DEMAND_EXCLUDES)  # never left the warehouse
    prices = sales.get("unit_price")
    demand = inventory.demand_by_item(
        sales["sku"], sales["order_date"], sales["quantity"], as_of=as_of, unit_prices=prices
    )
    table = demand.rename(columns={"item": "sku"})
    if snapshot is not None:
        snap = snapshot.set_index("sku")
        table["unit_cost"] = table["sku"].map(snap["unit_cost"])
        table["lead_time_days"] = table["sku"].map(snap["lead_time_days"]).fillna(s.lead_time_days)
        table["on_hand"] = table["sku"].map(snap["on_hand"])
    else:
        if prices is None:
            return Missing("unit_price in the order log, or an inventory snapshot (--inventory)")
        # Quantity-weighted mean price over the demand window, as DEMAND_BY_ITEM gives it.
        table["unit_cost"] = table["unit_price"] * s.cost_ratio
        table["lead_time_days"] = s.lead_time_days
        table["on_hand"] = np.nan
    table["unit_cost"] = table["unit_cost"].fillna(table["unit_cost"].median())
    sold = table["annual_demand"] > 0
    table = table[sold].reset_index(drop=True)
    holding = s.holding_rate * table["unit_cost"]
    table["eoq"] = inventory.economic_order_quantity(table["annual_demand"], s.order_cost, holding)
    table["safety_stock"] = inventory.safety_stock(
        s.service_level, table["daily_mean"], table["daily_sd"], table["lead_time_days"]
    )
    table["reorder_point"] = inventory.reorder_point(
        s.service_level, table["daily_mean"], table["daily_sd"], table["lead_time_days"]
    )
    table["annual_value"] = table["annual_demand"] * table["unit_cost"]
    abc = inventory.abc_classes(table["sku"], table["annual_value"]).set_index("item")
    table["abc"] = table["sku"].map(abc["class"])
    table["cumulative_share"] = table["sku"].map(abc["cumulative_share"])
    monthly = _monthly_demand(sales, as_of)
    xyz = inventory.xyz_classes(monthly.index, monthly.to_numpy()).set_index("item")
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


def _monthly_demand(sales: pd.DataFrame, as_of) -> pd.DataFrame:
    """Units per SKU for each of the 12 months up to as_of (SKUs × months)."""
    start = (as_of - pd.DateOffset(months=12)).normalize()
    recent = sales[(sales["order_date"] > start) & (sales["order_date"] <= as_of)]
    month = recent["order_date"].dt.to_period("M")
    table = recent.groupby(["sku", month])["quantity"].sum().unstack(fill_value=0)
    return table if table.shape[1] >= 2 else table.assign(extra=0)


def trends(lines: pd.DataFrame, s: Settings):
    sales = revenue_lines(lines)
    daily = timeseries.resample(sales["order_date"], sales["amount"], "day", "sum")
    try:
        parts = timeseries.decompose(daily["value"], s.season_length)
        parts.insert(0, "date", daily["period"])
    except InputError as err:
        parts = Missing(f"at least two weeks of daily revenue ({err})")
    monthly = timeseries.resample(sales["order_date"], sales["amount"], "month", "sum")
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


def customer_tables(order_rows: pd.DataFrame, as_of, s: Settings):
    rfm = customers.rfm_table(
        order_rows["customer_id"],
        order_rows["order_date"],
        order_rows["amount"],
        as_of=as_of + pd.Timedelta(days=1),
    )
    counts = rfm["segment"].value_counts().rename_axis("segment").reset_index(name="customers")
    try:
        clv = customers.customer_lifetime_value(
            order_rows["customer_id"],
            order_rows["order_date"],
            order_rows["amount"],
            s.clv_months,
            s.discount_rate,
            as_of,
        )
        clv = clv.sort_values("clv", ascending=False, ignore_index=True)
    except InputError as err:
        clv = Missing(f"more repeat customers ({err})")
    cohorts = customers.cohort_retention(order_rows["customer_id"], order_rows["order_date"])
    return rfm, counts, clv, cohorts


def segment_tables(rfm: pd.DataFrame, s: Settings):
    names = ["recency_days", "frequency", "monetary"]
    features = rfm[names].to_numpy(dtype=float)
    k = min(s.segments, len(np.unique(features, axis=0)))
    result = segmentation.kmeans_segments(features, k)
    members = rfm[["customer_id", *names]].copy()
    members.insert(1, "segment", result.labels)
    return segmentation.segment_profile(features, result.labels, names), members


def order_processing(lines: pd.DataFrame):
    needed = {"shipped_date", "delivered_date", "promised_date"}
    if not needed <= set(lines):
        missing = ", ".join(sorted(needed - set(lines)))
        return (Missing(f"{missing} columns in the order log"),) * 3
    per_order = lines[~lines["is_return"]].drop_duplicates("order_id")
    table = orders.order_kpis(
        per_order["order_date"],
        per_order["shipped_date"],
        per_order["delivered_date"],
        per_order["promised_date"],
        per_order.get("status"),
        per_order.get("error_flag"),
    )
    days = orders.cycle_time(per_order["order_date"], per_order["delivered_date"])
    days = days[~np.isnan(days)].astype(int)
    histogram = pd.Series(days).value_counts().sort_index()
    cycle = pd.DataFrame({"days to deliver": histogram.index, "orders": histogram.to_numpy()})
    monthly = orders.on_time_by_period(
        per_order["order_date"], per_order["delivered_date"], per_order["promised_date"]
    ).rename(columns={"period": "month", "on_time_rate": "on-time rate"})
    return table, cycle, monthly


def anomalous_weeks(lines: pd.DataFrame, s: Settings) -> pd.DataFrame:
    """Weeks whose revenue is far off (``core.rules.anomalous_weeks``, the template's
    rule too); revenue counts as in :func:`revenue_lines`."""
    sales = revenue_lines(lines)
    return rules.anomalous_weeks(
        sales["order_date"], sales["amount"], s.anomaly_method, s.anomaly_threshold
    )


def risk_tables(lines: pd.DataFrame, supply, settings: Settings, supplier_metrics):
    try:
        weeks = anomalous_weeks(lines, settings)
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
    suppliers = supplier_ranking(lines, supplier_metrics)
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


def supplier_metrics_from_log(lines: pd.DataFrame) -> pd.DataFrame | None:
    if not {"supplier", "shipped_date", "promised_date"} <= set(lines):
        return None
    table = risk.supplier_metrics(
        lines["supplier"],
        lines["order_date"],
        lines["shipped_date"],
        lines["promised_date"],
        lines.get("error_flag"),
    )
    return table if len(table) else None


def supplier_ranking(lines: pd.DataFrame, given: pd.DataFrame | None):
    table = given if given is not None else supplier_metrics_from_log(lines)
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
    settings: Settings | None = None,
    as_of=None,
    snapshot: pd.DataFrame | None = None,
    supplier_file: pd.DataFrame | None = None,
    progress=None,
) -> ReportData:
    """Every area of the report from cleaned order lines (see ``inputs.read_orders``)."""
    s = settings or Settings()
    step = progress.stage if progress else lambda name: nullcontext()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else lines["order_date"].max()
    lines = lines[lines["order_date"] <= as_of + pd.Timedelta(days=1)]
    if lines.empty:
        raise InputError(f"no orders on or before the as-of date {as_of:%Y-%m-%d}")
    order_rows = order_table(lines)
    with step("summary"):
        summary = headline(lines, order_rows, as_of, s, snapshot)
        monthly = monthly_revenue(lines)
    with step("supply chain"):
        supply = supply_chain(lines, as_of, s, snapshot)
    with step("customers"):
        rfm, counts, clv, cohorts = customer_tables(order_rows, as_of, s)
    with step("trends"):
        parts, forecast, model = trends(lines, s)
    with step("segments"):
        profile, members = segment_tables(rfm, s)
    with step("orders"):
        kpis, cycle, on_time = order_processing(lines)
    with step("risk"):
        weeks, stock, suppliers = risk_tables(lines, supply, s, supplier_file)
    return ReportData(
        as_of=as_of,
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
    )
