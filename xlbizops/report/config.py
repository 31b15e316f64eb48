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
        try:
            dt.date.fromisoformat(self.earliest_order_date)
        except ValueError:
            raise UsageError(
                "setting earliest_order_date must be a date written yyyy-mm-dd "
                f"(got {self.earliest_order_date!r})"
            ) from None
