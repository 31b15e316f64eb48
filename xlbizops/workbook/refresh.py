"""Headless "Refresh all": compute a workbook's formulas without Excel.

A real formula engine does the work: the ``formulas`` package (about 470 Excel
functions) with every xlbizops function registered beside them, so a cell like
``=EOQ(B4, B5, B6)`` or ``=COUNTIF(K9:K400, "Champions")`` over an xlbizops result
gets the value Excel with the xlwings add-in would show.

The file written keeps every formula and every other part byte for byte (VBA
project, ribbon, dynamic-array metadata, charts); only the cells' cached values
change, plus the ``ref`` of a spilled formula whose result changed size, as Excel
would resize the spill.  Excel still sees live formulas; LibreOffice, viewers and
``openpyxl(data_only=True)`` see the numbers.

How spill sizes are found: the engine can only fill a formula's stored range, so
each xlbizops table formula is evaluated inside a recorder (``XLBIZOPS_SPILL``)
that notes the true result size; when a size changed, the stored ranges are
corrected and the book computed again (formulas that read a resized range need
the second pass).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree
from openpyxl import load_workbook
from openpyxl.compat.strings import safe_string
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._reader import _cast_number
from openpyxl.worksheet.formula import ArrayFormula

from xlbizops.core.errors import InputError
from xlbizops.excel import cells
from xlbizops.excel.names import function_names
from xlbizops.workbook import charts, package, tables
from xlbizops.workbook.package import MAIN

_C = f"{{{MAIN}}}c"
_ROW = f"{{{MAIN}}}row"
_MAX_PASSES = 5
# formulas draws a tqdm progress bar while it loads a book; a nightly job's log wants
# none (tqdm reads this when it is first imported, which formulas does lazily below).
os.environ.setdefault("TQDM_DISABLE", "1")
_RECORDER = "XLBIZOPS_SPILL"


@dataclass
class Refreshed:
    """What a refresh computed: every formula cell's value, by sheet and cell."""

    values: dict[str, dict[str, object]] = field(default_factory=dict)
    spills: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, anchor) → ref
    passes: int = 0
    # Formulas the engine cannot read (e.g. structured table references): left with
    # the value they had, and reported, never guessed at.
    unreadable: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, sheet: str, cell: str):
        return self.values[sheet][cell]


def refresh_workbook(source, target=None) -> Refreshed:
    """Compute every formula in ``source``; write the values into ``target`` if given."""
    source = Path(source)
    package.require_workbook(source)
    book = load_workbook(source)  # formulas, as text; the file itself is not saved
    anchors = _spill_anchors(book)
    result = Refreshed()
    for result.passes in range(1, _MAX_PASSES + 1):
        shapes: dict[int, tuple[int, int]] = {}
        solution = _calculate(book, anchors, shapes, result.unreadable)
        changed = False
        for number, (sheet, cell) in enumerate(anchors):
            if (sheet, cell) in result.unreadable:
                continue
            rows, cols = shapes.get(number, (1, 1))
            formula = book[sheet][cell].value
            ref = _ref(cell, rows, cols)
            if formula.ref != ref:
                formula.ref, changed = ref, True
        anchors = [a for a in anchors if a not in result.unreadable]
        if not changed:
            break
    else:
        raise InputError("spilled results kept changing size; is there a circular reference?")
    result.spills = {(s, c): book[s][c].value.ref for s, c in anchors}
    result.values = _cell_values(book, solution, result.unreadable)
    if target is not None:
        write_values(source, target, result)
    return result


