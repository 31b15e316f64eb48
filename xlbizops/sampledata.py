"""A deterministic, realistic synthetic e-commerce order log for demos, tests and benchmarks.

How it is made (all vectorised, so 10 million orders take seconds, not hours):

- Calendar: two years, 2024-11-01 to 2026-10-31.  Daily order intensity has a trend
  (+35 % over the two years), a weekly pattern (Mondays busiest, Saturdays
  quietest) and a yearly one (Black Friday/Cyber week, December, a January lull).
- Customers: ~1 per 4 orders (about 3 in 4 of them buy), 12 % B2B.  Each has an
  acquisition day (a third were already customers on day one), a lifetime after which it churns
  (exponential; B2B stays longer) and a gamma-distributed purchase rate, so a few
  customers place many orders and most place one or two - the buy-till-you-die
  structure that RFM and BG/NBD expect.
- Products: SKUs with Zipf popularity (ABC analysis finds a real A class), a
  category, a log-normal list price and a supplier; suppliers differ in how often
  they ship late and how often an order goes wrong.
- Fulfilment: promised, shipped and delivered dates from processing and transit
  times by supplier and region; weekends wait for Monday; December is slower.
  Cancelled orders have no ship or delivery date; orders still open at the end of
  the log are "processing" or "shipped" with the missing dates blank.

Injected anomalies (for the risk analyses to find): an outage on 2025-03-12 (5 % of
normal orders), a flash sale on 2025-07-15 (3.5×), fat-finger quantities (×100) on
about 1 order in 20,000 (at least two), and a supplier disruption: SUP-07 ships
6 days late from 2025-09-01 to 2025-09-21.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlbizops.orderlog import schema

START = np.datetime64("2024-11-01")
DAYS = 730
OUTAGE_DAY = np.datetime64("2025-03-12")
FLASH_SALE_DAY = np.datetime64("2025-07-15")
DISRUPTED_SUPPLIER = "SUP-07"
DISRUPTION = (np.datetime64("2025-09-01"), np.datetime64("2025-09-21"))

MIN_ORDERS = 100  # fewer make no two-year log with every pattern above
COLUMNS = schema.COLUMNS  # the order log's fields, in the Data sheet's order

_CATEGORIES = np.array(
    ["Electronics", "Home", "Apparel", "Beauty", "Sports", "Toys", "Office", "Grocery"]
)
_MEDIAN_PRICE = np.array([120.0, 45.0, 35.0, 22.0, 55.0, 28.0, 18.0, 9.0])
_REGIONS = np.array(["Northeast", "Southeast", "Midwest", "Southwest", "West"])
_REGION_SHARE = [0.24, 0.22, 0.20, 0.14, 0.20]
_TRANSIT_DAYS = np.array([2, 3, 3, 4, 4])
_B2C_CHANNELS = np.array(["web", "mobile_app", "marketplace"])
_B2B_CHANNELS = np.array(["b2b_portal", "sales_rep"])
_CHANNELS = list(_B2C_CHANNELS) + list(_B2B_CHANNELS)
_STATUSES = ["delivered", "returned", "shipped", "processing", "cancelled"]
_ERROR_TYPES = np.array(["wrong_item", "damaged", "wrong_address", "billing"])
_N_SUPPLIERS = 12
# Monday..Sunday (numpy weekday of 1970-01-01 is Thursday; see _weekday).
_WEEKLY = np.array([1.10, 1.05, 1.00, 0.98, 0.92, 0.85, 1.02])


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday for datetime64[D] values."""
    return (days.astype(np.int64) + 3) % 7


