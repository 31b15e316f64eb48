"""The user's files are sacred: no input is overwritten, outputs appear whole or not
at all, and Ctrl-C leaves everything as it was (issue 11, data safety)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xlbizops.cli import main
from xlbizops.sampledata import write_orders
from xlbizops.workbook.atomic import PREFIX, atomic_target, remove_stale_temporaries

WORKBOOKS = Path(__file__).parents[1] / "workbooks"


@pytest.fixture
def orders(tmp_path):
    path = tmp_path / "orders.csv"
    write_orders(path, 300, 1)
    return path


def leftovers(folder: Path) -> list[Path]:
    return list(folder.glob(f"{PREFIX}*"))


def test_report_refuses_to_write_over_its_input(orders, capsys):
    before = orders.read_bytes()
    link = orders.with_name("link.xlsx")
    link.symlink_to(orders)
    for output in (orders, link):
        assert main(["report", str(orders), "-o", str(output), "-q"]) == 2
        assert "is the input" in capsys.readouterr().err
    assert orders.read_bytes() == before and link.is_symlink()


def test_report_output_must_be_an_xlsx(orders, tmp_path, capsys):
    for name in ("r.xlsm", "r.csv", "r"):
        assert main(["report", str(orders), "-o", str(tmp_path / name), "-q"]) == 2
        assert "must end in .xlsx" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_refresh_refuses_its_input_and_a_change_of_kind(tmp_path, capsys):
    book = tmp_path / "book.xlsm"
    shutil.copyfile(WORKBOOKS / "xlbizops.xlsm", book)
    before = book.read_bytes()
    assert main(["refresh", str(book), "-o", str(book)]) == 2
    assert main(["refresh", str(book), "-o", str(tmp_path / "plain.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "is the input" in err and "must end in .xlsm" in err
    assert book.read_bytes() == before and not (tmp_path / "plain.xlsx").exists()


def test_a_corrupt_input_leaves_an_existing_output_alone(tmp_path, capsys):
    broken, out = tmp_path / "broken.xlsx", tmp_path / "out.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    out.write_bytes(b"yesterday's refreshed workbook")
    assert main(["refresh", str(broken), "-o", str(out)]) == 3
    assert out.read_bytes() == b"yesterday's refreshed workbook"
    assert not leftovers(tmp_path)


def test_a_failing_refresh_leaves_no_stale_copy(tmp_path, monkeypatch):
    """Before, refresh copied the input over the output first: a failure left a file
    that looked refreshed.  Now the output is untouched and no temporary file stays."""
    import xlbizops.workbook.filebook as filebook

    out = tmp_path / "out.xlsm"
    out.write_bytes(b"previous output")

    def fail(*args, **kwargs):
        raise RuntimeError("engine failure")

    monkeypatch.setattr("xlbizops.workbook.refresh.refresh_workbook", fail)
    assert filebook  # the adapter imports refresh_workbook lazily, from the module
    assert main(["refresh", str(WORKBOOKS / "xlbizops.xlsm"), "-o", str(out)]) == 4
    assert out.read_bytes() == b"previous output" and not leftovers(tmp_path)


def test_ctrl_c_gives_exit_130_one_line_and_keeps_the_previous_report(orders, tmp_path, capsys,
                                                                         monkeypatch):  # fmt: skip
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"last night's report")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("xlbizops.report.build.analyse", interrupted)
    assert main(["report", str(orders), "-o", str(out), "-q"]) == 130
    err = capsys.readouterr().err
    assert err == "xlbizops report: interrupted; no output was changed\n"
    assert out.read_bytes() == b"last night's report" and not leftovers(tmp_path)


def test_a_real_sigint_while_writing(tmp_path):
    """SIGINT while a report is being written: exit 130, one line, no traceback, the
    previous report intact and no temporary file left."""
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous")
    child = subprocess.Popen(
        [sys.executable, "-m", "xlbizops.cli", "report", "--sample", "--sample-orders",
         "150000", "-o", str(out), "-q"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not leftovers(tmp_path) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until it starts writing the report
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130, err
    assert err.strip() == "xlbizops report: interrupted; no output was changed"
    assert out.read_bytes() == b"previous" and not leftovers(tmp_path)


def test_temporaries_of_a_killed_run_are_removed_by_the_next_run(tmp_path):
    dead = tmp_path / f"{PREFIX}999999999-report.xlsx"  # no such process
    dead.write_bytes(b"half a report")
    mine = tmp_path / f"{PREFIX}{os.getpid()}-other.xlsx"  # a live process's: kept
    mine.write_bytes(b"in progress")
    assert remove_stale_temporaries(tmp_path) == [dead]
    with atomic_target(tmp_path / "r.xlsx") as tmp:
        tmp.write_bytes(b"new")
    assert (tmp_path / "r.xlsx").read_bytes() == b"new" and mine.exists()


def test_every_kind_of_leftover_of_a_dead_run_is_removed_and_a_live_ones_kept(tmp_path):
    """One helper for outputs' temporaries, DuckDB's working copies, XlsxWriter's scratch
    folders and Spark's logs (files and folders; pid followed by - or .)."""
    dead = {
        "xlbizops-duckdb-": tmp_path / "xlbizops-duckdb-999999999-abc",
        "xlbizops-xlsx-": tmp_path / "xlbizops-xlsx-999999999-def",
        "xlbizops-spark-": tmp_path / "xlbizops-spark-999999999.log",
    }
    for path in list(dead.values())[:2]:
        (path / "inside").mkdir(parents=True)
    dead["xlbizops-spark-"].write_text("a Java stack")
    live = tmp_path / f"xlbizops-spark-{os.getpid()}.log"
    live.write_text("this run's log")
    for prefix, path in dead.items():
        assert remove_stale_temporaries(tmp_path, prefix) == [path]
        assert not path.exists()
    assert live.exists()


def test_a_ctrl_c_right_after_the_temporary_is_made_leaves_nothing(tmp_path, monkeypatch):
    """The hostile battery's "Ctrl-C during report" once caught this window: the
    interrupt lands after ``mkstemp`` made the file and before ``atomic_target``'s
    cleanup is armed.  The interrupt handling removes this process's temporaries."""
    import tempfile

    from xlbizops.workbook import atomic

    made = tempfile.mkstemp

    def interrupted_after_making(*args, **kwargs):
        fd, name = made(*args, **kwargs)
        os.close(fd)
        raise KeyboardInterrupt  # as if SIGINT arrived on the next bytecode

    monkeypatch.setattr(atomic.tempfile, "mkstemp", interrupted_after_making)
    (tmp_path / "report.xlsx").write_bytes(b"previous")
    target = tmp_path / "report.xlsx"
    with pytest.raises(KeyboardInterrupt), atomic.interrupts_kept(), atomic_target(target):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]
    assert (tmp_path / "report.xlsx").read_bytes() == b"previous"
