"""Build the template workbooks: ``xlbizops template build [-o DIR]``.

``xlbizops.xlsx`` holds the sheets and formulas; ``xlbizops.xlsm`` adds the VBA
project (xlwings' module, the UDF wrappers, the ribbon callbacks) and the ribbon.
XlsxWriter writes the sheets because it stores table formulas as dynamic arrays
(``cm`` cell metadata), which Excel 365 spills; openpyxl would store them as plain
formulas that Excel opens as ``=@RFM_SCORE(...)``.  The cached values come from
the headless refresh (``xlbizops.workbook.refresh``), so the files open with numbers
in LibreOffice and viewers; spill sizes come from it too (built twice: the second
time with the sizes the first refresh found, so charts cover the whole spill).
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import pandas as pd
import xlsxwriter
from openpyxl.utils.cell import range_boundaries
from xlsxwriter.utility import xl_cell_to_rowcol

from xlbizops.excel.registration import FINGERPRINT_NAME, fingerprint
from xlbizops.sampledata import COLUMNS
from xlbizops.template import sheets as layout
from xlbizops.template.sheets import template_orders
from xlbizops.workbook import formats
from xlbizops.workbook.refresh import refresh_workbook, write_values
from xlbizops.workbook.snapshot import values_snapshot
from xlbizops.workbook.writing import write_cell, xlsx_scratch

NAMES = ("xlbizops.xlsx", "xlbizops.xlsm")
# The calculation engine id Excel 2019, 2021 and Microsoft 365 save (<calcPr calcId>):
# a file saved with an older id is fully recalculated when it opens.
EXCEL_CALC_ID = 191029
START = "Start"
CONFIG_SHEET = "xlwings.conf"

BUTTONS = (
    ("Refresh all", "Recomputes every sheet (Excel: Calculate full; here: xlbizops refresh)."),
    ("Refresh this sheet", "Recomputes the formulas on the active sheet only."),
    ("Build report…", "Writes the full xlbizops report for the Data sheet to an .xlsx file."),
    ("Load sample data", "Replaces the Data sheet with the bundled synthetic order log."),
    ("Clear data", "Empties the Data sheet (keeps the header row and the formulas)."),
    ("Import functions", "Imports the xlbizops functions into this workbook (xlwings)."),
    ("Help", "Opens the function catalogue."),
)


def build_templates(out_dir, orders: pd.DataFrame | None = None) -> list[Path]:
    """Write ``xlbizops.xlsx`` and ``xlbizops.xlsm`` into ``out_dir``; return their paths."""
    from xlbizops.template import vba

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    orders = template_orders() if orders is None else orders
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / "draft.xlsx"
        write_workbook(draft, orders, {})
        spills = refresh_workbook(draft).spills
        xlsx, xlsm = (out / name for name in NAMES)
        sheets = Path(folder) / "sheets.xlsx"
        write_workbook(sheets, orders, spills)
        formulas = Path(folder) / "formulas.xlsx"
        computed = refresh_workbook(sheets, formulas)
        # The .xlsx is the values snapshot: formulas need the .xlsm (classic xlwings) or
        # xlwings Lite, and an .xlsx can hold neither VBA nor, as far as is published,
        # a binding to Lite's functions.
        values_snapshot(formulas, xlsx, computed.spills)
        # The .xlsm has the same formulas (only the Start sheet's wording differs), so
        # the values computed for the .xlsx are written into it: one engine run, not two.
        write_workbook(sheets, orders, spills, macros=True)
        macro = Path(folder) / "macro.xlsm"
        vba.make_macro_workbook(sheets, macro)
        write_values(macro, xlsm, computed)
    return [xlsx, xlsm]


# --- writing ------------------------------------------------------------------------


class _Formats:
    def __init__(self, book):
        self.title = book.add_format({"bold": True, "font_size": 16, "font_color": "#1F4E79"})
        self.intro = book.add_format({"text_wrap": True, "valign": "top", "italic": True})
        self.caption = book.add_format({"bold": True, "font_color": "#1F4E79"})
        self.label = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})
        self.input = book.add_format({"bg_color": "#FFF2CC", "border": 1})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.header = book.add_format({"bold": True, "bottom": 1})
        self.custom: dict[tuple[str, bool], object] = {}
        self.book = book

    def number(self, number_format: str, is_input: bool = False):
        key = (number_format, is_input)
        if key not in self.custom:
            spec = {"num_format": number_format}
            if is_input:
                spec.update({"bg_color": "#FFF2CC", "border": 1})
            self.custom[key] = self.book.add_format(spec)
        return self.custom[key]


def write_workbook(path, orders: pd.DataFrame, spills: dict, macros: bool = False) -> None:
    """The template's sheets, formulas, names and charts (no VBA; see ``vba``)."""
    with xlsx_scratch() as scratch:
        _write_workbook(path, orders, spills, macros, scratch)


