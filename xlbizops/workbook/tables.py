"""Excel tables and their structured references (``Orders[amount]``) for the headless
refresh, whose formula engine reads only plain ranges.

A workbook's names point at table columns (``order_date = Orders[order_date]``), so
that Excel keeps them covering the data as the table grows.  For the engine, each
``Table[Column]`` is replaced by the column's current data rows, read from the table
definitions in the file.
"""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

STRUCTURED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\[([^\[\]#@]+)\]")


def table_columns(book) -> dict[tuple[str, str], str]:
    """(TABLE, COLUMN) upper-cased → the column's data rows, ``'Data'!$B$2:$B$2001``."""
    out = {}
    for ws in book.worksheets:
        for table in ws.tables.values():
            left, top, _, bottom = range_boundaries(table.ref)
            bottom -= table.totalsRowCount or 0
            first = top + (0 if table.headerRowCount == 0 else 1)
            sheet = ws.title.replace("'", "''")
            for j, column in enumerate(table.tableColumns):
                letter = get_column_letter(left + j)
                out[(table.name.upper(), column.name.upper())] = (
                    f"'{sheet}'!${letter}${first}:${letter}${max(bottom, first)}"
                )
    return out


def resolve(text: str, columns: dict[tuple[str, str], str]) -> str:
    """``text`` with every known ``Table[Column]`` replaced by its plain range."""

    def plain(match):
        key = (match[1].upper(), match[2].strip().upper())
        return columns.get(key, match[0])

    return STRUCTURED.sub(plain, text)


def resolve_in_book(book) -> list:
    """Replace structured references in names and formulas of ``book`` (an openpyxl
    workbook) by plain ranges; returns what :func:`restore` needs to undo it."""
    columns = table_columns(book)
    undo = []
    if not columns:
        return undo
    for name in book.defined_names.values():
        text = name.attr_text or ""
        resolved = resolve(text, columns)
        if resolved != text:
            undo.append((name, "attr_text", text))
            name.attr_text = resolved
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    resolved = resolve(value.text, columns)
                    if resolved != value.text:
                        undo.append((value, "text", value.text))
                        value.text = resolved
                elif isinstance(value, str) and value.startswith("=") and "[" in value:
                    resolved = resolve(value, columns)
                    if resolved != value:
                        undo.append((cell, "value", value))
                        cell.value = resolved
    return undo


def restore(undo: list) -> None:
    for target, attribute, value in reversed(undo):
        setattr(target, attribute, value)
