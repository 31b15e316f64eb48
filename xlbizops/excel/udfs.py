"""The Excel functions, defined once for both runtimes (public path ``xlbizops.udfs``).

Classic xlwings on Windows reads them through ``UDF Modules = xlbizops.udfs`` and the
VBA wrappers shipped in the workbook; xlwings Lite (Office.js + Pyodide on Windows,
macOS and the web) registers them from the same decorators at start-up.

Each function only converts: cells → core inputs (``xlbizops.excel.cells``), one
call into ``xlbizops.core``, results → cells.  Element-wise functions (EOQ) give one
value per input row, aligned with it; table functions spill a header row first.
Bad input returns one line of text naming the argument (``xlbizops.excel.guard``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pandas as pd
import xlwings as xw

from xlbizops.core import (
    clv,
    customers,
    demand,
    impact,
    inventory,
    orders,
    replenishment,
    risk,
    segmentation,
    timeseries,
)
from xlbizops.core.errors import InputError
from xlbizops.excel import cells
from xlbizops.excel.guard import excel_function
from xlbizops.excel.names import function_names

CATEGORY = "xlbizops"
__all__ = function_names()  # what ``from xlbizops.udfs import *`` brings into Lite's main.py

# Arguments that take one of a few words are typed as Literal: xlwings' Office.js
# path (xlwings Lite) registers them as enums, which Excel offers as a dropdown.  The
# {"convert": None} keeps classic xlwings on its default converter; without it, it
# takes the Literal for a converter class and fails on every call.
_DEFAULT_CONVERTER = {"convert": None}
DecomposeModel = Annotated[Literal["additive", "multiplicative"], _DEFAULT_CONVERTER]
DecomposeMethod = Annotated[Literal["classical", "stl"], _DEFAULT_CONVERTER]
DiscountKind = Annotated[Literal["all_units", "incremental"], _DEFAULT_CONVERTER]
DemandDistribution = Annotated[Literal["normal", "poisson"], _DEFAULT_CONVERTER]
CohortPeriod = Annotated[Literal["month", "week", "quarter"], _DEFAULT_CONVERTER]
Period = Annotated[Literal["day", "week", "month", "quarter", "year"], _DEFAULT_CONVERTER]
DemandPeriod = Annotated[Literal["day", "week", "month"], _DEFAULT_CONVERTER]
ForecastMethod = Annotated[
    Literal["auto", "croston", "sba", "tsb", "adida", "imapa", "ets"], _DEFAULT_CONVERTER
]
TargetType = Annotated[Literal["fill_rate", "cycle_service"], _DEFAULT_CONVERTER]
ClvModel = Annotated[Literal["bgnbd", "mbgnbd", "paretonbd", "auto"], _DEFAULT_CONVERTER]
Aggregation = Annotated[Literal["sum", "mean", "count", "min", "max"], _DEFAULT_CONVERTER]
TimeUnit = Annotated[Literal["days", "hours"], _DEFAULT_CONVERTER]
AnomalyMethod = Annotated[Literal["mad", "iqr", "iforest"], _DEFAULT_CONVERTER]


def arg(name: str, doc: str):
    """Every argument: rows of cells (ndim=2) and Excel errors as text, never None.

    Without ``err_to_str`` xlwings hands a ``#N/A`` cell over as ``None``, which would
    read as a blank cell and silently drop the row.  The description is also kept
    on the function (``arg_docs``) for the catalogue, which off Windows cannot read
    xlwings' own metadata.
    """
    declare = xw.arg(name, ndim=2, err_to_str=True, doc=doc)

    def record(func):
        func = declare(func)
        func.__dict__.setdefault("arg_docs", {})[name] = doc
        return func

    return record


def _numbers(name: str, value) -> np.ndarray:
    return cells.numbers(name, cells.column(name, value))


def _dates(name: str, value) -> np.ndarray:
    return cells.dates(name, cells.column(name, value))


def _optional_date(name: str, value):
    value = cells.optional(value, None)
    return None if value is None else cells.dates(name, [value])[0]


def _required_date(name: str, value):
    value = cells.optional(value, None)
    if value is None:
        raise InputError(f"{name} is required")
    return cells.dates(name, [value])[0]


def _column_or_scalar(values: np.ndarray):
    """A scalar for a single row, else a column aligned with the input rows."""
    if len(values) == 1:
        value = values[0]
        return None if isinstance(value, float) and np.isnan(value) else value
    return cells.column_of(values)


def _rowwise(**arguments) -> dict[str, np.ndarray]:
    """Numeric arguments that go together row by row (single cells broadcast)."""
    _, x = cells.aligned(**{name: _numbers(name, value) for name, value in arguments.items()})
    return x


def _row_table(**columns) -> list[list]:
    """Several results per input row: a header row, then one row per input row."""
    return cells.to_cells(pd.DataFrame(columns))


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units. A cell or a column.")
@arg("order_cost", "Fixed cost of placing one order (> 0). A cell or a column.")
@arg("holding_cost", "Cost of holding one unit for a year (> 0). A cell or a column.")
@excel_function
def EOQ(annual_demand, order_cost, holding_cost):
    """Economic order quantity sqrt(2*D*S/H): the order size with the lowest ordering plus holding cost per year."""  # noqa: E501
    x = _rowwise(annual_demand=annual_demand, order_cost=order_cost, holding_cost=holding_cost)
    quantity = inventory.economic_order_quantity(
        x["annual_demand"], x["order_cost"], x["holding_cost"]
    )
    return _column_or_scalar(quantity)


@xw.func(category=CATEGORY)
@arg("customer_ids", "Customer of each order: a column, one row per order.")
@arg("order_dates", "Date of each order: dates, Excel serials or yyyy-mm-dd text.")
@arg("amounts", "Value of each order (refunds negative).")
@arg("as_of", "Optional. Date recency is counted to; default the latest order's day.")
@arg("weights", "Optional. 3 cells: weights of R, F and M in the score; default 1/3 each.")
@arg("bins", "Optional. Number of score groups, default 5 (quintiles).")
@arg("order_ids", "Optional. Order id of each line: the lines of one order count as one order.")
@excel_function
def RFM_SCORE(customer_ids, order_dates, amounts, as_of=None, weights=None, bins=5, order_ids=None):
    """RFM table per customer: recency, frequency, monetary, R/F/M quantile scores, score = w1*R + w2*F + w3*M, and named segment."""  # noqa: E501
    ids, when, amount = _order_log(customer_ids, order_dates, amounts, order_ids)
    as_of = _optional_date("as_of", as_of)
    if cells.all_blank(weights):
        weights = (1 / 3, 1 / 3, 1 / 3)
    else:
        weights = cells.numbers("weights", _flat("weights", weights))
        if np.isnan(weights).any():
            raise InputError("weights must be 3 numbers, for R, F and M (found a blank)")
    table = customers.rfm_table(
        ids,
        when,
        amount,
        as_of=as_of,
        weights=weights,
        bins=cells.optional(bins, 5),
    )
    return cells.to_cells(table)


def _flat(name: str, value) -> list:
    """A small range of any shape, row by row (for a weights block)."""
    return [c for row in cells.rows_of(value) for c in row]


@xw.func(category=CATEGORY)
@arg("values", "The series, oldest first: one column of numbers, no gaps.")
@arg("period", "Season length in observations: 12 for monthly data, 7 for daily, 4 quarterly.")  # noqa: E501
@arg("model", 'Optional. "additive" (Y = T+S+C+R, default) or "multiplicative" (Y = T*S*C*R).')  # noqa: E501
@arg("method", 'Optional. "classical" moving averages (default) or "stl".')
@excel_function
def DECOMPOSE(
    values, period, model: DecomposeModel = "additive", method: DecomposeMethod = "classical"
):
    """Time-series decomposition into trend, seasonal, cycle and residual: Y = T + S + C + R (or T*S*C*R)."""  # noqa: E501
    y = _numbers("values", values)
    filled = np.flatnonzero(~np.isnan(y))
    if filled.size == 0:
        raise InputError("values: the range is empty")
    y = y[: filled[-1] + 1]
    gaps = np.flatnonzero(np.isnan(y))
    if gaps.size:
        raise InputError(
            f"values is blank in row {gaps[0] + 1}; the series must have no gaps "
            "(enter 0 for a period with no sales)"
        )
    result = timeseries.decompose(
        y,
        cells.single("period", period),
        model=cells.optional(model, "additive"),
        method=cells.optional(method, "classical"),
    )
    return cells.to_cells(result)


def _features(data) -> tuple[bool, np.ndarray, np.ndarray]:
    """(has_header, numeric matrix of the used rows, mask of used rows incl. header)."""
    has_header, columns = _feature_table(data)
    used, x = cells.aligned(broadcast=False, **columns)
    return has_header, np.column_stack([c[used] for c in x.values()]), used


def _feature_names(data) -> list[str]:
    first = cells.rows_of(data)[0]
    if any(isinstance(c, str) and not cells.is_blank(c) for c in first):
        return [
            str(c).strip() if not cells.is_blank(c) else f"column {j + 1}"
            for j, c in enumerate(first)
        ]
    return [f"column {j + 1}" for j in range(len(first))]


def _per_row(values, used: np.ndarray, has_header: bool) -> list:
    """Results of the used rows back in sheet order, header row dropped."""
    return cells.spread(values, used)[1 if has_header else 0 :]


def _feature_table(value) -> tuple[bool, dict[str, np.ndarray]]:
    """A table, header row first if it holds text, as named float columns.

    The header row stays in each column as a blank cell, so that row numbers in
    messages are those of the range on the sheet.
    """
    rows = cells.rows_of(value)
    if not rows or not rows[0]:
        raise InputError("data: the range is empty")
    first = rows[0]
    has_header = any(isinstance(c, str) and not cells.is_blank(c) for c in first)
    if has_header and len(rows) == 1:
        raise InputError("data has a header row but no data rows")
    columns = {}
    for j, head in enumerate(first):
        name = str(head).strip() if has_header and not cells.is_blank(head) else f"{j + 1}"
        label = f"data column '{name}'"
        values = [None if (has_header and i == 0) else r[j] for i, r in enumerate(rows)]
        columns[label] = cells.numbers(label, values)
    return has_header, columns


@xw.func(category=CATEGORY)
@arg("data", "Table with a header row: one row per customer or market, numeric columns.")
@arg("k", 'Number of segments, or "auto" to choose k by the silhouette.')
@arg("standardize", "Optional. TRUE (default) puts every column on the same scale first.")
@arg("seed", "Optional. Random seed, default 0; the same input always gives the same answer.")
@excel_function
def SEGMENT(data, k, standardize=True, seed=0):
    """k-means market segmentation: a column headed 'segment' with the segment number 1..k of each row."""  # noqa: E501
    has_header, features, used = _features(data)
    scale = cells.flag("standardize", standardize, True)
    seed = cells.optional(seed, 0)
    k = cells.single("k", k)
    if isinstance(k, str) and k.strip().lower() == "auto":
        k = segmentation.best_k(features, 10, scale, seed)
    result = segmentation.kmeans_segments(features, k, standardize_features=scale, seed=seed)
    return [["segment"]] + [[s] for s in _per_row(result.labels, used, has_header)]


# --- Supply chain and inventory -------------------------------------------------------


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units. A cell or a column.")
@arg("order_cost", "Fixed cost of placing one order (> 0).")
@arg("holding_cost", "Cost of holding one unit for a year (> 0).")
@arg("order_qty", "Optional. Order size to cost; default the EOQ.")
@excel_function
def EOQ_COST(annual_demand, order_cost, holding_cost, order_qty=None):
    """Annual ordering plus holding cost S*D/Q + H*Q/2, at the economic order quantity when order_qty is omitted."""  # noqa: E501
    columns = {
        "annual_demand": annual_demand,
        "order_cost": order_cost,
        "holding_cost": holding_cost,
    }
    if cells.all_blank(order_qty):
        x = _rowwise(**columns)
        cost = inventory.eoq_annual_cost(x["annual_demand"], x["order_cost"], x["holding_cost"])
    else:
        x = _rowwise(**columns, order_qty=order_qty)
        cost = inventory.eoq_annual_cost(
            x["annual_demand"], x["order_cost"], x["holding_cost"], x["order_qty"]
        )
    return _column_or_scalar(cost)


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units. A cell or a column.")
@arg("order_cost", "Fixed cost of placing one order (> 0).")
@arg("holding_cost", "Cost of holding one unit for a year (> 0).")
@arg("backorder_cost", "Cost of one unit backordered for a year (> 0).")
@excel_function
def EOQ_BACKORDER(annual_demand, order_cost, holding_cost, backorder_cost):
    """EOQ with planned backorders: order quantity, fraction of demand backordered, and annual cost."""  # noqa: E501
    x = _rowwise(
        annual_demand=annual_demand,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost=backorder_cost,
    )
    qty, short, cost = inventory.eoq_with_backorders(*x.values())
    return _row_table(order_qty=qty, stockout_fraction=short, annual_cost=cost)


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units. A cell or a column.")
@arg("setup_cost", "Fixed cost of one production run (> 0).")
@arg("holding_cost", "Cost of holding one unit for a year (> 0).")
@arg("production_rate", "Units that can be produced per year (> annual_demand).")
@excel_function
def EPQ(annual_demand, setup_cost, holding_cost, production_rate):
    """Economic production quantity sqrt(2*D*S/(H*(1-D/P))) and its annual setup plus holding cost."""  # noqa: E501
    x = _rowwise(
        annual_demand=annual_demand,
        setup_cost=setup_cost,
        holding_cost=holding_cost,
        production_rate=production_rate,
    )
    qty, cost = inventory.economic_production_quantity(*x.values())
    return _row_table(production_qty=qty, annual_cost=cost)


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units (one cell).")
@arg("order_cost", "Fixed cost of placing one order (> 0).")
@arg("holding_rate", "Holding cost per year as a share of unit price, e.g. 0.25.")
@arg("break_quantities", "Quantities where each price starts: 0 first, increasing.")
@arg("unit_prices", "Unit price from each break quantity on.")
@arg("kind", 'Optional. "all_units" (default) or "incremental" discounts.')
@excel_function
def EOQ_DISCOUNT(
    annual_demand,
    order_cost,
    holding_rate,
    break_quantities,
    unit_prices,
    kind: DiscountKind = "all_units",
):
    """Best order quantity under quantity discounts: each price break's candidate quantity and annual cost incl. purchasing, best marked."""  # noqa: E501
    _, _, table = inventory.eoq_with_discounts(
        cells.single("annual_demand", annual_demand),
        cells.single("order_cost", order_cost),
        cells.single("holding_rate", holding_rate),
        _numbers("break_quantities", _flat("break_quantities", break_quantities)),
        _numbers("unit_prices", _flat("unit_prices", unit_prices)),
        kind=str(cells.optional(kind, "all_units")).replace("-", "_").replace(" ", "_"),
    )
    table["best"] = table["annual_cost"] == table["annual_cost"].min()
    return cells.to_cells(table)


