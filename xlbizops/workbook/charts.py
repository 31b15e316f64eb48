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


def follow_spills(parts: dict[str, bytes], spills: dict[tuple[str, str], str]) -> None:
    """Stretch chart series ranges in ``parts`` to the spills' current last rows."""
    by_sheet: dict[str, list[tuple[int, int, int, int]]] = {}
    for (sheet, _), ref in spills.items():
        by_sheet.setdefault(sheet, []).append(range_boundaries(ref))

    def stretched(match):
        prefix, text = match[1], match[2].decode("utf-8")
        sheet, _, cells = text.rpartition("!")
        left, top, right, bottom = range_boundaries(cells.replace("$", ""))
        if top == bottom:  # a single cell: a series name, not data
            return match[0]
        for s_left, s_top, s_right, s_bottom in by_sheet.get(sheet.strip("'"), []):
            if s_left <= left and right <= s_right and s_top <= top <= s_top + 1:
                if bottom == s_bottom:
                    return match[0]
                ref = f"${get_column_letter(left)}${top}:${get_column_letter(right)}${s_bottom}"
                return b"<%sf>%s</%sf>" % (prefix, f"{sheet}!{ref}".encode(), prefix)
        return match[0]

    for name in [n for n in parts if CHART_PARTS.match(n)]:
        parts[name] = SERIES_RANGE.sub(stretched, parts[name])