def _write_workbook(path, orders, spills, macros, scratch) -> None:
    book = xlsxwriter.Workbook(str(path), {"use_future_functions": True, "tmpdir": scratch})
    book.set_properties(
        {
            "title": "xlbizops operations workbook",
            "author": "xlbizops",
            # Fixed, so that a rebuild of unchanged templates gives the same bytes.
            "created": dt.datetime(2026, 11, 1),
        }
    )
    # Opening shows the stored values; nothing is recalculated until the user refreshes
    # (or edits data).  Without this, Excel recalculates everything on open (XlsxWriter's
    # fullCalcOnLoad, or a calcId older than the running Excel's), and where macros are
    # blocked (a downloaded file) every function cell turns into #NAME? on open.
    book.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
    book.calc_on_load = False
    if macros:
        book.define_name(FINGERPRINT_NAME, f'="{fingerprint()}"')
    fmt = _Formats(book)
    _start_sheet(book.add_worksheet(START), fmt, macros)
    _data_sheet(book, orders, fmt)
    for sheet in layout.AREAS:
        _area_sheet(book, sheet, fmt, spills)
    conf = book.add_worksheet(CONFIG_SHEET)
    conf.write_row(0, 0, ["UDF Modules", "xlbizops.udfs"])
    conf.write_row(1, 0, ["Show Console", "False"])
    conf.set_column(0, 1, 22)
    if not macros:
        conf.hide()  # the snapshot runs no Python: the sheet would only puzzle a reader
    book.close()


def _start_sheet(ws, fmt, macros: bool) -> None:
    _print_setup(ws)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    ws.write(0, 0, "xlbizops operations workbook", fmt.title)
    if macros:
        lines = [
            "One sheet per operational area, each an inputs block (yellow cells), xlbizops "
            "formulas over the Data sheet and charts over their results.",
            "Data: the order log as an Excel table (one row per order line). Paste your own "
            "orders over it with the same columns, or use the ribbon's Load sample data.",
            "Formulas need Excel on Windows with the xlwings add-in and the xlbizops package "
            "(run `xlbizops excel-setup` once); the xlwings.conf sheet points xlwings at "
            "xlbizops.udfs.",
            "Without Excel: `xlbizops refresh xlbizops.xlsm -o refreshed.xlsm` computes every "
            "formula headlessly, and `xlbizops report` builds the full report.",
            "The xlbizops tab on the ribbon runs the actions below (macros must be enabled)."
            " Opening shows the stored numbers; Refresh all recomputes them.",
        ]
    else:  # the snapshot: numbers to read, nothing to run
        lines = [
            "This .xlsx is a values snapshot of xlbizops.xlsm: one sheet per operational "
            "area, with the numbers and charts computed from the sample order log on the "
            "Data sheet. It has no formulas and no macros, so it reads the same in any "
            "spreadsheet program.",
            "Yellow cells show the inputs the numbers were computed with; changing them here "
            "changes nothing.",
            "For live formulas on your own orders open xlbizops.xlsm (Excel on Windows with "
            "xlwings; run `xlbizops excel-setup` once). Without Excel, `xlbizops report "
            "orders.csv` builds the full report from your shop's export.",
        ]
    for row, text in enumerate(lines, start=2):
        ws.set_row(row, 15 * math.ceil(len(text) / 95))  # column B holds 100 characters
        ws.write(row, 1, text, fmt.wrapped)
    if macros:
        ws.write(7, 0, "Last action", fmt.label)
        ws.write(8, 0, "Ribbon button", fmt.header)
        ws.write(8, 1, "What it does", fmt.header)
        for row, (button, text) in enumerate(BUTTONS, start=9):
            ws.write(row, 0, button, fmt.label)
            ws.write(row, 1, text)
    ws.write(17, 0, "Sheets", fmt.header)
    for row, sheet in enumerate(layout.AREAS, start=18):
        ws.write_url(row, 0, f"internal:'{sheet.name}'!A1", string=sheet.name)
        ws.write(row, 1, sheet.title)
    ws.activate()


