"""Demand classes (issue 23, first step): units per period per SKU and the
Syntetos–Boylan–Croston classes, checked by hand and against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlbizops.core import InputError
from xlbizops.core.demand import demand_class, demand_classes, demand_history


@pytest.mark.parametrize(
    "units, adi, label",
    [
        ([5, 6, 5, 6, 5, 6], 1.0, "smooth"),  # every period, sizes alike
        ([1, 9, 1, 12, 1, 10], 1.0, "erratic"),  # every period, sizes far apart
        ([5, 0, 6, 0, 0, 5], 2.0, "intermittent"),  # one period in two, sizes alike
        ([1, 0, 0, 14, 0, 2], 2.0, "lumpy"),  # both
    ],
)
def test_the_four_classes_by_hand(units, adi, label):
    periods, demand, got_adi, cv2, got = demand_class(units)
    sizes = np.array([u for u in units if u > 0], float)
    assert (periods, demand) == (len(units), len(sizes))
    assert got_adi == adi
    assert cv2 == pytest.approx((sizes.std(ddof=1) / sizes.mean()) ** 2)
    assert got == label


def test_the_cut_offs_are_adi_1_32_and_cv2_0_49():
    # 33 periods with 25 demands: ADI 1.32 exactly, intermittent (not smooth)
    units = [4.0] * 25 + [0.0] * 8
    assert demand_class(units)[2] == pytest.approx(1.32)
    assert demand_class(units)[4] == "intermittent"
    # two sizes a, b: CV² = 2·((a − b)/(a + b))²; 3 and 17 give 0.98, 5 and 8 give 0.107
    assert demand_class([3.0, 17.0])[3] == pytest.approx(2 * (14 / 20) ** 2)
    assert demand_class([5.0, 8.0, 5.0, 8.0])[4] == "smooth"
    assert demand_class([3.0, 17.0, 3.0, 17.0])[4] == "erratic"


def weekly_log(seed=2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", "2026-06-30", freq="D")
    rows = []
    for k, chance in enumerate([0.9, 0.3, 0.05, 0.6]):
        sold = days[rng.random(len(days)) < chance]
        for day in sold:
            rows.append((f"S{k}", day, float(rng.integers(1, 4 if k != 3 else 30))))
    rows.append(("S4", pd.Timestamp("2026-03-03"), -2.0))  # a return only: no demand
    return pd.DataFrame(rows, columns=["sku", "date", "quantity"])


def test_weekly_history_and_classes_match_pandas():
    log = weekly_log()
    as_of = pd.Timestamp("2026-07-08")
    got = demand_classes(log["sku"], log["date"], log["quantity"], "week", as_of)
    assert got["sku"].tolist() == ["S0", "S1", "S2", "S3"]
    sold = log[log["quantity"] > 0]
    for sku, rows in sold.groupby("sku"):
        weekly = (
            rows.set_index("date")["quantity"].resample("W-MON", label="left", closed="left").sum()
        )
        first = rows["date"].min() - pd.Timedelta(days=rows["date"].min().weekday())
        calendar = pd.date_range(first, as_of, freq="7D")  # Mondays to as_of's week
        units = weekly.reindex(calendar, fill_value=0.0)
        row = got.set_index("sku").loc[sku]
        sizes = units[units > 0]
        assert row["periods"] == len(units) and row["demand_periods"] == len(sizes)
        assert row["adi"] == pytest.approx(len(units) / len(sizes))
        assert row["cv2"] == pytest.approx(sizes.var(ddof=1) / sizes.mean() ** 2)
    history = demand_history(log["sku"], log["date"], log["quantity"], "month", as_of)
    assert history["S0"][0].astype(str).tolist()[:2] == ["2026-01-01", "2026-02-01"]
    assert len(history["S0"][1]) == 7  # January to July
    monthly = sold[sold["sku"] == "S0"].groupby(sold["date"].dt.month)["quantity"].sum()
    assert history["S0"][1][:6].tolist() == monthly.tolist()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"period": "fortnight"}, 'period must be "day", "week" or "month"'),
        ({"as_of": "2026-01-01"}, "as_of (2026-01-01) is before the latest date"),
    ],
)
def test_bad_arguments_say_which(kwargs, message):
    log = weekly_log()
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        demand_classes(log["sku"], log["date"], log["quantity"], **kwargs)


def test_a_blank_sku_is_named_by_row():
    with pytest.raises(InputError, match="skus is blank in row 2"):
        demand_classes(["A", " ", "B"], ["2026-01-05"] * 3, [1, 2, 3])


def test_a_return_nets_its_period_never_below_zero():
    """Issue 23: negative quantities (returns) net the period's demand; a period
    whose returns exceed its sales has no demand, not a negative one."""
    dates = pd.to_datetime(["2026-03-02", "2026-03-04", "2026-03-09", "2026-03-10",
                            "2026-03-16"])  # fmt: skip
    got = demand_history(["A"] * 5, dates, [5, -2, 1, -4, 6], "week")["A"][1]
    assert got.tolist() == [3.0, 0.0, 6.0]
