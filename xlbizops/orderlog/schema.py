"""The order log's schema: one row per order line, the fields every part of xlbizops reads.

One schema for the sample data (its column order), the template's Data sheet, the
report's reader (which fields it maps, their kinds, which are required) and the
cleaned lines every engine holds (:data:`LINE_SCHEMA`).  How each kind of value is
read: :mod:`xlbizops.orderlog.values`.
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
    "email": "text",
}
# Read by the report for people to act on (the Actions sheet's win-back list), never
# summed and not a column of the template's Data sheet or the sample log.
CONTACT = ("email",)
COLUMNS = [f for f in FIELDS if f not in CONTACT]
REQUIRED = ("order_date", "customer_id", "amount")
# The fields the report's analyses read (its cleaned lines, LINE_SCHEMA below);
# customer type, category, channel, region and error type describe orders on the
# template's Data sheet, and the report neither reads nor cleans them.
ANALYSED = tuple(f for f in FIELDS if f not in ("customer_type", "category", "channel",
                                                "region", "error_type"))  # fmt: skip
# The cleaned order lines every source is brought to (``report.inputs.clean_orders`` for
# files read in memory, ``report.sources.clean`` in an engine): the analysed fields
# typed, plus ``is_return`` (``orderlog.rules.RETURN_LINE``).  Optional columns may be absent.
_ENGINE_TYPES = {"text": "string", "date": "timestamp", "number": "float64", "flag": "float64"}
LINE_SCHEMA = {f: _ENGINE_TYPES[FIELDS[f]] for f in ANALYSED} | {"is_return": "boolean"}

# Excel holds at most this many characters in a cell: a longer id or name would be cut
# in the workbook (two customers could become one), so it is not read.
LONGEST_TEXT = 32_767
# Beyond this an amount, quantity or price is a typo or an overflow, not an order line:
# unreadable (sums of such numbers would overflow to infinity).
LARGEST_NUMBER = 1e15
# The Excel functions' argument for each field (its name in their messages).
ARGUMENTS = {
    "order_id": "order_ids",
    "order_date": "order_dates",
    "promised_date": "promised_dates",
    "shipped_date": "shipped_dates",
    "delivered_date": "delivered_dates",
    "customer_id": "customer_ids",
    "sku": "items",
    "quantity": "quantities",
    "unit_price": "unit_prices",
    "amount": "amounts",
    "supplier": "suppliers",
    "status": "status",
    "error_flag": "error_flags",
}
