"""Lay the report out in a workbook: tables, native charts, formats (XlsxWriter).

Presentation only: every number arrives in :class:`~xlbizops.report.analyses.ReportData`.
Rows and columns are counted from 1 (:mod:`xlbizops.report.sheet`).
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from xlbizops.core.clv import HOLDOUT_GROUPS
from xlbizops.report.analyses import HIGHER_IS_BETTER, Missing, ReportData
from xlbizops.report.contents import about_facts
from xlbizops.report.inputs import Intake
from xlbizops.report.sheet import ReportBook, ReportSheet
from xlbizops.workbook.writing import xlsx_scratch

MONEY = "#,##0.00"
WHOLE = "#,##0"
ONE = "#,##0.0"
RATE = "0.0%"
SCORE = "0.00"
PALETTE = ["1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F"]
NO_DECIMALS = {"num_format": "#,##0"}  # no needless decimals on a value axis


def _missing(ws: ReportSheet, row: int, what: str, gap: Missing) -> int:
    ws.paragraph(row, f"{what}: not in this report. It needs {gap.needs}.", italic=True,
                 font_color="#9C0006")  # fmt: skip
    return row + 2


HISTORY_MONTHS_SHOWN = 18  # beside the forecast: a season and a half, and it all prints
COHORT_MONTHS_PRINTED = 13  # a year on from the first order, readable on one page


def _capped(ws: ReportSheet, frame: pd.DataFrame, row: int, cap: int, what: str):
    if len(frame) <= cap:
        return frame, row
    ws.paragraph(row, f"Showing the first {cap:,} of {len(frame):,} {what}.", italic=True)
    return frame.head(cap), row + 1


def _series(ws: ReportSheet, header_row: int, last: int, col: int, x_col: int = 1, **more):
    """A chart series: column ``col`` under its header (the series' name), against
    column ``x_col``."""
    return {
        "name": [ws.name, header_row - 1, col - 1],
        "categories": ws.ref(header_row + 1, x_col, last),
        "values": ws.ref(header_row + 1, col, last),
        **more,
    }


def _bar_chart(
    ws: ReportSheet, title_text, header_row, last, value_col, horizontal=False, x_format=None
):
    """Bars of one column of a table (header at ``header_row``), labelled by column A
    (in ``x_format`` when given); category labels below the plot, not among bars
    that reach below zero."""
    chart = ws.book.chart("bar" if horizontal else "column")
    chart.set_title({"name": title_text})
    chart.add_series(_series(ws, header_row, last, value_col))
    chart.set_legend({"none": True})
    if horizontal:  # the value axis runs across; bars top to bottom in the table's order
        chart.set_x_axis(NO_DECIMALS)
        chart.set_y_axis({"reverse": True})
    else:
        chart.set_y_axis(NO_DECIMALS)
        chart.set_x_axis(
            {"label_position": "low", **({"num_format": x_format} if x_format else {})}
        )
    return chart


def _line_chart(ws: ReportSheet, title_text, top, last, cols, y_title="", dashed=()):
    chart = ws.book.chart("line")
    chart.set_title({"name": title_text})
    for c in cols:
        line = {"width": 1.25, **({"dash_type": "dash"} if c in dashed else {})}
        chart.add_series(_series(ws, top, last, c, line=line))
    # labels below the plot, not on a zero line mid-chart
    chart.set_x_axis({"num_format": "mmm yy", "label_position": "low"})
    chart.set_y_axis({**NO_DECIMALS, **({"name": y_title} if y_title else {})})
    chart.set_legend({"position": "right"})
    return chart


def summary_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Summary")
    ws.title(
        "Operations summary",
        f"As of {data.as_of:%Y-%m-%d}. {data.comparison}",
    )
    ws.one_page = True  # the manager's page: tiles, tables and chart on one sheet of paper
    if data.narrative:  # wrapped across the tiles' width: it prints whole
        ws.paragraph(3, data.narrative, last_col=2 * len(data.summary) + 1)
    _kpi_tiles(ws, data.summary, 4, data.tile_notes)
    top = 9
    ws.put(top - 1, 1, "Headline KPIs", bold=True)  # prints with the tiles
    this, before = data.summary.columns[1:3]
    row_formats = [
        {this: _kpi_format(kpi), before: _kpi_format(kpi)}
        # a change of rates reads best in percentage points
        | ({"change": '+0.0" pts";-0.0" pts"'} if "rate" in kpi else {})
        for kpi in data.summary.iloc[:, 0]
    ]
    last, last_col = ws.table(data.summary, top, formats={"change": RATE}, row_formats=row_formats)
    if len(data.to_date):  # month and year to date against the same days before
        ws.section(last + 2, "Revenue against the same days before")
        last, _ = ws.table(
            data.to_date, last + 3,
            formats={"revenue": MONEY, "revenue_then": MONEY, "change": RATE},
        )  # fmt: skip
    start = last + 3
    ws.section(start - 1, "Monthly revenue")
    m_last, _ = ws.table(data.monthly, start, formats={"revenue": MONEY, "month": "mmm yyyy"})
    chart = _bar_chart(ws, "Monthly revenue", start, m_last, 2, x_format="mmm yy")
    ws.add_chart(chart, start - 1, last_col + 2, width=18, height=8)
    ws.set_width(1, max(34, 2 + max(len(k) for k in data.summary.iloc[:, 0])))  # names whole
    return ws


ACTIONS_SHOWN = 50  # rows per list on the Actions sheet
# Where each Actions list is shown whole, and the formats of its columns.
ACTION_HOMES = {"Reorder now": "Supply chain",
                "Customers to win back": "Customer list (filter Segment)",
                "Check these weeks": "Risk"}  # fmt: skip
ACTION_WHY = {
    "Reorder now": "Stock at or below the reorder point: order up to it plus the EOQ.",
    "Customers to win back": "Can't Lose and At Risk customers, the highest CLV first; "
    "the ten whose P(alive) fell most in 30 days are marked.",
    "Check these weeks": "Complete weeks whose revenue stands out, the farthest first.",
}
ACTION_FORMATS = {
    "on_hand": WHOLE, "reorder_point": ONE, "order_quantity": WHOLE, "days_of_supply": ONE,
    "order_by": "yyyy-mm-dd", "clv": MONEY, "last_order": "yyyy-mm-dd", "frequency": WHOLE,
    "p_alive": RATE,
    "monetary": MONEY, "week": "yyyy-mm-dd", "revenue": MONEY, "score": "0.0",
}  # fmt: skip


def actions_sheet(book: ReportBook, data: ReportData):
    """What to do now: SKUs to reorder, customers to win back, weeks to look into
    (``analyses.action_lists``); each list's first 50 rows, and where the rest is."""
    ws = book.sheet("Actions")
    row = ws.title("Actions: what to do now", f"As of {data.as_of:%Y-%m-%d}.")
    for name, table in data.actions.items():
        if isinstance(table, Missing):
            row = _missing(ws, row, name, table) + 1
            continue
        ws.section(row, f"{name} ({len(table):,})")
        ws.paragraph(row + 1, ACTION_WHY[name], italic=True)
        row += 2
        if table.attrs.get("note"):  # e.g. the CLV model could not estimate dropout
            ws.paragraph(row, f"Note: {table.attrs['note']}.", italic=True)
            row += 1
        shown = min(len(table), ACTIONS_SHOWN)
        on_paper = min(shown, ws.printed_rows(row + 1))
        if on_paper < len(table):  # said where it prints, above the table
            here = (
                f"Here the first {shown} of {len(table):,}"
                if shown < len(table)
                else (f"All {shown} here")
            )
            paper = f", on paper the first {on_paper}" if on_paper < shown else ""
            ws.paragraph(row, f"{here}{paper}; the full list is on sheet {ACTION_HOMES[name]}.",
                   italic=True)  # fmt: skip
            row += 1
            table = table.head(ACTIONS_SHOWN)
        if table.empty:
            ws.put(row, 1, "Nothing to do here.", italic=True)
            row += 3
            continue
        formats = {c: f for c, f in ACTION_FORMATS.items() if c in table.columns}
        last, _ = ws.table(table, row, formats=formats)
        row = last + 3
    ws.set_width(1, 16)
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


def _kpi_tiles(ws: ReportSheet, summary: pd.DataFrame, row: int, why: dict) -> None:
    """One tile per headline KPI: its name, this month's value, and the change against
    the month before, green when the change is good news for that KPI, red when bad.
    Written a row at a time across the tiles (the sheet streams row by row)."""
    before = summary.columns[2]
    tile = {"bg_color": "#" + TILE, "pattern": 1, "align": "center", "valign": "vcenter",
            "text_wrap": True}  # fmt: skip
    records = list(summary.itertuples(index=False))
    ws.row_height(row, 26)  # KPI names wrap onto two lines
    for k, (kpi, *_) in enumerate(records):
        col = 2 * k + 2  # column A holds the KPI table's names below
        ws.merge(row, col, col + 1, kpi[:1].upper() + kpi[1:], font_size=9,
                 font_color="#555555", **tile)  # fmt: skip
    for k, (kpi, value, *_) in enumerate(records):
        ws.merge(row + 1, 2 * k + 2, 2 * k + 3, value, _kpi_format(kpi), bold=True, font_size=16,
                 **tile)  # fmt: skip
    for k, (kpi, value, _, change) in enumerate(records):
        col = 2 * k + 2
        if pd.isna(change) or pd.isna(value):
            reason = why.get(kpi, f"no {before} figure to compare with")
            ws.merge(row + 2, col, col + 1, reason, font_size=9, **tile)
            continue
        rising = change > 0
        good = rising == HIGHER_IS_BETTER.get(kpi, True)
        arrow = "▲" if rising else "▼" if change < 0 else "="
        amount = f"{change:+.1f} pts" if "rate" in kpi else f"{change:+.1%}"
        colour = "#" + (GOOD if good or change == 0 else BAD)
        ws.merge(row + 2, col, col + 1, f"{arrow} {amount} vs {before}", font_size=9,
                 bold=True, font_color=colour, **tile)  # fmt: skip
    for k in range(2 * len(summary)):
        ws.width(k + 2, 12)


def supply_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Supply chain")
    s = data.settings
    top = ws.title(
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
    ws.section(top, "Reorder policy per SKU")
    last, _ = ws.table(table[policy], top + 1, formats=formats, main=True)
    top = last + 3
    ws.section(top, "Demand, cost and ABC value per SKU")
    last, last_col = ws.table(table[detail], top + 1, formats=formats)
    top += 1
    # ABC Pareto: annual value bars for the top SKUs, cumulative share line on a 2nd axis.
    shown = min(last, top + 40)
    bars = book.chart("column")
    bars.set_title({"name": "ABC Pareto (top SKUs by annual value)"})
    bars.add_series(_series(ws, top, shown, detail.index("annual_value") + 1))
    bars.set_y_axis({"name": "annual value", **NO_DECIMALS})
    line = book.chart("line")
    line.add_series(_series(ws, top, shown, detail.index("cumulative_share") + 1, y2_axis=True))
    line.set_y2_axis({"name": "cumulative share", "num_format": "0%", "max": 1})
    bars.combine(line)
    bars.set_legend({"position": "right"})
    ws.add_chart(bars, top - 1, last_col + 2, width=18, height=9)
    top = last + 3
    ws.section(top, "Top sellers and decliners: the last 90 days against the 90 before")
    if isinstance(data.movers, Missing):
        _missing(ws, top + 1, "Top sellers and decliners", data.movers)
    else:
        movers_formats = {"revenue_recent": MONEY, "revenue_earlier": MONEY, "change": RATE,
                          "units_recent": WHOLE, "units_earlier": WHOLE}  # fmt: skip
        ws.table(data.movers, top + 1, formats=movers_formats)
    return ws


# The columns a buyer acts on, printed first; the rest follow in a second table.
POLICY_COLUMNS = (
    "sku", "abc", "xyz", "annual_demand", "eoq", "safety_stock", "reorder_point", "on_hand",
    "days_of_supply", "stockout_probability",
)  # fmt: skip


def replenishment_sheet(book: ReportBook, data: ReportData):
    """The stock policy per SKU from its weekly demand (``core.replenishment``), and
    how it would have done over the last 26 weeks, by demand class."""
    ws = book.sheet("Replenishment")
    s = data.settings
    top = ws.title(
        "Replenishment: order-up-to levels from each SKU's own weekly demand",
        f"The last 104 complete weeks per SKU, classed smooth / erratic / intermittent / "
        f"lumpy (ADI 1.32, CV² 0.49); forecast by the method that did best on the SKU's "
        f"own history (Croston, SBA, TSB, ADIDA, IMAPA; SES when smooth); order-up-to "
        f"level S for a {s.service_level:.0%} fill rate (the service-level setting) "
        "from the SKU's simulated demand over lead time + one week, reviewed weekly.",
    )
    ws.section(top, "Fill rate by demand class: the last 26 weeks replayed")
    if isinstance(data.fill_by_class, Missing):
        row = _missing(ws, top + 1, "The backtest", data.fill_by_class)
    else:
        formats = {"skus": WHOLE, "demand": WHOLE, "served": WHOLE,
                   "achieved_fill_rate": RATE, "target": RATE}  # fmt: skip
        last, _ = ws.table(data.fill_by_class, top + 1, formats=formats)
        row = last + 2
    ws.section(row, "Reorder policy per SKU")
    if isinstance(data.replenishment, Missing):
        _missing(ws, row + 1, "The reorder policy", data.replenishment)
        return ws
    policy, start = _capped(ws, data.replenishment, row + 1, s.top_rows, "SKUs")
    formats = {c: "0.00" for c in ("forecast_per_period", "lead_time_demand_mean",
                                   "lead_time_demand_sd", "lead_time_weeks")}  # fmt: skip
    formats |= {c: WHOLE for c in ("reorder_point", "order_up_to", "safety_stock", "on_hand",
                                   "order_now")}  # fmt: skip
    formats |= {"order_quantity": ONE, "expected_fill_rate": RATE, "expected_cycle_service": RATE}
    ws.table(policy, start, formats=formats, main=True)
    return ws


def customers_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Customers")
    s = data.settings
    top = ws.title(
        "Customers: RFM segments, lifetime value and retention",
        f"{data.rfm.attrs.get('recency', 'R, F, M quintile scores')}; score = (R+F+M)/3; "
        "cancelled and returned "
        f"orders excluded. CLV: BG/NBD, modified BG/NBD or Pareto/NBD (the best holdout "
        "fit) + Gamma-Gamma, "
        f"next {s.clv_months} months, "
        f"discounted at {s.discount_rate:.0%} a year.",
    )
    ws.section(top, "Customers per segment")
    counts_last, _ = ws.table(data.segment_counts, top + 1)
    chart = _bar_chart(ws, "Customers per segment", top + 1, counts_last, 2, horizontal=True)
    ws.add_chart(chart, top, 4, width=14, height=8)
    row = max(counts_last + 3, top + 18)
    ws.section(row, "Top customers by lifetime value")
    if isinstance(data.clv, Missing):
        row = _missing(ws, row + 1, "Customer lifetime value", data.clv)
    else:
        model = data.clv["model"].iloc[0] if len(data.clv) else ""
        ws.paragraph(
            row + 1,
            f"Purchases: {model}; spend: Gamma-Gamma. The 80 % intervals say how sure the "
            "models are of each expected value (their parameters' uncertainty); a customer's "
            "own purchases vary more: the holdout check below shows by how much. Churn risk "
            "High below P(alive) 30 %, Medium below 70 %.",
            italic=True,
        )
        row += 1
        shown = data.clv.drop(columns=["model", "p_alive_fall_30d"], errors="ignore")
        clv_last, _ = ws.table(
            shown.head(50),
            row + 1,
            formats={
                "p_alive": RATE,
                "expected_purchases": "0.00",
                "expected_purchases_low_80": "0.00",
                "expected_purchases_high_80": "0.00",
                "expected_order_value": MONEY,
                "clv": MONEY,
                "clv_low_80": MONEY,
                "clv_high_80": MONEY,
                "expected_next_order": "yyyy-mm-dd",
            },
        )
        row = clv_last + 3
    row = _clv_check(ws, row, data.clv_check)
    cohorts = data.cohorts.copy()
    cohorts.columns = ["cohort", "customers"] + [f"month {c}" for c in cohorts.columns[2:]]
    heading = "Cohort retention (share of each first-order month buying again)"
    months = len(cohorts.columns) - 2
    if months > COHORT_MONTHS_PRINTED:  # a 48-column matrix would print at 2 pt
        heading += (f" (on paper months 0-{COHORT_MONTHS_PRINTED - 1} of 0-{months - 1}; "
                    "all of them on this sheet)")  # fmt: skip
        ws.print_columns(row, 2 + COHORT_MONTHS_PRINTED)
    ws.section(row, heading)
    c_last, c_col = ws.table(
        cohorts,
        row + 1,
        formats={c: RATE for c in cohorts.columns[2:]} | {"cohort": "mmm yyyy"},
    )
    ws.ws.conditional_format(
        f"C{row + 2}:{xl_col_to_name(c_col - 1)}{c_last}",
        {"type": "2_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8F9FB",
         "max_type": "max", "max_color": "#1F4E78"},
    )  # fmt: skip
    return ws


def _clv_check(ws: ReportSheet, row: int, check) -> int:
    """The calibration/holdout table under the CLV table, with its chart of actual
    and predicted mean purchases by calibration purchases; the next free row."""
    heading = "Holdout check: purchases predicted vs actual"
    if isinstance(check, Missing):
        return _missing(ws, row, heading, check) + 1
    model = check["model"].iloc[0]
    ws.section(row, heading)
    ws.paragraph(
        row + 1,
        f"{model}, fitted on the orders up to {check.attrs['calibration_end']:%Y-%m-%d}, "
        "against each customer's purchase days after it, by how often they had bought "
        "before; the totals' 80 % intervals hold the parameters' and the purchases' chance.",
        italic=True,
    )
    table = check.drop(columns="model")
    last, col = ws.table(
        table,
        row + 2,
        formats={c: "0.00" for c in ("actual_mean", "predicted_mean")}
        | {
            c: WHOLE
            for c in ("actual_total", "predicted_total", "predicted_low_80", "predicted_high_80")
        },  # fmt: skip
    )
    groups_last = row + 2 + HOLDOUT_GROUPS  # the rows 0..7+, not the totals
    chart = ws.book.chart("column")
    chart.set_title({"name": "Mean holdout purchases by earlier purchases"})
    for c in (3, 4):
        chart.add_series(_series(ws, row + 2, groups_last, c))
    chart.set_x_axis({"name": "repeat purchases before the split", "label_position": "low"})
    chart.set_y_axis({"num_format": "0.0"})
    chart.set_legend({"position": "bottom"})
    ws.add_chart(chart, row + 1, col + 2, width=14, height=7.5)
    return max(last, row + 17) + 3


def trends_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Trends")
    s = data.settings
    top = ws.title(
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
        table = data.forecast.copy()
        history = table["revenue"].notna()
        shown = history[history].index[-HISTORY_MONTHS_SHOWN:]  # the forecast prints too
        heading = "Monthly revenue and forecast"
        if history.sum() > len(shown):
            heading += (f" (the last {len(shown)} of {int(history.sum())} months; every month "
                        "on the Summary sheet)")  # fmt: skip
            table = table[table.index >= shown[0]].reset_index(drop=True)
            history = table["revenue"].notna()
        ws.section(top, heading)
        if history.any() and (~history).any():  # the forecast line starts at the last month
            last = history[history].index[-1]
            table.loc[last, "forecast"] = table.loc[last, "revenue"]
        f_last, f_col = ws.table(table, top + 1, formats={c: MONEY for c in table.columns[1:]})
        cols = [
            list(table.columns).index(c) + 1
            for c in ("revenue", "forecast", "lower_95", "upper_95")
        ]
        chart = _line_chart(ws, "Revenue forecast, 95 % interval", top + 1, f_last, cols,
                            dashed=cols[2:])  # fmt: skip
        ws.add_chart(chart, top, f_col + 2, width=18, height=7.5)
        row = f_last + 3
    if isinstance(data.decomposition, Missing):
        _missing(ws, row, "The decomposition", data.decomposition)
        return ws
    parts = data.decomposition
    money = {c: MONEY for c in parts.columns[1:]}
    # Charts read weekly means: 730 daily points print as a solid band.
    weekly = parts.set_index("date").resample("W-MON", label="left", closed="left").mean()
    weekly = weekly.reset_index().rename(columns={"date": "week"})
    if s.season_length == 7:  # a week's mean of a weekly season is 0 by construction
        weekly = weekly.drop(columns="seasonal")
    ws.section(row, "Revenue decomposition by week (mean of the days)")
    w_last, w_col = ws.table(weekly, row + 1, formats=money)
    column = {name: k + 1 for k, name in enumerate(weekly.columns)}
    charts = [
        ("Observed and trend", [column["observed"], column["trend"]]),
        ("Cycle", [column["cycle"]]),
        ("Residual", [column["residual"]]),
    ]
    for i, (name, cols) in enumerate(charts):
        chart = _line_chart(ws, name, row + 1, w_last, cols)
        ws.add_chart(chart, row + 1 + i * 14, w_col + 2, width=18, height=6.5)
    row = max(w_last, row + 1 + len(charts) * 14) + 3
    cycle = parts.head(data.settings.season_length)[["date", "seasonal"]]
    if data.settings.season_length == 7:  # a week: Monday first
        cycle = cycle.sort_values("date", key=lambda d: d.dt.day_of_week)
    cycle = pd.DataFrame({"day": cycle["date"].dt.day_name(), "seasonal": cycle["seasonal"]})
    ws.section(row, "Weekly pattern: the seasonal component, one cycle")
    s_last, s_col = ws.table(cycle, row + 1, formats={"seasonal": MONEY})
    chart = _bar_chart(ws, "Seasonal", row + 1, s_last, 2)
    ws.add_chart(chart, row + 1, s_col + 2, width=14, height=6.5)
    return ws


def segments_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Segments")
    top = ws.title(
        f"Segments: k-means on recency, frequency and monetary (k = {len(data.profile)})",
        "Features standardised before clustering; means in original units.",
    )
    p_last, p_col = ws.table(
        data.profile,
        top,
        formats={"share": RATE, "recency_days": ONE, "frequency": ONE, "monetary": MONEY},
    )
    row = p_last + 3
    members = data.members
    sample = members.groupby("segment").head(300).sort_values("segment", kind="stable")
    ws.put(row, 1, "Customers by segment (up to 300 per segment shown in the chart)", bold=True)
    chart_rows = sample[["segment", "recency_days", "monetary"]].reset_index(drop=True)
    s_last, _ = ws.table(chart_rows, row + 1, formats={"monetary": MONEY})
    chart = book.chart("scatter")
    chart.set_title({"name": "Recency vs monetary by segment"})
    chart.set_style(13)
    chart.set_x_axis({"name": "days since last order"})
    chart.set_y_axis({"name": "monetary", **NO_DECIMALS})
    first = row + 2
    for seg, group in chart_rows.groupby("segment", sort=True):
        lo = first + int(group.index.min())
        hi = first + int(group.index.max())
        colour = "#" + PALETTE[(int(seg) - 1) % len(PALETTE)]
        chart.add_series(
            {
                "name": f"segment {seg}",
                "categories": ws.ref(lo, 2, hi),
                "values": ws.ref(lo, 3, hi),
                "marker": {"type": "circle", "size": 5, "fill": {"color": colour},
                           "border": {"color": colour}},
            }
        )  # fmt: skip
    ws.add_chart(chart, top, p_col + 4, width=18, height=10)
    return ws


def orders_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Orders")
    top = ws.title(
        "Order processing: speed and accuracy",
        "On time = delivered on or before the promised day; perfect order = on time, "
        "no error flag, not returned.",
    )
    if isinstance(data.kpis, Missing):
        _missing(ws, top, "Order-processing KPIs", data.kpis)
        return ws
    value = data.kpis.columns[1]
    row_formats = [
        {value: RATE if "rate" in name else (ONE if "days" in name else WHOLE)}
        for name in data.kpis.iloc[:, 0]
    ]
    k_last, _ = ws.table(data.kpis, top, row_formats=row_formats)
    ws.set_width(1, 42)
    row = k_last + 3
    if isinstance(data.cycle_days, Missing):
        row = _missing(ws, row, "Order-to-delivery time", data.cycle_days) + 2
    else:
        ws.section(row, "Order-to-delivery time")
        c_last, _ = ws.table(data.cycle_days, row + 1)
        chart = _bar_chart(ws, "Days from order to delivery", row + 1, c_last, 2)
        ws.add_chart(chart, top, 5, width=16, height=7.5)
        row = c_last + 3
    if isinstance(data.on_time_monthly, Missing):
        _missing(ws, row, "On-time delivery by month", data.on_time_monthly)
        return ws
    ws.section(row, "On-time delivery by month")
    m_last, _ = ws.table(
        data.on_time_monthly,
        row + 1,
        formats={"on-time rate": RATE, "month": "mmm yyyy"},
    )
    chart = _line_chart(ws, "On-time delivery rate by month", row + 1, m_last, [2])
    chart.set_y_axis({"num_format": "0%"})
    chart.set_legend({"none": True})
    ws.add_chart(chart, top + 17, 5, width=18, height=7.5)
    return ws


def impact_sheet(book: ReportBook, data: ReportData):
    """Before/after over time for ``--change``: per measure the verdict, the placebo
    check, the summary, and a chart of the weeks after the change, actual against
    predicted with its 95 % band (``analyses.impact_tables``).  No sheet without a
    change."""
    if not data.impact:
        return None
    s = data.settings
    ws = book.sheet("Impact")
    what = s.change_label or "the change"
    top = ws.title(
        f"Impact of {what} from {s.change_date}",
        "Each measure by week against what a time-series model of its weeks before the "
        "change (trend, AR(1) noise, a yearly cycle after 78 weeks) says it would "
        "have been without it; the week the change falls in is the first after. A "
        "two-sample comparison of before and after would count trend and season as effect.",
    )
    row = top
    for name, result in data.impact.items():
        if isinstance(result, Missing):
            row = _missing(ws, row, f"Impact on {name}", result) + 2
            continue
        ws.section(row, f"Impact on {name}")
        ws.paragraph(row + 1, result.verdict.replace("values", name, 1), bold=True)
        ws.paragraph(row + 2, result.checks[0].capitalize() + ".", italic=True)
        money = MONEY if name == "revenue" else ("0.0%" if "rate" in name else "#,##0.00")
        shares = {"average": RATE, "cumulative": RATE}
        p_value = {"average": "0.000", "cumulative": "0.000"}
        s_last, _ = ws.table(
            result.summary, row + 3,
            formats={"average": money, "cumulative": money},
            row_formats=[shares if "relative" in m else p_value if m == "p-value" else {}
                         for m in result.summary["measure"]],
        )  # fmt: skip
        periods = result.periods.rename(columns={"date": "week"})
        p_last, p_col = ws.table(
            periods, s_last + 2,
            formats={c: money for c in periods.columns[1:]} | {"week": "yyyy-mm-dd"},
        )  # fmt: skip
        chart = _line_chart(ws, f"{name.capitalize()} by week: actual and predicted (95 %)",
                            s_last + 2, p_last, [2, 3, 4, 5], dashed=[4, 5])  # fmt: skip
        chart.set_x_axis({"num_format": "d mmm yy", "label_position": "low"})
        ws.add_chart(chart, row + 3, p_col + 2, width=16, height=7.5)
        row = max(p_last, row + 18) + 3
    return ws


def risk_sheet(book: ReportBook, data: ReportData):
    ws = book.sheet("Risk")
    top = ws.title(
        "Risk: anomalies, stock-out risk and supplier ranking",
        "Anomalous weeks: revenue per week whose robust z-score 0.6745(x - median)/MAD "
        "is above the anomaly threshold (3.5 by default; the template's rule too). "
        "Stock-out: P(lead-time demand > on hand). Suppliers: equal-weight normalised "
        "score, 100 = worst.",
    )
    ws.section(top, "Anomalous weeks of revenue")
    if isinstance(data.anomalous_weeks, Missing):
        row = _missing(ws, top + 1, "Anomalous weeks", data.anomalous_weeks) + 1
    elif data.anomalous_weeks.empty:
        ws.put(top + 1, 1, "No week stands out.")
        row = top + 3
    else:
        weeks = data.anomalous_weeks
        high = int((weeks["score"] > 0).sum())
        ws.paragraph(top + 1, f"{len(weeks)} week(s) stand out: {high} high, "
               f"{len(weeks) - high} low; the farthest first.")  # fmt: skip
        a_last, _ = ws.table(
            weeks,
            top + 2,
            formats={"week": "yyyy-mm-dd", "revenue": MONEY, "score": SCORE},
            main=True,
        )
        row = a_last + 3
    ws.section(row, "Suppliers ranked by risk")
    if isinstance(data.suppliers, Missing):
        row = _missing(ws, row + 1, "Supplier risk", data.suppliers)
    else:
        fmt = {c: RATE for c in data.suppliers.columns if c.endswith("rate")}
        s_last, s_col = ws.table(
            data.suppliers,
            row + 1,
            formats={**fmt, "mean_days_to_ship": ONE, "risk_score": ONE, "orders": WHOLE},
        )
        score_col = list(data.suppliers.columns).index("risk_score") + 1
        chart = _bar_chart(ws, "Supplier risk score", row + 1, s_last, score_col, horizontal=True)
        ws.add_chart(chart, row, s_col + 3, width=14, height=8)
        directions = data.suppliers.attrs.get("directions", {})
        ws.paragraph(
            s_last + 2,
            "Metric directions: " + "; ".join(f"{m} {d}" for m, d in directions.items()),
        )
        row = s_last + 4
    ws.section(row, f"Stock-out risk per SKU (the {STOCKOUT_SHOWN} highest)")
    if isinstance(data.stockout, Missing):
        _missing(ws, row + 1, "Stock-out risk", data.stockout)
        return ws
    stock = data.stockout
    if len(stock) > STOCKOUT_SHOWN:
        said = (f"The {STOCKOUT_SHOWN} highest of {len(stock):,} SKUs; every SKU's "
                "stock-out probability is on sheet Supply chain.")  # fmt: skip
        ws.paragraph(row + 1, said, italic=True)
        stock, row = stock.head(STOCKOUT_SHOWN), row + 1
    formats = {"on_hand": WHOLE, "daily_mean": "0.00", "daily_sd": "0.00",
               "lead_time_days": WHOLE, "stockout_probability": RATE}  # fmt: skip
    ws.table(stock, row + 1, formats=formats)
    return ws


STOCKOUT_SHOWN = 30  # the Risk sheet's list; the Supply chain sheet has every SKU


def customer_list_sheet(book: ReportBook, data: ReportData):
    """Every customer on one row, header frozen and filterable: RFM scores, the RFM
    segment and the k-means segment of the Segments sheet."""
    ws = book.sheet("Customer list")
    top = ws.title(
        "Customer list: every customer's RFM scores and segments",
        f"{data.rfm.attrs.get('recency', 'R, F, M quintile scores')}. Segment: the RFM "
        "segment of the Customers sheet; k-means segment: the cluster of the Segments "
        "sheet. Largest monetary first; filter a column to pick a list.",
    )
    customers = data.rfm.copy()
    customers["kmeans_segment"] = data.members["segment"].to_numpy()
    customers = customers.sort_values("monetary", ascending=False, kind="stable")
    ws.section(top, "RFM per customer")
    customers, top = _capped(ws, customers, top + 1, data.settings.top_rows,
                             "customers (largest monetary first)")  # fmt: skip
    ws.table(customers, top, formats={"monetary": MONEY, "score": SCORE}, main=True)
    return ws


def daily_revenue_sheet(book: ReportBook, data: ReportData):
    """The decomposition of the Trends sheet day by day, header frozen."""
    ws = book.sheet("Daily revenue")
    s = data.settings
    top = ws.title(
        "Daily revenue: Y = T + S + C + R per day",
        f"Classical decomposition, {s.season_length}-day season, HP trend/cycle split; "
        "the Trends sheet charts it by week.",
    )
    if isinstance(data.decomposition, Missing):
        _missing(ws, top, "The decomposition", data.decomposition)
        return ws
    parts = data.decomposition
    ws.section(top, "Daily revenue decomposition")
    ws.table(parts, top + 1, formats={c: MONEY for c in parts.columns[1:]}, main=True)
    return ws


def about_sheet(book: ReportBook, data: ReportData, intake: Intake, timings: dict[str, float]):
    ws = book.sheet("About")
    row = ws.title("About this report")
    facts = about_facts(data, intake, timings)
    groups = {  # on paper each group is a section of its own
        "Source and rows": [f for f in facts if not f[0].startswith(("column for", "setting"))],
        "Columns read": [f for f in facts if f[0].startswith("column for")],
        "Settings": [f for f in facts if f[0].startswith("setting")],
    }
    for heading, rows in groups.items():
        if rows:
            ws.section(row, heading)
            last, _ = ws.table(pd.DataFrame(rows, columns=["item", "value"]), row + 1)
            row = last + 3
    ws.set_width(1, 40)
    ws.set_width(2, 70)
    notes = [
        "Methods: EOQ (Harris 1913); safety stock z*sqrt(L*sd^2 + d^2*sdL^2); RFM (R as "
        "the Customers sheet says; F, M quintiles); "
        "BG/NBD and Gamma-Gamma (Fader, Hardie & Lee 2005); classical decomposition with HP "
        "trend/cycle split; ETS forecast by AICc; k-means (standardised); robust z-score "
        "anomalies (Iglewicz & Hoaglin 1993).",
        "Every number is computed by the same functions as the xlbizops Excel formulas.",
    ]
    row = ws.max_row + 2
    for text in notes:
        ws.paragraph(row, text)
        row += 1
    return ws


def write_workbook(data: ReportData, intake: Intake, timings: dict[str, float], path) -> None:
    """The report's workbook, written to ``path`` (a temporary file the caller renames)."""
    with xlsx_scratch() as scratch:
        book = ReportBook(path, scratch)
        for make in (
            summary_sheet,
            actions_sheet,
            supply_sheet,
            replenishment_sheet,
            customers_sheet,
            trends_sheet,
            segments_sheet,
            orders_sheet,
            impact_sheet,
            risk_sheet,
            customer_list_sheet,
            daily_revenue_sheet,
        ):
            make(book, data)
        about_sheet(book, data, intake, timings)
        book.close(f"xlbizops report: {intake.source}, as of {data.as_of:%Y-%m-%d}")
