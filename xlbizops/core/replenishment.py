"""From order lines to a stock policy per SKU, right for slow and lumpy items:
forecasts with their intervals, an order-up-to level for a fill-rate or
cycle-service target, and a backtest of that policy against what really sold.

**The demand distribution.**  The stock a SKU needs depends on the whole
distribution of its demand over the *protection interval*, the lead time L plus
the review period R, not on a mean and a normal spread: a lumpy SKU that sells
nothing most weeks and 40 units now and then needs stock for the 40.  It is
simulated from the SKU's own history (:func:`demand_paths`, ``SAMPLES`` paths,
fixed seed, so the same lines give the same cells): demand occurs in a period with
the SKU's own frequency (demand periods ÷ periods, from its first sale to the
as-of date, at most the last ``WINDOW`` periods), and its size follows a gamma
distribution with the mean and CV² of the SKU's own non-zero period demands, a
compound Bernoulli–gamma fit (the median CV² of all SKUs stands in for a SKU with
fewer than 3 sizes).  With ``BOOTSTRAP_DEMANDS`` sizes or more the sizes are
bootstrapped instead: drawn from the SKU's own, smoothed (Willemain, Smart &
Schwarz, *International Journal of Forecasting* 20 (2004) 375–387; Silverman
1986, section 6.4.1).  Each path carries its own frequency, size scale and CV²,
drawn from their estimation error, so a short history asks for more stock rather
than a false precision.  Periods are independent: demand that comes in runs is not
modelled.  A fractional L + R is interpolated: the last, partial period's demand
counts in proportion.

Why a fit before a bootstrap: on simulated SKUs with 104 weeks of history
(``tests/core/test_replenishment.py``) a bootstrap of the sizes seen fell 0.6 to
1.5 points short of the fill-rate target on gamma-sized demand (the tail of a
skewed size distribution is rarely in 10–60 sizes); the fit with estimation error
keeps every process within 1 point.

**The policy** (periodic review, order-up-to level S, backorders; Silver, Pyke &
Thomas, *Inventory and Production Management in Supply Chains*, 4th ed. 2017,
section 6.9).  With D(x) the demand over x periods from the review:

- expected shortage per review cycle  ESC(S) = E[(D(L+R) − S)⁺] − E[(D(L) − S)⁺];
- fill rate (share of demand served from stock)  β(S) = 1 − ESC(S) ÷ E[D(R)];
- cycle service (no stock-out before the next order arrives)  P(D(L+R) ≤ S).

For a fill-rate target S is the whole number of units whose β is nearest the
target, above or below (the smallest meeting it would overshoot on average: a
step of one unit moves β by several points on a slow SKU); for a cycle-service
target, the smallest meeting it.  ``reorder_point``
is the continuous-review (s, Q) equivalent with Q = ``order_quantity``: the
smallest s with 1 − (E[(D(L) − s)⁺] − E[(D(L) − s − Q)⁺]) ÷ Q ≥ the fill-rate
target (or P(D(L) ≤ s) ≥ the cycle-service target).

Worked example: a SKU that sold 10 units in 1 week of 2 (p = 0.5), L = 1, R = 1:
D(2) is 0, 10 or 20 with probabilities ¼, ½, ¼ and D(1) 0 or 10 with ½, ½.  At
S = 10: ESC = ¼·10 − 0 = 2.5, E[D(1)] = 5, so β = 0.5; at S = 15: ESC = ¼·5 = 1.25,
β = 0.75; at S = 20, β = 1.  A 95 % fill rate: S = 19 (ESC = 0.25, β = 0.95).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xlbizops.core import demand, intermittent
from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.core.inventory import economic_order_quantity

SAMPLES = 500  # simulated demand paths per SKU
PARAMETER_DRAWS = 100  # draws of each SKU's estimation error, shared by its paths
SEED = 20261206
BOOTSTRAP_DEMANDS = 200  # sizes needed for the bootstrap; fewer: a fitted gamma
WINDOW = {"day": 730, "week": 104, "month": 24}  # the history the bootstrap draws from
PERIODS_PER_YEAR = {"day": 365.0, "week": 365.0 / 7.0, "month": 12.0}
HOLDOUT = {"day": 182, "week": 26, "month": 6}  # the backtest's default, about half a year
HORIZON = 13  # forecast steps by default
TARGET_TYPES = ("fill_rate", "cycle_service")
SELECTION_ORIGINS = 3  # rolling-origin holdout of the "auto" choice
SELECTION_TOLERANCE = 1e-3  # of α in that holdout: the ranking, not the digits, matters
BATCH = 2000  # SKUs simulated at a time (memory: BATCH × SAMPLES × periods)

FORECAST_COLUMNS = ["sku", "step", "period_start", "forecast", "lower_80", "upper_80", "method"]
POLICY_COLUMNS = [
    "sku", "class", "method", "forecast_per_period", "lead_time_demand_mean",
    "lead_time_demand_sd", "reorder_point", "order_up_to", "safety_stock", "order_quantity",
    "expected_fill_rate", "expected_cycle_service", "order_now",
]  # fmt: skip
BACKTEST_COLUMNS = [
    "sku", "class", "order_up_to", "demand", "served", "achieved_fill_rate",
    "stockout_periods", "mean_on_hand", "orders_placed",
]  # fmt: skip


# history ----------------------------------------------------------------------------
class History:
    """The demand of many SKUs per period, as one matrix: ``y[i]`` is SKU
    ``skus[i]``'s units per period, right-aligned on the last complete period, NaN
    before its first sale; ``starts`` the first days of the matrix's columns.

    Only complete periods count: a week (month) the as-of date does not reach to its
    last day is left out, as its few days would read as a slump; and at most the
    last ``WINDOW`` periods (104 weeks, 24 months, 730 days), so the report's engine
    sums and a formula over the order lines see the same history."""

    def __init__(self, skus, dates, quantities, period: str, as_of=None):
        names, starts, y = demand.demand_matrix(skus, dates, quantities, period, as_of,
                                                complete=True)  # fmt: skip
        starts, y = starts[-WINDOW[period] :], y[:, -WINDOW[period] :]
        keep = ~np.isnan(y).all(axis=1) if y.size else np.zeros(len(names), dtype=bool)
        self.skus = [n for n, k in zip(names, keep, strict=True) if k]
        self.starts, self.y = starts, y[keep]
        if not self.skus:
            raise InputError("no demand: no SKU has a complete period with units sold")
        self.period = period

    def classes(self) -> list[str]:
        """``demand.demand_class``'s class of every row, computed for all at once."""
        return demand.class_table(self.y)[4].tolist()


