"""Orders added under the Data table are in the analyses after a refresh, and the
charts cover the spills' new sizes (issue 10, item 6).

The 30 orders are appended the way Excel grows a table when a user types or pastes
right below it: the rows are written and the table's range extends over them.  The
names (``order_date = Orders[order_date]``) follow the table; the headless refresh
reads them from the table definition.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.template.package import array_cells, refreshed_with_orders, sheet_xml
from xlbizops.sampledata import COLUMNS
from xlbizops.template.sheets import TEMPLATE_ORDERS, template_orders
from xlbizops.workbook.package import MAIN

NEW = 30


def new_orders() -> pd.DataFrame:
    """30 orders of 30 new customers in the month after the sample's last order."""
    last = template_orders()["order_date"].max()
    start = (last + pd.offsets.MonthBegin(1)).normalize() + pd.Timedelta(days=2)
    rows = []
    for i in range(NEW):
        day = start + pd.Timedelta(days=i % 20)
        rows.append({
            "order_id": f"SO-9{i:07d}", "order_date": day,
            "promised_date": day + pd.Timedelta(days=5),
            "shipped_date": day + pd.Timedelta(days=1),
            "delivered_date": day + pd.Timedelta(days=4),
            "customer_id": f"C9{i:05d}", "customer_type": "B2C", "sku": "SKU-00001",
            "category": "Toys", "quantity": 2, "unit_price": 50.0, "amount": 100.0,
            "channel": "web", "region": "West", "supplier": "SUP-01", "status": "delivered",
            "error_flag": 0, "error_type": None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    added = new_orders()
    return refreshed_with_orders(tmp_path_factory.mktemp("grown"), added), added


def spill_ref(path, sheet: str, cell: str) -> str:
    return array_cells(sheet_xml(path)[sheet])[cell].find(f"{{{MAIN}}}f").get("ref")


def test_new_customers_appear_in_the_rfm_table(grown):
    out, added = grown
    orders = pd.concat([template_orders(), added], ignore_index=True)
    sales = orders[~orders["status"].isin(["cancelled", "returned"])]
    customers = sales["customer_id"].nunique()  # counted independently, with pandas
    ref = spill_ref(out, "Customers", "A10")
    assert ref == f"A10:J{10 + customers}"  # header + one row per customer
    ids = [r[0].value for r in load_workbook(out, data_only=True)["Customers"][ref][1:]]
    assert set(added["customer_id"]) <= set(ids)


def test_the_new_month_appears_in_revenue_and_the_charts_follow(grown):
    out, added = grown
    months = pd.concat([template_orders(), added])["order_date"].dt.to_period("M").nunique()
    ref = spill_ref(out, "Trends", "A10")
    assert ref == f"A10:B{10 + months}"
    sheet = load_workbook(out, data_only=True)["Trends"]
    assert sheet[f"B{10 + months}"].value == pytest.approx(NEW * 100.0)  # the new month
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n) for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
    trend_series = [
        ref.decode()
        for chart in charts
        for ref in re.findall(rb"<(?:c:)?f>([^<]*Trends[^<]*)</(?:c:)?f>", chart)
        if ref.split(b"!")[1].count(b"$") == 4  # data ranges, not series names
    ]
    spills = {cell: spill_ref(out, "Trends", cell) for cell in ("A10", "D10", "J10")}
    assert trend_series
    for ref in trend_series:
        bottom = int(ref.rsplit("$", 1)[1])
        assert bottom in {int(re.sub(r"\D", "", s.split(":")[1])) for s in spills.values()}, ref
    assert any(ref.endswith(f"${10 + months}") for ref in trend_series)


def test_the_names_still_follow_the_table(grown):
    out, _ = grown
    book = load_workbook(out)
    assert book.defined_names["amount"].attr_text == "Orders[amount]"
    assert book["Data"].tables["Orders"].ref == f"A1:R{TEMPLATE_ORDERS + 1 + NEW}"
    assert book["Data"][f"A{TEMPLATE_ORDERS + 1 + NEW}"].value == f"SO-9{NEW - 1:07d}"
    assert isinstance(book["Data"][f"B{TEMPLATE_ORDERS + 2}"].value, dt.datetime)
