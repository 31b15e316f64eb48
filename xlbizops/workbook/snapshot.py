"""A values snapshot of a computed workbook: every formula replaced by the value it
last computed, so the file shows the same numbers in any spreadsheet program and
never recalculates into ``#NAME?`` where the xlbizops functions are not installed."""

from __future__ import annotations

import re

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from xlbizops.workbook import formats, package
from xlbizops.workbook.dynamic_arrays import METADATA

STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
LAST_SERIAL = 2_958_465  # 9999-12-31: a larger number is no date


def values_snapshot(source, target, spills: dict | None = None) -> None:
    """Write ``target``: ``source`` with its formulas dropped and their cached values
    kept (text results move into the shared-string table), and without the
    dynamic-array metadata that only formulas use.  Charts, styles, tables and names
    are kept as they are.  ``spills`` ((sheet, anchor) → range, as the refresh found
    them) gives each spilled table's unformatted numbers the format its header names
    (``workbook.formats``): in the snapshot a date column shows dates, not serials."""

    def edit(parts: dict[str, bytes]) -> None:
        strings = etree.fromstring(parts[STRINGS])
        known = {_text(si): i for i, si in enumerate(strings)}
        sheets = package.sheet_parts(parts.__getitem__)
        by_part = {part: name for name, part in sheets.items()}
        styles = _Styles(parts[STYLES])
        for part in sheets.values():
            root = etree.fromstring(parts[part])
            for cell in root.iter(f"{{{package.MAIN}}}c"):
                formula = cell.find(f"{{{package.MAIN}}}f")
                if formula is None:
                    continue
                cell.remove(formula)
                cell.attrib.pop("cm", None)
                if cell.get("t") == "str":  # a formula's text result
                    value = cell.find(f"{{{package.MAIN}}}v")
                    text = value.text or ""
                    if text not in known:
                        item = etree.SubElement(strings, f"{{{package.MAIN}}}si")
                        etree.SubElement(item, f"{{{package.MAIN}}}t").text = text
                        known[text] = len(known)
                    cell.set("t", "s")
                    value.text = str(known[text])
            texts = [_text(si) for si in strings]
            for (sheet, _), ref in (spills or {}).items():
                if sheet == by_part[part]:
                    _format_spill(root, ref, texts, styles)
            parts[part] = package.xml_bytes(root)
        parts[STYLES] = styles.xml()
        strings.set("uniqueCount", str(len(strings)))
        strings.set("count", str(max(int(strings.get("count", "0")), len(strings))))
        parts[STRINGS] = package.xml_bytes(strings)
        if METADATA in parts:
            del parts[METADATA]
            parts[package.TYPES] = _without(
                parts[package.TYPES], rb"<Override[^>]*/xl/metadata\.xml[^>]*/>"
            )
            parts[package.BOOK_RELS] = _without(
                parts[package.BOOK_RELS], rb"<Relationship[^>]*sheetMetadata[^>]*/>"
            )

    package.rewrite(source, target, edit)


def _text(item) -> str:
    return "".join(item.itertext())


def _without(xml: bytes, element: bytes) -> bytes:
    return re.sub(element, b"", xml)


def _format_spill(root, ref: str, texts: list[str], styles: _Styles) -> None:
    """Give the unstyled numbers of the spilled table ``ref`` the format its column's
    name asks for: the name is the spill's own header row, or for a spill that has
    none (one column of results under a label) the label above it.  A spill that
    stacks a summary over a table (IMPACT_SERIES) has a second header row, all text:
    the numbers below it go by its names."""
    first_col, first_row, last_col, last_row = range_boundaries(
        ref if ":" in ref else f"{ref}:{ref}"
    )
    rows: dict[int, list] = {}
    for row in root.iter(f"{{{package.MAIN}}}row"):
        r = int(row.get("r"))
        if not first_row - 1 <= r <= last_row:
            continue
        for cell in row.iter(f"{{{package.MAIN}}}c"):
            col = column_index_from_string(cell.get("r").rstrip("0123456789"))
            value = cell.find(f"{{{package.MAIN}}}v")
            if first_col <= col <= last_col and value is not None:
                rows.setdefault(r, []).append((col, cell, value.text))
    columns: dict[tuple[int, str], list] = {}
    names: dict[int, str] = {}
    for r in sorted(rows):
        found = rows[r]
        text = [(col, texts[int(v)]) for col, cell, v in found if cell.get("t") == "s"]
        if r <= first_row or (len(text) >= 2 and len(text) == len(found)):
            names.update(text)  # a label above, the header row, or a later header row
        for col, cell, v in found:
            if r >= first_row and cell.get("t") in (None, "n") and cell.get("s", "0") == "0":
                columns.setdefault((col, names.get(col, "")), []).append((cell, float(v)))
    for (_, name), cells in columns.items():
        numbers = [v for _, v in cells]
        whole = all(abs(v - round(v)) <= 1e-9 * max(1.0, abs(v)) for v in numbers)
        is_date = (
            formats.names_a_date(name) and whole and all(0 < v <= LAST_SERIAL for v in numbers)
        )
        style = styles.index(formats.column_format(name, is_date, whole))
        for cell, _ in cells:
            cell.set("s", str(style))


class _Styles:
    """The workbook's style sheet, to which a cell format per number format is added."""

    def __init__(self, xml: bytes):
        self.root = etree.fromstring(xml)
        self.formats = self.root.find(f"{{{package.MAIN}}}numFmts")
        self.cells = self.root.find(f"{{{package.MAIN}}}cellXfs")
        self.added: dict[str, int] = {}

    def index(self, number_format: str) -> int:
        """The cellXfs index of a plain cell with ``number_format``."""
        if number_format not in self.added:
            if self.formats is None:  # the first custom format: its list comes first
                self.formats = etree.Element(f"{{{package.MAIN}}}numFmts")
                self.root.insert(0, self.formats)
            codes = {f.get("formatCode"): int(f.get("numFmtId")) for f in self.formats}
            if number_format not in codes:
                ids = [*codes.values(), 163]
                codes[number_format] = max(ids) + 1
                etree.SubElement(
                    self.formats, f"{{{package.MAIN}}}numFmt",
                    numFmtId=str(codes[number_format]), formatCode=number_format,
                )  # fmt: skip
            etree.SubElement(
                self.cells, f"{{{package.MAIN}}}xf", numFmtId=str(codes[number_format]),
                fontId="0", fillId="0", borderId="0", xfId="0", applyNumberFormat="1",
            )  # fmt: skip
            self.added[number_format] = len(self.cells) - 1
        return self.added[number_format]

    def xml(self) -> bytes:
        if self.formats is not None:
            self.formats.set("count", str(len(self.formats)))
        self.cells.set("count", str(len(self.cells)))
        return package.xml_bytes(self.root)