# forecasts --------------------------------------------------------------------------
def choose_methods(y: np.ndarray, classes: list[str], step: int) -> np.ndarray:
    """The "auto" method per row: "ets" for smooth demand; otherwise the
    intermittent method (Croston, SBA, TSB, ADIDA, IMAPA) with the least absolute
    error on a rolling-origin holdout of the row's own history: from each of the
    last ``SELECTION_ORIGINS`` origins ``step`` periods apart, the forecast × step
    against the units sold in the next ``step`` periods (the scale of MASE is the
    same for every method of a row, so the least error is the least MASE).  Ties
    go to SBA, the method the literature recommends by default."""
    order = ("sba", "croston", "tsb", "adida", "imapa")
    chosen = np.full(y.shape[0], "ets", dtype=object)
    rows = np.flatnonzero(np.asarray(classes) != "smooth")
    if not len(rows):
        return chosen
    part = y[rows]
    error = np.zeros((len(order), len(rows)))
    width = y.shape[1]
    for j in range(1, SELECTION_ORIGINS + 1):
        origin = width - j * step
        if origin < 2:
            break
        sold = np.nansum(part[:, origin : origin + step], axis=1)
        found = intermittent.forecasts(part[:, :origin], order, SELECTION_TOLERANCE)
        for k, method in enumerate(order):
            error[k] += np.abs(sold - np.nan_to_num(found[method]) * step)
    chosen[rows] = np.array(order)[np.argmin(error, axis=0)]
    return chosen


def point_forecasts(y, classes, method: str, step: int) -> tuple[np.ndarray, np.ndarray]:
    """(per-period forecast, method used) per row; ``method`` one of
    ``intermittent.METHODS`` or "auto" (:func:`choose_methods`).  Each method runs
    on the rows that use it only."""
    if method == "auto":
        chosen = choose_methods(y, classes, step)
    else:
        v.choice("method", method, (*intermittent.METHODS, "auto"))
        chosen = np.full(y.shape[0], method, dtype=object)
    point = np.zeros(y.shape[0])
    for group in (("croston", "sba"), ("tsb",), ("adida", "imapa"), ("ets",)):
        rows = np.flatnonzero(np.isin(chosen, group))
        if len(rows):
            found = intermittent.forecasts(y[rows], group)
            for name in group:
                mine = chosen[rows] == name
                point[rows[mine]] = found[name][mine]
    return point, chosen.astype(str)


