"""RFM on a hand-checked order log, and the scoring conventions of the oracles README."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlbizops.core import InputError
from xlbizops.core.customers import frequency_ranks, quantile_scores, rfm_segment, rfm_table

# Five customers, as_of 2024-07-01.  Worked by hand:
#   A: last 06-30 -> 1 day,  3 orders, 200      B: last 06-20 -> 11 days, 1 order, 500
#   C: last 04-01 -> 91 days, 2 orders, 40      D: last 04-15 -> 77 days, 4 orders, 4000
#   E: last 2023-12-01 -> 213 days (2024 is a leap year), 1 order, 10
LOG = [
    ("A", "2024-05-01", 50), ("A", "2024-06-01", 50), ("A", "2024-06-30", 100),
    ("B", "2024-06-20", 500),
    ("C", "2024-03-01", 20), ("C", "2024-04-01", 20),
    ("D", "2024-01-15", 1000), ("D", "2024-02-15", 1000), ("D", "2024-03-15", 1000),
    ("D", "2024-04-15", 1000),
    ("E", "2023-12-01", 10),
]  # fmt: skip


def _rfm(**kwargs):
    ids, dates, amounts = zip(*LOG, strict=True)
    return rfm_table(ids, dates, amounts, as_of="2024-07-01", **kwargs).set_index("customer_id")


def test_recency_frequency_monetary_by_hand():
    t = _rfm()
    assert t["recency_days"].to_dict() == {"A": 1, "B": 11, "C": 91, "D": 77, "E": 213}
    assert t["frequency"].to_dict() == {"A": 3, "B": 1, "C": 2, "D": 4, "E": 1}
    assert t["monetary"].to_dict() == {"A": 200, "B": 500, "C": 40, "D": 4000, "E": 10}


def test_scores_segments_and_weighted_score_by_hand():
    # Five customers, five bins: each score is the customer's rank.  R ranks recency
    # (fewest days = 5); B and E tie on one order: B spent 500, E 10, so B ranks higher.
    t = _rfm()
    assert t["RFM"].to_dict() == {"A": "543", "B": "424", "C": "232", "D": "355", "E": "111"}
    assert t["segment"].to_dict() == {
        "A": "Champions",
        "B": "Potential Loyalists",
        "C": "At Risk",
        "D": "Loyal Customers",
        "E": "Hibernating",
    }
    assert t.loc["A", "score"] == pytest.approx(4.0)
    assert t.loc["D", "score"] == pytest.approx(13 / 3)
    weighted = _rfm(weights=(0.5, 0.3, 0.2))
    assert weighted.loc["A", "score"] == pytest.approx(0.5 * 5 + 0.3 * 4 + 0.2 * 3)


def test_default_as_of_is_the_latest_orders_day():
    ids, dates, amounts = zip(*LOG, strict=True)
    t = rfm_table(ids, dates, amounts).set_index("customer_id")
    assert t.loc["A", "recency_days"] == 0  # latest order 2024-06-30: 0 days ago
    assert t.loc["B", "recency_days"] == 10


def test_frequency_ties_are_broken_by_spend_then_recency_never_by_id():
    # by hand: (frequency, spend, days) → rank; c and e are equal on all three
    ranks = frequency_ranks([2, 1, 1, 1, 1], [9.0, 5.0, 7.0, 5.0, 5.0], [1, 30, 30, 3, 30])
    assert ranks.tolist() == [5.0, 1.5, 4.0, 3.0, 1.5]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(1, 3)),
                min_size=3, max_size=40))  # fmt: skip
def test_renaming_customers_changes_no_score(orders):
    # ids renamed in a way that reverses their text order: "C001" → "9998" etc.
    ids = [f"C{c:03d}" for c, _, _ in orders]
    renamed = [str(9999 - c) for c, _, _ in orders]
    dates = [pd.Timestamp("2025-01-01") + pd.Timedelta(days=d) for _, d, _ in orders]
    money = [10.0 * m for _, _, m in orders]
    a = rfm_table(ids, dates, money).drop(columns="customer_id")
    b = rfm_table(renamed, dates, money).drop(columns="customer_id")
    order_a = np.argsort([int(i[1:]) for i in sorted(set(ids))])
    order_b = np.argsort([9999 - int(i) for i in sorted(set(renamed))])
    pd.testing.assert_frame_equal(
        a.iloc[order_a].reset_index(drop=True), b.iloc[order_b].reset_index(drop=True)
    )


def test_header_and_order_of_columns():
    assert list(_rfm().reset_index().columns) == [
        "customer_id", "recency_days", "frequency", "monetary",
        "R", "F", "M", "RFM", "score", "segment",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (r, f, name)
        for name, rs, fs in [
            ("Hibernating", [1, 2], [1, 2]),
            ("At Risk", [1, 2], [3, 4]),
            ("Can't Lose", [1, 2], [5]),
            ("About to Sleep", [3], [1, 2]),
            ("Need Attention", [3], [3]),
            ("Loyal Customers", [3, 4], [4, 5]),
            ("Promising", [4], [1]),
            ("New Customers", [5], [1]),
            ("Potential Loyalists", [4, 5], [2, 3]),
            ("Champions", [5], [4, 5]),
        ]
        for r in rs
        for f in fs
    ],
)
def test_segment_map_from_the_oracles_readme(r, f, segment):
    assert rfm_segment([r], [f])[0] == segment


def test_segment_map_covers_every_cell_once():
    r, f = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    assert len(rfm_segment(r.ravel(), f.ravel())) == 25


@given(st.lists(st.integers(0, 30), min_size=1, max_size=300), st.integers(2, 10))
@settings(max_examples=300, deadline=None)
def test_first_rank_scores_follow_the_qcut_recipe_with_exact_edges(values, bins):
    # The common recipe is pd.qcut(x.rank(method="first"), bins, labels=False) + 1.
    # Its cut points are the quantiles 1 + (n-1)*j/bins of the ranks; pandas computes
    # them in floats (and nudges them differently across versions), so the reference
    # here bins with exact rational edges via pd.cut.
    from fractions import Fraction

    if len(values) < bins:
        return
    n = len(values)
    edges = [float(1 + Fraction((n - 1) * j, bins)) for j in range(bins + 1)]
    ranks = pd.Series(values).rank(method="first")
    recipe = pd.cut(ranks, edges, labels=False, include_lowest=True) + 1
    assert quantile_scores(np.array(values), bins, ties="first").tolist() == recipe.tolist()


def test_first_rank_scores_equal_pandas_qcut_away_from_boundaries():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]  # n = 20, bins 5
    recipe = pd.qcut(pd.Series(values).rank(method="first"), 5, labels=False) + 1
    assert quantile_scores(np.array(values), 5, ties="first").tolist() == recipe.tolist()


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=300), st.integers(2, 10))
@settings(max_examples=200, deadline=None)
def test_more_never_scores_lower_and_ties_score_equal(values, bins):
    x = np.array(values)
    s = quantile_scores(x, bins)
    order = np.argsort(x, kind="stable")
    assert (np.diff(s[order]) >= 0).all()
    for value in np.unique(x):
        assert len(set(s[x == value])) == 1
    assert s.min() >= 1 and s.max() <= bins


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "2024-06-01"}, "as_of (2024-06-01) is before the latest order (2024-06-30)"),
        ({"weights": (1, 1)}, "weights must be 3 numbers"),
        ({"weights": (1, -1, 1)}, "weights must not be negative"),
        ({"bins": 1}, "bins must be at least 2"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(InputError) as err:
        _rfm(**kwargs) if "as_of" not in kwargs else rfm_table(*zip(*LOG, strict=True), **kwargs)
    assert message in str(err.value)


def test_mismatched_columns_are_refused():
    with pytest.raises(InputError, match="amounts has 1 rows but customer_ids has 2"):
        rfm_table(["a", "b"], ["2024-01-01", "2024-01-02"], [5])


# --- CLV on the CDNOW sample (tests/fixtures/cdnow/README.md) -------------------------

from pathlib import Path  # noqa: E402

from scipy.special import hyp2f1  # noqa: E402

from xlbizops.core.clv import (  # noqa: E402
    customer_lifetime_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    repeat_purchase_summary,
)
from xlbizops.core.customers import cohort_retention  # noqa: E402

CDNOW = Path(__file__).parents[1] / "fixtures" / "cdnow"


@pytest.fixture(scope="module")
def cdnow():
    log = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    calibration = log[log["date"] <= "1997-09-30"]
    summary = repeat_purchase_summary(
        calibration["id"], calibration["date"], calibration["amount"], as_of="1997-09-30"
    )
    return log, summary


def test_summary_matches_the_authors_own_calibration_summary(cdnow):
    _, ours = cdnow
    theirs = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    both = ours.merge(theirs, left_on="customer_id", right_on="ID")
    assert len(both) == 2357
    assert (both["frequency"] == both["x"]).all()
    np.testing.assert_allclose(both["recency_days"] / 7, both["t_x"], atol=0.005)  # 2 dp
    np.testing.assert_allclose(both["age_days"] / 7, both["T"], atol=0.005)
    np.testing.assert_allclose(both["repeat_average"], both["zbar"], atol=0.005)


def test_bgnbd_fit_reproduces_the_published_cdnow_parameters(cdnow):
    _, s = cdnow
    fit = fit_bgnbd(s["frequency"], s["recency_days"] / 7, s["age_days"] / 7)
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005
    for name, value in published.items():
        assert getattr(fit, name) == pytest.approx(value, rel=0.01), name


def test_gamma_gamma_fit_reproduces_the_published_cdnow_parameters(cdnow):
    _, s = cdnow
    fit = fit_gamma_gamma(s["frequency"], s["repeat_average"])
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():  # Fader & Hardie 2013
        assert getattr(fit, name) == pytest.approx(value, rel=0.01), name


def test_bgnbd_conditional_expectations_behave_as_the_model_says():
    from xlbizops.core.clv import BgNbd

    model = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)  # FHL 2005, CDNOW
    # No repeat purchase yet: nothing says the customer has left (FHL 2005, eq. 13).
    assert p_alive(model, 0, 0, 38.86) == 1.0
    # Same history, longer silence since the last purchase: less likely alive, fewer
    # purchases expected; more repeat purchases: more expected.
    assert p_alive(model, 2, 30.43, 38.86) > p_alive(model, 2, 10.0, 38.86)
    assert expected_purchases(model, 39, 2, 30.43, 38.86) > expected_purchases(
        model, 39, 2, 10.0, 38.86
    )
    assert expected_purchases(model, 39, 5, 30.43, 38.86) > expected_purchases(
        model, 39, 2, 30.43, 38.86
    )
    # A brand-new customer (x = t_x = T = 0) gets the unconditional E[X(t)] (FHL eq. 9).
    t = 39.0
    unconditional = (
        (model.a + model.b - 1)
        / (model.a - 1)
        * (
            1
            - (model.alpha / (model.alpha + t)) ** model.r
            * hyp2f1(model.r, model.b, model.a + model.b - 1, t / (model.alpha + t))
        )
    )
    assert expected_purchases(model, t, 0, 0, 0) == pytest.approx(unconditional, rel=1e-12)


def test_clv_table_is_sensible_and_discounting_lowers_it(cdnow):
    log, _ = cdnow
    cal = log[log["date"] <= "1997-09-30"]
    out = customer_lifetime_value(cal["id"], cal["date"], cal["amount"], 12, 0.10, "1997-09-30")
    assert list(out.columns) == [
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
    assert len(out) == 2357 and out["p_alive"].between(0, 1).all() and (out["clv"] >= 0).all()
    undiscounted = customer_lifetime_value(
        cal["id"], cal["date"], cal["amount"], 12, 0.0, "1997-09-30"
    )
    assert (undiscounted["clv"] >= out["clv"]).all()
    np.testing.assert_allclose(
        undiscounted["clv"], out["expected_purchases"] * out["expected_order_value"], rtol=1e-9
    )
    # Empirical check, not a published figure: the calibrated model's forecast of
    # repeat purchase days in the 39-week holdout (1,658) is within 15 % of what
    # happened (1,882).
    holdout = log[(log["date"] > "1997-09-30") & (log["date"] <= "1998-06-30")]
    predicted = customer_lifetime_value(
        cal["id"], cal["date"], cal["amount"], 9, 0.0, "1997-09-30"
    )["expected_purchases"].sum()
    actual = holdout.groupby(["id", "date"]).ngroups
    assert actual == 1882
    assert predicted == pytest.approx(actual, rel=0.15)


def test_clv_refuses_a_log_without_repeat_buyers():
    with pytest.raises(InputError, match="at least 10 customers"):
        customer_lifetime_value(list("abc"), ["2024-01-01"] * 3, [1, 2, 3])


def test_cohort_retention_by_hand():
    # a, b first buy in January, c in February.  January cohort: a returns in
    # February, b in March, nobody in April; February cohort: c returns in April.
    out = cohort_retention(
        ["a", "a", "b", "c", "c", "b"],
        ["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-01", "2024-04-01", "2024-03-03"],
    )
    assert out["cohort"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-02"]
    assert out["customers"].tolist() == [2, 1]
    assert out[[0, 1, 2, 3]].iloc[0].tolist() == [1.0, 0.5, 0.5, 0.0]
    feb = out[[0, 1, 2, 3]].iloc[1].tolist()
    assert feb[:3] == [1.0, 0.0, 1.0] and np.isnan(feb[3])  # April + 1 is past the data


def test_cohort_retention_by_week_and_bad_period():
    out = cohort_retention(["a", "a", "b"], ["2024-01-01", "2024-01-09", "2024-01-03"], "week")
    assert out[[0, 1]].iloc[0].tolist() == [1.0, 0.5]
    with pytest.raises(InputError, match='period must be one of "week", "month", "quarter"'):
        cohort_retention(["a"], ["2024-01-01"], "day")


def test_factorize_sorted_agrees_with_pandas_for_text_mixed_and_categorical_ids():
    from xlbizops.core.customers import factorize_sorted

    text = np.array(["b", "a", "c", "a", None], dtype=object)
    codes, uniques = factorize_sorted(text, text)
    assert codes.tolist() == [1, 0, 2, 0, -1] and uniques.tolist() == ["a", "b", "c"]
    mixed = np.array([10, "a", 2, "a"], dtype=object)
    expected = pd.factorize(mixed, sort=True)
    got = factorize_sorted(mixed, mixed)
    assert got[0].tolist() == expected[0].tolist()
    category = pd.Series(["z", "x", "y", "x"], dtype="category").cat.add_categories(["unused"])
    codes, uniques = factorize_sorted(category, np.asarray(category, dtype=object))
    assert codes.tolist() == [2, 0, 1, 0] and uniques.tolist() == ["x", "y", "z"]


def test_the_analytic_gradients_match_finite_differences():
    """The fits use hand-derived gradients; checked against central differences of the
    log-likelihoods themselves at a few points (scipy.optimize.check_grad)."""
    from scipy.optimize import approx_fprime

    from xlbizops.core.clv import _bgnbd_log_likelihood, _gamma_gamma_log_likelihood

    rng = np.random.default_rng(4)
    x = rng.integers(0, 6, 300).astype(float)
    t = rng.uniform(5, 40, 300)
    tx = np.where(x > 0, t * rng.uniform(0.1, 1, 300), 0.0)
    weight = rng.uniform(0.5, 2, 300)
    for point in (np.log([0.24, 4.4, 0.79, 2.4]), np.log([1.5, 0.3, 2.0, 0.7])):
        _, grad = _bgnbd_log_likelihood(point, x, tx, t, weight, gradient=True)
        numeric = approx_fprime(point, lambda p: _bgnbd_log_likelihood(p, x, tx, t, weight), 1e-7)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)
    m = rng.gamma(3.0, 1.0, 300)
    buyers = x > 0
    args = (x[buyers], m[buyers], weight[buyers])
    for point in (np.log([6.25, 3.74, 1.5]), np.log([0.8, 1.2, 0.4])):
        _, grad = _gamma_gamma_log_likelihood(point, *args, gradient=True)
        numeric = approx_fprime(point, lambda p: _gamma_gamma_log_likelihood(p, *args), 1e-7)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def test_rfm_takes_categorical_and_arrow_dictionary_ids():
    """Ids already factorized by a reader (pandas categorical, Arrow dictionary) give
    the same table as the same ids as text, unused categories left out."""
    import pyarrow as pa

    ids = ["b", "a", "c", "a", "b", "b"]
    dates = pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-05", "2025-02-01",
                            "2025-02-03", "2025-03-01"])  # fmt: skip
    amounts = [10.0, 20.0, 5.0, 7.0, 3.0, 1.0]
    expected = rfm_table(ids, dates, amounts, bins=2)
    categorical = pd.Categorical(ids, categories=["z", "c", "b", "a"])  # unsorted, one unused
    arrow = pa.array(ids).dictionary_encode()
    for coded in (categorical, pd.Series(categorical), arrow):
        pd.testing.assert_frame_equal(rfm_table(coded, dates, amounts, bins=2), expected)
