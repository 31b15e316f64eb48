"""excel-setup and doctor, exercised into a scratch home folder (no Excel needed)."""

import re
import shutil
import subprocess
import types
from pathlib import Path

import pytest
import xlwings
import xlwings.utils

from xlbizops.core.errors import InputError
from xlbizops.excel_setup import (
    addin_file,
    doctor,
    excel_setup,
    interpreter_key,
    read_config,
    user_config_file,
    write_config,
)

XLWINGS_ADDIN_VBA = Path(xlwings.__file__).parent / "addin"
WORKBOOKS = Path(__file__).parents[1] / "workbooks"


def fake_run(returncode=0, stderr=""):
    calls = []

    def run(cmd, **kwargs):
        calls.append(cmd)
        return types.SimpleNamespace(returncode=returncode, stdout="", stderr=stderr)

    return run, calls


def test_dry_run_prints_the_steps_and_changes_nothing(tmp_path):
    lines = []
    code = excel_setup(
        tmp_path, "windows", "C:/py/python.exe", True, lines.append, workbooks=WORKBOOKS
    )
    assert code == 0
    assert lines[0].startswith("1. would copy xlbizops.xlsm to")
    assert any("Interpreter_Win = C:/py/python.exe, UDF Modules = xlbizops.udfs into the "
               "xlwings.conf sheet of xlbizops.xlsm" in line for line in lines)  # fmt: skip
    assert not any("add-in" in line or "xlwings.conf:" in line for line in lines)
    assert list(tmp_path.iterdir()) == []


def test_setup_wires_the_workbook_and_leaves_the_global_config_alone(tmp_path, monkeypatch):
    """Issue 20: the interpreter and UDF module go into the copied workbook's own
    xlwings.conf sheet (xlwings reads it first); the user's global xlwings.conf, which
    their other xlwings projects share, and the add-in are left alone."""
    from xlbizops.workbook.xlwings_conf import read_settings

    config = user_config_file(tmp_path, "windows")
    config.parent.mkdir(parents=True)
    config.write_text('"LICENSE_KEY","abc"\n"udf modules","their_module"\n')
    before = config.read_bytes()
    run, calls = fake_run()
    assert excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lambda *_: None,
                       workbooks=WORKBOOKS, run=run) == 0  # fmt: skip
    assert calls == [] and config.read_bytes() == before
    book = tmp_path / "Documents" / "xlbizops" / "xlbizops.xlsm"
    settings = {k.upper(): v for k, v in read_settings(book).items()}  # xlwings UCases keys
    assert settings["INTERPRETER_WIN"] == "C:/py/python.exe"
    assert settings["UDF MODULES"] == "xlbizops.udfs"
    assert settings["SHOW CONSOLE"] == "False"  # kept
    assert modules_of(book) == modules_of(WORKBOOKS / "xlbizops.xlsm")  # VBA untouched


def modules_of(path):
    from tests.template.test_workbooks import modules

    return modules(path)


def test_global_writes_a_config_xlwings_reads_and_keeps_other_settings(tmp_path, monkeypatch):
    config = user_config_file(tmp_path, "windows")
    config.parent.mkdir(parents=True)
    config.write_text('"LICENSE_KEY","abc"\n"udf modules","old_module"\n')
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "xlbizops.xlsx").write_bytes(b"PK")
    code = excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lambda *_: None,
                       workbooks=templates, run=fake_run()[0], global_config=True)  # fmt: skip
    assert code == 0
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))
    seen = xlwings.utils.read_user_config()  # xlwings' own reader
    assert seen["udf modules"] == "xlbizops.udfs"
    assert seen["interpreter_win"] == "C:/py/python.exe"
    assert seen["license_key"] == "abc"
    assert (tmp_path / "Documents" / "xlbizops" / "xlbizops.xlsx").read_bytes() == b"PK"


