"""One flag vocabulary (issue 21): the Excel functions' cells, the file readers and the
engines read the same words the same way (orderlog.values.flag_of).  Before, the cells
took true/yes, the file reader also y and x, and error_flags in a cell only 0/1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlbizops.core import validation
from xlbizops.core.errors import InputError
from xlbizops.excel import cells, udfs
from xlbizops.orderlog.values import flag_of
from xlbizops.report import inputs, sources

# text as a file or a database holds it -> the flag (by hand)
WORDS = {
    "TRUE": 1.0, " yes ": 1.0, "Y": 1.0, "x": 1.0, "1": 1.0, "1.0": 1.0,
    "false": 0.0, "No": 0.0, "n": 0.0, "0": 0.0, "0.0": 0.0, "": 0.0,
}  # fmt: skip


def test_the_one_reading_of_a_flag():
    assert {word: flag_of(word) for word in WORDS} == WORDS
    assert [flag_of(v) for v in (True, False, 1, 0, 1.0, None, np.nan)] == [1, 0, 1, 0, 1, 0, 0]
    assert flag_of("maybe") is None and flag_of(2) is None


def test_excel_cells_read_every_word_and_refuse_the_rest():
    for word, expected in WORDS.items():
        if word.strip():
            assert cells.flag("standardize", word, not expected) is bool(expected), word
    read = validation.flags("error_flags", np.array(list(WORDS), dtype=object), len(WORDS))
    assert list(read) == list(WORDS.values())
    with pytest.raises(InputError, match=r"error_flags must be 1/0, TRUE/FALSE or yes/no "
                                         r"\(got 'maybe' in row 2\)"):  # fmt: skip
        validation.flags("error_flags", np.array(["yes", "maybe"], dtype=object), 2)
    kpis = udfs.ORDER_KPIS(
        [[45658]] * 2, [[45659]] * 2, [[45660]] * 2, [[45661]] * 2, None, [["yes"], ["maybe"]]
    )
    assert (
        kpis == "ORDER_KPIS: error_flags must be 1/0, TRUE/FALSE or yes/no (got 'maybe' in row 2)"
    )


def log() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": [f"O{i:02d}" for i in range(len(WORDS))],
        "order_date": ["2026-01-05"] * len(WORDS),
        "customer_id": ["C1"] * len(WORDS),
        "amount": ["10"] * len(WORDS),
        "error_flag": list(WORDS),
    })  # fmt: skip


def test_the_file_reader_and_the_engine_read_them_alike():
    frame = log()
    intake = inputs.Intake(source="log")
    columns = inputs.resolve_columns(list(frame.columns), {})
    lines = inputs.clean_orders(frame, columns, intake, latest=pd.Timestamp("2026-01-31"))
    assert list(lines.sort_values("order_id")["error_flag"]) == list(WORDS.values())
    con = sources.duckdb_connection()
    con.create_table("orders", frame)
    source = sources.Source(con.table("orders"), "orders", con)
    cleaned = sources.clean(source, {}, inputs.Intake(source="orders"), latest="2026-01-31")
    got = cleaned.select("order_id", "error_flag").to_pandas().sort_values("order_id")
    assert list(got["error_flag"]) == list(WORDS.values())


def test_a_date_where_a_flag_belongs_is_refused_by_name_and_row():
    """Hypothesis found it: a date in error_flags raised pandas' 'Cannot cast
    DatetimeArray to dtype float64' (an internal error in the cell), not a message."""
    import datetime as dt

    with pytest.raises(InputError, match=r"error_flags must be 1/0, TRUE/FALSE or yes/no "
                                         r"\(got the date 2000-01-01 in row 2\)"):  # fmt: skip
        validation.flags("error_flags", [1, dt.datetime(2000, 1, 1)], 2)
    with pytest.raises(InputError, match=r"\(got the date 2000-01-01\)"):
        validation.flags("error_flags", [dt.datetime(2000, 1, 1)], 1)
    assert validation.flags("error_flags", pd.Series([pd.NaT]), 1).tolist() == [0.0]
