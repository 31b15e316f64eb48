"""The order log: one row per order line, the fields every part of xlbizops reads.

One schema for the sample data (its column order), the template's Data sheet and
the report's reader (which fields it maps, their kinds, which are required).
"""

from __future__ import annotations

# field -> kind ("date", "text", "number" or "flag"), in the Data sheet's column order.
FIELDS = {
    "order_id": "text",
    "order_date": "date",
    "promised_date": "date",
    "shipped_date": "date",
    "delivered_date": "date",
    "customer_id": "text",
    "customer_type": "text",
    "sku": "text",
    "category": "text",
    "quantity": "number",
    "unit_price": "number",
    "amount": "number",
    "channel": "text",
    "region": "text",
    "supplier": "text",
    "status": "text",
    "error_flag": "flag",
    "error_type": "text",
}
COLUMNS = list(FIELDS)
REQUIRED = ("order_date", "customer_id", "amount")
# The fields the report's analyses read (its cleaned lines, report.aggregates.LINE_SCHEMA);
# customer type, category, channel, region and error type describe orders on the
# template's Data sheet, and the report neither reads nor cleans them.
ANALYSED = tuple(f for f in FIELDS if f not in ("customer_type", "category", "channel",
                                                "region", "error_type"))  # fmt: skip

# Excel holds at most this many characters in a cell: a longer id or name would be cut
# in the workbook (two customers could become one), so it is not read.
LONGEST_TEXT = 32_767
# Beyond this an amount, quantity or price is a typo or an overflow, not an order line:
# unreadable (sums of such numbers would overflow to infinity).
LARGEST_NUMBER = 1e15

# Flags (error_flag, and TRUE/FALSE arguments of the Excel functions): one vocabulary
# for the Excel cells, the file readers and the engines.  Words compare without case
# and surrounding spaces; a blank cell is no flag.
TRUE_WORDS = ("1", "1.0", "true", "yes", "y", "x")
FALSE_WORDS = ("0", "0.0", "false", "no", "n")


def flag_of(value) -> float | None:
    """One flag cell as 1.0 or 0.0: TRUE or FALSE, the numbers 1 or 0, a word of
    :data:`TRUE_WORDS` or :data:`FALSE_WORDS`; blank is 0.0; anything else None
    (unreadable: the caller says so).

    >>> [flag_of(v) for v in (True, 1, " Yes ", "x", "n", "", None, 2, "maybe")]
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, None, None]
    """
    if value is None:
        return 0.0
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return float(bool(value))
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        if number != number:  # NaN: a blank cell
            return 0.0
        return number if number in (0.0, 1.0) else None
    text = str(value).strip().lower()
    if text == "" or text in FALSE_WORDS:
        return 0.0
    return 1.0 if text in TRUE_WORDS else None
