"""The core's entry points that take sums (the report's query engine computes them):
hand-worked answers, agreement with the line-level functions they came from, and bad
input named in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlbizops.core import clv, customers, inventory, orders
from xlbizops.core.errors import InputError
from xlbizops.core.rows import distinct_rows


def test_demand_from_sums_by_hand():
    # One item sold 2, 0, 4, 0 units over a 4-day window, at 5.00 a unit (the 4 units
    # partly unpriced: 2 of them).  d̄ = 6/4 = 1.5; σd² = (4 + 16)/4 − 1.5² = 2.75.
    per_item = pd.DataFrame(
        {"item": ["A"], "total": [6.0], "squares": [20.0], "value": [20.0], "priced_qty": [4.0]}
    )
    row = inventory.demand_from_sums(per_item, window_days=4).iloc[0]
    assert row["daily_mean"] == 1.5
    assert row["daily_sd"] == pytest.approx(np.sqrt(2.75))
    assert row["annual_demand"] == 1.5 * 365
    assert row["unit_price"] == 5.0 and row["annual_value"] == 1.5 * 365 * 5.0


def test_demand_from_sums_is_demand_by_item():
    rng = np.random.default_rng(4)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 60, 500), unit="D")
    items = rng.choice(["A", "B", "C"], 500)
    qty = rng.integers(1, 9, 500).astype(float)
    lines = pd.DataFrame({"item": items, "day": days, "qty": qty})
    expected = inventory.demand_by_item(items, days, qty, "2025-03-01", window_days=60)
    daily = lines.groupby(["item", "day"])["qty"].sum()
    sums = pd.DataFrame(
        {"total": daily.groupby(level=0).sum(), "squares": (daily**2).groupby(level=0).sum()}
    ).reset_index(names="item")
    got = inventory.demand_from_sums(sums, window_days=60)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "per_item, message",
    [
        (pd.DataFrame({"item": ["A"], "total": [1.0]}), "per_item needs the column(s) squares"),
        (
            pd.DataFrame({"item": ["A"], "total": [-1.0], "squares": [1.0]}),
            "total must not be negative",
        ),
    ],
)
def test_demand_from_sums_bad_input(per_item, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inventory.demand_from_sums(per_item)
    with pytest.raises(InputError, match="window_days"):
        inventory.demand_from_sums(pd.DataFrame({"item": [], "total": [], "squares": []}), 0)


def test_retention_from_counts_by_hand():
    # Cohort 2024-01 (ordinal 648): 4 customers, 2 back a month later; cohort 2024-02
    # (649): 3 customers, and the data end in 2024-02, so its month 1 is blank.
    counts = pd.DataFrame({"cohort": [648, 648, 649], "offset": [0, 1, 0], "customers": [4, 2, 3]})
    table = customers.retention_from_counts(counts, last_period=649)
    assert table["cohort"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert table["customers"].tolist() == [4, 3]
    assert table[0].tolist() == [1.0, 1.0]
    assert table[1].iloc[0] == 0.5 and np.isnan(table[1].iloc[1])


def test_retention_from_counts_bad_input():
    with pytest.raises(InputError, match="counts needs the column"):
        customers.retention_from_counts(pd.DataFrame({"cohort": [1]}), 1)
    missing_size = pd.DataFrame({"cohort": [648], "offset": [1], "customers": [2]})
    with pytest.raises(InputError, match="cohort 648 has no count at offset 0"):
        customers.retention_from_counts(missing_size, 649)
    with pytest.raises(InputError, match="period must be"):
        customers.retention_from_counts(missing_size, 649, period="decade")


def test_rfm_scores_bad_input():
    with pytest.raises(InputError, match="same number of rows|rows"):
        customers.rfm_scores(["a", "b"], [1, 2], [1], [10.0, 20.0])
    with pytest.raises(InputError, match="frequency must not be negative"):
        customers.rfm_scores(["a", "b"], [1, 2], [1, -1], [10.0, 20.0])
    with pytest.raises(InputError, match="weights must be 3 numbers"):
        customers.rfm_scores(["a", "b"], [1, 2], [1, 2], [10.0, 20.0], weights=(1, 1))
    with pytest.raises(InputError, match="bins"):
        customers.rfm_scores(["a", "b"], [1, 2], [1, 2], [10.0, 20.0], bins=1)


def test_lifetime_value_from_summary_is_customer_lifetime_value():
    rng = np.random.default_rng(8)
    n = 3_000
    ids = rng.integers(0, 400, n).astype(str)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    amounts = rng.gamma(2.0, 20.0, n)
    expected = clv.customer_lifetime_value(ids, dates, amounts, 12, 0.1, "2025-06-01")
    summary = clv.repeat_purchase_summary(ids, dates, amounts, "2025-06-01")
    got = clv.lifetime_value_from_summary(summary, 12, 0.1, "bgnbd", "2025-06-01")
    pd.testing.assert_frame_equal(got, expected)
    with pytest.raises(InputError, match="summary needs the column"):
        clv.lifetime_value_from_summary(summary.drop(columns="age_days"))


def test_kpi_table_by_hand_and_bad_input():
    counts = dict(orders=10, open=1, in_transit=2, delivered=7, on_time=6, with_promise=7,
                  perfect=5, errors=1, not_cancelled=9, cancelled=1, returned=1)  # fmt: skip
    spans = {"to_ship": ([1.0, 2.0], [6, 3]), "to_deliver": np.array([3.0] * 7),
             "total": ([4.0, 5.0], [5, 2])}  # fmt: skip
    table = orders.kpi_table(counts, spans).set_index("kpi")["value"]
    assert table["on-time delivery rate"] == 6 / 7
    assert table["perfect order rate"] == 5 / 7
    assert table["error rate"] == 1 / 9
    assert table["order to ship mean (days)"] == pytest.approx((6 * 1 + 3 * 2) / 9)
    assert table["order to delivery median (days)"] == 4.0  # 4 4 4 4 4 5 5
    with pytest.raises(InputError, match="counts needs perfect"):
        orders.kpi_table({k: v for k, v in counts.items() if k != "perfect"}, spans)
    with pytest.raises(InputError, match="spans needs total"):
        orders.kpi_table(counts, {"to_ship": [1.0], "to_deliver": [1.0]})


def test_percentile_of_counts_bad_input():
    with pytest.raises(InputError, match="q must be between 0 and 100"):
        orders.percentile_of_counts([1.0], [1], 101)
    with pytest.raises(InputError, match="counts are all 0"):
        orders.percentile_of_counts([1.0, 2.0], [0, 0], 50)
    with pytest.raises(InputError, match="counts must not be negative"):
        orders.percentile_of_counts([1.0, 2.0], [1, -1], 50)


def test_distinct_rows_bad_input():
    with pytest.raises(InputError, match="same number of rows"):
        distinct_rows([1, 2], [1])
    with pytest.raises(InputError, match="at least one column"):
        distinct_rows()


def test_summary_from_sums_by_hand_and_bad_input():
    # Purchases on days 10, 25 and 40 spending 30, 20 and 40; as_of day 50.
    row = clv.summary_from_sums(["a"], [10], [40], [3], [90.0], [30.0], 50).iloc[0]
    assert (row["frequency"], row["recency_days"], row["age_days"]) == (2, 30, 40)
    assert row["repeat_average"] == 30.0  # (20 + 40) / 2
    with pytest.raises(InputError, match="at least one purchase day"):
        clv.summary_from_sums(["a"], [10], [5], [1], [9.0], [9.0], 50)
    with pytest.raises(InputError, match="rows"):
        clv.summary_from_sums(["a", "b"], [10], [40], [3], [90.0], [30.0], 50)
