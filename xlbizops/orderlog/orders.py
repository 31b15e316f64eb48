"""From order lines to orders: one row per order id, written once as data.

:data:`ORDER_ROLLUP` says how each field of an order comes from its lines (return
lines left out: they refund an order, they are not one); :func:`rollup_frame`
computes it with pandas for the Excel functions, :func:`rollup_expr` as an Ibis
aggregation for the report's engines.  The order rules over its result
(on time, perfect, …) are ``orderlog.rules.ORDER_COUNTS``.

An order is ordered and shipped when its first line was; **delivered when its last
line that is not cancelled was** (not delivered while one such line is not);
promised when each such line has a promise, for the latest of them; ``late`` counts
its lines delivered on a later day than their own promise, so an order is on time
only when every line was (a late second line is not hidden behind the first); it is
cancelled, returned or in error when any line is.  For customers: ``first_sale`` is
its earliest sale line's date, ``customer_id`` the least among its sale lines (one,
in any sound log), ``amount`` their sum and ``sales`` their number (0: not a sale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlbizops.orderlog import rules
from xlbizops.orderlog.rules import CANCELLED, GOING, IN_ERROR, LATE, RETURNED, SALE


@dataclass(frozen=True)
class Agg:
    """One field of an order from its lines: ``how`` of ``field`` over the lines where
    ``where`` holds.  ``how``: "min", "max", "sum"; "count" (lines where ``where``
    holds); "any" (1 if some line holds ``where``, else 0); "all_max" (the latest
    ``field`` of the ``where`` lines if each has one, else blank)."""

    how: str
    field: str | None = None
    where: object = rules.ALWAYS


ORDER_ROLLUP = {
    "first_sale": Agg("min", "order_date", SALE),
    "customer_id": Agg("min", "customer_id", SALE),
    "amount": Agg("sum", "amount", SALE),
    "sales": Agg("count", where=SALE),
    "ordered": Agg("min", "order_date"),
    "shipped": Agg("min", "shipped_date"),
    "delivered": Agg("all_max", "delivered_date", GOING),
    "promised": Agg("all_max", "promised_date", GOING),
    "late": Agg("count", where=LATE),
    "cancelled": Agg("any", where=CANCELLED),
    "returned": Agg("any", where=RETURNED),
    "error": Agg("any", where=IN_ERROR),
}
SALES_FIELDS = ("first_sale", "customer_id", "amount", "sales")
PROCESSING_FIELDS = tuple(f for f in ORDER_ROLLUP if f not in SALES_FIELDS)


def rollup_frame(order_ids, columns: dict, wanted=tuple(ORDER_ROLLUP)) -> pd.DataFrame:
    """:data:`ORDER_ROLLUP`'s ``wanted`` fields, one row per order id (in order of
    first appearance), from numpy columns of lines (as ``rules.evaluate`` takes them)
    that are not return lines.  ``order_ids`` None: each line is an order."""
    n = len(next(iter(columns.values())))
    if order_ids is None:
        codes, count = np.arange(n), n
    else:
        codes, uniques = pd.factorize(pd.Series(order_ids, dtype=object), use_na_sentinel=False)
        count = len(uniques)
    one_line = count == n and (order_ids is None or bool((np.diff(codes) == 1).all()))
    out = {}
    for name in wanted:
        agg = ORDER_ROLLUP[name]
        where = rules.evaluate(agg.where, columns, n)
        values = columns.get(agg.field) if agg.field else None
        if agg.field and values is None:
            continue
        out[name] = _one(agg, where, values) if one_line else _grouped(agg, where, values, codes)
    return pd.DataFrame(out)


def _one(agg: Agg, where: np.ndarray, values):
    """The aggregate over orders of one line each."""
    if agg.how in ("count", "any"):
        return where.astype(np.int64)
    kept = values.copy()
    kept[~where] = _blank_of(values)
    return kept


def _blank_of(values):
    if values.dtype.kind == "M":
        return np.datetime64("NaT")
    return np.nan if values.dtype.kind == "f" else None


def _grouped(agg: Agg, where: np.ndarray, values, codes: np.ndarray):
    """The aggregate per code, in code order."""
    if agg.how in ("count", "any"):
        counts = np.bincount(codes, weights=where, minlength=codes.max(initial=-1) + 1)
        counts = counts.astype(np.int64)
        return (counts > 0).astype(np.int64) if agg.how == "any" else counts
    series = pd.Series(values).where(where)
    group = series.groupby(codes, sort=True)
    if agg.how == "sum":
        return group.sum(min_count=1).to_numpy()
    if agg.how == "min":
        return group.min().to_numpy()
    if agg.how == "max":
        return group.max().to_numpy()
    if agg.how == "all_max":
        wanted = pd.Series(where).groupby(codes, sort=True).sum().to_numpy()
        known = group.count().to_numpy()
        latest = group.max().to_numpy()
        return np.where(known == wanted, latest, _blank_of(np.asarray(latest)))
    raise ValueError(f"unknown aggregate {agg.how!r}")


def rollup_expr(lines, wanted=tuple(ORDER_ROLLUP), one_line: bool = False, held=None):
    """:data:`ORDER_ROLLUP`'s ``wanted`` fields as an Ibis aggregation of ``lines``
    (return lines left out by the caller) by ``order_id``; with ``one_line`` (every
    order id on one line: nothing to group, the costliest step on a big log) a
    projection of the lines.  ``held``: as ``rules.expr`` takes it."""
    import ibis

    def ones(condition):
        return condition.ifelse(1, 0)

    out = {}
    for name in wanted:
        agg = ORDER_ROLLUP[name]
        if agg.field and agg.field not in lines.columns:
            continue
        where = rules.expr(agg.where, lines, held)
        column = lines[agg.field] if agg.field else None
        null = ibis.null(column.type()) if column is not None else None
        constant = rules.constant(where)
        if constant is not None and agg.how in ("count", "any"):
            # a rule over fields the lines lack: no line holds it (or every line does)
            out[name] = (
                lines.count()
                if constant and agg.how == "count" and not one_line
                else (ibis.literal(int(constant)))
            )
        elif one_line:
            if agg.how in ("count", "any"):
                out[name] = ones(where)
            else:
                out[name] = where.ifelse(column, null)
        elif agg.how == "count":
            out[name] = ones(where).sum()
        elif agg.how == "any":
            out[name] = ones(where).max()
        elif agg.how == "all_max":
            complete = column.count(where=where) == ones(where).sum()
            out[name] = complete.ifelse(column.max(where=where), null)
        else:
            out[name] = getattr(column, agg.how)(where=where)
    if one_line:
        return lines.select(order_id=lines.order_id, **out)
    return lines.group_by("order_id").aggregate(**out)


def count_orders(orders: pd.DataFrame | dict) -> dict[str, int]:
    """``rules.ORDER_COUNTS`` over a rolled-up order table (numpy face)."""
    columns = {k: np.asarray(v) for k, v in dict(orders).items()}
    n = len(next(iter(columns.values())))
    return {
        name: int(rules.evaluate(rule, columns, n).sum())
        for name, rule in rules.ORDER_COUNTS.items()
    }


def count_orders_expr(orders):
    """``rules.ORDER_COUNTS`` over an order table, as one Ibis aggregation."""
    import ibis

    counts = {}
    for name, rule in rules.ORDER_COUNTS.items():
        holds = rules.expr(rule, orders)
        constant = rules.constant(holds)
        if constant is None:
            counts[name] = holds.ifelse(1, 0).sum().fill_null(0)
        else:
            counts[name] = orders.count() if constant else ibis.literal(0)
    return orders.aggregate(**counts)
