"""Supply chain and inventory: order quantities and their costs.

Notation follows Snyder & Shen, *Fundamentals of Supply Chain Theory* (2nd ed., 2019),
chapter 3: λ (``annual_demand``, units per year), K (``order_cost``, per order) and
h (``holding_cost``, per unit per year).  Every function takes scalars or equal-length
columns (a length-1 column broadcasts) and works on whole columns at once.  A missing
value (NaN) gives a missing result for that row only.
"""

from __future__ import annotations

import numpy as np

from xlbizops.core import validation as v


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
    return np.sqrt(2.0 * demand * order / holding)


def eoq_annual_cost(annual_demand, order_cost, holding_cost, order_qty=None) -> np.ndarray:
    """Annual ordering plus holding cost  g(Q) = K·λ/Q + h·Q/2  (at Q* when omitted).

    At Q* this equals sqrt(2·K·λ·h).  Snyder & Shen (2019), section 3.2.

    Example 3.1: g(Q*) = 68.41053 and g(250) = 69.725.

    >>> round(float(eoq_annual_cost(1300, 8, 0.225, 250)), 3)
    69.725
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    if order_qty is None:
        return np.sqrt(2.0 * order * demand * holding)
    qty = v.positive("order_qty", order_qty, allow_nan=True)
    v.same_length(annual_demand=demand, order_qty=qty)
    return order * demand / qty + holding * qty / 2.0
