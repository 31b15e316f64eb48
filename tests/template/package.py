"""Read a workbook package the way the checks need it: parts, XML, formulas, names."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from xlbizops.workbook.package import MAIN, sheet_parts

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ROOT / "workbooks"


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def sheet_xml(path) -> dict[str, etree._Element]:
    """Sheet name → parsed sheet part."""
    with zipfile.ZipFile(path) as package:
        return {
            name: etree.fromstring(package.read(part))
            for name, part in sheet_parts(package.read).items()
        }


def array_cells(root) -> dict[str, etree._Element]:
    """Cells holding an array formula: coordinate → <c> element."""
    found = {}
    for cell in root.iter(f"{{{MAIN}}}c"):
        formula = cell.find(f"{{{MAIN}}}f")
        if formula is not None and formula.get("t") == "array":
            found[cell.get("r")] = cell
    return found


def describe(path) -> dict:
    """What a fresh build must reproduce: sheets, formulas, constants, names, parts."""
    book = load_workbook(path)
    formulas, constants = {}, {}
    for sheet in book.worksheets:
        spilled = set()
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula):
                    block = sheet[cell.value.ref]
                    block = block if isinstance(block, tuple) else ((block,),)
                    spilled |= {c.coordinate for r in block for c in r}
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    formulas[(sheet.title, cell.coordinate)] = (value.text, value.ref)
                elif isinstance(value, str) and value.startswith("="):
                    formulas[(sheet.title, cell.coordinate)] = (value, None)
                elif value is not None and sheet.title != "Data" and cell.coordinate not in spilled:
                    constants[(sheet.title, cell.coordinate)] = value
    data = [tuple(r) for r in book["Data"].iter_rows(values_only=True)]
    names = {name: item.attr_text for name, item in book.defined_names.items()}
    return {
        "sheets": book.sheetnames,
        "formulas": formulas,
        "constants": constants,
        "data": data,
        "names": names,
        "parts": sorted(parts(path)),
    }


def refreshed_with_orders(folder: Path, orders, keep_sample: bool = True) -> Path:
    """The committed template with ``orders`` (a frame of the Data sheet's columns) on
    its Data sheet, written as Excel grows a table (rows under it, the table's range
    extended over them; or in place of the sample with ``keep_sample=False``), then
    refreshed headlessly (``xlbizops refresh``); the refreshed copy's path."""
    import shutil

    import pandas as pd

    from xlbizops.cli import main
    from xlbizops.workbook.dynamic_arrays import keep_dynamic_arrays

    before, grown = folder / "before.xlsm", folder / "grown.xlsm"
    shutil.copyfile(WORKBOOKS / "xlbizops.xlsm", before)
    book = load_workbook(before, keep_vba=True)
    data = book["Data"]
    if not keep_sample:
        data.delete_rows(2, data.max_row)
    for record in orders.astype(object).where(orders.notna(), None).itertuples(index=False):
        data.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in record])
    data.tables["Orders"].ref = f"A1:R{data.max_row}"  # what Excel does as the table grows
    book.save(grown)
    keep_dynamic_arrays(before, grown)
    out = folder / "refreshed.xlsm"
    assert main(["refresh", str(grown), "-o", str(out)]) == 0
    return out
