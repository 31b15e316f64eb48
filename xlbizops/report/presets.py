"""Shop-platform exports read as they are: the layouts recognised from their headers.

Each :class:`Preset` names the columns that identify a layout, maps its columns to the
order log's fields (``orderlog.schema``) and fixes what the layout does its own way
(multi-line orders, cancellations, refunds, ids).  ``--preset NAME`` forces one; a
header that matches none goes through the ordinary column-name matching.

Sources of the column lists: Shopify's orders export (Admin → Orders → Export), the
WooCommerce Analytics orders report CSV, Amazon Seller Central's "All Orders" report
(tab-delimited flat file), Etsy's "Sold Orders" CSV, the UCI Machine Learning
Repository's "Online Retail" (I, 2015) and "Online Retail II" (2019) data sets, and the
Olist Brazilian e-commerce public data set (Kaggle, 2018).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlbizops.core.errors import InputError, UsageError
from xlbizops.orderlog import values as values_of


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    signature: tuple[str, ...]  # headers that must all be present (compared loosely)
    prepare: Callable[[pd.DataFrame], tuple[pd.DataFrame, list[str]]]
    tables: tuple[str, ...] = ()  # several files passed together (Olist)

    def missing(self, columns) -> list[str]:
        """The signature headers ``columns`` lack (compared loosely)."""
        heads = {_norm(c) for c in columns}
        return [c for c in self.signature if _norm(c) not in heads]

    def require(self, name: str, columns) -> None:
        """Refuse a file that lacks this layout's headers (a --preset for another shop)."""
        missing = self.missing(columns)
        if missing:
            found = ", ".join(repr(c) for c in list(columns)[:12])
            raise InputError(
                f"{name} does not look like a {self.title}: no column "
                f"{', '.join(repr(c) for c in missing)} (its columns: {found}"
                f"{' ...' if len(columns) > 12 else ''})"
            )


def _norm(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    """A column by its export name (compared loosely), or blanks."""
    lookup = {_norm(c): c for c in raw.columns}
    column = lookup.get(_norm(name))
    return raw[column] if column is not None else pd.Series(None, index=raw.index, dtype=object)


def _text(values: pd.Series) -> pd.Series:
    out = values.astype(object).where(values.notna(), None)
    return out.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())


def _number(values: pd.Series) -> pd.Series:
    """The one number parser's reading (``orderlog.values.numbers``: "1,234.50" too)."""
    return values_of.numbers(_text(values))


def _status(values: pd.Series) -> pd.Series:
    """Status words lower-cased, with the American spelling of cancelled."""
    return _text(values).str.lower().replace({"canceled": "cancelled"})


def _frame(**columns) -> pd.DataFrame:
    return pd.DataFrame({k: v for k, v in columns.items() if v is not None})


# --- Shopify ----------------------------------------------------------------------------


def _shopify(raw: pd.DataFrame):
    """One line per line item.  An order's later lines repeat its ``Name`` but leave
    the order-level columns blank: they are carried down from its first line."""
    order = _text(_col(raw, "Name"))
    level = ["Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
             "Created at", "Cancelled at", "Refunded Amount", "Source", "Shipping Country",
             "Customer ID"]  # fmt: skip
    carried = {c: _text(_col(raw, c)).groupby(order).transform("first") for c in level}
    quantity = _number(_col(raw, "Lineitem quantity"))
    price = _number(_col(raw, "Lineitem price"))
    discount = _number(_col(raw, "Lineitem discount")).fillna(0)
    financial = carried["Financial Status"].fillna("").str.lower()
    status = np.where(
        carried["Cancelled at"].notna() | (financial == "voided"),
        "cancelled",
        np.where(financial == "refunded", "returned", financial),
    )
    customer = carried["Customer ID"].fillna(carried["Email"].str.lower())
    lines = _frame(
        order_id=order,
        order_date=_text(carried["Created at"]),
        customer_id=customer,
        amount=quantity * price - discount,
        quantity=quantity,
        unit_price=price,
        sku=_text(_col(raw, "Lineitem sku")),
        shipped_date=_text(carried["Fulfilled at"]),
        status=pd.Series(status, index=raw.index),
        channel=carried["Source"],
        region=carried["Shipping Country"],
        email=_text(carried["Email"]),
    )
    # A partial refund is an order-level amount: one return line per order nets it.
    refunded = _number(carried["Refunded Amount"]).fillna(0)
    first = ~order.duplicated() & (financial == "partially_refunded") & (refunded > 0)
    refunds = lines[first].assign(
        amount=-refunded[first], quantity=np.nan, unit_price=np.nan, sku=None,
        status="partially_refunded",
    )  # fmt: skip
    notes = []
    if len(refunds):
        notes.append(f"{len(refunds):,} partial refund(s) read as return lines")
    return pd.concat([lines, refunds], ignore_index=True), notes


