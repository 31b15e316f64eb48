"""The synthetic order log: deterministic, complete, and shaped like real e-commerce data."""

import numpy as np
import pandas as pd
import pytest

from xlbizops.sampledata import COLUMNS, generate_orders, write_orders


@pytest.fixture(scope="module")
def orders():
    return generate_orders(20_000, seed=42)


def test_same_seed_same_log_and_different_seed_different_log(orders):
    pd.testing.assert_frame_equal(orders, generate_orders(20_000, seed=42))
    assert not orders["amount"].equals(generate_orders(20_000, seed=1)["amount"])


def test_columns_and_types(orders):
    assert list(orders.columns) == COLUMNS
    assert len(orders) == 20_000 and orders["order_id"].is_unique
    assert orders["order_date"].is_monotonic_increasing
    assert set(orders["status"]) == {"delivered", "returned", "cancelled", "shipped", "processing"}
    assert set(orders["customer_type"]) == {"B2B", "B2C"}
    assert (orders["amount"] == (orders["quantity"] * orders["unit_price"]).round(2)).all()


def test_fulfilment_dates_are_consistent(orders):
    shipped = orders["shipped_date"].notna()
    assert (orders.loc[shipped, "shipped_date"] >= orders.loc[shipped, "order_date"]).all()
    delivered = orders["delivered_date"].notna()
    assert (orders.loc[delivered, "delivered_date"] > orders.loc[delivered, "shipped_date"]).all()
    cancelled = orders["status"] == "cancelled"
    assert orders.loc[cancelled, ["shipped_date", "delivered_date"]].isna().all().all()
    still_open = orders["status"].isin(["processing", "shipped"])
    assert orders.loc[still_open, "delivered_date"].isna().all()


def test_customers_and_skus_are_heavy_tailed(orders):
    per_customer = orders["customer_id"].value_counts()
    per_customer = per_customer[per_customer > 0]
    assert per_customer.median() <= 4 and per_customer.max() >= 50
    revenue = orders.groupby("sku", observed=True)["amount"].sum().sort_values(ascending=False)
    top_fifth = revenue.iloc[: len(revenue) // 5].sum() / revenue.sum()
    assert top_fifth > 0.55  # Pareto-like: a fifth of SKUs carry most of the revenue


def test_weekly_and_yearly_seasonality_and_trend(orders):
    daily = orders.groupby("order_date").size()
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    assert by_weekday.idxmax() == 0 and by_weekday.idxmin() == 5  # Monday high, Saturday low
    first, second = daily.loc[:"2025-10-31"].sum(), daily.loc["2025-11-01":].sum()
    assert second > 1.1 * first  # growth
    black_friday = daily.loc["2025-11-24":"2025-11-30"].mean()
    assert black_friday > 1.5 * daily.loc["2025-10-01":"2025-10-31"].mean()


def test_injected_anomalies_are_there(orders):
    daily = orders.groupby("order_date").size()
    assert daily.loc["2025-03-12"] < 0.2 * daily.loc["2025-03-05":"2025-03-19"].median()
    assert daily.loc["2025-07-15"] > 2.5 * daily.loc["2025-07-08":"2025-07-22"].median()
    assert (orders["quantity"] >= 100).sum() >= 2
    lag = (orders["shipped_date"] - orders["order_date"]).dt.days
    sup7 = orders["supplier"] == "SUP-07"
    in_window = orders["order_date"].between("2025-09-01", "2025-09-21")
    assert lag[sup7 & in_window].mean() > lag[sup7 & ~in_window].mean() + 4


def test_csv_round_trip(tmp_path):
    path = tmp_path / "orders.csv"
    assert write_orders(path, 500, seed=3, chunk=200) == 500
    back = pd.read_csv(path)
    assert list(back.columns) == COLUMNS and len(back) == 500
    assert back["order_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert np.allclose(back["amount"], generate_orders(500, seed=3)["amount"])
