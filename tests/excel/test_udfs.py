"""The Excel functions as Excel calls them.

Arguments are raw COM values (floats, None for blanks, error codes, datetimes, tuples
of row tuples for ranges) put through xlwings' own Windows conversion code with each
argument's declared options; see ``windows_excel``.
"""

import datetime as dt

import numpy as np
import pytest

import xlbizops.udfs as plain_udfs
from tests.excel.windows_stub import COM_ERRORS, call, udf_module
from tests.oracles import QUARTERLY

udfs = udf_module()
NA = COM_ERRORS["#N/A"]


def col(*values):
    """A one-column range as COM delivers it."""
    return tuple((v,) for v in values)


# EOQ ---------------------------------------------------------------------------------


def test_eoq_from_plain_python_returns_a_number():
    assert plain_udfs.EOQ(1000, 10, 0.5) == 200.0


def test_eoq_single_cells_give_a_single_value():
    assert call(udfs.EOQ, 1300.0, 8.0, 0.225) == pytest.approx(304.04678, rel=1e-6)


def test_eoq_ranges_spill_one_value_per_row_aligned_with_input():
    out = call(
        udfs.EOQ,
        col(1300.0, 182500.0, None, 0.0),
        col(8.0, 2250.0, None, 8.0),
        col(0.225, 275.0, None, 0.225),
    )
    assert out[0][0] == pytest.approx(304.04678, rel=1e-6)
    assert out[1][0] == pytest.approx(1728.10984, rel=1e-6)
    assert out[2] == [""]  # a row blank in every argument stays blank (xlwings writes "")
    assert out[3] == [0.0]


def test_eoq_range_with_single_cell_costs():
    assert call(udfs.EOQ, col(1000.0, 4000.0), 10.0, 0.5) == [[200.0], [400.0]]


def test_eoq_whole_column_reference_returns_only_the_data_rows():
    demand = (("Demand",), (1000.0,), (4000.0,)) + ((None,),) * (1_048_576 - 3)
    out = call(udfs.EOQ, demand[1:], 10.0, 0.5)
    assert out == [[200.0], [400.0]]
    # With the header row included, the message points at it.
    assert call(udfs.EOQ, demand, 10.0, 0.5) == (
        "EOQ: annual_demand row 1 holds text 'Demand', not a number"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000.0, -1.0, 0.5), "EOQ: order_cost must be greater than 0 (got -1)"),
        ((1000.0, 10.0, 0.0), "EOQ: holding_cost must be greater than 0 (got 0)"),
        (("abc", 10.0, 0.5), "EOQ: annual_demand row 1 holds text 'abc', not a number"),
        ((True, 10.0, 0.5), "EOQ: annual_demand row 1 holds TRUE, not a number"),
        ((NA, 10.0, 0.5), "EOQ: annual_demand row 1 holds the error #N/A, not a number"),
        ((None, 10.0, 0.5), "EOQ: annual_demand is blank"),
        (
            (col(1.0, 2.0), col(1.0, 2.0, 3.0), 0.5),
            "EOQ: annual_demand has 2 rows but order_cost has 3; "
            "give ranges of the same length or a single cell",
        ),
        (
            (col(1000.0, 2000.0), col(10.0, None), 0.5),
            "EOQ: order_cost is blank in row 2, where the rest of the row has values",
        ),
        (
            (col(1000.0, 2000.0, 50.0), 10.0, col(0.5, 0.5, -2.0)),
            "EOQ: holding_cost must be greater than 0 (got -2 in row 3)",
        ),
        (("=1+1", 10.0, 0.5), "EOQ: annual_demand row 1 holds text '=1+1', not a number"),
    ],
)
def test_eoq_bad_input_is_one_readable_message(args, message):
    assert call(udfs.EOQ, *args) == message


def test_eoq_row_numbers_in_messages_count_skipped_blank_rows():
    out = call(udfs.EOQ, col(1000.0, None, 5.0), col(10.0, None, -1.0), 0.5)
    assert out == "EOQ: order_cost must be greater than 0 (got -1 in row 3)"


# RFM_SCORE ---------------------------------------------------------------------------