_SERVICE_ARGS = {
    "service_level": "Probability of no stock-out in a cycle, e.g. 0.95.",
    "demand_mean": "Average demand per period (day, week...).",
    "demand_sd": "Standard deviation of demand per period.",
    "lead_time": "Replenishment lead time, in the same periods.",
    "lead_time_sd": "Optional. Standard deviation of the lead time; default 0.",
}


def service_level_args(func):
    """Declare the five arguments SAFETY_STOCK and REORDER_POINT share (_SERVICE_ARGS)."""
    for name, doc in _SERVICE_ARGS.items():
        func = arg(name, doc)(func)
    return func


def _with_lead_time_sd(lead_time_sd, **arguments) -> dict[str, np.ndarray]:
    """Row-wise numeric arguments plus the optional lead_time_sd (omitted or blank: 0)."""
    if cells.all_blank(lead_time_sd):
        x = _rowwise(**arguments)
        x["lead_time_sd"] = np.zeros(len(x["lead_time"]))
        return x
    return _rowwise(**arguments, lead_time_sd=lead_time_sd)


@xw.func(category=CATEGORY)
@service_level_args
@excel_function
def SAFETY_STOCK(service_level, demand_mean, demand_sd, lead_time, lead_time_sd=None):
    """Safety stock z*sqrt(L*sd_d^2 + d^2*sd_L^2): covers demand and lead-time variability at the service level."""  # noqa: E501
    x = _with_lead_time_sd(
        lead_time_sd,
        service_level=service_level,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time=lead_time,
    )
    return _column_or_scalar(inventory.safety_stock(*x.values()))


