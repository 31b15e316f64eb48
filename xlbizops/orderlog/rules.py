"""Which order lines (and orders) are sales, demand, cancelled, returned, late, in error.

Each rule is written once, as data (a small tree of the leaves below), and every face
derives from that one definition:

- :func:`evaluate` — numpy, for the Excel functions (no ibis there: xlwings Lite);
- :func:`expr` — an Ibis boolean expression, for the report's engines;
- :func:`formula` — Excel formula text, for the template's FILTER conditions.

Leaves are False where their field is missing or blank (a line without a status is
in no status; a blank date is never late), so ``Not`` of a leaf is True there.
Statuses compare without case and surrounding spaces on every face (Excel's ``=`` is
case-blind; ``TRIM`` takes the spaces).

The rules (``core.rules`` holds the business reasons; Heizer & Render, *Operations
Management*, ch. 12, for demand; APQC/SCOR "perfect order" for the order KPIs):

- a **return line** has a negative amount or quantity; it nets the sale it refunds;
- a **sale** is a line whose status is neither cancelled nor returned; **revenue**
  counts sales and return lines; a **customer order** line is a sale, not a return;
- **demand** left the warehouse: not cancelled, not a return line;
- a line is **late** when delivered on a later day than promised; it **shipped late**
  when it left after half of the promised window (at least a day) had gone;
- a line is **in error** when its error flag is set (``values.flag_of``'s words).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xlbizops.orderlog.values import TRUE_WORDS

SALES_EXCLUDE = ("cancelled", "returned")  # statuses that are not revenue
DEMAND_EXCLUDES = ("cancelled",)  # statuses that never left the warehouse


# --- the leaves and their combinations ---------------------------------------------------


@dataclass(frozen=True)
class Status:
    """The line's status is one of ``words``."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Below:
    """``field`` < ``value`` (a negative amount: ``Below("amount", 0)``; a date
    before a day: a ``pd.Timestamp`` value)."""

    field: str
    value: object = 0.0


@dataclass(frozen=True)
class Above:
    """``field`` > ``value``."""

    field: str
    value: object = 0.0


@dataclass(frozen=True)
class Present:
    """``field`` is not blank."""

    field: str


@dataclass(frozen=True)
class Flagged:
    """``field`` is a set flag: 1 once cleaned; in a cell, a word of ``TRUE_WORDS``."""

    field: str


@dataclass(frozen=True)
class LaterDay:
    """``field`` falls on a later calendar day than ``other`` (both present)."""

    field: str
    other: str


@dataclass(frozen=True)
class ShippedLate:
    """Shipped after ``share`` of the promised window (order to promised day, at least
    ``at_least`` days) had gone, in whole days since the order: too little time left
    for transit.  Unknown (no ship or promise date) is not late."""

    share: float = 0.5
    at_least: float = 1.0


@dataclass(frozen=True)
class Not:
    rule: object


@dataclass(frozen=True)
class AllOf:
    rules: tuple


@dataclass(frozen=True)
class AnyOf:
    rules: tuple


def all_of(*rules) -> AllOf:
    return AllOf(tuple(rules))


def any_of(*rules) -> AnyOf:
    return AnyOf(tuple(rules))


ALWAYS = AllOf(())

# --- the order-line rules ----------------------------------------------------------------

CANCELLED = Status(("cancelled",))
RETURNED = Status(("returned",))
RETURN_LINE = any_of(Below("amount"), Below("quantity"))
SALE = Not(Status(SALES_EXCLUDE))
REVENUE = any_of(SALE, RETURN_LINE)
CUSTOMER_ORDER = all_of(SALE, Not(RETURN_LINE))
DEMAND = all_of(Not(Status(DEMAND_EXCLUDES)), Not(RETURN_LINE))
GOING = Not(CANCELLED)  # a line that is to be delivered
LATE = LaterDay("delivered_date", "promised_date")
SHIPPED_LATE = ShippedLate()  # xlbizops' own cut-off: core.risk.supplier_metrics
IN_ERROR = Flagged("error_flag")
LINE_RULES = {
    "return_line": RETURN_LINE,
    "sale": SALE,
    "revenue": REVENUE,
    "customer_order": CUSTOMER_ORDER,
    "demand": DEMAND,
    "cancelled": CANCELLED,
    "returned": RETURNED,
    "late": LATE,
    "shipped_late": SHIPPED_LATE,
    "in_error": IN_ERROR,
}

# --- the order rules, over one row per order (``orderlog.orders.ORDER_ROLLUP``) ----------