IDS = col("A", "A", "A", "B", "C", "C", "D", "D", "D", "D", "E")
DATES = col(
    *[
        dt.datetime(2024, 5, 1),
        dt.datetime(2024, 6, 1),
        dt.datetime(2024, 6, 30),
        dt.datetime(2024, 6, 20),
        dt.datetime(2024, 3, 1),
        dt.datetime(2024, 4, 1),
        dt.datetime(2024, 1, 15),
        dt.datetime(2024, 2, 15),
        dt.datetime(2024, 3, 15),
        dt.datetime(2024, 4, 15),
        dt.datetime(2023, 12, 1),
    ]
)
AMOUNTS = col(50.0, 50.0, 100.0, 500.0, 20.0, 20.0, 1000.0, 1000.0, 1000.0, 1000.0, 10.0)


def test_rfm_score_spills_a_header_and_one_row_per_customer():
    out = call(udfs.RFM_SCORE, IDS, DATES, AMOUNTS, dt.datetime(2024, 7, 1))
    assert out[0] == [
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
        "R",
        "F",
        "M",
        "RFM",
        "score",
        "segment",
    ]
    rows = {r[0]: r for r in out[1:]}
    assert rows["A"][1:8] == [1.0, 3.0, 200.0, 5.0, 4.0, 3.0, "543"]
    assert rows["A"][8] == pytest.approx(4.0)
    assert rows["A"][9] == "Champions"
    assert rows["E"][1] == 213.0 and rows["E"][9] == "Hibernating"


def test_rfm_dates_as_excel_serial_numbers_and_iso_text():
    # 45474 is 2024-07-01 in Excel's 1900 date system; 45473 is 2024-06-30.
    serials = col(45473.0, 45473.0 - 40)
    out = call(udfs.RFM_SCORE, col("x", "y"), serials, col(1.0, 2.0), 45474.0)
    assert {r[0]: r[1] for r in out[1:]} == {"x": 1.0, "y": 41.0}
    out = call(
        udfs.RFM_SCORE, col("x", "y"), col("2024-06-30", "2024-05-21"), col(1.0, 2.0), "2024-07-01"
    )
    assert {r[0]: r[1] for r in out[1:]} == {"x": 1.0, "y": 41.0}


def test_rfm_weights_range_and_bins():
    out = call(udfs.RFM_SCORE, IDS, DATES, AMOUNTS, None, ((0.5, 0.3, 0.2),), 5.0)
    rows = {r[0]: r for r in out[1:]}
    assert rows["A"][8] == pytest.approx(0.5 * 5 + 0.3 * 4 + 0.2 * 3)


def test_rfm_numeric_customer_ids_come_back_as_whole_numbers():
    out = call(udfs.RFM_SCORE, col(1001.0, 1002.0), col(45473.0, 45400.0), col(5.0, 6.0))
    assert [r[0] for r in out[1:]] == [1001, 1002]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (col("A", "B"), col(45473.0, "soon"), col(1.0, 2.0)),
            "RFM_SCORE: order_dates row 2 holds text 'soon', not a date (use a date cell or "
            "yyyy-mm-dd)",
        ),
        (
            (col("A", "B"), col(45473.0, 45474.0), col(1.0, "n/a")),
            "RFM_SCORE: amounts row 2 holds text 'n/a', not a number",
        ),
        (
            (col("A", None), col(45473.0, 45474.0), col(1.0, 2.0)),
            "RFM_SCORE: customer_ids is blank in row 2, where the rest of the row has values",
        ),
        (
            (col("A", "B"), col(45473.0, 45474.0), col(1.0)),
            "RFM_SCORE: amounts has 1 rows but customer_ids has 2; give ranges of the same length",
        ),
        (
            (col("A", "B"), col(45473.0, 12.0), col(1.0, 2.0)),
            "RFM_SCORE: order_dates row 2 holds 12, which is not a date after 1900-03-01",
        ),
        (
            (col("A", "B"), col(45473.0, NA), col(1.0, 2.0)),
            "RFM_SCORE: order_dates row 2 holds the error #N/A, not a date",
        ),
    ],
)
def test_rfm_bad_input(args, message):
    assert call(udfs.RFM_SCORE, *args) == message


def test_rfm_blank_rows_inside_the_log_are_skipped():
    out = call(
        udfs.RFM_SCORE, col("A", None, "B"), col(45473.0, None, 45470.0), col(1.0, None, 2.0)
    )
    assert [r[0] for r in out[1:]] == ["A", "B"]


# DECOMPOSE ---------------------------------------------------------------------------


