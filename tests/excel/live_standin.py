"""An xlwings-shaped stand-in for a live Excel workbook, for the ribbon adapter's tests
(``macros.ExcelBook``).  It behaves like xlwings and Excel where the adapter broke:

- ``Range.value`` of one cell is a scalar, of one row or one column a flat list, of a
  block a list of lists, unless ``.options(ndim=2)`` asks for lists of lists always;
  writing a list of lists fills a block, a flat list one row;
- ``Range.expand()`` grows down and right from the range until a blank row or column
  (``expand("table")``), and from a blank cell stays that cell;
- a table (``sheet.tables[name]``) keeps at least one data row; ``resize`` takes its
  header from the sheet's first row; a workbook name that refers to a column the table
  no longer has becomes ``=#REF!``, as Excel turns it;
- ``app.calculation`` is "automatic" or "manual"; ``app.alert`` records message boxes.
"""

from __future__ import annotations

import re


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell(address) -> tuple[int, int]:
    if isinstance(address, tuple):
        return address
    letters, digits = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address).groups()
    return int(digits), _column(letters)


class Range:
    def __init__(self, sheet: Sheet, first: tuple[int, int], last: tuple[int, int],
                 ndim: int | None = None):  # fmt: skip
        self.sheet, self.first, self.last, self.ndim = sheet, first, last, ndim

    @property
    def shape(self) -> tuple[int, int]:
        return self.last[0] - self.first[0] + 1, self.last[1] - self.first[1] + 1

    def options(self, ndim: int | None = None, **_) -> Range:
        return Range(self.sheet, self.first, self.last, ndim)

    @property
    def value(self):
        rows, cols = self.shape
        block = [
            [self.sheet.cells.get((self.first[0] + r, self.first[1] + c)) for c in range(cols)]
            for r in range(rows)
        ]
        if self.ndim == 2:
            return block
        if rows == 1 and cols == 1:
            return block[0][0]
        if rows == 1:
            return block[0]
        if cols == 1:
            return [row[0] for row in block]
        return block

    @value.setter
    def value(self, data) -> None:
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]  # a flat list is one row
        for r, row in enumerate(data):
            for c, item in enumerate(row):
                self.sheet.put(self.first[0] + r, self.first[1] + c, item)
        self.sheet.book.app.dirty = True

    def expand(self, mode: str = "table") -> Range:
        row, col = self.first
        if self.sheet.cells.get((row, col)) in (None, ""):
            return Range(self.sheet, self.first, self.first)
        last_row, last_col = row, col
        while self.sheet.cells.get((last_row + 1, col)) not in (None, ""):
            last_row += 1
        while self.sheet.cells.get((row, last_col + 1)) not in (None, ""):
            last_col += 1
        return Range(self.sheet, self.first, (last_row, last_col))

    def clear_contents(self) -> None:
        for r in range(self.first[0], self.last[0] + 1):
            for c in range(self.first[1], self.last[1] + 1):
                self.sheet.cells.pop((r, c), None)

    @property
    def api(self):
        """COM's Range: whether a dynamic array spills from it, and over what."""
        spilled = self.sheet.spills.get(self.first)
        return _Api(HasSpill=spilled is not None, SpillingToRange=_Api(Address=spilled))


class _Api:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)
        self.calls = []

    def Calculate(self):  # noqa: N802 - COM's name
        self.calls.append("Calculate")

    def CalculateFull(self):  # noqa: N802 - COM's name
        self.calls.append("CalculateFull")


class Table:
    def __init__(self, sheet: Sheet, name: str, rows: int, cols: int):
        self.sheet, self.name, self.rows, self.cols = sheet, name, rows, cols
        self.columns = [str(sheet.cells.get((1, c + 1))) for c in range(cols)]

    @property
    def range(self) -> Range:
        return Range(self.sheet, (1, 1), (self.rows, self.cols))

    @property
    def data_body_range(self) -> Range:
        return Range(self.sheet, (2, 1), (self.rows, self.cols))

    def resize(self, target: Range) -> None:
        rows, cols = target.shape
        self.rows, self.cols = max(rows, 2), cols  # a table keeps one data row
        self.columns = [str(self.sheet.cells.get((1, c + 1))) for c in range(cols)]
        for name in self.sheet.book.names:
            match = re.fullmatch(rf"={self.name}\[(.+)\]", name.refers_to)
            if match and match.group(1) not in self.columns:
                name.refers_to = "=#REF!"