# --- WooCommerce ------------------------------------------------------------------------


def _woocommerce(raw: pd.DataFrame):
    """One row per order (Analytics → Orders → Download).  Net sales are the order's
    revenue; a refunded order has a second row with its refund as negative net sales."""
    status = _status(_col(raw, "Status"))
    lines = _frame(
        order_id=_text(_col(raw, "Order #")),
        order_date=_text(_col(raw, "Date")),
        customer_id=_text(_col(raw, "Customer")),
        amount=_number(_col(raw, "Net sales")),
        quantity=_number(_col(raw, "Items sold")),
        status=status,
        customer_type=_text(_col(raw, "Customer type")),
    )
    return lines, ["the customer is the name in the Customer column (the export has no id)"]


# --- Amazon Seller Central ----------------------------------------------------------------


def _amazon(raw: pd.DataFrame):
    """All Orders report: one line per item, tab-delimited.  It carries no buyer id;
    customers are approximated by the ship-to postal code and country."""
    status = _status(_col(raw, "order-status"))
    postal = _text(_col(raw, "ship-postal-code")).fillna("")
    country = _text(_col(raw, "ship-country")).fillna("")
    buyer = _text(_col(raw, "buyer-email"))
    customer = buyer.fillna((postal + " " + country).str.strip().replace("", None))
    discount = _number(_col(raw, "item-promotion-discount")).fillna(0)
    quantity = _number(_col(raw, "quantity"))
    amount = _number(_col(raw, "item-price")) - discount  # item-price is the line total
    lines = _frame(
        order_id=_text(_col(raw, "amazon-order-id")),
        order_date=_text(_text(_col(raw, "purchase-date")).str.replace("T", " ")),
        customer_id=customer,
        amount=amount,
        quantity=quantity,
        unit_price=amount / quantity.where(quantity > 0),
        sku=_text(_col(raw, "sku")),
        status=status,
        channel=_text(_col(raw, "sales-channel")),
        region=_text(_col(raw, "ship-state")),
        email=buyer,
    )
    notes = (
        []
        if buyer.notna().any()
        else ["Amazon's report has no buyer id: customers are ship-to postal code + country"]
    )
    return lines, notes


# --- Etsy --------------------------------------------------------------------------------


def _etsy(raw: pd.DataFrame):
    """Sold Orders: one row per order; Sale Date is MM/DD/YY.  Revenue is the order
    value less its discount; a refund shows in the adjusted total."""
    value = _number(_col(raw, "Order Value")) - _number(_col(raw, "Discount Amount")).fillna(0)
    adjusted = _number(_col(raw, "Adjusted Order Total"))
    total = _number(_col(raw, "Order Total"))
    refund = (total - adjusted).where(adjusted.notna(), 0).clip(lower=0)
    status = _status(_col(raw, "Status"))
    lines = _frame(
        order_id=_text(_col(raw, "Order ID")),
        order_date=pd.to_datetime(
            _text(_col(raw, "Sale Date")), format="%m/%d/%y", errors="coerce"
        ).dt.strftime("%Y-%m-%d"),  # fmt: skip
        customer_id=_text(_col(raw, "Buyer User ID")).fillna(_text(_col(raw, "Buyer"))),
        amount=value - refund,
        quantity=_number(_col(raw, "Number of Items")),
        shipped_date=pd.to_datetime(
            _text(_col(raw, "Date Shipped")), format="%m/%d/%y", errors="coerce"
        ).dt.strftime("%Y-%m-%d"),  # fmt: skip
        status=status,
        region=_text(_col(raw, "Ship Country")),
        sku=_text(_col(raw, "SKU")),
    )
    return lines, []


# --- UCI Online Retail I and II ---------------------------------------------------------


