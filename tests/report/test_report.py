"""The headless report: built, reloaded, and its numbers checked independently."""

import os
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlbizops.cli import main
from xlbizops.core import InputError
from xlbizops.report.build import build_report, run_report
from xlbizops.report.config import ReportSettings as Settings
from xlbizops.sampledata import generate_inventory, generate_orders

SHEETS = ["Summary", "Actions", "Supply chain", "Replenishment", "Customers", "Trends", "Segments",
          "Orders", "Risk", "Customer list", "Daily revenue", "About"]  # fmt: skip


def table_at(ws, title_text, header_first=False):
    """The table under the heading ``title_text``, or whose header starts with it,
    with the column headers a reader sees ("Annual demand", "EOQ")."""
    rows = list(ws.iter_rows(values_only=True))
    # a heading may go on to say its table is cut on paper: "… (on paper the first 29 …)"
    start = next(
        i
        for i, r in enumerate(rows)
        if r[0] == title_text or str(r[0]).startswith(title_text + " (")
    ) + (0 if header_first else 1)
    header = [h for h in rows[start] if h is not None]
    body = []
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        body.append(r[: len(header)])
    return pd.DataFrame(body, columns=header)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    orders = generate_orders(20_000, seed=7)
    inventory = generate_inventory(orders, seed=7)
    path = build_report(
        orders, tmp_path_factory.mktemp("r") / "report.xlsx", inventory=inventory, source="sample"
    )
    return orders, inventory, openpyxl.load_workbook(path)


def test_sheets_in_order_with_charts(sample):
    _, _, wb = sample
    assert wb.sheetnames == SHEETS
    charts = {ws.title: len(ws._charts) for ws in wb}
    assert charts == {
        "Summary": 1,
        "Actions": 0,
        "Supply chain": 1,
        "Replenishment": 0,
        "Customers": 2,
        "Trends": 5,
        "Segments": 1,
        "Orders": 2,
        "Risk": 1,
        "Customer list": 0,
        "Daily revenue": 0,
        "About": 0,
    }


def test_summary_revenue_and_orders_match_the_log(sample):
    orders, _, wb = sample
    ws = wb["Summary"]
    table = table_at(ws, "KPI", header_first=True)
    rows = {r[0]: r[1:4] for r in table.itertuples(index=False)}
    october = orders[
        (orders["order_date"] >= "2026-10-01") & (orders["order_date"] <= "2026-10-31")
    ]
    kept = october[~october["status"].isin(["cancelled", "returned"])]
    # Cancelled and returned orders are not revenue (the sample has no negative lines).
    assert rows["revenue (net of returns)"][0] == pytest.approx(kept["amount"].sum())
    assert kept["amount"].sum() < october["amount"].sum()
    assert rows["orders"][0] == len(kept)
    assert rows["customers"][0] == kept["customer_id"].nunique()


def test_supply_chain_policy_for_the_top_sku(sample):
    orders, inventory, wb = sample
    table = table_at(wb["Supply chain"], "SKU", header_first=True)
    top = table.iloc[0]
    sku = top["SKU"]
    sold = orders[(orders["status"] != "cancelled") & (orders["sku"] == sku)]
    end = orders["order_date"].max()
    window = sold[sold["order_date"] > end - pd.Timedelta(days=365)]
    daily = (
        window.groupby("order_date")["quantity"]
        .sum()
        .reindex(pd.date_range(end - pd.Timedelta(days=364), end), fill_value=0)
    )
    unit_cost = inventory.set_index("sku").loc[sku, "unit_cost"]
    lead = inventory.set_index("sku").loc[sku, "lead_time_days"]
    assert top["Annual demand"] == pytest.approx(daily.mean() * 365)
    assert top["EOQ"] == pytest.approx(np.sqrt(2 * daily.mean() * 365 * 50 / (0.25 * unit_cost)))
    z = 1.6448536269514722
    assert top["Safety stock"] == pytest.approx(z * daily.std(ddof=0) * np.sqrt(lead))
    assert top["ABC class"] == "A"
    detail = table_at(wb["Supply chain"], "Demand, cost and ABC value per SKU")
    assert detail["Cumulative share"].is_monotonic_increasing
    assert detail["Lead time (days)"].iloc[0] == lead


