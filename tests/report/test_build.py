"""The headless report: built from order logs, reloaded, values checked."""

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlbizops.core import InputError
from xlbizops.report.build import ReportSettings, build_report
from xlbizops.sampledata import generate_orders


def _table(ws, header_row):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header = [h for h in rows[0] if h is not None]
    body = [r[: len(header)] for r in rows[1:] if r[0] is not None]
    return pd.DataFrame(body, columns=header)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    orders = generate_orders(5_000, seed=7)
    path = build_report(orders, tmp_path_factory.mktemp("r") / "report.xlsx")
    return orders, openpyxl.load_workbook(path)


def test_one_sheet_per_seed_analysis(sample_report):
    _, wb = sample_report
    assert wb.sheetnames == ["Supply chain", "Customers", "Trends", "Segments", "About"]


def test_eoq_matches_the_formula_worked_from_the_log(sample_report):
    orders, wb = sample_report
    sales = orders[~orders["status"].isin(["cancelled", "returned"])]
    last = sales["order_date"].max()
    window = sales[sales["order_date"] > last - pd.Timedelta(days=365)]
    units = window.groupby("sku", observed=True)["quantity"].sum()
    sku = units.idxmax()
    unit_cost = 0.6 * sales.loc[sales["sku"] == sku, "unit_price"].median()
    expected = np.sqrt(2 * units[sku] * 50.0 / (0.25 * unit_cost))
    table = _table(wb["Supply chain"], 4)
    row = table.set_index("sku").loc[sku]
    assert row["annual_demand"] == pytest.approx(units[sku])
    assert row["eoq"] == pytest.approx(expected)
    assert table["sku"].iloc[0] == sku  # sorted by demand, biggest first


def test_trend_sheet_adds_up_and_has_a_chart(sample_report):
    _, wb = sample_report
    ws = wb["Trends"]
    table = _table(ws, 4).dropna()
    total = table["trend"] + table["seasonal"] + table["cycle"] + table["residual"]
    np.testing.assert_allclose(total, table["observed"], rtol=1e-9, atol=1e-6)
    assert len(ws._charts) == 1


def test_customers_from_a_hand_made_log(tmp_path):
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(
                ["2024-06-01", "2024-06-28", "2024-06-30", "2024-05-01", "2024-06-29"] * 2
            ),
            "customer_id": ["A", "A", "B", "C", '=HYPERLINK("x")'] * 2,
            "sku": ["S1", "S2", "S1", "S1", "S2"] * 2,
            "quantity": [1, 2, 3, 4, 5] * 2,
            "unit_price": [10.0] * 10,
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0] * 2,
            "status": ["delivered"] * 9 + ["cancelled"],
        }
    )
    path = build_report(orders, tmp_path / "r.xlsx", ReportSettings(segments=2))
    rfm = _table(openpyxl.load_workbook(path)["Customers"], 4).set_index("customer_id")
    assert rfm.loc["A", "frequency"] == 4 and rfm.loc["A", "monetary"] == 60
    assert rfm.loc["B", "recency_days"] == 1  # latest order 06-30, as_of 07-01
    assert rfm.loc['=HYPERLINK("x")', "frequency"] == 1  # the cancelled copy is excluded
    with zipfile.ZipFile(path) as z:
        sheet = next(n for n in z.namelist() if "sheet2.xml" in n)
        assert "<f>" not in z.read(sheet).decode()  # written as text, never a formula


def test_report_file_has_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = build_report(generate_orders(300, seed=2), tmp_path / "r.xlsx")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_build_leaves_no_file(tmp_path):
    target = tmp_path / "report.xlsx"
    orders = generate_orders(200, seed=1).iloc[:0]
    with pytest.raises((InputError, ValueError)):
        build_report(orders, target)
    assert list(tmp_path.iterdir()) == []
