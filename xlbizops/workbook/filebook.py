"""The file adapter of the ribbon actions: a workbook file, edited with openpyxl and
computed by the headless refresh, so ``xlbizops refresh`` and the "Refresh all"
button run the same code."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from xlbizops.workbook import package
from xlbizops.workbook.book import DATA_SHEET, TABLE, Book, column_letter
from xlbizops.workbook.dynamic_arrays import keep_dynamic_arrays
from xlbizops.workbook.writing import put


class FileBook(Book):
    """A workbook file, edited with openpyxl and computed by the headless refresh.

    Changes go to ``output`` (default: the file itself).  openpyxl drops the
    dynamic-array cell metadata on save; it is put back afterwards, so spilled
    formulas stay dynamic arrays.
    """

    def __init__(self, path, output=None, active: str | None = None):
        self.source = Path(path)
        self.output = Path(output) if output else self.source
        self.active = active
        self.unreadable: dict = {}
        package.require_workbook(self.source)
        if self.output != self.source:
            shutil.copyfile(self.source, self.output)

    def active_sheet(self) -> str:
        if self.active:
            return self.active
        from openpyxl import load_workbook

        return load_workbook(self.output, read_only=True).active.title

    def recalculate(self, sheet: str | None = None) -> None:
        """Every formula is recomputed: the engine cannot compute one sheet alone."""
        from xlbizops.workbook.refresh import refresh_workbook

        result = refresh_workbook(self.output, self.output)
        self.passes, self.unreadable = result.passes, result.unreadable

    def data_rows(self) -> list[list]:
        from openpyxl import load_workbook

        sheet = load_workbook(self.output, read_only=True)[DATA_SHEET]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        while rows and all(c is None for c in rows[-1]):
            rows.pop()
        return rows

    def replace_data(self, rows: list[list]) -> None:
        def edit(book):
            sheet = book[DATA_SHEET]
            sheet.delete_rows(2, sheet.max_row)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    put(sheet, r, c, value, "yyyy-mm-dd" if hasattr(value, "year") else None)
            last = max(len(rows), 2)
            table = sheet.tables[TABLE]
            table.ref = f"A1:{column_letter(len(rows[0]) - 1)}{last}"  # names follow it

        self._edit(edit)

    def write_sheet(self, sheet: str, rows: list[list]) -> None:
        def edit(book):
            if sheet in book.sheetnames:
                del book[sheet]
            target = book.create_sheet(sheet)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    put(target, r, c, value)
            book.active = book.sheetnames.index(sheet)

        self._edit(edit)

    def import_functions(self) -> None:
        """Regenerate the ``xlwings_udfs`` wrapper module of a macro workbook."""
        from pyopenvba import ExcelFile

        from xlbizops.excel.registration import UDF_MODULE, crlf, udf_wrapper_source

        if self.output.suffix.lower() != ".xlsm":
            raise ValueError("functions can be imported into an .xlsm only")
        with ExcelFile(self.output) as book:
            book.set_module(UDF_MODULE, crlf(udf_wrapper_source()))
            book.save()

    def path(self) -> Path:
        return self.output

    def _edit(self, change) -> None:
        from openpyxl import load_workbook

        keep_vba = self.output.suffix.lower() == ".xlsm"
        with tempfile.TemporaryDirectory() as folder:
            before = Path(folder) / ("before" + self.output.suffix)
            shutil.copyfile(self.output, before)
            book = load_workbook(self.output, keep_vba=keep_vba)
            change(book)
            book.save(self.output)
            keep_dynamic_arrays(before, self.output)
