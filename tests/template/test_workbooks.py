"""The committed template workbooks, checked at the XML level and against a fresh build."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from tests.template.package import WORKBOOKS, array_cells, describe, parts, sheet_xml
from xlbizops.cli import main
from xlbizops.excel import registration
from xlbizops.excel.catalogue import AREAS as CATALOGUE
from xlbizops.sampledata import COLUMNS
from xlbizops.template import sheets as layout
from xlbizops.template import vba
from xlbizops.template.build import BUTTONS, NAMES
from xlbizops.template.sheets import TEMPLATE_ORDERS
from xlbizops.workbook.package import MAIN

XLSX, XLSM = WORKBOOKS / "xlbizops.xlsx", WORKBOOKS / "xlbizops.xlsm"
BOTH = pytest.mark.parametrize("book", [XLSX, XLSM], ids=["xlsx", "xlsm"])
CUSTOM_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A fresh build through the command line: xlbizops template build -o DIR."""
    folder = tmp_path_factory.mktemp("fresh")
    assert main(["template", "build", "-o", str(folder)]) == 0
    return [folder / name for name in NAMES]


def test_committed_workbooks_match_a_fresh_build(fresh):
    for built in fresh:
        committed = WORKBOOKS / built.name
        assert committed.exists(), f"run: xlbizops template build (missing {committed})"
        old, new = describe(committed), describe(built)
        for key in ("sheets", "names", "parts", "formulas", "constants", "data"):
            assert old[key] == new[key], (
                f"{built.name}: {key} differ from a fresh build; run `xlbizops template build`"
            )


def test_fresh_build_has_the_same_vba_and_ribbon(fresh):
    built = {p.name: p for p in fresh}["xlbizops.xlsm"]
    assert modules(built) == modules(XLSM)
    assert parts(built)[vba.RIBBON_PART] == parts(XLSM)[vba.RIBBON_PART]


@BOTH
def test_sheets(book):
    names = load_workbook(book, read_only=True).sheetnames
    assert names == ["Start", "Data", *(s.name for s in layout.AREAS), "xlwings.conf"]
    conf = load_workbook(book, read_only=True)["xlwings.conf"]
    assert next(conf.iter_rows(values_only=True)) == ("UDF Modules", "xlbizops.udfs")


@BOTH
def test_data_is_an_excel_table_with_a_name_per_column(book):
    wb = load_workbook(book)
    table = wb["Data"].tables[layout.TABLE]
    last = TEMPLATE_ORDERS + 1
    assert table.ref == f"A1:R{last}"
    assert [c.name for c in table.tableColumns] == list(COLUMNS)
    for column in COLUMNS:  # names follow the table as Excel grows it
        assert wb.defined_names[column].attr_text == f"Orders[{column}]"


@pytest.mark.parametrize("book", [XLSM], ids=["xlsm"])
def test_table_formulas_are_dynamic_arrays(book):
    """Every spill is <f t="array" ref=…> in a cell with cm= pointing at dynamic-array
    metadata (XLDAPR fDynamic=1); without it Excel 365 shows one cell (=@RFM_SCORE)."""
    package = parts(book)
    metadata = etree.fromstring(package["xl/metadata.xml"])
    assert metadata.find(f".//{{{MAIN}}}metadataType").get("name") == "XLDAPR"
    assert b'fDynamic="1"' in package["xl/metadata.xml"]
    assert b"sheetMetadata" in package["xl/_rels/workbook.xml.rels"]
    assert b"/xl/metadata.xml" in package["[Content_Types].xml"]
    xml = sheet_xml(book)
    for sheet in layout.AREAS:
        arrays = array_cells(xml[sheet.name])
        for spill in sheet.spills:
            cell = arrays.get(spill.cell)
            assert cell is not None, f"{sheet.name}!{spill.cell} is not an array formula"
            assert cell.get("cm") == "1", f"{sheet.name}!{spill.cell} lacks dynamic-array cm"
            formula = cell.find(f"{{{MAIN}}}f")
            assert _unprefixed(formula.text) == spill.formula.lstrip("=")
            assert ":" in formula.get("ref") or spill.cell == formula.get("ref")


def test_spills_cover_the_whole_result():
    """The stored spill ranges are the results' sizes (sample data: 40 SKUs, 314
    customers, 24 months), so Excel needs no resize on open and charts see it all."""
    xml = sheet_xml(XLSM)

    def ref(sheet, cell):
        return array_cells(xml[sheet])[cell].find(f"{{{MAIN}}}f").get("ref")

    assert ref("Supply chain", "A12") == "A12:F52"  # header + 40 SKUs × 6 columns
    assert ref("Customers", "A10") == "A10:J324"  # header + 314 customers
    assert ref("Trends", "A10") == "A10:B34"  # header + 24 months
    assert ref("Trends", "D10") == "D10:H34"
    assert ref("Orders", "A8") == "A8:B26"  # header + 18 KPIs