def test_without_shipped_templates_setup_builds_them_into_documents(tmp_path):
    built, lines = [], []
    run, _ = fake_run()
    code = excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lines.append,
                       workbooks=tmp_path / "none", run=run, build=built.append)  # fmt: skip
    assert code == 0
    assert built == [tmp_path / "Documents" / "xlbizops"]
    assert "build the template workbooks" in lines[0]


def test_the_addin_only_when_asked_and_its_failure_is_caught(tmp_path):
    """xlwings' installer reports success even when it copied nothing: the add-in's
    file is checked afterwards."""
    lines = []
    run, calls = fake_run()  # "succeeds", but no file appears
    code = excel_setup(tmp_path, "macos", "/usr/bin/python3", False, lines.append,
                       workbooks=tmp_path / "none", build=lambda _: None, run=run,
                       addin=True)  # fmt: skip
    assert calls == [["/usr/bin/python3", "-m", "xlwings", "addin", "install"]]
    assert code == 1 and "is not there afterwards" in lines[-2] and "closed" in lines[-1]
    lines = []
    run, _ = fake_run(returncode=1, stderr="Excel is running")
    code = excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lines.append,
                       workbooks=tmp_path / "none", build=lambda _: None, run=run,
                       addin=True)  # fmt: skip
    assert code == 1 and "Excel is running" in lines[-2]

    def installs(cmd, **kwargs):
        addin = addin_file(tmp_path, "windows")
        addin.parent.mkdir(parents=True, exist_ok=True)
        addin.write_bytes(b"xlam")
        return types.SimpleNamespace(returncode=0, stdout="", stderr="")

    assert excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lambda *_: None,
                       workbooks=tmp_path / "none", build=lambda _: None, run=installs,
                       addin=True) == 0  # fmt: skip


def test_macos_paths(tmp_path):
    assert user_config_file(tmp_path, "macos").parts[-4:] == (
        "Containers",
        "com.microsoft.Excel",
        "Data",
        "xlwings.conf",
    )
    assert interpreter_key("macos") == "Interpreter_Mac"


def test_on_linux_setup_refuses_but_explains(tmp_path):
    lines = []
    assert excel_setup(tmp_path, "linux", "python", False, lines.append) == 1
    assert "xlbizops report" in lines[0]


def test_doctor_checks_what_the_workbook_will_use(tmp_path):
    """Issue 20: doctor checked its own interpreter's xlwings, never the DLL, and called
    a missing add-in a fault.  Now: the interpreter the workbook's sheet names, that
    interpreter's xlwings against the VBA's, the DLL beside it; the add-in is not
    required."""
    venv = tmp_path / "venv"
    interpreter = venv / "Scripts" / "python.exe"
    interpreter.parent.mkdir(parents=True)
    interpreter.write_text("")
    asked = []

    def run(cmd, **kwargs):  # the workbook's interpreter, asked for its xlwings
        asked.append(cmd)
        return types.SimpleNamespace(returncode=0, stdout=f"{version}\n", stderr="")

    version = "0.37.8"
    before = {c.name: c for c in doctor(tmp_path, "windows", "C:/other/python.exe", run=run)}
    assert before["xlwings add-in"].ok and "not needed" in before["xlwings add-in"].detail
    assert not before["Interpreter"].ok  # nothing set: this (missing) interpreter
    excel_setup(tmp_path, "windows", str(interpreter), False, lambda *_: None,
                workbooks=WORKBOOKS, run=fake_run()[0])  # fmt: skip
    checks = {c.name: c for c in doctor(tmp_path, "windows", "C:/other/python.exe", run=run)}
    assert checks["Interpreter"].ok and "xlbizops.xlsm's xlwings.conf sheet" in (
        checks["Interpreter"].detail
    )
    assert asked[-1][0] == str(interpreter)  # its xlwings, not doctor's own
    assert checks["Workbook xlwings"].ok and checks["UDF Modules"].ok
    assert not checks["xlwings DLL"].ok and "xlwings64-0.37.8.dll not found" in (
        checks["xlwings DLL"].detail
    )
    (venv / "xlwings64-0.37.8.dll").write_bytes(b"MZ")  # where pip puts it in a venv
    version = "0.36.0"
    checks = {c.name: c for c in doctor(tmp_path, "windows", "C:/other/python.exe", run=run)}
    assert checks["xlwings DLL"].ok
    assert not checks["Workbook xlwings"].ok
    assert "needs xlwings 0.37.8" in checks["Workbook xlwings"].detail
    assert checks["Workbook xlwings"].fix.endswith(
        "-m pip install xlwings==0.37.8 (or rebuild the workbook: xlbizops template build)"
    )


