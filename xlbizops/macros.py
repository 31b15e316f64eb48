"""The ribbon's actions, each written once against a small workbook interface.

Two adapters implement the interface: :class:`ExcelBook` drives the live workbook
the ribbon was clicked in (``xw.Book.caller()``, Windows/macOS Excel) and
:class:`FileBook` edits a file with openpyxl and computes it with the headless
refresh — so ``xlbizops refresh`` and the "Refresh all" button run the same code.

The ribbon calls ``RunPython "import xlbizops.macros as m; m.refresh_all()"``; an
action called without a book works on the calling Excel workbook.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xlbizops.workbook.book import DATA_SHEET, TABLE, Book
from xlbizops.workbook.writing import as_text

STATUS_CELL = ("Start", "B8")
HELP_SHEET = "Functions"


# --- the actions --------------------------------------------------------------------


def refresh_all(book: Book | None = None) -> None:
    book = book or ExcelBook.caller()
    book.recalculate()
    book.say("Refreshed every sheet")


def refresh_sheet(book: Book | None = None) -> None:
    book = book or ExcelBook.caller()
    sheet = book.active_sheet()
    book.recalculate(sheet)
    book.say(f"Refreshed {sheet}")


def load_sample_data(book: Book | None = None) -> None:
    from xlbizops.sampledata import COLUMNS
    from xlbizops.template.sheets import template_orders

    book = book or ExcelBook.caller()
    orders = template_orders()
    rows = [list(COLUMNS)]
    for record in orders.astype(object).where(orders.notna(), None).itertuples(index=False):
        rows.append([_cell_value(v) for v in record])
    book.replace_data(rows)
    book.recalculate()
    book.say(f"Loaded {len(orders):,} sample orders")


def clear_data(book: Book | None = None) -> None:
    book = book or ExcelBook.caller()
    header = book.data_rows()[:1]
    book.replace_data(header)
    book.recalculate()
    book.say("Cleared the Data sheet")


def build_report(book: Book | None = None, output=None) -> Path:
    """The full ``xlbizops report`` for the Data sheet, next to the workbook."""
    import pandas as pd

    from xlbizops.report.build import build_report as write_report

    book = book or ExcelBook.caller()
    rows = book.data_rows()
    if len(rows) < 2:
        book.say("The Data sheet has no orders; nothing to report")
        return None
    target = Path(output) if output else book.path().with_name(book.path().stem + "-report.xlsx")
    orders = pd.DataFrame(rows[1:], columns=rows[0])
    path = write_report(orders, target, source=f"{book.path().name}, sheet {DATA_SHEET}")
    book.say(f"Wrote the report to {path}")
    return Path(path)


REPORT_PACKAGES = ("pyarrow", "duckdb", "ibis", "sqlglot")  # the report extra's modules


def report_packages_missing() -> list[str]:
    """The report's engine packages this Python lacks (xlwings Lite without the report
    extra: pip names, as requirements.txt wants them)."""
    import importlib

    pip_name, missing = {"ibis": "ibis-framework"}, []
    for name in REPORT_PACKAGES:
        try:
            importlib.import_module(name)  # the report imports them next anyway
        except ImportError:
            missing.append(pip_name.get(name, name))
    return missing


def build_report_sheets(book: Book) -> list[str]:
    """The report for the Data sheet, written into new sheets of the workbook itself
    (tables without charts): for xlwings Lite, which cannot write a file."""
    import pandas as pd

    missing = report_packages_missing()
    if missing:
        book.say(
            f"The report needs {', '.join(missing)}: add the line xlbizops[report] to "
            "requirements.txt and restart (Pyodide releases without pyarrow or duckdb "
            "cannot run it; the functions work without them)"
        )
        return []
    from xlbizops.report.analyses import analyse
    from xlbizops.report.build import clean_frame
    from xlbizops.report.config import ReportSettings
    from xlbizops.report.contents import report_tables

    rows = book.data_rows()
    if len(rows) < 2:
        book.say("The Data sheet has no orders; nothing to report")
        return []
    settings = ReportSettings()
    lines, intake = clean_frame(
        pd.DataFrame(rows[1:], columns=rows[0]), settings, f"sheet {DATA_SHEET}"
    )
    sheets = report_tables(analyse(lines, settings), intake)
    for name, cells in sheets.items():
        book.write_sheet(name, cells)
    book.say(f"Wrote the report into {len(sheets)} sheets ({', '.join(sheets)})")
    return list(sheets)


def import_functions(book: Book | None = None) -> None:
    book = book or ExcelBook.caller()
    book.say(book.import_functions() or "Imported the xlbizops functions")


def show_help(book: Book | None = None) -> None:
    """The function catalogue on a sheet of its own."""
    from xlbizops.excel.catalogue import entries

    book = book or ExcelBook.caller()
    rows = [["function", "area", "what it returns"]]
    for entry in entries():
        arguments = ", ".join(f"[{a.name}]" if a.optional else a.name for a in entry.arguments)
        rows.append([f"={entry.name}({arguments})".lstrip("="), entry.area, entry.description])
    book.write_sheet(HELP_SHEET, rows)
    book.say(f"Listed {len(rows) - 1} functions on the {HELP_SHEET} sheet")


def _cell_value(value):
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


# --- adapters -----------------------------------------------------------------------


FORMULAS_ELSEWHERE = "formulas need Windows Excel or xlwings Lite"
TRUST_VBA = (
    "Import needs Excel's permission to change the workbook's VBA: File > Options > "
    "Trust Center > Trust Center Settings > Macro Settings > Trust access to the VBA "
    "project object model. The functions already in the workbook keep working."
)


class ExcelBook(Book):
    """The live workbook, through xlwings (the ribbon's buttons).

    On Windows the xlbizops formulas run (classic xlwings UDFs); on macOS the buttons'
    Python actions run, but classic xlwings has no UDFs there: actions that would
    compute or import functions do the rest and say so.
    """

    def __init__(self, book, platform: str = sys.platform):
        self.book = book
        self.formulas_here = platform.startswith("win")
        self.note = ""

    @classmethod
    def caller(cls) -> ExcelBook:
        import xlwings as xw

        return cls(xw.Book.caller())

    def active_sheet(self) -> str:
        return self.book.sheets.active.name

    def recalculate(self, sheet: str | None = None) -> None:
        if not self.formulas_here:
            # Nothing is calculated: Excel would recompute the xlbizops cells too, which
            # on a Mac turns every stored result into the DLL error.
            self.note = FORMULAS_ELSEWHERE
        elif sheet is None:
            self.book.app.api.CalculateFull()  # UDFs too, dirty or not
            self.follow_charts()
        else:
            self.book.sheets[sheet].api.Calculate()
            self.follow_charts()

    def follow_charts(self) -> None:
        """Stretch each chart's series to the spills' new sizes (Windows COM: a cell's
        SpillingToRange, a series' SERIES formula), as the headless refresh does."""
        from xlbizops.template.sheets import AREAS
        from xlbizops.workbook.charts import stretched_series_formula

        names = {s.name for s in self.book.sheets}
        spills = {}
        for area in (a for a in AREAS if a.name in names):
            for spill in area.spills:
                cell = self.book.sheets[area.name].range(spill.cell).api
                if cell.HasSpill:
                    spills[(area.name, spill.cell)] = cell.SpillingToRange.Address
        for area in (a for a in AREAS if a.name in names):
            for chart in self.book.sheets[area.name].charts:
                collection = chart.api[1].SeriesCollection()
                for i in range(1, collection.Count + 1):
                    series = collection.Item(i)
                    series.Formula = stretched_series_formula(series.Formula, spills)

    def data_rows(self) -> list[list]:
        # ndim=2: with only the header row left, xlwings gives a flat list otherwise
        return self.book.sheets[DATA_SHEET].range("A1").expand().options(ndim=2).value

    def replace_data(self, rows: list[list]) -> None:
        """The Data sheet's table holds ``rows`` (header first), every column kept.  On
        a Mac the cells are written with calculation manual, so that Excel does not
        recompute the xlbizops cells (the DLL error there), then the mode is restored."""
        sheet = self.book.sheets[DATA_SHEET]
        table = sheet.tables[TABLE]
        app, mode = self.book.app, self.book.app.calculation
        if not self.formulas_here:
            app.calculation = "manual"
        try:
            height, width = sheet.range("A1").expand().shape
            if height > 1:
                sheet.range((2, 1), (height, max(width, len(rows[0])))).clear_contents()
            sheet.range("A1").options(ndim=2).value = as_text(rows)
            last = max(len(rows), 2)  # a table keeps one (empty) data row
            table.resize(sheet.range((1, 1), (last, len(rows[0]))))  # the names follow it
        finally:
            if not self.formulas_here:
                app.calculation = mode

    def write_sheet(self, sheet: str, rows: list[list]) -> None:
        names = [s.name for s in self.book.sheets]
        target = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet)
        target.clear_contents()
        target.range("A1").value = as_text(rows)
        target.activate()

    def import_functions(self) -> str:
        """Bring the workbook's function wrappers up to this xlbizops, only if they differ.

        The wrappers module's code is replaced in place.  xlwings' own Import Functions
        removes and re-adds the module, which VBA postpones while this project's code
        runs (the button's), so the new module came in as ``xlwings_udfs1``.
        """
        from xlbizops.excel.registration import (
            FINGERPRINT_NAME,
            UDF_MODULE,
            fingerprint,
            udf_module_code,
        )

        if not self.formulas_here:
            return f"Nothing to import: {FORMULAS_ELSEWHERE}"
        wanted = fingerprint()
        names = [n.name for n in self.book.names]
        if FINGERPRINT_NAME in names and wanted in str(self.book.names[FINGERPRINT_NAME].refers_to):
            return "The workbook's functions are up to date: nothing to import"
        try:
            project = self.book.api.VBProject
            component = project.VBComponents(UDF_MODULE)
        except Exception:  # noqa: BLE001 - COM says "not trusted" in many ways
            return TRUST_VBA
        code = component.CodeModule
        if code.CountOfLines:
            code.DeleteLines(1, code.CountOfLines)
        code.AddFromString(udf_module_code())
        value = f'="{wanted}"'
        if FINGERPRINT_NAME in names:
            self.book.names[FINGERPRINT_NAME].refers_to = value
        else:
            self.book.names.add(FINGERPRINT_NAME, value)
        return "Imported the xlbizops functions"

    def path(self) -> Path:
        return Path(self.book.fullname)

    def say(self, text: str) -> None:
        """A message box, whichever sheet the click came from; Start!B8 keeps the log."""
        text = f"{text} ({self.note})" if self.note else text
        super().say(text)
        self.book.sheets[STATUS_CELL[0]].range(STATUS_CELL[1]).value = text
        self.book.app.alert(text, title="xlbizops")
