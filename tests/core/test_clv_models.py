"""Customers' future (issue 24): BG/NBD, modified BG/NBD and Pareto/NBD, each checked
against lifetimes 0.11.3 itself (``tests/data/lifetimes_clv.json``, written by
``bench/lifetimes_reference.py`` in an environment of its own) and the published
Fader–Hardie estimates, the choice between them, a log on which dropout cannot be
estimated, intervals and the calibration/holdout check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlbizops.core import InputError
from xlbizops.core import clv as cu

DATA = Path(__file__).parents[1] / "data"
REFERENCE = json.loads((DATA / "lifetimes_clv.json").read_text())
CDNOW = Path(__file__).parents[1] / "fixtures" / "cdnow"


@pytest.mark.parametrize(
    "name, kind", [("bgnbd", cu.BgNbd), ("mbgnbd", cu.MbgNbd), ("paretonbd", cu.ParetoNbd)]
)
def test_conditional_values_equal_lifetimes_at_the_same_parameters(name, kind):
    ref = REFERENCE["models"][name]
    assert REFERENCE["source"].startswith("lifetimes 0.11.3")
    model = kind(**ref["params"])
    x, tx, t = (np.array([g[i] for g in REFERENCE["grid"]], float) for i in range(3))
    np.testing.assert_allclose(cu.p_alive(model, x, tx, t), ref["p_alive"], rtol=1e-8)
    for weeks in (10, 52):
        np.testing.assert_allclose(cu.expected_purchases(model, weeks, x, tx, t),
                                   ref[f"expected_{weeks}"], rtol=1e-8)  # fmt: skip


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "paretonbd"])
def test_fits_on_cdnow_equal_lifetimes_fitters(name):
    """On the authors' CDNOW calibration summary (2,357 customers, weeks) the fitted
    parameters equal lifetimes' BetaGeoFitter / ModifiedBetaGeoFitter /
    ParetoNBDFitter within 1e-3."""
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    fitted, _ = cu.fit_purchase_model(summary["x"], summary["t_x"], summary["T"], name)
    for key, value in REFERENCE["models"][name]["params"].items():
        assert getattr(fitted, key) == pytest.approx(value, rel=1e-3), key


def test_pareto_nbd_fit_equals_the_published_estimates():
    """Fader & Hardie (2005 note; Fader, Hardie & Lee 2005, Table 1) on the same
    sample: r = 0.553, α = 10.578, s = 0.606, β = 11.669."""
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    fitted, _ = cu.fit_purchase_model(summary["x"], summary["t_x"], summary["T"], "paretonbd")
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for key, value in published.items():
        assert getattr(fitted, key) == pytest.approx(value, rel=1e-3), key


def test_auto_without_a_holdout_keeps_the_lowest_bic():
    """All three have four parameters, so the lowest BIC is the highest likelihood."""
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    cols = summary["x"], summary["t_x"], summary["T"]
    likelihoods = {name: cu.fit_purchase_model(*cols, name)[1] for name in cu._KINDS}
    chosen = cu.choose_purchase_model(*cols, "auto")
    assert chosen.note == "lowest BIC"
    assert isinstance(chosen.model, cu._KINDS[max(likelihoods, key=likelihoods.get)])


def _cdnow_log():
    names = ["master", "id", "date", "cds", "amount"]
    log = pd.read_csv(CDNOW / "CDNOW_sample.txt", sep=r"\s+", header=None, names=names,
                      dtype={"date": str})  # fmt: skip
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


def test_clv_check_equals_lifetimes_calibration_and_holdout_on_cdnow():
    """lifetimes' ``calibration_and_holdout_data`` + BetaGeoFitter on the CDNOW
    sample (calibration to 1997-09-30, holdout of 39 weeks): the same customers per
    calibration frequency, the same actual means, predicted means within 1e-3."""
    ref = REFERENCE["holdout"]
    log = _cdnow_log()
    table = cu.clv_check(log["id"], log["date"], log["amount"], ref["calibration_end"],
                         "bgnbd", ref["as_of"])  # fmt: skip
    print(table.to_string())
    groups = table.iloc[:8]
    assert groups["calibration_purchases"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert groups["customers"].tolist() == ref["customers"]
    np.testing.assert_allclose(groups["actual_mean"], ref["actual_mean"], rtol=1e-12)
    np.testing.assert_allclose(groups["predicted_mean"], ref["predicted_mean"], rtol=1e-3)
    total = table.iloc[8]
    assert total["calibration_purchases"] == "all" and total["customers"] == 2357
    assert total["actual_total"] == pytest.approx(
        np.dot(ref["customers"], ref["actual_mean"]), rel=1e-12
    )
    assert total["predicted_low_80"] < total["predicted_total"] < total["predicted_high_80"]
    error = table.iloc[9]
    expected = np.dot(ref["customers"], np.abs(np.subtract(ref["actual_mean"],
                      ref["predicted_mean"]))) / 2357  # fmt: skip
    assert error["calibration_purchases"] == "mean absolute error"
    assert error["predicted_mean"] == pytest.approx(expected, rel=1e-2)
    assert (table["model"] == "BG/NBD").all()
    with pytest.raises(InputError, match="calibration_end .* must be before"):
        cu.clv_check(log["id"], log["date"], log["amount"], "1998-06-30", "bgnbd")


def test_clv_check_auto_keeps_the_smallest_holdout_error():
    log = _cdnow_log()
    holdout = cu.holdout_split(log["id"], log["date"], log["amount"], "1997-09-30")
    errors = {name: cu.holdout_error(holdout, name) for name in cu._KINDS}
    table = cu.clv_check(log["id"], log["date"], log["amount"], "1997-09-30", "auto")
    best = cu.MODEL_NAMES[cu._KINDS[min(errors, key=errors.get)]]
    assert table["model"].iloc[0].startswith(f"{best}: best holdout fit"), table["model"].iloc[0]
    assert table.iloc[9]["predicted_mean"] == pytest.approx(min(errors.values()), rel=1e-9)


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
    assert out["model"].iloc[0].split(":")[0] in ("BG/NBD", "modified BG/NBD", "Pareto/NBD")
    assert set(out["churn_risk"]) <= {"High", "Medium", "Low"}
    dated = out["expected_next_order"].dropna()
    assert len(dated) and (pd.to_datetime(dated) > pd.Timestamp("1997-09-30")).all()
    with pytest.raises(InputError, match="model must be"):
        cu.customer_lifetime_value(cal["id"], cal["date"], cal["amount"], model="pareto")


def test_covariance_from_the_gradient_equals_one_from_the_likelihood_itself():
    """The Hessian behind the intervals (central differences of the analytic
    gradient) equals one from second differences of the log-likelihood values."""
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    cols = (
        summary["x"].to_numpy(float),
        summary["t_x"].to_numpy(float),
        summary["T"].to_numpy(float),
    )
    for name in cu._KINDS:
        model, _ = cu.fit_purchase_model(*cols, name)
        covariance = cu.parameter_covariance(model, *cols)
        point = np.log(cu._vector(model))
        step, n = 1e-3, len(point)
        values = np.empty((n, n))
        e = np.eye(n) * step

        def ll(p, model=model):
            return cu.log_likelihood(cu._with_vector(model, np.exp(p)), *cols)

        for i in range(n):
            for j in range(n):
                values[i, j] = -(
                    ll(point + e[i] + e[j]) - ll(point + e[i] - e[j])
                    - ll(point - e[i] + e[j]) + ll(point - e[i] - e[j])
                ) / (4 * step**2)  # fmt: skip
        np.testing.assert_allclose(covariance, np.linalg.inv(values), rtol=2e-3, atol=1e-9)


def test_delta_intervals_match_quantiles_of_sampled_parameters():
    """Per customer, the 80 % interval of expected purchases (delta method on the log
    scale) is close to the 10th and 90th percentiles of expected purchases over 4,000
    parameter sets drawn from the same inverse Hessian."""
    log = _cdnow_log()
    cal = log[log["date"] <= "1997-09-30"]
    out = cu.customer_lifetime_value(cal["id"], cal["date"], cal["amount"], 12, 0.0,
                                     "1997-09-30", "bgnbd")  # fmt: skip
    fit = out.attrs["fit"]
    pick = out.sort_values("expected_purchases").iloc[[100, 1200, 2000, 2300]]
    x = pick["frequency"].to_numpy(float)
    tx, t = pick["recency_days"].to_numpy(float) / 7, pick["age_days"].to_numpy(float) / 7
    draws = np.random.default_rng(5).multivariate_normal(
        np.log(cu._vector(fit.model)), fit.covariance, size=4000
    )
    horizon = 12 * 365.25 / 12 / 7
    sampled = np.array([
        cu.expected_purchases(cu._with_vector(fit.model, np.exp(d)), horizon, x, tx, t)
        for d in draws
    ])  # fmt: skip
    low, high = np.quantile(sampled, [0.1, 0.9], axis=0)
    print(np.c_[pick["expected_purchases_low_80"], low, pick["expected_purchases_high_80"], high])
    np.testing.assert_allclose(pick["expected_purchases_low_80"], low, rtol=0.03)
    np.testing.assert_allclose(pick["expected_purchases_high_80"], high, rtol=0.03)
    assert (out["clv_low_80"] < out["clv"]).all() and (out["clv"] < out["clv_high_80"]).all()