def test_install_scripts_install_what_they_ship_with_and_stop_on_failure(tmp_path):
    root = Path(__file__).parents[1] / "install"
    ps1 = (root / "windows" / "install.ps1").read_text()
    sh = (root / "macos" / "install.sh").read_text()
    for text in (ps1, sh):
        assert "excel-setup" in text and "doctor" in text
        assert "pip install --upgrade xlbizops" not in text  # not on the package index yet
        assert "dist" in text  # a shipped wheel, else the checkout
    # PowerShell 5.1 does not stop on a failing native command: every python/pip call
    # goes through Invoke-Native, which checks $LASTEXITCODE.
    native = [
        line.strip()
        for line in ps1.splitlines()
        if re.search(r"(&\s*\$py\b|\bpy -3|python -m venv)", line) and "function" not in line
    ]
    assert native and all(line.startswith("Invoke-Native") for line in native), native
    assert "if ($LASTEXITCODE -ne 0) { throw" in ps1
    assert "Unblock-File" in ps1 and "--trust" in ps1
    assert "set -euo pipefail" in sh
    assert subprocess.run(["bash", "-n", str(root / "macos" / "install.sh")]).returncode == 0


def fake_pythons(tmp_path, log, versions: dict[str, bool]) -> dict[str, str]:
    """A PATH of stand-in Pythons (name -> whether it passes the 3.11-3.14 check) that
    record what they are asked to do, and the few tools the script uses."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("bash", "dirname", "mkdir", "chmod", "uname"):
        (fake / tool).symlink_to(shutil.which(tool))
    for name, recent in versions.items():
        (fake / name).write_text(
            "#!/usr/bin/env bash\n"
            f'echo "{name} $*" >> "{log}"\n'
            f'if [ "$1" = "-c" ]; then exit {0 if recent else 1}; fi\n'
            'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin"; '
            f'printf \'#!/usr/bin/env bash\\necho "venv-python $*" >> "{log}"\\n\' '
            '> "$3/bin/python"; '
            'chmod +x "$3/bin/python"; fi\n'
        )
        (fake / name).chmod(0o755)
    return {"PATH": str(fake), "HOME": str(tmp_path)}


def test_macos_install_script_installs_from_the_checkout(tmp_path):
    """install.sh takes the newest Python from 3.11 to 3.14, not the Mac's python3 (3.9),
    and installs from the checkout."""
    log = tmp_path / "calls.log"
    env = fake_pythons(tmp_path, log, {"python3": False, "python3.13": True})
    done = subprocess.run(["bash", str(Path(__file__).parents[1] / "install/macos/install.sh")],
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert any(c.startswith("python3.13 -m venv ") for c in calls), calls
    assert not any(c.startswith("python3 -m venv") for c in calls)
    checkout = str(Path(__file__).parents[1])
    assert f"venv-python -m pip install --upgrade {checkout}" in calls
    assert calls[-2:] == [
        "venv-python -m xlbizops.cli excel-setup",
        "venv-python -m xlbizops.cli doctor",
    ]


def test_macos_install_script_without_a_recent_python_says_how_to_get_one(tmp_path):
    log = tmp_path / "calls.log"
    env = fake_pythons(tmp_path, log, {"python3": False})
    done = subprocess.run(["bash", str(Path(__file__).parents[1] / "install/macos/install.sh")],
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1
    assert "needs Python 3.11 to 3.14" in done.stderr and "brew install python@3.13" in done.stderr
    assert "venv" not in log.read_text()


def test_keys_are_spelled_as_xlwings_ribbon_saves_them(tmp_path):
    """The ribbon's SaveConfigToFile rewrites the file comparing keys case-sensitively:
    a key spelled otherwise would leave two lines for one setting."""
    ribbon = "".join(p.read_text(errors="replace") for p in XLWINGS_ADDIN_VBA.glob("*.bas"))
    (key,) = re.findall(r'SaveConfigToFile\(GetConfigFilePath, "(UDF MODULES)"', ribbon, re.I)
    config = user_config_file(tmp_path, "windows")
    write_config(config, {"udf modules": "old"}, "windows")
    excel_setup(tmp_path, "windows", "C:/py/python.exe", False, lambda *_: None,
                workbooks=tmp_path / "none", run=fake_run()[0], build=lambda _: None,
                global_config=True)  # fmt: skip
    lines = config.read_bytes().split(b"\r\n")
    assert lines[0] == f'"{key}","xlbizops.udfs"'.encode()
    assert sum(b"udf modules" in line.lower() for line in lines) == 1


def test_a_user_folder_with_accents_is_written_in_the_ansi_code_page(tmp_path, monkeypatch):
    home = tmp_path / "Jürgen Müller"
    interpreter = r"C:\Users\Jürgen Müller\AppData\Local\xlbizops\venv\Scripts\python.exe"
    assert excel_setup(home, "windows", interpreter, False, lambda *_: None,
                       workbooks=tmp_path / "none", run=fake_run()[0],
                       build=lambda _: None, global_config=True) == 0  # fmt: skip
    config = user_config_file(home, "windows")
    raw = config.read_bytes()
    assert "Jürgen".encode("cp1252") in raw and "Jürgen".encode() not in raw
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    # xlwings' Python reads it with the Windows locale's encoding (cp1252 here):
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))
    monkeypatch.setattr("locale.getpreferredencoding", lambda *a, **k: "cp1252")
    import builtins

    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, m="r", **k: real_open(f, m, encoding="cp1252"))
    assert xlwings.utils.read_user_config()["interpreter_win"] == interpreter
    monkeypatch.setattr(builtins, "open", real_open)
    assert read_config(config, "windows")["INTERPRETER_WIN"] == interpreter


def test_read_config_survives_a_file_xlwings_vba_wrote(tmp_path):
    """VBA's Write # in the ANSI code page: quoted strings, #TRUE# bare, CRLF."""
    config = tmp_path / "xlwings.conf"
    config.write_bytes(
        '"UDF MODULES","xlbizops.udfs"\r\n"INTERPRETER_WIN","C:\\Users\\Zoë\\python.exe"\r\n'
        '"SHOW CONSOLE",#TRUE#\r\n\r\n'.encode("cp1252")
    )
    got = read_config(config, "windows")
    assert got == {
        "UDF MODULES": "xlbizops.udfs",
        "INTERPRETER_WIN": "C:\\Users\\Zoë\\python.exe",
        "SHOW CONSOLE": "#TRUE#",
    }


