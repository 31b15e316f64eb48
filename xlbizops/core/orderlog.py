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
