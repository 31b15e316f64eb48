"""Every catalogue function as Excel calls it: one worked answer and bad input each.

Raw COM values go through xlwings' Windows conversion (``windows_excel.call``).
"""

import datetime as dt

import pytest

from tests.excel.windows_stub import COM_ERRORS, call, udf_module
from tests.oracles import SAUDI_OIL, SLEEP_GROUP1, SLEEP_GROUP2

udfs = udf_module()
NA = COM_ERRORS["#N/A"]


def col(*values):
    return tuple((v,) for v in values)


def row(*values):
    return (tuple(values),)


def as_dict(table):
    """A spilled header + one row table as {column: value}."""
    header, values = table
    return dict(zip(header, values, strict=True))


# Supply chain and inventory -----------------------------------------------------------


def test_eoq_cost_at_q_star_and_at_a_given_quantity():
    assert call(udfs.EOQ_COST, 1300.0, 8.0, 0.225) == pytest.approx(68.41053, abs=5e-6)
    assert call(udfs.EOQ_COST, 1300.0, 8.0, 0.225, 250.0) == pytest.approx(69.725)
    out = call(udfs.EOQ_COST, col(1300.0, 182500.0), col(8.0, 2250.0), col(0.225, 275.0))
    assert out[1][0] == pytest.approx(475230.207, abs=5e-4)


def test_eoq_backorder_and_epq_spill_header_and_rows():
    out = as_dict(call(udfs.EOQ_BACKORDER, 1300.0, 8.0, 0.225, 5.0))
    assert out["order_qty"] == pytest.approx(310.81256, abs=5e-6)
    assert out["stockout_fraction"] == pytest.approx(0.0430622, abs=5e-8)
    out = call(udfs.EPQ, col(1300.0, 80.0), col(8.0, 4.0), col(0.225, 0.08), col(2000.0, 110.0))
    assert out[0] == ["production_qty", "annual_cost"]
    assert out[2] == [pytest.approx(171.26977, abs=5e-6), pytest.approx(3.73679, abs=5e-6)]
    assert call(udfs.EPQ, 1300.0, 8.0, 0.225, 1000.0).startswith(
        "EPQ: production_rate must be greater than annual_demand"
    )


def test_eoq_discount_marks_the_best_candidate():
    out = call(udfs.EOQ_DISCOUNT, 1300.0, 8.0, 0.3, row(0.0, 400.0, 800.0), col(0.75, 0.72, 0.68))
    assert out[0] == [
        "break_quantity",
        "unit_price",
        "order_qty",
        "feasible",
        "annual_cost",
        "best",
    ]
    best = [r for r in out[1:] if r[5] is True]
    assert len(best) == 1 and best[0][2] == 800.0
    assert best[0][4] == pytest.approx(978.60)
    inc = call(
        udfs.EOQ_DISCOUNT,
        1300.0,
        8.0,
        0.3,
        row(0.0, 400.0, 800.0),
        row(0.75, 0.72, 0.68),
        "incremental",
    )
    assert [r for r in inc[1:] if r[5]][0][2] == pytest.approx(304.04678, abs=5e-6)
    assert call(udfs.EOQ_DISCOUNT, 1300.0, 8.0, 0.3, row(0.0, 400.0), row(0.75, 0.72), "bulk") == (
        'EOQ_DISCOUNT: kind must be one of "all_units", "incremental" (got \'bulk\')'
    )


def test_safety_stock_and_reorder_point_with_and_without_lead_time_sd():
    z95 = 1.6448536269514722
    assert call(udfs.SAFETY_STOCK, 0.95, 100.0, 20.0, 4.0) == pytest.approx(z95 * 40)
    assert call(udfs.SAFETY_STOCK, 0.95, 100.0, 0.0, 4.0, 1.0) == pytest.approx(z95 * 100)
    assert call(udfs.REORDER_POINT, 0.95, 100.0, 20.0, 4.0) == pytest.approx(400 + z95 * 40)
    out = call(udfs.REORDER_POINT, 0.95, col(100.0, 50.0), col(20.0, 10.0), 4.0, col(0.0, 1.0))
    assert out[1][0] == pytest.approx(200 + z95 * (4 * 100 + 2500) ** 0.5)
    assert call(udfs.SAFETY_STOCK, 95.0, 100.0, 20.0, 4.0).startswith(
        "SAFETY_STOCK: service_level must be between 0 and 1"
    )


