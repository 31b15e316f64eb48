"""The conversion rules of the Excel boundary, one by one."""

import datetime as dt

import numpy as np
import pytest

from xlbizops.core import InputError
from xlbizops.excel import cells


def test_rows_of_accepts_what_excel_and_python_callers_pass():
    assert cells.rows_of(5.0) == [[5.0]]
    assert cells.rows_of([1.0, 2.0]) == [[1.0], [2.0]]  # a 1-D list is a column
    assert cells.rows_of([[1.0, 2.0], [3.0, 4.0]]) == [[1.0, 2.0], [3.0, 4.0]]
    assert cells.rows_of(((1.0,), (2.0,))) == [[1.0], [2.0]]
    assert cells.rows_of(np.array([[1.0], [2.0]])) == [[1.0], [2.0]]


def test_column_refuses_a_block():
    with pytest.raises(InputError, match="x must be a single column \\(got 2 columns\\)"):
        cells.column("x", [[1.0, 2.0], [3.0, 4.0]])
    assert cells.column("x", [[1.0, 2.0, 3.0]]) == [1.0, 2.0, 3.0]  # one row is fine


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blanks_are_none_empty_text_or_spaces(blank):
    assert np.isnan(cells.numbers("x", [1.0, blank])[1])


@pytest.mark.parametrize(
    ("cell", "described"),
    [
        ("12", "text '12'"),  # numbers stored as text are not guessed at
        (True, "TRUE"),
        ("#DIV/0!", "the error #DIV/0!"),
        (-2146826281, "the error an Excel error"),  # raw COM code, if err_to_str were off
        (dt.datetime(2024, 1, 2), "the date 2024-01-02"),
        ("a very long piece of text indeed", "text 'a very long piece...'"),
    ],
)
def test_numbers_name_the_offending_cell(cell, described):
    with pytest.raises(InputError) as err:
        cells.numbers("qty", [1.0, 2.0, cell])
    assert str(err.value) == f"qty row 3 holds {described}, not a number"


def test_excel_serials_follow_the_1900_date_system():
    got = cells.dates("d", [61.0, 45292.0, 45292.5, None])
    assert str(got[0])[:10] == "1900-03-01"
    assert str(got[1])[:10] == "2024-01-01"
    assert str(got[2])[:19] == "2024-01-01T12:00:00"
    assert np.isnat(got[3])


def test_dates_from_date_cells_and_iso_text_agree_with_serials():
    got = cells.dates("d", [dt.datetime(2024, 1, 1), "2024-01-01", 45292.0, dt.date(2024, 1, 1)])
    assert len({str(x) for x in got}) == 1


@pytest.mark.parametrize("serial", [0.0, 60.0, -5.0, 3e6])
def test_serials_outside_real_dates_are_refused(serial):
    with pytest.raises(InputError, match="which is not a date after 1900-03-01"):
        cells.dates("d", [serial])


def test_labels_keep_text_and_make_whole_numbers_ints():
    assert cells.labels("id", [" C1 ", 1001.0, 7.5, None]).tolist() == ["C1", 1001, 7.5, None]


def test_aligned_drops_trailing_blank_rows_and_skips_inner_ones():
    used, x = cells.aligned(a=np.array([1.0, np.nan, 3.0, np.nan]), b=np.array([2.0]))
    assert used.tolist() == [True, False, True]
    assert x["b"].tolist() == [2.0, 2.0, 2.0]


def test_optional_and_flag():
    assert cells.optional(None, 5) == 5
    assert cells.optional([[None]], 5) == 5
    assert cells.optional([["stl"]], "classical") == "stl"
    assert cells.flag("s", None, True) is True
    assert cells.flag("s", 0.0, True) is False
    assert cells.flag("s", "FALSE", True) is False
    with pytest.raises(InputError, match="s must be TRUE or FALSE"):
        cells.flag("s", "maybe", True)


def test_to_cells_turns_missing_values_into_blank_cells():
    import pandas as pd

    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]})
    assert cells.to_cells(frame) == [["a", "b"], [1.0, "x"], [None, None]]


def test_excel_serial_is_what_excel_stores_and_reads_back():
    # Excel shows 45658 for 2025-01-01 and 61 for 1900-03-01 (1900 date system).
    assert cells.excel_serial(dt.date(2025, 1, 1)) == 45658.0
    assert cells.excel_serial(dt.datetime(2025, 1, 1, 18)) == 45658.75
    assert cells.excel_serial(dt.date(1900, 3, 1)) == 61.0
    back = cells.dates("d", [cells.excel_serial(dt.datetime(2024, 2, 29, 6))])[0]
    assert back == np.datetime64("2024-02-29T06:00")


def test_all_blank_for_any_shape():
    assert cells.all_blank(None) and cells.all_blank([[None, " "], ["", None]])
    assert not cells.all_blank([[None], [0.0]])