def test_orders_kpis_match_the_log(sample):
    orders, _, wb = sample
    kpis = dict(wb["Orders"].iter_rows(min_row=5, max_row=25, max_col=2, values_only=True))
    sold = orders[orders["amount"] >= 0]
    delivered = sold.dropna(subset=["delivered_date"])
    on_time = (delivered["delivered_date"] <= delivered["promised_date"]).mean()
    assert kpis["orders"] == len(sold)
    assert kpis["on-time delivery rate"] == pytest.approx(on_time)
    assert kpis["cancellation rate"] == pytest.approx((sold["status"] == "cancelled").mean())


def test_customers_segments_trends_risk_have_content(sample):
    _, _, wb = sample
    counts = table_at(wb["Customers"], "Customers per segment")
    rfm = table_at(wb["Customer list"], "RFM per customer")
    assert counts["Customers"].sum() == len(rfm)
    parts = table_at(wb["Daily revenue"], "Daily revenue decomposition").dropna()
    total = parts["Trend"] + parts["Seasonal"] + parts["Cycle"] + parts["Residual"]
    np.testing.assert_allclose(total, parts["Observed"], rtol=1e-9, atol=1e-6)
    risk = table_at(wb["Risk"], "Week", header_first=True)  # under a one-line summary
    # The same weeks by hand: revenue per Monday-started week, robust z-score
    # 0.6745 (x - median) / MAD above 3.5 (Iglewicz & Hoaglin 1993).
    orders = sample[0]
    sales = orders[~orders["status"].isin(["cancelled", "returned"])]
    weekly = sales.groupby(sales["order_date"].dt.to_period("W-SUN"))["amount"].sum()
    x = weekly.to_numpy()
    z = 0.6745 * (x - np.median(x)) / np.median(np.abs(x - np.median(x)))
    expected = {p.start_time.strftime("%Y-%m-%d") for p in weekly.index[np.abs(z) > 3.5]}
    assert expected and {d.strftime("%Y-%m-%d") for d in risk["Week"]} == expected
    summary = [r[0] for r in wb["Risk"].iter_rows(values_only=True) if r[0]]
    assert f"{len(expected)} week(s) stand out" in " ".join(map(str, summary))
    suppliers = table_at(wb["Risk"], "Suppliers ranked by risk")
    assert suppliers["Rank"].tolist() == sorted(suppliers["Rank"].tolist())


def test_about_counts_rows(sample):
    _, _, wb = sample
    about = dict(wb["About"].iter_rows(min_row=4, max_col=2, values_only=True))
    assert about["rows read"] == 20_000 and about["rows rejected"] == 0
    assert about["as-of date"] == "2026-10-31"


def hand_log():
    day = pd.Timestamp("2024-06-01")
    rows = []
    for k, customer in enumerate(["A", "B", '=HYPERLINK("http://x","y")', "+SUM(1)", "C"] * 12):
        rows.append(
            {
                "order_id": f"O{k}",
                "order_date": day + pd.Timedelta(days=k),
                "customer_id": customer,
                "amount": 10.0 + k,
            }
        )
    return pd.DataFrame(rows)


def test_revenue_nets_return_lines_and_leaves_out_cancelled_orders():
    from xlbizops.orderlog.sums import aggregate
    from xlbizops.report.analyses import lines_table
    from xlbizops.report.inputs import Intake, clean_orders, resolve_columns

    raw = pd.DataFrame(
        {
            "order_id": ["1", "2", "3", "4"],
            "order_date": pd.to_datetime(["2024-06-01"] * 4),
            "customer_id": ["A", "B", "C", "A"],
            "amount": [100.0, 50.0, 30.0, -40.0],
            "status": ["delivered", "cancelled", "returned", "returned"],
        }
    )
    lines = clean_orders(raw, resolve_columns(list(raw.columns), {}), Intake("t"))
    # 100 sold, 50 cancelled, 30 returned (status), 40 refunded by a return line.
    assert aggregate(lines_table(lines)).daily_revenue["revenue"].sum() == 60.0


