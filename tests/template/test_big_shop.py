"""A shop bigger than any fixed block: 20,000 customers and 2,000 SKUs on the Data
sheet, and every one of them is in the template's results after a headless refresh
(issue 20, item 4: formulas read ABC_CLASS(A13:A513, …), SEGMENT(B10:D5010, …) and
COUNTA(A11:A5010) before, and dropped the rest without a sign)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.template.package import WORKBOOKS, array_cells, refreshed_with_orders, sheet_xml
from xlbizops.core.customers import SEGMENT_NAMES
from xlbizops.sampledata import COLUMNS, generate_orders
from xlbizops.template.sheets import AREAS
from xlbizops.workbook.package import MAIN

CUSTOMERS, SKUS = 20_000, 2_000


def big_log() -> pd.DataFrame:
    """20,000 delivered orders in the last 360 days, each of its own customer, over
    2,000 SKUs (ten orders each): every customer and every SKU has demand."""
    log = generate_orders(CUSTOMERS, seed=11)
    last = log["order_date"].max().normalize()
    shift = last - pd.to_timedelta(log.index % 360, unit="D") - log["order_date"].dt.normalize()
    for name in ("order_date", "promised_date", "shipped_date", "delivered_date"):
        log[name] = log[name] + shift
    return log.assign(
        customer_id=[f"C{i:06d}" for i in range(CUSTOMERS)],
        sku=[f"SKU-{i % SKUS:05d}" for i in range(CUSTOMERS)],
        status="delivered",
        quantity=log["quantity"].abs().clip(lower=1),
        unit_price=log["unit_price"].abs().clip(lower=1.0),
    ).assign(amount=lambda f: f["quantity"] * f["unit_price"])[COLUMNS]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    log = big_log()
    return refreshed_with_orders(tmp_path_factory.mktemp("big"), log, keep_sample=False), log


def spill_rows(path, sheet: str, cell: str) -> int:
    ref = array_cells(sheet_xml(path)[sheet])[cell].find(f"{{{MAIN}}}f").get("ref")
    first, last = ref.split(":")
    return int(re.sub(r"\D", "", last)) - int(re.sub(r"\D", "", first))


def test_every_customer_is_scored_counted_and_segmented(refreshed):
    out, log = refreshed
    assert spill_rows(out, "Customers", "A10") == CUSTOMERS  # RFM_SCORE, one row each
    assert spill_rows(out, "Customers", "K10") == CUSTOMERS  # SEGMENT over all of them
    values = load_workbook(out, data_only=True)
    customers = values["Customers"]
    assert customers["E4"].value == CUSTOMERS  # COUNTA over the whole result
    per_segment = sum(customers[f"N{11 + i}"].value for i in range(len(SEGMENT_NAMES)))
    assert per_segment == CUSTOMERS  # the named segments' COUNTIFs
    profile = values["Segments"]
    header = [c.value for c in profile[9]]
    sizes = []
    for row in profile.iter_rows(min_row=10):
        if not isinstance(row[0].value, int | float):
            break
        sizes.append(row[header.index("size")].value)
    assert sum(sizes) == CUSTOMERS  # SEGMENT_PROFILE over every customer
    ids = {row[0].value for row in customers.iter_rows(min_row=11, max_row=10 + CUSTOMERS)}
    assert ids == set(log["customer_id"])


def test_every_sku_has_its_policy_and_its_class(refreshed):
    out, log = refreshed
    assert spill_rows(out, "Supply chain", "A12") == SKUS  # DEMAND_BY_ITEM
    assert spill_rows(out, "Supply chain", "K12") == SKUS  # ABC_CLASS over every SKU
    assert spill_rows(out, "Supply chain", "H13") == SKUS - 1  # EOQ, one per SKU (no header)
    supply = load_workbook(out, data_only=True)["Supply chain"]
    assert sum(supply[f"E{5 + i}"].value for i in range(3)) == SKUS  # class A, B, C counts
    value = (log["quantity"] * log["unit_price"] * 0.6).sum()  # 365-day demand at cost
    assert supply["E8"].value == pytest.approx(value, rel=1e-6)


def test_no_analysis_formula_reads_a_fixed_block_of_rows():
    """Ranges on analysis sheets are inputs (a few cells), names of the Data table's
    columns, or whole results through the spill operator: never a block of rows that
    a bigger shop outgrows."""
    book = load_workbook(WORKBOOKS / "xlbizops.xlsm")
    blocks = re.compile(r"\$?[A-Z]{1,3}\$?(\d+):\$?[A-Z]{1,3}\$?(\d+)")
    for area in AREAS:
        for row in book[area.name].iter_rows():
            for cell in row:
                value = cell.value
                text = getattr(value, "text", value)
                if not (isinstance(text, str) and text.startswith("=")):
                    continue
                for top, bottom in blocks.findall(text):
                    assert int(bottom) - int(top) < 10, (area.name, cell.coordinate, text)
                if re.search(r"\b(ABC_CLASS|SEGMENT|EOQ|ANOMALIES|COUNTIF|COUNTA)\(", text):
                    assert "ANCHORARRAY(" in text or "FILTER(" in text or "R10:R14" in text, (
                        area.name,
                        cell.coordinate,
                        text,
                    )
