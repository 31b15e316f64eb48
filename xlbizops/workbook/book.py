"""What a ribbon action may do to a workbook (:class:`Book`).

The actions (``xlbizops.macros``) are written once against :class:`Book`.  Adapters:
``xlbizops.workbook.filebook.FileBook`` for a workbook file (openpyxl plus the
headless refresh), ``xlbizops.macros.ExcelBook`` for live Excel (xlwings) and
``xlbizops.lite.LiteBook`` for xlwings Lite.

The order log sits on the :data:`DATA_SHEET` sheet, as the Excel table :data:`TABLE`,
header row first; each column is also a workbook name (``order_date`` ...).
"""

from __future__ import annotations

from pathlib import Path

DATA_SHEET = "Data"
TABLE = "Orders"


class Book:
    """What an action may do to a workbook."""

    status = ""

    def active_sheet(self) -> str: ...
    def recalculate(self, sheet: str | None = None) -> None: ...
    def data_rows(self) -> list[list]: ...
    def replace_data(self, rows: list[list]) -> None: ...
    def write_sheet(self, sheet: str, rows: list[list]) -> None: ...
    def import_functions(self) -> str | None: ...  # a message, or None: imported
    def path(self) -> Path: ...

    def say(self, text: str) -> None:
        self.status = text


def column_letter(index: int) -> str:
    """Column letter of a 0-based column index (0 → A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
