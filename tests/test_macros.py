"""The ribbon's actions on a workbook file (FileBook) and, through a stand-in for the
xlwings book object, on live Excel (ExcelBook)."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook

from tests.excel import live_standin as standin
from tests.template.package import WORKBOOKS, array_cells, sheet_xml
from tests.template.test_workbooks import audit, modules, ribbon_buttons
from xlbizops import macros
from xlbizops.excel import registration
from xlbizops.excel.catalogue import entries
from xlbizops.sampledata import COLUMNS
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
    """The same actions against an xlwings-shaped stand-in for the live book."""
    live = standin.Book.template(COLUMNS, template_rows(3))
    for name in ("Trends",):
        live.sheets.add(name)
    live.sheets.active = live.sheets["Trends"]
    book = macros.ExcelBook(live, platform="win32")
    macros.refresh_all(book)
    assert live.app.api.calls == ["CalculateFull"]  # UDFs too, dirty or not
    macros.refresh_sheet(book)
    assert live.sheets["Trends"].api.calls == ["Calculate"]
    assert book.status == "Refreshed Trends"
    assert live.sheets["Start"].range(macros.STATUS_CELL[1]).value == "Refreshed Trends"


def test_excel_adapter_resizes_the_table_and_the_names_follow_it():
    live = standin.Book.template(COLUMNS, [])
    book = macros.ExcelBook(live, platform="win32")
    book.replace_data([["order_id", "order_date"], ["SO-1", "2025-01-01"], ["SO-2", "2025-01-02"]])
    table = live.sheets["Data"].tables["Orders"]
    assert (table.rows, table.cols) == (3, 2)  # header + 2 orders, 2 columns
    assert live.names["order_id"].refers_to == "=Orders[order_id]"


def template_rows(n: int) -> list[list]:
    from xlbizops.template.sheets import template_orders

    orders = template_orders().head(n)
    orders = orders.astype(object).where(orders.notna(), None)
    return [[macros._cell_value(v) for v in row] for row in orders.itertuples(index=False)]


def test_clear_data_twice_then_build_report_keeps_every_column_and_name():
    """Issue 20: with only the header left, xlwings gives the header as a flat list; the
    adapter wrote it as letters across A1:H1, shrank the table to 8 columns (the names
    of columns I-R became #REF!) and Build report failed with TypeError."""
    live = standin.Book.template(COLUMNS, template_rows(5))
    book = macros.ExcelBook(live, platform="win32")
    for _ in range(2):
        macros.clear_data(book)
        table = live.sheets["Data"].tables["Orders"]
        assert table.columns == list(COLUMNS) and table.cols == len(COLUMNS)
        assert live.sheets["Data"].range("A1").expand().value == list(COLUMNS)
        assert all(n.refers_to == f"=Orders[{n.name}]" for n in live.names)
    assert macros.build_report(book) is None
    assert book.status == "The Data sheet has no orders; nothing to report"
    macros.load_sample_data(book)
    assert len(book.data_rows()) == 2001 and book.data_rows()[0] == list(COLUMNS)
    assert all(n.refers_to == f"=Orders[{n.name}]" for n in live.names)


def test_every_ribbon_action_answers_in_a_message_box_and_logs_on_start():
    live = standin.Book.template(COLUMNS, template_rows(3))
    live.sheets.active = live.sheets["Data"]  # clicked on another sheet than Start
    book = macros.ExcelBook(live, platform="win32")
    macros.refresh_all(book)
    macros.clear_data(book)
    assert live.app.alerts == [("Refreshed every sheet", "xlbizops"),
                               ("Cleared the Data sheet", "xlbizops")]  # fmt: skip
    assert live.sheets["Start"].range("B8").value == "Cleared the Data sheet"


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
    live = standin.Book.template(COLUMNS, [])
    macros.ExcelBook(live, platform="win32").replace_data(rows)
    written = live.sheets["Data"].range("A1").expand().options(ndim=2).value
    assert written[1][5] == '\'=HYPERLINK("http://example.invalid","x")'
    assert written[2][5] == "'+1-555-0100" and written[0] == rows[0]


def test_on_a_mac_the_buttons_do_the_rest_and_say_formulas_need_windows_or_lite():
    """On a Mac nothing is recalculated (Excel would turn every xlbizops cell into the
    DLL error), data is written with calculation manual and the mode restored, and the
    message says where the formulas run."""
    live = standin.Book.template(COLUMNS, template_rows(3))
    seen = []
    put = standin.Sheet.put
    monkey = live.sheets["Data"]
    monkey.put = lambda r, c, v: (seen.append(live.app.calculation), put(monkey, r, c, v))
    book = macros.ExcelBook(live, platform="darwin")
    macros.refresh_all(book)
    assert book.status == "Refreshed every sheet (formulas need Windows Excel or xlwings Lite)"
    macros.load_sample_data(book)
    macros.clear_data(book)
    assert seen and set(seen) == {"manual"} and live.app.calculation == "automatic"
    assert live.app.calculated == [] and live.app.api.calls == []
    macros.import_functions(book)
    assert book.status.startswith("Nothing to import: formulas need Windows Excel or xlwings Lite")


def _live_book_with_functions(fingerprint_value, trusted=True):
    live = standin.Book.template(COLUMNS, [])
    live.names.add(registration.FINGERPRINT_NAME, f'="{fingerprint_value}"')
    live.api.VBProject = standin.VBProject(
        {registration.UDF_MODULE: "\n".join(["' old"] * 120)}, trusted
    )
    return live, live.names[registration.FINGERPRINT_NAME], live.api.VBProject


def test_import_functions_only_when_the_functions_changed():
    live, _, project = _live_book_with_functions(registration.fingerprint())
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    assert book.status == "The workbook's functions are up to date: nothing to import"
    assert project.modules[registration.UDF_MODULE].added == []  # the project untouched


def test_import_functions_replaces_the_module_code_in_place():
    live, name, project = _live_book_with_functions("an older set")
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    module = project.modules[registration.UDF_MODULE]
    assert module.added == [registration.udf_module_code()]
    assert module.lines == registration.udf_module_code().splitlines()  # the old code gone
    assert project.removed == []  # replaced in place, not removed and re-added
    written = module.added[0]
    # the wrappers compile to their Excel branch: the constant comes before any #If
    assert written.index('#Const App = "Microsoft Excel"') < written.index(
        '#If App = "Microsoft Excel" Then'
    )
    assert "Attribute VB_Name" not in written  # not valid in a code module's text
    assert name.refers_to == f'="{registration.fingerprint()}"'
    assert book.status == "Imported the xlbizops functions"


def test_import_functions_names_the_setting_when_vba_access_is_off():
    live, _, _ = _live_book_with_functions("an older set", trusted=False)
    book = macros.ExcelBook(live, platform="win32")
    macros.import_functions(book)
    assert "Trust access to the VBA project object model" in book.status


def test_live_excel_charts_follow_the_spills_after_a_refresh():
    """On the stand-in for xlwings' Windows book: the RESAMPLE spill on Trends grew from
    24 to 26 months; the chart's SERIES formula is stretched to it."""
    from xlbizops.template.sheets import AREAS

    live = standin.Book.template(COLUMNS, [])
    for area in AREAS:
        live.sheets.add(area.name)
    trends = live.sheets["Trends"]
    trends.spills[(10, 1)] = "$A$10:$B$36"
    chart = standin.Chart("=SERIES(Trends!$B$10,Trends!$A$11:$A$34,Trends!$B$11:$B$34,1)")
    trends.charts.append(chart)
    macros.refresh_all(macros.ExcelBook(live, platform="win32"))
    assert chart.series[0].Formula == (
        "=SERIES(Trends!$B$10,Trends!$A$11:$A$36,Trends!$B$11:$B$36,1)"
    )


def test_opening_the_workbook_leaves_it_unchanged():
    """Issue 20: Application.MacroOptions at open marks the workbook changed, so Excel
    asked to save on every close; Auto_Open puts back what Saved was."""
    source = modules(WORKBOOKS / "xlbizops.xlsm")[registration.HELP_MODULE]
    opening = source[source.index("Sub Auto_Open()") : source.index("End Sub")]
    lines = [line.strip() for line in opening.splitlines()]
    assert (
        lines.index("unchanged = ThisWorkbook.Saved")
        < lines.index("RegisterFunctionHelp Application")
        < lines.index("If unchanged Then ThisWorkbook.Saved = True")
    )