# the bootstrap ----------------------------------------------------------------------
def demand_paths(y: np.ndarray, periods: int, rng, samples: int = SAMPLES) -> np.ndarray:
    """Simulated demand per future period, shape (rows, samples, periods), float32.

    Demand occurs in a period with the row's own frequency; its size follows a
    gamma distribution with the mean and CV² of the row's own sizes (the median CV²
    of all rows with 3 or more sizes, when a row has fewer), or with
    ``BOOTSTRAP_DEMANDS`` sizes or more a smoothed bootstrap of them.  Each path
    carries its own frequency, size scale and CV², drawn from their estimation
    error, so that a short history asks for more stock rather than a false
    precision."""
    n = y.shape[0]
    seen = np.maximum((~np.isnan(y)).sum(1), 1)
    rows, cols = np.nonzero(np.nan_to_num(y) > 0)
    sizes = y[rows, cols]
    count = np.bincount(rows, minlength=n)
    offset = np.minimum(np.cumsum(count) - count, max(len(sizes) - 1, 0))
    k = np.maximum(count, 1)
    mean = np.bincount(rows, weights=sizes, minlength=n) / k
    var = np.maximum(np.bincount(rows, weights=sizes**2, minlength=n) / k - mean**2, 0)
    var *= count / np.maximum(count - 1, 1)  # the unbiased variance
    cv2 = var / np.maximum(mean, 1e-12) ** 2
    usable = count >= 3
    cv2 = np.where(usable, cv2, max(float(np.median(cv2[usable])) if usable.any() else 1.0, 0.05))
    # Frequency: Jeffreys posterior Beta(k + ½, m − k + ½), k demands in m periods.
    # (Estimation error is drawn PARAMETER_DRAWS times per row; path j uses draw
    # j mod PARAMETER_DRAWS: the same mixture at a tenth of the cost.)
    draws = min(samples, PARAMETER_DRAWS)
    tile = -(-samples // draws)
    p = rng.beta(count + 0.5, seen - count + 0.5, (draws, n)).T.astype(np.float32)
    p = np.tile(p, tile)[:, :samples, None]
    # Size scale: mean 1, variance CV²/k, the sampling error of a mean of k sizes.
    shape = 1.0 / np.maximum(cv2 / k, 1e-9)
    scale = rng.gamma(shape, 1.0 / shape, (draws, n)).T.astype(np.float32)
    scale = np.tile(scale, tile)[:, :samples]
    # Demand occurs where a uniform draw u < p; only those cells get a size.
    occurs = rng.random((n, samples, periods), dtype=np.float32) < p
    row, path, _ = np.nonzero(occurs)
    out = np.zeros((n, samples, periods), dtype=np.float32)
    size = np.empty(len(row), dtype=np.float32)
    boot = count[row] >= BOOTSTRAP_DEMANDS
    if boot.any():
        size[boot] = _bootstrapped(sizes, offset, count, mean, var, row[boot], rng)
    fit = ~boot
    if fit.any():  # a fitted Bernoulli–gamma distribution
        # CV² per path from its estimation error too: σ² ≈ s²·ν/χ²(ν), with ν the
        # degrees of freedom of a variance estimated from k gamma sizes, whose excess
        # kurtosis is 6·CV² (ν = k − 1 for normal sizes), at least 4.
        dof = np.maximum(2.0 / (2.0 / np.maximum(count - 1, 1) + 6.0 * cv2 / k), 4.0)
        path_cv2 = cv2 * dof / rng.chisquare(dof, (draws, n))
        path_cv2 = np.tile(np.where(count >= 4, path_cv2, cv2).T, tile)[:, :samples]
        a = 1.0 / np.clip(path_cv2[row[fit], path[fit]], 1e-3, 1e3)
        size[fit] = rng.gamma(a, mean[row[fit]] / a)
    out[occurs] = size * scale[row, path]
    return out


def _bootstrapped(sizes, offset, count, mean, var, rows, rng) -> np.ndarray:
    """One size per entry of ``rows``: a smoothed bootstrap of that row's sizes
    (Silverman 1986, section 6.4.1): a normal kernel of bandwidth
    h = 0.9·sd·k^(-1/5), shrunk towards the mean by 1/√(1 + h²/sd²), so sizes between
    and beyond those seen occur while the mean and variance stay the row's own;
    never below the smallest size seen."""
    k = count[rows]
    drawn = sizes[offset[rows] + (rng.random(len(rows)) * k).astype(np.int64)]
    h = 0.9 * np.sqrt(var[rows]) * k**-0.2
    shrink = 1.0 / np.sqrt(1.0 + np.divide(h**2, var[rows], out=np.zeros(len(k)),
                                           where=var[rows] > 0))  # fmt: skip
    moved = mean[rows] + (drawn - mean[rows] + h * rng.standard_normal(len(k))) * shrink
    low = np.minimum.reduceat(sizes, offset)[rows]
    return np.maximum(moved, low)


def interval_demand(paths: np.ndarray, length: float) -> np.ndarray:
    """Demand over the first ``length`` periods of each path; a fractional last
    period counts in proportion."""
    whole = int(math.floor(length + 1e-9))
    total = paths[:, :, :whole].sum(axis=2)
    part = length - whole
    if part > 1e-9:
        total = total + part * paths[:, :, whole]
    return total


def _smallest(lo: np.ndarray, hi: np.ndarray, meets) -> np.ndarray:
    """Per row, the smallest whole number in [lo, hi] for which ``meets`` (a
    vectorised, monotone test) holds; ``meets(hi)`` must hold."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    while (hi - lo > 0).any():
        mid = np.floor((lo + hi) / 2)
        ok = meets(mid)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid + 1)
    return hi


def _excess(d: np.ndarray, level: np.ndarray) -> np.ndarray:
    """E[(D − level)⁺] per row of samples ``d`` (float32, as the paths)."""
    return np.maximum(d - level.astype(np.float32)[:, None], np.float32(0)).mean(axis=1)


def _below(d: np.ndarray, level: np.ndarray) -> np.ndarray:
    """P(D ≤ level) per row of samples ``d``."""
    return (d <= level.astype(np.float32)[:, None]).mean(axis=1)


def order_up_to(d_lr, d_l, target: float, target_type: str):
    """(S, expected fill rate, expected cycle service) per row from the simulated
    demand over L + R (``d_lr``) and over L (``d_l``), same paths."""
    review = np.maximum(d_lr.mean(axis=1) - d_l.mean(axis=1), 1e-12)

    def fill(s):
        return 1.0 - (_excess(d_lr, s) - _excess(d_l, s)) / review

    def meets(s):
        if target_type == "cycle_service":
            return _below(d_lr, s) >= target - 1e-9
        return fill(s) >= target - 1e-9

    s = _smallest(np.zeros(len(d_lr)), np.ceil(d_lr.max(axis=1)), meets)
    if target_type == "fill_rate":  # the whole number nearest the target, either side
        below = np.maximum(s - 1, 0)
        closer = np.abs(fill(below) - target) < np.abs(fill(s) - target)
        s = np.where(closer & (s > 0), below, s)
    return s, np.clip(fill(s), 0.0, 1.0), _below(d_lr, s)


def continuous_reorder_point(d_l, q, target: float, target_type: str) -> np.ndarray:
    """The (s, Q) reorder point per row from the simulated lead-time demand."""
    q = np.maximum(q, 1e-9)

    def meets(s):
        if target_type == "cycle_service":
            return _below(d_l, s) >= target - 1e-9
        return 1.0 - (_excess(d_l, s) - _excess(d_l, s + q)) / q >= target - 1e-9

    return _smallest(np.zeros(len(d_l)), np.ceil(d_l.max(axis=1)), meets)


def check_policy_inputs(lead_time, review_period, target, target_type):
    lead = float(v.non_negative("lead_time", [lead_time])[0])
    review = float(v.positive("review_period", [review_period])[0])
    goal = float(v.as_numbers("target", [target])[0])
    if not 0 < goal < 1:
        raise InputError(f"target must be between 0 and 1, e.g. 0.95 (got {goal:g})")
    v.choice("target_type", target_type, TARGET_TYPES)
    return lead, review, goal


def policy_levels(y, lead, review, target, target_type, rng, samples=SAMPLES, quantity=None):
    """Per row: S ("S"), its fill rate and cycle service, the mean and sd of D(L+R),
    and with ``quantity`` (Q per row) the (s, Q) reorder point ("s")."""
    names = ("S", "fill", "cycle", "mean", "sd", "s")
    out = {k: np.full(y.shape[0], np.nan) for k in names}
    periods = int(math.ceil(lead + review - 1e-9))
    for lo in range(0, y.shape[0], BATCH):
        part = slice(lo, min(lo + BATCH, y.shape[0]))
        paths = demand_paths(y[part], periods, rng, samples)
        d_lr, d_l = interval_demand(paths, lead + review), interval_demand(paths, lead)
        out["S"][part], out["fill"][part], out["cycle"][part] = order_up_to(
            d_lr, d_l, target, target_type
        )
        out["mean"][part], out["sd"][part] = d_lr.mean(1), d_lr.std(1, ddof=1)
        if quantity is not None:
            out["s"][part] = continuous_reorder_point(d_l, quantity[part], target, target_type)
    return out


# the three tables ---------------------------------------------------------------------
def forecast_demand(
    skus, dates, quantities, horizon: int = HORIZON, period: str = "week",
    method: str = "auto", as_of=None,
) -> pd.DataFrame:  # fmt: skip
    """Per SKU and step: ``sku, step, period_start, forecast, lower_80, upper_80,
    method``.  The forecast is flat (every step the same, as intermittent methods
    are); the 80 % interval per step is the 10th and 90th percentile of the SKU's
    bootstrapped one-period demand (:func:`demand_paths`) scaled to the forecast's
    mean, so it is the SKU's own spread, never a normal approximation."""
    horizon = v.whole_number("horizon", horizon, minimum=1, maximum=520)
    history = History(skus, dates, quantities, period, as_of)
    y = history.y
    point, chosen = point_forecasts(y, history.classes(), method, 1)
    rng = np.random.default_rng(SEED)
    low, high = np.zeros(len(point)), np.zeros(len(point))
    for lo in range(0, y.shape[0], BATCH):
        paths = demand_paths(y[lo : lo + BATCH], 1, rng)[:, :, 0]
        mean = paths.mean(1)
        scale = np.divide(point[lo : lo + BATCH], mean, out=np.zeros(len(mean)), where=mean > 0)
        low[lo : lo + BATCH] = np.quantile(paths, 0.1, axis=1) * scale
        high[lo : lo + BATCH] = np.quantile(paths, 0.9, axis=1) * scale
    steps = _future_starts(history.starts[-1], period, horizon)
    n = len(history.skus)
    return pd.DataFrame({
        "sku": np.repeat(history.skus, horizon),
        "step": np.tile(np.arange(1, horizon + 1), n),
        "period_start": np.tile(steps, n),
        "forecast": np.repeat(point, horizon),
        "lower_80": np.repeat(low, horizon),
        "upper_80": np.repeat(high, horizon),
        "method": np.repeat(chosen, horizon),
    })  # fmt: skip


def _future_starts(last, period: str, horizon: int) -> np.ndarray:
    step = {"day": "D", "week": "7D", "month": "MS"}[period]
    stamps = pd.date_range(pd.Timestamp(last), periods=horizon + 1, freq=step)[1:]
    return stamps.to_numpy("datetime64[ns]")


def reorder_policy(
    skus, dates, quantities, lead_time, target: float = 0.95, target_type: str = "fill_rate",
    review_period: float = 1, period: str = "week", method: str = "auto", on_hand=None,
    unit_cost=None, order_cost=None, holding_rate=None, as_of=None,
) -> pd.DataFrame:  # fmt: skip
    """Per SKU (sorted): the columns of ``POLICY_COLUMNS`` (see the module text).

    ``order_quantity`` is the EOQ sqrt(2·D·K ÷ (c·i)) with D the forecast × periods
    a year, when ``unit_cost`` c, ``order_cost`` K and ``holding_rate`` i are given
    (one number each, or ``unit_cost`` one per SKU in sorted order); else the
    forecast over the review period.  ``on_hand``: one number per SKU in sorted
    order, or a {sku: units} mapping; ``order_now`` = max(0, S − on hand), blank
    without it.  ``lead_time`` and ``review_period`` are in periods; ``lead_time`` may
    also be a {sku: lead time} mapping (the report's inventory snapshot), SKUs of one
    lead time then simulated together and "auto" choosing over their median."""
    leads = lead_time if isinstance(lead_time, dict) else None
    first = next(iter(leads.values())) if leads else lead_time
    lead, review, goal = check_policy_inputs(first, review_period, target, target_type)
    history = History(skus, dates, quantities, period, as_of)
    y = history.y
    classes = history.classes()
    n = len(history.skus)
    lead_of = np.full(n, lead)
    if leads:
        missing = [sku for sku in history.skus if sku not in leads]
        if missing:
            raise InputError(f"lead_time has no value for SKU {missing[0]!r}")
        lead_of = v.non_negative("lead_time", [leads[sku] for sku in history.skus])
    step = max(1, int(round(float(np.median(lead_of)) + review)))
    point, chosen = point_forecasts(y, classes, method, step)
    quantity = _order_quantity(point, review, period, n, unit_cost, order_cost, holding_rate)
    rng = np.random.default_rng(SEED)
    levels = {}
    for value in np.unique(lead_of):
        rows = np.flatnonzero(lead_of == value)
        found = policy_levels(y[rows], float(value), review, goal, target_type, rng,
                              quantity=quantity[rows])  # fmt: skip
        for name, column in found.items():
            levels.setdefault(name, np.full(n, np.nan))[rows] = column
    stock = _on_hand(on_hand, history.skus)
    return pd.DataFrame({
        "sku": history.skus,
        "class": classes,
        "method": chosen,
        "forecast_per_period": point,
        "lead_time_demand_mean": levels["mean"],
        "lead_time_demand_sd": levels["sd"],
        "reorder_point": levels["s"],
        "order_up_to": levels["S"],
        "safety_stock": levels["S"] - levels["mean"],
        "order_quantity": quantity,
        "expected_fill_rate": levels["fill"],
        "expected_cycle_service": levels["cycle"],
        "order_now": np.maximum(levels["S"] - stock, 0.0),
    })  # fmt: skip


def _order_quantity(point, review, period, n, unit_cost, order_cost, holding_rate):
    given = [x is not None for x in (unit_cost, order_cost, holding_rate)]
    if not any(given):
        return point * review
    if not all(given):
        raise InputError("unit_cost, order_cost and holding_rate go together: give all three "
                         "for an EOQ, or none for the forecast over the review period")  # fmt: skip
    cost = np.atleast_1d(v.positive("unit_cost", unit_cost))
    if len(cost) not in (1, n):
        raise InputError(f"unit_cost needs 1 value or one per SKU ({n}); got {len(cost)}")
    holding = cost * float(np.atleast_1d(v.positive("holding_rate", holding_rate))[0])
    annual = point * PERIODS_PER_YEAR[period]
    order = float(np.atleast_1d(v.positive("order_cost", order_cost))[0])
    return economic_order_quantity(annual, order, holding)


def _on_hand(on_hand, skus: list[str]) -> np.ndarray:
    if on_hand is None:
        return np.full(len(skus), np.nan)
    if isinstance(on_hand, dict):
        missing = [s for s in skus if s not in on_hand]
        if missing:
            raise InputError(f"on_hand has no row for SKU {missing[0]!r}")
        return v.non_negative("on_hand", [on_hand[s] for s in skus])
    stock = v.non_negative("on_hand", on_hand)
    if len(stock) != len(skus):
        raise InputError(f"on_hand needs one value per SKU in sorted order ({len(skus)}), or a "
                         f"two-column sku/on-hand table; got {len(stock)}")  # fmt: skip
    return stock


def inventory_backtest(
    skus, dates, quantities, lead_time, target: float = 0.95, target_type: str = "fill_rate",
    review_period: int = 1, period: str = "week", holdout_periods=None, as_of=None,
) -> pd.DataFrame:  # fmt: skip
    """How the policy would have done: per SKU and a total row, ``BACKTEST_COLUMNS``.

    Over the last ``holdout_periods`` periods (default about half a year: 26 weeks,
    6 months or 182 days) the order-up-to level S is recomputed at each review from
    the history before it (:func:`policy_levels`, ``BACKTEST_SAMPLES`` paths), and
    the stock is simulated against what really sold: at the start of a review
    period the order up to S is placed and arrives ``ceil(lead_time)`` periods later
    (0: at once), then the period's demand is served from stock, the rest
    backordered.  The stock starts at the first S.  ``achieved_fill_rate`` = units
    served from stock ÷ units demanded; ``stockout_periods`` = periods with demand
    not served in full; ``mean_on_hand`` = mean stock at the end of a period.  The
    total row sums units, stock-outs, stock and orders (its fill rate is units
    served ÷ units demanded over all SKUs).  ``served``: units served from stock."""
    lead, review, goal = check_policy_inputs(lead_time, review_period, target, target_type)
    review = v.whole_number("review_period", review_period, minimum=1)
    history = History(skus, dates, quantities, period, as_of)
    y = history.y
    width = y.shape[1]
    holdout = HOLDOUT[period] if holdout_periods is None else holdout_periods
    holdout = v.whole_number("holdout_periods", holdout, minimum=1)
    if holdout >= width - 1:
        raise InputError(f"holdout_periods ({holdout}) must leave at least 2 periods of history "
                         f"before it; the log has {width} {period}s")  # fmt: skip
    start, delay = width - holdout, int(math.ceil(lead - 1e-9))
    rng = np.random.default_rng(SEED)
    n = y.shape[0]
    net, first_s = np.zeros(n), np.full(n, np.nan)
    pipeline = np.zeros((n, holdout + delay + 1))
    served = demanded = stockouts = on_hand = orders = 0.0
    served, demanded, stockouts, on_hand, orders = (np.zeros(n) for _ in range(5))
    levels = _levels_at_reviews(y, range(start, width, review), history.period, lead, review,
                                goal, target_type, rng)  # fmt: skip
    for t in range(start, width):
        k = t - start
        net += pipeline[:, k]
        if k % review == 0:
            level = levels[k // review]
            if k == 0:
                net, first_s = level.copy(), level.copy()
            position = net + pipeline[:, k + 1 :].sum(axis=1)
            order = np.maximum(level - position, 0.0)
            orders += order > 0
            if delay == 0:
                net += order
            else:
                pipeline[:, k + delay] += order
        d = np.nan_to_num(y[:, t])
        got = np.minimum(d, np.maximum(net, 0.0))
        served += got
        demanded += d
        stockouts += d > got + 1e-9
        net -= d
        on_hand += np.maximum(net, 0.0)
    fill = np.divide(served, demanded, out=np.full(n, np.nan), where=demanded > 0)
    table = pd.DataFrame({
        "sku": history.skus, "class": history.classes(), "order_up_to": first_s,
        "demand": demanded, "served": served, "achieved_fill_rate": fill,
        "stockout_periods": stockouts,
        "mean_on_hand": on_hand / holdout, "orders_placed": orders,
    })  # fmt: skip
    total = {
        "sku": "Total", "class": "", "order_up_to": np.nan, "demand": demanded.sum(),
        "served": served.sum(),
        "achieved_fill_rate": served.sum() / demanded.sum() if demanded.sum() else np.nan,
        "stockout_periods": stockouts.sum(), "mean_on_hand": on_hand.sum() / holdout,
        "orders_placed": orders.sum(),
    }  # fmt: skip
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


BACKTEST_SAMPLES = 150  # paths per SKU and review in the backtest (S is recomputed often)


def _levels_at_reviews(y, reviews, period, lead, review, goal, target_type, rng) -> list:
    """S per SKU at each review time t, from the history before t (at most
    ``WINDOW`` periods): every (review, SKU) history stacked as one row, right-aligned,
    so one :func:`policy_levels` call serves them all.  0 for a SKU not yet selling."""
    n, width = y.shape
    span = min(WINDOW[period], width)
    blocks = []
    for t in reviews:
        block = np.full((n, span), np.nan)
        part = y[:, max(0, t - span) : t]
        block[:, span - part.shape[1] :] = part
        blocks.append(block)
    stacked = np.concatenate(blocks)
    live = ~np.isnan(stacked).all(axis=1)  # SKUs already selling
    level = np.zeros(len(stacked))
    if live.any():
        found = policy_levels(stacked[live], lead, review, goal, target_type, rng,
                              BACKTEST_SAMPLES)  # fmt: skip
        level[live] = found["S"]
    return np.split(level, len(blocks))
