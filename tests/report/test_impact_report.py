"""``xlbizops report --change`` (issue 25): the Impact sheet measures revenue, orders,
on-time rate and order-to-delivery days by week against the counterfactual of
``core.impact.impact_series``."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlbizops.cli import main
from xlbizops.core import impact
from xlbizops.report.analyses import analyse
from xlbizops.report.config import ReportSettings
from xlbizops.report.inputs import read_orders
from xlbizops.sampledata import generate_orders

CHANGE = "2026-08-05"  # a Wednesday: its week, from Monday 3 August, is the first after


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("impact")
    orders = generate_orders(8_000, seed=3)
    orders.to_csv(folder / "orders.csv", index=False, date_format="%Y-%m-%d")
    lines, _ = read_orders(folder / "orders.csv")
    data = analyse(lines, ReportSettings(change_date=CHANGE, change_label="the new carrier"))
    return orders, data


def test_revenue_is_impact_series_on_weekly_revenue(measured):
    """The revenue measure is the core's impact_series on the report's own daily
    revenue summed here into weeks from Monday, complete weeks only."""
    _, data = measured
    daily = data.decomposition.set_index("date")["observed"]
    weekly = daily.resample("W-MON", label="left", closed="left").sum()
    weekly = weekly[weekly.index + pd.Timedelta(days=6) <= data.as_of]
    expected = impact.impact_series(weekly.index, weekly.to_numpy(), pd.Timestamp("2026-08-03"))
    got = data.impact["revenue"]
    np.testing.assert_allclose(got.summary["cumulative"], expected.summary["cumulative"],
                               rtol=1e-9)  # fmt: skip
    assert got.periods["date"].iloc[0] == pd.Timestamp("2026-08-03")


def test_orders_on_time_and_delivery_days_by_week(measured):
    """Orders per week counted here from the log (orders with a sale, by the day they
    were placed) equal the actual column of the orders measure; the on-time rate and
    the delivery days are measured too."""
    orders, data = measured
    sold = orders[~orders["status"].isin(["cancelled", "returned"])]
    per_day = sold.groupby(pd.to_datetime(sold["order_date"]).dt.normalize())["order_id"].nunique()
    weekly = per_day.resample("W-MON", label="left", closed="left").sum()
    got = data.impact["orders"].periods.set_index("date")["actual"]
    np.testing.assert_allclose(got, weekly.reindex(got.index).to_numpy(), rtol=0, atol=0.5)
    for name in ("on-time rate", "order-to-delivery days"):
        result = data.impact[name]
        assert len(result.periods) == len(got), name
        assert result.verdict.startswith("values ")


def test_the_command_line_adds_an_impact_sheet_and_refuses_a_bad_date(tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["report", "--sample", "-o", str(out), "--change", CHANGE,
                 "--change-label", "the new carrier", "-q"]) == 0  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert book.sheetnames.index("Impact") == book.sheetnames.index("Orders") + 1
    cells = [r[0] for r in book["Impact"].iter_rows(values_only=True) if r[0]]
    assert cells[0] == f"Impact of the new carrier from {CHANGE}"
    for name in ("revenue", "orders", "on-time rate", "order-to-delivery days"):
        assert f"Impact on {name}" in cells
        assert any(str(c).startswith(f"{name} rose") or str(c).startswith(f"{name} fell")
                   for c in cells), name  # fmt: skip
    assert main(["report", "--sample", "-o", str(tmp_path / "b.xlsx"), "--change", "5/8/26"]) == 2
    assert "must be a date written yyyy-mm-dd" in capsys.readouterr().err
    plain = tmp_path / "plain.xlsx"
    assert main(["report", "--sample", "-o", str(plain), "-q"]) == 0
    assert "Impact" not in openpyxl.load_workbook(plain).sheetnames


def test_report_toml_impact_table(tmp_path):
    config = tmp_path / "report.toml"
    config.write_text(f'[impact]\ndate = {CHANGE}\nlabel = "the new carrier"\n')
    out = tmp_path / "r.xlsx"
    assert main(["report", "--sample", "-o", str(out), "--config", str(config), "-q"]) == 0
    assert openpyxl.load_workbook(out)["Impact"]["A1"].value == (
        f"Impact of the new carrier from {CHANGE}"
    )
