"""EOQ against Snyder & Shen, Fundamentals of Supply Chain Theory (2nd ed.), ch. 3.

Cases as encoded in stockpyl's tests (see shared/oracles/README.md); exact formulas,
so the tolerance is 1e-6 relative.
"""

import numpy as np
import pytest

from xlbizops.core import InputError
from xlbizops.core.inventory import demand_by_item, economic_order_quantity, eoq_annual_cost

REL = 1e-6


def published(printed: str):
    """Equal to a published answer as printed: within half a unit of its last digit."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return pytest.approx(float(printed), rel=REL, abs=0.5 * 10**-decimals)


def test_eoq_example_3_1():
    # K = 8, h = 0.225, lambda = 1300 -> Q* = 304.04678, g(Q*) = 68.41053
    assert economic_order_quantity(1300, 8, 0.225) == published("304.04678")
    assert eoq_annual_cost(1300, 8, 0.225) == published("68.41053")


def test_eoq_cost_at_a_given_quantity_example_3_1():
    assert eoq_annual_cost(1300, 8, 0.225, 250) == published("69.725")


def test_eoq_problem_3_1():
    # K = 2250, h = 275, lambda = 182500 -> Q* = 1728.10984, cost = 475230.207
    assert economic_order_quantity(182500, 2250, 275) == published("1728.10984")
    assert eoq_annual_cost(182500, 2250, 275) == published("475230.207")


def test_eoq_is_vectorised_and_broadcasts_single_values():
    q = economic_order_quantity([1300, 182500, 0], [8, 2250, 8], [0.225, 275, 0.225])
    np.testing.assert_allclose(q, [304.04678, 1728.10984, 0.0], rtol=REL)
    np.testing.assert_allclose(
        economic_order_quantity([1000, 4000], 10, 0.5), [200.0, 400.0], rtol=REL
    )


def test_missing_value_gives_missing_result_for_that_row_only():
    q = economic_order_quantity([1000, np.nan, 4000], 10, 0.5)
    assert q[0] == pytest.approx(200.0) and np.isnan(q[1]) and q[2] == pytest.approx(400.0)
    cost = eoq_annual_cost([1300, 1300], 8, 0.225, [250, np.nan])
    assert cost[0] == pytest.approx(69.725) and np.isnan(cost[1])


def test_overflow_is_refused_not_returned_as_a_number():
    with pytest.raises(InputError, match="the order quantity is too large to compute"):
        economic_order_quantity(1e100, 1e100, 1e-300)


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


# --- The rest of chapter 3-5 of Snyder & Shen (oracles README) -----------------------

from xlbizops.core.inventory import (  # noqa: E402
    abc_classes,
    days_of_supply,
    economic_production_quantity,
    eoq_with_backorders,
    eoq_with_discounts,
    inventory_turnover,
    newsvendor,
    reorder_point,
    rq_policy,
    safety_stock,
    xyz_classes,
)

TABLE = 0.005  # answers computed from printed z-tables: 0.5 % relative


def test_eoq_with_planned_backorders_example_3_8():
    q, x, g = eoq_with_backorders(1300, 8, 0.225, 5)
    assert q == published("310.81256")
    assert x == published("0.0430622")
    assert g == published("66.92136")


@pytest.mark.parametrize(
    ("args", "q", "g"),
    [
        ((1300, 8, 0.225, 2000), "513.93286", "40.47221"),
        ((80, 4, 0.08, 110), "171.26977", "3.73679"),
    ],
)
def test_epq_example_3_1_variant_and_problem_3_22(args, q, g):
    quantity, cost = economic_production_quantity(*args)
    assert quantity == published(q) and cost == published(g)


def test_epq_needs_production_faster_than_demand():
    with pytest.raises(InputError, match="production_rate must be greater than annual_demand"):
        economic_production_quantity(1300, 8, 0.225, 1000)


def test_all_units_discount_example_3_5():
    q, cost, table = eoq_with_discounts(1300, 8, 0.3, [0, 400, 800], [0.75, 0.72, 0.68])
    assert q == pytest.approx(800) and cost == pytest.approx(978.60, abs=0.005)
    assert table["order_qty"].tolist() == pytest.approx([304.04678, 400, 800], rel=REL)


def test_incremental_discount_example_3_5():
    q, cost, _ = eoq_with_discounts(
        1300, 8, 0.3, [0, 400, 800], [0.75, 0.72, 0.68], kind="incremental"
    )
    assert q == published("304.04678")
    assert cost == published("1043.41053")


@pytest.mark.parametrize(
    ("breaks", "prices", "message"),
    [
        ([100, 400], [0.75, 0.72], "break_quantities must start at 0"),
        ([0, 400, 300], [0.75, 0.72, 0.7], "must increase"),
        ([0, 400], [0.75], "break_quantities has 2 values but unit_prices has 1"),
        ([0, 400], [0.75, -1], "unit_prices must be greater than 0"),
    ],
)
def test_discount_bad_breaks(breaks, prices, message):
    with pytest.raises(InputError, match=message):
        eoq_with_discounts(1300, 8, 0.3, breaks, prices)


def test_newsvendor_example_4_3_normal_demand():
    # h = 0.18 (overage), p = 0.7 (underage): price 1.7, cost 1, salvage 0.82.
    out = newsvendor(1.7, 1.0, 0.82, 50, 8)
    assert out["order_qty"] == published("56.60396")
    assert out["expected_mismatch_cost"] == published("1.99761")
    assert out["expected_profit"] == pytest.approx(0.7 * 50 - 1.99761, rel=REL)
    at_40 = newsvendor(1.7, 1.0, 0.82, 50, 8, order_qty=40)
    assert at_40["expected_mismatch_cost"] == published("7.35613")


def test_newsvendor_example_4_7_poisson_demand():
    out = newsvendor(5.0, 1.0, 0.0, 6, distribution="poisson")  # h = 1, p = 4
    assert out["order_qty"] == 8
    assert out["expected_mismatch_cost"] == published("3.57011")


def test_newsvendor_refuses_a_loss_making_price():
    with pytest.raises(InputError, match="price must be greater than cost"):
        newsvendor(1.0, 2.0, 0.0, 50, 8)


def test_rq_policy_example_5_1_eoq_plus_ss():
    r, q = rq_policy(0.225, 7.5, 8, 1300, 150, 1 / 12)
    assert r == published("190.33700") and q == published("304.04678")


def test_safety_stock_three_textbook_cases():
    # z(0.95) = 1.645 from the printed table; SS formulas from the oracles README.
    z = 1.645
    assert safety_stock(0.95, 100, 20, 4) == pytest.approx(z * 20 * 2, rel=TABLE)
    assert safety_stock(0.95, 100, 0, 4, 1) == pytest.approx(z * 100 * 1, rel=TABLE)
    both = z * np.sqrt(4 * 20**2 + 100**2 * 1**2)
    assert safety_stock(0.95, 100, 20, 4, 1) == pytest.approx(both, rel=TABLE)
    assert reorder_point(0.95, 100, 20, 4) == pytest.approx(400 + z * 40, rel=TABLE)


def test_safety_stock_service_level_must_be_a_probability():
    with pytest.raises(InputError, match="service_level must be between 0 and 1"):
        safety_stock(95, 100, 20, 4)


def test_abc_by_hand():
    table = abc_classes(list("abcdef"), [3, 50, 10, 2, 30, 5])
    assert table["item"].tolist() == ["b", "e", "c", "f", "a", "d"]
    assert table["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 0.95, 0.98, 1.0])
    assert table["class"].tolist() == ["A", "A", "B", "B", "C", "C"]


def test_abc_top_item_is_a_even_when_it_alone_passes_80_percent():
    # y brings the cumulative share to 100 %, past b_share: C.
    assert abc_classes(["x", "y"], [90, 10])["class"].tolist() == ["A", "C"]
    assert abc_classes(["x", "y", "z"], [85, 8, 7])["class"].tolist() == ["A", "B", "C"]


def test_abc_heizer_render_silicon_chips():
    """Heizer & Render, *Operations Management*, ch. 12, Example 1 (Silicon Chips, Inc.):
    annual volume × unit cost for ten items; the book's classes: A = #10286, #11526
    (72 % of value), B = #12760, #10867, #10500, C = the other five."""
    volume = {"10286": (1000, 90.00), "11526": (500, 154.00), "12760": (1550, 17.00),
              "10867": (350, 42.86), "10500": (1000, 12.50), "12572": (600, 14.17),
              "14075": (2000, 0.60), "01036": (100, 8.50), "01307": (1200, 0.42),
              "10572": (250, 0.60)}  # fmt: skip
    table = abc_classes(list(volume), [q * c for q, c in volume.values()])
    classes = dict(zip(table["item"], table["class"], strict=True))
    assert table["annual_value"].sum() == pytest.approx(232_057)
    assert classes["10286"] == classes["11526"] == "A"
    assert table["cumulative_share"].iloc[1] == pytest.approx(0.720, abs=5e-4)  # as printed
    assert classes["12760"] == classes["10867"] == "B"  # cumulative 83.3 % and 89.8 %
    for item in ("12572", "14075", "01036", "01307", "10572"):
        assert classes[item] == "C"
    # #10500 brings the cumulative share to 95.17 %: C at b_share = 95 %; the book's B
    # for it is its own rounding (5.4 % of value); at b_share = 96 % it is B.
    assert classes["10500"] == "C"
    wider = abc_classes(list(volume), [q * c for q, c in volume.values()], b_share=0.96)
    assert dict(zip(wider["item"], wider["class"], strict=True))["10500"] == "B"


