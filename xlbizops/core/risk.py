"""Operational risk: identification (anomalies), assessment (stock-out and supplier
risk) and the risk register's likelihood × impact matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.core.inventory import lead_time_demand
from xlbizops.orderlog import rules
from xlbizops.orderlog.checked import CheckedLines

ANOMALY_COLUMNS = ["score", "anomaly"]
_DEFAULT_THRESHOLD = {"mad": 3.5, "iqr": 1.5}


def anomalies(values, method: str = "mad", threshold: float | None = None, seed: int = 0):
    """Score every value (or table row) and flag the anomalies.

    - ``"mad"`` (default): robust z-score M = 0.6745·(x − median)/MAD, flagged when
      |M| > 3.5 (Iglewicz & Hoaglin 1993, *How to Detect and Handle Outliers*).
      The score is M.  If MAD is 0 the mean absolute deviation is used
      (M = (x − median)/(1.253314·MeanAD)), as IBM SPSS does.
    - ``"iqr"``: Tukey's fences Q1 − k·IQR and Q3 + k·IQR, k = 1.5 (Tukey 1977);
      the score is the distance beyond the nearer fence in IQRs (0 inside).
    - ``"iforest"``: isolation forest (Liu, Ting & Zhou 2008) for a table of several
      columns; the score is the anomaly score in 0..1 and values above
      ``threshold`` (default 0.6) are flagged.  Deterministic for a ``seed``.
    Returns a DataFrame with ``score`` and ``anomaly`` (True/False) per row.
    """
    method = v.choice("method", method, ("mad", "iqr", "iforest"))
    x = v.as_numbers("values", values)
    if method == "iforest":
        table = x if x.ndim == 2 else x[:, None]
        if table.shape[0] < 8:
            raise InputError(f"the isolation forest needs at least 8 rows (got {table.shape[0]})")
        from sklearn.ensemble import IsolationForest

        # n_jobs=1: one process, no threads (xlwings Lite's Pyodide has neither)
        forest = IsolationForest(n_estimators=200, random_state=seed, n_jobs=1).fit(table)
        score = -forest.score_samples(table)  # the paper's s(x, n), in 0..1
        limit = 0.6 if threshold is None else float(threshold)
        return pd.DataFrame({"score": score, "anomaly": score > limit}, columns=ANOMALY_COLUMNS)
    if x.ndim != 1:
        raise InputError(f'method "{method}" takes one column; use "iforest" for a table')
    if x.size < 3:
        raise InputError(f"values needs at least 3 numbers (got {x.size})")
    limit = _DEFAULT_THRESHOLD[method] if threshold is None else float(threshold)
    if not limit > 0:
        raise InputError(f"threshold must be greater than 0 (got {threshold})")
    if method == "mad":
        median = np.median(x)
        mad = np.median(np.abs(x - median))
        if mad > 0:
            score = 0.6745 * (x - median) / mad
        else:
            mean_ad = np.mean(np.abs(x - median))
            score = (x - median) / (1.253314 * mean_ad) if mean_ad > 0 else np.zeros_like(x)
        return pd.DataFrame(
            {"score": score, "anomaly": np.abs(score) > limit}, columns=ANOMALY_COLUMNS
        )
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    below, above = q1 - limit * iqr, q3 + limit * iqr
    outside = np.maximum(below - x, x - above).clip(min=0)
    score = outside / iqr if iqr > 0 else np.where(outside > 0, np.inf, 0.0)
    return pd.DataFrame(
        {"score": score, "anomaly": (x < below) | (x > above)}, columns=ANOMALY_COLUMNS
    )


def stockout_probability(on_hand, demand_mean, demand_sd, lead_time, lead_time_sd=0.0):
    """P(demand during the lead time > on hand), demand over the lead time normal.

    D_L ~ N(d̄·L, L·σd² + d̄²·σL²) (:func:`~xlbizops.core.inventory.lead_time_demand`,
    Silver, Pyke & Thomas §6.7); P = 1 − Φ((on_hand − d̄·L)/σ_L).  With no
    variability at all it is 1 when d̄·L > on_hand, else 0.
    """
    stock = v.as_numbers("on_hand", on_hand, allow_nan=True)
    expected, spread = lead_time_demand(demand_mean, demand_sd, lead_time, lead_time_sd)
    v.same_length(on_hand=stock, demand_mean=expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (stock - expected) / spread
    certain = np.where(expected > stock, 1.0, 0.0)
    return np.where(spread > 0, norm.sf(z), certain)


def supplier_metrics(suppliers, order_dates, shipped_dates, promised_dates, error_flags=None):
    """Per supplier, from its order lines: late-shipment rate, error rate, mean days to ship.

    late_shipment_rate = lines shipped late / lines shipped, error_rate = lines with an
    error flag / lines shipped, mean_days_to_ship = mean(shipped − ordered) in days.
    A line ships late when it leaves after half of the promised delivery window
    (order to promised date) has gone, leaving too little time for transit: that
    cut-off is xlbizops' own rule, there being no published standard for it; the
    rates themselves are the usual supplier-scorecard ratios.  Lines not yet shipped
    are left out.
    """
    lines = v.order_lines(
        suppliers=suppliers,
        order_dates=order_dates,
        shipped_dates=shipped_dates,
        promised_dates=promised_dates,
        error_flags=error_flags,
    )
    return supplier_metrics_of_lines(lines)


def supplier_metrics_of_lines(lines: CheckedLines) -> pd.DataFrame:
    """:func:`supplier_metrics` of lines already checked (``core.validation.order_lines``);
    late is ``orderlog.rules.SHIPPED_LATE``, in error ``orderlog.rules.IN_ERROR``."""
    columns = dict(lines.columns)
    columns.setdefault("error_flag", np.zeros(len(lines)))
    names = pd.Series(columns["supplier"])
    keep = (names.notna() & ~np.isnat(columns["shipped_date"])).to_numpy()
    days = (columns["shipped_date"] - columns["order_date"]) / np.timedelta64(1, "D")
    frame = pd.DataFrame(
        {
            "supplier": names[keep].astype(str).to_numpy(),
            "late": rules.evaluate(rules.SHIPPED_LATE, columns)[keep],
            "error": rules.evaluate(rules.IN_ERROR, columns)[keep].astype(float),
            "days": np.floor(days[keep]),
        }
    )
    group = frame.groupby("supplier", sort=True)
    return pd.DataFrame(
        {
            "late_shipment_rate": group["late"].mean(),
            "error_rate": group["error"].mean(),
            "mean_days_to_ship": group["days"].mean(),
            "orders": group.size(),
        }
    ).reset_index()[SUPPLIER_METRIC_COLUMNS]


SUPPLIER_METRIC_COLUMNS = [
    "supplier", "late_shipment_rate", "error_rate", "mean_days_to_ship", "orders",
]  # fmt: skip


SUPPLIER_COLUMNS = ["supplier", "risk_score", "rank"]


def supplier_risk(names, metrics, weights, higher_is_better=None, metric_names=None):
    """Weighted, normalised risk score 0..100 and rank (1 = riskiest) per supplier.

    Each metric is min-max scaled across suppliers to 0..1 so that 1 is the worst
    value: for a metric where higher is better (e.g. on-time rate) the scale is
    reversed.  Score = 100·Σ wⱼ·sⱼ / Σ wⱼ — simple additive weighting (SAW), the
    usual first multi-criteria method (Hwang & Yoon 1981).  A metric with the same
    value for every supplier adds nothing.  Ties share the better rank.
    """
    table = v.as_numbers("table", metrics)
    if table.ndim == 1:
        table = table[:, None]
    labels = np.asarray(names, dtype=object)
    if len(labels) != table.shape[0]:
        raise InputError(f"there are {len(labels)} supplier names but {table.shape[0]} rows")
    w = v.non_negative("weights", weights)
    if w.size != table.shape[1]:
        raise InputError(f"weights has {w.size} values but the table has {table.shape[1]} metrics")
    if w.sum() == 0:
        raise InputError("weights are all 0")
    better_high = (
        np.zeros(table.shape[1], bool)
        if higher_is_better is None
        else np.asarray(higher_is_better, dtype=bool)
    )
    if better_high.size != table.shape[1]:
        raise InputError(
            f"directions has {better_high.size} values but the table has {table.shape[1]} metrics"
        )
    low, high = table.min(axis=0), table.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    scaled = (table - low) / span
    scaled = np.where(better_high, 1 - scaled, scaled)
    scaled[:, high == low] = 0.0
    score = 100 * scaled @ w / w.sum()
    rank = pd.Series(score).rank(method="min", ascending=False).astype(int).to_numpy()
    return pd.DataFrame(
        {"supplier": labels, "risk_score": score, "rank": rank}, columns=SUPPLIER_COLUMNS
    )


RISK_LEVELS = ("Low", "Medium", "High", "Critical")


def risk_matrix(likelihood, impact):
    """Rating = likelihood × impact on the usual 5 × 5 matrix, and its level.

    Both scored 1..5 (whole numbers).  Levels: 1–4 Low, 5–9 Medium, 10–16 High,
    20–25 Critical (ISO 31000-style registers; the bands are a common convention,
    e.g. the UK HSE 5 × 5 matrix).  Returns (rating, level).
    """
    like = v.whole_scores("likelihood", likelihood, 5, allow_nan=True)
    hit = v.whole_scores("impact", impact, 5, allow_nan=True)
    v.same_length(likelihood=like, impact=hit)
    rating = like * hit
    level = np.select(
        [rating <= 4, rating <= 9, rating <= 16, rating <= 25], RISK_LEVELS, default=""
    ).astype(object)
    level[np.isnan(rating)] = None
    return rating, level
