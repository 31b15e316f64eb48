"""Wiring Excel to xlbizops on a user's Windows or macOS machine, and checking it.

``xlbizops excel-setup`` installs the xlwings add-in, writes the xlwings user config
(UDF Modules = xlbizops.udfs, the interpreter) and copies the template workbooks to the
user's documents.  ``xlbizops doctor`` checks each of these and prints a fix for what
is wrong.  Both take the platform and home folder as parameters, so every step can be
exercised (``--dry-run``, or into a scratch home) on any machine.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from xlbizops.core.errors import InputError

UDF_MODULE = "xlbizops.udfs"
# A checkout's committed templates (xlbizops/excel_setup.py -> the checkout): copied, not
# rebuilt.  An installed wheel has no such folder, and builds them instead.
PACKAGE_WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"


def platform_name(platform: str | None = None) -> str:
    name = platform or sys.platform
    if name.startswith("win"):
        return "windows"
    if name.startswith("darwin") or name == "macos":
        return "macos"
    return "linux"


def user_config_file(home: Path, platform: str) -> Path:
    """Where xlwings reads its user settings (xlwings.USER_CONFIG_FILE)."""
    if platform == "macos":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def addin_file(home: Path, platform: str) -> Path:
    """Where ``xlwings addin install`` puts xlwings.xlam (Excel's startup folder)."""
    if platform == "macos":
        return (
            home
            / "Library"
            / "Group Containers"
            / "UBF8T346G9.Office"
            / "User Content.localized"
            / "Startup.localized"
            / "Excel"
            / "xlwings.xlam"
        )
    return home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"


# Keys as xlwings' own ribbon writes them (SaveConfigToFile "UDF MODULES", ...).  Its
# rewrite compares keys case-sensitively, so any other spelling would leave two lines
# for one setting, and the reader (case-insensitive, first match) would keep ours.
UDF_MODULES_KEY = "UDF MODULES"


def config_encoding(platform: str) -> str:
    """The code page VBA reads and writes xlwings.conf in: Windows' ANSI code page
    (``Open ... For Input``; xlwings' Python reads it with the same locale default).
    Off Windows (tests, dry runs) the usual Western one stands in for it."""
    if platform == "windows":
        if sys.platform.startswith("win"):
            import locale

            return locale.getencoding()
        return "cp1252"
    return "utf-8"


def read_config(path: Path, platform: str = "windows") -> dict[str, str]:
    """xlwings.conf lines are VBA ``Write #`` records: "KEY","VALUE" (a number or
    #TRUE# may stand unquoted).  Keys compare case-insensitively, as xlwings reads them.
    A file in the ANSI code page (what xlwings' VBA writes) or UTF-8 is read."""
    config = {}
    if not path.is_file():
        return config
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode(config_encoding(platform), errors="replace")
    for record in csv.reader(text.splitlines()):
        if len(record) >= 2 and record[0].strip():
            config[record[0].strip()] = record[1].strip()
    return config


def write_config(path: Path, updates: dict[str, str], platform: str = "windows") -> None:
    """Set keys, keeping every other setting the user already has, in the file format
    xlwings' VBA reads: its code page, CRLF line ends on Windows."""
    config = read_config(path, platform)
    for key, value in updates.items():
        for existing in [k for k in config if k.lower() == key.lower()]:
            del config[existing]
        config[key] = value
    encoding = config_encoding(platform)
    newline = "\r\n" if platform == "windows" else "\n"
    text = "".join(f'"{k}","{v}"{newline}' for k, v in config.items())
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as err:
        bad = err.object[err.start : err.end]
        raise InputError(
            f"{path} would hold {bad!r}, which Excel's VBA cannot read in code page "
            f"{encoding}: install Python into a folder whose path has only plain letters "
            r"(for example C:\xlbizops) and run xlbizops excel-setup from there"
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def interpreter_key(platform: str) -> str:
    """The setting naming the Python xlwings starts (the global file's keys are spelled
    in capitals, as xlwings' ribbon writes them: ``.upper()``)."""
    return "Interpreter_Mac" if platform == "macos" else "Interpreter_Win"


def config_updates(platform: str, interpreter: str) -> dict[str, str]:
    return {UDF_MODULES_KEY: UDF_MODULE, interpreter_key(platform).upper(): interpreter}


FOLDERID_DOCUMENTS = "{FDD39AD0-238F-46AF-ADB4-6C85480369C7}"  # Windows' known folder


def known_documents() -> str | None:
    """The user's Documents as Windows knows it (SHGetKnownFolderPath): where OneDrive
    redirects it, the OneDrive folder the user sees.  None off Windows or on failure.
    The installer asks the same API ([Environment]::GetFolderPath("MyDocuments"))."""
    if not sys.platform.startswith("win"):
        return None
    import ctypes
    import uuid

    guid = (ctypes.c_byte * 16).from_buffer_copy(uuid.UUID(FOLDERID_DOCUMENTS).bytes_le)
    found = ctypes.c_wchar_p()
    shell32, ole32 = ctypes.windll.shell32, ctypes.windll.ole32  # type: ignore[attr-defined]
    if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(found)) != 0:
        return None
    try:
        return found.value
    finally:
        ole32.CoTaskMemFree(found)


def documents_folder(home: Path, platform: str = "windows", known=None) -> Path:
    """Where the templates go: Documents/xlbizops.  For the real user on Windows,
    Documents is the known folder (``known``, default :func:`known_documents`), which
    OneDrive may have moved; a scratch home (tests, --home) uses home/Documents."""
    if platform == "windows" and Path(home) == Path.home():
        found = (known or known_documents)()
        if found:
            return Path(found) / "xlbizops"
    return home / "Documents" / "xlbizops"


TRUSTED_LOCATIONS = r"HKCU\Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations"


def trusted_location_commands(folder: Path) -> list[list[str]]:
    """``reg add`` commands that make ``folder`` an Excel Trusted Location for the
    current user (Office 2016 and later, Microsoft 365: version key 16.0).  Workbooks
    opened from there run their macros without the Mark-of-the-Web block."""
    key = TRUSTED_LOCATIONS + "\\xlbizops"
    path = str(PureWindowsPath(folder)).rstrip("\\") + "\\"
    return [
        ["reg", "add", key, "/v", "Path", "/t", "REG_SZ", "/d", path, "/f"],
        ["reg", "add", key, "/v", "AllowSubfolders", "/t", "REG_DWORD", "/d", "1", "/f"],
        ["reg", "add", key, "/v", "Description", "/t", "REG_SZ", "/d", "xlbizops templates", "/f"],
    ]


def excel_setup(
    home: Path,
    platform: str,
    interpreter: str,
    dry_run: bool,
    out=print,
    workbooks: Path = PACKAGE_WORKBOOKS,
    run=subprocess.run,
    build=None,
    trust: bool = False,
    addin: bool = False,
    global_config: bool = False,
) -> int:
    """Do (or with ``dry_run`` only print) the wiring steps; returns an exit code.

    The templates are copied from ``workbooks`` (a checkout's ``workbooks/``); an
    installed wheel has no such folder, so they are built into the documents folder
    instead (``xlbizops template build``, about a minute).  The interpreter and the
    UDF module are written into each macro workbook's own xlwings.conf sheet, which
    xlwings reads first: the user's global xlwings.conf, which other xlwings projects
    share, is changed only with ``global_config``.  The xlwings add-in is not needed
    (the workbook carries xlwings' VBA) and is installed only with ``addin``, its
    result checked (xlwings' installer does not report its own failures).
    """
    if platform == "linux":
        out(
            "Excel formulas need Excel on Windows (UDFs) or macOS (macros, ribbon); this is "
            "Linux. Reports (xlbizops report) work here without any setup."
        )
        if not dry_run:
            return 1
        platform = "windows"
        out("Showing the Windows steps (dry run):")
    prefix = "would " if dry_run else ""
    step = 0

    def say(text: str) -> None:
        nonlocal step
        step += 1
        out(f"{step}. {prefix}{text}")

    target = documents_folder(home, platform)
    templates = sorted(workbooks.glob("*.xls*")) if workbooks.is_dir() else []
    if not templates:
        say(f"build the template workbooks into {target} (xlbizops template build)")
        if not dry_run:
            if build is None:
                from xlbizops.template.build import build_templates as build
            build(target)
    for template in templates:
        say(f"copy {template.name} to {target}")
        if not dry_run:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template, target / template.name)
    settings = {interpreter_key(platform): interpreter, "UDF Modules": UDF_MODULE}
    described = ", ".join(f"{k} = {v}" for k, v in settings.items())
    books = [target / t.name for t in templates if t.suffix.lower() == ".xlsm"]
    if not templates and not dry_run:
        books = sorted(target.glob("*.xlsm"))
    for book in books or [target / "xlbizops.xlsm"]:
        say(f"write {described} into the xlwings.conf sheet of {book.name}")
        if not dry_run and book.is_file():
            from xlbizops.workbook.xlwings_conf import write_settings

            write_settings(book, settings)
    if global_config:
        config = user_config_file(home, platform)
        updates = config_updates(platform, interpreter)
        say(f"write {config} (--global): " + ", ".join(f"{k} = {v}" for k, v in updates.items()))
        if not dry_run:
            write_config(config, updates, platform)
    if addin:
        installed = addin_file(home, platform)
        say(f"install the xlwings add-in (--addin): xlwings addin install (to {installed})")
        if not dry_run:
            done = run(
                [interpreter, "-m", "xlwings", "addin", "install"], capture_output=True, text=True
            )
            if done.returncode != 0 or not installed.is_file():
                reason = (done.stderr or done.stdout or "").strip()[-300:]
                out(f"   failed: {reason or f'{installed} is not there afterwards'}")
                out("   Is Excel installed, and closed? Then run: xlwings addin install")
                return 1
    if trust:
        if platform != "windows":
            say("--trust: Trusted Locations are set in Excel's own settings on macOS")
        else:
            say(f"make {target} a Trusted Location for your user (HKCU):")
            for command in trusted_location_commands(target):
                out(f"   {subprocess.list2cmdline(command)}")
                if not dry_run:
                    done = run(command, capture_output=True, text=True)
                    if done.returncode != 0:
                        out(f"   failed: {(done.stderr or done.stdout).strip()[-300:]}")
                        return 1
    out(
        "Done. Restart Excel and open the workbook from " + str(target) + "."
        if not dry_run
        else "Nothing was changed (dry run)."
    )
    return 0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def doctor(
    home: Path,
    platform: str,
    interpreter: str,
    workbook: Path | None = None,
    run=subprocess.run,
) -> list[Check]:
    """Check what the workbook will use, each failure with a fix: the interpreter its
    xlwings.conf sheet names (else the user's xlwings.conf; else this one), that
    interpreter's xlwings against the version the workbook's VBA loads, the xlwings
    DLL beside it (Windows), the UDF module, pywin32 and Excel.  The xlwings add-in is
    reported but not required: the workbook carries xlwings' VBA.  ``workbook``
    defaults to the installed template."""
    checks = [
        Check("Python", sys.version_info >= (3, 11), sys.version.split()[0],
              "install Python 3.11 to 3.14"),
    ]  # fmt: skip
    workbook = workbook or documents_folder(home, platform) / "xlbizops.xlsm"
    sheet = {}
    if workbook.is_file() and workbook.suffix.lower() == ".xlsm":
        from xlbizops.workbook.xlwings_conf import read_settings

        sheet = {k.lower(): v for k, v in read_settings(workbook).items()}
    config_path = user_config_file(home, platform)
    config = {k.lower(): v for k, v in read_config(config_path, platform).items()}
    key = interpreter_key(platform).lower()
    if sheet.get(key):
        used, source = sheet[key], f"{workbook.name}'s xlwings.conf sheet"
    elif config.get(key):
        used, source = config[key], str(config_path)
    else:
        used, source = interpreter, "none set: this Python"
    if platform != "linux":
        checks.append(
            Check(
                "Interpreter",
                Path(used).exists(),
                f"{used} ({source})",
                "run: xlbizops excel-setup (writes it into the workbook)",
            )  # fmt: skip
        )
    embedded = _embedded_version(workbook) if workbook.is_file() else None
    installed = _xlwings_of(used, interpreter, run)
    if embedded:
        checks.append(
            Check(
                "Workbook xlwings",
                embedded == installed,
                f"{workbook.name} needs xlwings {embedded}; {used} has: {installed}",
                f"{used} -m pip install xlwings=={embedded} (or rebuild the workbook: "
                "xlbizops template build)",
            )
        )
    else:
        checks.append(Check("xlwings", installed != "not installed", f"{used}: {installed}",
                            f"{used} -m pip install xlbizops"))  # fmt: skip
    if platform == "linux":
        checks.append(
            Check(
                "Excel",
                False,
                "none on Linux",
                "formulas need Windows Excel; xlbizops report works here",
            )
        )
        return checks
    modules = sheet.get("udf modules") or config.get("udf modules", "")
    checks.append(
        Check(
            "UDF Modules",
            UDF_MODULE in [m.strip() for m in modules.split(";")],
            modules or "not set",
            f"run: xlbizops excel-setup (sets UDF Modules = {UDF_MODULE} in the workbook)",
        )
    )
    addin = addin_file(home, platform)
    checks.append(
        Check(
            "xlwings add-in",
            True,
            f"{'installed' if addin.is_file() else 'not installed'} (not needed: the workbook "
            "carries xlwings' VBA)",
        )  # fmt: skip
    )
    if platform == "windows":
        version = embedded or installed
        dll = f"xlwings64-{version}.dll"
        places = [Path(used).parent, Path(used).parent.parent]  # Scripts\, the venv (xlwings.bas)
        found = any((place / dll).is_file() for place in places)
        checks.append(
            Check(
                "xlwings DLL",
                found,
                f"{dll} beside {used}"
                if found
                else f"{dll} not found in {places[0]} or {places[1]}",
                f"{used} -m pip install --force-reinstall xlwings=={version}",
            )  # fmt: skip
        )
        excel = shutil.which("excel") or any(
            Path(p).exists()
            for p in (
                r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE",
                r"C:\Program Files (x86)\Microsoft Office\root\Office16\EXCEL.EXE",
            )
        )
        try:
            import pywintypes  # noqa: F401

            pywin32 = True
        except ImportError:
            pywin32 = False
        checks.append(
            Check("pywin32", pywin32, "installed" if pywin32 else "missing", "pip install pywin32")
        )
    else:
        excel = Path("/Applications/Microsoft Excel.app").exists()
    checks.append(
        Check(
            "Excel",
            bool(excel),
            "found" if excel else "not found",
            "install Microsoft Excel (desktop)",
        )
    )
    return checks


def _embedded_version(workbook: Path) -> str | None:
    """The xlwings version a macro workbook's VBA loads the DLL of (None if it has none)."""
    from xlbizops.template.vba import embedded_xlwings_version

    try:
        return embedded_xlwings_version(workbook)
    except Exception:  # noqa: BLE001 - not a macro workbook, or unreadable
        return None


def _xlwings_of(used: str, this: str, run) -> str:
    """The xlwings version of the interpreter the workbook uses (this process's own when
    it is that interpreter)."""
    if used == this or Path(used) == Path(sys.executable):
        try:
            import xlwings

            return xlwings.__version__
        except ImportError:
            return "not installed"
    try:
        done = run([used, "-c", "import xlwings; print(xlwings.__version__)"],
                   capture_output=True, text=True, timeout=60)  # fmt: skip
    except OSError:
        return "not runnable"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "not installed"
