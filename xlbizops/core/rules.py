"""The business rules the template workbook and the headless report share.

One place for the assumptions a shop sets (:class:`Settings`, ``report.toml``
``[settings]`` and the template's yellow input cells take their defaults from it) and
for the recipes both apply to an order log, so that changing a rule changes both:

- **Sales** and **demand**: which order lines count is the order log's business,
  ``orderlog.rules`` (revenue leaves out cancelled and returned orders and nets
  return lines; demand leaves out cancelled orders, which never left the warehouse).
- **Annual usage value** (ABC): annual demand × unit cost, the unit cost being the
  inventory snapshot's or ``cost_ratio`` × the quantity-weighted selling price
  (Heizer & Render, *Operations Management*, ch. 12: "annual dollar volume").
- **Reorder point**: ``inventory.reorder_point`` at ``service_level`` over
  ``lead_time_days``.
- **Anomalies**: revenue per week (:func:`anomalous_weeks`), flagged by the robust
  z-score 0.6745·(x − median)/MAD above ``anomaly_threshold`` (Iglewicz & Hoaglin
  1993), or by ``anomaly_method``.  A week is the unit an operations review reads; on
  daily revenue of a few orders a day the same rule flagged one day in four.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import pandas as pd

from xlbizops.core import risk, timeseries
from xlbizops.core.errors import UsageError

ANOMALY_PERIOD = "week"


@dataclass(frozen=True)
class Settings:
    """Assumptions a shop would set for its analyses (report.toml [settings], the
    template's yellow inputs); each is shown in the report.  How the report reads its
    input and how much it writes are the report's own (``report.config``)."""

    RANGES: ClassVar[dict] = {}  # setting -> (exclusive lower bound, upper bound, words)

    order_cost: float = 50.0  # per purchase order
    holding_rate: float = 0.25  # share of unit cost per year
    cost_ratio: float = 0.60  # unit cost / selling price when no inventory snapshot
    lead_time_days: float = 7.0  # when no inventory snapshot
    service_level: float = 0.95
    segments: int = 4
    season_length: int = 7  # daily revenue, weekly season
    forecast_months: int = 6
    clv_months: int = 12
    discount_rate: float = 0.10
    anomaly_method: str = "mad"  # mad (robust z-score), iqr or iforest
    anomaly_threshold: float = 3.5  # robust z for mad; IQRs for iqr; score for iforest

    def check(self) -> None:
        """Each setting of the right type and in range, or an error naming it."""
        for item in fields(self):
            value = getattr(self, item.name)
            kind = {"float": (int, float), "int": (int,), "str": (str,), "bool": (bool,)}[item.type]
            if isinstance(value, bool) != (item.type == "bool") or not isinstance(value, kind):
                raise UsageError(
                    f"setting {item.name} must be {_KIND_WORDS[item.type]} (got {value!r})"
                )
            low, high, text = self.RANGES.get(item.name, (None, None, ""))
            if (low is not None and not value > low) or (high is not None and not value < high):
                raise UsageError(f"setting {item.name} must be {text} (got {value!r})")
        if self.anomaly_method not in ("mad", "iqr", "iforest"):
            raise UsageError(
                f"setting anomaly_method must be mad, iqr or iforest (got {self.anomaly_method!r})"
            )


_KIND_WORDS = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false"}
Settings.RANGES = {
    "order_cost": (0, None, "greater than 0"),
    "holding_rate": (0, None, "greater than 0"),
    "cost_ratio": (0, None, "greater than 0"),
    "lead_time_days": (0, None, "greater than 0"),
    "service_level": (0, 1, "between 0 and 1"),
    "segments": (1, 21, "a whole number from 2 to 20"),
    "season_length": (1, None, "a whole number of at least 2"),
    "forecast_months": (0, None, "at least 1"),
    "clv_months": (0, None, "at least 1"),
    "discount_rate": (-1e-12, 1, "at least 0 and below 1"),
    "anomaly_threshold": (0, None, "greater than 0"),
}


ANOMALY_COLUMNS = ["week", "revenue", "score"]


def anomalous_weeks(
    order_dates, revenue, method: str = "mad", threshold: float = 3.5, first_day=None, last_day=None
):
    """Weeks whose revenue is far off: revenue summed per week (weeks start on Monday,
    as ``RESAMPLE(..., "week")``), then ``risk.anomalies`` — by default the robust
    z-score 0.6745·(x − median)/MAD above 3.5 (Iglewicz & Hoaglin 1993).  Returns the
    flagged weeks, the farthest first; given the log's ``first_day`` and ``last_day``,
    weeks the log does not cover whole are left out.  The template computes the same with
    ``ANOMALIES(RESAMPLE(dates, revenue, "week"), method, threshold)``.

    >>> days = pd.date_range("2025-01-06", periods=70)
    >>> sales = [900.0 if day == pd.Timestamp("2025-02-12") else 10.0 for day in days]
    >>> anomalous_weeks(days, sales)["week"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-02-10']
    """
    weekly = timeseries.resample(order_dates, revenue, ANOMALY_PERIOD, "sum")
    if first_day is not None and last_day is not None:  # a cut week is no anomaly
        whole = timeseries.complete_periods(weekly["period"], "week", first_day, last_day)
        weekly = weekly[whole].reset_index(drop=True)
    scores = risk.anomalies(weekly["value"].to_numpy(float), method=method, threshold=threshold)
    table = pd.DataFrame(
        {"week": weekly["period"], "revenue": weekly["value"], "score": scores["score"]}
    )
    flagged = table[scores["anomaly"].to_numpy()]
    order = flagged["score"].abs().sort_values(ascending=False).index
    return flagged.loc[order].reset_index(drop=True)