def test_decompose_spills_header_and_blank_ends():
    out = call(udfs.DECOMPOSE, col(*map(float, QUARTERLY)), 4.0)
    assert out[0] == ["observed", "trend", "seasonal", "cycle", "residual"]
    assert len(out) == 33
    assert out[1][0] == -50.0 and out[1][1] == "" and out[1][3] == "" and out[1][4] == ""
    assert out[1][2] == pytest.approx(62.46, abs=0.01)
    assert out[3][1] + out[3][3] == pytest.approx(159.12, abs=0.01)  # trend + cycle
    assert out[3][4] == pytest.approx(78.254, abs=0.001)


def test_decompose_multiplicative_stl_has_no_blanks():
    y = col(*[abs(v) + 1.0 for v in QUARTERLY])
    out = call(udfs.DECOMPOSE, y, 4.0, "multiplicative", "STL")
    assert all(cell != "" for row in out[1:] for cell in row)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (col(1.0, 2.0, 3.0), 2.0),
            "DECOMPOSE: values needs at least two full periods: 4 values for period 2 (got 3)",
        ),
        (
            (col(1.0, None, 3.0, 4.0, 5.0), 2.0),
            "DECOMPOSE: values is blank in row 2; the series must have no gaps "
            "(enter 0 for a period with no sales)",
        ),
        (
            (col(1.0, 2.0, 3.0, 4.0), "four"),
            "DECOMPOSE: period must be a whole number (got 'four')",
        ),
        (
            (col(1.0, 2.0, 3.0, 4.0), 2.0, "log"),
            'DECOMPOSE: model must be one of "additive", "multiplicative" (got \'log\')',
        ),
        ((col(None, None), 2.0), "DECOMPOSE: values: the range is empty"),
    ],
)
def test_decompose_bad_input(args, message):
    assert call(udfs.DECOMPOSE, *args) == message


def test_decompose_ignores_trailing_blank_rows():
    y = col(*map(float, QUARTERLY), None, None, None)
    assert len(call(udfs.DECOMPOSE, y, 4.0)) == 33


# SEGMENT -----------------------------------------------------------------------------


def _table():
    rows = [("orders", "spend")]
    rows += [(1.0 + 0.01 * i, 100.0 + i) for i in range(5)]
    rows += [(20.0 + 0.01 * i, 5000.0 + i) for i in range(5)]
    return tuple(rows)


def test_segment_spills_a_segment_column_in_input_order():
    out = call(udfs.SEGMENT, _table(), 2.0)
    assert out == [["segment"]] + [[1]] * 5 + [[2]] * 5


def test_segment_is_the_same_every_time():
    assert call(udfs.SEGMENT, _table(), 2.0) == call(udfs.SEGMENT, _table(), 2.0, True, 99.0)


def test_segment_blank_row_gives_blank_segment():
    table = _table()[:3] + ((None, None),) + _table()[3:]
    out = call(udfs.SEGMENT, table, 2.0)
    assert out[3] == [""] and len(out) == 12


@pytest.mark.parametrize(
    ("table", "k", "message"),
    [
        (
            (("orders", "spend"), (1.0, 2.0), (3.0, "lots")),
            2.0,
            "SEGMENT: data column 'spend' row 3 holds text 'lots', not a number",
        ),
        (
            (("orders", "spend"), (1.0, 2.0), (3.0, 4.0)),
            3.0,
            "SEGMENT: k must be at most the number of rows (2); got 3",
        ),
        ((("orders", "spend"),), 2.0, "SEGMENT: data has a header row but no data rows"),
        (
            (("orders", "spend"), (None, None)),
            2.0,
            "SEGMENT: data column 'orders' and the other ranges are empty",
        ),
        (
            (("orders", "spend"), (1.0, 2.0), (3.0, None)),
            1.0,
            "SEGMENT: data column 'spend' is blank in row 3, where the rest of the row has values",
        ),
    ],
)
def test_segment_bad_input(table, k, message):
    assert call(udfs.SEGMENT, table, k) == message