def _data_sheet(book, orders: pd.DataFrame, fmt) -> None:
    ws = book.add_worksheet(layout.DATA_SHEET)
    n = len(orders)
    columns = [{"header": name} for name in COLUMNS]
    ws.add_table(
        0, 0, max(n, 1), len(COLUMNS) - 1,
        {"name": layout.TABLE, "columns": columns, "style": "Table Style Medium 2"},
    )  # fmt: skip
    for j, name in enumerate(COLUMNS):
        values = orders[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            for i, value in enumerate(values):
                if not pd.isna(value):
                    ws.write_datetime(i + 1, j, value.to_pydatetime(), fmt.date)
            ws.set_column(j, j, 12)
        else:
            cells = values.astype(object).where(values.notna(), None).tolist()
            style = None
            if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                whole = bool((values.dropna() % 1 == 0).all())  # every number with a format
                style = fmt.number(formats.column_format(name, whole=whole))
            for i, value in enumerate(cells):
                if value != "":
                    write_cell(ws, i + 1, j, value, style)
            ws.set_column(j, j, 12 if j else 14)
        # The name follows the table as it grows (rows typed or pasted below it).
        book.define_name(name, f"={layout.TABLE}[{name}]")
    ws.freeze_panes(1, 0)
    _print_setup(ws)
    # on paper its first page only: the log is thousands of rows, read on screen
    ws.print_area(0, 0, min(max(n, 1), DATA_ROWS_PRINTED), len(COLUMNS) - 1)


DATA_ROWS_PRINTED = 40  # the Data sheet prints its header and first rows: one page


def _print_setup(ws) -> None:
    """Landscape, one page wide: printouts and PDF renders keep a sheet's columns together."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _area_sheet(book, sheet: layout.Sheet, fmt, spills: dict) -> None:
    ws = book.add_worksheet(sheet.name)
    _print_setup(ws)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 30, 13)
    ws.write(0, 0, sheet.title, fmt.title)
    ws.merge_range(1, 0, 1, 12, sheet.intro, fmt.intro)
    ws.set_row(1, 48)
    for i, item in enumerate(sheet.inputs):
        ws.write(3 + i, 0, item.label, fmt.label)
        style = fmt.number(item.number_format, is_input=True)
        if isinstance(item.value, str) and item.value.startswith("="):
            ws.write_formula(3 + i, 1, item.value, style)
        else:
            ws.write(3 + i, 1, item.value, style)
    if sheet is layout.RISK:
        _risk_inputs(ws, fmt)
    for cell, text in sheet.labels.items():
        ws.write(cell, text, fmt.header)
    if sheet is layout.CUSTOMERS:
        for i, name in enumerate(layout.SEGMENT_NAMES):
            ws.write(f"M{11 + i}", name)
    for spill in sheet.spills:
        row, col = _cell(spill.cell)
        if spill.caption:
            ws.write(row - 1, col, spill.caption, fmt.caption)
        ref = spills.get((sheet.name, spill.cell), spill.cell)
        ws.write_dynamic_array_formula(ref, spill.formula)
    for item in sheet.formulas:
        row, col = _cell(item.cell)
        if item.label:  # a formula beside another has its label in the first one's row
            ws.write(row, col - 1, item.label, fmt.label)
        _scalar_formula(ws, row, col, item.formula, fmt.number(item.number_format))
    for chart in sheet.charts:
        _chart(book, ws, sheet.name, chart, spills)


def _scalar_formula(ws, row: int, col: int, formula: str, style) -> None:
    """A one-cell formula written as a plain formula, also when it reads a spill
    (``ANCHORARRAY``), which XlsxWriter would otherwise store as a dynamic array: a
    count or total returns one value, and a plain formula keeps its stored value in
    programs that recompute array formulas on load (LibreOffice).  Uses XlsxWriter's
    own formula preparation (the ``_xlfn.`` prefixes) and cell record, pinned <4."""
    from xlsxwriter.worksheet import CellFormulaTuple

    if "ANCHORARRAY(" not in formula.upper():
        ws.write_formula(row, col, formula, style)
        return
    ws.table[row][col] = CellFormulaTuple(ws._prepare_formula(formula), style, 0)
    ws._check_dimensions(row, col)


def _risk_inputs(ws, fmt) -> None:
    """Supplier weights in W10:Y10 (labels above) and the risk register in Q10:S14."""
    ws.write("V10", "Supplier risk weights", fmt.label)
    for j, weight in enumerate(layout.SUPPLIER_WEIGHTS):
        ws.write(9, 22 + j, weight, fmt.number("0.00", is_input=True))
    for i, (name, likelihood, impact) in enumerate(layout.REGISTER):
        ws.write(9 + i, 16, name, fmt.input)
        ws.write(9 + i, 17, likelihood, fmt.number("0", is_input=True))
        ws.write(9 + i, 18, impact, fmt.number("0", is_input=True))


def _cell(reference: str) -> tuple[int, int]:
    """'B12' → (11, 1), zero-based as XlsxWriter counts."""
    return xl_cell_to_rowcol(reference)


def _chart(book, ws, sheet_name: str, chart: layout.Chart, spills: dict) -> None:
    top, left = _cell(chart.spill)
    if chart.rows:
        rows = chart.rows
    else:
        ref = spills.get((sheet_name, chart.spill), chart.spill)
        _, first, _, last = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        rows = last - first + 1
    first, last = top + chart.skip + 1, top + max(rows - 1, chart.skip + 1)
    top += chart.skip  # the header row of the table drawn
    x_left = _cell(chart.categories_from)[1] if chart.categories_from else left + chart.x
    kind = {"line": "line", "column": "column", "bar": "bar"}[chart.kind]
    main = book.add_chart({"type": kind})
    for offset in chart.series:
        main.add_series(
            {
                "name": [sheet_name, top, left + offset],
                "categories": [sheet_name, first, x_left, last, x_left],
                "values": [sheet_name, first, left + offset, last, left + offset],
            }
        )
    if chart.secondary:
        line = book.add_chart({"type": "line"})
        for offset in chart.secondary:
            line.add_series(
                {
                    "name": [sheet_name, top, left + offset],
                    "categories": [sheet_name, first, x_left, last, x_left],
                    "values": [sheet_name, first, left + offset, last, left + offset],
                    "y2_axis": True,
                }
            )
        main.combine(line)
    main.set_title({"name": chart.title})
    main.set_legend({"position": "bottom"})
    if chart.date_axis:
        main.set_x_axis({"date_axis": True, "num_format": "yyyy-mm", "major_unit": 3})
    main.set_size({"width": 640, "height": 300})
    ws.insert_chart(chart.at, main)
