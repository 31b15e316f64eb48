"""The order log's sums for the report, written once as Ibis expressions.

Every analysis of the report starts from one of these sums over the cleaned order
lines (schema: ``orderlog.schema.LINE_SCHEMA``; which lines count: ``orderlog.rules``;
orders from lines: ``orderlog.orders``); the models — RFM scores, the CLV fits,
k-means, ETS, decomposition — then run in Python on their results, which are small:
one row per customer, SKU, day or month.  Whatever holds the lines executes them:
DuckDB for a file in memory, a glob of Parquet or CSV files or a DuckDB database;
the database named by a URL; Spark.  So a log bigger than memory, or one that lives
in a warehouse, gives the same report as a CSV file.

Days are counted as whole days since 1970-01-01 and months as pandas' monthly
period ordinals ((year − 1970)·12 + month − 1), integers every backend groups alike.
Money sums are rounded to 1e-6 so that engines adding in a different order give
the same cents and the same RFM ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from xlbizops.orderlog import orders as rollup
from xlbizops.orderlog import rules
from xlbizops.orderlog.schema import LINE_SCHEMA

DAY_SECONDS = 86400
MOVER_DAYS = 90  # top sellers and decliners: the last 90 days against the 90 before
MONEY_DECIMALS = 6


@dataclass
class Aggregates:
    """What the report's analyses need from an order log, all of it small."""

    as_of: pd.Timestamp
    fields: frozenset[str]
    daily_revenue: pd.DataFrame  # day, revenue (revenue lines: core.rules)
    monthly_orders: pd.DataFrame  # month, orders, customers
    customers: pd.DataFrame  # per customer, see :func:`customer_sums`
    cohorts: pd.DataFrame  # cohort, offset, customers (month ordinals)
    last_month: int
    demand: pd.DataFrame | None = None  # per sku: total, squares, value, priced_qty
    monthly_demand: pd.DataFrame | None = None  # sku, month, quantity (12 months)
    weekly_demand: pd.DataFrame | None = None  # sku, week (Monday's day number), quantity
    sold: pd.DataFrame | None = None  # sku, month, quantity (headline months, COGS)
    movers: pd.DataFrame | None = None  # sku, window (0 last 90 days, 1 the 90 before), Σq, Σamount
    order_counts: dict | None = None  # core.orders.kpi_table's counts
    spans: dict = field(default_factory=dict)  # name → (days, orders)
    order_on_time: pd.DataFrame | None = None  # month, hits, known (per order)
    suppliers: pd.DataFrame | None = None  # core.risk.supplier_metrics' table
    emails: pd.DataFrame | None = None  # customer_id, email (the last one written)
    calibration_end: pd.Timestamp | None = None  # a "calibration" cutoff in customers
    daily_orders: pd.DataFrame | None = None  # day, orders, on-time hits and known,
    # delivered orders and their order-to-delivery days (asked for by ``per_day``)


def arrow_lines(lines: pd.DataFrame, threads: int | None = None, fields=()):
    """Cleaned order lines in a DataFrame as an Arrow table of :data:`LINE_SCHEMA`'s
    columns, ready for DuckDB: error flags as numbers, timestamps in microseconds
    (DuckDB's EXTRACT misreads the year of nanosecond ones: 62099).  ``fields`` the
    lines lack are added empty (files of one log with more or fewer columns)."""
    import pyarrow as pa

    empty = {"string": None, "timestamp": pd.NaT, "float64": np.nan, "boolean": False}
    missing = {f: empty[LINE_SCHEMA[f]] for f in fields if f not in lines}
    if missing:
        lines = lines.assign(**missing)
        lines = lines.astype(
            {f: "datetime64[us]" for f in missing if LINE_SCHEMA[f] == "timestamp"}
        )
    frame = lines[[c for c in LINE_SCHEMA if c in lines]]
    if "error_flag" in frame:
        frame = frame.assign(error_flag=frame["error_flag"].astype(float))
    stamps = [c for c in frame if str(frame[c].dtype).startswith("datetime64")]
    frame = frame.astype({c: "datetime64[us]" for c in stamps})
    return pa.Table.from_pandas(frame, preserve_index=False, nthreads=threads)


def ones(condition):
    """1 where ``condition`` holds, else 0 (null stays null): a count or share of a
    condition.  Not a cast: Postgres casts no boolean to a number."""
    return condition.ifelse(1, 0)


