"""The business rules the template workbook and the headless report share.

One place for the assumptions a shop sets (:class:`Settings`, ``report.toml``
``[settings]`` and the template's yellow input cells take their defaults from it) and
for the recipes both apply to an order log, so that changing a rule changes both:

- **Sales**: revenue counts order lines whose status is none of :data:`SALES_EXCLUDE`
  (cancelled, returned), plus return lines (a negative amount or quantity), which net
  the sales they refund.  **Demand** leaves out :data:`DEMAND_EXCLUDES` (cancelled
  orders never left the warehouse).
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

import datetime as dt
from dataclasses import dataclass, fields

import pandas as pd

from xlbizops.core import risk, timeseries
from xlbizops.core.errors import UsageError

SALES_EXCLUDE = ("cancelled", "returned")  # statuses that are not revenue
DEMAND_EXCLUDES = ("cancelled",)  # statuses that never left the warehouse
ANOMALY_PERIOD = "week"


@dataclass(frozen=True)
class Settings:
    """Assumptions a shop would set (report.toml [settings]); each is shown in the report."""

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
    top_rows: int = 20_000  # longest detail table written to a sheet
    max_file_mb: float = 1_500.0  # larger order files are refused with advice (≈ 11 M orders)
    date_order: str = "auto"
    dedupe: bool = False  # reject identical rows in a log without order ids
    earliest_order_date: str = "1990-01-01"  # order dates before it are rejected as typos
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
            low, high, text = _RANGES.get(item.name, (None, None, ""))
            if (low is not None and not value > low) or (high is not None and not value < high):
                raise UsageError(f"setting {item.name} must be {text} (got {value!r})")
        if self.anomaly_method not in ("mad", "iqr", "iforest"):
            raise UsageError(
                f"setting anomaly_method must be mad, iqr or iforest (got {self.anomaly_method!r})"
            )
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise UsageError(
                f"setting date_order must be auto, dmy or mdy (got {self.date_order!r})"
            )
        try:
            dt.date.fromisoformat(self.earliest_order_date)
        except ValueError:
            raise UsageError(
                "setting earliest_order_date must be a date written yyyy-mm-dd "
                f"(got {self.earliest_order_date!r})"
            ) from None


_KIND_WORDS = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false"}
# setting -> (exclusive lower bound, exclusive upper bound, words)
_RANGES = {
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
    "top_rows": (0, None, "at least 1"),
    "max_file_mb": (0, None, "greater than 0"),
    "anomaly_threshold": (0, None, "greater than 0"),
}


ANOMALY_COLUMNS = ["week", "revenue", "score"]


def anomalous_weeks(order_dates, revenue, method: str = "mad", threshold: float = 3.5):
    """Weeks whose revenue is far off: revenue summed per week (weeks start on Monday,
    as ``RESAMPLE(..., "week")``), then ``risk.anomalies`` — by default the robust
    z-score 0.6745·(x − median)/MAD above 3.5 (Iglewicz & Hoaglin 1993).  Returns the
    flagged weeks, the farthest first.  The template computes the same with
    ``ANOMALIES(RESAMPLE(dates, revenue, "week"), method, threshold)``.

    >>> days = pd.date_range("2025-01-06", periods=70)
    >>> sales = [900.0 if day == pd.Timestamp("2025-02-12") else 10.0 for day in days]
    >>> anomalous_weeks(days, sales)["week"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-02-10']
    """
    weekly = timeseries.resample(order_dates, revenue, ANOMALY_PERIOD, "sum")
    scores = risk.anomalies(weekly["value"].to_numpy(float), method=method, threshold=threshold)
    table = pd.DataFrame(
        {"week": weekly["period"], "revenue": weekly["value"], "score": scores["score"]}
    )
    flagged = table[scores["anomaly"].to_numpy()]
    order = flagged["score"].abs().sort_values(ascending=False).index
    return flagged.loc[order].reset_index(drop=True)
