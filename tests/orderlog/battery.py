"""A generated battery of order lines for the rule-equivalence tests: every status
spelling (spaces, case), every flag word, missing dates, multi-line orders with mixed
lateness, returns and negative lines.  Deterministic: the same lines every run.

Also what a careful reader computes from it by hand (:func:`expected_decisions`):
the rules in plain Python, independent of ``orderlog.rules``."""

from __future__ import annotations

import itertools

import pandas as pd

STATUSES = ["delivered", " Delivered ", "CANCELLED", " cancelled", "returned", "Returned ",
            "shipped", "processing", "", None]  # fmt: skip
FLAGS = ["TRUE", " yes ", "Y", "x", "1", "false", "No", "n", "0", ""]
DAY = pd.Timestamp("2026-03-02")


def lines() -> pd.DataFrame:
    """About 90 lines in the Data sheet's columns (``orderlog.schema.COLUMNS``)."""
    rows = []
    cases = itertools.product(STATUSES, [0, 1, 2, 3])  # status x date pattern
    for k, (status, pattern) in enumerate(cases):
        ordered = DAY + pd.Timedelta(days=k % 40)
        shipped = ordered + pd.Timedelta(days=1 + k % 3) if pattern != 0 else None
        delivered = shipped + pd.Timedelta(days=2) if pattern in (2, 3) and shipped else None
        promised = ordered + pd.Timedelta(days=3 + (k % 4)) if pattern != 1 else None
        rows.append(_line(f"O{k:03d}", ordered, shipped, delivered, promised, status,
                          FLAGS[k % len(FLAGS)], customer=f"C{k % 7}", sku=f"S{k % 5}",
                          qty=1 + k % 4, price=10.0 + k % 3))  # fmt: skip
    # multi-line orders: one line late, the other on time; both on time; one line not
    # yet delivered; a cancelled line beside a delivered one
    on = DAY + pd.Timedelta(days=10)
    for oid, parts in {
        "M1": [(3, 5, None), (6, 5, None)],  # second line a day late
        "M2": [(3, 5, None), (4, 5, None)],  # both on time
        "M3": [(3, 5, None), (None, 5, None)],  # second line still on its way
        "M4": [(3, 5, None), (None, 5, "cancelled")],  # cancelled line: not waited for
        "M5": [(3, 5, "returned"), (4, 5, None)],  # a returned line: the order returned
    }.items():
        for j, (late_by, promise, status) in enumerate(parts):
            delivered = on + pd.Timedelta(days=late_by) if late_by is not None else None
            shipped = on + pd.Timedelta(days=1) if status != "cancelled" else None
            rows.append(_line(oid, on, shipped, delivered, on + pd.Timedelta(days=promise),
                              status or "delivered", "yes" if oid == "M2" and j else "",
                              customer="C9", sku=f"S{j}", qty=2, price=20.0))  # fmt: skip
    # return lines: negative amount, negative quantity; own id and a shared id
    rows.append(_line("R1", DAY + pd.Timedelta(days=12), None, None, None, "delivered", "",
                      customer="C1", sku="S1", qty=-1, price=10.0))  # fmt: skip
    rows.append(_line("O005", DAY + pd.Timedelta(days=20), None, None, None, "", "",
                      customer="C5", sku="S0", qty=1, price=10.0, amount=-10.0))  # fmt: skip
    return pd.DataFrame(rows)


def _line(oid, ordered, shipped, delivered, promised, status, flag, customer, sku, qty, price,
          amount=None) -> dict:  # fmt: skip
    return {
        "order_id": oid,
        "order_date": ordered,
        "promised_date": promised,
        "shipped_date": shipped,
        "delivered_date": delivered,
        "customer_id": customer,
        "customer_type": "B2C",
        "sku": sku,
        "category": "c",
        "quantity": float(qty),
        "unit_price": price,
        "amount": amount if amount is not None else round(qty * price, 2),
        "channel": "web",
        "region": "north",
        "supplier": f"Sup{ord(sku[-1]) % 2}",
        "status": status,
        "error_flag": flag,
        "error_type": "",
    }


def expected_decisions(frame: pd.DataFrame) -> pd.DataFrame:
    """Each line's decisions, worked out in plain Python from the rules as the docs
    state them (``orderlog.rules``' module docstring), not from its code."""
    out = []
    for row in frame.itertuples(index=False):
        status = row.status.strip().lower() if isinstance(row.status, str) else ""
        refund = row.amount < 0 or row.quantity < 0
        sale = status not in ("cancelled", "returned")
        late = (
            not pd.isna(row.delivered_date)
            and not pd.isna(row.promised_date)
            and row.delivered_date.normalize() > row.promised_date.normalize()
        )
        shipped_late = False
        if not pd.isna(row.shipped_date) and not pd.isna(row.promised_date):
            days = (row.shipped_date - row.order_date).days
            window = (row.promised_date - row.order_date).days
            shipped_late = days > max(window, 1) / 2  # half the promised window gone
        out.append({
            "return_line": refund,
            "sale": sale,
            "revenue": sale or refund,
            "customer_order": sale and not refund,
            "demand": status != "cancelled" and not refund,
            "cancelled": status == "cancelled",
            "returned": status == "returned",
            "late": late,
            "shipped_late": shipped_late,
            "in_error": str(row.error_flag).strip().lower() in ("true", "yes", "y", "x", "1"),
        })  # fmt: skip
    return pd.DataFrame(out)