def day_number(stamp):
    """Whole days since 1970-01-01 of a timestamp column."""
    return (stamp.epoch_seconds().cast("int64") / DAY_SECONDS).floor().cast("int64")


WEEKS_OF_DEMAND = 104  # the weekly demand history replenishment reads


def day_of(stamp) -> int:
    """:func:`day_number` of one date: whole days since 1970-01-01."""
    return int((pd.Timestamp(stamp).normalize() - pd.Timestamp(0)).days)


def month_number(stamp):
    """Pandas' monthly period ordinal of a timestamp column."""
    return (stamp.year().cast("int64") - 1970) * 12 + stamp.month().cast("int64") - 1


def _days(ordinals) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(ordinals, dtype="int64"), unit="D"))


def _money(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), MONEY_DECIMALS)


def classify(t):
    """The lines, each classified once for every query after: ``day`` and ``month``
    numbers, and ``sale``, ``demand``, ``cancelled`` and ``returned`` (``orderlog.rules``;
    all False where the log has no status).  Held by the engine (when the engine
    cleans a log, in the same pass: ``report.sources.clean``), the statuses are read
    once rather than in each of the queries that need them."""
    lines = t.mutate(
        day=day_number(t.order_date),
        month=month_number(t.order_date),
        **{name: rules.expr(getattr(rules, name.upper()), t) for name in CLASSES},
    )
    if "status" in t.columns:  # read once, here: not held
        lines = lines.drop("status")
    return lines


CLASSES = ("sale", "demand", "cancelled", "returned")  # rules held as columns by classify
HELD = {getattr(rules, name.upper()): name for name in CLASSES}  # rule -> its column


def revenue_lines(t):
    """Lines that count as revenue (``orderlog.rules.REVENUE``): sales, and return
    lines, which net the sales they refund."""
    return t.filter(t.is_return | t.sale)


def order_table(t, one_line: bool = False):
    """One row per order of :func:`classify`'d lines, returns left out
    (``orderlog.orders.ORDER_ROLLUP``, the fields the log has), with ``day`` and
    ``month`` of its first sale line.  With ``one_line`` (every order id on one line)
    there is nothing to group."""
    kept = t.filter(~t.is_return)
    orders = rollup.rollup_expr(kept, one_line=one_line, held=HELD)
    return orders.mutate(day=day_number(orders.first_sale), month=month_number(orders.first_sale))


def one_line_orders(t, run) -> bool:
    """Whether every order id is on one line, told by a 64-bit hash of each id: a
    count, not a grouping.  (A collision can only answer no: then the lines are
    grouped, as always.)  SQLite has no hash: it groups."""
    if ibis.get_backend(t).name not in ("duckdb", "pyspark"):
        return False
    counts = run(t.aggregate(rows=t.count(), ids=t.order_id.hash().nunique()))
    return int(counts["rows"].iloc[0]) == int(counts["ids"].iloc[0])


def customer_sums(orders, cutoffs: dict[str, int]):
    """Per customer: first and last purchase day, orders, money, purchase days, the
    repeat purchases' money (all but the first day's), and for each cutoff day c
    (the headline months', for the RFM at-risk count then; the CLV check's
    calibration end) the last day, orders, money and purchase days up to c."""
    by_day = orders.group_by(["customer_id", "day"]).aggregate(
        orders=orders.count(), amount=orders.amount.sum()
    )
    if ibis.get_backend(orders).name in ("duckdb", "pyspark"):
        # the first day's money: one row per customer and day, so no ties
        first_amount = by_day.amount.argmin(by_day.day)
    else:  # SQLite's arg-min takes any row of the group; a window always works
        first = by_day.day.min().over(group_by=by_day.customer_id)
        by_day = by_day.mutate(first_day=first)
        first_amount = (by_day.day == by_day.first_day).ifelse(by_day.amount, 0.0).sum()
    sums = {
        "first_day": by_day.day.min(),
        "last_day": by_day.day.max(),
        "orders": by_day.orders.sum(),
        "monetary": by_day.amount.sum(),
        "purchase_days": by_day.count(),
        "first_amount": first_amount,
    }
    for name, day in cutoffs.items():
        upto = by_day.day <= day
        sums[f"last_day_{name}"] = upto.ifelse(by_day.day, ibis.null("int64")).max()
        sums[f"orders_{name}"] = upto.ifelse(by_day.orders, 0).sum()
        sums[f"monetary_{name}"] = upto.ifelse(by_day.amount, 0.0).sum()
        sums[f"purchase_days_{name}"] = upto.ifelse(1, 0).sum()
    return by_day.group_by("customer_id").aggregate(**sums)