def test_demand_class_per_sku_by_hand():
    """Issue 23: A sells in weeks of 2, 9 and 23 March 2026 (5, 6, 5 units), nothing
    in the week of the 16th: 4 weeks, 3 with demand, ADI 4/3, CV² of (5, 6, 5) by
    hand; B once, in the week of the 9th, then 2 weeks without: ADI 3."""
    mon = 46083  # 2026-03-02, a Monday, as Excel's serial
    got = udfs.DEMAND_CLASS(
        [["A"], ["A"], ["B"], ["A"]], [[mon], [mon + 8], [mon + 9], [mon + 22]],
        [[5], [6], [2], [5]],
    )  # fmt: skip
    assert got[0] == ["sku", "periods", "demand_periods", "adi", "cv2", "class"]
    sizes = np.array([5.0, 6.0, 5.0])
    assert got[1][:4] == ["A", 4, 3, pytest.approx(4 / 3)]
    assert got[1][4] == pytest.approx(sizes.var(ddof=1) / sizes.mean() ** 2)
    assert got[1][5] == "intermittent"  # ADI 1.33 ≥ 1.32, CV² 0.012 < 0.49
    assert got[2] == ["B", 3, 1, 3.0, 0.0, "intermittent"]
    monthly = udfs.DEMAND_CLASS([["A"], ["A"]], [[mon], [mon + 40]], [[5], [6]], "month")
    assert monthly[1][:3] == ["A", 2, 2] and monthly[1][5] == "smooth"


def test_demand_class_bad_input_is_one_line():
    assert udfs.DEMAND_CLASS([["A"]], [[46083]], [[5]], "fortnight") == (
        'DEMAND_CLASS: period must be "day", "week" or "month" (got \'fortnight\')'
    )
    got = udfs.DEMAND_CLASS([["A"], ["A"]], [[46083], ["soon"]], [[5], [6]])
    assert got.startswith("DEMAND_CLASS: dates") and "row 2" in got


def _replenishment_lines():
    """Two SKUs, weekly: A sells 4 every other Monday, B 10 every fourth."""
    mon = 46020  # 2025-12-29, a Monday
    rows = [("A", mon + 14 * k, 4.0) for k in range(26)]
    rows += [("B", mon + 28 * k, 10.0) for k in range(13)]
    return tuple([[v] for v in column] for column in zip(*rows, strict=True))


def test_forecast_demand_in_cells_matches_croston_by_hand():
    """A sells 4 every other Monday, the last on the latest date: that week is not
    complete and is left out, so A's weekly history is 4, 0, …, 4, 0 (25 sales) and
    Croston (α 0.1) keeps sizes at 4 while the intervals (1, then 2, 2, …) smooth to
    2 − 0.9^24."""
    skus, dates, units = _replenishment_lines()
    got = udfs.FORECAST_DEMAND(skus, dates, units, 2, "week", "croston")
    assert got[0] == ["sku", "step", "period_start", "forecast", "lower_80", "upper_80", "method"]
    interval = 2 - 0.9**24
    assert got[1][0:2] == ["A", 1] and got[1][3] == pytest.approx(4 / interval)
    assert got[1][6] == "croston" and got[2][1] == 2
    last_sale = dt.datetime(2025, 12, 29) + dt.timedelta(weeks=50)  # A: 2 weeks × 25
    assert got[1][2] == last_sale  # the first week forecast is the incomplete one


def test_reorder_policy_in_cells():
    skus, dates, units = _replenishment_lines()
    got = udfs.REORDER_POLICY(skus, dates, units, 1, 0.95, "fill_rate", 1, "week", "sba",
                              [["sku", "on_hand"], ["A", 2], ["B", 100]])  # fmt: skip
    header, a, b = (
        got[0],
        dict(zip(got[0], got[1], strict=True)),
        dict(zip(got[0], got[2], strict=True)),
    )
    assert header[-1] == "order_now" and a["sku"] == "A" and b["sku"] == "B"
    assert a["order_now"] == max(a["order_up_to"] - 2, 0) and b["order_now"] == 0
    # A: 4 units in half the weeks; over L + R = 2 weeks at most 8 units are needed
    assert 4 <= a["order_up_to"] <= 12 and abs(a["expected_fill_rate"] - 0.95) < 0.05


def test_replenishment_bad_input_is_one_line():
    skus, dates, units = _replenishment_lines()
    assert udfs.REORDER_POLICY(skus, dates, units, -1) == (
        "REORDER_POLICY: lead_time must not be negative (got -1)"
    )
    assert udfs.REORDER_POLICY(skus, dates, units, 1, 1.2).startswith(
        "REORDER_POLICY: target must be between 0 and 1"
    )
    assert udfs.FORECAST_DEMAND(skus, dates, units, 2, "fortnight").startswith(
        'FORECAST_DEMAND: period must be "day", "week" or "month"'
    )
    got = udfs.INVENTORY_BACKTEST(skus, dates, units, 1, None, None, None, None, 500)
    assert got.startswith("INVENTORY_BACKTEST: holdout_periods (500) must leave")