def test_newsvendor_normal_and_poisson():
    out = as_dict(call(udfs.NEWSVENDOR, 1.7, 1.0, 0.82, 50.0, 8.0))
    assert out["order_qty"] == pytest.approx(56.60396, abs=5e-6)
    assert out["expected_mismatch_cost"] == pytest.approx(1.99761, abs=5e-6)
    out = as_dict(call(udfs.NEWSVENDOR, 5.0, 1.0, 0.0, 6.0, None, "poisson"))
    assert out["order_qty"] == 8
    assert out["expected_mismatch_cost"] == pytest.approx(3.57011, abs=5e-6)
    assert call(udfs.NEWSVENDOR, 1.0, 2.0, 0.0, 50.0, 8.0) == (
        "NEWSVENDOR: price must be greater than cost (got 1 and 2)"
    )


def test_rq_policy():
    out = as_dict(call(udfs.RQ_POLICY, 0.225, 7.5, 8.0, 1300.0, 150.0, 1 / 12))
    assert out["reorder_point"] == pytest.approx(190.33700, abs=5e-6)
    assert out["order_qty"] == pytest.approx(304.04678, abs=5e-6)


def test_abc_class_with_blank_rows_and_custom_shares():
    out = call(udfs.ABC_CLASS, col("a", "b", None, "c", "d"), col(3.0, 50.0, None, 10.0, 37.0))
    assert [r[0] for r in out[1:]] == ["b", "d", "c", "a"]
    assert [r[4] for r in out[1:]] == ["A", "B", "C", "C"]  # cumulative .5 .87 .97 1
    out = call(udfs.ABC_CLASS, col("a", "b", "c"), col(60.0, 25.0, 15.0), 0.5, 0.9)
    assert [r[4] for r in out[1:]] == ["A", "B", "C"]  # the top item is A even past 50 %
    assert call(udfs.ABC_CLASS, col("a", "b"), col(60.0, "x")) == (
        "ABC_CLASS: annual_values row 2 holds text 'x', not a number"
    )


def test_xyz_class_history_across_columns():
    history = ((10.0, 10.0, 10.0, 10.0), (5.0, 15.0, 5.0, 15.0), (0.0, 0.0, 0.0, 40.0))
    out = call(udfs.XYZ_CLASS, col("a", "b", "c"), history)
    assert [r[4] for r in out[1:]] == ["X", "Y", "Z"]
    assert call(udfs.XYZ_CLASS, col("a", "b"), ((1.0, 2.0), (3.0, None))) == (
        "XYZ_CLASS: demand_history column 2 is blank in row 2, where the rest of the row has values"
    )


def test_demand_by_item_counts_days_without_sales_as_zero():
    """Hand-checked: a 3-day window (Jan 1-3); A sells 2+3 on Jan 1, B 4 on Jan 3, C
    only before the window.  A: mean 5/3 a day, sd sqrt(25/3 - 25/9) = sqrt(50/9)."""
    jan = 45658.0  # 2025-01-01
    out = call(
        udfs.DEMAND_BY_ITEM,
        col("A", "A", "B", "C"),
        col(jan, jan, jan + 2, jan - 1),
        col(2.0, 3.0, 4.0, 9.0),
        col(10.0, 20.0, 5.0, 1.0),
        None,
        3.0,
    )
    header, a, b = out
    assert header == [
        "item",
        "annual_demand",
        "daily_mean",
        "daily_sd",
        "unit_price",
        "annual_value",
    ]
    assert a[0] == "A" and b[0] == "B"
    assert a[1:] == pytest.approx([5 / 3 * 365, 5 / 3, (50 / 9) ** 0.5, 16.0, 80 / 3 * 365])
    assert b[1:] == pytest.approx([4 / 3 * 365, 4 / 3, (32 / 9) ** 0.5, 5.0, 20 / 3 * 365])