SHIPPED = Present("shipped")
DELIVERED = Present("delivered")
WITH_PROMISE = all_of(DELIVERED, Present("promised"))
ON_TIME = all_of(WITH_PROMISE, Not(Above("late")))  # every line by its own promise
ORDER_CANCELLED, ORDER_RETURNED, ORDER_ERROR = (
    Flagged("cancelled"), Flagged("returned"), Flagged("error")
)  # fmt: skip
# core.orders.kpi_table's counts: each the number of orders the rule holds for.
ORDER_COUNTS = {
    "orders": ALWAYS,
    "open": all_of(Not(SHIPPED), Not(ORDER_CANCELLED)),
    "in_transit": all_of(SHIPPED, Not(DELIVERED)),
    "delivered": DELIVERED,
    "on_time": ON_TIME,
    "with_promise": WITH_PROMISE,
    "perfect": all_of(ON_TIME, Not(ORDER_ERROR), Not(ORDER_RETURNED)),
    "errors": all_of(ORDER_ERROR, Not(ORDER_CANCELLED)),
    "not_cancelled": Not(ORDER_CANCELLED),
    "cancelled": ORDER_CANCELLED,
    "returned": ORDER_RETURNED,
}


def fields_of(rule) -> set[str]:
    """The fields a rule reads."""
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(fields_of(r) for r in rule.rules))
    if isinstance(rule, Not):
        return fields_of(rule.rule)
    if isinstance(rule, Status):
        return {"status"}
    if isinstance(rule, LaterDay):
        return {rule.field, rule.other}
    if isinstance(rule, ShippedLate):
        return {"order_date", "shipped_date", "promised_date"}
    return {rule.field}


# --- numpy ---------------------------------------------------------------------------------


def status_words(values) -> np.ndarray:
    """Statuses as the rules compare them: text, trimmed, lower case; blank is ""."""
    import pandas as pd

    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    words = pd.Series(distinct, dtype=object).astype(str).str.strip().str.lower().to_numpy()
    out = np.append(words, "").astype(object)  # code -1 (missing) takes the last: ""
    return out[codes]  # each distinct status worked out once


def evaluate(rule, columns: dict, n: int | None = None) -> np.ndarray:
    """The rule over numpy columns (name → array; ``status`` as :func:`status_words`
    gives it, flags as numbers, dates as ``datetime64``): a boolean array.  A field
    the columns lack makes its leaf all False.

    >>> cols = {"amount": np.array([5.0, -5.0, 9.0]), "status": np.array(["", "", "cancelled"])}
    >>> evaluate(REVENUE, cols).tolist(), evaluate(DEMAND, cols).tolist()
    ([True, True, False], [True, False, False])
    """
    if n is None:
        n = len(next(iter(columns.values())))
    if isinstance(rule, AllOf):
        out = np.ones(n, dtype=bool)
        for part in rule.rules:
            out &= evaluate(part, columns, n)
        return out
    if isinstance(rule, AnyOf):
        out = np.zeros(n, dtype=bool)
        for part in rule.rules:
            out |= evaluate(part, columns, n)
        return out
    if isinstance(rule, Not):
        return ~evaluate(rule.rule, columns, n)
    if any(columns.get(f) is None for f in fields_of(rule)):
        return np.zeros(n, dtype=bool)
    if isinstance(rule, Status):
        return np.isin(columns["status"], rule.words)
    if isinstance(rule, ShippedLate):
        ordered = columns["order_date"]
        days = (columns["shipped_date"] - ordered) / np.timedelta64(1, "D")
        window = (columns["promised_date"] - ordered) / np.timedelta64(1, "D")
        with np.errstate(invalid="ignore"):
            return np.floor(days) > np.maximum(np.floor(window), rule.at_least) * rule.share
    values = columns[rule.field]
    if isinstance(rule, Below):
        return np.asarray(values < rule.value, dtype=bool)
    if isinstance(rule, Above):
        return np.asarray(values > rule.value, dtype=bool)
    if isinstance(rule, Flagged):
        return np.asarray(values == 1, dtype=bool)
    if isinstance(rule, Present):
        return ~_blank(values)
    if isinstance(rule, LaterDay):
        day, other = _days(values), _days(columns[rule.other])
        return ~_blank(values) & ~_blank(columns[rule.other]) & (day > other)
    raise TypeError(f"not a rule: {rule!r}")


def _blank(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "M":
        return np.isnat(values)
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.array([v is None or v != v or v == "" for v in values], dtype=bool)


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]")


# --- Ibis ----------------------------------------------------------------------------------


