"""What is on each sheet of the template workbook: inputs, formulas and charts.

Every analysis formula reads whole results, never a fixed block of rows: the order
log's columns by name (``order_date`` is ``Orders[order_date]``, the Data table's
column, so it follows the table as it grows), or a column of the spilled result of a
function above it (``RESAMPLE``, ``DEMAND_BY_ITEM``, ``RFM_SCORE``, …) through the
spill operator, so 20,000 customers or 2,000 SKUs all count.  Which column comes
from the result's column constants (:func:`result`).

Which rows each analysis reads, and the inputs' defaults, come from the rules the
report uses too (``orderlog.rules``): revenue nets returns and leaves out cancelled and
returned orders, customers' orders leave out returns, demand leaves out cancelled
orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlbizops.core.customers import RFM_COLUMNS, SEGMENT_NAMES
from xlbizops.core.demand import SBC_CLASSES
from xlbizops.core.inventory import ABC_COLUMNS, DEMAND_COLUMNS
from xlbizops.core.replenishment import BACKTEST_COLUMNS
from xlbizops.core.risk import ANOMALY_COLUMNS, SUPPLIER_METRIC_COLUMNS
from xlbizops.core.rules import Settings
from xlbizops.core.timeseries import RESAMPLE_COLUMNS
from xlbizops.orderlog import rules
from xlbizops.sampledata import generate_orders
from xlbizops.workbook.book import DATA_SHEET, TABLE  # noqa: F401 (where the ribbon finds orders)

# The order log's columns on the Data sheet, in order (sampledata.COLUMNS).
TEMPLATE_ORDERS = 2_000  # the sample order log the templates ship with
TEMPLATE_SEED = 7


# The rows each analysis reads: the order-log rules (orderlog.rules) as FILTER conditions.
SALE = rules.formula(rules.REVENUE)  # revenue, nets returns
ORDER = rules.formula(rules.CUSTOMER_ORDER)  # customers' orders
DEMAND = rules.formula(rules.DEMAND)  # left the warehouse


NOT_RETURN = rules.formula(rules.Not(rules.RETURN_LINE))  # lines that are orders, not refunds


def order_lines(column: str) -> str:
    """The column's cells on lines that are not return lines (the report's order
    table leaves them out: ``orderlog.orders``), blanks kept blank (FILTER alone turns
    an empty cell into 0, which would read as a date in 1900)."""
    return f'FILTER(IF({column}="","",{column}),{NOT_RETURN})'


def sales(column: str) -> str:
    """Rows that count as revenue (report.analyses.revenue_lines)."""
    return f"FILTER({column},{SALE})"


def customer_orders(column: str) -> str:
    """Rows the customer analyses read (report.analyses.order_table)."""
    return f"FILTER({column},{ORDER})"


def shipped_demand(column: str) -> str:
    """Rows that left the warehouse (report.analyses.supply_chain)."""
    return f"FILTER({column},{DEMAND})"


@dataclass(frozen=True)
class Input:
    label: str
    value: object
    number_format: str = "General"


@dataclass(frozen=True)
class Spill:
    """A formula whose result spills from ``cell`` (a dynamic-array formula)."""

    cell: str
    formula: str
    caption: str = ""


@dataclass(frozen=True)
class Formula:
    """A single-cell formula with a label in the column to its left (none when
    ``label`` is empty: a second formula beside a labelled one)."""

    cell: str
    label: str
    formula: str
    number_format: str = "General"


@dataclass(frozen=True)
class Chart:
    """A native chart over a spill: x from one of its columns, series from others."""

    title: str
    spill: str  # anchor cell of the spill it draws
    x: int  # column offset in the spill
    series: tuple[int, ...]
    at: str
    kind: str = "line"  # line | column | bar
    secondary: tuple[int, ...] = ()  # offsets drawn as a line on a second axis
    date_axis: bool = False
    categories_from: str = ""  # another spill whose first column gives x (same rows)
    rows: int = 0  # for a fixed block that is not a spill: its rows incl. header
    skip: int = 0  # rows of the spill above the header of the table drawn


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    intro: str
    inputs: tuple[Input, ...] = ()
    spills: tuple[Spill, ...] = ()
    formulas: tuple[Formula, ...] = ()
    charts: tuple[Chart, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # cell → constant text


def spill_of(anchor: str, sheet: str = "") -> str:
    """Excel's spill operator on ``anchor`` (``A12#``), as a file stores it: the whole
    result, however many rows it has now."""
    return f"ANCHORARRAY({sheet + '!' if sheet else ''}{anchor})"


def result(anchor: str, names: list[str], column: str, sheet: str = "") -> str:
    """The data cells of one column of a table spilled from ``anchor`` (its header
    row), found by the column's name in the result's column list: every row of the
    result, however long (no fixed block that a big shop outgrows), and the address
    follows the result, never a typed letter.  ``INDEX(…):INDEX(…)`` over the spill is
    a reference (COUNTIF takes it), not volatile (OFFSET is) and works in every Excel
    with dynamic arrays (TAKE and DROP need Excel 365); ``xlbizops refresh`` reads it
    as the range it stands for.

    >>> result("K12", ABC_COLUMNS, "class")
    'INDEX(ANCHORARRAY(K12),2,5):INDEX(ANCHORARRAY(K12),ROWS(ANCHORARRAY(K12)),5)'
    """
    number = names.index(column) + 1
    return _block(anchor, number, number, 2, sheet)


def span(anchor: str, names: list[str], first: str, last: str, sheet: str = "") -> str:
    """Columns ``first`` to ``last`` of a table spilled from ``anchor``, header row
    included (for a function that reads a table with its header), every row."""
    return _block(anchor, names.index(first) + 1, names.index(last) + 1, 1, sheet)


def _block(anchor: str, left: int, right: int, top: int, sheet: str) -> str:
    """Columns ``left`` to ``right`` (1-based) of a spill, from its row ``top`` to its
    last: the one form ``workbook.refresh`` reads as a range."""
    spill = spill_of(anchor, sheet)
    return f"INDEX({spill},{top},{left}):INDEX({spill},ROWS({spill}),{right})"


DEFAULTS = Settings()  # the yellow inputs start from the report's defaults (core.rules)
DEMAND_AT, ABC_AT, RFM_AT = "A12", "K12", "A10"
ABC_CLASS_CELLS = result(ABC_AT, ABC_COLUMNS, "class")
RFM_FEATURES = span(RFM_AT, RFM_COLUMNS, "recency_days", "monetary")
CUSTOMER_FEATURES = span(RFM_AT, RFM_COLUMNS, "recency_days", "monetary", "Customers")
RFM_SEGMENT_CELLS = result(RFM_AT, RFM_COLUMNS, "segment")
MONTHLY_REVENUE = result("A10", RESAMPLE_COLUMNS, "value")  # the Trends sheet's RESAMPLE
MONTHS = result("A10", RESAMPLE_COLUMNS, "period")

SUPPLY = Sheet(
    name="Supply chain",
    title="Supply chain: order quantities, reorder points, ABC classes",
    intro=(
        "Demand per SKU over the last 365 days of the Data sheet (cancelled orders left "
        "out), then the economic order quantity EOQ = sqrt(2DS/H), the reorder point "
        "d*L + z*sd*sqrt(L) and ABC classes by annual usage value. Change the inputs in "
        "column B; results recalculate."
    ),
    inputs=(
        Input("Order cost per purchase order (S)", DEFAULTS.order_cost, "#,##0.00"),
        Input("Holding cost rate per year (share of unit cost)", DEFAULTS.holding_rate, "0%"),
        Input("Unit cost / selling price", DEFAULTS.cost_ratio, "0%"),
        Input("Service level", DEFAULTS.service_level, "0%"),
        Input("Lead time (days)", DEFAULTS.lead_time_days, "0"),
    ),
    spills=(
        Spill(
            DEMAND_AT,
            "=DEMAND_BY_ITEM("
            + ",".join(shipped_demand(c) for c in ("sku", "order_date", "quantity", "unit_price"))
            + ")",
            "Demand by SKU",
        ),
        Spill(
            "H13",
            "=EOQ("
            + result(DEMAND_AT, DEMAND_COLUMNS, "annual_demand")
            + ",$B$4,IF("
            + result(DEMAND_AT, DEMAND_COLUMNS, "unit_price")
            + '="","",'
            + result(DEMAND_AT, DEMAND_COLUMNS, "unit_price")
            + "*$B$6*$B$5))",
        ),
        Spill(
            "I13",
            "=REORDER_POINT($B$7,"
            + result(DEMAND_AT, DEMAND_COLUMNS, "daily_mean")
            + ","
            + result(DEMAND_AT, DEMAND_COLUMNS, "daily_sd")
            + ",$B$8)",
        ),
        # ABC on annual usage value at cost: annual demand x cost ratio x price.
        Spill(
            ABC_AT,
            "=ABC_CLASS("
            + result(DEMAND_AT, DEMAND_COLUMNS, "item")
            + ",IF("
            + result(DEMAND_AT, DEMAND_COLUMNS, "annual_value")
            + '="","",'
            + result(DEMAND_AT, DEMAND_COLUMNS, "annual_value")
            + "*$B$6))",
            "ABC classes",
        ),
    ),
    formulas=(
        *(
            Formula(f"E{5 + i}", f"Class {c} items", f'=COUNTIF({ABC_CLASS_CELLS},"{c}")', "0")
            for i, c in enumerate("ABC")
        ),
        Formula(
            "E8",
            "Annual usage value (at cost)",
            f"=SUM({result(ABC_AT, ABC_COLUMNS, 'annual_value')})",
            "#,##0",
        ),
    ),
    charts=(
        Chart(
            "ABC Pareto: value by SKU, cumulative share",
            ABC_AT,
            x=ABC_COLUMNS.index("item"),
            series=(ABC_COLUMNS.index("annual_value"),),
            secondary=(ABC_COLUMNS.index("cumulative_share"),),
            at="Q3",
            kind="column",
        ),
    ),
    labels={"H12": "eoq", "I12": "reorder_point"},
)

CUSTOMERS = Sheet(
    name="Customers",
    title="Customers: RFM scores and segments",
    intro=(
        "Recency, frequency and monetary value per customer from the Data sheet "
        "(cancelled and returned orders left out), quantile scores 1-5, "
        "score = w1*R + w2*F + w3*M and the named segment. Column K is the k-means "
        "segment from the Segments sheet's k."
    ),
    inputs=(
        Input("As of (the latest order's day)", "=MAX(order_date)", "yyyy-mm-dd"),
        Input("Weight of R (recency)", "=1/3", "0.000"),
        Input("Weight of F (frequency)", "=1/3", "0.000"),
        Input("Weight of M (monetary)", "=1/3", "0.000"),
        Input("Score groups (bins)", 5, "0"),
    ),
    spills=(
        Spill(
            "A10",
            "=RFM_SCORE("
            + ",".join(customer_orders(c) for c in ("customer_id", "order_date", "amount"))
            + ",$B$4,$B$5:$B$7,$B$8,"
            + customer_orders("order_id")
            + ")",
            "RFM per customer (by order)",
        ),
        Spill(
            "K10",
            "=SEGMENT(" + RFM_FEATURES + ",'Segments'!$B$4)",
            "k-means segment",
        ),
    ),
    formulas=(
        Formula(
            "E4",
            "Customers",
            f"=COUNTA({result(RFM_AT, RFM_COLUMNS, 'customer_id')})",
            "#,##0",
        ),
        Formula(
            "E5",
            "Mean RFM score",
            f"=AVERAGE({result(RFM_AT, RFM_COLUMNS, 'score')})",
            "0.00",
        ),
        *(
            Formula(f"N{11 + i}", name, f"=COUNTIF({RFM_SEGMENT_CELLS},M{11 + i})", "0")
            for i, name in enumerate(SEGMENT_NAMES)
        ),
    ),
    charts=(
        Chart(
            "Customers per RFM segment",
            "M10",
            x=0,
            series=(1,),
            at="P3",
            kind="bar",
            rows=len(SEGMENT_NAMES) + 1,
        ),
    ),
    labels={"M10": "segment", "N10": "customers"},
)

TRENDS = Sheet(
    name="Trends",
    title="Trends: monthly revenue, decomposition Y = T + S + C + R, forecast",
    intro=(
        "Revenue per month (cancelled and returned orders left out), decomposed into "
        "trend, seasonal, cycle and residual (classical moving averages; the first and "
        "last half-season of the trend are blank), and an exponential-smoothing forecast "
        "with 80% and 95% intervals (model chosen by AICc; seasonal when two full seasons "
        "of the season length in B4 exist)."
    ),
    inputs=(
        Input("Season length (months)", 12, "0"),
        Input("Forecast horizon (months)", DEFAULTS.forecast_months, "0"),
    ),
    spills=(
        Spill(
            "A10",
            "=RESAMPLE(" + sales("order_date") + "," + sales("amount") + ',"month")',
            "Revenue by month",
        ),
        Spill("D10", f"=DECOMPOSE({MONTHLY_REVENUE},$B$4)", "Decomposition"),
        Spill("J10", f"=FORECAST_HW({MONTHLY_REVENUE},$B$5,$B$4,{MONTHS})", "Forecast"),
        Spill("Q10", f"=SEASONALITY({MONTHLY_REVENUE})", "Seasonality"),
    ),
    formulas=(Formula("E5", "Total revenue", f"=SUM({MONTHLY_REVENUE})", "#,##0"),),
    charts=(
        Chart(
            "Revenue and trend by month",
            "D10",
            x=0,
            series=(0, 1),
            at="T3",
            date_axis=True,
            categories_from="A10",
        ),
        Chart(
            "Seasonal component",
            "D10",
            x=0,
            series=(2,),
            at="T20",
            kind="column",
            categories_from="A10",
        ),
        Chart("Forecast with 95% interval", "J10", x=0, series=(1, 4, 5), at="T37"),
    ),
)

SEGMENTS = Sheet(
    name="Segments",
    title="Segments: k-means market segmentation of customers",
    intro=(
        "k-means on each customer's recency, frequency and monetary value (Customers "
        "sheet), standardised so that money does not drown counts. The profile gives "
        "each segment's size and mean values; the k table helps choose k (highest "
        "silhouette, or the elbow of inertia)."
    ),
    inputs=(Input("Segments (k)", DEFAULTS.segments, "0"), Input("Largest k to compare", 8, "0")),
    spills=(
        Spill(
            "A9",
            f"=SEGMENT_PROFILE({CUSTOMER_FEATURES},$B$4)",
            "Segment profile",
        ),
        Spill(
            "A18",
            f"=SEGMENT_K({CUSTOMER_FEATURES},$B$5)",
            "Choosing k",
        ),
    ),
    charts=(Chart("Mean silhouette by k", "A18", x=0, series=(2,), at="H3"),),
)

CHANGE_DATE = dt.datetime(2026, 8, 3)  # the template's example change: a Monday, 13 weeks
# before the sample data ends
IMPACT_TABLE_ROW = 15  # IMPACT_SERIES: 12 summary rows, verdict, check, blank, then the table

ORDERS = Sheet(
    name="Orders",
    title="Orders: processing speed and accuracy",
    intro=(
        "Order-processing KPIs over every order on the Data sheet: cycle times, "
        "on-time delivery, perfect-order, error, cancellation and return rates, and "
        "the mean order-to-delivery time per period. Below: weekly revenue before and "
        "after the change date in B5, against what a time-series model of the days "
        "before says it would have been without the change (IMPACT_SERIES)."
    ),
    inputs=(
        Input("Trend period (day/week/month)", "month"),
        Input("Change date (before/after)", CHANGE_DATE, "yyyy-mm-dd"),
    ),
    spills=(
        Spill(
            "A8",
            "=ORDER_KPIS("
            + ",".join(
                order_lines(c)
                for c in (
                    "order_date",
                    "shipped_date",
                    "delivered_date",
                    "promised_date",
                    "status",
                    "error_flag",
                    "order_id",
                )
            )  # fmt: skip
            + ")",
            "KPIs by order",
        ),
        Spill(
            "D8",
            '=RESAMPLE(FILTER(order_date,delivered_date<>""),CYCLE_TIME('
            'FILTER(order_date,delivered_date<>""),FILTER(delivered_date,'
            'delivered_date<>"")),$B$4,"mean")',
            "Order to delivery (days), mean per period",
        ),
        Spill(
            "A45",
            "=RESAMPLE(" + sales("order_date") + "," + sales("amount") + ',"week")',
            "Revenue by week",
        ),
        Spill(
            "D45",
            "=IMPACT_SERIES("
            + result("A45", RESAMPLE_COLUMNS, "period")
            + ","
            + result("A45", RESAMPLE_COLUMNS, "value")
            + ",$B$5)",
            "Before/after over time: the change in B5 against what revenue would have done",
        ),
    ),
    charts=(
        Chart(
            "Order to delivery, mean days per period",
            "D8",
            x=0,
            series=(1,),
            at="G3",
            date_axis=True,
        ),
        Chart(
            "Weekly revenue against the change in B5",
            "D45",
            x=0,
            series=(1, 2, 3, 4),
            secondary=(6,),
            at="L45",
            date_axis=True,
            skip=IMPACT_TABLE_ROW,
        ),
    ),
)

RISK = Sheet(
    name="Risk",
    title="Risk: suppliers, anomalies, risk register",
    intro=(
        "Supplier metrics from the order log and a weighted risk score (0-100, rank 1 = "
        "riskiest); anomalous weeks of revenue; and a 5x5 risk matrix for the register. "
        "The anomaly method and threshold, the supplier weights (W10:Y10) and the "
        "register (Q10:S14) are inputs."
    ),
    inputs=(
        Input("Anomaly method (mad, iqr, iforest)", DEFAULTS.anomaly_method),
        Input("Anomaly threshold (robust z for mad)", DEFAULTS.anomaly_threshold, "0.0"),
    ),
    spills=(
        Spill(
            "A9",
            "=SUPPLIER_METRICS(supplier,order_date,shipped_date,promised_date,error_flag)",
            "Supplier metrics",
        ),
        Spill(
            "G9",
            "=SUPPLIER_RISK("
            + span("A9", SUPPLIER_METRIC_COLUMNS, "supplier", "mean_days_to_ship")
            + ",W10:Y10)",
            "Supplier risk",
        ),
        Spill(
            "L9",
            "=RESAMPLE(" + sales("order_date") + "," + sales("amount") + ',"week")',
            "Revenue by week",
        ),
        Spill(
            "N9",
            "=ANOMALIES(" + result("L9", RESAMPLE_COLUMNS, "value") + ",$B$4,$B$5)",
            "Anomalies",
        ),
        Spill("T9", "=RISK_MATRIX(R10:R14,S10:S14)", "Risk rating"),
    ),
    formulas=(
        Formula(
            "R17",
            "Anomalous weeks",
            f"=COUNTIF({result('N9', ANOMALY_COLUMNS, 'anomaly')},TRUE)",
            "0",
        ),
    ),
    charts=(
        Chart("Revenue by week", "L9", x=0, series=(1,), at="A24", date_axis=True),
        Chart("Supplier risk score", "G9", x=0, series=(1,), at="A41", kind="bar"),
    ),
    labels={
        # The supplier weights' labels: the metrics SUPPLIER_RISK reads, in order.
        "W9": SUPPLIER_METRIC_COLUMNS[1],
        "X9": SUPPLIER_METRIC_COLUMNS[2],
        "Y9": SUPPLIER_METRIC_COLUMNS[3],
        "Q9": "risk",
        "R9": "likelihood",
        "S9": "impact",
    },
)

# The risk register's example rows (inputs on the Risk sheet).
REGISTER = (
    ("Key supplier disruption", 3, 5),
    ("Carrier delays at peak", 4, 3),
    ("Payment fraud", 2, 4),
    ("Stock-out of A items", 3, 4),
    ("Website outage", 2, 5),
)
SUPPLIER_WEIGHTS = (1, 1, 1)  # equal, as xlbizops report ranks suppliers

# Replenishment: the policy per SKU from the weekly demand history, and how it would
# have done over the last 26 weeks, by demand class against the target.
POLICY_AT, BACKTEST_AT = "A22", "O22"
WEEKLY_LINES = ",".join(shipped_demand(c) for c in ("sku", "order_date", "quantity"))
BACKTEST_CLASS = result(BACKTEST_AT, BACKTEST_COLUMNS, "class")


def _class_fill(row: int) -> str:
    """Units served ÷ units demanded in the backtest, over the SKUs of the class
    named in column E of ``row``; #N/A for a class without SKUs (a chart leaves it
    out, where a blank would draw as 0 %)."""
    served = result(BACKTEST_AT, BACKTEST_COLUMNS, "served")
    demand = result(BACKTEST_AT, BACKTEST_COLUMNS, "demand")
    return (f"=IF(SUMIFS({demand},{BACKTEST_CLASS},E{row})=0,NA(),"
            f"SUMIFS({served},{BACKTEST_CLASS},E{row})"
            f"/SUMIFS({demand},{BACKTEST_CLASS},E{row}))")  # fmt: skip


REPLENISHMENT = Sheet(
    name="Replenishment",
    title="Replenishment: a stock policy per SKU from its weekly demand",
    intro=(
        "Weekly demand per SKU from the Data sheet (cancelled orders left out), its class "
        "(smooth, erratic, intermittent, lumpy), a forecast fit for slow and lumpy items, "
        "and the order-up-to level that serves the fill-rate target from the SKU's own "
        "demand distribution. The backtest replays the last 26 weeks: each week's policy "
        "from the weeks before it, against what really sold. Change the yellow inputs."
    ),
    inputs=(
        Input("Lead time (weeks)", DEFAULTS.lead_time_days / 7, "0.0"),
        Input("Fill-rate target", DEFAULTS.service_level, "0%"),
        Input("Review period (weeks)", 1, "0"),
    ),
    spills=(
        Spill(
            POLICY_AT,
            f'=REORDER_POLICY({WEEKLY_LINES},$B$4,$B$5,"fill_rate",$B$6)',
            "Reorder policy per SKU",
        ),
        Spill(
            BACKTEST_AT,
            f'=INVENTORY_BACKTEST({WEEKLY_LINES},$B$4,$B$5,"fill_rate",$B$6)',
            "Backtest: the last 26 weeks replayed",
        ),
    ),  # fmt: skip
    formulas=(
        *(Formula(f"F{5 + i}", c, "=$B$5", "0%") for i, c in enumerate(SBC_CLASSES)),
        *(Formula(f"G{5 + i}", "", _class_fill(5 + i), "0.0%") for i in range(4)),
    ),
    charts=(
        Chart(
            "Fill rate by class: backtest vs target",
            "E4",
            x=0,
            series=(2, 1),
            at="I3",
            kind="column",
            rows=5,
        ),
    ),  # fmt: skip
    labels={"E4": "class", "F4": "target", "G4": "achieved"},
)

AREAS = (SUPPLY, REPLENISHMENT, CUSTOMERS, TRENDS, SEGMENTS, ORDERS, RISK)


def template_orders(n_orders: int = TEMPLATE_ORDERS, seed: int = TEMPLATE_SEED):
    """The sample order log the templates ship with (two full years of orders)."""
    return generate_orders(n_orders, seed=seed)