def test_a_path_the_code_page_cannot_hold_is_refused_with_advice(tmp_path):
    with pytest.raises(InputError, match="plain letters"):
        write_config(tmp_path / "xlwings.conf", {"INTERPRETER_WIN": "C:/Users/王伟/python.exe"})


def test_trust_registers_the_templates_folder_for_the_current_user(tmp_path):
    lines = []
    excel_setup(tmp_path, "windows", "py", True, lines.append, workbooks=tmp_path / "none",
                trust=True)  # fmt: skip
    commands = [line.strip() for line in lines if line.strip().startswith("reg add")]
    key = "HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\Security\\Trusted Locations\\xlbizops"
    assert len(commands) == 3 and all(key in c for c in commands)
    run, calls = fake_run()
    excel_setup(tmp_path, "windows", "py", False, lambda *_: None, workbooks=tmp_path / "none",
                run=run, build=lambda _: None, trust=True)  # fmt: skip
    path = calls[0][calls[0].index("/d") + 1]
    assert calls[0][:3] == ["reg", "add", key] and path.endswith("\\xlbizops\\")
    lines = []
    excel_setup(tmp_path, "windows", "py", True, lines.append, workbooks=tmp_path / "none")
    assert not any("reg add" in line for line in lines)  # only with --trust


def test_doctor_compares_the_workbooks_xlwings_with_the_installed_one(tmp_path, monkeypatch):
    import sys

    book = WORKBOOKS / "xlbizops.xlsm"
    checks = {c.name: c for c in doctor(tmp_path, "linux", sys.executable, book)}
    assert checks["Workbook xlwings"].ok, checks["Workbook xlwings"].detail
    monkeypatch.setattr(xlwings, "__version__", "0.37.9")
    check = {c.name: c for c in doctor(tmp_path, "linux", sys.executable, book)}["Workbook xlwings"]
    assert not check.ok and "needs xlwings 0.37.8;" in check.detail and "0.37.9" in check.detail


