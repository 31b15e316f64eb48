"""Lay the report out in a workbook: tables, native charts, formats (openpyxl).

Presentation only: every number arrives in :class:`~xlbizops.report.analyses.ReportData`.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xlbizops.report.analyses import HIGHER_IS_BETTER, Missing, ReportData
from xlbizops.report.inputs import Intake
from xlbizops.report.sheet import print_setup, put, section, title, write_table
from xlbizops.report.tables import about_facts

MONEY = "#,##0.00"
WHOLE = "#,##0"
ONE = "#,##0.0"
RATE = "0.0%"
SCORE = "0.00"
PALETTE = ["1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F"]


def _missing(ws, row: int, what: str, gap: Missing) -> int:
    cell = put(ws, row, 1, f"{what}: not in this report. It needs {gap.needs}.")
    cell.font = Font(italic=True, color="9C0006")
    return row + 2


def _anchor(last_col: int, row: int = 4) -> str:
    return f"{get_column_letter(last_col + 2)}{row}"


def _capped(ws, frame: pd.DataFrame, row: int, cap: int, what: str) -> tuple[pd.DataFrame, int]:
    if len(frame) <= cap:
        return frame, row
    put(ws, row, 1, f"Showing the first {cap:,} of {len(frame):,} {what}.").font = Font(italic=True)
    return frame.head(cap), row + 1


def _bar_chart(ws, title_text, header_row, last, value_col, width=16, height=8, horizontal=False):
    """Bars of one column of a table (header at ``header_row``), labelled by column A."""
    chart = BarChart()
    chart.title, chart.height, chart.width = title_text, height, width
    if horizontal:
        chart.type = "bar"
    chart.add_data(
        Reference(ws, min_col=value_col, min_row=header_row, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    chart.legend = None
    chart.y_axis.number_format = "#,##0"  # no needless decimals on the value axis
    if horizontal:  # bars top to bottom in the table's order, not reversed
        chart.x_axis.scaling.orientation = "maxMin"
    return chart


def _line_chart(ws, title_text, top, last, cols, x_col=1, y_title="", height=7.5, width=18):
    chart = LineChart()
    chart.title, chart.height, chart.width = title_text, height, width
    chart.y_axis.title = y_title
    for c in cols:
        chart.add_data(Reference(ws, min_col=c, min_row=top, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=x_col, min_row=top + 1, max_row=last))
    chart.x_axis.number_format = "mmm yy"
    chart.y_axis.number_format = "#,##0"  # no needless decimals on the value axis
    chart.x_axis.tickLblPos = "low"  # labels below the plot, not on a zero line mid-chart
    for series in chart.series:
        series.smooth = False
        series.graphicalProperties.line.width = 15000
    return chart


def summary_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Summary")
    title(
        ws,
        "Operations summary",
        f"As of {data.as_of:%Y-%m-%d}. Last full month against the month before.",
    )
    _kpi_tiles(ws, data.summary, 4)
    top = 9
    put(ws, top - 1, 1, "Headline KPIs").font = Font(bold=True)  # prints with the tiles
    formats = {c: MONEY for c in data.summary.columns[1:3]}
    last, last_col = write_table(
        ws, data.summary, top, formats={**formats, "change": RATE}, freeze=False
    )
    for r in range(top + 1, last + 1):
        kpi = ws.cell(row=r, column=1).value
        for c in (2, 3):
            ws.cell(row=r, column=c).number_format = _kpi_format(kpi)
        if "rate" in kpi:  # a change of rates reads best in percentage points
            ws.cell(row=r, column=4).number_format = '+0.0" pts";-0.0" pts"'
    start = last + 3
    section(ws, start - 1, "Monthly revenue")
    m_last, _ = write_table(
        ws, data.monthly, start, formats={"revenue": MONEY, "month": "mmm yyyy"}, freeze=False
    )
    chart = _bar_chart(ws, "Monthly revenue", start, m_last, 2, width=18)
    chart.x_axis.number_format = "mmm yy"
    ws.add_chart(chart, _anchor(last_col, start - 1))
    ws.column_dimensions["A"].width = 34
    return ws


def _kpi_format(kpi: str) -> str:
    return (
        RATE
        if "rate" in kpi
        else ONE
        if "turnover" in kpi
        else MONEY
        if "revenue" in kpi
        else WHOLE
    )


GOOD, BAD, TILE = "2E7D32", "C62828", "EEF3F8"


def _kpi_tiles(ws, summary: pd.DataFrame, row: int) -> None:
    """One tile per headline KPI: its name, this month's value, and the change against
    the month before, green when the change is good news for that KPI, red when bad."""
    before = summary.columns[2]
    for k, record in enumerate(summary.itertuples(index=False)):
        kpi, value, change = record[0], record[1], record[3]
        col = 2 * k + 2  # column A holds the KPI table's names below
        for r in range(row, row + 3):
            for c in (col, col + 1):
                ws.cell(row=r, column=c).fill = PatternFill("solid", fgColor=TILE)
                ws.cell(row=r, column=c).alignment = Alignment(
                    horizontal="center", vertical="center", wrap_text=True
                )
            ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + 1)
        put(ws, row, col, kpi[:1].upper() + kpi[1:]).font = Font(size=9, color="555555")
        shown = put(ws, row + 1, col, value, _kpi_format(kpi))
        shown.font = Font(bold=True, size=16)
        if pd.isna(change) or pd.isna(value):
            put(ws, row + 2, col, f"no change to show vs {before}").font = Font(size=9)
            continue
        rising = change > 0
        good = rising == HIGHER_IS_BETTER.get(kpi, True)
        arrow = "▲" if rising else "▼" if change < 0 else "="
        amount = f"{change:+.1f} pts" if "rate" in kpi else f"{change:+.1%}"
        cell = put(ws, row + 2, col, f"{arrow} {amount} vs {before}")
        cell.font = Font(size=9, bold=True, color=GOOD if good or change == 0 else BAD)
    ws.row_dimensions[row].height = 26  # KPI names wrap onto two lines
    for k in range(2 * len(summary)):
        letter = get_column_letter(k + 2)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 12)


def supply_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Supply chain")
    s = data.settings
    top = title(
        ws,
        "Supply chain: inventory policy per SKU",
        f"EOQ = sqrt(2DS/H), S = {s.order_cost:g} per order, H = {s.holding_rate:.0%} "
        f"of unit cost a year (without an inventory snapshot, unit cost = "
        f"{s.cost_ratio:.0%} of the quantity-weighted price); D = units ordered in the "
        f"last 365 days (cancelled orders excluded); safety stock at "
        f"{s.service_level:.0%} cycle service; "
        "ABC by annual value (80/95 %), XYZ by monthly demand CV (0.5/1.0).",
    )
    if isinstance(data.supply, Missing):
        _missing(ws, top, "The inventory policy table", data.supply)
        return ws
    table, top = _capped(ws, data.supply, top, s.top_rows, "SKUs")
    formats = {
        "annual_demand": WHOLE,
        "daily_mean": "0.00",
        "daily_sd": "0.00",
        "unit_cost": MONEY,
        "lead_time_days": WHOLE,
        "eoq": WHOLE,
        "safety_stock": WHOLE,
        "reorder_point": WHOLE,
        "on_hand": WHOLE,
        "days_of_supply": ONE,
        "annual_value": MONEY,
        "cumulative_share": RATE,
    }
    # Two narrow tables rather than one of every column, so that both read on paper.
    policy = [c for c in POLICY_COLUMNS if c in table]
    detail = ["sku", *[c for c in table.columns if c not in policy]]
    section(ws, top, "Reorder policy per SKU")
    last, _ = write_table(ws, table[policy], top + 1, formats=formats)
    top = last + 3
    section(ws, top, "Demand, cost and ABC value per SKU")
    last, last_col = write_table(ws, table[detail], top + 1, formats=formats, freeze=False)
    top += 1
    # ABC Pareto: annual value bars for the top SKUs, cumulative share line on a 2nd axis.
    shown = min(last, top + 40)
    bars = BarChart()
    bars.title, bars.height, bars.width = "ABC Pareto (top SKUs by annual value)", 9, 18
    value_col = detail.index("annual_value") + 1
    share_col = detail.index("cumulative_share") + 1
    bars.add_data(
        Reference(ws, min_col=value_col, min_row=top, max_row=shown), titles_from_data=True
    )
    bars.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=shown))
    bars.y_axis.title = "annual value"
    bars.y_axis.number_format = "#,##0"
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=share_col, min_row=top, max_row=shown), titles_from_data=True
    )
    line.y_axis.axId = 200
    line.y_axis.title = "cumulative share"
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    line.y_axis.scaling.max = 1
    bars += line
    ws.add_chart(bars, _anchor(last_col, top - 1))
    return ws


# The columns a buyer acts on, printed first; the rest follow in a second table.
POLICY_COLUMNS = (
    "sku", "abc", "xyz", "annual_demand", "eoq", "safety_stock", "reorder_point", "on_hand",
    "days_of_supply", "stockout_probability",
)  # fmt: skip


def customers_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Customers")
    s = data.settings
    top = title(
        ws,
        "Customers: RFM segments, lifetime value and retention",
        "R, F, M quintile scores (5 = best); score = (R+F+M)/3; cancelled and returned "
        f"orders excluded. CLV: BG/NBD + Gamma-Gamma, next {s.clv_months} months, "
        f"discounted at {s.discount_rate:.0%} a year.",
    )
    section(ws, top, "Customers per segment")
    counts_last, _ = write_table(ws, data.segment_counts, top + 1, freeze=False)
    chart = _bar_chart(
        ws, "Customers per segment", top + 1, counts_last, 2, width=14, horizontal=True
    )
    ws.add_chart(chart, f"D{top}")
    row = max(counts_last + 3, top + 18)
    section(ws, row, "Top customers by lifetime value")
    if isinstance(data.clv, Missing):
        row = _missing(ws, row + 1, "Customer lifetime value", data.clv)
    else:
        clv_last, _ = write_table(
            ws,
            data.clv.head(50),
            row + 1,
            freeze=False,
            formats={
                "p_alive": RATE,
                "expected_purchases": "0.00",
                "expected_order_value": MONEY,
                "clv": MONEY,
            },
        )
        row = clv_last + 3
    section(ws, row, "Cohort retention (share of each first-order month buying again)")
    cohorts = data.cohorts.copy()
    cohorts.columns = ["cohort", "customers"] + [f"month {c}" for c in cohorts.columns[2:]]
    c_last, c_col = write_table(
        ws,
        cohorts,
        row + 1,
        freeze=False,
        formats={c: RATE for c in cohorts.columns[2:]} | {"cohort": "mmm yyyy"},
    )
    ws.conditional_formatting.add(
        f"C{row + 2}:{get_column_letter(c_col)}{c_last}",
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color="F8F9FB",
            end_type="max",
            end_color="1F4E78",
        ),
    )
    row = c_last + 3
    section(ws, row, "RFM per customer")
    rfm, row = _capped(
        ws,
        data.rfm.sort_values("monetary", ascending=False),
        row + 1,
        s.top_rows,
        "customers (largest monetary first)",
    )
    write_table(ws, rfm, row, freeze=False, formats={"monetary": MONEY, "score": SCORE})
    return ws


def trends_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Trends")
    s = data.settings
    top = title(
        ws,
        "Trends: revenue decomposition and forecast",
        f"Daily revenue, Y = T + S + C + R (classical, {s.season_length}-day season, "
        "HP trend/cycle split). Forecast of monthly revenue: "
        + (data.forecast_model or "n/a")
        + ".",
    )
    if isinstance(data.forecast, Missing):
        row = _missing(ws, top, "The forecast", data.forecast)
        f_col = 1
    else:
        section(ws, top, "Monthly revenue and forecast")
        table = data.forecast.copy()
        history = table["revenue"].notna()
        if history.any() and (~history).any():  # the forecast line starts at the last month
            last = history[history].index[-1]
            table.loc[last, "forecast"] = table.loc[last, "revenue"]
        f_last, f_col = write_table(
            ws,
            table,
            top + 1,
            freeze=False,
            formats={c: MONEY for c in table.columns[1:]},
        )
        cols = [
            list(table.columns).index(c) + 1
            for c in ("revenue", "forecast", "lower_95", "upper_95")
        ]
        chart = _line_chart(ws, "Revenue forecast, 95 % interval", top + 1, f_last, cols)
        for series in chart.series[2:]:
            series.graphicalProperties.line.dashStyle = "dash"
        ws.add_chart(chart, _anchor(f_col, top))
        row = f_last + 3
    if isinstance(data.decomposition, Missing):
        _missing(ws, row, "The decomposition", data.decomposition)
        return ws
    parts = data.decomposition
    money = {c: MONEY for c in parts.columns[1:]}
    # Charts read weekly means: 730 daily points print as a solid band.
    weekly = parts.set_index("date").resample("W-MON", label="left", closed="left").mean()
    weekly = weekly.reset_index().rename(columns={"date": "week"})
    section(ws, row, "Revenue decomposition by week (mean of the days)")
    w_last, w_col = write_table(ws, weekly, row + 1, freeze=False, formats=money)
    charts = [("Observed and trend", [2, 3]), ("Cycle", [5]), ("Residual", [6])]
    for i, (name, cols) in enumerate(charts):
        chart = _line_chart(ws, name, row + 1, w_last, cols, height=6.5)
        ws.add_chart(chart, _anchor(w_col, row + 1 + i * 14))
    row = max(w_last, row + 1 + len(charts) * 14) + 3
    cycle = parts.head(data.settings.season_length)[["date", "seasonal"]]
    if data.settings.season_length == 7:  # a week: Monday first
        cycle = cycle.sort_values("date", key=lambda d: d.dt.day_of_week)
    cycle = pd.DataFrame({"day": cycle["date"].dt.day_name(), "seasonal": cycle["seasonal"]})
    section(ws, row, "Weekly pattern: the seasonal component, one cycle")
    s_last, s_col = write_table(ws, cycle, row + 1, freeze=False, formats={"seasonal": MONEY})
    chart = _bar_chart(ws, "Seasonal", row + 1, s_last, 2, width=14, height=6.5)
    ws.add_chart(chart, _anchor(s_col, row + 1))
    row = max(s_last, row + 15) + 3
    section(ws, row, "Daily revenue decomposition")
    write_table(ws, parts, row + 1, freeze=False, formats=money)
    return ws


def segments_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Segments")
    top = title(
        ws,
        f"Segments: k-means on recency, frequency and monetary (k = {len(data.profile)})",
        "Features standardised before clustering; means in original units.",
    )
    p_last, p_col = write_table(
        ws,
        data.profile,
        top,
        freeze=False,
        formats={"share": RATE, "recency_days": ONE, "frequency": ONE, "monetary": MONEY},
    )
    row = p_last + 3
    members = data.members
    sample = members.groupby("segment").head(300).sort_values("segment", kind="stable")
    put(ws, row, 1, "Customers by segment (up to 300 per segment shown in the chart)").font = Font(
        bold=True
    )
    chart_rows = sample[["segment", "recency_days", "monetary"]].reset_index(drop=True)
    s_last, _ = write_table(ws, chart_rows, row + 1, freeze=False, formats={"monetary": MONEY})
    chart = ScatterChart()
    chart.title, chart.height, chart.width = "Recency vs monetary by segment", 10, 18
    chart.style = 13
    chart.x_axis.title, chart.y_axis.title = "days since last order", "monetary"
    first = row + 2
    for seg, group in chart_rows.groupby("segment", sort=True):
        lo = first + int(group.index.min())
        hi = first + int(group.index.max())
        xs = Reference(ws, min_col=2, min_row=lo, max_row=hi)
        ys = Reference(ws, min_col=3, min_row=lo, max_row=hi)
        series = Series(ys, xs, title=f"segment {seg}")
        series.marker.symbol = "circle"
        series.marker.size = 5
        colour = PALETTE[(int(seg) - 1) % len(PALETTE)]
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.noFill = True
        chart.series.append(series)
    ws.add_chart(chart, _anchor(p_col + 2, top))
    start = s_last + 3
    section(ws, start, "Every customer's segment")
    members, start = _capped(ws, members, start + 1, data.settings.top_rows, "customers")
    write_table(ws, members, start, freeze=False, formats={"monetary": MONEY})
    return ws


def orders_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Orders")
    top = title(
        ws,
        "Order processing: speed and accuracy",
        "On time = delivered on or before the promised day; perfect order = on time, "
        "no error flag, not returned.",
    )
    if isinstance(data.kpis, Missing):
        _missing(ws, top, "Order-processing KPIs", data.kpis)
        return ws
    k_last, _ = write_table(ws, data.kpis, top, freeze=False)
    for r in range(top + 1, k_last + 1):
        name = ws.cell(row=r, column=1).value
        ws.cell(row=r, column=2).number_format = (
            RATE if "rate" in name else (ONE if "days" in name else WHOLE)
        )
    ws.column_dimensions["A"].width = 42
    row = k_last + 3
    section(ws, row, "Order-to-delivery time")
    c_last, _ = write_table(ws, data.cycle_days, row + 1, freeze=False)
    chart = _bar_chart(ws, "Days from order to delivery", row + 1, c_last, 2, height=7.5)
    ws.add_chart(chart, f"E{top}")
    row = c_last + 3
    section(ws, row, "On-time delivery by month")
    m_last, _ = write_table(
        ws,
        data.on_time_monthly,
        row + 1,
        freeze=False,
        formats={"on-time rate": RATE, "month": "mmm yyyy"},
    )
    chart = _line_chart(ws, "On-time delivery rate by month", row + 1, m_last, [2])
    chart.y_axis.number_format = "0%"
    chart.legend = None
    ws.add_chart(chart, f"E{top + 17}")
    return ws


def risk_sheet(wb, data: ReportData):
    ws = wb.create_sheet("Risk")
    top = title(
        ws,
        "Risk: anomalies, stock-out risk and supplier ranking",
        "Anomalous weeks: revenue per week whose robust z-score 0.6745(x - median)/MAD "
        "is above the anomaly threshold (3.5 by default; the template's rule too). "
        "Stock-out: P(lead-time demand > on hand). Suppliers: equal-weight normalised "
        "score, 100 = worst.",
    )
    section(ws, top, "Anomalous weeks of revenue")
    if isinstance(data.anomalous_weeks, Missing):
        row = _missing(ws, top + 1, "Anomalous weeks", data.anomalous_weeks) + 1
    elif data.anomalous_weeks.empty:
        put(ws, top + 1, 1, "No week stands out.")
        row = top + 3
    else:
        weeks = data.anomalous_weeks
        high = int((weeks["score"] > 0).sum())
        put(ws, top + 1, 1, f"{len(weeks)} week(s) stand out: {high} high, "
            f"{len(weeks) - high} low; the farthest first.")  # fmt: skip
        a_last, _ = write_table(
            ws,
            weeks,
            top + 2,
            freeze=False,
            formats={"week": "yyyy-mm-dd", "revenue": MONEY, "score": SCORE},
        )
        row = a_last + 3
    section(ws, row, "Suppliers ranked by risk")
    if isinstance(data.suppliers, Missing):
        row = _missing(ws, row + 1, "Supplier risk", data.suppliers)
    else:
        fmt = {c: RATE for c in data.suppliers.columns if c.endswith("rate")}
        s_last, s_col = write_table(
            ws,
            data.suppliers,
            row + 1,
            freeze=False,
            formats={**fmt, "mean_days_to_ship": ONE, "risk_score": ONE, "orders": WHOLE},
        )
        score_col = list(data.suppliers.columns).index("risk_score") + 1
        chart = _bar_chart(
            ws, "Supplier risk score", row + 1, s_last, score_col, width=14, horizontal=True
        )
        ws.add_chart(chart, _anchor(s_col + 1, row))
        directions = data.suppliers.attrs.get("directions", {})
        put(
            ws,
            s_last + 2,
            1,
            "Metric directions: " + "; ".join(f"{m} {d}" for m, d in directions.items()),
        )
        row = s_last + 4
    section(ws, row, "Stock-out risk per SKU (highest first)")
    if isinstance(data.stockout, Missing):
        _missing(ws, row + 1, "Stock-out risk", data.stockout)
    else:
        stock, start = _capped(ws, data.stockout, row + 1, data.settings.top_rows, "SKUs")
        write_table(
            ws,
            stock,
            start,
            freeze=False,
            formats={
                "on_hand": WHOLE,
                "daily_mean": "0.00",
                "daily_sd": "0.00",
                "lead_time_days": WHOLE,
                "stockout_probability": RATE,
            },
        )
    return ws


def about_sheet(wb, data: ReportData, intake: Intake, timings: dict[str, float]):
    ws = wb.create_sheet("About")
    row = title(ws, "About this report")
    facts = about_facts(data, intake, timings)
    groups = {  # on paper each group is a section of its own
        "Source and rows": [f for f in facts if not f[0].startswith(("column for", "setting"))],
        "Columns read": [f for f in facts if f[0].startswith("column for")],
        "Settings": [f for f in facts if f[0].startswith("setting")],
    }
    for heading, rows in groups.items():
        if rows:
            section(ws, row, heading)
            last, _ = write_table(
                ws, pd.DataFrame(rows, columns=["item", "value"]), row + 1, freeze=False
            )
            row = last + 3
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70
    notes = [
        "Methods: EOQ (Harris 1913); safety stock z*sqrt(L*sd^2 + d^2*sdL^2); RFM quintiles; "
        "BG/NBD and Gamma-Gamma (Fader, Hardie & Lee 2005); classical decomposition with HP "
        "trend/cycle split; ETS forecast by AICc; k-means (standardised); robust z-score "
        "anomalies (Iglewicz & Hoaglin 1993).",
        "Every number is computed by the same functions as the xlbizops Excel formulas.",
    ]
    row = ws.max_row + 2
    for text in notes:
        put(ws, row, 1, text)
        row += 1
    return ws


def build_workbook(data: ReportData, intake: Intake, timings: dict[str, float]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for make in (
        summary_sheet,
        supply_sheet,
        customers_sheet,
        trends_sheet,
        segments_sheet,
        orders_sheet,
        risk_sheet,
    ):
        make(wb, data)
    about_sheet(wb, data, intake, timings)
    for ws in wb.worksheets:
        print_setup(ws)
    return wb