def fetch(expr) -> pd.DataFrame:
    """A query's result, small, as a DataFrame by way of Arrow (ibis' ``to_pandas``
    converts each column again in Python: twice the time on 100,000 customers)."""
    return expr.to_pyarrow().to_pandas()


def aggregate(t, as_of=None, run=None, hold=None, calibration_end=None,
              per_day: bool = False) -> Aggregates:  # fmt: skip
    """Every sum the report needs, from an Ibis table of cleaned order lines.

    ``as_of`` (a date; default the latest order's day) closes the windows; ``run``
    executes an expression to a pandas DataFrame (default :func:`fetch`);
    ``hold`` stores a table that several queries read — the :func:`classify`'d lines
    (unless the engine's cleaning classified them), the order table — so that the
    engine works each out once (default: not stored, as in a database the report
    must not write to); ``calibration_end(first_day, as_of)`` says where to split
    the log for the CLV check (a date, or None for no split: the rule is the
    caller's), and the customer sums get a "calibration" cutoff there; ``per_day`` adds
    :func:`daily_orders` (for the report's before/after over time)."""
    run = run or fetch
    hold = hold or (lambda expr: expr)
    present = frozenset(t.columns)
    if as_of is None:
        latest = run(t.aggregate(day=day_number(t.order_date.max())))["day"].iloc[0]
        as_of = pd.Timestamp(int(latest), unit="D")
    as_of = pd.Timestamp(as_of).normalize()
    as_of_day = day_of(as_of)
    this_end, prev_end = headline_months(as_of)
    cutoffs = {"this": day_of(this_end), "prev": day_of(prev_end)}
    lines = t if "sale" in t.columns else hold(classify(t))  # classified once
    lines = lines.filter(lines.day <= as_of_day)

    sales = revenue_lines(lines)
    daily = run(sales.group_by("day").aggregate(revenue=sales.amount.sum()).order_by("day"))
    daily_revenue = pd.DataFrame({"day": _days(daily["day"]), "revenue": _money(daily["revenue"])})
    split = None
    if calibration_end is not None and len(daily_revenue):
        split = calibration_end(daily_revenue["day"].iloc[0], as_of)
    if split is not None:
        cutoffs["calibration"] = day_of(split)

    one_line = one_line_orders(lines, run)  # then the order table is the lines: not held
    every_order = order_table(lines, one_line) if one_line else hold(order_table(lines))
    orders = every_order.filter(every_order.sales > 0)
    monthly = run(
        orders.group_by("month")
        .aggregate(orders=orders.count(), customers=orders.customer_id.nunique())
        .order_by("month")
    )
    customers = run(customer_sums(orders, cutoffs))
    customers = customers.sort_values("customer_id", ignore_index=True)
    for name in customers.columns:
        if name.startswith(("monetary", "first_amount")):
            customers[name] = _money(customers[name])
    first = orders.group_by("customer_id").aggregate(cohort=orders.month.min())
    active = orders.select("customer_id", "month").distinct()
    joined = active.join(first, "customer_id")
    cohorts = run(
        joined.group_by([joined.cohort, (joined.month - joined.cohort).name("offset")]).aggregate(
            customers=joined.count()
        )
    )
    # the last month with an order (with none sold, all cancelled say: the as-of month)
    last_month = int(monthly["month"].max()) if len(monthly) else pd.Period(as_of, "M").ordinal

    out = Aggregates(
        as_of=as_of,
        fields=present,
        daily_revenue=daily_revenue,
        monthly_orders=monthly,
        customers=customers,
        cohorts=cohorts,
        last_month=last_month,
        calibration_end=split,
    )
    if {"sku", "quantity"} <= present:
        _demand(lines, as_of, as_of_day, out, run)
    if present & {"shipped_date", "delivered_date"}:  # KPIs from whatever dates exist
        _order_processing(every_order, out, run)
    if {"supplier", "shipped_date", "promised_date"} <= present:
        out.suppliers = _suppliers(lines, run)
    if "email" in present:  # one address per customer: their latest order's
        out.emails = _emails(lines, run)
    if per_day:
        out.daily_orders = daily_orders(orders, run)
    return out


