"""Writing the report's sheets with XlsxWriter: cells, tables, sections, print areas.

XlsxWriter streams a workbook out about three times as fast as openpyxl builds and
saves one (a million-order report has some 340,000 cells), and it never turns text
into a formula unless asked: every string goes through ``write_string``, so a
customer named ``=HYPERLINK(...)`` stays text (see :mod:`xlbizops.workbook.writing`).

Rows and columns here are counted from 1, as a reader of the sheet counts them;
:class:`ReportSheet` turns them into XlsxWriter's zero-based ones.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xlbizops.workbook import formats
from xlbizops.workbook.writing import plain, write_cell

NAVY = "#1F4E78"
HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY, "pattern": 1}
TITLE = {"bold": True, "font_size": 14}
SECTION = {"bold": True, "font_size": 12, "font_color": NAVY}
PARAGRAPH_COLUMNS = 8  # a note wraps inside columns A..H: every printed range is as wide
PRINT_ROWS = 30  # rows of a section that go on paper (one page); the workbook has the rest
DATE = "yyyy-mm-dd"
PX_PER_CM = 96 / 2.54  # chart sizes are given in cm, as on paper
# Words for the parts of column names that are abbreviations or units.
_WORDS = {"id": "ID", "sku": "SKU", "eoq": "EOQ", "rfm": "RFM", "clv": "CLV", "abc": "ABC",
          "xyz": "XYZ", "cv": "CV", "kpi": "KPI", "sd": "SD", "p": "P", "r": "R", "f": "F",
          "m": "M"}  # fmt: skip
_NAMES = {"p_alive": "P(alive)", "abc": "ABC class", "xyz": "XYZ class",
          # one meaning per column name across the workbook (issue 22)
          "recency_days": "Days since last order",
          "first_to_last_days": "Days from first to last order",
          "age_days": "Days since first order",
          "revenue_recent": "Revenue, last 90 days",
          "revenue_earlier": "Revenue, 90 days before",
          "units_recent": "Units, last 90 days",
          "units_earlier": "Units, 90 days before",
          "kmeans_segment": "K-means segment"}  # fmt: skip


def label(name) -> str:
    """A column name as a header a reader expects: ``lead_time_days`` → "Lead time
    (days)", ``customer_id`` → "Customer ID", ``eoq`` → "EOQ"."""
    text = str(name)
    if text in _NAMES:
        return _NAMES[text]
    unit = ""
    if text.endswith("_days") and text != "days":
        text, unit = text[: -len("_days")], " (days)"
    words = [_WORDS.get(w.lower(), w) for w in text.replace("_", " ").split(" ")]
    out = " ".join(words).strip()
    return (out[:1].upper() + out[1:] + unit) if out else out


