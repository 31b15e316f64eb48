"""Build the operations report workbook from an order log, with openpyxl.

Every number comes from ``xlbizops.core``, the same functions the Excel formulas
call; this module only chooses inputs, lays out sheets and adds charts.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from xlbizops import __version__
from xlbizops.core import customers, inventory, segmentation, timeseries
from xlbizops.report.sheet import title, write_table

MONEY = "#,##0.00"
UNITS = "#,##0"
DECIMAL = "#,##0.0"


@dataclass(frozen=True)
class ReportSettings:
    """Assumptions a shop would set; each is printed on the sheet that uses it."""

    order_cost: float = 50.0  # per purchase order
    holding_rate: float = 0.25  # share of unit cost per year
    cost_ratio: float = 0.60  # unit cost as a share of the median selling price
    segments: int = 4
    season_length: int = 7  # daily revenue, weekly season


def sold(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that count as sales: not cancelled and not returned."""
    return orders[~orders["status"].isin(["cancelled", "returned"])]


def supply_chain_table(orders: pd.DataFrame, s: ReportSettings) -> pd.DataFrame:
    sales = sold(orders)
    demand = inventory.demand_by_item(sales["sku"], sales["order_date"], sales["quantity"])
    price = sales.groupby("sku", observed=True)["unit_price"].median()
    unit_cost = price.reindex(demand["item"]).to_numpy() * s.cost_ratio
    holding = s.holding_rate * unit_cost
    table = pd.DataFrame(
        {
            "sku": demand["item"],
            "annual_demand": demand["annual_demand"],
            "unit_cost": unit_cost,
            "order_cost": s.order_cost,
            "holding_cost": holding,
        }
    )
    args = table["annual_demand"], s.order_cost, table["holding_cost"]
    table["eoq"] = inventory.economic_order_quantity(*args)
    table["annual_cost"] = inventory.eoq_annual_cost(*args)
    return table.sort_values("annual_demand", ascending=False, ignore_index=True)


def customer_table(orders: pd.DataFrame) -> pd.DataFrame:
    sales = sold(orders)
    return customers.rfm_table(
        sales["customer_id"].astype(str), sales["order_date"], sales["amount"]
    )


def revenue_decomposition(orders: pd.DataFrame, s: ReportSettings) -> pd.DataFrame:
    sales = sold(orders)
    daily = timeseries.resample(sales["order_date"], sales["amount"], "day", "sum")
    parts = timeseries.decompose(daily["value"], s.season_length)
    parts.insert(0, "date", daily["period"])
    return parts


def segment_tables(rfm: pd.DataFrame, s: ReportSettings):
    names = ["recency_days", "frequency", "monetary"]
    features = rfm[names].to_numpy(dtype=float)
    result = segmentation.kmeans_segments(features, s.segments)
    members = rfm[["customer_id", *names]].copy()
    members.insert(1, "segment", result.labels)
    return segmentation.segment_profile(features, result.labels, names), members


def build_report(
    orders: pd.DataFrame,
    path: str | os.PathLike,
    settings: ReportSettings | None = None,
    source: str = "",
) -> Path:
    """Compute every area from ``orders`` and write the workbook to ``path``.

    The file is written under a temporary name and renamed at the end, so a
    failed run never leaves a half-written report where the report should be.
    """
    s = settings or ReportSettings()
    wb = Workbook()
    wb.remove(wb.active)

    ws = wb.create_sheet("Supply chain")
    top = title(
        ws,
        "Supply chain: economic order quantity per SKU",
        f"EOQ = sqrt(2·D·S/H). Order cost S = {s.order_cost:g} per order; holding cost "
        f"H = {s.holding_rate:.0%} of unit cost per year; unit cost = {s.cost_ratio:.0%} "
        "of the median selling price; D = units sold in the last 365 days.",
    )
    write_table(
        ws,
        supply_chain_table(orders, s),
        top,
        formats={
            "annual_demand": UNITS,
            "unit_cost": MONEY,
            "order_cost": MONEY,
            "holding_cost": MONEY,
            "eoq": UNITS,
            "annual_cost": MONEY,
        },
    )

    rfm = customer_table(orders)
    ws = wb.create_sheet("Customers")
    top = title(
        ws,
        "Customers: RFM scores and segments",
        "Recency = days from the last order to the day after the latest order; R, F, M "
        "are quintile scores 1-5; score = (R + F + M) / 3; cancelled and returned "
        "orders excluded.",
    )
    write_table(ws, rfm, top, formats={"monetary": MONEY, "score": "0.00"})

    parts = revenue_decomposition(orders, s)
    ws = wb.create_sheet("Trends")
    top = title(
        ws,
        "Trends: daily revenue, Y = T + S + C + R",
        f"Classical decomposition, season length {s.season_length} days; trend and "
        "cycle split by the Hodrick-Prescott filter.",
    )
    last, _ = write_table(ws, parts, top, formats={c: MONEY for c in parts.columns[1:]})
    chart = LineChart()
    chart.title, chart.height, chart.width = "Daily revenue and trend", 9, 22
    chart.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=top, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    chart.x_axis.number_format = "mmm yy"
    ws.add_chart(chart, "H4")

    profile, members = segment_tables(rfm, s)
    ws = wb.create_sheet("Segments")
    top = title(
        ws,
        f"Segments: k-means on recency, frequency and monetary (k = {s.segments})",
        "Features standardised before clustering; means below are in original units.",
    )
    last, _ = write_table(
        ws,
        profile,
        top,
        formats={"share": "0.0%", "recency_days": DECIMAL, "frequency": DECIMAL, "monetary": MONEY},
        freeze=False,
    )
    chart = BarChart()
    chart.title, chart.height, chart.width = "Customers per segment", 7, 12
    chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    ws.add_chart(chart, "H4")
    write_table(ws, members, last + 3, formats={"monetary": MONEY}, freeze=False)

    ws = wb.create_sheet("About")
    title(ws, "About this report")
    facts = [
        ("source", source or "orders"),
        ("orders read", len(orders)),
        ("orders used (not cancelled or returned)", len(sold(orders))),
        ("first order", orders["order_date"].min()),
        ("last order", orders["order_date"].max()),
        ("xlbizops version", __version__),
    ]
    write_table(ws, pd.DataFrame(facts, columns=["item", "value"]), 3, freeze=False)

    return save_atomically(wb, path)


def save_atomically(wb: Workbook, path: str | os.PathLike) -> Path:
    """Save next to ``path`` under a temporary name, then rename over it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def orders_from_csv(path: str | os.PathLike) -> pd.DataFrame:
    """An order log in xlbizops' own column names (as ``sample-data`` writes it)."""
    frame = pd.read_csv(path)
    for name in ("order_date", "promised_date", "shipped_date", "delivered_date"):
        if name in frame:
            frame[name] = pd.to_datetime(frame[name], errors="coerce")
    return frame


__all__ = ["ReportSettings", "build_report", "orders_from_csv"]
