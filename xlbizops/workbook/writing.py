"""Writing data into cells so that it stays data.

Text that starts with ``=``, ``+``, ``-`` or ``@`` is what a spreadsheet takes for a
formula.  Order data copied from a shop export can hold such text (a customer named
``=HYPERLINK(...)``): it is always written as text, never run (spreadsheet formula
injection, OWASP "CSV injection").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def plain(value):
    """A value a workbook stores as data: NumPy scalars unwrapped, NaN/NaT blank."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is pd.NaT:
        return None
    return value


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell of an openpyxl worksheet.  Text that looks like a formula stays text."""
    cell = ws.cell(row=row, column=col, value=plain(value))
    if looks_like_formula(cell.value):
        cell.data_type = "s"  # never a formula
    if number_format:
        cell.number_format = number_format
    return cell


def write_cell(ws, row: int, col: int, value, cell_format=None) -> int:
    """Write one value into an XlsxWriter worksheet (row and column counted from 0) by
    its type: text always through ``write_string``, so it is never taken for a
    formula, numbers, booleans and dates as themselves; a blank writes nothing unless
    it has a format.  Returns XlsxWriter's code (-1: outside the sheet, or above a row
    already streamed)."""
    value = plain(value)
    if value is None:
        return ws.write_blank(row, col, None, cell_format) if cell_format is not None else 0
    if isinstance(value, str):
        return ws.write_string(row, col, value, cell_format)
    if isinstance(value, bool):
        return ws.write_boolean(row, col, value, cell_format)
    if isinstance(value, int | float):
        return ws.write_number(row, col, value, cell_format)
    if isinstance(value, dt.datetime | dt.date):
        return ws.write_datetime(row, col, value, cell_format)
    return ws.write_string(row, col, str(value), cell_format)


def as_text(rows: list[list]) -> list[list]:
    """Rows for a live workbook (xlwings): text that looks like a formula gets a leading
    apostrophe, which Excel keeps as "this is text" and does not show."""
    return [[f"'{v}" if looks_like_formula(v) else v for v in row] for row in rows]


SCRATCH_PREFIX = "xlbizops-xlsx-"  # + pid: XlsxWriter's temporary files of one run


@contextlib.contextmanager
def xlsx_scratch():
    """A folder for XlsxWriter's temporary files (its ``tmpdir``), removed however the
    writing ends (Ctrl-C included); those of runs killed outright are removed by the
    next run."""
    from xlbizops.workbook.atomic import remove_stale_temporaries

    base = Path(tempfile.gettempdir())
    remove_stale_temporaries(base, SCRATCH_PREFIX)
    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