def test_the_xlsx_is_a_values_snapshot_of_the_xlsm():
    """Same sheets, numbers, text and charts as the .xlsm shows on open; no formula,
    so it never recalculates into #NAME? where the functions are not installed."""
    snapshot, live = parts(XLSX), parts(XLSM)
    assert "xl/metadata.xml" not in snapshot
    assert b"sheetMetadata" not in snapshot["xl/_rels/workbook.xml.rels"]
    for sheet, root in sheet_xml(XLSX).items():
        assert root.find(f".//{{{MAIN}}}f") is None, f"{sheet} still has a formula"
        assert not [c for c in root.iter(f"{{{MAIN}}}c") if c.get("cm") or c.get("t") == "str"]
    shown = load_workbook(XLSM, data_only=True)
    for ws in load_workbook(XLSX, data_only=True):
        if ws.title == "Start":
            continue  # its wording differs between the two files
        theirs = shown[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value  # a date the snapshot formats is the serial the .xlsm holds
                if isinstance(value, dt.datetime) and not theirs[cell.coordinate].is_date:
                    value = (value - dt.datetime(1899, 12, 30)).days
                assert value == theirs[cell.coordinate].value, f"{ws.title}!{cell.coordinate}"
    charts = sorted(n for n in snapshot if n.startswith("xl/charts/"))
    assert charts and all(snapshot[n] == live[n] for n in charts)


@BOTH
def test_opening_shows_the_stored_values_without_recalculating(book):
    """No fullCalcOnLoad, and the calcId Excel 2019/2021/365 save: Excel does not
    recalculate on open, so with macros blocked the cells keep their numbers."""
    calc = etree.fromstring(parts(book)["xl/workbook.xml"]).find(f".//{{{MAIN}}}calcPr")
    assert calc.get("calcId") == "191029"
    assert calc.get("fullCalcOnLoad") is None and calc.get("calcMode") is None


@BOTH
def test_modern_functions_carry_their_prefix(book):
    for sheet, root in sheet_xml(book).items():
        for formula in root.iter(f"{{{MAIN}}}f"):
            text = formula.text or ""
            assert not re.search(r"(?<![.\w])FILTER\(", text), f"{sheet}: bare FILTER in {text}"


def _unprefixed(text: str) -> str:
    return text.replace("_xlfn._xlws.", "").replace("_xlfn.", "")


@BOTH
def test_every_part_is_well_formed_xml(book):
    parser = etree.XMLParser(resolve_entities=False, huge_tree=False)
    for name, data in parts(book).items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data, parser)  # raises on malformed XML


# Findings of the Open XML validator known to be false positives.  openpyxl writes a
# font's children (<b/>, <i/>, <color/>, ...) in an order the validator does not
# expect, but CT_Font in ECMA-376 is an unbounded xsd:choice, so any order is valid
# (the "Unexpected element 'color'" finding in EXCEL-TOOLING.md).  XlsxWriter's files
# do not trigger it; a file that went through openpyxl, as FileBook edits do, does.
FONT_CHILDREN = "b|i|u|strike|color|sz|name|family|scheme|charset|vertAlign|outline|shadow"
AUDIT_ALLOWED = (
    (re.compile(rf"^Unexpected element '({FONT_CHILDREN})' found$"), re.compile(r"/font\[\d+\]$")),
)


