"""Writing result tables into openpyxl worksheets, safely and readably."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from xlbizops.workbook.writing import plain, put

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)


SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
PRINT_ROWS = 30  # rows of a section that go on paper (one page); the workbook has the rest
# Words for the parts of column names that are abbreviations or units.
_WORDS = {"id": "ID", "sku": "SKU", "eoq": "EOQ", "rfm": "RFM", "clv": "CLV", "abc": "ABC",
          "xyz": "XYZ", "cv": "CV", "kpi": "KPI", "sd": "SD", "p": "P", "r": "R", "f": "F",
          "m": "M"}  # fmt: skip


_NAMES = {"p_alive": "P(alive)", "abc": "ABC class", "xyz": "XYZ class"}


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
    """The number format a column gets unless one is given: dates as dates, rates as
    percentages, days in whole days, other numbers with thousands separators."""
    text = str(name).lower()
    if pd.api.types.is_datetime64_any_dtype(values):
        return "yyyy-mm-dd"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    if text.endswith(("rate", "share", "probability")) or text.startswith("p_"):
        return "0.0%"
    if "days" in text or text in ("quantity", "orders", "customers", "rank", "k"):
        return "#,##0"
    if pd.api.types.is_integer_dtype(values):
        return "#,##0"
    return "#,##0.00"


def title(ws: Worksheet, text: str, note: str = "") -> int:
    """A sheet title in A1 and an optional note in A2; returns the next free row.  The
    title starts the sheet's first printed section."""
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    ws._xlbizops_sections = [1]
    if note:
        put(ws, 2, 1, note)
        return 4
    return 3


def section(ws: Worksheet, row: int, text: str):
    """A section heading at ``row``: on paper each section starts a page, so a table
    never prints apart from its heading."""
    cell = put(ws, row, 1, text)
    cell.font = SECTION_FONT
    sections = getattr(ws, "_xlbizops_sections", [1])
    if row not in sections:
        sections.append(row)
    ws._xlbizops_sections = sorted(sections)
    return cell


def write_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    top: int,
    left: int = 1,
    formats: dict[str, str] | None = None,
    freeze: bool = True,
) -> tuple[int, int]:
    """Write ``frame`` with a styled header row at (top, left); returns (last_row, last_col).

    Adds an autofilter, freezes the header (when ``freeze``) and sizes columns to
    their content (header and first 200 rows).
    """
    formats = formats or {}
    for j, name in enumerate(frame.columns):
        cell = put(ws, top, left + j, label(name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    columns = [frame[c].tolist() for c in frame.columns]
    for j, name in enumerate(frame.columns):
        fmt = formats.get(name) or default_format(name, frame[name])
        for i, value in enumerate(columns[j]):
            put(ws, top + 1 + i, left + j, value, fmt)
    last_row, last_col = top + len(frame), left + len(frame.columns) - 1
    ws.auto_filter.ref = (
        f"{get_column_letter(left)}{top}:{get_column_letter(last_col)}{max(last_row, top + 1)}"
    )
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=left)
    for j, name in enumerate(frame.columns):
        sample = [label(name)] + columns[j][:200]
        width = max(len(_shown(v)) for v in sample)
        letter = get_column_letter(left + j)
        current = ws.column_dimensions[letter].width or 0  # several tables share columns
        ws.column_dimensions[letter].width = max(current, min(max(width + 2, 9), 40))
    return last_row, last_col


def _shown(value) -> str:
    value = plain(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return "2024-01-01"
    return "" if value is None else str(value)


def print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide; every section on paper, each starting a page.

    The print area is one range per section (Excel and LibreOffice start each range
    on a new page): its heading, its table's header and first rows (at most
    :data:`PRINT_ROWS`), and the charts anchored beside it, so a table never prints
    apart from its heading and a chart never across a page break.
    """
    marked = getattr(ws, "_xlbizops_sections", [1])
    # A heading with no table under it (a sheet's title and note) prints with the
    # section after it.
    starts = [s for i, s in enumerate(marked) if i + 1 == len(marked) or marked[i + 1] - s > 4]
    starts[0] = 1
    ends = [s - 1 for s in starts[1:]] + [max(ws.max_row, 1)]
    charts = []
    for chart in ws._charts:  # anchors are cell names like "H4" until the file is saved
        letters, row = coordinate_from_string(chart.anchor)
        col = column_index_from_string(letters)
        charts.append((row, col + int(chart.width / 1.7), row + int(chart.height * 2)))
    ranges = []
    for start, end in zip(starts, ends, strict=True):
        last_row = min(end, start + PRINT_ROWS)
        last_col = 8 if start == 1 else 1  # room for the sheet's title and note
        for top, right, bottom in charts:
            if start <= top <= end:  # the whole chart, even past the next heading
                last_col, last_row = max(last_col, right), max(last_row, bottom)
        for row in ws.iter_rows(min_row=start, max_row=last_row):
            filled = [c.column for c in row if c.value is not None]
            last_col = max([last_col, *filled])
        for merged in ws.merged_cells.ranges:  # a merged cell's value is in its first column
            if start <= merged.min_row <= last_row:
                last_col = max(last_col, merged.max_col)
        ranges.append(f"A{start}:{get_column_letter(last_col)}{last_row}")
    ws.print_area = ranges
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
