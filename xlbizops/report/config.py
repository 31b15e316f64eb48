"""The report's own settings: how it reads its input and how much it writes.

They sit in ``report.toml [settings]`` beside the analysis assumptions
(``core.rules.Settings``), which the template shares; these the template has no use
for, so core does not hold them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlbizops.core.errors import UsageError
from xlbizops.core.rules import Settings


@dataclass(frozen=True)
class ReportSettings(Settings):
    """:class:`core.rules.Settings` and the report's reading and writing settings."""

    top_rows: int = 20_000  # longest detail table written to a sheet
    max_file_mb: float = 1_500.0  # larger order files are refused with advice (≈ 11 M orders)
    date_order: str = "auto"
    dedupe: bool = False  # reject identical rows in a log without order ids
    earliest_order_date: str = "1990-01-01"  # order dates before it are rejected as typos
    # RFM recency scores: "buying_cycle" (cut at the shop's own gaps between orders,
    # core.customers.buying_cycle_cuts), "quantiles" (fifths of the customers), or four
    # ascending day counts "14, 30, 60, 120" (R 5 up to 14 days, … R 1 past 120)
    recency_cuts: str = "buying_cycle"
    # Before/after over time (--change, report.toml [impact]): the first day of a change
    # (yyyy-mm-dd, "" for none) and what it was, for the Impact sheet
    change_date: str = ""
    change_label: str = ""

    RANGES = Settings.RANGES | {
        "top_rows": (0, None, "at least 1"),
        "max_file_mb": (0, None, "greater than 0"),
    }

    def check(self) -> None:
        """Each setting of the right type and in range, or an error naming it."""
        super().check()
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise UsageError(
                f"setting date_order must be auto, dmy or mdy (got {self.date_order!r})"
            )
        self.fixed_recency_cuts()  # refused here, before any reading
        if self.change_date:
            try:
                dt.date.fromisoformat(str(self.change_date))
            except ValueError:
                raise UsageError(
                    "the change date (--change, [impact] date) must be a date written "
                    f"yyyy-mm-dd (got {self.change_date!r})"
                ) from None
        try:
            dt.date.fromisoformat(self.earliest_order_date)
        except ValueError:
            raise UsageError(
                "setting earliest_order_date must be a date written yyyy-mm-dd "
                f"(got {self.earliest_order_date!r})"
            ) from None

    def fixed_recency_cuts(self) -> list[int] | None:
        """The four day counts of ``recency_cuts`` when it gives them, else None."""
        if self.recency_cuts in ("buying_cycle", "quantiles"):
            return None
        words = "buying_cycle, quantiles or four ascending whole days such as '14, 30, 60, 120'"
        try:
            days = [int(part) for part in self.recency_cuts.split(",")]
        except ValueError:
            days = []
        if len(days) != 4 or days != sorted(set(days)) or days[0] < 0:
            raise UsageError(f"setting recency_cuts must be {words} (got {self.recency_cuts!r})")
        return days
