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
from scipy.stats import norm, poisson

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
    with np.errstate(all="ignore"):
        quantity = np.sqrt(2.0 * demand * order / holding)
    return v.finite_result("the order quantity", quantity, _INPUTS, demand, order, holding)


def eoq_annual_cost(annual_demand, order_cost, holding_cost, order_qty=None) -> np.ndarray:
    """Annual ordering plus holding cost  g(Q) = K·λ/Q + h·Q/2  (at Q* when omitted).

    At Q* this equals sqrt(2·K·λ·h).  Snyder & Shen (2019), section 3.2.

    Example 3.1: g(Q*) = 68.41053 and g(250) = 69.725.

    >>> round(float(eoq_annual_cost(1300, 8, 0.225, 250)), 3)
    69.725
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    given = [demand, order, holding]
    with np.errstate(all="ignore"):
        if order_qty is None:
            cost = np.sqrt(2.0 * order * demand * holding)
        else:
            qty = v.positive("order_qty", order_qty, allow_nan=True)
            v.same_length(annual_demand=demand, order_qty=qty)
            cost = order * demand / qty + holding * qty / 2.0
            given.append(qty)
    return v.finite_result("the annual cost", cost, _INPUTS, *given)


def demand_by_item(
    items, dates, quantities, as_of=None, window_days: int = 365, unit_prices=None
) -> pd.DataFrame:
    """Per item: annual demand and daily demand mean and standard deviation.

    Uses the ``window_days`` days up to and including ``as_of`` (default: the latest
    date).  Days without sales count as zero demand, so the standard deviation is
    that of daily demand, as safety-stock formulas expect.  Annual demand =
    daily mean × 365.

    Daily mean d̄ = Σq / W and σd = sqrt(Σq_day² / W − d̄²) over the W days of the
    window: the d̄ and σd that :func:`safety_stock` takes (Silver, Pyke & Thomas,
    4th ed., §6.7, where demand per period includes the periods without any).

    With ``unit_prices`` (one per record) two more columns: ``unit_price``, the
    quantity-weighted mean price Σ(q·p) / Σq over the lines in the window that have a
    price (a missing price, NaN, is left out rather than read as 0), and
    ``annual_value`` = annual demand × that price — the annual usage value that ABC
    analysis ranks by (Silver, Pyke & Thomas, §2.4; :func:`abc_classes`).
    """
    window_days = v.whole_number("window_days", window_days, minimum=1)
    day = v.as_dates("dates", dates).dt.normalize()
    qty = v.as_numbers("quantities", quantities)
    last = day.max() if as_of is None else v.as_date("as_of", as_of).normalize()
    inside = ((day > last - pd.Timedelta(days=window_days)) & (day <= last)).to_numpy()
    frame = pd.DataFrame({"item": np.asarray(items, dtype=object)[inside], "day": day[inside]})
    frame["qty"] = qty[inside]
    if unit_prices is not None:
        price = v.non_negative("unit_prices", unit_prices, allow_nan=True)
        v.same_rows(items=np.asarray(items, dtype=object), unit_prices=price)
        priced = ~np.isnan(price[inside])
        frame["value"] = np.where(priced, qty[inside] * price[inside], 0.0)
        frame["priced_qty"] = np.where(priced, qty[inside], 0.0)
    daily = frame.groupby(["item", "day"], sort=False)["qty"].sum()
    per_item = pd.DataFrame(
        {
            "total": daily.groupby(level=0).sum(),
            "squares": (daily**2).groupby(level=0).sum(),
        }
    ).sort_index()
    if unit_prices is not None:
        sums = frame.groupby("item")[["value", "priced_qty"]].sum().reindex(per_item.index)
        per_item = per_item.join(sums)
    return demand_from_sums(per_item.reset_index(names="item"), window_days)


def demand_from_sums(per_item: pd.DataFrame, window_days: int = 365) -> pd.DataFrame:
    """:func:`demand_by_item` from each item's sums over the window: ``total`` = Σq,
    ``squares`` = Σ over days of (that day's q)², and, for the price columns,
    ``value`` = Σ q·p and ``priced_qty`` = Σ q over the priced lines.  The report's
    query engine sums them; d̄ = total / W and σd = sqrt(squares / W − d̄²)."""
    window_days = v.whole_number("window_days", window_days, minimum=1)
    v.needs("per_item", per_item, ("item", "total", "squares"))
    v.non_negative("total", per_item["total"])
    v.non_negative("squares", per_item["squares"])
    mean = per_item["total"].to_numpy(float) / window_days
    variance = np.clip(per_item["squares"].to_numpy(float) / window_days - mean**2, 0, None)
    table = pd.DataFrame(
        {
            "item": per_item["item"].to_numpy(dtype=object),
            "annual_demand": mean * 365,
            "daily_mean": mean,
            "daily_sd": np.sqrt(variance),
        }
    )
    if "value" in per_item:
        priced_qty = per_item["priced_qty"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            unit_price = np.where(
                priced_qty > 0, per_item["value"].to_numpy(float) / priced_qty, np.nan
            )
        table["unit_price"] = unit_price
        table["annual_value"] = table["annual_demand"].to_numpy() * unit_price
    return table[[c for c in DEMAND_COLUMNS if c in table]]


# DEMAND_BY_ITEM's columns; the last two only with unit prices.
DEMAND_COLUMNS = ["item", "annual_demand", "daily_mean", "daily_sd", "unit_price", "annual_value"]


def eoq_with_backorders(annual_demand, order_cost, holding_cost, backorder_cost):
    """EOQ with planned backorders: Q*, stock-out fraction x* and annual cost g*.

    Q* = sqrt(2·K·λ·(h + p) / (h·p)),  x* = h / (h + p),  g* = sqrt(2·K·λ·h·p / (h + p)),
    with p the backorder cost per unit per year.  Snyder & Shen (2019), section 3.5.

    Example 3.8: K = 8, h = 0.225, λ = 1300, p = 5 → Q* = 310.81256, x* = 0.0430622,
    g* = 66.92136.
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    backorder = v.positive("backorder_cost", backorder_cost, allow_nan=True)
    v.same_length(annual_demand=demand, backorder_cost=backorder)
    with np.errstate(all="ignore"):
        quantity = np.sqrt(2 * order * demand * (holding + backorder) / (holding * backorder))
        cost = np.sqrt(2 * order * demand * holding * backorder / (holding + backorder))
    given = (demand, order, holding, backorder)
    return (
        v.finite_result("the order quantity", quantity, _INPUTS, *given),
        holding / (holding + backorder),
        v.finite_result("the annual cost", cost, _INPUTS, *given),
    )


def economic_production_quantity(annual_demand, setup_cost, holding_cost, production_rate):
    """Economic production quantity (EPQ) and its annual setup + holding cost.

    Q* = sqrt(2·K·λ / (h·(1 − ρ))),  g* = sqrt(2·K·λ·h·(1 − ρ)),  ρ = λ/μ < 1,
    with μ the production rate per year.  Snyder & Shen (2019), section 3.6.

    Example 3.1 variant: K = 8, h = 0.225, λ = 1300, μ = 2000 → Q* = 513.93286,
    g* = 40.47221.
    """
    demand, setup, holding = _demand_and_costs(annual_demand, setup_cost, holding_cost)
    rate = v.positive("production_rate", production_rate, allow_nan=True)
    v.same_length(annual_demand=demand, production_rate=rate)
    rho = demand / rate
    if (rho >= 1).any():
        raise InputError(
            "production_rate must be greater than annual_demand "
            f"{v.got(rate, rho >= 1)}; otherwise stock never builds up"
        )
    with np.errstate(all="ignore"):
        quantity = np.sqrt(2 * setup * demand / (holding * (1 - rho)))
        cost = np.sqrt(2 * setup * demand * holding * (1 - rho))
    given = (demand, setup, holding, rate)
    return (
        v.finite_result("the production quantity", quantity, _INPUTS, *given),
        v.finite_result("the annual cost", cost, _INPUTS, *given),
    )


DISCOUNT_COLUMNS = ["break_quantity", "unit_price", "order_qty", "feasible", "annual_cost"]


def eoq_with_discounts(
    annual_demand, order_cost, holding_rate, break_quantities, unit_prices, kind="all_units"
) -> tuple[float, float, pd.DataFrame]:
    """Best order quantity under quantity discounts, and the cost of every candidate.

    Price region j starts at ``break_quantities[j]`` (the first must be 0) with unit
    price c_j; holding cost is i·(unit value) per year.  Annual cost includes
    purchasing.  Snyder & Shen (2019), section 3.4.

    - ``kind="all_units"``: an order of Q in region j pays c_j on every unit.
      g_j(Q) = c_j·λ + K·λ/Q + i·c_j·Q/2; candidate = EOQ at c_j raised to the break
      if below it; infeasible if at or above the next break.
    - ``kind="incremental"``: c_j applies only to units beyond b_j.  With
      F_j = Σ_{m<j} c_m·(b_{m+1} − b_m) − c_j·b_j,
      g_j(Q) = c_j·λ + (K + F_j)·λ/Q + i·c_j·Q/2 + i·F_j/2, candidate
      Q_j = sqrt(2·λ·(K + F_j)/(i·c_j)), feasible only inside its region.

    Example 3.5 (K = 8, i = 0.3, λ = 1300, breaks 0/400/800, prices .75/.72/.68):
    all-units → Q* = 800, cost 978.60; incremental → Q* = 304.04678, cost 1043.41053.
    Returns (best quantity, best cost, candidates table).
    """
    demand = float(v.non_negative("annual_demand", [annual_demand])[0])
    order = float(v.positive("order_cost", [order_cost])[0])
    rate = float(v.positive("holding_rate", [holding_rate])[0])
    breaks = v.non_negative("break_quantities", break_quantities)
    prices = v.positive("unit_prices", unit_prices)
    kind = v.choice("kind", kind, ("all_units", "incremental"))
    if breaks.ndim != 1 or len(breaks) != len(prices):
        raise InputError(
            f"break_quantities has {breaks.size} values but unit_prices has {prices.size}"
        )
    if breaks[0] != 0:
        raise InputError(f"break_quantities must start at 0 (got {breaks[0]:g})")
    if (np.diff(breaks) <= 0).any():
        raise InputError("break_quantities must increase from one price to the next")
    upper = np.append(breaks[1:], np.inf)
    if kind == "all_units":
        fixed = np.zeros_like(prices)
        eoq = np.sqrt(2 * order * demand / (rate * prices))
        qty = np.maximum(eoq, breaks)
        feasible = qty < upper
    else:
        paid_before = np.concatenate([[0.0], np.cumsum(prices[:-1] * np.diff(breaks))])
        fixed = paid_before - prices * breaks
        qty = np.sqrt(2 * demand * (order + fixed) / (rate * prices))
        feasible = (qty >= breaks) & (qty < upper)
    with np.errstate(divide="ignore"):
        cost = (
            prices * demand
            + (order + fixed) * demand / qty
            + rate * prices * qty / 2
            + rate * fixed / 2
        )
    table = pd.DataFrame(
        {
            "break_quantity": breaks,
            "unit_price": prices,
            "order_qty": qty,
            "feasible": feasible,
            "annual_cost": np.where(feasible, cost, np.nan),
        },
        columns=DISCOUNT_COLUMNS,
    )
    best = int(np.nanargmin(table["annual_cost"].to_numpy()))
    return float(qty[best]), float(cost[best]), table


def _z(service_level):
    level = v.as_numbers("service_level", service_level, allow_nan=True)
    bad = (level <= 0) | (level >= 1)
    if bad.any():
        raise InputError(f"service_level must be between 0 and 1, e.g. 0.95 {v.got(level, bad)}")
    return norm.ppf(level)


def lead_time_demand(demand_mean, demand_sd, lead_time, lead_time_sd=0.0):
    """Mean and standard deviation of demand over the replenishment lead time.

    D_L has mean d̄·L and variance L·σd² + d̄²·σL², for demand per period ~ (d̄, σd)
    and lead time in the same periods ~ (L, σL).  Silver, Pyke & Thomas, *Inventory
    and Production Management in Supply Chains* (4th ed.), section 6.7.  Shared by
    safety stock, reorder point and stock-out risk.
    """
    mean = v.non_negative("demand_mean", demand_mean, allow_nan=True)
    sd = v.non_negative("demand_sd", demand_sd, allow_nan=True)
    lead = v.non_negative("lead_time", lead_time, allow_nan=True)
    lead_sd = v.non_negative("lead_time_sd", lead_time_sd, allow_nan=True)
    v.same_length(demand_mean=mean, demand_sd=sd, lead_time=lead, lead_time_sd=lead_sd)
    return mean * lead, np.sqrt(lead * sd**2 + mean**2 * lead_sd**2)


def safety_stock(service_level, demand_mean, demand_sd, lead_time, lead_time_sd=0.0):
    """Safety stock for a cycle service level α:  SS = z·sqrt(L·σd² + d̄²·σL²),  z = Φ⁻¹(α).

    The square root is the standard deviation of lead-time demand
    (:func:`lead_time_demand`).  With σL = 0 it is z·σd·√L (demand varies), with
    σd = 0 it is z·d̄·σL (lead time varies).  Silver, Pyke & Thomas (4th ed.), §6.7;
    oracles README.
    """
    z = _z(service_level)
    _, spread = lead_time_demand(demand_mean, demand_sd, lead_time, lead_time_sd)
    v.same_length(service_level=z, demand_mean=spread)
    return z * spread


def reorder_point(service_level, demand_mean, demand_sd, lead_time, lead_time_sd=0.0):
    """Reorder point  ROP = d̄·L + SS  (see :func:`safety_stock`)."""
    expected, _ = lead_time_demand(demand_mean, demand_sd, lead_time, lead_time_sd)
    return expected + safety_stock(service_level, demand_mean, demand_sd, lead_time, lead_time_sd)


NEWSVENDOR_COLUMNS = [
    "order_qty",
    "critical_ratio",
    "expected_sales",
    "expected_leftover",
    "expected_shortage",
    "expected_profit",
    "expected_mismatch_cost",
]


def newsvendor(
    price, cost, salvage, demand_mean, demand_sd=None, distribution="normal", order_qty=None
):
    """Single-period order quantity that maximises expected profit, and what to expect.

    Underage cost cu = price − cost, overage cost co = cost − salvage, critical ratio
    cu/(cu + co); S* = F⁻¹(cu/(cu + co)).  Normal demand: S* = μ + σ·z and the
    expected mismatch cost co·E[(S−D)⁺] + cu·E[(D−S)⁺] = (cu + co)·σ·φ(z) at S*.
    Poisson demand (``demand_sd`` ignored): the smallest S with F(S) ≥ ratio.
    Expected profit = cu·μ − mismatch cost.  With ``order_qty`` the same figures
    are given for that quantity instead of S*.  Snyder & Shen (2019), section 4.3.

    Example 4.3 (co = h = 0.18, cu = p = 0.7, N(50, 8)) → S* = 56.60396, mismatch
    cost 1.99761 (7.35613 at S = 40); Example 4.7 (h = 1, p = 4, Poisson(6)) → S* = 8,
    cost 3.57011.
    """
    price = float(v.as_numbers("price", [price])[0])
    unit_cost = float(v.non_negative("cost", [cost])[0])
    salvage = float(v.as_numbers("salvage", [salvage])[0])
    mean = float(v.positive("demand_mean", [demand_mean])[0])
    distribution = v.choice("distribution", distribution, ("normal", "poisson"))
    under, over = price - unit_cost, unit_cost - salvage
    if under <= 0:
        raise InputError(f"price must be greater than cost (got {price:g} and {unit_cost:g})")
    if over <= 0:
        raise InputError(f"salvage must be less than cost (got {salvage:g} and {unit_cost:g})")
    ratio = under / (under + over)
    given = None if order_qty is None else float(v.non_negative("order_qty", [order_qty])[0])
    if distribution == "normal":
        if demand_sd is None or (isinstance(demand_sd, float) and np.isnan(demand_sd)):
            raise InputError('demand_sd is needed for normal demand (or use "poisson")')
        sd = float(v.positive("demand_sd", [demand_sd])[0])
        qty = mean + sd * norm.ppf(ratio) if given is None else given
        z = (qty - mean) / sd
        shortage = sd * (norm.pdf(z) - z * (1 - norm.cdf(z)))  # σ·L(z), standard loss
    else:
        qty = float(poisson.ppf(ratio, mean)) if given is None else given
        grid = np.arange(0, int(poisson.ppf(1 - 1e-12, mean)) + 2)
        shortage = float((np.maximum(grid - qty, 0) * poisson.pmf(grid, mean)).sum())
    leftover = qty - mean + shortage
    mismatch = over * leftover + under * shortage
    values = [qty, ratio, mean - shortage, leftover, shortage, under * mean - mismatch, mismatch]
    return dict(zip(NEWSVENDOR_COLUMNS, values, strict=True))


def rq_policy(holding_cost, backorder_cost, order_cost, annual_demand, annual_demand_sd, lead_time):
    """(r, Q) policy by the EOQ + safety-stock approximation.

    Q = EOQ = sqrt(2·K·λ/h);  r = λ·L + z·σ·√L with z = Φ⁻¹(p/(p + h)), σ the
    annual standard deviation of demand and L the lead time in years.
    Snyder & Shen (2019), section 5.2.

    Example 5.1: h = 0.225, p = 7.5, K = 8, λ = 1300, σ = 150, L = 1/12
    → r = 190.33700, Q = 304.04678.  Returns (r, Q).
    """
    demand, order, holding = _demand_and_costs(annual_demand, order_cost, holding_cost)
    backorder = v.positive("backorder_cost", backorder_cost, allow_nan=True)
    sd = v.non_negative("annual_demand_sd", annual_demand_sd, allow_nan=True)
    lead = v.non_negative("lead_time", lead_time, allow_nan=True)
    z = norm.ppf(backorder / (backorder + holding))
    return demand * lead + z * sd * np.sqrt(lead), np.sqrt(2 * order * demand / holding)


ABC_COLUMNS = ["item", "annual_value", "share", "cumulative_share", "class"]


def abc_classes(items, annual_values, a_share=0.8, b_share=0.95) -> pd.DataFrame:
    """ABC classification by cumulative share of annual value (Pareto analysis).

    Items sorted by value, largest first.  Walking down the list, an item is A while
    the cumulative share *including it* is at most ``a_share``, B while it is at most
    ``b_share``, else C; the top item is always A.  So the item that crosses 80 % is
    B, not A.  This is the common rule: it reproduces Heizer & Render's Silicon Chips
    example (*Operations Management*, ch. 12, Example 1): items #10286 (38.8 %) and
    #11526 (cumulative 72.0 %) are A, #12760 (cumulative 83.3 %) is B.
    Silver, Pyke & Thomas (4th ed.), section 2.4; thresholds in the oracles README.

    >>> abc_classes(["x", "y", "z"], [70, 20, 10])["class"].tolist()
    ['A', 'B', 'C']
    """
    values = v.non_negative("annual_values", annual_values)
    names = np.asarray(items, dtype=object)
    v.same_rows(items=names, annual_values=values)
    a = float(v.as_numbers("a_share", [a_share])[0])
    b = float(v.as_numbers("b_share", [b_share])[0])
    if not 0 < a < b <= 1:
        raise InputError(f"need 0 < a_share < b_share <= 1 (got {a:g} and {b:g})")
    total = values.sum()
    if total <= 0:
        raise InputError("annual_values are all 0; nothing to classify")
    order = np.argsort(-values, kind="stable")
    share = values[order] / total
    cumulative = np.cumsum(share)
    slack = 1e-12  # a cumulative share of exactly 80 % is 80 %, whatever the rounding
    label = np.where(cumulative <= a + slack, "A", np.where(cumulative <= b + slack, "B", "C"))
    label[0] = "A"
    return pd.DataFrame(
        {
            "item": names[order],
            "annual_value": values[order],
            "share": share,
            "cumulative_share": cumulative,
            "class": label.astype(object),
        },
        columns=ABC_COLUMNS,
    )


XYZ_COLUMNS = ["item", "mean", "sd", "cv", "class"]


def xyz_classes(items, demand_history, x_cv=0.5, y_cv=1.0) -> pd.DataFrame:
    """XYZ classification by the coefficient of variation of demand.

    One row per item, periods across columns.  cv = sd/mean with the sample standard
    deviation (Excel's STDEV.S); X if cv ≤ ``x_cv``, Y if cv ≤ ``y_cv``, else Z.
    An item with no demand at all has no cv and is Z.  No standard cut-offs exist,
    so both are parameters (oracles README).
    """
    history = v.non_negative("demand_history", demand_history)
    if history.ndim != 2 or history.shape[1] < 2:
        raise InputError("demand_history needs one row per item and at least 2 periods (columns)")
    names = np.asarray(items, dtype=object)
    v.same_rows(items=names, demand_history=history)
    x, y = (float(v.non_negative(n, [c])[0]) for n, c in (("x_cv", x_cv), ("y_cv", y_cv)))
    if x >= y:
        raise InputError(f"x_cv must be less than y_cv (got {x:g} and {y:g})")
    mean = history.mean(axis=1)
    sd = history.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, sd / mean, np.nan)
    label = np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z"))
    return pd.DataFrame(
        {"item": names, "mean": mean, "sd": sd, "cv": cv, "class": label.astype(object)},
        columns=XYZ_COLUMNS,
    )


def inventory_turnover(cost_of_goods_sold, average_inventory):
    """Inventory turnover = cost of goods sold / average inventory (at cost), per period."""
    cogs = v.non_negative("cost_of_goods_sold", cost_of_goods_sold, allow_nan=True)
    stock = v.positive("average_inventory", average_inventory, allow_nan=True)
    v.same_length(cost_of_goods_sold=cogs, average_inventory=stock)
    with np.errstate(over="ignore"):  # past the largest float: infinite, no warning
        return cogs / stock


def days_of_supply(on_hand, daily_demand):
    """Days of supply = units on hand / average daily demand (blank when demand is 0)."""
    stock = v.non_negative("on_hand", on_hand, allow_nan=True)
    demand = v.non_negative("daily_demand", daily_demand, allow_nan=True)
    v.same_length(on_hand=stock, daily_demand=demand)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(demand > 0, stock / demand, np.nan)
