"""Writing data into cells so that it stays data.

Text that starts with ``=``, ``+``, ``-`` or ``@`` is what a spreadsheet takes for a
formula.  Order data copied from a shop export can hold such text (a customer named
``=HYPERLINK(...)``): it is always written as text, never run (spreadsheet formula
injection, OWASP "CSV injection").
"""

from __future__ import annotations

import math

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


def as_text(rows: list[list]) -> list[list]:
    """Rows for a live workbook (xlwings): text that looks like a formula gets a leading
    apostrophe, which Excel keeps as "this is text" and does not show."""
    return [[f"'{v}" if looks_like_formula(v) else v for v in row] for row in rows]
