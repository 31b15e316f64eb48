"""A stand-in for Windows so xlwings' own Excel code runs on Linux.

Test equipment, never imported by the package: it replaces modules in
``sys.modules``.  ``python -m tests.excel.windows_stub`` prints the UDF wrapper module
that the workbook ships (``xlbizops/excel/vba/xlwings_udfs.bas``; a test keeps the two
equal).

xlwings' Windows engine (``xlwings._xlwindows``) and UDF server (``xlwings.udfs``)
import pywin32 modules at module level.  Stubbing ``pythoncom``, ``pywintypes``,
``win32com`` & co. lets us import them unchanged and run:

- the Windows engine's ``clean_value_data`` / ``prepare_xl_data_element``, i.e. the
  exact conversion of raw COM cell values (floats, None, error codes, dates) into
  what a UDF receives, and of a UDF's result into what Excel gets back;
- ``xlwings.udfs.generate_vba_wrapper``, the code behind the add-in's
  "Import Functions", which writes the VBA that Excel calls.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import io
import sys
import types
from unittest import mock

_WIN_MODULES = [
    "pythoncom",
    "win32api",
    "win32con",
    "win32gui",
    "win32process",
    "win32timezone",
    "win32com",
    "win32com.client",
    "win32com.client.gencache",
    "win32com.server",
    "win32com.server.util",
    "win32com.server.dispatcher",
    "win32com.server.policy",
]

# Raw COM error codes as Excel hands them to Python (xlwings._xlwindows.cell_errors).
COM_ERRORS = {"#N/A": -2146826246, "#DIV/0!": -2146826281, "#VALUE!": -2146826273}


class _TimeType:  # pywintypes.TimeType; only used in isinstance checks here
    pass


def install():
    """Import xlwings' Windows engine under stubs and register it as 'excel'."""
    import xlwings

    if "excel" in xlwings.engines.engines_by_name:
        return
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.TimeType = _TimeType
    pywintypes.com_error = type("com_error", (Exception,), {})
    sys.modules.setdefault("pywintypes", pywintypes)
    for name in _WIN_MODULES:
        sys.modules.setdefault(name, mock.MagicMock(name=name))
    sys.modules["pythoncom"].__file__ = "pythoncom311.dll"
    # Dates written back to Excel get a UTC tzinfo from win32timezone.
    sys.modules["win32timezone"].TimeZoneInfo.utc.return_value = dt.UTC
    patched = {n: getattr(ctypes, n, None) for n in ("windll", "oledll", "PyDLL")}
    try:
        ctypes.windll = ctypes.oledll = mock.MagicMock()
        ctypes.PyDLL = mock.MagicMock()
        from xlwings import _xlwindows
    finally:
        for name, value in patched.items():
            if value is None:
                delattr(ctypes, name)
            else:
                setattr(ctypes, name, value)
    from xlwings.main import Engine

    xlwings.engines.add(Engine(impl=_xlwindows.engine))


def udf_module():
    """``xlbizops.udfs`` decorated as on Windows, where xw.func/arg/ret record metadata.

    Off Windows ``xlwings.func`` and friends are pass-throughs; on Windows they are
    ``xlwings.udfs.xlfunc/xlarg/xlret``.  Point them there and re-import the module
    that defines the functions, then the public module that re-exports them.
    """
    install()
    import xlwings
    import xlwings.udfs

    import xlbizops.excel.udfs
    import xlbizops.udfs

    if not hasattr(xlbizops.udfs.EOQ, "__xlfunc__"):
        xlwings.func, xlwings.arg, xlwings.ret = (
            xlwings.udfs.xlfunc,
            xlwings.udfs.xlarg,
            xlwings.udfs.xlret,
        )
        importlib.reload(xlbizops.excel.udfs)
        importlib.reload(xlbizops.udfs)
    return xlbizops.udfs


def call(udf, *raw_args):
    """Call a UDF the way xlwings' ``call_udf`` does for values Excel passes.

    Each raw argument (a scalar, or a tuple of row tuples as COM delivers a range)
    goes through ``conversion.read`` with the argument's declared options; the
    result goes through ``conversion.write`` with the return options.  A 1×1 result
    (what Excel shows in a single cell) comes back as that one value.
    """
    from xlwings import conversion

    udf = getattr(udf_module(), udf.__name__)
    info = udf.__xlfunc__
    args = []
    for i, raw in enumerate(raw_args):
        arg = info["args"][min(i, len(info["args"]) - 1)]
        args.append(conversion.read(None, raw, arg["options"]))
    for arg in info["args"][len(raw_args) :]:  # omitted optional arguments
        args.append(arg.get("optional"))
    cells = conversion.write(udf(*args), None, info["ret"]["options"])
    if isinstance(cells, list) and len(cells) == 1 and len(cells[0]) == 1:
        return cells[0][0]
    return cells


def vba_wrapper() -> str:
    """The VBA module text that "Import Functions" generates for ``xlbizops.udfs``."""
    module = udf_module()
    import xlwings.udfs

    out = io.StringIO()
    book = types.SimpleNamespace(Name="xlbizops.xlsm")
    xlwings.udfs.generate_vba_wrapper(module.__name__, module, out, book)
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.write(vba_wrapper())
