"""Excel functions (xlwings UDFs): put ``xlbizops.udfs`` under "UDF Modules".

Each function only converts: cells → core inputs (``xlbizops.excel.cells``), one
call into ``xlbizops.core``, results → cells.  Element-wise functions (EOQ) give one
value per input row, aligned with it; table functions spill a header row first.
Bad input returns one line of text naming the argument (``xlbizops.excel.guard``).
"""

from __future__ import annotations

import numpy as np
import xlwings as xw

from xlbizops.core import customers, inventory, segmentation, timeseries
from xlbizops.core.errors import InputError
from xlbizops.excel import cells
from xlbizops.excel.guard import excel_function

CATEGORY = "xlbizops"


def arg(name: str, doc: str):
    """Every argument: rows of cells (ndim=2) and Excel errors as text, never None.

    Without ``err_to_str`` xlwings hands a ``#N/A`` cell over as ``None``, which would
    read as a blank cell and silently drop the row.
    """
    return xw.arg(name, ndim=2, err_to_str=True, doc=doc)


def _numbers(name: str, value) -> np.ndarray:
    return cells.numbers(name, cells.column(name, value))


def _column_or_scalar(values: np.ndarray):
    """A scalar for a single row, else a column aligned with the input rows."""
    if len(values) == 1:
        return float(values[0])
    return cells.column_of(values)


@xw.func(category=CATEGORY)
@arg("annual_demand", "Demand per year, in units. A cell or a column.")
@arg("order_cost", "Fixed cost of placing one order (> 0). A cell or a column.")
@arg("holding_cost", "Cost of holding one unit for a year (> 0). A cell or a column.")
@excel_function
def EOQ(annual_demand, order_cost, holding_cost):
    """Economic order quantity sqrt(2*D*S/H): the order size with the lowest ordering plus holding cost per year."""  # noqa: E501
    _, x = cells.aligned(
        annual_demand=_numbers("annual_demand", annual_demand),
        order_cost=_numbers("order_cost", order_cost),
        holding_cost=_numbers("holding_cost", holding_cost),
    )
    quantity = inventory.economic_order_quantity(
        x["annual_demand"], x["order_cost"], x["holding_cost"]
    )
    return _column_or_scalar(quantity)


@xw.func(category=CATEGORY)
@arg("customer_ids", "Customer of each order: a column, one row per order.")
@arg("order_dates", "Date of each order: dates, Excel serials or yyyy-mm-dd text.")
@arg("amounts", "Value of each order (refunds negative).")
@arg("as_of", "Optional. Date recency is counted to; default the day after the latest order.")
@arg("weights", "Optional. 3 cells: weights of R, F and M in the score; default 1/3 each.")
@arg("bins", "Optional. Number of score groups, default 5 (quintiles).")
@excel_function
def RFM_SCORE(customer_ids, order_dates, amounts, as_of=None, weights=None, bins=5):
    """RFM table per customer: recency, frequency, monetary, R/F/M quantile scores, score = w1*R + w2*F + w3*M, and named segment."""  # noqa: E501
    used, x = cells.aligned(
        broadcast=False,
        customer_ids=cells.labels("customer_ids", cells.column("customer_ids", customer_ids)),
        order_dates=cells.dates("order_dates", cells.column("order_dates", order_dates)),
        amounts=_numbers("amounts", amounts),
    )
    as_of = cells.optional(as_of, None)
    if as_of is not None:
        as_of = cells.dates("as_of", [as_of])[0]
    weights = cells.optional(weights, None) if not isinstance(weights, list) else weights
    if weights is None or all(cells.is_blank(c) for c in cells.column("weights", weights)):
        weights = (1 / 3, 1 / 3, 1 / 3)
    else:
        weights = cells.numbers("weights", _flat("weights", weights))
        if np.isnan(weights).any():
            raise InputError("weights must be 3 numbers, for R, F and M (found a blank)")
    table = customers.rfm_table(
        x["customer_ids"][used],
        x["order_dates"][used],
        x["amounts"][used],
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
def DECOMPOSE(values, period, model="additive", method="classical"):
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
@arg("k", "Number of segments (2 or more).")
@arg("standardize", "Optional. TRUE (default) puts every column on the same scale first.")
@arg("seed", "Optional. Random seed, default 0; the same input always gives the same answer.")
@excel_function
def SEGMENT(data, k, standardize=True, seed=0):
    """k-means market segmentation: a column headed 'segment' with the segment number 1..k of each row."""  # noqa: E501
    has_header, columns = _feature_table(data)
    used, x = cells.aligned(broadcast=False, **columns)
    features = np.column_stack([c[used] for c in x.values()])
    result = segmentation.kmeans_segments(
        features,
        cells.single("k", k),
        standardize_features=cells.flag("standardize", standardize, True),
        seed=cells.optional(seed, 0),
    )
    labels = cells.spread(result.labels, used)[1 if has_header else 0 :]
    return [["segment"]] + [[s] for s in labels]