def daily_intensity() -> np.ndarray:
    """Relative expected orders per day over the calendar (trend × week × year × events)."""
    days = START + np.arange(DAYS)
    t = np.arange(DAYS) / DAYS
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    yearly = 1.0 + 0.12 * np.cos(2 * np.pi * (doy - 345) / 365.25)
    month_day = pd.DatetimeIndex(days)
    black_friday = (month_day.month == 11) & (month_day.day >= 24) & (month_day.day <= 30)
    december = (month_day.month == 12) & (month_day.day <= 20)
    january = (month_day.month == 1) & (month_day.day <= 20)
    events = np.ones(DAYS)
    events[black_friday] = 1.9
    events[december] = 1.25
    events[january] = 0.85
    events[days == OUTAGE_DAY] = 0.05
    events[days == FLASH_SALE_DAY] = 3.5
    return (1.0 + 0.35 * t) * _WEEKLY[_weekday(days)] * yearly * events


def generate_orders(
    n_orders: int = 20_000, seed: int = 42, first_order: int = 1, first_customer: int = 1
) -> pd.DataFrame:
    """The order log as a DataFrame with :data:`COLUMNS`, sorted by order date.

    Text columns are categoricals (and order ids Arrow strings), so 10 million orders
    fit in a few GB.  Order and customer numbers start at ``first_order`` and
    ``first_customer`` (for logs written in shards, :func:`write_orders`).

    Same ``n_orders`` and ``seed`` → the same log, on any machine.
    """
    if n_orders < MIN_ORDERS:
        raise ValueError(f"n_orders must be at least {MIN_ORDERS}")
    rng = np.random.default_rng(seed)
    n = int(n_orders)
    intensity = daily_intensity()
    cum = np.concatenate([[0.0], np.cumsum(intensity)])  # cum[d] = mass before day d

    # Customers: acquisition, lifetime, purchase rate.
    n_cust = max(50, n // 4)
    b2b = rng.random(n_cust) < 0.12
    existing = rng.random(n_cust) < 0.33
    acquired = np.where(
        existing, 0, np.searchsorted(cum, rng.random(n_cust) * cum[-1], side="right") - 1
    )
    acquired = np.clip(acquired, 0, DAYS - 1)
    lifetime = rng.exponential(np.where(b2b, 900.0, 420.0))
    churned = np.minimum(acquired + np.ceil(lifetime).astype(int) + 1, DAYS)
    rate = rng.gamma(0.6, 1.0, n_cust) * np.where(b2b, 3.0, 1.0)
    weight = rate * (cum[churned] - cum[acquired])
    customer = rng.choice(n_cust, size=n, p=weight / weight.sum())
    lo, hi = cum[acquired[customer]], cum[churned[customer]]
    day = np.searchsorted(cum, lo + rng.random(n) * (hi - lo), side="right") - 1
    day = np.clip(day, acquired[customer], churned[customer] - 1)
    order = np.argsort(day, kind="stable")
    customer, day = customer[order], day[order]
    is_b2b = b2b[customer]
    region_of = rng.choice(len(_REGIONS), size=n_cust, p=_REGION_SHARE)
    region = region_of[customer]

    # Products: Zipf popularity, category, price, supplier.
    n_sku = int(np.clip(n // 400, 40, 2000))
    popularity = 1.0 / np.arange(1, n_sku + 1) ** 1.1
    sku = rng.choice(n_sku, size=n, p=popularity / popularity.sum())
    sku_category = rng.integers(0, len(_CATEGORIES), n_sku)
    list_price = np.round(_MEDIAN_PRICE[sku_category] * rng.lognormal(0.0, 0.5, n_sku), 2).clip(
        0.99
    )
    sku_supplier = (sku_category * 3 + rng.integers(0, 3, n_sku)) % _N_SUPPLIERS
    supplier = sku_supplier[sku]
    late_prob = np.linspace(0.03, 0.18, _N_SUPPLIERS)[rng.permutation(_N_SUPPLIERS)]
    error_prob = np.linspace(0.01, 0.06, _N_SUPPLIERS)[rng.permutation(_N_SUPPLIERS)]

    # Quantities and prices.
    quantity = np.where(is_b2b, 5 + rng.negative_binomial(2, 0.08, n), rng.geometric(0.62, n))
    fat_finger = rng.random(n) < 1 / 20_000
    fat_finger[rng.choice(n, 2, replace=False)] = True
    quantity = np.where(fat_finger, quantity * 100, quantity)
    order_day = START + day
    promo = np.where(order_day == FLASH_SALE_DAY, 0.8, 1.0)
    unit_price = np.round(list_price[sku] * np.where(is_b2b, 0.85, 1.0) * promo, 2)
    amount = np.round(quantity * unit_price, 2)
    channel = np.where(  # codes into _CHANNELS
        is_b2b,
        len(_B2C_CHANNELS) + (rng.random(n) < 0.3).astype(int),
        rng.choice(3, n, p=[0.45, 0.35, 0.20]),
    )

    # Fulfilment dates.
    processing = rng.choice([0, 1, 1, 2, 2, 3], n) + (rng.random(n) < late_prob[supplier]) * (
        rng.integers(2, 6, n)
    )
    weekday = _weekday(order_day)
    processing += np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    december_rush = pd.DatetimeIndex(order_day).month == 12
    processing += december_rush.astype(int)
    disrupted = (
        (supplier == int(DISRUPTED_SUPPLIER[-2:]) - 1)
        & (order_day >= DISRUPTION[0])
        & (order_day <= DISRUPTION[1])
    )
    processing += np.where(disrupted, 6, 0)
    transit = _TRANSIT_DAYS[region] + rng.integers(-1, 3, n)
    promised_days = _TRANSIT_DAYS[region] + np.where(is_b2b, 5, 4)
    shipped = order_day + processing
    delivered = shipped + np.maximum(transit, 1)
    promised = order_day + promised_days

    end = START + DAYS - 1
    cancelled = rng.random(n) < 0.02
    returned = ~cancelled & (rng.random(n) < np.where(is_b2b, 0.01, 0.06)) & (delivered <= end)
    status = np.zeros(n, dtype=np.int8)  # codes into _STATUSES, later ones win
    status[returned] = 1
    status[delivered > end] = 2
    status[shipped > end] = 3
    status[cancelled] = 4
    no_ship = cancelled | (shipped > end)
    no_delivery = no_ship | (delivered > end)
    error = ~cancelled & (rng.random(n) < error_prob[supplier])
    error_type = np.where(error, 1 + rng.integers(0, 4, n), 0)  # codes; 0 = no error

    def dates_or_blank(values, blank):
        out = pd.Series(values.astype("datetime64[ns]"))
        out[blank] = pd.NaT
        return out

    return pd.DataFrame(
        {
            "order_id": pd.array(
                np.char.mod("SO-%08d", np.arange(first_order, first_order + n)), dtype="str"
            ),
            "order_date": pd.Series(order_day.astype("datetime64[ns]")),
            "promised_date": dates_or_blank(promised, cancelled),
            "shipped_date": dates_or_blank(shipped, no_ship),
            "delivered_date": dates_or_blank(delivered, no_delivery),
            "customer_id": pd.Categorical.from_codes(
                customer, [f"C{c:06d}" for c in range(first_customer, first_customer + n_cust)]
            ),
            "customer_type": pd.Categorical.from_codes(is_b2b.astype(np.int8), ["B2C", "B2B"]),
            "sku": pd.Categorical.from_codes(sku, [f"SKU-{s:05d}" for s in range(1, n_sku + 1)]),
            "category": pd.Categorical.from_codes(sku_category[sku], _CATEGORIES),
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": amount,
            "channel": pd.Categorical.from_codes(channel, _CHANNELS),
            "region": pd.Categorical.from_codes(region, _REGIONS),
            "supplier": pd.Categorical.from_codes(
                supplier, [f"SUP-{s:02d}" for s in range(1, _N_SUPPLIERS + 1)]
            ),
            "status": pd.Categorical.from_codes(status, _STATUSES),
            "error_flag": error.astype(np.int8),
            "error_type": pd.Categorical.from_codes(error_type, ["", *_ERROR_TYPES]),
        },
        columns=COLUMNS,
    )


SHARD_ORDERS = 2_000_000  # orders generated at a time when writing a big log


def shards(n_orders: int, seed: int = 42):
    """The log of ``n_orders`` as DataFrames of at most :data:`SHARD_ORDERS` orders.

    Up to that size, one shard: exactly :func:`generate_orders`.  Beyond it, shard k
    is a log of its own (seed + k) with order and customer numbers after the previous
    shards', as if several shops' logs were joined: memory stays that of one shard
    whatever ``n_orders`` is, and each shard is sorted by date, not the whole file.
    """
    done, customers, k = 0, 0, 0
    while done < n_orders:
        size = min(SHARD_ORDERS, n_orders - done)
        if 0 < n_orders - done - size < 100:  # keep the last shard a real log
            size = n_orders - done
        orders = generate_orders(size, seed + k, done + 1, customers + 1)
        customers += len(orders["customer_id"].cat.categories)
        done, k = done + size, k + 1
        yield orders


def write_orders(path, n_orders: int = 20_000, seed: int = 42, chunk: int = 500_000) -> int:
    """Write the sample log (:func:`shards`) to CSV, or to Parquet when ``path`` ends
    in .parquet; dates as dates, blanks empty; returns rows.

    Streams ``chunk`` rows at a time through pyarrow's writers (about ten times
    faster than ``DataFrame.to_csv`` on categorical columns); 50,000,000 orders need
    the memory of one shard."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    parquet = str(path).lower().endswith((".parquet", ".pq"))
    writer, rows = None, 0
    try:
        for orders in shards(n_orders, seed):
            table = pa.Table.from_pandas(orders, preserve_index=False)
            for name in ("order_date", "promised_date", "shipped_date", "delivered_date"):
                index = table.schema.get_field_index(name)
                table = table.set_column(index, name, table.column(name).cast(pa.date32()))
            if parquet:  # plain strings: one schema for every shard's dictionary
                for index, item in enumerate(table.schema):
                    if pa.types.is_dictionary(item.type):
                        table = table.set_column(
                            index, item.name, table.column(index).cast(pa.string())
                        )
            if writer is None:
                writer = (
                    pq.ParquetWriter(str(path), table.schema)
                    if parquet
                    else pacsv.CSVWriter(str(path), table.schema)
                )
            for batch in table.to_batches(max_chunksize=chunk):
                if parquet:
                    writer.write_table(pa.Table.from_batches([batch]))
                else:
                    writer.write_batch(batch)
            rows += len(orders)
    finally:
        if writer is not None:
            writer.close()
    return rows


def generate_inventory(orders: pd.DataFrame, seed: int = 42) -> pd.DataFrame:
    """An inventory snapshot at the end of the log: sku, on_hand, unit_cost, lead_time_days.

    Lead time depends on the supplier (3 to 21 days).  Stock covers the lead-time demand
    times a factor drawn between 0.3 and 3, so a handful of SKUs run short (for the
    stock-out risk) and some are overstocked (for days of supply).
    """
    rng = np.random.default_rng(seed + 1)
    sold = orders[orders["status"] != "cancelled"]
    end = sold["order_date"].max()
    recent = sold[sold["order_date"] > end - pd.Timedelta(days=90)]
    daily = recent.groupby("sku", observed=True)["quantity"].sum() / 90
    per_sku = sold.groupby("sku", observed=True).agg(
        unit_price=("unit_price", "median"), supplier=("supplier", "first")
    )
    suppliers = per_sku["supplier"].astype(str).str[-2:].astype(int)
    lead = 3 + (suppliers * 7) % 19
    demand = daily.reindex(per_sku.index, fill_value=0.0)
    cover = rng.uniform(0.3, 3.0, len(per_sku))
    on_hand = np.round(demand.to_numpy() * lead.to_numpy() * cover)
    return pd.DataFrame(
        {
            "sku": per_sku.index.astype(str),
            "on_hand": on_hand,
            "unit_cost": np.round(per_sku["unit_price"].to_numpy() * 0.6, 2),
            "lead_time_days": lead.to_numpy().astype(float),
        }
    )
