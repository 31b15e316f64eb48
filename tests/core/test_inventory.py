"""EOQ against Snyder & Shen, Fundamentals of Supply Chain Theory (2nd ed.), ch. 3.

Cases as encoded in stockpyl's tests (see shared/oracles/README.md); exact formulas,
so the tolerance is 1e-6 relative.
"""

import numpy as np
import pytest

from xlbizops.core import InputError
from xlbizops.core.inventory import demand_by_item, economic_order_quantity, eoq_annual_cost

REL = 1e-6


def test_eoq_example_3_1():
    # K = 8, h = 0.225, lambda = 1300 -> Q* = 304.04678, g(Q*) = 68.41053
    assert economic_order_quantity(1300, 8, 0.225) == pytest.approx(304.04678, rel=REL)
    assert eoq_annual_cost(1300, 8, 0.225) == pytest.approx(68.41053, rel=REL)


def test_eoq_cost_at_a_given_quantity_example_3_1():
    assert eoq_annual_cost(1300, 8, 0.225, 250) == pytest.approx(69.725, rel=REL)


def test_eoq_problem_3_1():
    # K = 2250, h = 275, lambda = 182500 -> Q* = 1728.10984, cost = 475230.207
    assert economic_order_quantity(182500, 2250, 275) == pytest.approx(1728.10984, rel=REL)
    assert eoq_annual_cost(182500, 2250, 275) == pytest.approx(475230.207, rel=REL)


def test_eoq_is_vectorised_and_broadcasts_single_values():
    q = economic_order_quantity([1300, 182500, 0], [8, 2250, 8], [0.225, 275, 0.225])
    np.testing.assert_allclose(q, [304.04678, 1728.10984, 0.0], rtol=REL)
    np.testing.assert_allclose(
        economic_order_quantity([1000, 4000], 10, 0.5), [200.0, 400.0], rtol=REL
    )


def test_missing_value_gives_missing_result_for_that_row_only():
    q = economic_order_quantity([1000, np.nan, 4000], 10, 0.5)
    assert q[0] == pytest.approx(200.0) and np.isnan(q[1]) and q[2] == pytest.approx(400.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000, -1, 0.5), "order_cost must be greater than 0 (got -1)"),
        ((1000, 10, 0), "holding_cost must be greater than 0 (got 0)"),
        ((-5, 10, 0.5), "annual_demand must not be negative (got -5)"),
        (([1, 2, 3], [1, 2], 1), "order_cost has 2 rows but annual_demand has 3"),
        (([1, 2, np.inf], 1, 1), "annual_demand must be a finite number (got inf in row 3)"),
    ],
)
def test_bad_input_names_the_argument(args, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        economic_order_quantity(*args)


def test_demand_by_item_counts_days_without_sales_as_zero():
    # item a sells 1 and 3 on two of four days: mean 1, sd sqrt((1+9)/4 - 1) = sqrt(1.5)
    table = demand_by_item(
        ["a", "a", "b"], ["2024-01-02", "2024-01-04", "2024-01-04"], [1, 3, 8], window_days=4
    )
    a, b = table.iloc[0], table.iloc[1]
    assert (a["item"], b["item"]) == ("a", "b")
    assert a["daily_mean"] == pytest.approx(1.0)
    assert a["daily_sd"] == pytest.approx(np.sqrt(1.5))
    assert a["annual_demand"] == pytest.approx(365.0)
    assert b["daily_mean"] == pytest.approx(2.0)