class Sheet:
    def __init__(self, book: Book, name: str):
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], object] = {}
        self.tables: dict[str, Table] = {}
        self.charts: list[Chart] = []
        self.spills: dict[tuple[int, int], str] = {}  # anchor -> "$A$10:$B$36"
        self.api = _Api()

    def put(self, row: int, col: int, value) -> None:
        if value in (None, ""):
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = value

    def range(self, first, last=None) -> Range:
        if isinstance(first, str) and ":" in first:
            first, last = first.split(":")
        start = _cell(first)
        return Range(self, start, _cell(last) if last is not None else start)

    def clear_contents(self) -> None:
        self.cells.clear()

    def activate(self) -> None:
        self.book.sheets.active = self


class Series:
    def __init__(self, formula: str):
        self.Formula = formula


class _SeriesCollection:
    def __init__(self, series: list[Series]):
        self.items = series

    @property
    def Count(self) -> int:  # noqa: N802 - COM's name
        return len(self.items)

    def Item(self, number: int) -> Series:  # noqa: N802 - COM's name (1-based)
        return self.items[number - 1]


class Chart:
    """xlwings' Chart: ``chart.api`` is the (ChartObject, Chart) pair of COM objects."""

    def __init__(self, *formulas: str):
        self.series = [Series(f) for f in formulas]
        chart = _Api(SeriesCollection=lambda: _SeriesCollection(self.series))
        self.api = (None, chart)


class Sheets:
    def __init__(self, book: Book):
        self.book, self.items, self.active = book, {}, None

    def __getitem__(self, name: str) -> Sheet:
        return self.items[name]

    def __iter__(self):
        return iter(self.items.values())

    def add(self, name: str) -> Sheet:
        self.items[name] = Sheet(self.book, name)
        return self.items[name]


class Name:
    def __init__(self, name: str, refers_to: str):
        self.name, self.refers_to = name, refers_to


class Names(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(n for n in self if n.name == key)
        return list.__getitem__(self, key)

    def add(self, name: str, refers_to: str) -> Name:
        self.append(Name(name, refers_to))
        return self[-1]


class App:
    def __init__(self):
        self.calculation = "automatic"
        self.alerts: list[tuple[str, str | None]] = []
        self.calculated: list[str] = []  # (the calculation mode at each calculate())
        self.dirty = False
        self.api = _Api()

    def calculate(self) -> None:
        self.calculated.append(self.calculation)

    def alert(self, prompt: str, title: str | None = None, **_) -> None:
        self.alerts.append((prompt, title))


class CodeModule:
    """A VBA module's code, as COM's CodeModule edits it (1-based lines)."""

    def __init__(self, text: str = ""):
        self.lines = text.splitlines()
        self.added: list[str] = []

    @property
    def CountOfLines(self) -> int:  # noqa: N802 - COM's name
        return len(self.lines)

    def DeleteLines(self, start: int, count: int) -> None:  # noqa: N802
        del self.lines[start - 1 : start - 1 + count]

    def AddFromString(self, text: str) -> None:  # noqa: N802
        self.added.append(text)
        self.lines += text.splitlines()


class VBProject:
    """``book.api.VBProject``; ``trusted=False`` raises as Excel does when "Trust access
    to the VBA project object model" is off."""

    def __init__(self, modules: dict[str, str], trusted: bool = True):
        self.modules = {name: CodeModule(text) for name, text in modules.items()}
        self.trusted = trusted
        self.removed: list[str] = []

    def VBComponents(self, name: str):  # noqa: N802 - COM's name
        if not self.trusted:
            raise PermissionError("Programmatic access to Visual Basic Project is not trusted")
        return _Api(CodeModule=self.modules[name], Remove=self.removed.append)


class Book:
    """``Book.template(columns, rows)``: the template's Data sheet with the table
    ``Orders`` and one name per column, and a Start sheet."""

    def __init__(self, fullname: str = "C:/Users/ana/Documents/xlbizops/xlbizops.xlsm"):
        self.app = App()
        self.sheets = Sheets(self)
        self.names = Names()
        self.fullname = fullname
        self.api = _Api()

    @classmethod
    def template(cls, columns: list[str], rows: list[list], table: str = "Orders") -> Book:
        book = cls()
        book.sheets.add("Start")
        data = book.sheets.add("Data")
        data.range("A1").value = [list(columns), *rows]
        data.tables[table] = Table(data, table, max(len(rows) + 1, 2), len(columns))
        for column in columns:
            book.names.add(column, f"={table}[{column}]")
        book.sheets.active = data
        book.app.dirty = False
        return book
