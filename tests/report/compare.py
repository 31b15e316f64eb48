"""Two reports compared cell by cell (every sheet), but for the About sheet's rows that
say where the log came from and how long each stage took."""

from __future__ import annotations

import math

import openpyxl

# About-sheet rows that say where the log came from and how long each stage took.
ABOUT_VARIES = ("source", "read as", "built at", "seconds")


def cells(path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        for r, row in enumerate(ws.iter_rows(values_only=True), 1):
            if ws.title == "About" and row and str(row[0]).lower().startswith(ABOUT_VARIES):
                continue
            for c, value in enumerate(row, 1):
                if value is not None:
                    out[(ws.title, r, c)] = value
    return out


def differences(a: dict, b: dict) -> list:
    out = []
    for key in sorted(set(a) | set(b), key=str):
        x, y = a.get(key), b.get(key)
        if isinstance(x, int | float) and isinstance(y, int | float):
            if math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                continue
        elif x == y:
            continue
        out.append((key, x, y))
    return out
