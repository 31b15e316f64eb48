"""A stage-by-stage progress bar on the terminal; silent when not a TTY (cron, CI)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager


class Progress:
    """``with progress.stage("customers"): ...`` draws ``[#####-----] 4/9 customers``.

    Each stage's wall-clock seconds are kept in ``timings`` (the About sheet and the
    benchmark print them), whether or not anything is drawn; a stage entered twice
    adds up.
    """

    def __init__(self, stages: list[str], stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.stages = stages
        self.timings: dict[str, float] = {}

    def _draw(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        width = 24
        filled = round(width * done / len(self.stages))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{len(self.stages)} {label:<24}")
        self.stream.flush()

    @contextmanager
    def stage(self, name: str):
        self._draw(len(self.timings), name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def finish(self) -> None:
        self._draw(len(self.stages), "done")
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
