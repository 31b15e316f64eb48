"""Charts that follow the spills they draw.

A chart series is a fixed range (``'Trends'!$B$11:$B$34``).  When a refresh finds a
spill longer or shorter than before (a new month of orders), each series that draws
that spill's rows is stretched to the spill's new last row; nothing else changes.
"""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

CHART_PARTS = re.compile(r"^xl/charts/chart\d+\.xml$")
# <c:f> as XlsxWriter writes it; <f> in a default namespace once openpyxl saved it.
SERIES_RANGE = re.compile(rb"<((?:\w+:)?)f>([^<]+)</\1f>")


def stretched(reference: str, spills: dict[tuple[str, str], str]) -> str:
    """``'Trends'!$B$11:$B$34`` stretched to the last row of the spill it draws (the
    reference unchanged when it draws no spill, or is a single cell: a series name)."""
    sheet, _, cells = reference.rpartition("!")
    left, top, right, bottom = range_boundaries(cells.replace("$", ""))
    if top == bottom:
        return reference
    for (name, _), ref in spills.items():
        if name != sheet.strip("'"):
            continue
        s_left, s_top, s_right, s_bottom = range_boundaries(ref.replace("$", ""))
        if s_left <= left and right <= s_right and s_top <= top <= s_top + 1:
            if bottom == s_bottom:
                return reference
            return (
                f"{sheet}!${get_column_letter(left)}${top}:${get_column_letter(right)}${s_bottom}"
            )
    return reference


SERIES_FORMULA_RANGE = re.compile(r"((?:'[^']+'|[\w.]+)!\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)")


def stretched_series_formula(formula: str, spills: dict[tuple[str, str], str]) -> str:
    """A chart series' formula as Excel gives it (``=SERIES(name,x values,y values,1)``)
    with each range stretched to its spill (live Excel's charts, through xlwings)."""
    return SERIES_FORMULA_RANGE.sub(lambda m: stretched(m[1], spills), formula)


def follow_spills(parts: dict[str, bytes], spills: dict[tuple[str, str], str]) -> None:
    """Stretch chart series ranges in ``parts`` (a workbook file's charts) to the
    spills' current last rows."""

    def replace(match):
        prefix, text = match[1], match[2].decode("utf-8")
        new = stretched(text, spills)
        return match[0] if new == text else b"<%sf>%s</%sf>" % (prefix, new.encode(), prefix)

    for name in [n for n in parts if CHART_PARTS.match(n)]:
        parts[name] = SERIES_RANGE.sub(replace, parts[name])
