"""The wheel installs under xlwings Lite (Pyodide, sys_platform "emscripten") and, on a
desktop, installs what it always did.

Lite installs ``requirements.txt`` with micropip: a pure-Python wheel from the package
index, or Pyodide's own build of a compiled package.  So under emscripten every
requirement left, and everything it needs in turn, must be one Pyodide provides or a
pure-Python wheel.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]

# Packages Pyodide builds itself: the packages/<name>/meta.yaml recipes of the
# pyodide/pyodide-recipes repository at commit 9074cc41 (2026-08-06), the ones the
# xlbizops closure meets.  Pyodide installs each with what it needs.
PYODIDE_PROVIDED = {
    "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "lxml", "pyarrow",
    "python-calamine", "patsy", "packaging", "threadpoolctl", "joblib", "python-dateutil",
    "pytz", "tzdata", "six", "duckdb",
}  # fmt: skip
LITE = {  # a Pyodide interpreter's marker environment
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "python_version": "3.12",
    "python_full_version": "3.12.7",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}
DESKTOP = {
    **LITE,
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
}
# What `pip install .` installed before the Lite markers (issue 9 keeps it so).
DESKTOP_REQUIREMENTS = {
    "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "openpyxl", "xlwings",
    "python-calamine", "pyarrow", "xlsxwriter", "formulas", "pyopenvba", "lxml",
    "duckdb", "ibis-framework", "pyarrow-hotfix", "sqlglot",  # issue 13: the report's engine
    "packaging",  # issue 20: ibis' DuckDB backend imports it without declaring it
}  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source")  # setuptools builds in the tree: a copy
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "xlbizops", source / "xlbizops",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (path,) = out.glob("xlbizops-*.whl")
    return path


def wheel_metadata(wheel: Path, part: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(f".dist-info/{part}")]
        return z.read(name).decode("utf-8")


def requirements(wheel: Path) -> list[Requirement]:
    meta = Parser().parsestr(wheel_metadata(wheel, "METADATA"))
    return [Requirement(r) for r in meta.get_all("Requires-Dist") or []]


def needed(reqs, env) -> dict[str, Requirement]:
    return {
        canonicalize_name(r.name): r for r in reqs if r.marker is None or r.marker.evaluate(env)
    }


def test_the_wheel_is_pure_python(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    info = wheel_metadata(wheel, "WHEEL")
    assert "Root-Is-Purelib: true" in info and "Tag: py3-none-any" in info
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if n.endswith((".so", ".pyd", ".dll"))]
        assert "xlbizops/excel/vba/xlwings_udfs.bas" in z.namelist()


def from_the_index(requested, env, provided) -> dict[str, str]:
    """What micropip would fetch from the package index for ``requested``, transitively
    (name -> its WHEEL file), given the packages a Pyodide release ``provided``."""
    closure, todo = {}, list(requested)
    while todo:
        name = todo.pop()
        if name in closure or name in provided:
            continue
        dist = metadata.distribution(name)
        closure[name] = dist.read_text("WHEEL") or ""
        todo += list(needed([Requirement(r) for r in dist.requires or []], env))
    return closure


def assert_pure(closure: dict[str, str]) -> None:
    for name, info in closure.items():
        tags = re.findall(r"^Tag: (\S+)", info, re.M)
        assert tags and all(t.endswith("-none-any") for t in tags), f"{name} is not pure: {tags}"


def test_lite_installs_only_what_pyodide_can(wheel):
    lite = needed(requirements(wheel), LITE)
    assert set(lite) == {
        "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "openpyxl",
    }  # fmt: skip
    closure = from_the_index(lite, LITE, PYODIDE_PROVIDED)
    assert set(closure) == {"openpyxl", "et-xmlfile"}
    assert_pure(closure)


# pyodide-lock.json of each Pyodide release xlwings Lite may run (the npm package
# pyodide, versions 0.27.7, 0.28.3, 0.29.3 and 314.0.8), trimmed to names, versions and
# dependencies, with the release's Python for the markers.
RELEASES = sorted((ROOT / "tests" / "fixtures" / "pyodide").glob("*.json"))


def release(path: Path) -> tuple[set[str], dict]:
    import json

    lock = json.loads(path.read_text())
    provided = {canonicalize_name(p["name"]) for p in lock["packages"].values()}
    python = lock["info"]["python"]
    env = {**LITE, "python_full_version": python,
           "python_version": ".".join(python.split(".")[:2])}  # fmt: skip
    return provided, env


def test_the_lock_fixtures_are_the_four_releases():
    assert [p.stem for p in RELEASES] == ["0.27.7", "0.28.3", "0.29.3", "314.0.8"]
    pythons = {p.stem: release(p)[1]["python_version"] for p in RELEASES}
    assert pythons == {"0.27.7": "3.12", "0.28.3": "3.13", "0.29.3": "3.13", "314.0.8": "3.14"}


@pytest.mark.parametrize("lock", RELEASES, ids=[p.stem for p in RELEASES])
def test_the_functions_install_on_every_pyodide_release(wheel, lock):
    """Every base requirement under emscripten is in the release's lock, or a pure-Python
    wheel whose own requirements are too (issue 20: 0.28 has no pyarrow, 0.29 no duckdb,
    and an unconditional pyarrow stopped micropip before EOQ was installed)."""
    provided, env = release(lock)
    base = needed(requirements(wheel), env)
    assert not {"pyarrow", "duckdb", "ibis-framework"} & set(base)
    assert_pure(from_the_index(base, env, provided))


@pytest.mark.parametrize("lock", RELEASES, ids=[p.stem for p in RELEASES])
def test_the_report_extra_installs_where_pyodide_has_its_engine(wheel, lock):
    """xlbizops[report] resolves on the releases that build pyarrow and duckdb (0.27,
    314); on the others it cannot, and the report script says what to do instead."""
    provided, env = release(lock)
    report = needed(requirements(wheel), {**env, "extra": "report"})
    assert {"pyarrow", "duckdb", "ibis-framework", "packaging"} <= set(report)
    if {"pyarrow", "duckdb"} <= provided:
        assert_pure(from_the_index(report, env, provided))
    else:
        assert lock.stem in ("0.28.3", "0.29.3")
        missing = {"pyarrow", "duckdb"} - provided
        assert missing and not any(
            t.endswith("-none-any")
            for name in missing
            for t in re.findall(r"^Tag: (\S+)", metadata.distribution(name).read_text("WHEEL"),
                                re.M)
        )  # fmt: skip


def test_xlwings_is_never_pinned_under_lite(wheel):
    assert "xlwings" not in needed(requirements(wheel), LITE)


def test_the_desktop_installs_what_it_did(wheel):
    desktop = needed(requirements(wheel), DESKTOP)
    assert set(desktop) == DESKTOP_REQUIREMENTS
    assert str(desktop["xlwings"].specifier) == "==0.37.8"


def test_the_xlwings_pin_is_the_version_the_workbook_embeds(wheel):
    """The workbook's xlwings module loads xlwings64-<XLWINGS_VERSION>.dll by name: any
    other xlwings makes every formula fail to load the DLL."""
    from pyopenvba import ExcelFile

    with ExcelFile(ROOT / "workbooks" / "xlbizops.xlsm") as book:
        source = book.vba_modules()["xlwings"]
    (embedded,) = re.findall(r'XLWINGS_VERSION As String = "([^"]+)"', source)
    pinned = needed(requirements(wheel), DESKTOP)["xlwings"].specifier
    assert str(pinned) == f"=={embedded}"
    assert metadata.version("xlwings") == embedded


def test_the_package_never_imports_xlwings_pro_nor_sets_a_licence_key():
    """Lite brings its own runtime; xlwings PRO code is only run by the tests."""
    for path in (ROOT / "xlbizops").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "xlwings.pro" not in text and "LICENSE_KEY" not in text, path