def test_hand_made_log_without_optional_columns(tmp_path):
    path = build_report(hand_log(), tmp_path / "r.xlsx", Settings(segments=2))
    wb = openpyxl.load_workbook(path)
    rfm = table_at(wb["Customer list"], "RFM per customer").set_index("Customer ID")
    assert rfm.loc["A", "Frequency"] == 12
    assert rfm.loc["A", "Monetary"] == sum(10.0 + k for k in range(0, 60, 5))
    # Sections that need other columns say what they need instead of vanishing.
    texts = [
        c
        for ws in wb
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str) and "not in this report" in c
    ]
    assert any("needs sku and quantity" in t for t in texts)
    assert any("shipped_date" in t for t in texts)
    assert any("inventory snapshot" in t for t in texts)


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    path = build_report(hand_log(), tmp_path / "r.xlsx", Settings(segments=2))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode(), name
    wb = openpyxl.load_workbook(path)
    ids = set(table_at(wb["Customer list"], "RFM per customer")["Customer ID"])
    assert '=HYPERLINK("http://x","y")' in ids and "+SUM(1)" in ids


def test_failed_run_leaves_no_file_and_permissions_are_ordinary(tmp_path):
    target = tmp_path / "report.xlsx"
    with pytest.raises(InputError):
        build_report(hand_log().iloc[:0], target)
    assert list(tmp_path.iterdir()) == []
    umask = os.umask(0o022)
    try:
        build_report(hand_log(), target, Settings(segments=2))
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_run_report_with_config_inventory_and_suppliers_files(tmp_path, monkeypatch):
    orders = generate_orders(3_000, seed=3).rename(
        columns={"amount": "Net Sales", "order_date": "Date"}
    )
    orders.to_csv(tmp_path / "orders.csv", index=False)
    generate_inventory(generate_orders(3_000, seed=3)).to_csv(tmp_path / "stock.csv", index=False)
    pd.DataFrame(
        {
            "supplier": ["SUP-01", "SUP-02", "SUP-03"],
            "defect_rate": [0.01, 0.05, 0.02],
            "on_time_rate": [0.9, 0.8, 0.99],
        }
    ).to_csv(tmp_path / "sup.csv", index=False)
    (tmp_path / "report.toml").write_text(
        '[input]\norders = "orders.csv"\ninventory = "stock.csv"\n'
        '[map]\namount = "Net Sales"\norder_date = "Date"\n[settings]\norder_cost = 80\n'
    )
    monkeypatch.chdir("/")  # where a scheduler may run it: [input] paths follow the config
    path, progress = run_report(
        None,
        tmp_path / "out.xlsx",
        config_path=tmp_path / "report.toml",
        suppliers_path=tmp_path / "sup.csv",
    )
    wb = openpyxl.load_workbook(path)
    about = dict(wb["About"].iter_rows(min_row=4, max_col=2, values_only=True))
    assert about["setting order_cost"] == 80 and about["column for amount"] == "Net Sales"
    suppliers = table_at(wb["Risk"], "Suppliers ranked by risk")
    # SUP-02 has the most defects and the lowest on-time rate (higher on-time is better).
    assert suppliers["Supplier"].tolist() == ["SUP-02", "SUP-01", "SUP-03"]
    assert set(progress.timings) >= {"read", "customers", "write"}


def test_a_sheet_streams_top_to_bottom_and_refuses_a_cell_above(tmp_path):
    """The report streams each sheet row by row; a layout that writes above a row
    already streamed fails loudly instead of losing the cell."""
    from xlbizops.report.sheet import ReportBook

    book = ReportBook(tmp_path / "streamed.xlsx")
    sheet = book.sheet("Sheet")
    sheet.put(1, 1, "title")
    last, _ = sheet.table(pd.DataFrame({"kpi": ["a", "b"], "value": [1.5, 2.0]}), 3)
    sheet.put(last + 1, 1, "after the table")
    with pytest.raises(RuntimeError, match="row 2 was written after a row below it"):
        sheet.put(2, 1, "too late")
    book.close()
    rows = list(openpyxl.load_workbook(tmp_path / "streamed.xlsx")["Sheet"].values)
    assert rows == [
        ("title", None), (None, None), ("KPI", "Value"), ("a", 1.5), ("b", 2.0),
        ("after the table", None),
    ]  # fmt: skip


