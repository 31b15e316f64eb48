"""Property tests: whatever mix of cells Excel hands over, a UDF returns either the
right answer or one readable line naming the function - never an exception, never
an 'unexpected' internal failure."""

import datetime as dt
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.excel.windows_stub import COM_ERRORS, call, udf_module

udfs = udf_module()

numbers = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from([1e308, -1e308, 1e101, 5e-324, -0.0, 1e-300]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**6), 10**6).map(float),
)
cells = st.one_of(
    numbers,
    st.none(),
    st.text(max_size=8),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(sorted(COM_ERRORS.values())),
    st.sampled_from(["#N/A", "#VALUE!", "=SUM(A1:A3)", "", "  "]),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def column(values):
    return tuple((v,) for v in values)


def assert_message(out, name):
    assert isinstance(out, str), out
    assert out.startswith(f"{name}: "), out
    assert "unexpected" not in out and "Traceback" not in out, out
    assert len(out) <= 255 and "\n" not in out


def _is_number(cell):
    return isinstance(cell, float) and not isinstance(cell, bool)


@given(st.lists(cells, min_size=1, max_size=12), numbers, numbers)
@SETTINGS
def test_eoq_any_cells(demand, order_cost, holding_cost):
    out = call(udfs.EOQ, column(demand), order_cost, holding_cost)
    if isinstance(out, str):
        assert_message(out, "EOQ")
        return
    rows = out if isinstance(out, list) else [[out]]
    assert len(rows) <= len(demand)
    for cell, (q,) in zip(demand, rows, strict=False):
        if _is_number(cell) and q != "":
            expected = math.sqrt(2 * cell * order_cost / holding_cost)
            assert math.isclose(q, expected, rel_tol=1e-9)


@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(["A", "B", "C"]), cells),
            st.one_of(st.floats(45000, 46000), cells),
            st.one_of(numbers, cells),
        ),
        min_size=1,
        max_size=12,
    )
)
@SETTINGS
def test_rfm_any_cells(rows):
    ids, dates, amounts = (column(c) for c in zip(*rows, strict=True))
    out = call(udfs.RFM_SCORE, ids, dates, amounts)
    if isinstance(out, str):
        assert_message(out, "RFM_SCORE")
        return
    assert out[0][0] == "customer_id"
    clean = [r for r in rows if all(c is not None for c in r)]
    assert sum(r[2] for r in out[1:]) == len(clean)  # every order counted once


@given(st.lists(st.one_of(numbers, cells), min_size=0, max_size=30), st.integers(1, 6))
@SETTINGS
def test_decompose_any_cells(values, period):
    out = call(udfs.DECOMPOSE, column(values) if values else None, float(period))
    if isinstance(out, str):
        assert_message(out, "DECOMPOSE")
        return
    assert out[0] == ["observed", "trend", "seasonal", "cycle", "residual"]
    for observed, trend, seasonal, cycle, residual in out[1:]:
        if trend != "":
            assert math.isclose(
                trend + seasonal + cycle + residual,
                observed,
                rel_tol=1e-6,
                abs_tol=1e-6 * (1 + abs(observed)),
            )


@given(
    st.lists(st.lists(st.one_of(numbers, cells), min_size=2, max_size=2), max_size=10),
    st.one_of(st.integers(1, 4).map(float), cells),
)
@SETTINGS
def test_segment_any_cells(rows, k):
    table = (("orders", "spend"), *map(tuple, rows))
    out = call(udfs.SEGMENT, table, k)
    if isinstance(out, str):
        assert_message(out, "SEGMENT")
        return

    # Rows after the last row with any value are dropped (the blank-cell rule).
    def blank(c):
        return c is None or (isinstance(c, str) and not c.strip())

    filled = [i for i, r in enumerate(rows) if not all(blank(c) for c in r)]
    assert out[0] == ["segment"] and len(out) == 1 + (filled[-1] + 1 if filled else 0)
    labels = {r[0] for r in out[1:]} - {""}
    assert labels <= set(range(1, int(k) + 1))


# Every catalogue function, any argument shapes and cells -------------------------------

import inspect  # noqa: E402

import pytest  # noqa: E402

from xlbizops.excel.catalogue import AREAS  # noqa: E402

small_numbers = st.one_of(st.integers(-3, 60).map(float), st.floats(-10, 10, allow_nan=False))
friendly = st.one_of(
    small_numbers,
    st.sampled_from(["auto", "stl", "incremental", "poisson", "iqr", "hours", "week", "a"]),
    st.none(),
)
any_cell = st.one_of(friendly, cells)
ranges = st.one_of(
    any_cell,
    st.lists(any_cell, min_size=1, max_size=14).map(column),
    st.lists(st.lists(any_cell, min_size=2, max_size=3), min_size=1, max_size=10).map(
        lambda rows: tuple(tuple(r[:2]) for r in rows)
    ),
)


@pytest.mark.parametrize("name", [n for names in AREAS.values() for n in names])
@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_function_answers_or_explains(name, data):
    udf = getattr(udfs, name)
    n_args = len(inspect.signature(udf).parameters)
    args = [data.draw(ranges, label=p) for p in inspect.signature(udf).parameters][:n_args]
    out = call(udf, *args)
    if isinstance(out, str) and out.startswith(f"{name}: "):
        assert "unexpected" not in out and "Traceback" not in out, out
        assert len(out) <= 255 and "\n" not in out
