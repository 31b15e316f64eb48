"""The command line, as a scheduler or an analyst runs it: output, exit codes, progress."""

import io
import subprocess
import sys

import openpyxl
import pandas as pd

from xlbizops.cli import main
from xlbizops.report.progress import Progress


def test_sample_data_writes_the_requested_orders(tmp_path, capsys):
    out = tmp_path / "orders.csv"
    assert main(["sample-data", "-o", str(out), "--orders", "1000", "--seed", "5"]) == 0
    assert len(pd.read_csv(out)) == 1000
    assert "wrote 1,000 orders" in capsys.readouterr().out


def test_report_from_sample_and_from_a_mapped_csv(tmp_path, capsys):
    import gc

    sample = tmp_path / "sample.xlsx"
    frozen = gc.get_freeze_count()
    assert main(["report", "--sample", "-o", str(sample)]) == 0
    assert gc.get_freeze_count() == frozen  # a caller's process: garbage still collected
    assert openpyxl.load_workbook(sample, read_only=True).sheetnames[0] == "Summary"
    log = tmp_path / "orders.csv"
    main(["sample-data", "-o", str(log), "--orders", "2000"])
    pd.read_csv(log).rename(columns={"amount": "Net Sales"}).to_csv(log, index=False)
    out = tmp_path / "from_csv.xlsx"
    assert main(["report", str(log), "-o", str(out), "--map", "amount=Net Sales", "-q"]) == 0
    assert out.stat().st_size > 10_000
    assert (
        capsys.readouterr().out.count("wrote") == 2
    )  # sample report and sample-data; -q is silent


def test_exit_codes_a_scheduler_can_act_on(tmp_path, capsys):
    out = str(tmp_path / "r.xlsx")
    assert main(["report", str(tmp_path / "nope.csv"), "-o", out]) == 1  # bad input
    assert "nope.csv does not exist" in capsys.readouterr().err
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    assert main(["report", str(tmp_path / "bad.csv"), "-o", out]) == 1
    assert "no column for order_date, customer_id, amount" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "bad.csv"), "-o", out, "--map", "amount"]) == 2
    assert main(["report", "--sample", str(tmp_path / "bad.csv"), "-o", out]) == 2
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    code = main(["report", "--sample", "-o", str(locked / "sub" / "r.xlsx")])
    locked.chmod(0o700)
    assert code in (0, 3)  # root may write anyway; otherwise "could not write" = 3
    assert not (tmp_path / "r.xlsx").exists()


def test_progress_bar_only_on_a_terminal():
    quiet = io.StringIO()
    p = Progress(["read", "write"], stream=quiet)
    with p.stage("read"):
        pass
    p.finish()
    assert quiet.getvalue() == "" and set(p.timings) == {"read"}
    shown = io.StringIO()
    p = Progress(["read", "write"], stream=shown, enabled=True)
    with p.stage("read"):
        pass
    with p.stage("write"):
        pass
    p.finish()
    assert "[############------------] 1/2 write" in shown.getvalue()
    assert shown.getvalue().endswith("2/2 done                    \n")
    import time

    twice = Progress(["read"], stream=io.StringIO())
    for _ in range(2):  # a stage entered twice adds up
        with twice.stage("read"):
            time.sleep(0.05)
    assert twice.timings["read"] >= 0.1


def test_functions_lists_the_catalogue(capsys):
    assert main(["functions"]) == 0
    out = capsys.readouterr().out
    assert "=EOQ(annual_demand, order_cost, holding_cost)" in out
    assert "=RISK_MATRIX(likelihood, impact)" in out


def test_console_script_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "xlbizops.cli", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("xlbizops ")
    import tomllib
    from pathlib import Path

    from xlbizops import cli

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["xlbizops"] == "xlbizops.cli:program"
    assert callable(cli.program)  # main in a process of its own


def test_excel_setup_dry_run_and_doctor_from_the_command_line(tmp_path, capsys):
    home = str(tmp_path)
    assert main(["excel-setup", "--dry-run", "--platform", "windows", "--home", home]) == 0
    assert "Nothing was changed (dry run)." in capsys.readouterr().out
    assert main(["doctor", "--platform", "windows", "--home", home]) == 1
    out = capsys.readouterr().out
    assert "[FIX] UDF Modules" in out and "-> run: xlbizops excel-setup" in out


def test_refresh_computes_a_workbook_without_excel(tmp_path, capsys):
    from tests.template.package import WORKBOOKS

    out = tmp_path / "refreshed.xlsm"
    assert main(["refresh", str(WORKBOOKS / "xlbizops.xlsm"), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out, data_only=True)
    assert book["Customers"]["E4"].value == 314
    assert book["Trends"]["A10"].value == "period"
    formulas = openpyxl.load_workbook(out)["Trends"]["A10"].value
    assert formulas.text.startswith("=RESAMPLE(")  # the formula is still there


def test_refresh_errors_are_one_line_and_an_exit_code(tmp_path, capsys):
    assert main(["refresh", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 3
    assert "missing.xlsx" in capsys.readouterr().err
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    assert main(["refresh", str(text), "-o", str(tmp_path / "o.xlsx")]) == 3  # unreadable
    err = capsys.readouterr().err
    assert err == "xlbizops refresh: notes.xlsx is not a workbook: not an .xlsx or .xlsm package\n"
    assert not (tmp_path / "o.xlsx").exists()


def test_refresh_prints_one_line_and_no_progress_bars(tmp_path):
    from tests.template.package import WORKBOOKS

    out = tmp_path / "refreshed.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "xlbizops.cli", "refresh", str(WORKBOOKS / "xlbizops.xlsx")]
        + ["-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith(f"wrote {out} in ") and done.stdout.count("\n") == 1


def test_a_query_engine_stopped_by_ctrl_c_is_an_interruption():
    """DuckDB stops a query on SIGINT with its own error (RuntimeError "Query
    interrupted" through Ibis): exit 130 as for Ctrl-C anywhere else, not 4."""
    from xlbizops.cli import interrupted

    try:
        try:
            raise RuntimeError("Query interrupted")
        except RuntimeError as inner:
            raise ValueError("while fetching") from inner
    except ValueError as outer:
        assert interrupted(outer)
    assert not interrupted(RuntimeError("Query failed: no such table"))
