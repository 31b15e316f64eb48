"""A workbook's own xlwings settings: its ``xlwings.conf`` sheet, key in column A and
value in column B, which xlwings' VBA reads before the user's global xlwings.conf.
Settings kept there (the interpreter, the UDF modules) wire one workbook without
touching the user's other xlwings projects."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from xlbizops.workbook.package import MAIN, rewrite, sheet_parts, xml_bytes

SHEET = "xlwings.conf"
_NS = {"m": MAIN}


def _shared_strings(read) -> list[str]:
    try:
        root = etree.fromstring(read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    return ["".join(si.itertext()) for si in root.iterfind("m:si", _NS)]


def _text(cell, shared: list[str]) -> str:
    kind = cell.get("t")
    if kind == "s":
        return shared[int(cell.findtext("m:v", "0", _NS))]
    if kind == "inlineStr":
        return "".join(cell.find("m:is", _NS).itertext())
    return cell.findtext("m:v", "", _NS)


def read_settings(path: Path) -> dict[str, str]:
    """Key -> value of the workbook's xlwings.conf sheet (empty if it has none)."""
    with zipfile.ZipFile(path) as package:
        parts = sheet_parts(package.read)
        if SHEET not in parts:
            return {}
        shared = _shared_strings(package.read)
        root = etree.fromstring(package.read(parts[SHEET]))
    settings = {}
    for row in root.iterfind("m:sheetData/m:row", _NS):
        cells = {c.get("r", "")[:1]: _text(c, shared) for c in row.iterfind("m:c", _NS)}
        if cells.get("A", "").strip():
            settings[cells["A"].strip()] = cells.get("B", "").strip()
    return settings


def write_settings(path: Path, updates: dict[str, str]) -> None:
    """Set keys of the workbook's xlwings.conf sheet (compared without case, as xlwings
    reads them), keeping the others; the rest of the package is kept byte for byte."""
    settings = read_settings(path)
    for key, value in updates.items():  # an existing key keeps its spelling and place
        existing = next((k for k in settings if k.lower() == key.lower()), key)
        settings[existing] = value

    def edit(parts: dict[str, bytes]) -> None:
        name = sheet_parts(parts.__getitem__)[SHEET]
        root = etree.fromstring(parts[name])
        data = root.find("m:sheetData", _NS)
        for row in list(data):
            data.remove(row)
        for number, (key, value) in enumerate(settings.items(), start=1):
            row = etree.SubElement(data, f"{{{MAIN}}}row", r=str(number))
            for column, text in (("A", key), ("B", value)):
                cell = etree.SubElement(row, f"{{{MAIN}}}c", r=f"{column}{number}", t="inlineStr")
                etree.SubElement(
                    etree.SubElement(cell, f"{{{MAIN}}}is"), f"{{{MAIN}}}t"
                ).text = text
        dimension = root.find("m:dimension", _NS)
        if dimension is not None:
            dimension.set("ref", f"A1:B{max(len(settings), 1)}")
        parts[name] = xml_bytes(root)

    rewrite(path, path, edit)
