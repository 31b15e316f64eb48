"""The Actions sheet (issue 22): SKUs to reorder now, customers to win back, weeks to
check; each list checked against the report's own tables with pandas, capped at 50
rows with a pointer to the whole list, and written whole with --actions."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlbizops import sampledata
from xlbizops.cli import main


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("actions")
    sampledata.write_orders(folder / "orders.csv", 20_000)
    log = pd.read_csv(folder / "orders.csv", parse_dates=["order_date"])
    sampledata.generate_inventory(log).to_csv(folder / "inventory.csv", index=False)
    argv = ["report", str(folder / "orders.csv"), "--inventory", str(folder / "inventory.csv"),
            "-o", str(folder / "r.xlsx"), "--actions", str(folder / "actions.csv"),
            "-q"]  # fmt: skip
    code = main(argv)
    assert code == 0
    book = openpyxl.load_workbook(folder / "r.xlsx", data_only=True)
    return folder, book, pd.read_csv(folder / "actions.csv", parse_dates=["order_by"])


def table_under(ws, first_header: str, wanted_column: str | None = None) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    for k, r in enumerate(rows):
        if r[0] == first_header and (wanted_column is None or wanted_column in r):
            header = [h for h in r if h is not None]
            body = []
            for row in rows[k + 1 :]:
                if row[0] is None:
                    break
                body.append(row[: len(header)])
            return pd.DataFrame(body, columns=header)
    raise AssertionError(f"no table {first_header} with {wanted_column}")


def test_actions_is_the_second_sheet(report):
    _, book, _ = report
    assert book.sheetnames[:2] == ["Summary", "Actions"]


def test_reorder_now_lists_every_sku_at_or_below_its_reorder_point(report):
    _, book, actions = report
    supply = table_under(book["Supply chain"], "SKU", "Reorder point")
    low = supply[supply["On hand"] <= supply["Reorder point"]]
    listed = actions[actions["list"] == "Reorder now"]
    assert len(listed) > 0 and set(listed["sku"]) == set(low["SKU"])
    merged = listed.merge(low, left_on="sku", right_on="SKU")
    want = np.ceil(merged["Reorder point"] - merged["On hand"] + merged["EOQ"].fillna(0))
    assert (merged["order_quantity"] == want.clip(lower=1)).all()
    assert list(listed["days_of_supply"]) == sorted(listed["days_of_supply"])
    assert (listed["order_by"] == pd.Timestamp(book["Summary"]["A2"].value[6:16])).all()
    sheet = [r[0] for r in book["Actions"].iter_rows(values_only=True) if r[0]]
    assert f"Reorder now ({len(low)})" in sheet


def test_customers_to_win_back_are_the_slipping_ones_by_value(report):
    _, book, actions = report
    rfm = table_under(book["Customer list"], "Customer ID", "Segment")
    clv = table_under(book["Customers"], "Customer ID", "CLV").set_index("Customer ID")["CLV"]
    slipping = rfm[rfm["Segment"].isin(["Can't Lose", "At Risk"])]
    listed = actions[actions["list"] == "Customers to win back"]
    assert set(listed["customer_id"]) == set(slipping["Customer ID"])
    values = listed["customer_id"].map(clv).fillna(-1).to_numpy()
    assert (np.diff(values) <= 1e-9).all()  # the highest expected value first
    sheet = [r[0] for r in book["Actions"].iter_rows(values_only=True) if r[0]]
    if len(listed) > 50:  # the sheet shows 50, the page fewer, and each says so
        said = [t for t in sheet if str(t).startswith(f"Here the first 50 of {len(listed):,}")]
        home = "; the full list is on sheet Customer list (filter Segment)."
        assert said and said[0].endswith(home)
        assert ", on paper the first " in said[0]


def test_the_actions_csv_cannot_overwrite_an_input(report, capsys):
    folder, _, _ = report
    code = main(["report", str(folder / "orders.csv"), "-o", str(folder / "x.xlsx"),
                 "--actions", str(folder / "orders.csv")])  # fmt: skip
    assert code == 2
    assert "--actions" in capsys.readouterr().err


def test_the_summary_opens_with_the_numbers_in_words(report):
    _, book, actions = report
    ws = book["Summary"]
    text = ws["A3"].value
    kpis = {r[0]: r for r in ws.iter_rows(min_row=9, max_row=16, values_only=True) if r[0]}
    month = ws["B9"].value  # "Oct 2026"
    revenue = kpis["revenue (net of returns)"][1]
    assert text.startswith(f"Revenue {revenue:,.0f} in {pd.Timestamp(month):%B %Y}")
    low = (actions["list"] == "Reorder now").sum()
    assert f"{low:,} SKU(s) at or below their reorder point" in text
    slipping = actions[actions["list"] == "Customers to win back"]
    assert f"{len(slipping):,} customers to win back" in text
    assert f"worth {slipping['clv'].sum():,.0f} in expected value" in text


def test_order_quantities_are_whole_packs_when_the_snapshot_has_pack_sizes(report):
    folder, book, actions = report
    stock = pd.read_csv(folder / "inventory.csv")
    stock["pack_size"] = np.where(np.arange(len(stock)) % 2 == 0, 12.0, np.nan)  # blank: singles
    stock.to_csv(folder / "packs.csv", index=False)
    argv = ["report", str(folder / "orders.csv"), "--inventory", str(folder / "packs.csv"),
            "-o", str(folder / "packs.xlsx"), "--actions", str(folder / "packs-actions.csv"),
            "-q"]  # fmt: skip
    assert main(argv) == 0
    packed = pd.read_csv(folder / "packs-actions.csv")
    packed = packed[packed["list"] == "Reorder now"].set_index("sku")
    single = actions[actions["list"] == "Reorder now"].set_index("sku")["order_quantity"]
    pack = stock.set_index("sku")["pack_size"].fillna(1.0)
    want = np.ceil(single / pack.reindex(single.index)) * pack.reindex(single.index)
    assert (packed.loc[single.index, "order_quantity"] == want).all()
    assert (packed.loc[single.index, "pack_size"] == pack.reindex(single.index)).all()
    assert (pack.reindex(single.index) == 12).any()


def test_a_pack_size_of_zero_is_refused_naming_its_line(report, capsys):
    folder, _, _ = report
    stock = pd.read_csv(folder / "inventory.csv")
    stock["pack_size"] = 6
    stock.loc[3, "pack_size"] = 0
    stock.to_csv(folder / "zero-pack.csv", index=False)
    argv = ["report", str(folder / "orders.csv"), "--inventory", str(folder / "zero-pack.csv"),
            "-o", str(folder / "zero.xlsx"), "-q"]  # fmt: skip
    assert main(argv) != 0
    assert "pack_size must be above 0 on line 5" in capsys.readouterr().err
    assert not (folder / "zero.xlsx").exists()


def test_win_back_list_carries_each_customers_latest_email_on_every_engine(report, tmp_path):
    """With an e-mail column the win-back list gives each customer the address on
    their latest order (checked with pandas); a file read in memory and a SQLite
    table give the same addresses."""
    import sqlite3

    folder, _, _ = report
    log = pd.read_csv(folder / "orders.csv")
    rng = np.random.default_rng(4)
    log["Email"] = [f"{c.lower()}-{k}@example.com" for c, k in
                    zip(log["customer_id"], rng.integers(0, 3, len(log)), strict=True)]  # fmt: skip
    log.loc[rng.random(len(log)) < 0.1, "Email"] = ""  # some lines without one
    log.to_csv(tmp_path / "mail.csv", index=False)
    with sqlite3.connect(tmp_path / "shop.db") as con:
        log.to_sql("orders", con, index=False)
    dated = log.assign(day=pd.to_datetime(log["order_date"]).dt.normalize())
    known = dated[dated["Email"] != ""]
    last = known[known["day"] == known.groupby("customer_id")["day"].transform("max")]
    want = last.groupby("customer_id")["Email"].max()
    got = {}
    for name, argv in {
        "file": [str(tmp_path / "mail.csv")],
        "sqlite": [f"sqlite:///{tmp_path / 'shop.db'}", "--table", "orders"],
    }.items():
        out = tmp_path / f"{name}.csv"
        code = main(["report", *argv, "-o", str(tmp_path / f"{name}.xlsx"), "--actions",
                     str(out), "--as-of", "2026-10-31", "-q"])  # fmt: skip
        assert code == 0, name
        actions = pd.read_csv(out)
        got[name] = actions[actions["list"] == "Customers to win back"].set_index("customer_id")
    listed = got["file"]
    assert len(listed) > 50
    mismatch = listed["email"].fillna("") != want.reindex(listed.index).fillna("")
    assert not mismatch.any(), listed[mismatch].head()
    sqlite = got["sqlite"]["email"].fillna("")
    assert (sqlite == listed["email"].reindex(sqlite.index).fillna("")).all()


def test_win_back_list_and_clv_table_show_risk_and_intervals(report):
    """The win-back list carries P(alive), churn risk and the "fell fastest" mark
    (which customers: ``test_engines``), and the CLV table its intervals, churn risk
    and next order."""
    _, book, actions = report
    listed = actions[actions["list"] == "Customers to win back"].reset_index(drop=True)
    assert {"p_alive", "churn_risk", "watch"} <= set(listed.columns)
    clv = table_under(book["Customers"], "Customer ID", "CLV")
    assert {"P(alive)", "Churn risk", "Expected next order", "CLV low 80", "CLV high 80"} <= set(
        clv.columns
    ), clv.columns
    marked = listed[listed["watch"] == "P(alive) fell fastest"]
    assert 0 < len(marked) <= 10
    assert set(listed["churn_risk"].dropna()) <= {"High", "Medium", "Low"}
    assert listed["p_alive"].between(0, 1).all()