def audit(path) -> list[str]:
    """The validator's errors for a file, allowlisted findings left out."""
    done = subprocess.run(
        [sys.executable, "-m", "openxml_audit", "-o", "json", "-m", "0", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(done.stdout)
    errors = [e for f in report for e in f["errors"] if e["severity"] == "error"]
    return [
        f"{e['part_uri']} {e['path']}: {e['description']}"
        for e in errors
        if not any(
            text.search(e["description"]) and where.search(e.get("path") or "")
            for text, where in AUDIT_ALLOWED
        )
    ]


@BOTH
def test_open_xml_validator_finds_no_errors(book):
    assert audit(book) == []


def test_open_xml_validator_catches_a_bad_cell(tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(XLSX) as package, zipfile.ZipFile(broken, "w") as out:
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b' t="s"', b' t="q"', 1)
            out.writestr(info, data)
    assert any("Invalid value for attribute 't'" in line for line in audit(broken))


# --- macros and ribbon ---------------------------------------------------------------


def modules(path) -> dict[str, str]:
    """Module name → source, as olevba decompresses the VBA project."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {
            name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
            for _, _, name, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _body(source: str) -> list[str]:
    """Source lines without the attribute header (VBA adds or normalises it)."""
    lines = source.replace("\r\n", "\n").rstrip("\n").split("\n")
    return [line for line in lines if not line.startswith(("Attribute VB_", "VERSION 1.0"))]


def test_vba_project_decompresses_to_our_source():
    found = modules(XLSM)
    for name, source in vba.project_sources().items():
        assert name in found, f"module {name} missing"
        assert _body(found[name]) == _body(source), f"module {name} differs from its source"
    assert found["xlbizops_ribbon"].startswith('Attribute VB_Name = "xlbizops_ribbon"')


def test_embedded_xlwings_module_keeps_its_licence_and_version():
    import xlwings

    source = modules(XLSM)["xlwings"]
    assert "xlwings is distributed under a BSD 3-clause license." in source
    assert f"'Version: {xlwings.__version__}" in source


def test_udf_wrappers_cover_the_catalogue():
    source = modules(XLSM)["xlwings_udfs"]
    for names in CATALOGUE.values():
        for name in names:
            assert re.search(rf"^Function {name}\(", source, re.M), name
            assert f'"xlbizops.udfs", "{name}"' in source


def test_xlsx_has_no_macros_and_xlsm_is_macro_enabled():
    plain, macro = parts(XLSX), parts(XLSM)
    assert "xl/vbaProject.bin" not in plain and vba.RIBBON_PART not in plain
    assert b"sheet.main+xml" in plain["[Content_Types].xml"]
    assert "xl/vbaProject.bin" in macro
    assert vba.MACRO_CONTENT_TYPE.encode() in macro["[Content_Types].xml"]
    assert b"vnd.ms-office.vbaProject" in macro["[Content_Types].xml"]


def ribbon_buttons(path) -> list[tuple[str, str]]:
    package = parts(path)
    rels = etree.fromstring(package["_rels/.rels"])
    targets = {r.get("Type"): r.get("Target") for r in rels}
    assert targets[vba.RIBBON_REL] == vba.RIBBON_PART
    ui = etree.fromstring(package[vba.RIBBON_PART])
    tab = ui.find(f".//{CUSTOM_UI}tab")
    assert tab.get("label") == "xlbizops"
    return [(b.get("label"), b.get("onAction")) for b in ui.iter(f"{CUSTOM_UI}button")]


def test_ribbon_tab_has_the_buttons_and_their_callbacks_exist():
    buttons = ribbon_buttons(XLSM)
    assert [label for label, _ in buttons] == [label for label, _ in BUTTONS]
    source = vba.ribbon_source()
    for _, callback in buttons:
        assert re.search(rf"^Public Sub {callback}\(control As IRibbonControl\)", source, re.M)


def test_ribbon_survives_an_openpyxl_save(tmp_path):
    saved = tmp_path / "saved.xlsm"
    book = load_workbook(XLSM, keep_vba=True)
    book["Risk"]["R10"] = 4
    book.save(saved)
    assert [b for b in ribbon_buttons(saved)] == ribbon_buttons(XLSM)
    assert "xl/vbaProject.bin" in parts(saved)


def test_ribbon_callbacks_run_the_python_actions():
    """Each button's VBA, run by pyOpenVBA's interpreter, calls RunPython with one
    action of xlbizops.macros (RunPython itself is recorded, not executed)."""
    from pyopenvba.apps.excel import ExcelApplication

    import xlbizops.macros as macros

    app = ExcelApplication.open(XLSM, with_vba=False)
    app.add_module(vba.ribbon_source().split("\n", 1)[1], name="xlbizops_ribbon")
    app.add_module(
        "Public Calls As String\n"
        'Public Sub RunPython(code As String)\n    Calls = Calls & code & "|"\nEnd Sub\n'
        "Public Function Recorded() As String\n    Recorded = Calls\nEnd Function\n"
        "Public Sub Press(callback As String)\n    Application.Run callback, Nothing\nEnd Sub\n",
        name="harness",
    )
    called = []
    for label, callback in ribbon_buttons(XLSM):
        before = app.run("Recorded")
        if label == "Clear data":
            app.answer_dialogs(2)  # Cancel: nothing runs
            app.run("Press", callback)
            assert app.run("Recorded") == before
            app.answer_dialogs(1)  # OK
        app.run("Press", callback)
        code = app.run("Recorded")[len(before) :].rstrip("|")
        match = re.fullmatch(r"import xlbizops\.macros as m; m\.(\w+)\(\)", code)
        assert match, f"{label}: {code!r}"
        assert callable(getattr(macros, match[1])), match[1]
        called.append(match[1])
    assert called == [
        "refresh_all",
        "refresh_sheet",
        "build_report",
        "load_sample_data",
        "clear_data",
        "import_functions",
        "show_help",
    ]


@pytest.mark.parametrize("book", [XLSM], ids=["xlsm"])
def test_charts_draw_whole_spills(book):
    """Every chart series covers rows of a spilled result, all of them (the sizes the
    refresh found), or the fixed blocks: segment counts on the Customers sheet, fill
    rate by demand class on the Replenishment sheet."""
    from openpyxl.utils.cell import range_boundaries

    arrays = {
        sheet: [
            range_boundaries(cell.find(f"{{{MAIN}}}f").get("ref"))
            for cell in array_cells(root).values()
        ]
        for sheet, root in sheet_xml(book).items()
    }
    arrays["Customers"].append(range_boundaries("M10:N20"))
    arrays["Replenishment"].append(range_boundaries("E4:G8"))  # fill rate by class
    charts = [name for name in parts(book) if name.startswith("xl/charts/chart")]
    assert len(charts) == sum(len(s.charts) for s in layout.AREAS)
    for name in charts:
        for ref in re.findall(rb"<c:f>([^<]*)</c:f>", parts(book)[name]):
            sheet, _, cells = ref.decode().rpartition("!")
            sheet = sheet.strip("'")
            left, top, right, bottom = range_boundaries(cells.replace("$", ""))
            blocks = [b for b in arrays[sheet] if b[0] <= left and right <= b[2] and b[1] <= top]
            assert blocks, f"{name}: {ref.decode()} is not inside a spill"
            if top != bottom:  # a data range: down to the spill's last row
                assert any(b[3] == bottom for b in blocks), f"{name}: {ref.decode()}"


def test_every_module_of_the_project_compiles():
    """pyOpenVBA's VBA parser reads every module of the project (ours, the generated
    UDF wrappers, xlwings' own).  Its parser does not take a comment after a #If/
    #Const directive, which VBA allows and xlwings writes; those comments are dropped
    for this check only."""
    from pyopenvba.apps.excel import ExcelApplication

    app = ExcelApplication.open(XLSM, with_vba=False)
    for name, source in modules(XLSM).items():
        if name.startswith(("ThisWorkbook", "Sheet")):
            continue
        kind = "class" if name == "Dictionary" else "standard"
        readable = re.sub(r"^(\s*#[^'\n]*?)\s*'.*$", r"\1", source, flags=re.M)
        app.add_module(registration.crlf(readable), name=name, kind=kind)  # raises if it cannot
    assert {"xlbizops_ribbon", "xlwings_udfs", "xlwings", "dictionary"} <= set(
        app.interpreter.modules
    )


def test_the_snapshot_shows_every_number_with_a_format():
    """Issue 22: dates as dates, not serial numbers; no number in General (10 to 13
    decimals); each column's format from its name, checked cell by cell against what
    the .xlsm holds."""
    book = load_workbook(XLSX)
    live = load_workbook(XLSM, data_only=True)
    general = []
    for ws in book:
        if ws.title in ("Start", "xlwings.conf"):
            continue
        for row in ws.iter_rows():
            for cell in row:
                number = isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                if number and cell.number_format == "General":
                    general.append(f"{ws.title}!{cell.coordinate}")
    assert not general, general[:10]
    trends = book["Trends"]  # the RESAMPLE spill at A10: period (dates), value
    assert str(trends["A10"].value).lower() == "period"
    assert trends["A11"].is_date and trends["A11"].number_format == "yyyy-mm-dd"
    serial = live["Trends"]["A11"].value
    assert trends["A11"].value.date() == (dt.datetime(1899, 12, 30) + dt.timedelta(serial)).date()
    supply = book["Supply chain"]  # DEMAND_BY_ITEM at A12: whole annual demand, cents
    assert supply["B12"].value == "annual_demand" and supply["B13"].number_format == "#,##0"
    assert supply["C13"].number_format == "#,##0.00"  # daily_mean


def test_the_snapshot_reads_without_python_and_prints_its_data_page_only():
    """The Start sheet speaks of a snapshot (no ribbon to press), the xlwings.conf sheet
    is hidden, and the Data sheet prints its first page, not 28."""
    book = load_workbook(XLSX)
    start = " ".join(str(c.value) for row in book["Start"].iter_rows() for c in row if c.value)
    assert "values snapshot" in start
    assert not [b for b, _ in BUTTONS if b in start]  # no ribbon instructions
    assert "ribbon" not in start.lower()
    assert book["xlwings.conf"].sheet_state == "hidden"
    assert book["Data"].print_area == "'Data'!$A$1:$R$41"  # header and 40 rows
    macro = load_workbook(XLSM, keep_vba=True)
    assert macro["xlwings.conf"].sheet_state == "visible"  # xlwings reads it there
    live_start = " ".join(str(c.value) for r in macro["Start"].iter_rows() for c in r if c.value)
    assert all(b in live_start for b, _ in BUTTONS)