def _online_retail(raw: pd.DataFrame):
    """InvoiceNo/Invoice starting with "C" is a cancellation (negative quantity);
    amount = quantity × unit price; CustomerID arrives as 17850.0."""
    invoice = _text(_col(raw, "InvoiceNo")).fillna(_text(_col(raw, "Invoice")))
    quantity = _number(_col(raw, "Quantity"))
    price = _number(_col(raw, "UnitPrice")).fillna(_number(_col(raw, "Price")))
    customer = _text(_col(raw, "CustomerID")).fillna(_text(_col(raw, "Customer ID")))
    customer = customer.str.replace(r"\.0+$", "", regex=True)
    cancelled = invoice.fillna("").str.upper().str.startswith("C")
    lines = _frame(
        order_id=invoice,
        order_date=_text(_col(raw, "InvoiceDate")),
        customer_id=customer,
        amount=quantity * price,
        quantity=quantity,
        unit_price=price,
        sku=_text(_col(raw, "StockCode")),
        status=pd.Series(np.where(cancelled, "cancelled", "invoiced"), index=raw.index),
        region=_text(_col(raw, "Country")),
    )
    return lines, []


# --- Olist --------------------------------------------------------------------------------

OLIST_TABLES = ("orders", "items", "payments", "customers")


def olist_tables(frames: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The Olist files passed together, told apart by their headers."""
    found = {}
    for frame in frames:
        heads = {_norm(c) for c in frame.columns}
        if {"orderpurchasetimestamp", "orderstatus"} <= heads:
            found["orders"] = frame
        elif {"orderitemid", "price"} <= heads:
            found["items"] = frame
        elif {"paymentvalue"} <= heads:
            found["payments"] = frame
        elif {"customeruniqueid"} <= heads:
            found["customers"] = frame
    missing = [t for t in ("orders", "items", "customers") if t not in found]
    if missing:
        raise UsageError(
            f"the Olist layout needs its {', '.join(missing)} file(s) too: pass "
            "olist_orders_dataset.csv, olist_order_items_dataset.csv and "
            "olist_customers_dataset.csv (payments optional) together"
        )
    return found


def _olist(raw: pd.DataFrame, tables: dict[str, pd.DataFrame] | None = None):
    """Items joined to their orders and customers: one line per item; the customer is
    ``customer_unique_id`` (Olist's ``customer_id`` is new for every order)."""
    orders, items, customers = tables["orders"], tables["items"], tables["customers"]
    people = dict(zip(_text(_col(customers, "customer_id")),
                      _text(_col(customers, "customer_unique_id")), strict=False))  # fmt: skip
    head = pd.DataFrame({
        "order_id": _text(_col(orders, "order_id")),
        "order_date": _text(_col(orders, "order_purchase_timestamp")),
        "customer_id": _text(_col(orders, "customer_id")).map(people),
        "status": _status(_col(orders, "order_status")),
        "shipped_date": _text(_col(orders, "order_delivered_carrier_date")),
        "delivered_date": _text(_col(orders, "order_delivered_customer_date")),
        "promised_date": _text(_col(orders, "order_estimated_delivery_date")),
    })  # fmt: skip
    lines = pd.DataFrame({
        "order_id": _text(_col(items, "order_id")),
        "sku": _text(_col(items, "product_id")),
        "supplier": _text(_col(items, "seller_id")),
        "amount": _number(_col(items, "price")),
        "unit_price": _number(_col(items, "price")),
        "quantity": 1.0,
    }).merge(head, on="order_id", how="left")  # fmt: skip
    notes = ["Olist: one line per item, amount = item price (freight left out); "
             "customer = customer_unique_id"]  # fmt: skip
    return lines, notes


PRESETS = {
    p.name: p
    for p in (
        Preset("shopify", "Shopify orders export",
               ("Name", "Financial Status", "Created at", "Lineitem quantity", "Lineitem price"),
               _shopify),
        Preset("woocommerce", "WooCommerce orders report",
               ("Order #", "Status", "Customer", "Net sales"), _woocommerce),
        Preset("amazon", "Amazon Seller Central All Orders report",
               ("amazon-order-id", "purchase-date", "order-status", "item-price"), _amazon),
        Preset("etsy", "Etsy sold orders",
               ("Sale Date", "Order ID", "Order Value", "Buyer User ID"), _etsy),
        Preset("online-retail", "UCI Online Retail (I or II)",
               ("StockCode", "Quantity", "InvoiceDate", "Country"), _online_retail),
        Preset("olist", "Olist Brazilian e-commerce (orders, items, customers)",
               ("order_purchase_timestamp", "order_status"), _olist, OLIST_TABLES),
    )
}  # fmt: skip


def detect(columns: list[str]) -> Preset | None:
    for preset in PRESETS.values():
        if not preset.missing(columns):
            return preset
    return None


def by_name(name: str) -> Preset:
    if name not in PRESETS:
        raise UsageError(f"--preset {name!r} is not known; presets: {', '.join(PRESETS)}")
    return PRESETS[name]
