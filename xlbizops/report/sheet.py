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


def title(ws: Worksheet, text: str, note: str = "") -> int:
    """A sheet title in A1 and an optional note in A2; returns the next free row."""
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    if note:
        put(ws, 2, 1, note)
        return 4
    return 3


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
        cell = put(ws, top, left + j, str(name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    columns = [frame[c].tolist() for c in frame.columns]
    for j, name in enumerate(frame.columns):
        fmt = formats.get(name)
        if fmt is None and pd.api.types.is_datetime64_any_dtype(frame[name]):
            fmt = "yyyy-mm-dd"
        for i, value in enumerate(columns[j]):
            put(ws, top + 1 + i, left + j, value, fmt)
    last_row, last_col = top + len(frame), left + len(frame.columns) - 1
    ws.auto_filter.ref = (
        f"{get_column_letter(left)}{top}:{get_column_letter(last_col)}{max(last_row, top + 1)}"
    )
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=left)
    for j, name in enumerate(frame.columns):
        sample = [name] + columns[j][:200]
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


def print_setup(ws: Worksheet, rows: int = 70) -> None:
    """Landscape, one page wide, printing the top of the sheet (title, headline tables,
    charts); long detail tables stay in the workbook rather than on 200 printed pages."""
    last_col = 1
    for row in ws.iter_rows(max_row=min(ws.max_row, rows)):
        filled = [c.column for c in row if c.value is not None]
        last_col = max([last_col, *filled])
    for chart in ws._charts:  # anchors are cell names like "H4" until the file is saved
        letters, row = coordinate_from_string(chart.anchor)
        col = column_index_from_string(letters)
        last_col = max(last_col, col + int(chart.width / 1.7))
        rows = max(rows, row + int(chart.height * 2))
    for row in ws.iter_rows(max_row=min(ws.max_row, rows)):  # rows grown by charts
        filled = [c.column for c in row if c.value is not None]
        last_col = max([last_col, *filled])
    ws.print_area = f"A1:{get_column_letter(last_col)}{min(max(ws.max_row, 1), rows)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