def _formula_cells(book):
    """(sheet name, cell, formula text) of every formula cell, array formulas included."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                text = value.text if isinstance(value, ArrayFormula) else value
                if isinstance(text, str) and text.startswith("="):
                    yield sheet.title, cell, text


def _spill_anchors(book) -> list[tuple[str, str]]:
    """Cells holding an array formula that calls an xlbizops function."""
    calls = re.compile(r"\b(" + "|".join(function_names()) + r")\s*\(", re.IGNORECASE)
    return [
        (sheet, cell.coordinate)
        for sheet, cell, text in _formula_cells(book)
        if isinstance(cell.value, ArrayFormula) and calls.search(text)
    ]


def _ref(cell: str, rows: int, cols: int) -> str:
    col, row, _, _ = range_boundaries(cell)
    if rows == 1 and cols == 1:
        return cell
    return f"{cell}:{get_column_letter(col + cols - 1)}{row + rows - 1}"


def _calculate(book, anchors, shapes, unreadable) -> dict:
    """One pass of the engine over a copy in which each anchor reports its size."""
    import formulas

    functions = formulas.get_functions()
    for name in function_names():
        functions[name] = formulas.functions.wrap_func(_engine_function(name))

    def record(number, value):
        array = value.value if hasattr(value, "value") else value
        array = np.asarray(array, dtype=object)
        if array.ndim < 2:
            array = array.reshape(1, -1)
        shapes[int(_plain(number))] = array.shape
        return array

    functions[_RECORDER] = formulas.functions.wrap_func(record)
    spill_ranges = {(s.upper(), c): book[s][c].value.ref for s, c in anchors}
    rewritten = _resolve_spill_operators(book, spill_ranges, unreadable)
    plain_ranges = tables.resolve_in_book(book)  # Orders[amount] → Data!$L$2:$L$2001
    saved = {}
    for number, (sheet, cell) in enumerate(anchors):
        formula = book[sheet][cell].value
        saved[(sheet, cell)] = formula.text
        formula.text = f"={_RECORDER}({number},{formula.text.lstrip('=')})"
    hidden = {}
    try:
        while True:
            for key in unreadable:
                if key not in hidden:
                    hidden[key] = book[key[0]][key[1]].value
                    book[key[0]][key[1]].value = None
            try:
                data = _data_sheets(book)
                with tempfile.TemporaryDirectory() as folder, _without_cells(book, data):
                    path = Path(folder) / "book.xlsx"
                    book.save(path)
                    model = formulas.ExcelModel().loads(str(path)).finish()
                solution = model.calculate(inputs=_range_inputs(model, book, data))
                break
            except formulas.errors.FormulaError as err:
                found = _cells_with(book, str(err.args[1]) if len(err.args) > 1 else "")
                if not found:
                    raise InputError(f"the formula engine cannot read {err.args[-1]}") from err
                for key in found:
                    unreadable[key] = rewritten.get(key, saved.get(key, str(err.args[1])))
    finally:
        for (sheet, cell), text in saved.items():
            value = hidden.get((sheet, cell), book[sheet][cell].value)
            value.text = text
        for (sheet, cell), value in hidden.items():
            book[sheet][cell].value = value
        tables.restore(plain_ranges)
        for (sheet, cell), text in rewritten.items():
            _set_text(book[sheet][cell], text)
    return {_key(k): v for k, v in solution.items()}


# --- Data sheets handed over as ranges --------------------------------------------------
#
# Loading every cell of the Data sheet into the engine (one graph node per cell) was
# most of a refresh.  A sheet without formulas is saved empty for the engine instead,
# and each range the formulas read from it is handed over as one array, built from
# the cells exactly as the engine's own reader would have read them back from the
# file: numbers as written (dates as serial numbers, whole ones as int; floats rounded
# to 15 digits, as ``ExcelModel.compile_cell`` does), text, booleans, blanks as EMPTY.
# A sheet holding anything else (error values, text with _xHHHH_ escapes) is loaded
# cell by cell as before.


_MIRRORED = (str, bool, int, float, dt.datetime, dt.date)  # types _as_read_back knows


def _mirrored(cell) -> bool:
    """Whether the cell is a value whose read-back :func:`_as_read_back` mirrors."""
    value = cell.value
    if value is None:
        return True
    if isinstance(value, ArrayFormula) or not isinstance(value, _MIRRORED):
        return False
    if isinstance(value, str) and (value[:1] == "=" or "_x" in value or "x005F_" in value):
        return False  # a formula; text the reader unescapes
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return False
    return cell.data_type != "e" and not cell.parent.parent.iso_dates  # error values


def _data_sheets(book) -> list[str]:
    """Sheets with no formula and only values the engine's reader is mirrored for."""
    return [
        sheet.title
        for sheet in book.worksheets
        if all(_mirrored(cell) for cell in sheet._cells.values())
    ]


