"""The ribbon's actions on a workbook file (FileBook) and, through a stand-in for the
xlwings book object, on live Excel (ExcelBook)."""

from __future__ import annotations

import shutil
from unittest import mock

import pytest
from openpyxl import load_workbook

from tests.template.package import WORKBOOKS, array_cells, sheet_xml
from tests.template.test_workbooks import audit, modules, ribbon_buttons
from xlbizops import macros
from xlbizops.excel import registration
from xlbizops.excel.catalogue import entries
from xlbizops.template.sheets import TEMPLATE_ORDERS
from xlbizops.workbook.filebook import FileBook


@pytest.fixture
def book_file(tmp_path):
    path = tmp_path / "ops.xlsm"
    shutil.copyfile(WORKBOOKS / "xlbizops.xlsm", path)
    return path


def test_clear_then_load_sample_data(book_file):
    book = FileBook(book_file)
    macros.clear_data(book)
    wb = load_workbook(book_file, data_only=True)
    assert wb["Data"].max_row <= 2 and wb["Data"]["A2"].value is None
    assert wb["Data"].tables["Orders"].ref == "A1:R2"  # one empty row; the names follow it
    assert wb.defined_names["order_date"].attr_text == "Orders[order_date]"
    # Empty data: each formula shows a readable message, nothing crashes.
    assert wb["Customers"]["A10"].value.startswith("RFM_SCORE:")
    assert wb["Trends"]["A10"].value.startswith("RESAMPLE:")
    assert book.status == "Cleared the Data sheet"

    macros.load_sample_data(book)
    wb = load_workbook(book_file, data_only=True)
    template = load_workbook(WORKBOOKS / "xlbizops.xlsm", data_only=True)
    assert wb.defined_names["order_date"].attr_text == "Orders[order_date]"
    assert wb["Data"].tables["Orders"].ref == f"A1:R{TEMPLATE_ORDERS + 1}"
    for sheet, ref in (("Trends", "A10:H34"), ("Customers", "A10:J324"), ("Risk", "G9:I20")):
        got = [[c.value for c in row] for row in wb[sheet][ref]]
        want = [[c.value for c in row] for row in template[sheet][ref]]
        assert got == want, sheet
    assert book.status == f"Loaded {TEMPLATE_ORDERS:,} sample orders"


def test_edits_keep_dynamic_arrays_macros_and_ribbon(book_file):
    macros.clear_data(FileBook(book_file))
    for sheet, root in sheet_xml(book_file).items():
        for coordinate, cell in array_cells(root).items():
            assert cell.get("cm") == "1", f"{sheet}!{coordinate} lost its dynamic-array flag"
    assert ribbon_buttons(book_file) == ribbon_buttons(WORKBOOKS / "xlbizops.xlsm")
    assert set(modules(book_file)) == set(modules(WORKBOOKS / "xlbizops.xlsm"))
    assert audit(book_file) == []


