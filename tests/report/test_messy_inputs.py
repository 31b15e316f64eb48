"""Real, messy order logs (issue 11): every bad value gets a clear message naming where
it is, one bad row never sinks a report, and exit codes mean what the README says."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from xlbizops.cli import main
from xlbizops.core import InputError
from xlbizops.orderlog.values import dates as parse_dates
from xlbizops.report.build import build_report
from xlbizops.report.inputs import read_orders

MAP = {"order_date": "Date", "customer_id": "Customer", "amount": "Net Sales"}


def about(path) -> list[tuple]:
    return [r[:2] for r in load_workbook(path, read_only=True)["About"].iter_rows(values_only=True)]


def report(args, capsys) -> tuple[int, str]:
    code = main(["report", *map(str, args), "-q"])
    return code, capsys.readouterr().err


def test_two_columns_of_one_name_are_an_error_naming_both(tmp_path, capsys):
    csv = tmp_path / "orders.csv"
    csv.write_text("Date,Customer,amount,Qty,amount\n2025-01-05,A,10,1,12\n")
    with pytest.raises(InputError, match=r"two columns named 'amount' \(columns 3 and 5\)"):
        read_orders(csv)
    book = Workbook()
    book.active.append(["order_date", "amount", "customer_id", "amount"])
    book.active.append(["2025-01-05", 10, "A", 12])
    book.save(tmp_path / "orders.xlsx")
    code, err = report([tmp_path / "orders.xlsx", "-o", tmp_path / "r.xlsx"], capsys)
    assert code == 1 and "two columns named 'amount' (columns 2 and 4)" in err


def test_damaged_workbooks_and_parquet_files_say_which(tmp_path, capsys):
    fake = tmp_path / "orders.xlsx"
    fake.write_bytes(b"this is a text file with an .xlsx name")
    zipped = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("notes.txt", "a zip, but not a workbook")
    parquet = tmp_path / "orders.parquet"
    parquet.write_bytes(b"PAR1 not really parquet")
    for path, words in ((fake, "cannot be read as a workbook"),
                        (zipped, "cannot be read as a workbook"),
                        (parquet, "cannot be read as Parquet")):  # fmt: skip
        code, err = report([path, "-o", tmp_path / "r.xlsx"], capsys)
        assert code == 1 and words in err and path.name in err and "internal" not in err


@pytest.mark.parametrize("as_of", ["yesterday", "2026-02-31", "31/12/2025"])
def test_an_unreadable_as_of_is_a_usage_error(as_of, tmp_path, capsys):
    code, err = report(["--sample", "--sample-orders", "500", "--as-of", as_of, "-o",
                        tmp_path / "r.xlsx"], capsys)  # fmt: skip
    assert code == 2 and f"as-of date must be a date written yyyy-mm-dd (got {as_of!r})" in err


@pytest.mark.parametrize(
    "toml,message",
    [
        ('[settings]\nsegments = "four"\n', "setting segments must be a whole number (got 'four')"),
        ("[settings]\nholding_rate = 0\n", "setting holding_rate must be greater than 0 (got 0)"),
        ("[settings]\nservice_level = 95\n", "setting service_level must be between 0 and 1"),
        ("[settings]\ndedupe = 1\n", "setting dedupe must be true or false (got 1)"),
        ("[setings]\nsegments = 4\n", "unknown table [setings]"),
        ('[input]\nordres = "x.csv"\n', "unknown key(s) ordres in [input]"),
        ('[map]\nammount = "Net"\n', "unknown key(s) ammount in [map]"),
    ],
)
def test_bad_settings_name_the_key(toml, message, tmp_path, capsys):
    config = tmp_path / "report.toml"
    config.write_text(toml)
    code, err = report(["--sample", "--sample-orders", "500", "--config", config, "-o",
                        tmp_path / "r.xlsx"], capsys)  # fmt: skip
    assert code == 2 and message in err, err
    assert not (tmp_path / "r.xlsx").exists()


def test_one_bad_row_never_sinks_the_report(tmp_path, capsys):
    good = [f"2025-0{1 + i % 6}-{10 + i % 15},C{i % 9},{20 + i}" for i in range(80)]
    bad = [
        "2025-02-03,X1,1e400",  # overflows
        "2025-02-03,X2,inf",
        "1899-12-31,X3,10",  # before 1990
        "1985-06-01,X4,10",
        "2025-09-01,X5,10",  # after the as-of date
    ]
    csv = tmp_path / "orders.csv"
    csv.write_text("Date,Customer,Net Sales\n" + "\n".join(good + bad) + "\n")
    out = tmp_path / "r.xlsx"
    maps = [a for k, v in MAP.items() for a in ("--map", f"{k}={v}")]
    code, _ = report([csv, "-o", out, "--as-of", "2025-06-30", *maps], capsys)
    assert code == 0
    facts = about(out)
    assert ("rows used", 80) in facts
    assert ("  rejected: unreadable amount", 2) in facts
    assert ("  rejected: order date before 1990-01-01", 2) in facts
    assert ("  rejected: order date after 2025-06-30", 1) in facts


def test_ship_and_delivery_dates_before_the_order_are_blanked_and_counted(tmp_path):
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "order_date,customer_id,amount,shipped_date,delivered_date\n"
        "2025-03-10,A,10,2025-03-09,2025-03-12\n"  # shipped a day before it was ordered
        "2025-03-10,B,10,2025-03-11,2025-03-01\n"  # delivered before it was ordered
        "2025-03-11,C,10,2025-03-11,2025-03-13\n"
    )
    lines, intake = read_orders(csv, latest=pd.Timestamp("2025-12-31"))
    assert lines["shipped_date"].isna().tolist() == [True, False, False]
    assert lines["delivered_date"].isna().tolist() == [False, True, False]
    assert "shipped_date: 1 date(s) before their order date were left blank" in intake.notes
    assert "delivered_date: 1 date(s) before their order date were left blank" in intake.notes
    assert intake.rows_used == 3


@pytest.mark.parametrize(
    "log",
    [
        {"order_date": ["2025-01-05"], "customer_id": ["A"], "amount": [10.0]},
        {"order_date": ["2025-01-05"] * 5, "customer_id": list("ABCDE"), "amount": [1.0] * 5},
        {
            "order_date": pd.date_range("2025-01-01", periods=60).strftime("%Y-%m-%d"),
            "customer_id": ["A"] * 60,
            "amount": np.arange(60) + 10.0,
        },
        {
            "order_date": pd.date_range("2025-01-01", periods=60).strftime("%Y-%m-%d"),
            "customer_id": [f"C{i % 9}" for i in range(60)],
            "amount": np.arange(60) + 10.0,
            "sku": ["S1"] * 60,
            "quantity": [1] * 60,
        },
    ],
    ids=["one order", "one day", "one customer", "one SKU"],
)
def test_small_logs_give_a_report_that_says_what_each_section_needs(log, tmp_path):
    out = build_report(pd.DataFrame(log), tmp_path / "r.xlsx")
    texts = [
        str(v)
        for ws in load_workbook(out, read_only=True)
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    gaps = [t for t in texts if "not in this report" in t]
    for gap in gaps:  # every gap names its section and what it needs
        section, _, needs = gap.partition(": not in this report. It needs ")
        assert section and needs, gap
    assert not any(t.startswith("values needs") for t in texts)  # never without a section
    if len(log["amount"]) == 1:
        assert any(g.startswith("Anomalous weeks: not in this report") for g in gaps)


def test_excel_serial_dates_in_a_csv_are_read():
    parsed, _ = parse_dates(pd.Series(["45658", "45659", "45660.5"]))
    assert list(parsed) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02"),
                            pd.Timestamp("2025-01-03 12:00")]  # fmt: skip


def test_parquet_columns_of_the_wrong_type_are_named(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    nested = pa.table({
        "order_date": pa.array([[1, 2], [3]]),
        "customer_id": ["a", "b"],
        "amount": pa.array([{"x": 1.0}, {"x": 2.0}]),
    })  # fmt: skip
    pq.write_table(nested, tmp_path / "nested.parquet")
    code, err = report([tmp_path / "nested.parquet", "-o", tmp_path / "r.xlsx"], capsys)
    assert code == 1 and "column 'order_date' holds list" in err
    wrong = pa.table({
        "order_date": pa.array([b"\x00\x01", b"\x02"]),
        "customer_id": [1.5, 2.5],
        "amount": pa.array([True, False]),
    })  # fmt: skip
    pq.write_table(wrong, tmp_path / "wrong.parquet")
    code, err = report([tmp_path / "wrong.parquet", "-o", tmp_path / "r.xlsx"], capsys)
    assert code == 1 and "2 unreadable order_date" in err
