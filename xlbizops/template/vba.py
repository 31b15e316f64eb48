"""The macro workbook's VBA project and ribbon, made on Linux from source text.

Modules of the project (all source, no binary made by hand):

- ``xlbizops_ribbon`` — the ribbon callbacks, ``vba/xlbizops_ribbon.bas`` here;
- ``xlwings`` and its ``Dictionary`` class — xlwings' standalone VBA, read from the
  ``quickstart_standalone.xlsm`` inside the pinned xlwings wheel (BSD-3; its
  notice is at the top of the module), so the workbook needs no separate add-in
  for RunPython and the UDFs;
- ``xlwings_udfs`` — the wrappers the add-in's "Import Functions" would write
  (``xlbizops.excel.registration``), so formulas work on first open.

pyOpenVBA (MIT) writes the project; its template references the Office library
that ``IRibbonControl`` needs.  The ribbon is ``customUI/customUI.xml`` with the
2006 relationship type, which openpyxl keeps on save (the 2010 part it drops).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from xlbizops.excel.registration import (
    HELP_MODULE,
    UDF_MODULE,
    crlf,
    function_help_source,
    udf_wrapper_source,
)
from xlbizops.workbook import package

MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
BOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
RIBBON_PART = "customUI/customUI.xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
RIBBON_MODULE = "xlbizops_ribbon"
XLWINGS_MODULES = ("xlwings", "Dictionary")


def ribbon_source() -> str:
    return _resource("xlbizops_ribbon.bas")


def ribbon_xml() -> str:
    return _resource("customUI.xml")


def _resource(name: str) -> str:
    return resources.files("xlbizops.template").joinpath("vba", name).read_text("utf-8")


def xlwings_sources() -> dict[str, str]:
    """xlwings' VBA module and Dictionary class, as the pinned wheel ships them."""
    import xlwings
    from pyopenvba import ExcelFile

    standalone = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    with ExcelFile(standalone) as book:
        modules = book.vba_modules()
    return {name: modules[name] for name in XLWINGS_MODULES}


def embedded_xlwings_version(book) -> str | None:
    """The xlwings version a macro workbook's VBA is for: its xlwings module loads
    ``xlwings64-<XLWINGS_VERSION>.dll`` by that exact name (None: no xlwings module)."""
    import re

    from pyopenvba import ExcelFile

    with ExcelFile(Path(book)) as opened:
        source = opened.vba_modules().get("xlwings", "")
    found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', source)
    return found.group(1) if found else None


def project_sources() -> dict[str, str]:
    """Every standard or class module the project gets, by name."""
    return {
        RIBBON_MODULE: ribbon_source(),
        UDF_MODULE: udf_wrapper_source(),
        HELP_MODULE: function_help_source(),
        **xlwings_sources(),
    }


def make_macro_workbook(sheets_file, target) -> None:
    """``sheets_file`` (an .xlsx) as a macro workbook with the project and the ribbon."""
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    target = Path(target)
    package.rewrite(sheets_file, target, _macro_parts)
    with ExcelFile(target) as book:
        project = book.add_vba_project()
        for name, source in project_sources().items():
            kind = VBAModuleKind.other if name == "Dictionary" else VBAModuleKind.standard
            project.add_module(name, crlf(source), kind=kind)
        book.save()


def _macro_parts(parts: dict[str, bytes]) -> None:
    """Macro-enabled workbook content type, and the ribbon part with its relationship."""
    types = parts[package.TYPES].decode("utf-8")
    parts[package.TYPES] = types.replace(BOOK_CONTENT_TYPE, MACRO_CONTENT_TYPE).encode("utf-8")
    parts[RIBBON_PART] = ribbon_xml().encode("utf-8")
    parts[package.ROOT_RELS] = package.add_relationship(
        parts[package.ROOT_RELS], "rIdXlbizopsRibbon", RIBBON_REL, RIBBON_PART
    )
