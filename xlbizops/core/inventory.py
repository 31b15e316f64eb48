"""Supply chain and inventory: order quantities and their costs.

Notation follows Snyder & Shen, *Fundamentals of Supply Chain Theory* (2nd ed., 2019),
chapter 3: λ (``annual_demand``, units per year), K (``order_cost``, per order) and
h (``holding_cost``, per unit per year).  Every function takes scalars or equal-length
columns (a length-1 column broadcasts) and works on whole columns at once.  A missing
value (NaN) gives a missing result for that row only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError

_INPUTS = "annual_demand, order_cost and holding_cost"


def _demand_and_costs(annual_demand, order_cost, holding_cost):
    demand = v.non_negative("annual_demand", annual_demand, allow_nan=True)
    order = v.positive("order_cost", order_cost, allow_nan=True)
    holding = v.positive("holding_cost", holding_cost, allow_nan=True)
    v.same_length(annual_demand=demand, order_cost=order, holding_cost=holding)
    return demand, order, holding


def economic_order_quantity(annual_demand, order_cost, holding_cost) -> np.ndarray:
    """Economic order quantity  Q* = sqrt(2·λ·K / h).

    Harris (1913); Snyder & Shen (2019), section 3.2.  Demand may be 0 (Q* = 0);
    both costs must be greater than 0.

    Example 3.1 of Snyder & Shen: K = 8, h = 0.225, λ = 1300 gives Q* = 304.04678.

    >>> float(economic_order_quantity(1300, 8, 0.225))
    304.0467800264...
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    with np.errstate(over="ignore"):
        quantity = np.sqrt(2.0 * demand * order / holding)
    return v.finite_result("the order quantity", quantity, _INPUTS)


def eoq_annual_cost(annual_demand, order_cost, holding_cost, order_qty=None) -> np.ndarray:
    """Annual ordering plus holding cost  g(Q) = K·λ/Q + h·Q/2  (at Q* when omitted).

    At Q* this equals sqrt(2·K·λ·h).  Snyder & Shen (2019), section 3.2.

    Example 3.1: g(Q*) = 68.41053 and g(250) = 69.725.

    >>> round(float(eoq_annual_cost(1300, 8, 0.225, 250)), 3)
    69.725
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    with np.errstate(over="ignore"):
        if order_qty is None:
            cost = np.sqrt(2.0 * order * demand * holding)
        else:
            qty = v.positive("order_qty", order_qty, allow_nan=True)
            v.same_length(annual_demand=demand, order_qty=qty)
            cost = order * demand / qty + holding * qty / 2.0
    return v.finite_result("the annual cost", cost, _INPUTS)


def demand_by_item(items, dates, quantities, as_of=None, window_days: int = 365) -> pd.DataFrame:
    """Per item: annual demand and daily demand mean and standard deviation.

    Uses the ``window_days`` days up to and including ``as_of`` (default: the latest
    date).  Days without sales count as zero demand, so the standard deviation is
    that of daily demand, as safety-stock formulas expect.  Annual demand =
    daily mean × 365.
    """
    window_days = v.whole_number("window_days", window_days, minimum=1)
    day = pd.to_datetime(pd.Series(dates), errors="coerce").dt.normalize()
    if day.isna().any():
        raise InputError(f"dates is not a date in row {int(np.flatnonzero(day.isna())[0]) + 1}")
    qty = v.as_numbers("quantities", quantities)
    last = day.max() if as_of is None else pd.Timestamp(as_of).normalize()
    inside = ((day > last - pd.Timedelta(days=window_days)) & (day <= last)).to_numpy()
    frame = pd.DataFrame({"item": np.asarray(items, dtype=object)[inside], "day": day[inside]})
    frame["qty"] = qty[inside]
    daily = frame.groupby(["item", "day"], sort=False)["qty"].sum()
    per_item = pd.DataFrame(
        {
            "total": daily.groupby(level=0).sum(),
            "squares": (daily**2).groupby(level=0).sum(),
        }
    ).sort_index()
    mean = per_item["total"] / window_days
    variance = (per_item["squares"] / window_days - mean**2).clip(lower=0)
    return pd.DataFrame(
        {
            "item": per_item.index.to_numpy(dtype=object),
            "annual_demand": (mean * 365).to_numpy(),
            "daily_mean": mean.to_numpy(),
            "daily_sd": np.sqrt(variance).to_numpy(),
        }
    )
