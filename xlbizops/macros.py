"""The ribbon's actions, each written once against a small workbook interface.

Two adapters implement the interface: :class:`ExcelBook` drives the live workbook
the ribbon was clicked in (``xw.Book.caller()``, Windows/macOS Excel) and
:class:`FileBook` edits a file with openpyxl and computes it with the headless
refresh — so ``xlbizops refresh`` and the "Refresh all" button run the same code.

The ribbon calls ``RunPython "import xlbizops.macros as m; m.refresh_all()"``; an
action called without a book works on the calling Excel workbook.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from xlbizops.excel import package
from xlbizops.report.sheet import FORMULA_PREFIXES, put
from xlbizops.template.sheets import DATA_SHEET, TABLE

STATUS_CELL = ("Start", "B8")
HELP_SHEET = "Functions"


class Book:
    """What an action may do to a workbook."""

    status = ""

    def active_sheet(self) -> str: ...
    def recalculate(self, sheet: str | None = None) -> None: ...
    def data_rows(self) -> list[list]: ...
    def replace_data(self, rows: list[list]) -> None: ...
    def write_sheet(self, sheet: str, rows: list[list]) -> None: ...
    def import_functions(self) -> None: ...
    def path(self) -> Path: ...

    def say(self, text: str) -> None:
        self.status = text


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
    from xlbizops.template.build import template_orders

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
        sheet.range("A1").value = _as_text(rows)
        last = max(len(rows), 2)
        table.resize(sheet.range((1, 1), (last, len(rows[0]))))
        _resize_names(self.book.names, last)

    def write_sheet(self, sheet: str, rows: list[list]) -> None:
        names = [s.name for s in self.book.sheets]
        target = self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet)
        target.clear_contents()
        target.range("A1").value = _as_text(rows)
        target.activate()

    def import_functions(self) -> None:
        from xlwings import udfs

        udfs.import_udfs("xlbizops.udfs", self.book.api)

    def path(self) -> Path:
        return Path(self.book.fullname)

    def say(self, text: str) -> None:
        super().say(text)
        self.book.sheets[STATUS_CELL[0]].range(STATUS_CELL[1]).value = text


def _as_text(rows: list[list]) -> list[list]:
    """Text that Excel would take for a formula (=, +, -, @) keeps a leading apostrophe,
    so order data can never run as a formula (spreadsheet formula injection)."""
    return [
        [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v for v in row]
        for row in rows
    ]


def _resize_names(names, last_row: int) -> None:
    """Point each order-log column name at rows 2..last_row of its column."""
    from xlbizops.sampledata import COLUMNS

    for j, column in enumerate(COLUMNS):
        letter = _letter(j)
        names[column].refers_to = f"={DATA_SHEET}!${letter}$2:${letter}${last_row}"


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


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
        from xlbizops.excel.refresh import refresh_workbook

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
            table.ref = f"A1:{_letter(len(rows[0]) - 1)}{last}"
            for j in range(len(rows[0])):
                letter = _letter(j)
                name = book.defined_names[rows[0][j]]
                name.attr_text = f"{DATA_SHEET}!${letter}$2:${letter}${last}"

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

        from xlbizops.template.vba import UDF_MODULE, crlf, udf_wrapper_source

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


METADATA = "xl/metadata.xml"
METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"


def keep_dynamic_arrays(original, saved) -> None:
    """Put back what openpyxl drops on save: the dynamic-array metadata part and the
    ``cm`` attribute of spilled formula cells (without them Excel shows ``=@RFM_SCORE(...)``)."""
    from lxml import etree

    with zipfile.ZipFile(original) as old:
        if METADATA not in old.namelist():
            return
        metadata = old.read(METADATA)
        marked = {}
        for sheet, part in package.sheet_parts(old.read).items():
            root = etree.fromstring(old.read(part))
            cells = root.iter(f"{{{package.MAIN}}}c")
            marked[sheet] = {c.get("r"): c.get("cm") for c in cells if c.get("cm")}

    def edit(parts: dict[str, bytes]) -> None:
        sheets = package.sheet_parts(parts.__getitem__)
        for sheet, cells in marked.items():
            if sheet not in sheets or not cells:
                continue
            root = etree.fromstring(parts[sheets[sheet]])
            for cell in root.iter(f"{{{package.MAIN}}}c"):
                if cell.get("r") in cells and cell.find(f"{{{package.MAIN}}}f") is not None:
                    cell.set("cm", cells[cell.get("r")])
            parts[sheets[sheet]] = package.xml_bytes(root)
        parts[METADATA] = metadata
        parts[package.TYPES] = package.add_override(parts[package.TYPES], METADATA, METADATA_TYPE)
        parts[package.BOOK_RELS] = package.add_relationship(
            parts[package.BOOK_RELS], "rIdXlbizopsMetadata", METADATA_REL, "metadata.xml"
        )

    package.rewrite(saved, saved, edit)
