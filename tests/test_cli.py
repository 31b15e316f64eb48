"""The command line, as a scheduler or an analyst runs it."""

import subprocess
import sys

import openpyxl
import pandas as pd

from xlbizops.cli import main


def test_sample_data_writes_the_requested_orders(tmp_path, capsys):
    out = tmp_path / "orders.csv"
    assert main(["sample-data", "-o", str(out), "--orders", "1000", "--seed", "5"]) == 0
    assert len(pd.read_csv(out)) == 1000
    assert "wrote 1,000 orders" in capsys.readouterr().out


def test_report_from_sample_and_from_a_csv(tmp_path):
    sample = tmp_path / "sample.xlsx"
    assert main(["report", "--sample", "-o", str(sample)]) == 0
    assert "Customers" in openpyxl.load_workbook(sample, read_only=True).sheetnames
    log = tmp_path / "orders.csv"
    main(["sample-data", "-o", str(log), "--orders", "2000"])
    from_csv = tmp_path / "from_csv.xlsx"
    assert main(["report", str(log), "-o", str(from_csv)]) == 0
    assert from_csv.stat().st_size > 10_000


def test_missing_input_is_a_clear_failure(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "r.xlsx")]) == 1
    assert "nope.csv" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def test_console_script_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "xlbizops.cli", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("xlbizops ")
