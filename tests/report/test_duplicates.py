"""Identical rows are repeated purchases unless order ids say they are repeated lines.

The data: the CDNOW 1/10th sample (Fader, Hardie & Lee 2005; copied from lifetimes,
see tests/fixtures/cdnow/README.md).  It has no order id, and 21 of its 6,919 rows
repeat an earlier row exactly: a customer buying the same number of CDs for the same
amount on the same day, twice.  Both are purchases in the published BG/NBD fit.
"""

from pathlib import Path

import pandas as pd
import pytest

from xlbizops.orderlog.sums import aggregate
from xlbizops.report.analyses import lines_table, monthly_revenue
from xlbizops.report.build import run_report
from xlbizops.report.inputs import read_orders

CDNOW = Path(__file__).parents[1] / "fixtures" / "cdnow" / "CDNOW_sample.txt"
MAP = {"customer_id": "customer", "order_date": "date", "quantity": "cds", "amount": "dollars"}


@pytest.fixture(scope="module")
def cdnow():
    """The raw file as text columns, exactly as the authors published it."""
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str)
    raw.columns = ["customer", "sample_id", "date", "cds", "dollars"]
    return raw[["customer", "date", "cds", "dollars"]]


@pytest.fixture
def cdnow_csv(cdnow, tmp_path):
    path = tmp_path / "cdnow.csv"
    cdnow.to_csv(path, index=False)
    return path


def test_the_fixture_has_identical_rows(cdnow):
    assert len(cdnow) == 6919
    assert int(cdnow.duplicated().sum()) == 21


def test_without_order_ids_every_purchase_is_kept(cdnow, cdnow_csv):
    lines, intake = read_orders(cdnow_csv, MAP)
    raw_revenue = cdnow["dollars"].astype(float).sum()
    assert intake.rows_read == intake.rows_used == 6919
    assert not intake.rejected
    sums = aggregate(lines_table(lines))
    assert sums.customers["orders"].sum() == 6919  # one order per row
    assert sums.customers["monetary"].sum() == pytest.approx(raw_revenue, abs=1e-6)
    assert monthly_revenue(sums)["revenue"].sum() == pytest.approx(raw_revenue, abs=1e-6)
    assert any(
        note.startswith("21 row(s) identical to an earlier row")
        and "kept as separate purchases" in note
        for note in intake.notes
    )


def test_dedupe_rejects_identical_rows_when_asked(cdnow_csv):
    lines, intake = read_orders(cdnow_csv, MAP, dedupe=True)
    assert intake.rows_used == 6919 - 21
    assert intake.rejected == {"identical to an earlier row (dedupe is on)": 21}


def test_with_order_ids_a_repeated_row_is_a_duplicate(cdnow, tmp_path):
    # The same 6,919 purchases, each with its own order id, then the first 5 lines of
    # the export repeated: 5 duplicates, and the 21 same-day repeat purchases stay.
    log = cdnow.assign(order=[f"A{i}" for i in range(len(cdnow))])
    log = pd.concat([log, log.head(5)], ignore_index=True)
    path = tmp_path / "with_ids.csv"
    log.to_csv(path, index=False)
    lines, intake = read_orders(path, {**MAP, "order_id": "order"})
    assert intake.rows_read == 6924 and intake.rows_used == 6919
    assert intake.rejected == {"exact duplicate of an earlier row (same order id)": 5}
    assert lines["amount"].sum() == pytest.approx(cdnow["dollars"].astype(float).sum())


def test_the_report_keeps_them_and_says_so(cdnow_csv, tmp_path):
    out, _ = run_report(str(cdnow_csv), tmp_path / "r.xlsx", mapping=MAP, progress=_quiet())
    about = _about(out)
    assert about["rows used"] == 6919 and about["rows rejected"] == 0
    assert _notes_in(out)


def test_dedupe_from_the_command_line_and_config(cdnow_csv, tmp_path):
    from xlbizops.cli import main

    config = tmp_path / "report.toml"
    config.write_text("[settings]\ndedupe = true\n")
    for extra in (["--dedupe"], ["--config", str(config)]):
        out = tmp_path / f"r{len(extra)}.xlsx"
        args = [str(cdnow_csv), "-o", str(out), "-q"]
        args += [a for k, v in MAP.items() for a in ("--map", f"{k}={v}")]
        assert main(["report", *args, *extra]) == 0
        assert _about(out)["rows used"] == 6919 - 21


def _about(path) -> dict:
    from openpyxl import load_workbook

    rows = load_workbook(path, read_only=True)["About"].iter_rows(values_only=True)
    return {row[0]: row[1] for row in rows if row and row[0] and row[0] != "note"}


def _notes_in(path) -> bool:
    from openpyxl import load_workbook

    rows = load_workbook(path, read_only=True)["About"].iter_rows(values_only=True)
    return any(
        row[0] == "note" and str(row[1]).startswith("21 row(s) identical") for row in rows if row
    )


def _quiet():
    from xlbizops.report.build import STAGES
    from xlbizops.report.progress import Progress

    return Progress(STAGES, enabled=False)


def test_a_duplicate_is_identical_in_the_fields_the_report_reads(tmp_path):
    """A repeated line whose only difference is a field the report does not read (the
    region) is a duplicate, in a file as in an engine; a line that differs in the
    amount is another line of the order."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,order_date,customer_id,amount,region\n"
        "1,2024-03-01,C1,10,North\n"
        "1,2024-03-01,C1,10,South\n"  # the same line, exported with another region
        "1,2024-03-01,C1,4,North\n"  # a second line of order 1
        "2,2024-03-02,C2,7,North\n"
    )
    lines, intake = read_orders(path)
    assert lines["amount"].tolist() == [10.0, 4.0, 7.0]
    assert intake.rejected == {"exact duplicate of an earlier row (same order id)": 1}
    assert "region" not in intake.columns and "region" not in lines
