"""Which order lines the report rejects, and which dates it blanks: written once, as
rules (``orderlog.rules``), applied by the file reader in pandas
(``report.inputs.clean_orders``) and by the engines in Ibis (``report.sources.clean``).

A line is rejected, for the first reason that holds, when a required field
(``schema.REQUIRED``: order date, customer, amount) is blank or unreadable, or its
order date falls before ``earliest`` (a typo: default 1990-01-01) or after
``latest`` (the as-of date; the report's default is today).  A ship or delivery date
before the order's day is blanked, not rejected: the order still counts.  The
cleaning holds ``_blank_<field>`` for each required field (the cell was blank
before it was read) beside the read value, which is null when unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlbizops.orderlog.rules import Above, Below, Flagged, LaterDay, Not, Present, all_of
from xlbizops.orderlog.schema import REQUIRED

EARLY_BLANKED = ("shipped_date", "delivered_date")  # blanked when before the order's day


@dataclass(frozen=True)
class Rejection:
    reason: str  # as the About sheet counts it
    rule: object


def blank_flag(field: str) -> str:
    """The cleaning's column saying the cell was blank before it was read."""
    return f"_blank_{field}"


def rejections(earliest, latest) -> list[Rejection]:
    """The reasons a line is rejected, in the order they are tried."""
    first, last = pd.Timestamp(earliest), pd.Timestamp(latest).normalize()
    out = []
    for field in REQUIRED:
        blank = Flagged(blank_flag(field))
        out.append(Rejection(f"blank {field}", blank))
        out.append(Rejection(f"unreadable {field}", all_of(Not(blank), Not(Present(field)))))
    out.append(Rejection(f"order date before {first:%Y-%m-%d}", Below("order_date", first)))
    end = last + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # the whole last day
    out.append(Rejection(f"order date after {last:%Y-%m-%d}", Above("order_date", end)))
    return out


def early(field: str):
    """The rule: ``field`` (a ship or delivery date) falls on a day before the order's."""
    return LaterDay("order_date", field)


PRICE_NOTE = (
    "unit_price: derived as amount / quantity (the log has no price column); lines "
    "without a positive quantity have none"
)


def derives_price(fields) -> bool:
    """Whether the cleaning derives ``unit_price``: the log has SKU, quantity and amount
    but no price, and the product analyses need one."""
    return "unit_price" not in fields and {"sku", "quantity", "amount"} <= set(fields)


def derived_price(amount, quantity):
    """unit price = amount / quantity where quantity > 0, else blank; numpy arrays."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(quantity > 0, amount / quantity, np.nan)


def derived_price_expr(t):
    """:func:`derived_price` in any engine."""
    import ibis

    return (t.quantity > 0).ifelse(t.amount / t.quantity, ibis.null("float64"))
