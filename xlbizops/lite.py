"""Everything an xlwings Lite workbook needs, in one import.

xlwings Lite (Office.js + Pyodide on Windows, macOS and Excel on the web) runs the
workbook's ``main.py``.  With ``xlbizops`` in its ``requirements.txt``, one line there

    from xlbizops.lite import *

registers the catalogue's functions (the same definitions classic xlwings serves) and four
scripts, the ribbon's actions where Lite can do them:

- ``xlbizops_load_sample_data`` — 2,000 sample orders onto the Data sheet;
- ``xlbizops_clear_data`` — the Data sheet back to its header row;
- ``xlbizops_list_functions`` — the function catalogue on a Functions sheet;
- ``xlbizops_build_report`` — the headless report's tables in new "Report …" sheets
  of this workbook (Lite has no file system to write a report file to).

What Lite cannot do: a script cannot trigger a recalculation and read its result, so
"Refresh" is Excel's own (formulas recalculate when the script's changes land);
"Import functions" is not needed (Lite registers the functions at start-up).
"""

from __future__ import annotations

from pathlib import Path

import xlwings as xw
from xlwings import script

from xlbizops import macros
from xlbizops.udfs import *  # noqa: F403
from xlbizops.udfs import __all__ as _functions
from xlbizops.workbook.book import DATA_SHEET, TABLE
from xlbizops.workbook.writing import as_text


class LiteBook(macros.ExcelBook):
    """The open workbook in xlwings Lite: the ``book`` a script is handed.

    Lite's book is xlwings' remote book: the script reads a snapshot of the workbook
    and its writes are sent back to Excel when it returns.
    """

    def recalculate(self, sheet: str | None = None) -> None:
        """Nothing to do: Excel recalculates once the script's changes land (a Lite
        script cannot trigger a recalculation and wait for its result)."""

    def data_rows(self) -> list[list]:
        sheet = self._data_sheet()
        if sheet is None:
            return []
        values = sheet["A1"].options(ndim=2).expand().value
        return [row for row in values if any(v not in (None, "") for v in row)]

    def replace_data(self, rows: list[list]) -> None:
        sheet = self._data_sheet() or self.book.sheets.add(DATA_SHEET)
        sheet.clear_contents()
        if not rows:
            return
        sheet["A1"].value = as_text(rows)
        if TABLE in [table.name for table in sheet.tables]:
            last = max(len(rows), 2)
            sheet.tables[TABLE].resize(sheet.range((1, 1), (last, len(rows[0]))))

    def import_functions(self) -> str:
        return "Nothing to import: xlwings Lite registers the functions at start-up"

    def path(self) -> Path:
        return Path(self.book.name)

    def say(self, text: str) -> None:
        self.status = text
        print(text)  # Lite's output pane

    def _data_sheet(self):
        names = [sheet.name for sheet in self.book.sheets]
        return self.book.sheets[DATA_SHEET] if DATA_SHEET in names else None


@script
def xlbizops_load_sample_data(book: xw.Book):
    """Write 2,000 sample orders (two years) to the Data sheet."""
    macros.load_sample_data(LiteBook(book))


@script
def xlbizops_clear_data(book: xw.Book):
    """Clear the Data sheet below its header row."""
    macros.clear_data(LiteBook(book))


@script
def xlbizops_list_functions(book: xw.Book):
    """List every xlbizops function with its arguments on a Functions sheet."""
    macros.show_help(LiteBook(book))


@script
def xlbizops_build_report(book: xw.Book):
    """Build the report for the Data sheet into new "Report ..." sheets."""
    macros.build_report_sheets(LiteBook(book))


SCRIPTS = [
    "xlbizops_load_sample_data",
    "xlbizops_clear_data",
    "xlbizops_list_functions",
    "xlbizops_build_report",
]
__all__ = [*_functions, *SCRIPTS]