@contextlib.contextmanager
def _without_cells(book, sheets):
    """The book with these sheets' cells set aside (saved as empty sheets)."""
    kept = {name: book[name]._cells for name in sheets}
    try:
        for name in sheets:
            book[name]._cells = {}
        yield
    finally:
        for name, cells_ in kept.items():
            book[name]._cells = cells_


def _as_read_back(cell):
    """A cell's value as the engine reads it from the saved file: openpyxl writes a
    number (a date: its serial number) as ``%.16g`` text and reads it back as int or
    float by its look; the engine rounds floats to 15 digits."""
    value = cell.value
    if isinstance(value, bool | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        value = to_excel(value, cell.parent.parent.epoch)
    text = safe_string(value)
    if text == "":  # NaN and infinities are written as blank cells
        return None
    number = _cast_number(text)
    return round(number, 15) if isinstance(number, float) else number


def _range_inputs(model, book, sheets) -> dict:
    """For each range (or cell) of an emptied sheet the formulas read, its values."""
    import schedula
    from formulas.ranges import Ranges

    if not sheets:
        return {}
    by_upper = {name.upper(): book[name] for name in sheets}
    inputs = {}
    for key in model.dsp.data_nodes:
        if not isinstance(key, str) or "!" not in key:
            continue
        try:
            where = Ranges().push(key).ranges[0]
        except Exception:  # noqa: BLE001 - a defined name or an error node, not a range
            continue
        sheet = by_upper.get(str(where.get("sheet", "")).upper())
        if sheet is None or where.get("r1") is None:
            continue
        top, bottom = int(where["r1"]), int(where["r2"])
        left, right = int(where["n1"]), int(where["n2"])
        values = np.empty((bottom - top + 1, right - left + 1), dtype=object)
        values[:] = schedula.EMPTY
        for (row, col), cell in sheet._cells.items():
            if top <= row <= bottom and left <= col <= right and cell.value is not None:
                read = _as_read_back(cell)
                if read is not None:
                    values[row - top, col - left] = read
        inputs[key] = Ranges().pushes([key], [values])
    return inputs


_SPILL_OPERATOR = re.compile(
    r"_xlfn\.ANCHORARRAY\(\s*(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z0-9_.]+)!)?"
    r"\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d+)\s*\)"
)


# A block of a spill, as the template reads one column or a few (template.sheets.result
# and span): INDEX(A10#, r, c1):INDEX(A10#, ROWS(A10#) - d, c2), whole numbers r, c, d.
_SPILL_BLOCK = re.compile(
    r"INDEX\(\s*(?P<spill>_xlfn\.ANCHORARRAY\([^()]*\))\s*,\s*(?P<r>\d+)\s*,\s*(?P<c1>\d+)\s*\)"
    r"\s*:\s*INDEX\(\s*(?P=spill)\s*,\s*ROWS\(\s*(?P=spill)\s*\)\s*(?:-\s*(?P<d>\d+)\s*)?,"
    r"\s*(?P<c2>\d+)\s*\)",
    re.IGNORECASE,
)


def _resolve_spill_operators(book, spill_ranges, unreadable) -> dict:
    """Excel's spill operator ``A10#`` (stored as ``_xlfn.ANCHORARRAY(A10)``) becomes,
    for the engine, the range the spill covers now; the engine knows no such operator.

    Only spills of xlbizops formulas have a known range; a cell pointing at another
    spill is left unread (and reported) rather than computed from a wrong range.
    Returns the original texts, to be put back after the pass.
    """
    original = {}
    for sheet, cell, text in list(_formula_cells(book)):
        if "ANCHORARRAY(" not in text.upper():
            continue
        key = (sheet, cell.coordinate)
        missing = []

        def bounds(match, here=sheet, missing=missing):
            """(quoted sheet, left, top, right, bottom) of the spill, or None."""
            name = match["sheet"] or here
            plain = name.strip("'").replace("''", "'")
            anchor = f"{match['col'].upper()}{match['row']}"
            ref = spill_ranges.get((plain.upper(), anchor))
            if ref is None:
                missing.append(anchor)
                return None
            box = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
            return ("'" + plain.replace("'", "''") + "'", *box)

        def address(quoted, left, top, right, bottom) -> str:
            first = f"${get_column_letter(left)}${top}"
            return f"{quoted}!{first}:${get_column_letter(right)}${bottom}"

        def spill(match):
            found = bounds(match)
            return match[0] if found is None else address(*found)

        def block(match):  # INDEX(A10#, r, c1):INDEX(A10#, ROWS(A10#) - d, c2)
            found = bounds(_SPILL_OPERATOR.match(match["spill"]))
            if found is None:
                return match[0]
            quoted, left, top, right, bottom = found
            r, c1, c2, d = (int(match[k] or 0) for k in ("r", "c1", "c2", "d"))
            last = max(bottom - d, top + r - 1)  # a result of its header alone: one row
            return address(quoted, left + c1 - 1, top + r - 1, left + c2 - 1, last)

        resolved = _SPILL_OPERATOR.sub(spill, _SPILL_BLOCK.sub(block, text))
        if missing:
            unreadable[key] = text
        elif resolved != text:
            original[key] = text
            _set_text(cell, resolved)
    return original


def _set_text(cell, text: str) -> None:
    if isinstance(cell.value, ArrayFormula):
        cell.value.text = text
    else:
        cell.value = text


def _cells_with(book, text: str) -> list[tuple[str, str]]:
    """Cells whose formula (or the engine's wrapped form of it) is ``text``."""
    return [
        (sheet, cell.coordinate) for sheet, cell, formula in _formula_cells(book) if formula == text
    ]


def _engine_function(name: str):
    """An xlbizops UDF as the engine calls it: cells in, cells out."""
    from xlbizops.excel import udfs

    udf = getattr(udfs, name)

    def call(*args):
        result = udf(*(_argument(a) for a in args))
        if isinstance(result, list):
            return np.array([[_engine_cell(c) for c in row] for row in result], dtype=object)
        return _engine_cell(result)

    return call


def _argument(value):
    """A ``Ranges`` or constant from the engine as xlwings would hand it over: the
    whole range, as Excel passes it (arguments that go together row by row must
    keep equal lengths, so nothing is trimmed here)."""
    value = value.value if hasattr(value, "value") else value
    if isinstance(value, np.ndarray):
        if value.ndim == 2 and value.shape == (1, 1):
            return _plain(value[0, 0])
        return _plain_cells(np.atleast_2d(value)).tolist()
    return _plain(value)


@functools.cache
def _engine_types():
    """The engine's blank cell and error type (imported once, on first use)."""
    import formulas
    import schedula

    return schedula.EMPTY, formulas.functions.XlError


def _plain(cell):
    """Engine cell → Python cell: blank → None, error → its text, NumPy → Python."""
    empty, error = _engine_types()
    if cell is empty:
        return None
    if isinstance(cell, error):
        return str(cell)
    if isinstance(cell, np.bool_ | bool):
        return bool(cell)
    if isinstance(cell, np.integer | np.floating):
        return float(cell)
    if isinstance(cell, np.str_):
        return str(cell)
    return cell


_plain_cells = np.frompyfunc(_plain, 1, 1)


def _engine_cell(cell):
    """Python cell → what Windows Excel receives from xlwings.

    xlwings turns None and NaN into "" and dates into serial numbers before handing
    a result to Excel (``xlwings._xlwindows.prepare_xl_data_element``), so a blank
    in a spilled result is an empty text cell there; the same here.
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, dt.datetime | dt.date):
        return cells.excel_serial(cell)
    return cell


_KEY = re.compile(r"^'?\[[^\]]*\](?P<sheet>.*?)'?!(?P<ref>[A-Z$0-9:]+)$")


def _key(key: str) -> tuple[str, str]:
    """``'[book.xlsx]SHEET'!A1:B2`` → (``SHEET``, ``A1:B2``)."""
    match = _KEY.match(key)
    if not match:
        return ("", key)
    return (match["sheet"].replace("''", "'").upper(), match["ref"])


def _cell_values(book, solution, unreadable) -> dict[str, dict[str, object]]:
    """The computed value of every formula cell, spilled cells included."""
    values: dict[str, dict[str, object]] = {}
    for sheet in book.worksheets:
        out = values.setdefault(sheet.title, {})
        upper = sheet.title.upper()
        for row in sheet.iter_rows():
            for cell in row:
                if (sheet.title, cell.coordinate) in unreadable:
                    continue
                value = cell.value
                if isinstance(value, ArrayFormula):
                    ref = value.ref or cell.coordinate
                    array = solution.get((upper, ref), solution.get((upper, cell.coordinate)))
                    _spread(out, ref, array)
                elif isinstance(value, str) and value.startswith("="):
                    out[cell.coordinate] = _one(solution.get((upper, cell.coordinate)))
    return values


def _spread(out: dict, ref: str, array) -> None:
    left, top, right, bottom = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    array = getattr(array, "value", array)
    array = np.atleast_2d(np.asarray(array, dtype=object)) if array is not None else None
    for i, r in enumerate(range(top, bottom + 1)):
        for j, c in enumerate(range(left, right + 1)):
            inside = array is not None and i < array.shape[0] and j < array.shape[1]
            out[f"{get_column_letter(c)}{r}"] = _plain(array[i, j]) if inside else "#N/A"


def _one(value):
    if value is None:
        return None
    value = getattr(value, "value", value)
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else None
    return _plain(value)


# --- writing the values into the package ---------------------------------------------


def write_values(source, target, result: Refreshed) -> None:
    """Write ``result`` (computed for ``source``, or for a book with the same formulas)
    into a copy of ``source`` at ``target``.  Only cached values and spill ranges in
    sheet parts change, plus the shared strings that spilled text adds."""

    def edit(parts: dict[str, bytes]) -> None:
        sheets = package.sheet_parts(parts.__getitem__)
        strings = SharedStrings(parts.get(SHARED))
        for sheet, values in result.values.items():
            if sheet in sheets:
                xml = parts[sheets[sheet]]
                parts[sheets[sheet]] = _edit_sheet(xml, sheet, values, result, strings)
        charts.follow_spills(parts, result.spills)
        if strings.added:
            if SHARED not in parts:
                parts[package.TYPES] = package.add_override(
                    parts[package.TYPES], SHARED, SHARED_TYPE
                )
                parts[package.BOOK_RELS] = package.add_relationship(
                    parts[package.BOOK_RELS], "rIdXlbizopsStrings", SHARED_REL, "sharedStrings.xml"
                )
            parts[SHARED] = strings.xml()

    package.rewrite(source, target, edit)


SHARED = "xl/sharedStrings.xml"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


class SharedStrings:
    """The workbook's shared-string table, to which new text is appended.

    Text in a plain cell belongs in this table: inline strings are legal but Excel
    rewrites them on its next save, and the Open XML validator flags them.
    """

    def __init__(self, xml: bytes | None):
        self.root = (
            etree.fromstring(xml) if xml else etree.Element(f"{{{MAIN}}}sst", nsmap={None: MAIN})
        )
        self.index = {}
        for i, item in enumerate(self.root.iter(f"{{{MAIN}}}si")):
            text = "".join(item.itertext())
            self.index.setdefault(text, i)
        self.count = len(self.root)
        self.added = False

    def __call__(self, text: str) -> int:
        if text not in self.index:
            item = etree.SubElement(self.root, f"{{{MAIN}}}si")
            node = etree.SubElement(item, f"{{{MAIN}}}t")
            node.text = text
            if text != text.strip():
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            self.index[text] = self.count
            self.count += 1
            self.added = True
        return self.index[text]

    def xml(self) -> bytes:
        self.root.set("uniqueCount", str(self.count))
        self.root.set("count", str(self.count))
        return package.xml_bytes(self.root)


def _edit_sheet(xml: bytes, sheet: str, values: dict, result: Refreshed, strings) -> bytes:
    root = etree.fromstring(xml)
    data = root.find(f"{{{MAIN}}}sheetData")
    rows = {int(r.get("r")): r for r in data.iter(_ROW)}
    for (name, anchor), ref in result.spills.items():
        if name == sheet:
            cell = _cell(data, rows, anchor)
            formula = cell.find(f"{{{MAIN}}}f")
            old = formula.get("ref", anchor)
            formula.set("ref", ref)
            _clear_outside(data, rows, old, ref)
    for coordinate, value in values.items():
        _set_value(_cell(data, rows, coordinate), value, strings)
    return package.xml_bytes(root)


def _split(coordinate: str) -> tuple[int, int]:
    letters = coordinate.rstrip("0123456789")
    return int(coordinate[len(letters) :]), column_index_from_string(letters)


def _cell(data, rows: dict, coordinate: str):
    """The ``<c>`` element of a cell, created in row and column order when missing."""
    number, column = _split(coordinate)
    row = rows.get(number)
    if row is None:
        row = etree.Element(_ROW, r=str(number))
        later = [n for n in rows if n > number]
        if later:
            rows[min(later)].addprevious(row)
        else:
            data.append(row)
        rows[number] = row
        row.attrib.pop("spans", None)
    for cell in row.iter(_C):
        here = _split(cell.get("r"))[1]
        if here == column:
            return cell
        if here > column:
            new = etree.Element(_C, r=coordinate)
            cell.addprevious(new)
            return new
    new = etree.SubElement(row, _C, r=coordinate)
    row.attrib.pop("spans", None)
    return new


def _clear_outside(data, rows, old: str, new: str) -> None:
    """Cells a shrunk spill no longer covers become empty, as in Excel."""
    left, top, right, bottom = range_boundaries(old if ":" in old else f"{old}:{old}")
    keep = range_boundaries(new if ":" in new else f"{new}:{new}")
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            inside = keep[0] <= c <= keep[2] and keep[1] <= r <= keep[3]
            if not inside and r in rows:
                coordinate = f"{get_column_letter(c)}{r}"
                for cell in rows[r].iter(_C):
                    if cell.get("r") == coordinate and cell.find(f"{{{MAIN}}}f") is None:
                        _set_value(cell, None)


def _set_value(cell, value, strings=None) -> None:
    """Replace a cell's cached value; formula cells keep their formula."""
    is_formula = cell.find(f"{{{MAIN}}}f") is not None
    for child in list(cell):
        if child.tag in (f"{{{MAIN}}}v", f"{{{MAIN}}}is"):
            cell.remove(child)
    cell.attrib.pop("t", None)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return
    if isinstance(value, bool):
        cell.set("t", "b")
        text = "1" if value else "0"
    elif isinstance(value, int | float):
        text = repr(float(value)) if not float(value).is_integer() else str(int(value))
    elif isinstance(value, dt.datetime | dt.date):
        text = repr(cells.excel_serial(value))
    elif isinstance(value, str) and value in cells.EXCEL_ERRORS:
        cell.set("t", "e")
        text = value
    else:
        text = str(value)
        if not is_formula and not text:
            return  # an empty text result: Excel shows a blank cell
        if not is_formula:
            cell.set("t", "s")
            text = str(strings(text))
        else:
            cell.set("t", "str")
    etree.SubElement(cell, f"{{{MAIN}}}v").text = text