def test_the_committed_templates_are_copied_not_rebuilt():
    """Issue 20: the templates' folder was one level too high, so every install from a
    checkout rebuilt them (about a minute)."""
    from xlbizops.excel_setup import PACKAGE_WORKBOOKS

    assert WORKBOOKS.resolve() == PACKAGE_WORKBOOKS
    assert (PACKAGE_WORKBOOKS / "xlbizops.xlsm").is_file()


def test_documents_come_from_the_known_folder_where_onedrive_moved_them(tmp_path, monkeypatch):
    """Windows 11 with Microsoft 365 moves Documents into OneDrive: the templates go to
    the Documents the user sees (the known folder), on both sides of the install."""
    from xlbizops import excel_setup as setup

    onedrive = tmp_path / "OneDrive - Contoso" / "Documents"
    monkeypatch.setattr(setup, "known_documents", lambda: str(onedrive))
    home = Path.home()
    assert setup.documents_folder(home, "windows") == onedrive / "xlbizops"
    lines = []
    setup.excel_setup(home, "windows", "C:/py/python.exe", True, lines.append)
    assert any(f"copy xlbizops.xlsm to {onedrive / 'xlbizops'}" in line for line in lines)
    # a scratch home (tests, --home), macOS, or no answer from Windows: home/Documents
    assert setup.documents_folder(tmp_path, "windows") == tmp_path / "Documents" / "xlbizops"
    assert setup.documents_folder(home, "macos") == home / "Documents" / "xlbizops"
    monkeypatch.setattr(setup, "known_documents", lambda: None)
    assert setup.documents_folder(home, "windows") == home / "Documents" / "xlbizops"
    # the installer asks Windows the same question, in one function used for the unblock
    ps1 = (Path(__file__).parents[1] / "install" / "windows" / "install.ps1").read_text()
    assert ps1.count('[Environment]::GetFolderPath("MyDocuments")') == 1
    assert 'Join-Path (Get-DocumentsFolder) "xlbizops"' in ps1
    assert 'Join-Path $env:USERPROFILE "Documents"' not in ps1


def test_the_windows_installer_takes_any_python_311_to_314_and_refuses_store_and_conda():
    ps1 = (Path(__file__).parents[1] / "install" / "windows" / "install.ps1").read_text()
    assert "py -3.11" not in ps1  # only 3.11 installed was the first break
    assert 'foreach ($version in "3.14", "3.13", "3.12", "3.11")' in ps1
    assert '@("3.11", "3.12", "3.13", "3.14") -contains' in ps1  # checked, whatever found it
    assert '-like "*\\WindowsApps\\*"' in ps1 and "Microsoft Store" in ps1
    assert '"conda-meta"' in ps1
    assert ps1.count("throw ") >= 5  # every refusal stops with what to do instead