def test_show_help_lists_every_function(book_file):
    book = FileBook(book_file)
    macros.show_help(book)
    wb = load_workbook(book_file)
    rows = list(wb[macros.HELP_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("function", "area", "what it returns")
    assert [r[0].split("(")[0] for r in rows[1:]] == [e.name for e in entries()]
    assert wb.active.title == macros.HELP_SHEET


def test_build_report_writes_the_report_next_to_the_book(book_file):
    path = macros.build_report(FileBook(book_file))
    assert path == book_file.with_name("ops-report.xlsx")
    sheets = load_workbook(path, read_only=True).sheetnames
    assert "Supply chain" in sheets and "Customers" in sheets


def test_build_report_on_empty_data_says_so(book_file):
    book = FileBook(book_file)
    macros.clear_data(book)
    assert macros.build_report(book) is None
    assert "no orders" in book.status


def test_import_functions_rewrites_the_wrapper_module(book_file):
    macros.import_functions(FileBook(book_file))
    assert (
        modules(book_file)["xlwings_udfs"].split("\n")[1:]
        == (registration.udf_wrapper_source().split("\n")[1:])
    )


def test_import_functions_needs_a_macro_workbook(tmp_path):
    plain = tmp_path / "ops.xlsx"
    shutil.copyfile(WORKBOOKS / "xlbizops.xlsx", plain)
    with pytest.raises(ValueError, match="xlsm"):
        macros.import_functions(FileBook(plain))


def test_excel_adapter_drives_the_live_workbook():
    """The same actions against xlwings' book object (a stand-in here: no Excel)."""
    live = mock.MagicMock()
    live.sheets.active.name = "Trends"
    book = macros.ExcelBook(live, platform="win32")
    macros.refresh_all(book)
    live.app.api.CalculateFull.assert_called_once_with()
    live.sheets.__getitem__.return_value.range.return_value.value = None
    macros.refresh_sheet(book)
    live.sheets.__getitem__.assert_any_call("Trends")
    assert book.status == "Refreshed Trends"
    status = live.sheets.__getitem__.return_value.range
    status.assert_called_with(macros.STATUS_CELL[1])


def test_excel_adapter_resizes_the_table_and_the_names_follow_it():
    live = mock.MagicMock()
    book = macros.ExcelBook(live, platform="win32")
    book.replace_data([["order_id", "order_date"], ["SO-1", "2025-01-01"], ["SO-2", "2025-01-02"]])
    sheet = live.sheets.__getitem__.return_value
    sheet.tables.__getitem__.return_value.resize.assert_called_once_with(sheet.range.return_value)
    sheet.range.assert_any_call((1, 1), (3, 2))  # header + 2 orders, 2 columns
    assert not live.names.mock_calls  # the names are Orders[column]: Excel keeps them


def test_data_that_looks_like_a_formula_stays_text(book_file):
    """An order log cell such as =HYPERLINK(...) must never become a live formula."""
    book = FileBook(book_file)
    rows = book.data_rows()[:3]
    rows[1][5] = '=HYPERLINK("http://example.invalid","x")'
    rows[2][5] = "+1-555-0100"
    book.replace_data(rows)
    sheet = load_workbook(book_file)["Data"]
    assert sheet["F2"].value == '=HYPERLINK("http://example.invalid","x")'
    assert sheet["F2"].data_type == "s" and sheet["F3"].data_type == "s"
    live = mock.MagicMock()
    macros.ExcelBook(live).replace_data(rows)
    written = live.sheets.__getitem__.return_value.range.return_value.value
    assert written[1][5] == '\'=HYPERLINK("http://example.invalid","x")'
    assert written[2][5] == "'+1-555-0100" and written[0] == rows[0]


def test_on_a_mac_the_buttons_do_the_rest_and_say_formulas_need_windows_or_lite():
    """A stand-in for xlwings' Mac book: no COM (``api`` is AppleScript there)."""
    live = mock.MagicMock()
    live.app.api.CalculateFull.side_effect = AssertionError("Windows COM on a Mac")
    book = macros.ExcelBook(live, platform="darwin")
    macros.refresh_all(book)
    live.app.calculate.assert_called_once_with()
    assert book.status == "Refreshed every sheet (formulas need Windows Excel or xlwings Lite)"
    macros.import_functions(book)
    assert book.status.startswith("Nothing to import: formulas need Windows Excel or xlwings Lite")
    assert not live.api.VBProject.mock_calls


def _live_book_with_functions(fingerprint_value):
    live = mock.MagicMock()
    name = mock.MagicMock()
    name.name = registration.FINGERPRINT_NAME
    name.refers_to = f'="{fingerprint_value}"'
    live.names.__iter__.return_value = [name]
    live.names.__getitem__.return_value = name
    code = live.api.VBProject.VBComponents.return_value.CodeModule
    code.CountOfLines = 120
    return live, name, code


def test_import_functions_only_when_the_functions_changed():
    live, _, code = _live_book_with_functions(registration.fingerprint())
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    assert book.status == "The workbook's functions are up to date: nothing to import"
    assert not code.mock_calls  # the VBA project is not even opened


def test_import_functions_replaces_the_module_code_in_place():
    live, name, code = _live_book_with_functions("an older set")
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    live.api.VBProject.VBComponents.assert_called_once_with("xlwings_udfs")
    code.DeleteLines.assert_called_once_with(1, 120)
    code.AddFromString.assert_called_once_with(registration.udf_wrapper_body())
    assert not live.api.VBProject.VBComponents.return_value.Remove.called
    assert not live.api.VBProject.VBComponents.Remove.called
    assert name.refers_to == f'="{registration.fingerprint()}"'
    assert book.status == "Imported the xlbizops functions"


def test_import_functions_names_the_setting_when_vba_access_is_off():
    live, _, _ = _live_book_with_functions("an older set")
    type(live.api).VBProject = mock.PropertyMock(side_effect=Exception("not trusted"))
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    assert "Trust access to the VBA project object model" in book.status


def test_live_excel_charts_follow_the_spills_after_a_refresh():
    """A stand-in for xlwings' Windows book: the RESAMPLE spill on Trends grew from 24
    to 26 months; the chart's SERIES formula is stretched to it."""
    live = mock.MagicMock()
    sheets = {}

    def sheet(name):
        if name not in sheets:
            ws = mock.MagicMock()
            ws.name = name
            ws.charts = []
            ws.range.return_value.api.HasSpill = False
            sheets[name] = ws
        return sheets[name]

    from xlbizops.template.sheets import AREAS

    live.sheets.__iter__.side_effect = lambda: iter([sheet(a.name) for a in AREAS])
    live.sheets.__getitem__.side_effect = sheet
    trends = sheet("Trends")
    spill = mock.MagicMock(HasSpill=True)
    spill.SpillingToRange.Address = "$A$10:$B$36"
    other = mock.MagicMock(HasSpill=False)
    trends.range.side_effect = lambda cell: mock.MagicMock(api=spill if cell == "A10" else other)
    series = mock.MagicMock(Formula="=SERIES(Trends!$B$10,Trends!$A$11:$A$34,Trends!$B$11:$B$34,1)")
    chart = mock.MagicMock()
    chart.api = (None, mock.MagicMock())
    chart.api[1].SeriesCollection.return_value.Count = 1
    chart.api[1].SeriesCollection.return_value.Item.return_value = series
    trends.charts = [chart]
    macros.refresh_all(macros.ExcelBook(live, platform="win32"))
    assert series.Formula == "=SERIES(Trends!$B$10,Trends!$A$11:$A$36,Trends!$B$11:$B$36,1)"
