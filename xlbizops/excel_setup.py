"""Wiring Excel to xlbizops on a user's Windows or macOS machine, and checking it.

``xlbizops excel-setup`` installs the xlwings add-in, writes the xlwings user config
(UDF Modules = xlbizops.udfs, the interpreter) and copies the template workbooks to the
user's documents.  ``xlbizops doctor`` checks each of these and prints a fix for what
is wrong.  Both take the platform and home folder as parameters, so every step can be
exercised (``--dry-run``, or into a scratch home) on any machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UDF_MODULE = "xlbizops.udfs"
PACKAGE_WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"


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


def read_config(path: Path) -> dict[str, str]:
    """xlwings.conf lines are "KEY","VALUE"; keys compare case-insensitively."""
    config = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            values = re.findall(r'"([^"]*)"', line)
            if len(values) >= 2:
                config[values[0]] = values[1]
    return config


def write_config(path: Path, updates: dict[str, str]) -> None:
    """Set keys, keeping every other setting the user already has."""
    config = read_config(path)
    for key, value in updates.items():
        for existing in [k for k in config if k.lower() == key.lower()]:
            del config[existing]
        config[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'"{k}","{v}"\n' for k, v in config.items()), encoding="utf-8")


def config_updates(platform: str, interpreter: str) -> dict[str, str]:
    key = "INTERPRETER_MAC" if platform == "macos" else "INTERPRETER_WIN"
    return {"UDF Modules": UDF_MODULE, key: interpreter}


def documents_folder(home: Path) -> Path:
    return home / "Documents" / "xlbizops"


def excel_setup(
    home: Path,
    platform: str,
    interpreter: str,
    dry_run: bool,
    out=print,
    workbooks: Path = PACKAGE_WORKBOOKS,
    run=subprocess.run,
    build=None,
) -> int:
    """Do (or with ``dry_run`` only print) the wiring steps; returns an exit code.

    The templates are copied from ``workbooks`` (the repository's ``workbooks/``);
    an installed wheel has no such folder, so they are built into the documents
    folder instead (``xlbizops template build``, about a minute).
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
    out(
        f"1. {prefix}install the xlwings add-in: xlwings addin install "
        f"(to {addin_file(home, platform)})"
    )
    if not dry_run:
        done = run(
            [interpreter, "-m", "xlwings", "addin", "install"], capture_output=True, text=True
        )
        if done.returncode != 0:
            out(f"   failed: {(done.stderr or done.stdout).strip()[-300:]}")
            out("   Is Excel installed, and closed? Then run: xlwings addin install")
            return 1
    config = user_config_file(home, platform)
    updates = config_updates(platform, interpreter)
    settings = ", ".join(f"{k} = {v}" for k, v in updates.items())
    out(f"2. {prefix}write {config}: {settings}")
    if not dry_run:
        write_config(config, updates)
    target = documents_folder(home)
    templates = sorted(workbooks.glob("*.xls*")) if workbooks.is_dir() else []
    if not templates:
        out(f"3. {prefix}build the template workbooks into {target} (xlbizops template build)")
        if not dry_run:
            if build is None:
                from xlbizops.template.build import build_templates as build
            build(target)
    for template in templates:
        out(f"3. {prefix}copy {template.name} to {target}")
        if not dry_run:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template, target / template.name)
    out(
        "Done. Restart Excel; in the xlwings ribbon tab click Import Functions."
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


def doctor(home: Path, platform: str, interpreter: str) -> list[Check]:
    """Check Python, xlwings, the add-in, the config and Excel; each failure has a fix."""
    checks = [
        Check(
            "Python",
            sys.version_info >= (3, 11),
            sys.version.split()[0],
            "install Python 3.11 or newer",
        ),
    ]
    try:
        import xlwings

        checks.append(Check("xlwings", True, xlwings.__version__))
    except ImportError:
        checks.append(Check("xlwings", False, "not installed", "pip install xlbizops"))
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
    addin = addin_file(home, platform)
    checks.append(
        Check(
            "xlwings add-in",
            addin.is_file(),
            str(addin),
            "run: xlbizops excel-setup (or xlwings addin install)",
        )
    )
    config_path = user_config_file(home, platform)
    config = {k.lower(): v for k, v in read_config(config_path).items()}
    modules = [m.strip() for m in config.get("udf modules", "").split(";") if m.strip()]
    checks.append(
        Check(
            "UDF Modules",
            UDF_MODULE in modules,
            f"{config_path}: {config.get('udf modules', 'not set')}",
            f"run: xlbizops excel-setup (sets UDF Modules = {UDF_MODULE})",
        )
    )
    key = "interpreter_mac" if platform == "macos" else "interpreter_win"
    configured = config.get(key, "")
    checks.append(
        Check(
            "Interpreter",
            bool(configured) and Path(configured).exists(),
            configured or "not set",
            f"run: xlbizops excel-setup (sets {key.upper()} = {interpreter})",
        )
    )
    if platform == "windows":
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