def test_demand_by_item_without_prices_and_with_bad_quantities():
    out = call(udfs.DEMAND_BY_ITEM, col("A", "B"), col(45658.0, 45658.0), col(1.0, 2.0))
    assert out[0] == ["item", "annual_demand", "daily_mean", "daily_sd"]
    assert call(udfs.DEMAND_BY_ITEM, col("A", "B"), col(45658.0, 45658.0), col(1.0, "x")) == (
        "DEMAND_BY_ITEM: quantities row 2 holds text 'x', not a number"
    )


def test_turnover_and_days_of_supply():
    assert call(udfs.INVENTORY_TURNOVER, 1_200_000.0, 200_000.0) == 6.0
    assert call(udfs.DAYS_OF_SUPPLY, col(300.0, 10.0), col(20.0, 0.0)) == [[15.0], [""]]
    assert call(udfs.INVENTORY_TURNOVER, 100.0, 0.0) == (
        "INVENTORY_TURNOVER: average_inventory must be greater than 0 (got 0)"
    )


# Customers ---------------------------------------------------------------------------


def test_rfm_segment_on_its_own_columns():
    assert call(udfs.RFM_SEGMENT, 5.0, 5.0) == "Champions"
    assert call(udfs.RFM_SEGMENT, col(1.0, None, 3.0), col(5.0, None, 3.0)) == [
        ["Can't Lose"],
        [""],
        ["Need Attention"],
    ]
    assert call(udfs.RFM_SEGMENT, 6.0, 1.0).startswith(
        "RFM_SEGMENT: r_score must be a whole score from 1 to 5"
    )


def _orders_for_clv():
    """30 customers over 20 weeks; two in three buy every 1-3 weeks, the rest once."""
    ids, dates, amounts = [], [], []
    start = dt.datetime(2024, 1, 1)
    for c in range(1, 31):
        visits = range(0, 140, 7 * (1 + c % 3)) if c % 3 else [c]
        for d in visits:
            ids.append(f"C{c:02d}")
            dates.append(start + dt.timedelta(days=d + c))
            amounts.append(20.0 + c + d / 10)
    return col(*ids), col(*dates), col(*amounts)


def test_clv_spills_one_row_per_customer():
    ids, dates, amounts = _orders_for_clv()
    out = call(udfs.CLV, ids, dates, amounts, 6.0, 0.1, dt.datetime(2024, 6, 1))
    assert out[0] == [
        "customer_id",
        "frequency",
        "recency_days",
        "age_days",
        "p_alive",
        "expected_purchases",
        "expected_purchases_low_80",
        "expected_purchases_high_80",
        "expected_order_value",
        "clv",
        "clv_low_80",
        "clv_high_80",
        "model",
        "churn_risk",
        "expected_next_order",
    ]
    rows = {r[0]: r for r in out[1:]}
    assert len(rows) == 30 and rows["C01"][1] == 9.0  # every 2 weeks for 20 weeks
    assert rows["C01"][9] > rows["C03"][9] > 0  # the regular buyer is worth more
    for r in rows.values():  # each interval holds its estimate
        assert r[6] <= r[5] <= r[7] and r[10] <= r[9] <= r[11]


def test_clv_check_spills_the_holdout_table():
    ids, dates, amounts = _orders_for_clv()
    out = call(udfs.CLV_CHECK, ids, dates, amounts, dt.datetime(2024, 4, 1))
    assert out[0][:4] == ["calibration_purchases", "customers", "actual_mean", "predicted_mean"]
    labels = [r[0] for r in out[1:]]
    assert labels == ["0", "1", "2", "3", "4", "5", "6", "7+", "all", "mean absolute error"]
    # customers who had bought by 1 April, by their purchase days then
    first = {}
    for i, d in zip(ids, dates, strict=True):
        first[i[0]] = min(first.get(i[0], d[0]), d[0])
    assert out[9][1] == sum(d <= dt.datetime(2024, 4, 1) for d in first.values())
    assert call(udfs.CLV_CHECK, ids, dates, amounts, None).startswith(
        "CLV_CHECK: calibration_end is required"
    )