@xw.func(category=CATEGORY)
@service_level_args
@excel_function
def REORDER_POINT(service_level, demand_mean, demand_sd, lead_time, lead_time_sd=None):
    """Reorder point: demand over the lead time d*L plus safety stock."""
    x = _with_lead_time_sd(
        lead_time_sd,
        service_level=service_level,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time=lead_time,
    )
    return _column_or_scalar(inventory.reorder_point(*x.values()))


@xw.func(category=CATEGORY)
@arg("price", "Selling price per unit.")
@arg("cost", "Purchase cost per unit (below price).")
@arg("salvage", "Value of a unit left over at the end (below cost; may be 0).")
@arg("demand_mean", "Mean demand for the period.")
@arg("demand_sd", "Standard deviation of demand (normal demand).")
@arg("distribution", 'Optional. "normal" (default) or "poisson" (demand_sd ignored).')
@arg("order_qty", "Optional. Evaluate this order quantity instead of the best one.")
@excel_function
def NEWSVENDOR(
    price,
    cost,
    salvage,
    demand_mean,
    demand_sd=None,
    distribution: DemandDistribution = "normal",
    order_qty=None,
):
    """Single-period (newsvendor) order quantity at the critical ratio, with expected sales, leftovers, shortage and profit."""  # noqa: E501
    result = inventory.newsvendor(
        cells.single("price", price),
        cells.single("cost", cost),
        cells.single("salvage", salvage),
        cells.single("demand_mean", demand_mean),
        cells.optional(demand_sd, None),
        cells.optional(distribution, "normal"),
        cells.optional(order_qty, None),
    )
    return [list(result), list(result.values())]


@xw.func(category=CATEGORY)
@arg("holding_cost", "Cost of holding one unit for a year (> 0).")
@arg("backorder_cost", "Cost of one unit backordered for a year (> 0).")
@arg("order_cost", "Fixed cost of placing one order (> 0).")
@arg("annual_demand", "Mean demand per year.")
@arg("annual_demand_sd", "Standard deviation of demand per year.")
@arg("lead_time", "Lead time in years, e.g. 1/12 for a month.")
@excel_function
def RQ_POLICY(holding_cost, backorder_cost, order_cost, annual_demand, annual_demand_sd, lead_time):
    """(r, Q) continuous-review policy by the EOQ plus safety-stock approximation: reorder point r and order quantity Q."""  # noqa: E501
    x = _rowwise(
        holding_cost=holding_cost,
        backorder_cost=backorder_cost,
        order_cost=order_cost,
        annual_demand=annual_demand,
        annual_demand_sd=annual_demand_sd,
        lead_time=lead_time,
    )
    r, q = inventory.rq_policy(*x.values())
    return _row_table(reorder_point=r, order_qty=q)


def _labelled(name_items: str, items, name_values: str, values):
    """An item column and the numbers that go with it, blank rows skipped."""
    used, x = cells.aligned(
        broadcast=False,
        **{
            name_items: cells.labels(name_items, cells.column(name_items, items)),
            name_values: _numbers(name_values, values),
        },
    )
    return x[name_items][used], x[name_values][used]


