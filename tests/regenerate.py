"""Regenerate every artefact written from the code, in one command:

    python -m tests.regenerate

- ``docs/functions.md``: the function reference, from the catalogue;
- ``xlbizops/excel/vba/xlwings_udfs.bas``: the VBA wrappers classic xlwings needs,
  written by xlwings' own generator (run on Linux through ``tests.excel.windows_stub``);
- ``workbooks/xlbizops.xlsx`` and ``.xlsm``: the template workbooks.

The tests say when one is stale (``test_docs_functions_md_is_up_to_date``,
``test_shipped_wrappers_are_what_import_functions_would_write``, the template tests).
"""

from __future__ import annotations

from pathlib import Path

from tests.excel.windows_stub import vba_wrapper
from xlbizops.excel.catalogue import render_markdown
from xlbizops.template.build import build_templates

ROOT = Path(__file__).parents[1]


def regenerate() -> list[Path]:
    docs = ROOT / "docs" / "functions.md"
    docs.write_text(render_markdown() + "\n", encoding="utf-8")
    wrappers = ROOT / "xlbizops" / "excel" / "vba" / "xlwings_udfs.bas"
    with open(wrappers, "w", encoding="utf-8", newline="") as out:
        out.write(vba_wrapper())
    return [docs, wrappers, *build_templates(ROOT / "workbooks")]


if __name__ == "__main__":
    for path in regenerate():
        print(f"wrote {path.relative_to(ROOT)}")