def test_xyz_by_hand():
    # Sample sd (STDEV.S): [10,10,10,10] -> 0; [5,15,5,15] -> 5.7735, cv 0.577;
    # [0,0,0,40] -> sd 20, cv 2; no demand -> Z without a cv.
    table = xyz_classes(
        list("abcd"), [[10, 10, 10, 10], [5, 15, 5, 15], [0, 0, 0, 40], [0, 0, 0, 0]]
    )
    assert table["cv"].tolist()[:3] == pytest.approx([0.0, 0.57735, 2.0], rel=1e-5)
    assert np.isnan(table["cv"].iloc[3])
    assert table["class"].tolist() == ["X", "Y", "Z", "Z"]


def test_turnover_and_days_of_supply():
    assert inventory_turnover(1_200_000, 200_000) == pytest.approx(6.0)
    out = days_of_supply([300, 10], [20, 0])
    assert out[0] == 15.0 and np.isnan(out[1])


def test_lead_time_demand_by_hand():
    from xlbizops.core.inventory import lead_time_demand

    # 10 a day for 9 days, sd 3 a day: mean 90, sd 3 * sqrt(9) = 9.
    assert [float(x) for x in lead_time_demand(10, 3, 9)] == [90.0, 9.0]
    # 10 a day, lead time 10 +- 2 days, no demand noise: mean 100, sd 10 * 2 = 20.
    assert [float(x) for x in lead_time_demand(10, 0, 10, 2)] == [100.0, 20.0]
    with pytest.raises(InputError, match="lead_time must not be negative"):
        lead_time_demand(10, 3, -1)


def test_columns_that_go_together_must_have_equal_rows():
    from xlbizops.core.validation import same_rows

    assert same_rows(a=[1, 2], b=np.zeros(2)) == 2
    with pytest.raises(InputError, match="^b has 1 rows but a has 2$"):
        same_rows(a=[1, 2], b=[1])


def test_demand_by_item_weighted_price_skips_missing_prices():
    """A: 2 units at 10 and 3 at 20 on Jan 1, 5 unpriced units on Jan 2: price
    (20 + 60) / 5 = 16 and value = annual demand (10 units over 2 days) × 16."""
    dates = np.array(["2025-01-01", "2025-01-01", "2025-01-02"], dtype="datetime64[D]")
    table = demand_by_item(
        ["A", "A", "A"], dates, [2, 3, 5], window_days=2, unit_prices=[10.0, 20.0, np.nan]
    )
    row = table.iloc[0]
    assert row["unit_price"] == pytest.approx(16.0)
    assert row["annual_demand"] == pytest.approx(10 / 2 * 365)
    assert row["annual_value"] == pytest.approx(10 / 2 * 365 * 16.0)
    with pytest.raises(InputError, match="unit_prices"):
        demand_by_item(["A"], dates[:1], [1], unit_prices=[-1.0])
