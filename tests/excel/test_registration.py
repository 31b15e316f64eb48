"""The VBA wrappers the workbook ships are exactly what xlwings' generator writes now."""

from tests.excel.windows_stub import vba_wrapper
from xlbizops.excel import registration
from xlbizops.excel.names import function_names


def test_shipped_wrappers_are_what_import_functions_would_write():
    fresh = vba_wrapper()
    assert fresh.count("\nEnd Function") == len(function_names())  # one per function
    assert registration.udf_wrapper_body() == fresh, (
        "stale: python -m tests.excel.windows_stub > xlbizops/excel/vba/xlwings_udfs.bas"
    )


def test_module_header_names_the_module():
    source = registration.udf_wrapper_source()
    assert source.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert registration.crlf("a\nb\r\nc") == "a\r\nb\r\nc"


FAKE_APPLICATION = """Public Calls As Collection

Private Sub Class_Initialize()
    Set Calls = New Collection
End Sub

Public Sub MacroOptions(Optional Macro As Variant, Optional Description As Variant, _
        Optional Category As Variant, Optional ArgumentDescriptions As Variant)
    Calls.Add Macro & Chr(1) & Description & Chr(1) & Category & Chr(1) & _
        Join(ArgumentDescriptions, Chr(2))
End Sub
"""

HARNESS = """Public Function Registered() As String
    Dim app As New FakeApplication
    RegisterFunctionHelp app
    Dim out As String, call_ As Variant
    For Each call_ In app.Calls
        out = out & call_ & Chr(3)
    Next call_
    Registered = out
End Function
"""


def test_function_help_is_registered_on_open_for_every_catalogue_function():
    """The generated module, run by pyOpenVBA's VBA interpreter with a stand-in for
    Excel's Application that records each MacroOptions call."""
    from pyopenvba.apps.excel import ExcelApplication

    from tests.template.package import WORKBOOKS
    from xlbizops.excel.catalogue import entries

    source = registration.function_help_source()
    assert (
        "    RegisterFunctionHelp Application\n    If unchanged Then ThisWorkbook.Saved = True"
        in (source[source.index("Public Sub Auto_Open()") :])
    )
    app = ExcelApplication.open(WORKBOOKS / "xlbizops.xlsm", with_vba=False)
    app.add_module(source.split("\n", 1)[1], name=registration.HELP_MODULE)
    app.add_module(FAKE_APPLICATION, name="FakeApplication", kind="class")
    app.add_module(HARNESS, name="harness")
    calls = [c.split("\x01") for c in app.run("Registered").split("\x03") if c]
    expected = entries()
    assert len(calls) == len(expected) == len(function_names())
    for (macro, description, category, arguments), entry in zip(calls, expected, strict=True):
        assert macro == f"'xlbizops.xlsm'!{entry.name}"
        assert description == " ".join(entry.description.split())[:255]
        assert category == "xlbizops"
        assert arguments.split("\x02") == [" ".join(a.doc.split()) for a in entry.arguments]