def expr(rule, t, held: dict | None = None):
    """The rule as an Ibis boolean expression over table ``t`` (cleaned lines of
    ``orderlog.schema.LINE_SCHEMA``, or an order table), never null.  ``held`` maps
    rules to columns of ``t`` that already hold them (``orderlog.sums.classify``
    works each out once): those are read, not worked out again."""
    import ibis

    if held and rule in held and held[rule] in t.columns:
        return t[held[rule]]

    if isinstance(rule, AllOf | AnyOf):
        every = isinstance(rule, AllOf)  # All: False wins, True drops out; Any: the reverse
        parts = []
        for part in rule.rules:
            found = expr(part, t, held)
            value = constant(found)
            if value is None:
                parts.append(found)
            elif value != every:
                return ibis.literal(value)
        if not parts:
            return ibis.literal(every)
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if every else (out | part)
        return out
    if isinstance(rule, Not):
        found = expr(rule.rule, t, held)
        value = constant(found)
        return ~found if value is None else ibis.literal(not value)
    if not fields_of(rule) <= set(t.columns):
        return ibis.literal(False)
    if isinstance(rule, Status):
        return t.status.strip().lower().isin(list(rule.words)).fill_null(False)
    if isinstance(rule, ShippedLate):
        days = whole_days(t.shipped_date, t.order_date)
        window = whole_days(t.promised_date, t.order_date)
        late = window.notnull() & (days > ibis.greatest(window, rule.at_least) * rule.share)
        return late.fill_null(False)  # greatest() skips a null window: checked first
    column = t[rule.field]
    value = getattr(rule, "value", None)
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(rule, Below):
        found = column < value
    elif isinstance(rule, Above):
        found = column > value
    elif isinstance(rule, Flagged):
        found = column if column.type().is_boolean() else column == 1
    elif isinstance(rule, Present):
        return column.notnull()
    elif isinstance(rule, LaterDay):
        found = column.date() > t[rule.other].date()
    else:
        raise TypeError(f"not a rule: {rule!r}")
    return found.fill_null(False)


def whole_days(end, start):
    """Whole days from ``start`` to ``end`` (Ibis timestamps), as numpy's floor of
    timedelta64 / 1 day: (seconds between) / 86,400, floored."""
    diff = end.epoch_seconds().cast("int64") - start.epoch_seconds().cast("int64")
    return (diff / 86400).floor()


def constant(found) -> bool | None:
    """True or False for a rule :func:`expr` found to read no column (its fields are
    not in the table), else None."""
    op = found.op()
    return bool(op.value) if type(op).__name__ == "Literal" else None


# --- Excel -----------------------------------------------------------------------------------


def formula(rule) -> str:
    """The rule as Excel formula text over the order log's named columns (``status``,
    ``amount``, …): an array of TRUE/FALSE or 1/0, for ``FILTER(column, rule)``.

    >>> formula(RETURN_LINE)
    '(((amount<0)+(quantity<0))>0)'
    """
    if isinstance(rule, AllOf):
        return "(" + "*".join(formula(r) for r in rule.rules) + ")" if rule.rules else "1"
    if isinstance(rule, AnyOf):
        return "((" + "+".join(formula(r) for r in rule.rules) + ")>0)" if rule.rules else "0"
    if isinstance(rule, Not):
        return f"(1-{formula(rule.rule)})"
    if isinstance(rule, Status):
        return _one_of("TRIM(status)", rule.words)
    if isinstance(rule, Below):
        return f"({rule.field}<{rule.value:g})"
    if isinstance(rule, Above):
        return f"({rule.field}>{rule.value:g})"
    if isinstance(rule, Present):
        return f'({rule.field}<>"")'
    if isinstance(rule, Flagged):
        return _one_of(f'TRIM({rule.field}&"")', TRUE_WORDS)
    if isinstance(rule, LaterDay):
        a, b = rule.field, rule.other
        return f'(({a}<>"")*({b}<>"")*(INT({a})>INT({b})))'
    if isinstance(rule, ShippedLate):
        days = "INT(shipped_date-order_date)"
        whole = "INT(promised_date-order_date)"  # MAX would take the whole column's max
        window = f"IF({whole}>{rule.at_least:g},{whole},{rule.at_least:g})"
        known = '(shipped_date<>"")*(promised_date<>"")'
        return f"({known}*({days}>{window}*{rule.share:g}))"
    raise TypeError(f"not a rule: {rule!r}")


def _one_of(text: str, words) -> str:
    """``text`` equals one of ``words`` (Excel's ``=`` ignores case)."""
    if len(words) == 1:
        return f'({text}="{words[0]}")'
    return "((" + "+".join(f'({text}="{w}")' for w in words) + ")>0)"
