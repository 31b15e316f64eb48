"""excel-setup and doctor, exercised into a scratch home folder (no Excel needed)."""

import subprocess
import types
from pathlib import Path

import xlwings
import xlwings.utils

from xlbizops.excel_setup import addin_file, doctor, excel_setup, user_config_file


def fake_run(returncode=0, stderr=""):
    calls = []

    def run(cmd, **kwargs):
        calls.append(cmd)
        return types.SimpleNamespace(returncode=returncode, stdout="", stderr=stderr)

    return run, calls


def test_dry_run_prints_the_steps_and_changes_nothing(tmp_path):
    lines = []
    code = excel_setup(
        tmp_path, "windows", "C:/py/python.exe", True, lines.append, workbooks=tmp_path / "none"
    )
    assert code == 0
    assert lines[0].startswith("1. would install the xlwings add-in")
    assert "UDF Modules = xlbizops.udfs, INTERPRETER_WIN = C:/py/python.exe" in lines[1]
    assert list(tmp_path.iterdir()) == []


def test_setup_writes_a_config_xlwings_reads_and_keeps_other_settings(tmp_path, monkeypatch):
    config = user_config_file(tmp_path, "windows")
    config.parent.mkdir(parents=True)
    config.write_text('"LICENSE_KEY","abc"\n"udf modules","old_module"\n')
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "xlbizops.xlsx").write_bytes(b"PK")
    run, calls = fake_run()
    code = excel_setup(
        tmp_path,
        "windows",
        "C:/py/python.exe",
        False,
        lambda *_: None,
        workbooks=templates,
        run=run,
    )
    assert code == 0
    assert calls == [["C:/py/python.exe", "-m", "xlwings", "addin", "install"]]
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))
    seen = xlwings.utils.read_user_config()  # xlwings' own reader
    assert seen["udf modules"] == "xlbizops.udfs"
    assert seen["interpreter_win"] == "C:/py/python.exe"
    assert seen["license_key"] == "abc"
    assert (tmp_path / "Documents" / "xlbizops" / "xlbizops.xlsx").read_bytes() == b"PK"


def test_without_shipped_templates_setup_builds_them_into_documents(tmp_path):
    built, lines = [], []
    run, _ = fake_run()
    code = excel_setup(
        tmp_path,
        "windows",
        "C:/py/python.exe",
        False,
        lines.append,
        workbooks=tmp_path / "none",
        run=run,
        build=built.append,
    )
    assert code == 0
    assert built == [tmp_path / "Documents" / "xlbizops"]
    assert "build the template workbooks" in lines[2]


def test_macos_paths_and_a_failed_addin_install(tmp_path):
    assert user_config_file(tmp_path, "macos").parts[-4:] == (
        "Containers",
        "com.microsoft.Excel",
        "Data",
        "xlwings.conf",
    )
    lines = []
    run, _ = fake_run(returncode=1, stderr="Excel is running")
    code = excel_setup(tmp_path, "macos", "/usr/bin/python3", False, lines.append, run=run)
    assert code == 1 and "Excel is running" in lines[1] and "closed" in lines[2]
    assert not user_config_file(tmp_path, "macos").exists()


def test_on_linux_setup_refuses_but_explains(tmp_path):
    lines = []
    assert excel_setup(tmp_path, "linux", "python", False, lines.append) == 1
    assert "xlbizops report" in lines[0]


def test_doctor_finds_each_problem_then_passes_after_setup(tmp_path):
    interpreter = tmp_path / "python.exe"
    interpreter.write_text("")
    before = {c.name: c for c in doctor(tmp_path, "windows", str(interpreter))}
    assert not before["xlwings add-in"].ok and "excel-setup" in before["xlwings add-in"].fix
    assert not before["UDF Modules"].ok and not before["Interpreter"].ok
    run, _ = fake_run()
    excel_setup(
        tmp_path,
        "windows",
        str(interpreter),
        False,
        lambda *_: None,
        workbooks=tmp_path / "none",
        run=run,
        build=lambda target: [],
    )
    addin = addin_file(tmp_path, "windows")
    addin.parent.mkdir(parents=True)
    addin.write_bytes(b"")
    after = {c.name: c for c in doctor(tmp_path, "windows", str(interpreter))}
    assert after["xlwings add-in"].ok and after["UDF Modules"].ok and after["Interpreter"].ok


def test_install_scripts_call_excel_setup_and_doctor():
    root = Path(__file__).parents[1] / "install"
    for script in (root / "windows" / "install.ps1", root / "macos" / "install.sh"):
        text = script.read_text()
        assert "pip install --upgrade" in text and "excel-setup" in text and "doctor" in text
    done = subprocess.run(["bash", "-n", str(root / "macos" / "install.sh")])
    assert done.returncode == 0  # valid shell syntax
