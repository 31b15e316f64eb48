"""Risk identification and assessment, by hand."""

import numpy as np
import pytest
from scipy.stats import norm

from xlbizops.core import InputError
from xlbizops.core.risk import anomalies, risk_matrix, stockout_probability, supplier_risk


def test_robust_z_score_iglewicz_hoaglin():
    # median 2.2, MAD 0.1: M = 0.6745 (x - 2.2) / 0.1; 9.0 -> 45.866 > 3.5.
    out = anomalies([2.1, 2.2, 2.0, 2.3, 2.2, 9.0, 2.4])
    assert out["score"].tolist() == pytest.approx(
        [-0.6745, 0, -1.349, 0.6745, 0, 45.866, 1.349], abs=1e-9
    )
    assert out["anomaly"].tolist() == [False] * 5 + [True, False]


def test_robust_z_score_falls_back_to_mean_absolute_deviation():
    out = anomalies([5.0, 5, 5, 5, 5, 5, 20])  # MAD = 0; MeanAD = 15/7
    assert out["score"].iloc[-1] == pytest.approx(15 / (1.253314 * 15 / 7))
    assert out["anomaly"].tolist() == [False] * 6 + [True]


def test_iqr_fences_tukey():
    # 1..8 and 100: Q1 = 3, Q3 = 7, IQR = 4, upper fence 13; 100 is 87 beyond = 21.75 IQRs.
    out = anomalies([1, 2, 3, 4, 5, 6, 7, 8, 100], method="iqr")
    assert out["anomaly"].tolist() == [False] * 8 + [True]
    assert out["score"].iloc[-1] == pytest.approx(21.75)


def test_isolation_forest_flags_the_far_point_deterministically():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(200, 2))
    table[17] = [8, -8]
    a = anomalies(table, method="iforest")
    assert a["score"].idxmax() == 17 and a["anomaly"].iloc[17]
    assert a.equals(anomalies(table, method="iforest"))


def test_anomalies_bad_input():
    with pytest.raises(InputError, match='method "mad" takes one column'):
        anomalies(np.ones((5, 2)))
    with pytest.raises(InputError, match="at least 3 numbers"):
        anomalies([1.0, 2.0])


def test_stockout_probability_by_the_normal_table():
    # Lead-time demand N(90, 3*sqrt(9)=9): P(D > 100) = 1 - Phi(10/9).
    assert stockout_probability(100, 10, 3, 9) == pytest.approx(1 - norm.cdf(10 / 9))
    # Lead-time variability only: N(100, 10*2): P(D > 100) = 0.5.
    assert stockout_probability(100, 10, 0, 10, 2) == pytest.approx(0.5)
    assert stockout_probability([40, 60], 10, 0, 5).tolist() == [1.0, 0.0]


def test_supplier_risk_by_hand():
    # late rate (lower better), defect rate (lower better), on-time (higher better);
    # weights 2, 1, 1.  Scaled: a (1/3, 1/4, 4/9), b (1, 0, 1), c (0, 1, 0).
    out = supplier_risk(["a", "b", "c"], [[0.1, 0.02, 0.95], [0.2, 0.01, 0.90],
                                          [0.05, 0.05, 0.99]], [2, 1, 1],
                        [False, False, True])  # fmt: skip
    expected = 100 * np.array([2 / 3 + 1 / 4 + 4 / 9, 2 + 0 + 1, 0 + 1 + 0]) / 4
    assert out["risk_score"].tolist() == pytest.approx(expected.tolist())
    assert out["rank"].tolist() == [2, 1, 3]


def test_risk_matrix_levels():
    rating, level = risk_matrix([1, 2, 3, 4, 5, 5], [4, 3, 3, 4, 4, 5])
    assert rating.tolist() == [4, 6, 9, 16, 20, 25]
    assert level.tolist() == ["Low", "Medium", "Medium", "High", "Critical", "Critical"]
    with pytest.raises(InputError, match="likelihood must be a whole score from 1 to 5"):
        risk_matrix([6], [1])


def test_supplier_metrics_by_hand():
    from xlbizops.core.risk import supplier_metrics

    # S1: shipped after 1 and 3 days of a 4-day window (late if > 2 days), one error.
    # S2: shipped after 1 day; one line not shipped yet (left out).
    out = supplier_metrics(
        ["S1", "S1", "S2", "S2"],
        ["2024-01-01"] * 4,
        ["2024-01-02", "2024-01-04", "2024-01-02", None],
        ["2024-01-05"] * 4,
        [0, 1, 0, 0],
    ).set_index("supplier")
    assert out.loc["S1"].tolist() == [0.5, 0.5, 2.0, 2]
    assert out.loc["S2"].tolist() == [0.0, 0.0, 1.0, 1]


def test_supplier_metrics_refuse_flags_other_than_0_and_1():
    from xlbizops.core.risk import supplier_metrics

    with pytest.raises(
        InputError, match=r"error_flags must be 1/0, TRUE/FALSE or yes/no \(got 2 in row 2\)"
    ):
        supplier_metrics(
            ["S1", "S1"], ["2024-01-01"] * 2, ["2024-01-02"] * 2, ["2024-01-05"] * 2, [0, 2]
        )