def daily_orders(o, run) -> pd.DataFrame:
    """Per day an order was placed (orders with a sale): orders; with promised and
    delivered dates the on-time hits and the orders with both dates; with delivered
    dates the delivered orders and the sum of their order-to-delivery days."""
    sums = {"orders": o.count()}
    if {"delivered", "promised"} <= set(o.columns):
        known = rules.expr(rules.WITH_PROMISE, o)
        sums["hits"] = ones(rules.expr(rules.ON_TIME, o) & known).sum().fill_null(0)
        sums["known"] = ones(known).sum().fill_null(0)
    if "delivered" in o.columns:
        days = days_between(o.ordered, o.delivered)
        fine = o.delivered.notnull() & (days >= 0)
        sums["delivered"] = ones(fine).sum().fill_null(0)
        sums["delivery_days"] = fine.ifelse(days, 0.0).sum().fill_null(0.0)
    table = run(o.group_by("day").aggregate(**sums).order_by("day"))
    table["day"] = _days(table["day"])
    return table


def _emails(lines, run) -> pd.DataFrame:
    """Per customer the e-mail address on their latest order line that has one (the
    alphabetically last of that day's, so every engine picks the same)."""
    known = lines.filter(lines.email.notnull() & (lines.email.strip() != ""))
    latest = known.day.max().over(group_by=known.customer_id)
    last = known.mutate(latest=latest)
    last = last.filter(last.day == last.latest)
    return run(last.group_by("customer_id").aggregate(email=last.email.max()))