@xw.func(category=CATEGORY)
@arg("items", "Item names or SKUs: one column.")
@arg("annual_values", "Annual usage value of each item (e.g. units x unit cost).")
@arg("a_share", "Optional. Cumulative value share of class A, default 0.8.")
@arg("b_share", "Optional. Cumulative value share of A+B, default 0.95.")
@excel_function
def ABC_CLASS(items, annual_values, a_share=0.8, b_share=0.95):
    """ABC (Pareto) classes by cumulative share of annual value, largest first: item, value, share, cumulative share, class."""  # noqa: E501
    names, values = _labelled("items", items, "annual_values", annual_values)
    table = inventory.abc_classes(
        names, values, cells.optional(a_share, 0.8), cells.optional(b_share, 0.95)
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("items", "Item names or SKUs: one column.")
@arg("demand_history", "Demand per period: one row per item, periods across columns.")
@arg("x_cv", "Optional. Largest coefficient of variation for class X, default 0.5.")
@arg("y_cv", "Optional. Largest coefficient of variation for class Y, default 1.0.")
@excel_function
def XYZ_CLASS(items, demand_history, x_cv=0.5, y_cv=1.0):
    """XYZ classes by demand variability: per item mean, standard deviation, coefficient of variation and class."""  # noqa: E501
    names = cells.labels("items", cells.column("items", items))
    rows = cells.rows_of(demand_history)
    columns = {
        f"demand_history column {j + 1}": cells.numbers(
            f"demand_history column {j + 1}", [r[j] if j < len(r) else None for r in rows]
        )
        for j in range(len(rows[0]) if rows else 0)
    }
    used, x = cells.aligned(broadcast=False, items=names, **columns)
    history = np.column_stack([x[n][used] for n in columns])
    table = inventory.xyz_classes(
        x["items"][used], history, cells.optional(x_cv, 0.5), cells.optional(y_cv, 1.0)
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("items", "Item (SKU) of each order line: one column.")
@arg("dates", "Order date of each line.")
@arg("quantities", "Units on each line.")
@arg("unit_prices", "Optional. Price per unit on each line; adds unit_price and annual_value.")
@arg("as_of", "Optional. Last day of the demand window; default the latest date.")
@arg("window_days", "Optional. Days of history used, default 365.")
@excel_function
def DEMAND_BY_ITEM(items, dates, quantities, unit_prices=None, as_of=None, window_days=365):
    """Demand per item from order lines: annual demand and daily mean and standard deviation (days without sales count as 0)."""  # noqa: E501
    columns = {
        "items": cells.labels("items", cells.column("items", items)),
        "dates": _dates("dates", dates),
        "quantities": _numbers("quantities", quantities),
    }
    if not cells.all_blank(unit_prices):
        columns["unit_prices"] = _numbers("unit_prices", unit_prices)
    used, x = cells.aligned(broadcast=False, **columns)
    table = inventory.demand_by_item(
        x["items"][used],
        x["dates"][used],
        x["quantities"][used],
        as_of=_optional_date("as_of", as_of),
        window_days=cells.optional(window_days, 365),
        unit_prices=x["unit_prices"][used] if "unit_prices" in x else None,
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("skus", "SKU of each order line: one column.")
@arg("dates", "Order date of each line.")
@arg("quantities", "Units on each line (0 or less is not demand).")
@arg("period", 'Optional. "day", "week" (default, Monday start) or "month".')
@arg("as_of", "Optional. Last day counted; default the latest date.")
@excel_function
def DEMAND_CLASS(skus, dates, quantities, period: DemandPeriod = "week", as_of=None):
    """Demand class per SKU from order lines: periods, periods with demand, ADI, CV² and smooth/erratic/intermittent/lumpy (Syntetos-Boylan-Croston)."""  # noqa: E501
    lines = _sku_lines(skus, dates, quantities)
    period = cells.optional(period, "week")
    table = demand.demand_classes(*lines, period, _optional_date("as_of", as_of))
    return cells.to_cells(table)


def _sku_lines(skus, dates, quantities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(skus, dates, quantities) of the order lines, blank rows skipped."""
    used, x = cells.aligned(
        broadcast=False,
        skus=cells.labels("skus", cells.column("skus", skus)),
        dates=_dates("dates", dates),
        quantities=_numbers("quantities", quantities),
    )
    return x["skus"][used], x["dates"][used], x["quantities"][used]


def _number(name: str, value, default=None):
    """One number argument; ``default`` when blank (required when it is None)."""
    value = cells.optional(value, default)
    if value is None:
        raise InputError(f"{name} is required")
    return float(cells.numbers(name, [value])[0])


def _policy_arguments(lead_time, target, target_type, review_period, period) -> dict:
    """The arguments REORDER_POLICY and INVENTORY_BACKTEST share, with their defaults."""
    return {
        "lead_time": _number("lead_time", lead_time),
        "target": _number("target", target, 0.95),
        "target_type": cells.optional(target_type, "fill_rate"),
        "review_period": _number("review_period", review_period, 1),
        "period": cells.optional(period, "week"),
    }


def _stock_on_hand(value):
    """``on_hand`` as a column aligned with the SKUs in sorted order, or a two-column
    sku / units table (a header row is skipped) as {sku: units}; None when blank."""
    if cells.all_blank(value):
        return None
    rows = [r for r in cells.rows_of(value) if not all(cells.is_blank(c) for c in r)]
    if rows and len(rows[0]) == 2:
        if isinstance(rows[0][1], str):  # a header: sku, on_hand
            rows = rows[1:]
        skus = cells.labels("on_hand", [r[0] for r in rows])
        return dict(zip(skus.tolist(), cells.numbers("on_hand", [r[1] for r in rows]).tolist(),
                        strict=True))  # fmt: skip
    return _numbers("on_hand", value)


@xw.func(category=CATEGORY)
@arg("skus", "SKU of each order line: one column.")
@arg("dates", "Order date of each line.")
@arg("quantities", "Units on each line (a return nets its period).")
@arg("horizon", "Optional. Periods ahead, default 13.")
@arg("period", 'Optional. "day", "week" (default, Monday start) or "month".')
@arg("method", 'Optional. "auto" (default: by demand class and a holdout), "croston", '
     '"sba", "tsb", "adida", "imapa" or "ets".')  # fmt: skip
@arg(
    "as_of", "Optional. Last day counted (its period counts if complete); default the latest date."
)
@excel_function
def FORECAST_DEMAND(
    skus, dates, quantities, horizon=13, period: DemandPeriod = "week",
    method: ForecastMethod = "auto", as_of=None,
):  # fmt: skip
    """Demand forecast per SKU and period for slow and lumpy items (Croston, SBA, TSB, ADIDA, IMAPA, ETS; auto picks per SKU), with an 80% interval from the SKU's own demand."""  # noqa: E501
    table = replenishment.forecast_demand(
        *_sku_lines(skus, dates, quantities),
        horizon=int(_number("horizon", horizon, 13)),
        period=cells.optional(period, "week"),
        method=cells.optional(method, "auto"),
        as_of=_optional_date("as_of", as_of),
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("skus", "SKU of each order line: one column.")
@arg("dates", "Order date of each line.")
@arg("quantities", "Units on each line (a return nets its period).")
@arg("lead_time", "Lead time in periods (fractions allowed).")
@arg("target", "Optional. Service target, default 0.95.")
@arg("target_type", 'Optional. "fill_rate" (default: share of units served from stock) or '
     '"cycle_service" (no stock-out in a cycle).')  # fmt: skip
@arg("review_period", "Optional. Periods between orders, default 1.")
@arg("period", 'Optional. "day", "week" (default) or "month".')
@arg("method", 'Optional. Forecast method, default "auto".')
@arg("on_hand", "Optional. Units on hand: a column in SKU order, or a sku / units table.")
@arg("unit_cost", "Optional. Cost per unit (one, or one per SKU in order), for an EOQ.")
@arg("order_cost", "Optional. Cost per order, for an EOQ.")
@arg("holding_rate", "Optional. Holding cost a year as a share of unit cost, for an EOQ.")
@arg(
    "as_of", "Optional. Last day counted (its period counts if complete); default the latest date."
)
@excel_function
def REORDER_POLICY(
    skus, dates, quantities, lead_time, target=0.95, target_type: TargetType = "fill_rate",
    review_period=1, period: DemandPeriod = "week", method: ForecastMethod = "auto",
    on_hand=None, unit_cost=None, order_cost=None, holding_rate=None, as_of=None,
):  # fmt: skip
    """Reorder policy per SKU from order lines: order-up-to level and reorder point for a fill-rate or cycle-service target from the SKU's own demand distribution, safety stock, order quantity and what to order now."""  # noqa: E501
    costs = {}
    for name, value in (("unit_cost", unit_cost), ("order_cost", order_cost),
                        ("holding_rate", holding_rate)):  # fmt: skip
        if not cells.all_blank(value):
            costs[name] = _numbers(name, value) if name == "unit_cost" else _number(name, value)
    table = replenishment.reorder_policy(
        *_sku_lines(skus, dates, quantities),
        **_policy_arguments(lead_time, target, target_type, review_period, period),
        method=cells.optional(method, "auto"),
        on_hand=_stock_on_hand(on_hand),
        as_of=_optional_date("as_of", as_of),
        **costs,
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("skus", "SKU of each order line: one column.")
@arg("dates", "Order date of each line.")
@arg("quantities", "Units on each line (a return nets its period).")
@arg("lead_time", "Lead time in periods.")
@arg("target", "Optional. Service target, default 0.95.")
@arg("target_type", 'Optional. "fill_rate" (default) or "cycle_service".')
@arg("review_period", "Optional. Whole periods between orders, default 1.")
@arg("period", 'Optional. "day", "week" (default) or "month".')
@arg("holdout_periods", "Optional. Periods replayed, default about half a year (26 weeks).")
@arg(
    "as_of", "Optional. Last day counted (its period counts if complete); default the latest date."
)
@excel_function
def INVENTORY_BACKTEST(
    skus, dates, quantities, lead_time, target=0.95, target_type: TargetType = "fill_rate",
    review_period=1, period: DemandPeriod = "week", holdout_periods=None, as_of=None,
):  # fmt: skip
    """How the reorder policy would have done: replays the last periods against what really sold, per SKU and in total (fill rate achieved, stock-out periods, mean stock, orders)."""  # noqa: E501
    holdout = cells.optional(holdout_periods, None)
    table = replenishment.inventory_backtest(
        *_sku_lines(skus, dates, quantities),
        **_policy_arguments(lead_time, target, target_type, review_period, period),
        holdout_periods=None if holdout is None else _number("holdout_periods", holdout),
        as_of=_optional_date("as_of", as_of),
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("cost_of_goods_sold", "Cost of goods sold in the period. A cell or a column.")
@arg("average_inventory", "Average inventory at cost over the same period (> 0).")
@excel_function
def INVENTORY_TURNOVER(cost_of_goods_sold, average_inventory):
    """Inventory turnover: cost of goods sold / average inventory (times per period)."""
    x = _rowwise(cost_of_goods_sold=cost_of_goods_sold, average_inventory=average_inventory)
    return _column_or_scalar(inventory.inventory_turnover(*x.values()))


@xw.func(category=CATEGORY)
@arg("on_hand", "Units on hand. A cell or a column.")
@arg("daily_demand", "Average demand per day.")
@excel_function
def DAYS_OF_SUPPLY(on_hand, daily_demand):
    """Days of supply: units on hand / average daily demand (blank when there is no demand)."""
    x = _rowwise(on_hand=on_hand, daily_demand=daily_demand)
    return _column_or_scalar(inventory.days_of_supply(*x.values()))


# --- Customers ------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@arg("r_score", "Recency score(s), 1..bins.")
@arg("f_score", "Frequency score(s), 1..bins.")
@arg("bins", "Optional. Number of score groups, default 5.")
@excel_function
def RFM_SEGMENT(r_score, f_score, bins=5):
    """Named RFM segment (Champions, Loyal Customers, At Risk, ...) from R and F scores."""
    x = _rowwise(r_score=r_score, f_score=f_score)
    r, f = x["r_score"], x["f_score"]
    names = np.full(len(r), None, dtype=object)
    ok = ~np.isnan(r)
    if ok.any():
        names[ok] = customers.rfm_segment(r[ok], f[ok], cells.optional(bins, 5))
    return names[0] if len(names) == 1 else [[n] for n in names]


def _order_log(customer_ids, order_dates, amounts=None, order_ids=None):
    """The customer/date(/amount) columns of an order log, blank rows skipped; with
    ``order_ids``, one row per order (``core.customers.orders_of``)."""
    columns = {
        "customer_ids": cells.labels("customer_ids", cells.column("customer_ids", customer_ids)),
        "order_dates": _dates("order_dates", order_dates),
    }
    if amounts is not None:
        columns["amounts"] = _numbers("amounts", amounts)
    if not cells.all_blank(order_ids):
        columns["order_ids"] = cells.labels("order_ids", cells.column("order_ids", order_ids))
    used, x = cells.aligned(broadcast=False, **columns)
    ids, when, amount, by_order = (
        x[name][used] if name in x else None
        for name in ("customer_ids", "order_dates", "amounts", "order_ids")
    )
    if by_order is not None:
        ids, when, amount = customers.orders_of(ids, when, amount, by_order)
    return ids, when, amount


@xw.func(category=CATEGORY)
@arg("customer_ids", "Customer of each order: one row per order.")
@arg("order_dates", "Date of each order.")
@arg("amounts", "Value of each order.")
@arg("horizon_months", "Optional. Months ahead to value, default 12.")
@arg("annual_discount_rate", "Optional. Yearly discount rate, default 0.10.")
@arg("as_of", "Optional. End of the observation period; default the latest order date.")
@arg("order_ids", "Optional. Order id of each line: the lines of one order count as one order.")
@arg(
    "model",
    'Optional. "bgnbd" (default), "mbgnbd" (modified BG/NBD), "paretonbd" (Pareto/NBD) or '
    '"auto" (the best holdout fit, or the lowest BIC on a log under 24 weeks).',
)
@excel_function
def CLV(
    customer_ids,
    order_dates,
    amounts,
    horizon_months=12,
    annual_discount_rate=0.10,
    as_of=None,
    order_ids=None,
    model: ClvModel = "bgnbd",
):
    """Customer lifetime value by BG/NBD, modified BG/NBD or Pareto/NBD and Gamma-Gamma: P(alive), expected purchases, order value and discounted CLV with 80 % intervals, churn risk and expected next order."""  # noqa: E501
    ids, when, amount = _order_log(customer_ids, order_dates, amounts, order_ids)
    table = clv.customer_lifetime_value(
        ids,
        when,
        amount,
        cells.optional(horizon_months, 12),
        cells.optional(annual_discount_rate, 0.10),
        _optional_date("as_of", as_of),
        cells.optional(model, "bgnbd"),
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("customer_ids", "Customer of each order: one row per order.")
@arg("order_dates", "Date of each order.")
@arg("amounts", "Value of each order.")
@arg("calibration_end", "Last day the model is fitted on; the orders after it are the holdout.")
@arg("model", 'Optional. "bgnbd" (default), "mbgnbd", "paretonbd" or "auto" (the best fit).')
@arg("as_of", "Optional. End of the holdout; default the latest order date.")
@excel_function
def CLV_CHECK(customer_ids, order_dates, amounts, calibration_end, model: ClvModel = "bgnbd",
              as_of=None):  # fmt: skip
    """Check CLV's purchase model on your own log: fitted up to calibration_end, predicted vs actual purchases after it, by number of earlier purchases, with the mean absolute error."""  # noqa: E501
    ids, when, amount = _order_log(customer_ids, order_dates, amounts)
    table = clv.clv_check(
        ids, when, amount, _required_date("calibration_end", calibration_end),
        cells.optional(model, "bgnbd"), _optional_date("as_of", as_of),
    )  # fmt: skip
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("customer_ids", "Customer of each order: one row per order.")
@arg("order_dates", "Date of each order.")
@arg("period", 'Optional. "month" (default), "week" or "quarter".')
@arg("order_ids", "Optional. Order id of each line: the lines of one order count as one order.")
@excel_function
def COHORT_RETENTION(customer_ids, order_dates, period: CohortPeriod = "month", order_ids=None):
    """Cohort retention matrix: for each first-order cohort, the share of customers ordering again 0, 1, 2... periods later."""  # noqa: E501
    ids, when, _ = _order_log(customer_ids, order_dates, order_ids=order_ids)
    table = customers.cohort_retention(ids, when, cells.optional(period, "month"))
    return cells.to_cells(table)


# --- Trends ---------------------------------------------------------------------------


def _series(value) -> np.ndarray:
    """A series column: trailing blanks dropped, no gaps allowed."""
    y = _numbers("values", value)
    filled = np.flatnonzero(~np.isnan(y))
    if filled.size == 0:
        raise InputError("values is empty")
    y = y[: filled[-1] + 1]
    gaps = np.flatnonzero(np.isnan(y))
    if gaps.size:
        raise InputError(
            f"values is blank in row {gaps[0] + 1}; the series must have no gaps "
            "(enter 0 for a period with no sales)"
        )
    return y


@xw.func(category=CATEGORY)
@arg("values", "The series, oldest first: one column of numbers, no gaps.")
@arg("horizon", "Number of periods to forecast.")
@arg("period", "Optional. Season length (12 monthly, 7 daily); 0 none; blank detects it.")
@arg("dates", "Optional. Evenly spaced dates of the values, to date the forecast.")
@excel_function
def FORECAST_HW(values, horizon, period=None, dates=None):
    """Exponential smoothing (Holt-Winters/ETS, model chosen by AICc) forecast with 80% and 95% prediction intervals."""  # noqa: E501
    y = _series(values)
    when = None
    if not cells.all_blank(dates):
        when = _dates("dates", dates)[: len(y)]
    period = cells.optional(period, None)
    result = timeseries.forecast_ets(y, cells.single("horizon", horizon), period, when)
    return cells.to_cells(result.table)


@xw.func(category=CATEGORY)
@arg("values", "The series, oldest first: one column of numbers, no gaps.")
@excel_function
def SEASONALITY(values):
    """Detected season length (0 when none) and strength of seasonality (0..1)."""
    found = timeseries.detect_seasonality(_series(values))
    return [["season_length", "strength"], [found.period, found.strength]]


@xw.func(category=CATEGORY)
@arg("dates", "Date of each record, e.g. the order dates of an order log.")
@arg("values", "Value of each record, e.g. order amounts.")
@arg("period", 'Optional. "day", "week", "month" (default), "quarter" or "year".')
@arg("how", 'Optional. "sum" (default), "mean", "count", "min" or "max".')
@excel_function
def RESAMPLE(dates, values, period: Period = "month", how: Aggregation = "sum"):
    """Aggregate dated records into an unbroken series of periods (empty periods 0 for sum and count)."""  # noqa: E501
    used, x = cells.aligned(
        broadcast=False, dates=_dates("dates", dates), values=_numbers("values", values)
    )
    period, how = cells.optional(period, "month"), cells.optional(how, "sum")
    return cells.to_cells(timeseries.resample(x["dates"][used], x["values"][used], period, how))


# --- Segments -------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@arg("data", "Table with a header row: one row per customer or market, numeric columns.")
@arg("k_max", "Optional. Largest k to try, default 10.")
@excel_function
def SEGMENT_K(data, k_max=10):
    """Compare k = 2..k_max for k-means: inertia (for the elbow) and mean silhouette (higher is better)."""  # noqa: E501
    _, features, _ = _features(data)
    return cells.to_cells(segmentation.compare_k(features, cells.optional(k_max, 10)))


@xw.func(category=CATEGORY)
@arg("data", "Table with a header row: one row per customer or market, numeric columns.")
@arg("k", 'Number of segments, or "auto".')
@arg("standardize", "Optional. TRUE (default) puts every column on the same scale first.")
@arg("seed", "Optional. Random seed, default 0.")
@excel_function
def SEGMENT_PROFILE(data, k, standardize=True, seed=0):
    """Profile of each k-means segment: size, share and the mean of every column in original units."""  # noqa: E501
    _, features, _ = _features(data)
    names = [n for n in _feature_names(data)]
    scale = cells.flag("standardize", standardize, True)
    seed = cells.optional(seed, 0)
    k = cells.single("k", k)
    if isinstance(k, str) and k.strip().lower() == "auto":
        k = segmentation.best_k(features, 10, scale, seed)
    result = segmentation.kmeans_segments(features, k, standardize_features=scale, seed=seed)
    return cells.to_cells(segmentation.segment_profile(features, result.labels, names))


# --- Order processing -----------------------------------------------------------------


@xw.func(category=CATEGORY)
@arg("order_dates", "Date each order was placed: one row per order.")
@arg("shipped_dates", "Date shipped; blank while not shipped.")
@arg("delivered_dates", "Date delivered; blank while not delivered.")
@arg("promised_dates", "Delivery date promised to the customer.")
@arg("status", 'Optional. Order status; "cancelled" and "returned" are recognised.')
@arg("error_flags", "Optional. 1 or TRUE for an order with a processing error.")
@arg("order_ids", "Optional. Order id of each line: the lines of one order count as one order.")
@excel_function
def ORDER_KPIS(
    order_dates,
    shipped_dates,
    delivered_dates,
    promised_dates,
    status=None,
    error_flags=None,
    order_ids=None,
):
    """Order-processing KPIs by order: cycle times (mean, median, 90th percentile), on-time, perfect-order, error, cancellation and return rates."""  # noqa: E501
    ordered = _dates("order_dates", order_dates)
    n = len(ordered)
    steps = [
        _same_rows(name, _dates(name, value), n)
        for name, value in (
            ("shipped_dates", shipped_dates),
            ("delivered_dates", delivered_dates),
            ("promised_dates", promised_dates),
        )
    ]
    state = _optional_cells("status", status, n)
    flags = _optional_cells("error_flags", error_flags, n)
    ids = _optional_cells("order_ids", order_ids, n)
    if ids is not None:
        ids = cells.labels("order_ids", list(ids))
    is_order = ~np.isnat(ordered)
    orphan = ~is_order & np.any([~np.isnat(step) for step in steps], axis=0)
    if orphan.any():
        raise InputError(
            f"order_dates is blank in row {int(np.flatnonzero(orphan)[0]) + 1}, "
            "where the rest of the row has values"
        )
    if not is_order.any():
        raise InputError("order_dates is empty")
    table = orders.order_kpis(
        ordered[is_order],
        *(step[is_order] for step in steps),
        None if state is None else state[is_order],
        None if flags is None else flags[is_order],
        None if ids is None else ids[is_order],
    )
    return cells.to_cells(table)


def _optional_cells(name: str, value, n: int) -> np.ndarray | None:
    """An optional per-order column as raw cells, or None when omitted."""
    column = cells.column(name, value)
    if all(cells.is_blank(c) for c in column):
        return None
    return _same_rows(name, np.array(column, dtype=object), n)


def _same_rows(name: str, values: np.ndarray, n: int) -> np.ndarray:
    if len(values) != n:
        raise InputError(f"{name} has {len(values)} rows but order_dates has {n}")
    return values


@xw.func(category=CATEGORY)
@arg("start_dates", "Start of each order step, e.g. order date.")
@arg("end_dates", "End of the step, e.g. shipped date; blank while still open.")
@arg("unit", 'Optional. "days" (default) or "hours".')
@excel_function
def CYCLE_TIME(start_dates, end_dates, unit: TimeUnit = "days"):
    """Per-order cycle time end - start in days or hours (blank while the order is open)."""
    start = _dates("start_dates", start_dates)
    end = _same_rows("end_dates", _dates("end_dates", end_dates), len(start))
    last = np.flatnonzero(~np.isnat(start) | ~np.isnat(end))
    if last.size == 0:
        raise InputError("start_dates is empty")
    start, end = start[: last[-1] + 1], end[: last[-1] + 1]
    orphan = np.isnat(start) & ~np.isnat(end)
    if orphan.any():
        raise InputError(
            f"start_dates is blank in row {int(np.flatnonzero(orphan)[0]) + 1} "
            "where end_dates has a date"
        )
    return _column_or_scalar(orders.cycle_time(start, end, cells.optional(unit, "days")))


@xw.func(category=CATEGORY)
@arg("before", "Measurements before the change (e.g. processing hours). Blanks ignored.")
@arg("after", "Measurements after the change. Blanks ignored.")
@arg("higher_is_better", "Optional. TRUE when a higher value is an improvement; default FALSE.")
@excel_function
def IMPACT(before, after, higher_is_better=False):
    """Before/after of two independent samples (Welch t-test, Mann-Whitney). For a daily or weekly series use IMPACT_SERIES: trend and seasons are not an effect."""  # noqa: E501
    a = _numbers("before", _flat("before", before))
    b = _numbers("after", _flat("after", after))
    table = orders.impact(
        a[~np.isnan(a)], b[~np.isnan(b)], cells.flag("higher_is_better", higher_is_better, False)
    )
    return cells.to_cells(table)


def _summary_then_table(rows: list[list], table: pd.DataFrame) -> list[list]:
    """One spill: the summary rows, a blank row, then the table with its header, every
    row as wide as the table."""
    width = max(len(table.columns), *(len(r) for r in rows))
    pad = [list(r) + [None] * (width - len(r)) for r in [*rows, []]]
    return pad + cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("dates", "Date of each period, one row per day, week or month (RESAMPLE an order log first).")
@arg("values", "Value of each period, e.g. daily revenue.")
@arg("change_date", "First day of the change: the periods from it on are the after period.")
@arg(
    "controls",
    "Optional. Columns of series the change did not touch (other regions, a market index).",
)
@arg(
    "period",
    "Optional. Seasonal cycle in periods (7 for a week of days; 0 for none); default detected.",
)
@arg("alpha", "Optional. 1 - alpha intervals; default 0.05 (95 %).")
@excel_function
def IMPACT_SERIES(dates, values, change_date, controls=None, period=None, alpha=0.05):
    """Effect of a change on a series against what the series would have done without it (structural time-series model): summary, verdict, placebo check, then per period."""  # noqa: E501
    columns = {"dates": _dates("dates", dates), "values": _numbers("values", values)}
    if not cells.all_blank(controls):
        rows = cells.rows_of(controls)
        for k in range(len(rows[0])):
            name = f"controls column {k + 1}"
            columns[f"control{k}"] = cells.numbers(name, [r[k] for r in rows])
    used, x = cells.aligned(broadcast=False, **columns)
    extra = [x[name][used] for name in columns if name.startswith("control")]
    result = impact.impact_series(
        x["dates"][used], x["values"][used], _required_date("change_date", change_date),
        np.column_stack(extra) if extra else None, cells.optional(period, None),
        cells.optional(alpha, 0.05),
    )  # fmt: skip
    lines = [["verdict", result.verdict]] + [["check", check] for check in result.checks]
    return _summary_then_table(cells.to_cells(result.summary) + lines, result.periods)


@xw.func(category=CATEGORY)
@arg("dates", "Date of each row: one row per group and period.")
@arg("values", "Value of each row, e.g. a store's daily revenue.")
@arg("groups", "Group of each row: store, region, channel.")
@arg("treated_group", "The group (or a range of groups) the change was made in.")
@arg("change_date", "First day of the change.")
@arg("alpha", "Optional. 1 - alpha intervals; default 0.05 (95 %).")
@excel_function
def IMPACT_DID(dates, values, groups, treated_group, change_date, alpha=0.05):
    """Difference in differences: the effect of a change made in some groups and not others, with a group-clustered interval, the pre-trend test and the effect per period."""  # noqa: E501
    used, x = cells.aligned(
        broadcast=False, dates=_dates("dates", dates), values=_numbers("values", values),
        groups=cells.labels("groups", cells.column("groups", groups)),
    )  # fmt: skip
    treated = [c for c in _flat("treated_group", treated_group) if not cells.is_blank(c)]
    if not treated:
        raise InputError("treated_group is required")
    result = impact.impact_did(
        x["dates"][used], x["values"][used], x["groups"][used], [str(t) for t in treated],
        _required_date("change_date", change_date), cells.optional(alpha, 0.05),
    )  # fmt: skip
    lines = [["verdict", result.verdict]]
    return _summary_then_table(cells.to_cells(result.summary) + lines, result.events)


# --- Risk -----------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@arg("values", 'A column of numbers, or a table of several columns for "iforest".')
@arg("method", 'Optional. "mad" robust z-score (default), "iqr" fences or "iforest".')
@arg("threshold", "Optional. Flag limit: 3.5 for mad, 1.5 IQRs for iqr, 0.6 for iforest.")
@excel_function
def ANOMALIES(values, method: AnomalyMethod = "mad", threshold=None):
    """Flag anomalies: a score and TRUE/FALSE per row, by robust z-score, IQR fences or isolation forest."""  # noqa: E501
    has_header, features, used = _features(values)
    method = cells.optional(method, "mad")
    data = features if features.shape[1] > 1 else features[:, 0]
    table = risk.anomalies(data, method, cells.optional(threshold, None))
    score = _per_row(table["score"].to_numpy(), used, has_header)
    flag = _per_row(table["anomaly"].to_numpy(), used, has_header)
    return [["score", "anomaly"]] + [[s, f] for s, f in zip(score, flag, strict=True)]


@xw.func(category=CATEGORY)
@arg("on_hand", "Units on hand (and on order). A cell or a column.")
@arg("demand_mean", "Average demand per period.")
@arg("demand_sd", "Standard deviation of demand per period.")
@arg("lead_time", "Lead time until replenishment arrives, in periods.")
@arg("lead_time_sd", "Optional. Standard deviation of the lead time; default 0.")
@excel_function
def STOCKOUT_RISK(on_hand, demand_mean, demand_sd, lead_time, lead_time_sd=None):
    """Probability of running out before replenishment arrives (normal lead-time demand)."""
    x = _with_lead_time_sd(
        lead_time_sd,
        on_hand=on_hand,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time=lead_time,
    )
    return _column_or_scalar(risk.stockout_probability(*x.values()))


@xw.func(category=CATEGORY)
@arg("suppliers", "Supplier of each order line: one column.")
@arg("order_dates", "Order date of each line.")
@arg("shipped_dates", "Ship date of each line (blank while not shipped).")
@arg("promised_dates", "Promised delivery date of each line (may be blank).")
@arg("error_flags", "Optional. 1/TRUE where the line had a fulfilment error.")
@excel_function
def SUPPLIER_METRICS(suppliers, order_dates, shipped_dates, promised_dates, error_flags=None):
    """Per supplier: late-shipment rate, error rate, mean days to ship and lines shipped; the input SUPPLIER_RISK ranks."""  # noqa: E501
    used, x = cells.aligned(
        broadcast=False,
        suppliers=cells.labels("suppliers", cells.column("suppliers", suppliers)),
        order_dates=_dates("order_dates", order_dates),
    )
    n = len(cells.column("suppliers", suppliers))
    shipped = _same_rows("shipped_dates", _dates("shipped_dates", shipped_dates), n)
    promised = _same_rows("promised_dates", _dates("promised_dates", promised_dates), n)
    flags = _optional_cells("error_flags", error_flags, n)
    if flags is not None:
        flags = flags[: len(used)][used]
    table = risk.supplier_metrics(
        x["suppliers"][used],
        x["order_dates"][used],
        shipped[: len(used)][used],
        promised[: len(used)][used],
        flags,
    )
    return cells.to_cells(table)


@xw.func(category=CATEGORY)
@arg("table", "Header row, then one row per supplier: name first, then numeric metrics.")
@arg("weights", "Weight of each metric (one cell per metric column).")
@arg("directions", 'Optional. Per metric TRUE/"higher" if higher is better; default all FALSE.')
@excel_function
def SUPPLIER_RISK(table, weights, directions=None):
    """Supplier risk: weighted, normalised score 0-100 and rank (1 = riskiest) from a table of metrics."""  # noqa: E501
    rows = cells.rows_of(table)
    if len(rows) < 2 or len(rows[0]) < 2:
        raise InputError("table needs a header row, supplier names and at least one metric")
    names = cells.labels("table column 1", [r[0] for r in rows[1:]])
    metrics = [[r[j] for j in range(1, len(r))] for r in rows[1:]]
    _, features, used = _features([rows[0][1:]] + metrics)
    w = _numbers("weights", _flat("weights", weights))
    given = _flat("directions", directions)
    better = None
    if not all(cells.is_blank(c) for c in given):
        better = [_higher_is_better(c) for c in given]
    # used covers the header row and stops at the last non-blank row.
    result = risk.supplier_risk(names[: len(used) - 1][used[1:]], features, w, better)
    return cells.to_cells(result)


def _higher_is_better(cell) -> bool:
    """A direction cell: "higher"/"lower", or TRUE/FALSE meaning higher is better."""
    word = str(cell).strip().lower()
    if word in ("higher", "lower"):
        return word == "higher"
    return cells.flag("directions", cell, False)


@xw.func(category=CATEGORY)
@arg("likelihood", "Likelihood score 1-5. A cell or a column.")
@arg("impact", "Impact score 1-5.")
@excel_function
def RISK_MATRIX(likelihood, impact):
    """Risk rating likelihood x impact (1-25) and level Low/Medium/High/Critical on the 5x5 matrix."""  # noqa: E501
    x = _rowwise(likelihood=likelihood, impact=impact)
    rating, level = risk.risk_matrix(x["likelihood"], x["impact"])
    return _row_table(rating=rating, level=level)
