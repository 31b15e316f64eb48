"""A values snapshot of a computed workbook: every formula replaced by the value it
last computed, so the file shows the same numbers in any spreadsheet program and
never recalculates into ``#NAME?`` where the xlbizops functions are not installed."""

from __future__ import annotations

import re

from lxml import etree

from xlbizops.workbook import package
from xlbizops.workbook.dynamic_arrays import METADATA

STRINGS = "xl/sharedStrings.xml"


def values_snapshot(source, target) -> None:
    """Write ``target``: ``source`` with its formulas dropped and their cached values
    kept (text results move into the shared-string table), and without the
    dynamic-array metadata that only formulas use.  Charts, styles, tables and names
    are kept as they are."""

    def edit(parts: dict[str, bytes]) -> None:
        strings = etree.fromstring(parts[STRINGS])
        known = {_text(si): i for i, si in enumerate(strings)}
        for part in package.sheet_parts(parts.__getitem__).values():
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
            parts[part] = package.xml_bytes(root)
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