def default_format(name, values: pd.Series) -> str | None:
    """The number format a column gets unless one is given (``workbook.formats``:
    dates as dates, rates as percentages, days and counts whole, the rest to cents)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return DATE
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    return formats.column_format(name, whole=pd.api.types.is_integer_dtype(values))


FREEZE_WITHIN = 15  # a main table's header this near the top is frozen on screen


class ReportBook:
    """The report's workbook file: its sheets and one shared format per style.

    Cells stream to disk row by row (XlsxWriter's ``constant_memory``): each sheet is
    written top to bottom, and a cell above the last row written is not written."""

    def __init__(self, path, scratch: str | None = None):
        options = {"nan_inf_to_errors": True, "remove_timezone": True, "constant_memory": True}
        if scratch:  # where XlsxWriter streams the sheets (writing.xlsx_scratch)
            options["tmpdir"] = scratch
        self.book = xlsxwriter.Workbook(str(path), options)
        self.sheets: list[ReportSheet] = []
        self._formats: dict = {}

    def sheet(self, name: str) -> ReportSheet:
        out = ReportSheet(self, name)
        self.sheets.append(out)
        return out

    def style(self, number_format: str | None = None, **props):
        """The XlsxWriter format of these font/fill properties and number format."""
        if number_format:
            props["num_format"] = number_format
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def chart(self, kind: str):
        """A native chart: "column", "bar" (horizontal), "line" or "scatter"."""
        return self.book.add_chart({"type": kind})

    def close(self, header: str = "") -> None:
        """Finish every sheet and write the file.  Each printed page carries ``header``
        (the report, its source and as-of date) at the top and "Page N of M" at the
        bottom, so a loose page still says where it comes from."""
        for sheet in self.sheets:
            sheet.finish()
            if header:
                sheet.ws.set_header("&L&8" + header.replace("&", "&&") + "&R&8&A")
            sheet.ws.set_footer("&C&8Page &P of &N")
        self.book.close()


class ReportSheet:
    """One sheet of the report.  Remembers what print setup needs: its section
    starts, the extent of what is written in each row (merged cells included), its
    charts."""

    def __init__(self, book: ReportBook, name: str):
        self.book, self.name = book, name
        self.ws = book.book.add_worksheet(name)
        self.sections = [1]
        self.max_row = 0
        self._blocks: list[tuple[int, int, int]] = []  # (first row, last row, last column)
        self._charts: list[tuple[int, int, float, float]] = []  # row, col, width, height (cm)
        self._widths: dict[int, float] = {}
        self._filter: tuple[int, int, int, int] | None = None
        self._freeze: tuple[int, int] | None = None
        self.one_page = False  # the whole sheet on one printed page (the Summary)
        self._heading: tuple[int | None, str] = (None, "")  # the last section heading
        self._print_cols: dict[int, int] = {}  # section heading row → last printed column

    # cells ----------------------------------------------------------------------
    def put(self, row: int, col: int, value, number_format: str | None = None, **style):
        """Write one value; text always as text, a date with a date format."""
        value = plain(value)
        if isinstance(value, dt.datetime | dt.date) and not number_format:
            number_format = DATE
        cell_format = self.book.style(number_format, **style)
        self._streamed(row, write_cell(self.ws, row - 1, col - 1, value, cell_format))
        self._filled(row, row, col)

    def _streamed(self, row: int, code) -> None:
        """XlsxWriter answers -1 to a cell above the rows already streamed (or outside
        the sheet), and drops it: a layout error, never to pass silently."""
        if code == -1:
            raise RuntimeError(f"{self.name}: row {row} was written after a row below it")

    def merge(self, row: int, first_col: int, last_col: int, value, number_format=None, **style):
        """One value across columns ``first_col``..``last_col`` of ``row``."""
        cell_format = self.book.style(number_format, **style)
        value = plain(value)
        code = self.ws.merge_range(row - 1, first_col - 1, row - 1, last_col - 1, "", cell_format)
        self._streamed(row, code)
        if value is not None:
            write_cell(self.ws, row - 1, first_col - 1, value, cell_format)
        self._filled(row, row, last_col)

    def _filled(self, first_row: int, last_row: int, last_col: int) -> None:
        self._blocks.append((first_row, last_row, last_col))
        self.max_row = max(self.max_row, last_row)

    def width(self, col: int, width: float) -> None:
        """Column ``col`` at least ``width`` characters wide (several tables share it)."""
        self._widths[col] = max(self._widths.get(col, 0), width)

    def set_width(self, col: int, width: float) -> None:
        self._widths[col] = width

    def row_height(self, row: int, points: float) -> None:
        self.ws.set_row(row - 1, points)

    # structure ------------------------------------------------------------------
    def title(self, text: str, note: str = "") -> int:
        """A sheet title in A1 and an optional note in A2, wrapped inside the print
        width; returns the next free row.  The title starts the sheet's first section."""
        self.put(1, 1, text, **TITLE)
        if note:
            self.paragraph(2, note)
            return 4
        return 3

    def paragraph(self, row: int, text: str, last_col: int = PARAGRAPH_COLUMNS, **style) -> None:
        """``text`` merged across columns 1..``last_col`` and wrapped, its row as tall
        as its lines: a long note prints whole inside the page, never past its edge.
        The lines are counted on the columns' widths known now (9 characters where
        none is yet; tables written later only widen them, so it errs tall)."""
        chars = sum(self._widths.get(c, 9.0) for c in range(1, last_col + 1))
        lines = max(1, math.ceil(len(str(text)) * 1.1 / chars))
        if lines > 1:
            self.row_height(row, 15 * lines)
        self.merge(row, 1, last_col, text, text_wrap=True, valign="top", **style)

    def section(self, row: int, text: str) -> None:
        """A section heading at ``row``: on paper each section starts a page, so a
        table never prints apart from its heading."""
        self.put(row, 1, text, **SECTION)
        if row not in self.sections:
            self.sections = sorted([*self.sections, row])
        self._heading = (row, text)

    def printed_rows(self, top: int) -> int:
        """How many data rows of a table whose header is at ``top`` go on paper: its
        section prints :data:`PRINT_ROWS` rows from the heading (``print_ranges``),
        a sheet printed on one page all of them."""
        if self.one_page:
            return 1 << 30
        start = max([s for s in self._range_starts() if s <= top], default=1)
        return max(start + PRINT_ROWS - top, 0)

    def _range_starts(self) -> list[int]:
        """The first row of each printed range: each section's heading, except that a
        heading with no table under it (a sheet's title and note) prints with the
        section after it, and the first range starts at row 1."""
        marked = self.sections or [1]
        starts = [s for i, s in enumerate(marked) if i + 1 == len(marked) or marked[i + 1] - s > 4]
        starts[0] = 1
        return starts

    def table(
        self,
        frame: pd.DataFrame,
        top: int,
        left: int = 1,
        formats: dict[str, str] | None = None,
        main: bool = False,
        row_formats: list[dict[str, str]] | None = None,
    ) -> tuple[int, int]:
        """Write ``frame`` with a styled header row at (top, left); returns (last_row,
        last_col).  ``formats`` (column → number format) applies to a whole column,
        ``row_formats[i]`` to row i's cells (a table of KPIs in different units).
        Sizes columns to their content (header and first 200 rows).  The sheet's
        ``main`` table (one per sheet) gets the autofilter, and its header is frozen
        when it sits near the top (:data:`FREEZE_WITHIN` rows): frozen lower, the rows
        above it would fill the screen."""
        formats = formats or {}
        heading_row, heading = self._heading
        shown = self.printed_rows(top)
        if heading_row == top - 1 and len(frame) > shown:
            # the heading is the row being written: it can still say the print is cut
            self.put(heading_row, 1, f"{heading} (on paper the first {shown:,} of "
                     f"{len(frame):,} rows; all of them on this sheet)", **SECTION)  # fmt: skip
        header = self.book.style(**HEADER)
        for j, name in enumerate(frame.columns):
            self._streamed(top, self.ws.write_string(top - 1, left - 1 + j, label(name), header))
        columns = []
        for j, name in enumerate(frame.columns):
            values = frame[name].tolist()
            number_format = formats.get(name) or default_format(name, frame[name])
            columns.append((name, *self._writer(values, number_format, indent=j > 0)))
            sample = [label(name)] + values[:200]
            self.width(left + j, min(max(max(len(_shown(v)) for v in sample) + 2, 9), 40))
        # Row by row: the workbook streams each row to disk once the next one starts.
        for i in range(len(frame)):
            r = top + i
            special = row_formats[i] if row_formats else ()
            for c, (name, write, values, cell_format) in enumerate(columns, start=left - 1):
                if name in special:
                    self.put(r + 1, c + 1, values[i], special[name])
                else:
                    write(r, c, values[i], cell_format)
        last_row, last_col = top + len(frame), left + len(frame.columns) - 1
        self._filled(top, last_row, last_col)
        if main:
            if self._filter:
                raise RuntimeError(f"{self.name}: a second main table at row {top}")
            self._filter = (top, left, max(last_row, top + 1), last_col)
            if top <= FREEZE_WITHIN:
                self._freeze = (top, left - 1)
        return last_row, last_col

    def _writer(self, values: list, number_format: str | None, indent: bool = False):
        """(write, values, format) for one column: ``write(row, col, value, format)``
        (zero-based) is XlsxWriter's own method when the column is all numbers or all
        text, else :func:`~xlbizops.workbook.writing.write_cell` on the values made plain
        (dates get a date format).  A text column after the first is indented one
        step (``indent``), so a left-aligned word never touches the right-aligned
        number before it ("5.00Champions")."""
        cell_format = self.book.style(number_format)
        if all(type(v) is int or (type(v) is float and not math.isnan(v)) for v in values):
            return self.ws.write_number, values, cell_format
        if all(type(v) is str for v in values):
            text_format = self.book.style(number_format, indent=1) if indent else cell_format
            return self.ws.write_string, values, text_format
        values = [plain(v) for v in values]
        if not number_format and any(isinstance(v, dt.datetime | dt.date) for v in values):
            cell_format = self.book.style(DATE)
        return partial(write_cell, self.ws), values, cell_format

    # charts and paper -----------------------------------------------------------
    def ref(self, first_row: int, col: int, last_row: int) -> list:
        """A column range of this sheet, as a chart series takes it."""
        return [self.name, first_row - 1, col - 1, last_row - 1, col - 1]

    def add_chart(self, chart, row: int, col: int, width: float = 15, height: float = 7.5):
        """Place ``chart`` (``width`` × ``height`` cm) with its top left at (row, col)."""
        chart.set_size({"width": round(width * PX_PER_CM), "height": round(height * PX_PER_CM)})
        self.ws.insert_chart(row - 1, col - 1, chart)
        self._charts.append((row, col, width, height))

    def print_ranges(self) -> list[str]:
        """The print area, one range per section (Excel and LibreOffice start each range
        on a new page): its heading, its table's header and first rows (at most
        :data:`PRINT_ROWS`), and the charts anchored beside it, so a table never prints
        apart from its heading and a chart never across a page break."""
        charts = [  # (top row, right column, bottom row) each chart covers
            (row, col + int(width / 1.7), row + int(height * 2))
            for row, col, width, height in self._charts
        ]
        if self.one_page:
            last_col = max([c for _, _, c in self._blocks] + [r for _, r, _ in charts] + [1])
            last_row = max([self.max_row, 1] + [b for _, _, b in charts])
            return [f"$A$1:${xl_col_to_name(last_col - 1)}${last_row}"]
        starts = self._range_starts()
        ends = [s - 1 for s in starts[1:]] + [max(self.max_row, 1)]
        ranges = []
        for start, end in zip(starts, ends, strict=True):
            last_row = min(end, start + PRINT_ROWS)
            last_col = 8 if start == 1 else 1  # room for the sheet's title and note
            for top, right, bottom in charts:
                if start <= top <= end:  # the whole chart, even past the next heading
                    last_col, last_row = max(last_col, right), max(last_row, bottom)
            for first, last, col in self._blocks:
                if first <= last_row and last >= start:
                    last_col = max(last_col, col)
            heading = max([r for r in self._print_cols if start <= r <= last_row], default=None)
            if heading is not None:  # a wide block printed in part (its heading says so)
                last_col = max(PARAGRAPH_COLUMNS, self._print_cols[heading])
            box = [start, last_row, last_col]
            if ranges and ranges[-1][1] >= start:  # a chart reaches into this section:
                box = [ranges[-1][0], max(ranges[-1][1], last_row),  # one range, so no row
                       max(ranges[-1][2], last_col)]  # prints twice  # fmt: skip
                ranges.pop()
            ranges.append(box)
        return [f"$A${a}:${xl_col_to_name(c - 1)}${b}" for a, b, c in ranges]

    def print_columns(self, heading_row: int, last_col: int) -> None:
        """Print the section headed at ``heading_row`` only to column ``last_col``."""
        self._print_cols[heading_row] = last_col

    def finish(self) -> None:
        """Column widths, the autofilter, frozen panes and the page setup: landscape,
        one page wide, every section on paper, each starting a page."""
        for col, width in self._widths.items():
            self.ws.set_column(col - 1, col - 1, width)
        if self._filter:
            top, left, bottom, right = self._filter
            self.ws.autofilter(top - 1, left - 1, bottom - 1, right - 1)
        if self._freeze:
            self.ws.freeze_panes(*self._freeze)
        quoted = "'" + self.name.replace("'", "''") + "'"
        area = ",".join(f"{quoted}!{r}" for r in self.print_ranges())
        self.book.book.define_name(f"{quoted}!_xlnm.Print_Area", area)
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 1 if self.one_page else 0)


def _shown(value) -> str:
    value = plain(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return "2024-01-01"
    return "" if value is None else str(value)