def test_write_cell_writes_each_value_as_data(tmp_path):
    """The one XlsxWriter cell writer (report and template): text that looks like a
    formula is text, numbers and dates are themselves, a blank is nothing."""
    import datetime as dt

    import numpy as np
    import xlsxwriter

    from xlbizops.workbook.writing import write_cell

    book = xlsxwriter.Workbook(str(tmp_path / "cells.xlsx"))
    ws = book.add_worksheet("S")
    values = ["=SUM(1,2)", np.int64(7), 2.5, True, dt.datetime(2024, 3, 1), np.nan, None]
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, value in enumerate(values):
        assert write_cell(ws, 0, col, value, date if col == 4 else None) == 0
    book.close()
    row = [c for c in openpyxl.load_workbook(tmp_path / "cells.xlsx")["S"][1]]
    assert [c.value for c in row[:5]] == ["=SUM(1,2)", 7, 2.5, True, dt.datetime(2024, 3, 1)]
    assert row[0].data_type == "s"  # text, never a formula
    assert len(row) == 5  # NaN and None wrote nothing


MULTI_LINE = (
    (
        "order_id,order_date,customer_id,amount,quantity,sku,promised_date,shipped_date,"
        "delivered_date,status\n"
    )
    + """O1,2026-03-02,C1,10,1,S1,2026-03-10,2026-03-03,2026-03-08,delivered
O1,2026-03-02,C1,10,1,S2,2026-03-10,2026-03-03,2026-03-09,delivered
O2,2026-03-03,C2,10,1,S1,2026-03-10,2026-03-04,2026-03-09,delivered
O2,2026-03-03,C2,10,1,S2,2026-03-10,2026-03-04,2026-03-14,delivered
O3,2026-03-04,C3,10,1,S1,2026-03-10,2026-03-05,2026-03-12,delivered
O4,2026-03-05,C4,10,1,S2,2026-03-12,2026-03-06,2026-03-10,delivered
O5,2026-03-06,C5,10,1,S1,2026-03-12,2026-03-07,2026-03-10,delivered
O5,2026-03-06,C5,10,1,S2,2026-03-12,2026-03-07,,shipped
O6,2026-03-07,C6,10,1,S1,2026-03-12,2026-03-08,2026-03-11,delivered
O6,2026-03-07,C6,10,1,S2,2026-03-12,,,cancelled
"""
)


def by_order_on_time(frame: pd.DataFrame) -> float:
    """The rule, independently in pandas: an order is delivered when every line that is
    not cancelled is, and on time when each of them arrived by its own promise."""
    going = frame[frame["status"] != "cancelled"]
    hits = known = 0
    for _, lines in going.groupby("order_id"):
        if lines["delivered_date"].isna().any() or lines["promised_date"].isna().any():
            continue
        known += 1
        hits += bool((lines["delivered_date"] <= lines["promised_date"]).all())
    return hits / known


def test_one_on_time_rate_by_order_on_summary_and_orders_sheet(tmp_path):
    """Issue 21: the Summary's on-time rate was weighted by order line and the Orders
    sheet's by order (its first line's dates, so a late second line was invisible).
    Both are now by order; O2's late second line makes O2 late; O5 is not delivered
    while a line is in transit; O6's cancelled line does not hold it back.  The same
    from a file and from SQLite."""
    import sqlite3

    from python_calamine import CalamineWorkbook

    log = tmp_path / "lines.csv"
    log.write_text(MULTI_LINE)
    frame = pd.read_csv(log, parse_dates=["promised_date", "delivered_date"])
    expected = by_order_on_time(frame)
    assert expected == pytest.approx(3 / 5)  # O1, O4, O6 of O1, O2, O3, O4, O6
    with sqlite3.connect(tmp_path / "shop.db") as con:
        pd.read_csv(log).to_sql("orders", con, index=False)
    database = (f"sqlite:///{tmp_path / 'shop.db'}", ["--table", "orders"])
    for source, extra in ((str(log), []), database):
        out = tmp_path / "r.xlsx"
        assert main(["report", source, *extra, "--as-of", "2026-03-31", "-o", str(out), "-q"]) == 0
        book = CalamineWorkbook.from_path(str(out))
        rates = {
            name: [r[1] for r in book.get_sheet_by_name(name).to_python()
                   if r and r[0] == "on-time delivery rate"]
            for name in ("Summary", "Orders")
        }  # fmt: skip
        assert rates == {"Summary": [pytest.approx(expected)], "Orders": [pytest.approx(expected)]}


