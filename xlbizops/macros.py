"""The ribbon's actions, each written once against a small workbook interface.

Two adapters implement the interface: :class:`ExcelBook` drives the live workbook
the ribbon was clicked in (``xw.Book.caller()``, Windows/macOS Excel) and
:class:`FileBook` edits a file with openpyxl and computes it with the headless
refresh — so ``xlbizops refresh`` and the "Refresh all" button run the same code.

The ribbon calls ``RunPython "import xlbizops.macros as m; m.refresh_all()"``; an
action called without a book works on the calling Excel workbook.
"""

from __future__ import annotations

from pathlib import Path

from xlbizops.workbook.book import DATA_SHEET, TABLE, Book, column_letter
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


def build_report_sheets(book: Book) -> list[str]:
    """The report for the Data sheet, written into new sheets of the workbook itself
    (tables without charts): for xlwings Lite, which cannot write a file."""
    import pandas as pd

    from xlbizops.report.analyses import Settings, analyse
    from xlbizops.report.build import clean_frame
    from xlbizops.report.tables import report_tables

    rows = book.data_rows()
    if len(rows) < 2:
        book.say("The Data sheet has no orders; nothing to report")
        return []
    settings = Settings()
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
    book.import_functions()
    book.say("Imported the xlbizops functions")


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


class ExcelBook(Book):
    """The live workbook, through xlwings (the ribbon's buttons)."""

    def __init__(self, book):
        self.book = book

    @classmethod
    def caller(cls) -> ExcelBook:
        import xlwings as xw

        return cls(xw.Book.caller())

    def active_sheet(self) -> str:
        return self.book.sheets.active.name

    def recalculate(self, sheet: str | None = None) -> None:
        if sheet is None:
            self.book.app.api.CalculateFull()
        else:
            self.book.sheets[sheet].api.Calculate()

    def data_rows(self) -> list[list]:
        return self.book.sheets[DATA_SHEET].range("A1").expand().value

    def replace_data(self, rows: list[list]) -> None:
        sheet = self.book.sheets[DATA_SHEET]
        table = sheet.tables[TABLE]
        sheet.range("A2").expand().clear_contents()
        sheet.range("A1").value = as_text(rows)
        last = max(len(rows), 2)
        table.resize(sheet.range((1, 1), (last, len(rows[0]))))
        _resize_names(self.book.names, last)

    def write_sheet(self, sheet: str, rows: list[list]) -> None:
        names = [s.name for s in self.book.sheets]
        target = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet)
        target.clear_contents()
        target.range("A1").value = as_text(rows)
        target.activate()

    def import_functions(self) -> None:
        from xlwings import udfs

        udfs.import_udfs("xlbizops.udfs", self.book.api)

    def path(self) -> Path:
        return Path(self.book.fullname)

    def say(self, text: str) -> None:
        super().say(text)
        self.book.sheets[STATUS_CELL[0]].range(STATUS_CELL[1]).value = text


def _resize_names(names, last_row: int) -> None:
    """Point each order-log column name at rows 2..last_row of its column."""
    from xlbizops.sampledata import COLUMNS

    for j, column in enumerate(COLUMNS):
        letter = column_letter(j)
        names[column].refers_to = f"={DATA_SHEET}!${letter}$2:${letter}${last_row}"
