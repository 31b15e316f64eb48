"""RFM recency read against the shop's own buying cycle (issue 22): on a shop whose
customers buy every week, a customer seen 11 days ago is not "Hibernating".  The
cut points are checked against numpy's inverted-CDF percentiles of the gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlbizops.core.customers import buying_cycle_cuts
from xlbizops.core.errors import UsageError
from xlbizops.report.analyses import analyse
from xlbizops.report.build import clean_frame
from xlbizops.report.config import ReportSettings

SLEEPING = ("Hibernating", "At Risk", "Can't Lose")  # R 1 or 2


def test_buying_cycle_cuts_by_hand():
    # gaps: 10 customers × 9 gaps of 4 days, 5 × 3 gaps of 20 days, 1 × 1 of 61 days:
    # 106 gaps; 50 % → 4, 75 % → 4 (90 of 106 are 4), 90 % → 20, 95 % → 20
    first = [0] * 16
    last = [36] * 10 + [60] * 5 + [61]
    orders = [10] * 10 + [4] * 5 + [2]
    assert buying_cycle_cuts(first, last, orders) == [4, 4, 20, 20]
    # a 7.5-day average gap is cut at 8: whole days, rounded up
    assert buying_cycle_cuts([0] * 40, [15] * 40, [3] * 40) == [8, 8, 8, 8]
    assert buying_cycle_cuts([0] * 5, [30] * 5, [6] * 5) is None  # 25 gaps: too few


def weekly_shop(seed=3) -> pd.DataFrame:
    """400 households buying every 7 days or so for 150 days; a third stop for good
    somewhere along the way."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2026-03-01")
    for k in range(400):
        day = rng.integers(0, 14)
        stop = rng.integers(20, 150) if k % 3 == 0 else 150
        n = 0
        while day <= stop:
            rows.append((f"H{k:04d}", start + pd.Timedelta(days=int(day)), f"O{k}-{n}", 20.0))
            day += max(1, round(rng.exponential(7)))
            n += 1
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "order_id", "amount"])


@pytest.fixture(scope="module")
def weekly():
    log = weekly_shop()
    as_of = log["order_date"].max()
    lines, _ = clean_frame(log, ReportSettings(), "weekly", as_of=as_of)
    out = {}
    for how in ("buying_cycle", "quantiles", "7, 14, 21, 28"):
        out[how] = analyse(lines, ReportSettings(recency_cuts=how), as_of=as_of).rfm
    return log, as_of, out


def test_recency_is_scored_against_the_shops_own_gaps(weekly):
    log, as_of, rfm = weekly
    per = log.groupby("customer_id")["order_date"].agg(["min", "max", "count"])
    repeat = per[per["count"] > 1]
    mean_gap = (repeat["max"] - repeat["min"]).dt.days / (repeat["count"] - 1)
    gaps = np.repeat(mean_gap.to_numpy(), (repeat["count"] - 1).to_numpy())
    cuts = np.ceil(np.quantile(gaps, [0.5, 0.75, 0.9, 0.95], method="inverted_cdf"))
    days = (as_of - per["max"]).dt.days
    want_r = 5 - np.searchsorted(cuts, days.to_numpy(), side="left")
    got = rfm["buying_cycle"].set_index("customer_id")
    assert (got.loc[per.index, "recency_days"].to_numpy() == days.to_numpy()).all()
    assert (got.loc[per.index, "R"].to_numpy() == want_r).all()
    # nobody seen within the 90th-percentile gap is sleeping; the stopped ones are
    recent = days[days <= cuts[2]].index
    assert not got.loc[recent, "segment"].isin(SLEEPING).any()
    assert got.loc[days[days > 60].index, "segment"].isin(SLEEPING).all()
    assert cuts[0] <= 8  # the shop's cycle is about a week


def test_quantiles_as_an_option_score_r_by_rank(weekly):
    t = weekly[2]["quantiles"]
    shares = t["R"].value_counts(normalize=True).sort_index()
    assert list(shares.index) == [1, 2, 3, 4, 5]
    assert shares.between(0.15, 0.25).all()  # fifths, give or take equal recencies
    assert t.groupby("R")["recency_days"].max().is_monotonic_decreasing


def test_fixed_day_cut_points_from_the_settings(weekly):
    t = weekly[2]["7, 14, 21, 28"]
    want = 5 - np.searchsorted([7, 14, 21, 28], t["recency_days"].to_numpy(), side="left")
    assert (t["R"].to_numpy() == want).all()
    assert set(t.loc[t["recency_days"] > 28, "R"]) == {1}


@pytest.mark.parametrize("text", ["7, 14", "30, 14, 60, 90", "a, b, c, d", "weekly"])
def test_bad_recency_cuts_are_refused_with_the_setting_named(text):
    with pytest.raises(UsageError, match="setting recency_cuts must be buying_cycle"):
        ReportSettings(recency_cuts=text).check()


def test_the_report_gives_renamed_customers_the_same_segments(weekly):
    """Issue 22: renaming ids (H0007 → 7, which sorts differently) moved customers in
    and out of At Risk when frequency ties were broken by id order."""
    log, as_of, rfm = weekly
    renamed = log.assign(customer_id=log["customer_id"].str[1:].astype(int).astype(str))
    lines, _ = clean_frame(renamed, ReportSettings(), "renamed", as_of=as_of)
    for how in ("buying_cycle", "quantiles"):
        again = analyse(lines, ReportSettings(recency_cuts=how), as_of=as_of).rfm
        again = again.set_index(again["customer_id"].map(lambda c: f"H{int(c):04d}"))
        first = rfm[how].set_index("customer_id")
        for column in ("R", "F", "M", "segment"):
            assert (again.loc[first.index, column] == first[column]).all(), (how, column)