def headline_months(as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Last days of the last full month up to ``as_of`` and of the month before."""
    last = as_of.normalize()
    month_end = (last + pd.offsets.MonthEnd(0)).normalize()
    this_end = last if last == month_end else (last - pd.offsets.MonthEnd(1)).normalize()
    prev_end = (this_end - pd.offsets.MonthBegin(1)) - pd.Timedelta(days=1)
    return this_end, prev_end


def _demand(lines, as_of, as_of_day, out: Aggregates, run) -> None:
    """Per SKU over the 365 days up to as_of: Σq, Σ(daily q)², Σq·p and Σq over the
    priced lines (``core.inventory.demand_from_sums``); units per SKU and month over
    the last 12 months (XYZ); units sold per SKU in the two headline months (COGS)."""
    sold = lines.filter(~lines.is_return & lines.sku.notnull())
    demand = sold.filter(sold.demand)
    window = demand.filter((demand.day > as_of_day - 365) & (demand.day <= as_of_day))
    priced = window.unit_price.notnull() if "unit_price" in window.columns else ibis.literal(False)
    price = window.unit_price if "unit_price" in window.columns else ibis.literal(0.0)
    per_day = window.group_by(["sku", "day"]).aggregate(
        qty=window.quantity.sum(),
        value=priced.ifelse(window.quantity * price, 0.0).sum(),
        priced_qty=priced.ifelse(window.quantity, 0.0).sum(),
    )
    per_item = per_day.group_by("sku").aggregate(
        total=per_day.qty.sum(),
        squares=(per_day.qty * per_day.qty).sum(),
        value=per_day.value.sum(),
        priced_qty=per_day.priced_qty.sum(),
    )
    table = run(per_item).sort_values("sku", ignore_index=True)
    out.demand = table.rename(columns={"sku": "item"})
    if "unit_price" not in lines.columns:
        out.demand = out.demand.drop(columns=["value", "priced_qty"])
    start = day_of(as_of - pd.DateOffset(months=12))
    recent = demand.filter((demand.day > start) & (demand.day <= as_of_day))
    out.monthly_demand = run(
        recent.group_by(["sku", "month"]).aggregate(quantity=recent.quantity.sum())
    )
    # units per SKU and Monday-started week over the last 104 complete weeks
    # (replenishment): a week the log does not cover to its Sunday is left out.
    # Day 0, 1970-01-01, was a Thursday: day + 3 counts from a Monday.
    end = as_of_day if (as_of_day + 3) % 7 == 6 else ((as_of_day + 3) // 7) * 7 - 3 - 1
    first = end + 1 - WEEKS_OF_DEMAND * 7
    weeks = demand.filter((demand.day >= first) & (demand.day <= end))
    weeks = weeks.mutate(week=((weeks.day + 3) // 7) * 7 - 3)
    out.weekly_demand = run(
        weeks.group_by(["sku", "week"]).aggregate(quantity=weeks.quantity.sum())
    )
    this_end, prev_end = headline_months(as_of)
    months = [p.to_period("M").ordinal for p in (this_end, prev_end)]
    headline = sold.filter(sold.month.isin(months))
    out.sold = run(headline.group_by(["sku", "month"]).aggregate(quantity=headline.quantity.sum()))
    # top sellers and decliners: units and money per SKU, last 90 days and the 90 before
    half = demand.filter((demand.day > as_of_day - 2 * MOVER_DAYS) & (demand.day <= as_of_day))
    half = half.mutate(window=(half.day <= as_of_day - MOVER_DAYS).ifelse(1, 0))
    out.movers = run(
        half.group_by(["sku", "window"]).aggregate(
            quantity=half.quantity.sum(), amount=half.amount.sum()
        )
    )


def days_between(start, end):
    """Days from ``start`` to ``end`` (timestamps), fractions kept, by epoch seconds:
    every engine has them."""
    return (end.epoch_seconds().cast("int64") - start.epoch_seconds().cast("int64")) / DAY_SECONDS


def _order_processing(o, out: Aggregates, run) -> None:
    """From :func:`order_table`'s orders: ``core.orders.kpi_table``'s counts, the spans'
    distinct values with their counts (each span whose two dates the log has), and
    with promised and delivery dates the on-time rate by month ordered."""
    in_time = rules.expr(rules.ON_TIME, o)
    known = rules.expr(rules.WITH_PROMISE, o)

    def count(condition):  # 0, not null, over no orders
        return ones(condition).sum().fill_null(0)

    counts = run(rollup.count_orders_expr(o))
    out.order_counts = {k: int(v) for k, v in counts.iloc[0].items()}
    steps = {"to_ship": ("ordered", "shipped"), "to_deliver": ("shipped", "delivered"),
             "total": ("ordered", "delivered")}  # fmt: skip
    seconds = {
        name: (o[start], o[end])
        for name, (start, end) in steps.items()
        if {start, end} <= set(o.columns)
    }
    for name in steps:
        out.spans[name] = (np.array([], dtype=float), np.array([], dtype=np.int64))
    spans = ibis.union(  # one query for the three spans
        *[
            o.select(
                span=ibis.literal(name),
                days=days_between(start, end),
            )
            for name, (start, end) in seconds.items()
        ],
        distinct=False,
    )
    spans = spans.filter(spans.days.notnull() & (spans.days >= 0))
    table = run(spans.group_by(["span", "days"]).aggregate(orders=spans.count()))
    for name in seconds:
        rows = table[table["span"] == name]
        out.spans[name] = (rows["days"].to_numpy(float), rows["orders"].to_numpy())
    if not {"delivered", "promised"} <= set(o.columns):
        return
    by_month = o.mutate(month=month_number(o.ordered)).filter(known)
    out.order_on_time = run(
        by_month.group_by("month")
        .aggregate(hits=count(in_time), known=by_month.count())
        .order_by("month")
    )


def _suppliers(lines, run) -> pd.DataFrame:
    """``core.risk.supplier_metrics`` per supplier over its shipped lines: a line ships
    late when it leaves after half of the promised window (at least one day)."""
    shipped = lines.filter(lines.supplier.notnull() & lines.shipped_date.notnull())
    days = rules.whole_days(shipped.shipped_date, shipped.order_date)
    late = rules.expr(rules.SHIPPED_LATE, shipped)
    error = rules.expr(rules.IN_ERROR, shipped)
    table = run(
        shipped.group_by("supplier").aggregate(
            late_shipment_rate=ones(late).cast("float64").mean(),
            error_rate=(
                ones(error).cast("float64").mean()
                if "error_flag" in shipped.columns
                else ibis.literal(0.0)  # no flags in the log: no errors
            ),
            mean_days_to_ship=days.cast("float64").mean(),  # Postgres computes days as NUMERIC
            orders=shipped.count(),
        )
    )
    return table.sort_values("supplier", ignore_index=True)