def test_long_tables_have_their_header_frozen_and_filtered(sample):
    """Each sheet's main table (the long list a reader scrolls and filters) starts near
    the top: its header row stays on screen and carries the sheet's one autofilter,
    which spans the whole table.  Sheets of short tables freeze and filter nothing."""
    _, _, wb = sample
    mains = {"Supply chain": "SKU", "Replenishment": "SKU", "Customer list": "Customer ID",
             "Daily revenue": "Date", "Risk": "Week"}  # fmt: skip
    for name, first_header in mains.items():
        ws = wb[name]
        header = next(r for r in range(1, 30) if ws.cell(r, 1).value == first_header)
        last = header
        while ws.cell(last + 1, 1).value is not None:
            last += 1
        assert last - header >= 1, name
        assert ws.freeze_panes == f"A{header + 1}", name
        first, end = ws.auto_filter.ref.split(":")
        assert first == f"A{header}", name
        assert int("".join(ch for ch in end if ch.isdigit())) == last, name
    for name in ("Summary", "Actions", "Customers", "Trends", "Segments", "Orders", "About"):
        assert wb[name].freeze_panes is None and not wb[name].auto_filter.ref, name
    assert len(table_at(wb["Customer list"], "RFM per customer")) > 1000  # the long one


def test_replenishment_sheet_matches_the_policy_on_weekly_demand_by_pandas(sample):
    """The Replenishment sheet: weekly units per SKU summed by pandas from the log
    (cancelled orders out, the last 104 complete Monday weeks), each SKU's lead time
    from the snapshot in weeks; the policy the core computes on those lines is the
    one the sheet prints, and the backtest's units by class add up to the log's
    units over the last 26 weeks."""
    from xlbizops.core import replenishment

    orders, inventory, wb = sample
    ws = wb["Replenishment"]
    policy = table_at(ws, "Reorder policy per SKU").set_index("SKU")
    sold = orders[orders["status"] != "cancelled"]
    end = orders["order_date"].max().normalize()
    sunday = end if end.day_of_week == 6 else end - pd.Timedelta(days=end.day_of_week + 1)
    window = sold[(sold["order_date"] > sunday - pd.Timedelta(weeks=104))
                  & (sold["order_date"] <= sunday + pd.Timedelta(hours=23))]  # fmt: skip
    weekly = window.groupby(["sku", window["order_date"].dt.to_period("W-SUN")])["quantity"].sum()
    weekly = weekly[weekly != 0].reset_index()
    starts = weekly["order_date"].dt.start_time
    snap = inventory.set_index("sku")
    sku = policy.index[0]
    leads = (snap["lead_time_days"] / 7).to_dict()  # weeks, per SKU
    expected = replenishment.reorder_policy(
        weekly["sku"].to_numpy(), starts, weekly["quantity"].to_numpy(float), leads, 0.95,
        as_of=end,
    ).set_index("sku")  # fmt: skip
    row = policy.loc[sku]
    assert row["Class"] == expected.loc[sku, "class"]
    assert row["Method"] == expected.loc[sku, "method"]
    assert row["Order up to"] == expected.loc[sku, "order_up_to"]
    assert row["Forecast per period"] == pytest.approx(expected.loc[sku, "forecast_per_period"])
    assert row["On hand"] == snap.loc[sku, "on_hand"]
    assert row["Order now"] == max(expected.loc[sku, "order_up_to"] - snap.loc[sku, "on_hand"], 0)
    assert len(policy) == weekly["sku"].nunique()
    by_class = table_at(ws, "Fill rate by demand class: the last 26 weeks replayed")
    total = by_class[by_class["Class"] == "total"].iloc[0]
    last26 = window[window["order_date"] > sunday - pd.Timedelta(weeks=26)]
    assert total["Demand"] == pytest.approx(last26["quantity"].sum())
    assert 0 < total["Served"] <= total["Demand"]
    assert total["Achieved fill rate"] == pytest.approx(total["Served"] / total["Demand"])
    assert ws.freeze_panes is not None  # the policy list's header stays on screen
