"""Dynamic-array metadata: what makes Excel 365 spill a formula instead of showing
``=@RFM_SCORE(...)``.

A spilled formula is ``<f t="array" ref=...>`` plus a ``cm`` attribute on its cell that
points into ``xl/metadata.xml`` (the XLDAPR ``fDynamic`` flag).  XlsxWriter writes
them; openpyxl drops both on save, and :func:`keep_dynamic_arrays` puts them back.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from xlbizops.workbook import package

METADATA = "xl/metadata.xml"
METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"


def keep_dynamic_arrays(original, saved) -> None:
    """Put back what openpyxl drops on save: the dynamic-array metadata part and the
    ``cm`` attribute of spilled formula cells (without them Excel shows ``=@RFM_SCORE(...)``)."""
    with zipfile.ZipFile(original) as old:
        if METADATA not in old.namelist():
            return
        metadata = old.read(METADATA)
        marked = {}
        for sheet, part in package.sheet_parts(old.read).items():
            root = etree.fromstring(old.read(part))
            cells = root.iter(f"{{{package.MAIN}}}c")
            marked[sheet] = {c.get("r"): c.get("cm") for c in cells if c.get("cm")}

    def edit(parts: dict[str, bytes]) -> None:
        sheets = package.sheet_parts(parts.__getitem__)
        for sheet, cells in marked.items():
            if sheet not in sheets or not cells:
                continue
            root = etree.fromstring(parts[sheets[sheet]])
            for cell in root.iter(f"{{{package.MAIN}}}c"):
                if cell.get("r") in cells and cell.find(f"{{{package.MAIN}}}f") is not None:
                    cell.set("cm", cells[cell.get("r")])
            parts[sheets[sheet]] = package.xml_bytes(root)
        parts[METADATA] = metadata
        parts[package.TYPES] = package.add_override(parts[package.TYPES], METADATA, METADATA_TYPE)
        parts[package.BOOK_RELS] = package.add_relationship(
            parts[package.BOOK_RELS], "rIdXlbizopsMetadata", METADATA_REL, "metadata.xml"
        )

    package.rewrite(saved, saved, edit)
