"""Customers' future (issue 24, first step): the modified BG/NBD beside BG/NBD, both
checked against lifetimes 0.11.3 itself (``tests/data/lifetimes_clv.json``, written by
``bench/lifetimes_reference.py`` in an environment of its own), the choice between
them, and a log on which dropout cannot be estimated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlbizops.core import InputError
from xlbizops.core import customers as cu

DATA = Path(__file__).parents[1] / "data"
REFERENCE = json.loads((DATA / "lifetimes_clv.json").read_text())
CDNOW = Path(__file__).parents[1] / "fixtures" / "cdnow"


@pytest.mark.parametrize("name, kind", [("bgnbd", cu.BgNbd), ("mbgnbd", cu.MbgNbd)])
def test_conditional_values_equal_lifetimes_at_the_same_parameters(name, kind):
    ref = REFERENCE["models"][name]
    assert REFERENCE["source"].startswith("lifetimes 0.11.3")
    model = kind(**ref["params"])
    x, tx, t = (np.array([g[i] for g in REFERENCE["grid"]], float) for i in range(3))
    np.testing.assert_allclose(cu.p_alive(model, x, tx, t), ref["p_alive"], rtol=1e-8)
    for weeks in (10, 52):
        np.testing.assert_allclose(cu.expected_purchases(model, weeks, x, tx, t),
                                   ref[f"expected_{weeks}"], rtol=1e-8)  # fmt: skip


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])
def test_fits_on_cdnow_equal_lifetimes_fitters(name):
    """On the authors' CDNOW calibration summary (2,357 customers, weeks) the fitted
    parameters equal lifetimes' BetaGeoFitter / ModifiedBetaGeoFitter within 1e-3."""
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    fitted, _ = cu.fit_purchase_model(summary["x"], summary["t_x"], summary["T"], name)
    for key, value in REFERENCE["models"][name]["params"].items():
        assert getattr(fitted, key) == pytest.approx(value, rel=1e-3), key


def test_auto_keeps_the_better_likelihood():
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    cols = summary["x"], summary["t_x"], summary["T"]
    _, ll_bg = cu.fit_purchase_model(*cols, "bgnbd")
    _, ll_mbg = cu.fit_purchase_model(*cols, "mbgnbd")
    chosen, note = cu.choose_purchase_model(*cols, "auto")
    assert note == ""
    assert isinstance(chosen, cu.MbgNbd if ll_mbg > ll_bg else cu.BgNbd)


def _no_dropout_log(seed=3, customers=2000):
    """Every customer buys at their own Poisson rate for two years and never leaves."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for c in range(customers):
        rate = rng.gamma(2.0, 1 / 20)  # purchases a day: every 10 days on average
        first = rng.integers(0, 300)
        day = first
        while day < 730:
            rows.append((f"C{c}", start + pd.Timedelta(days=int(day)), 20.0 + rng.gamma(2, 10)))
            day += max(1, int(rng.exponential(1 / rate)))
    return pd.DataFrame(rows, columns=["customer", "date", "amount"])


def test_a_log_without_dropout_says_so_or_lets_the_silent_go():
    """Issue 24's broken case: customers who never leave.  Either the output says
    dropout cannot be estimated (P(alive) blank), or a customer silent for three times
    their usual gap gets P(alive) below 0.5 — never a confident 100 % for everyone."""
    log = _no_dropout_log()
    # one regular customer who then went silent: weekly for a year, nothing for 21 weeks
    silent = [("SILENT", pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=k), 30.0)
              for k in range(52)]  # fmt: skip
    log = pd.concat([log, pd.DataFrame(silent, columns=log.columns)], ignore_index=True)
    as_of = pd.Timestamp("2024-01-01") + pd.Timedelta(days=729)
    for model in ("bgnbd", "mbgnbd", "auto"):
        out = cu.customer_lifetime_value(log["customer"], log["date"], log["amount"], 12, 0.1,
                                         as_of, model).set_index("customer_id")  # fmt: skip
        said = "dropout cannot be estimated" in out["model"].iloc[0]
        gone = out.loc["SILENT", "p_alive"] < 0.5
        print(model, "->", out["model"].iloc[0], "P(alive) of the silent one:",
              out.loc["SILENT", "p_alive"])  # fmt: skip
        assert said or gone, (model, out["model"].iloc[0], out.loc["SILENT", "p_alive"])
        if said:
            assert out["p_alive"].isna().all() and out["churn_risk"].isna().all()
            assert (out["expected_purchases"] > 0).all()


def test_churn_risk_cut_points_and_next_order():
    assert cu.churn_risk([0.1, 0.3, 0.69, 0.7, np.nan]).tolist() == [
        "High", "Medium", "Medium", "Low", None]  # fmt: skip
    model = cu.BgNbd(r=0.5, alpha=4.0, a=0.8, b=2.4)
    weeks = cu.weeks_to_next_order(model, [3], [30])[0]
    # P(no purchase in w | staying) = ((α+T)/(α+T+w))^(r+x) is one half there
    assert ((4 + 30) / (4 + 30 + weeks)) ** (0.5 + 3) == pytest.approx(0.5)


def test_clv_table_carries_model_risk_and_next_order():
    names = ["master", "id", "date", "cds", "amount"]
    log = pd.read_csv(CDNOW / "CDNOW_sample.txt", sep=r"\s+", header=None, names=names,
                      dtype={"date": str})  # fmt: skip
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    cal = log[log["date"] <= "1997-09-30"]
    out = cu.customer_lifetime_value(cal["id"], cal["date"], cal["amount"], 12, 0.1,
                                     "1997-09-30", "auto")  # fmt: skip
    assert list(out.columns) == cu.CLV_COLUMNS
    assert out["model"].iloc[0] in ("BG/NBD", "modified BG/NBD")
    assert set(out["churn_risk"]) <= {"High", "Medium", "Low"}
    dated = out["expected_next_order"].dropna()
    assert len(dated) and (pd.to_datetime(dated) > pd.Timestamp("1997-09-30")).all()
    with pytest.raises(InputError, match="model must be"):
        cu.customer_lifetime_value(cal["id"], cal["date"], cal["amount"], model="pareto")
