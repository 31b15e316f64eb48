"""Order-processing KPIs by hand, and the before/after test against R's sleep example."""

import numpy as np
import pandas as pd
import pytest

from tests.oracles import SLEEP_GROUP1, SLEEP_GROUP2
from xlbizops.core import InputError
from xlbizops.core.orders import cycle_time, impact, order_kpis

NaT = None


def _kpis(**kwargs):
    table = order_kpis(**kwargs)
    return dict(zip(table["kpi"], table["value"], strict=True))


def test_order_kpis_by_hand():
    # Five orders:  1 shipped next day, delivered day 3, promised day 3 -> on time
    #               2 shipped day 2, delivered day 6, promised day 4   -> late
    #               3 shipped day 0, delivered day 2, promised day 5, error -> on time, not perfect
    #               4 cancelled;  5 still open (not shipped).
    day = pd.Timestamp("2024-03-01")
    d = [day + pd.Timedelta(days=k) for k in range(10)]
    k = _kpis(
        order_dates=[d[0], d[0], d[1], d[2], d[3]],
        shipped_dates=[d[1], d[2], d[1], NaT, NaT],
        delivered_dates=[d[3], d[6], d[3], NaT, NaT],
        promised_dates=[d[3], d[4], d[6], d[5], d[7]],
        status=["delivered", "delivered", "returned", "Cancelled", "processing"],
        error_flags=[0, 0, 1, 0, 0],
    )
    assert k["orders"] == 5
    assert k["open orders (not shipped)"] == 1
    assert k["delivered orders"] == 3
    assert k["order to ship mean (days)"] == pytest.approx((1 + 2 + 0) / 3)
    assert k["order to ship median (days)"] == 1
    assert k["ship to delivery mean (days)"] == pytest.approx((2 + 4 + 2) / 3)
    # 90th percentile of 3, 6, 2 as Excel's PERCENTILE.INC: 3 + 0.8 * (6 - 3) = 5.4
    assert k["order to delivery 90th percentile (days)"] == pytest.approx(5.4)
    assert k["on-time delivery rate"] == pytest.approx(2 / 3)
    assert k["perfect order rate"] == pytest.approx(1 / 3)  # order 3 is returned with an error
    assert k["error rate"] == pytest.approx(1 / 4)  # cancelled orders excluded
    assert k["cancellation rate"] == pytest.approx(1 / 5)
    assert k["return rate"] == pytest.approx(1 / 3)


def test_order_kpis_refuse_impossible_dates():
    with pytest.raises(InputError, match="shipped_dates is before its start date in row 2"):
        order_kpis(
            ["2024-01-05", "2024-01-05"],
            ["2024-01-06", "2024-01-01"],
            [None, None],
            ["2024-01-09", "2024-01-09"],
        )
    with pytest.raises(InputError, match="delivered_dates has a date but shipped_dates is blank"):
        order_kpis(["2024-01-05"], [None], ["2024-01-07"], ["2024-01-09"])


def test_cycle_time_in_days_and_hours_with_open_orders_blank():
    out = cycle_time(["2024-01-01 08:00", "2024-01-02", "2024-01-03"],
                     ["2024-01-02 20:00", None, "2024-01-03"])  # fmt: skip
    assert out[0] == pytest.approx(1.5) and np.isnan(out[1]) and out[2] == 0
    assert cycle_time(["2024-01-01 08:00"], ["2024-01-02 20:00"], "hours")[0] == 36


def test_impact_matches_r_t_test_and_wilcox_test_on_sleep():
    table = impact(SLEEP_GROUP1, SLEEP_GROUP2, higher_is_better=True)
    r = dict(zip(table["measure"], table["value"], strict=True))
    assert r["change"] == pytest.approx(2.33 - 0.75)
    assert r["t statistic (Welch)"] == pytest.approx(1.8608, abs=5e-5)
    assert r["degrees of freedom"] == pytest.approx(17.776, abs=5e-4)
    assert r["p-value (Welch t-test)"] == pytest.approx(0.07939, abs=5e-6)
    assert r["95% CI low"] == pytest.approx(-0.2054832, abs=5e-8)
    assert r["95% CI high"] == pytest.approx(3.3654832, abs=5e-8)
    assert r["p-value (Mann-Whitney)"] == pytest.approx(0.06933, abs=5e-6)
    assert r["verdict"] == "no significant change"


def test_impact_verdict_follows_the_direction():
    before = [10.0, 11, 12, 10, 11, 12, 10, 11]
    after = [7.0, 8, 7, 8, 7, 8, 7, 8]
    r = dict(zip(*impact(before, after).to_dict("list").values(), strict=True))
    # means 10.875 -> 7.5: change -3.375, i.e. -31.0 %
    assert r["verdict"] == "improved" and r["percent change"] == pytest.approx(-3.375 / 10.875)
    r = dict(zip(*impact(before, after, higher_is_better=True).to_dict("list").values(),
                 strict=True))  # fmt: skip
    assert r["verdict"] == "worse"


def test_impact_needs_two_values_each():
    with pytest.raises(InputError, match="before needs at least 2 values"):
        impact([1.0], [1.0, 2.0])


def test_dates_in_mixed_iso_forms_are_all_read():
    out = cycle_time(["2024-01-01T08:00", "2024-01-02", "2024-01-03 06:00:00"],
                     ["2024-01-02 20:00", "2024-01-03", "2024-01-03 18:00"])  # fmt: skip
    assert out.tolist() == [1.5, 1.0, 0.5]


def test_text_that_is_not_a_date_is_refused_not_dropped():
    with pytest.raises(InputError, match=r"end_dates row 2 is not a date \('next week'\)"):
        cycle_time(["2024-01-01", "2024-01-01"], ["2024-01-02", "next week"])


def test_on_time_compares_days_not_times():
    from xlbizops.core.orders import on_time

    hit = on_time(
        ["2024-01-05 18:00", "2024-01-06", None], ["2024-01-05", "2024-01-05", "2024-01-07"]
    )
    assert hit[:2].tolist() == [1.0, 0.0] and np.isnan(hit[2])
