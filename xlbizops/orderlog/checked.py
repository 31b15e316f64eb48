"""Order lines that passed the order-log checks, and say so.

``core.validation.order_lines`` is the one place the numpy face checks order lines
(dates readable and in order, flags read, statuses as the rules compare them, order
ids present, every column the same length); what it returns is a
:class:`CheckedLines`, and a core function given one computes without checking
again (``core.orders.kpis_of_lines``, ``core.risk.supplier_metrics_of_lines``).
The report's lines are checked once too, by its cleaning (``report.inputs``,
``report.sources``), and its sums are taken by the engine from those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CheckedLines:
    """Checked order-line columns by field name (``orderlog.schema.FIELDS``): dates as
    ``datetime64[ns]``, numbers and flags as floats, ``status`` as
    ``rules.status_words`` gives it, ids as objects; a field not given is absent.
    ``order_ids`` None: each line is its own order."""

    columns: dict[str, np.ndarray]
    order_ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def __getitem__(self, field: str) -> np.ndarray:
        return self.columns[field]

    def get(self, field: str):
        return self.columns.get(field)