def test_cohort_retention_spills_a_matrix():
    out = call(
        udfs.COHORT_RETENTION,
        col("a", "a", "b", "c", "c", "b"),
        col("2024-01-05", "2024-02-10", "2024-01-20", "2024-02-01", "2024-04-01", "2024-03-03"),
    )
    assert out[0] == ["cohort", "customers", 0, 1, 2, 3]
    assert out[1][1:] == [2, 1.0, 0.5, 0.5, 0.0]
    assert out[2][1:] == [1, 1.0, 0.0, 1.0, ""]
    assert call(udfs.COHORT_RETENTION, col("a"), col("2024-01-05"), "fortnight").startswith(
        'COHORT_RETENTION: period must be one of "week", "month", "quarter"'
    )


# Trends ------------------------------------------------------------------------------


def test_forecast_hw_with_dates():
    values = col(*[50.0 + (i % 12) + 0.2 * i for i in range(48)])
    dates = col(*[dt.datetime(2021 + i // 12, i % 12 + 1, 1) for i in range(48)])
    out = call(udfs.FORECAST_HW, values, 3.0, None, dates)
    assert out[0] == ["date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert out[1][0].replace(tzinfo=None) == dt.datetime(2025, 1, 1)  # xlwings tags UTC
    assert len(out) == 4


def test_forecast_hw_saudi_oil_without_a_season():
    out = call(udfs.FORECAST_HW, col(*SAUDI_OIL), 2.0, 0.0)
    assert out[0][0] == "step" and [r[0] for r in out[1:]] == [1, 2]
    assert call(udfs.FORECAST_HW, col(1.0, 2.0, None, 4.0), 2.0).startswith(
        "FORECAST_HW: values is blank in row 3"
    )


def test_seasonality():
    weekly = col(*[10.0 + [0, 5, 3, 8, 2, 9, 4][i % 7] + 0.05 * i for i in range(70)])
    out = call(udfs.SEASONALITY, weekly)
    assert out[0] == ["season_length", "strength"] and out[1][0] == 7


def test_resample_an_order_log_to_months():
    out = call(udfs.RESAMPLE, col("2024-01-31", "2024-01-01", "2024-03-05"), col(1.0, 2.0, 3.0))
    assert out[0] == ["period", "value"]
    assert [(d.replace(tzinfo=None), v) for d, v in out[1:]] == [
        (dt.datetime(2024, 1, 1), 3.0),
        (dt.datetime(2024, 2, 1), 0.0),
        (dt.datetime(2024, 3, 1), 3.0),
    ]
    assert call(udfs.RESAMPLE, col("2024-01-31"), col(1.0), "fortnight").startswith(
        'RESAMPLE: period must be one of "day", "week", "month"'
    )


# Segments ----------------------------------------------------------------------------


def _groups():
    rows = [("orders", "spend")]
    rows += [(1.0 + 0.01 * i, 100.0 + i) for i in range(6)]
    rows += [(20.0 + 0.01 * i, 5000.0 + i) for i in range(6)]
    rows += [(10.0 + 0.01 * i, 20000.0 + i) for i in range(6)]
    return tuple(rows)


def test_segment_auto_chooses_k_by_silhouette():
    out = call(udfs.SEGMENT, _groups(), "auto")
    assert [r[0] for r in out[1:]] == [1] * 6 + [2] * 6 + [3] * 6


def test_segment_k_and_profile():
    out = call(udfs.SEGMENT_K, _groups(), 5.0)
    assert out[0] == ["k", "inertia", "silhouette"]
    assert max(out[1:], key=lambda r: r[2])[0] == 3
    profile = call(udfs.SEGMENT_PROFILE, _groups(), 3.0)
    assert profile[0] == ["segment", "size", "share", "orders", "spend"]
    assert profile[1][1:3] == [6, pytest.approx(1 / 3)]
    assert profile[2][4] == pytest.approx(5002.5)  # in dollars, not z-scores


# Order processing --------------------------------------------------------------------


def test_order_kpis_as_a_two_column_table():
    d = [dt.datetime(2024, 3, 1) + dt.timedelta(days=k) for k in range(10)]
    out = call(
        udfs.ORDER_KPIS,
        col(d[0], d[0], d[1], d[2], None),
        col(d[1], d[2], d[1], None, None),
        col(d[3], d[6], d[3], None, None),
        col(d[3], d[4], d[6], d[5], None),
        col("delivered", "delivered", "returned", "cancelled", None),
        col(False, False, True, False, None),
    )
    k = {r[0]: r[1] for r in out[1:]}
    assert out[0] == ["kpi", "value"]
    assert k["orders"] == 4 and k["on-time delivery rate"] == pytest.approx(2 / 3)
    assert k["error rate"] == pytest.approx(1 / 3)


def test_order_kpis_refuses_a_row_without_an_order_date():
    d = dt.datetime(2024, 3, 1)
    assert call(udfs.ORDER_KPIS, col(d, None), col(d, d), col(None, None), col(d, d)) == (
        "ORDER_KPIS: order_dates is blank in row 2, where the rest of the row has values"
    )


def test_cycle_time_days_hours_and_open_orders():
    start = col(dt.datetime(2024, 1, 1, 8), dt.datetime(2024, 1, 2))
    end = col(dt.datetime(2024, 1, 2, 20), None)
    assert call(udfs.CYCLE_TIME, start, end) == [[1.5], [""]]
    assert call(udfs.CYCLE_TIME, start, end, "hours") == [[36.0], [""]]
    assert call(udfs.CYCLE_TIME, col(dt.datetime(2024, 1, 3)), col(dt.datetime(2024, 1, 2))) == (
        "CYCLE_TIME: end_dates is before its start date in row 1"
    )


def test_impact_on_sleep_and_blank_cells_ignored():
    out = call(udfs.IMPACT, col(*SLEEP_GROUP1, None), row(*SLEEP_GROUP2), True)
    r = {m: v for m, v in out[1:]}
    assert r["p-value (Welch t-test)"] == pytest.approx(0.07939, abs=5e-6)
    assert r["verdict"] == "no significant change"
    assert call(udfs.IMPACT, col(1.0, "n/a"), col(1.0, 2.0)) == (
        "IMPACT: before row 2 holds text 'n/a', not a number"
    )


def test_impact_series_spills_summary_verdict_then_periods():
    """The CausalImpact example's recipe (tests/core/test_impact.py), given as cells."""
    from tests.core.test_impact import causal_impact_example

    dates, y, x = causal_impact_example()
    days = [d.to_pydatetime() for d in dates]
    out = call(udfs.IMPACT_SERIES, col(*days), col(*y.tolist()), days[70], col(*x.tolist()), 0)
    assert out[0] == ["measure", "average", "cumulative", "", "", "", ""]
    rows = {r[0]: r for r in out[1:13]}
    assert rows["absolute effect lower 95%"][1] < 10 < rows["absolute effect upper 95%"][1]
    assert out[12][0] == "verdict" and out[12][1].startswith("values rose")
    assert out[13][0] == "check" and "placebo" in out[13][1]
    header = out.index(["date", "actual", "predicted", "lower", "upper", "effect",
                        "cumulative_effect"])  # fmt: skip
    assert len(out) - header - 1 == 30 and out[header + 1][0].replace(tzinfo=None) == days[70]
    assert call(udfs.IMPACT_SERIES, col(*days[:5]), col(*y[:5].tolist()), days[3]) == (
        "IMPACT_SERIES: need at least 3 periods on each side of the change "
        "(got 3 before, 2 from 2016-01-04)"
    )


def test_impact_did_spills_summary_then_events():
    base = dt.datetime(2025, 1, 1)
    dates, values, groups = [], [], []
    for g, store in enumerate(("A", "B", "C", "D")):
        for t in range(6):
            dates.append(base + dt.timedelta(days=t))
            groups.append(store)
            values.append(10.0 * g + t + (3.0 if store in ("A", "B") and t >= 4 else 0.0))
    out = call(udfs.IMPACT_DID, col(*dates), col(*values), col(*groups), col("A", "B"),
               base + dt.timedelta(days=4))  # fmt: skip
    assert out[0][:2] == ["measure", "value"]
    assert out[1][0] == "effect (per period and group)" and out[1][1] == pytest.approx(3.0)
    assert out[9][0] == "verdict"
    header = out.index(["period", "effect", "lower", "upper"])
    assert len(out) - header - 1 == 6
    assert call(udfs.IMPACT_DID, col(*dates), col(*values), col(*groups), "Z", dates[4]) == (
        "IMPACT_DID: treated group 'Z' is not among the groups"
    )


# Risk --------------------------------------------------------------------------------


def test_anomalies_with_a_header_and_a_blank_row():
    out = call(udfs.ANOMALIES, col("daily orders", 2.1, 2.2, 2.0, None, 2.3, 2.2, 9.0, 2.4))
    assert out[0] == ["score", "anomaly"] and len(out) == 9
    assert out[4] == ["", ""] and out[7][1] is True
    assert [r[1] for r in out[1:] if r[1] != ""].count(True) == 1


def test_anomalies_iqr_and_iforest():
    out = call(udfs.ANOMALIES, col(*map(float, [1, 2, 3, 4, 5, 6, 7, 8, 100])), "iqr")
    assert out[-1] == [21.75, True]
    table = (
        (("x", "y"),) + tuple((float(i % 5), float(i % 7)) for i in range(40)) + ((50.0, -50.0),)
    )
    out = call(udfs.ANOMALIES, table, "iforest")
    assert out[-1][1] is True
    assert call(udfs.ANOMALIES, col(1.0, 2.0, 3.0), "zscore").startswith(
        'ANOMALIES: method must be one of "mad", "iqr", "iforest"'
    )


def test_stockout_risk_column():
    out = call(udfs.STOCKOUT_RISK, col(40.0, 60.0), 10.0, 0.0, 5.0)
    assert out == [[1.0], [0.0]]
    assert call(udfs.STOCKOUT_RISK, 100.0, 10.0, 0.0, 10.0, 2.0) == pytest.approx(0.5)


def test_supplier_metrics_from_order_lines():
    """Hand-checked: S1 ships one line in 1 day (window 7, not late) and one in 5 days
    (late: more than half the window), with an error; S2's line has not shipped."""
    jan = 45658.0
    out = call(
        udfs.SUPPLIER_METRICS,
        col("S1", "S1", "S2"),
        col(jan, jan, jan),
        col(jan + 1, jan + 5, None),
        col(jan + 7, jan + 7, None),
        col(0.0, 1.0, None),
    )
    assert out == [
        ["supplier", "late_shipment_rate", "error_rate", "mean_days_to_ship", "orders"],
        ["S1", 0.5, 0.5, 3.0, 2],
    ]
    assert (
        call(udfs.SUPPLIER_METRICS, col("S1", "S2"), col(jan, jan), col(jan, jan), col(jan + 1))
        == "SUPPLIER_METRICS: promised_dates has 1 rows but order_dates has 2"
    )


def test_supplier_risk_table_with_directions():
    table = (
        ("supplier", "late rate", "defect rate", "on-time"),
        ("a", 0.1, 0.02, 0.95),
        ("b", 0.2, 0.01, 0.90),
        ("c", 0.05, 0.05, 0.99),
    )
    out = call(udfs.SUPPLIER_RISK, table, row(2.0, 1.0, 1.0), row("lower", False, "higher"))
    assert out[0] == ["supplier", "risk_score", "rank"]
    assert [r[0] for r in sorted(out[1:], key=lambda r: r[2])] == ["b", "a", "c"]
    assert call(udfs.SUPPLIER_RISK, table, row(1.0, 1.0)) == (
        "SUPPLIER_RISK: weights has 2 values but the table has 3 metrics"
    )


def test_risk_matrix_rating_and_level():
    out = call(udfs.RISK_MATRIX, col(1.0, None, 5.0), col(4.0, None, 5.0))
    assert out == [["rating", "level"], [4.0, "Low"], ["", ""], [25.0, "Critical"]]
    assert call(udfs.RISK_MATRIX, NA, 3.0) == (
        "RISK_MATRIX: likelihood row 1 holds the error #N/A, not a number"
    )


# Bad input for every function not covered above ---------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("EOQ_COST", (1300.0, 8.0, 0.225, -5.0),
         "EOQ_COST: order_qty must be greater than 0 (got -5)"),
        ("EOQ_BACKORDER", (1300.0, 8.0, 0.225, 0.0),
         "EOQ_BACKORDER: backorder_cost must be greater than 0 (got 0)"),
        ("RQ_POLICY", (0.225, 7.5, 8.0, "lots", 150.0, 1 / 12),
         "RQ_POLICY: annual_demand row 1 holds text 'lots', not a number"),
        ("REORDER_POINT", (0.95, col(100.0, 50.0), col(20.0, 10.0, 5.0), 4.0),
         "REORDER_POINT: demand_mean has 2 rows but demand_sd has 3; give ranges of the same "
         "length or a single cell"),
        ("DAYS_OF_SUPPLY", (-1.0, 5.0), "DAYS_OF_SUPPLY: on_hand must not be negative (got -1)"),
        ("CLV", (col("a", "b"), col("2024-01-01", "2024-01-02"), col(1.0, 2.0)),
         "CLV: CLV needs at least 10 customers, some with repeat purchases"),
        ("CLV", (col("a"), col("2024-01-01"), col(1.0), 0.0),
         "CLV: horizon_months must be at least 1 (got 0)"),
        ("SEASONALITY", (col(1.0, 2.0, 3.0),),
         "SEASONALITY: values needs at least 8 points to look for a season (got 3)"),
        ("SEGMENT_K", ((("a", "b"), (1.0, 1.0), (1.0, 1.0), (2.0, 2.0)),),
         "SEGMENT_K: data needs at least 3 distinct rows to compare k (got 2)"),
        ("SEGMENT_PROFILE", ((("a", "b"), (1.0, 1.0), (2.0, 2.0)), 5.0),
         "SEGMENT_PROFILE: k must be at most the number of rows (2); got 5"),
        ("STOCKOUT_RISK", (100.0, 10.0, -3.0, 9.0),
         "STOCKOUT_RISK: demand_sd must not be negative (got -3)"),
        ("CYCLE_TIME", (col(None, dt.datetime(2024, 1, 1)), col(dt.datetime(2024, 1, 2), None)),
         "CYCLE_TIME: start_dates is blank in row 1 where end_dates has a date"),
        ("FORECAST_HW", (col(1.0, 2.0, 3.0, 4.0, 5.0), 0.0),
         "FORECAST_HW: horizon must be at least 1 (got 0)"),
        ("DECOMPOSE", (col(1.0, 2.0, 3.0, 4.0), 2.0, "additive", "x11"),
         'DECOMPOSE: method must be one of "classical", "stl" (got \'x11\')'),
        ("SUPPLIER_RISK", ((("supplier", "late"),), row(1.0)),
         "SUPPLIER_RISK: table needs a header row, supplier names and at least one metric"),
        ("NEWSVENDOR", (2.0, 1.0, 0.0, 50.0, None),
         'NEWSVENDOR: demand_sd is needed for normal demand (or use "poisson")'),
    ],
)  # fmt: skip
def test_bad_input_gives_one_readable_line(name, args, message):
    assert call(getattr(udfs, name), *args) == message


def test_supplier_risk_ignores_trailing_blank_rows():
    # Found by the catch-all property test: names were not trimmed with the metrics.
    table = (("supplier", "late rate"), ("a", 0.1), ("b", 0.3), (None, None), (None, None))
    out = call(udfs.SUPPLIER_RISK, table, 1.0)
    assert out == [["supplier", "risk_score", "rank"], ["a", 0.0, 2], ["b", 100.0, 1]]
