"""The number format a column of results gets from its name: one rule for the report's
tables and the template's spilled results (a date as a date, a rate as a percentage,
counts whole, other numbers with two decimals and thousands separators)."""

from __future__ import annotations

DATE = "yyyy-mm-dd"
PERCENT = "0.0%"
WHOLE = "#,##0"
DECIMAL = "#,##0.00"
# A column named by one of these words (alone or as a part: "order_date",
# "period_start", "first_order_week") holds dates.
DATE_WORDS = {"date", "month", "week", "period", "cohort", "as", "start", "end", "order_by",
              "last_order", "next_order"}  # fmt: skip
COUNT_WORDS = {"quantity", "orders", "customers", "rank", "k", "periods", "purchases"}


def words(name) -> list[str]:
    return str(name).lower().replace("-", "_").replace(" ", "_").split("_")


def names_a_date(name) -> bool:
    """True when a column's name says it holds dates (``order_date``, ``month``)."""
    parts = words(name)
    return bool(set(parts) & DATE_WORDS) or "_".join(parts[-2:]) in DATE_WORDS


def column_format(name, is_date: bool = False, whole: bool = False) -> str:
    """The number format of a column named ``name``: dates as dates, rates and shares
    as percentages, days and counts whole, whole numbers whole, the rest to cents."""
    text = str(name).lower()
    if is_date:
        return DATE
    if text.endswith(("rate", "share", "probability")) or text.startswith("p_"):
        return PERCENT
    if "days" in text or text in COUNT_WORDS or whole:
        return WHOLE
    return DECIMAL
