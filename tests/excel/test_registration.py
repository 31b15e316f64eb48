"""The VBA wrappers the workbook ships are exactly what xlwings' generator writes now."""

from tests.excel.windows_stub import vba_wrapper
from xlbizops.excel import registration


def test_shipped_wrappers_are_what_import_functions_would_write():
    fresh = vba_wrapper()
    assert fresh.count("\nEnd Function") == 33  # one wrapper per catalogue function
    assert registration.udf_wrapper_body() == fresh, (
        "stale: python -m tests.excel.windows_stub > xlbizops/excel/vba/xlwings_udfs.bas"
    )


def test_module_header_names_the_module():
    source = registration.udf_wrapper_source()
    assert source.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert registration.crlf("a\nb\r\nc") == "a\r\nb\r\nc"
