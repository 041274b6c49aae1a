"""Console progress of a sweep: variants done, failed, rate and time left, on one line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


class SweepProgress:
    """Reports a running sweep: variants done and failed, mean wall time per variant, time left.

    On a terminal one line is rewritten in place (``\\r``); otherwise a line
    goes to ``say`` every ``max(1, total // 20)`` variants and after the last.

    Parameters
    ----------
    total : int
        Variants to solve in this run.
    say : callable
        Receives the progress lines (when not live).
    label : str
        First word of the line (the sweep's name, ``verify``).
    live : bool, optional
        Rewrite one line on ``stream`` (default: ``stream.isatty()``).
    stream : text stream, optional
        Where the live line goes (default ``sys.stderr``).
    clock : callable
        Seconds (default :func:`time.perf_counter`).
    """

    def __init__(self, total: int, say: Callable[[str], None], label: str = "sweep", live: bool | None = None,
                 stream: Any = None, clock: Callable[[], float] = time.perf_counter):
        self.total = total
        self.say = say
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(self.stream.isatty()) if live is None else live
        self.every = max(1, total // 20)
        self.clock = clock
        self.t0 = clock()
        self.done = 0
        self.failed = 0
        self._width = 0

    def variant_done(self, ok: bool) -> None:
        """Count one finished variant (``ok``: solved to a proven optimum) and report."""
        self.done += 1
        self.failed += 0 if ok else 1
        text = self.line()
        if self.live:
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = len(text)
        elif self.done % self.every == 0 or self.done == self.total:
            self.say(text)

    def line(self) -> str:
        """``<label>: 12/40 variants done, 1 failed, 3.2 s per variant, about 1 min 30 s left``."""
        elapsed = self.clock() - self.t0
        mean = elapsed / self.done if self.done else float("nan")
        left = mean * (self.total - self.done) if self.done else float("nan")
        return (f"{self.label}: {self.done}/{self.total} variants done, {self.failed} failed, "
                f"{mean:.1f} s per variant, about {_duration(left)} left")

    def close(self) -> None:
        """End the live line."""
        if self.live and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "? s"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


# -- the table and sweep.nc ---------------------------------------------------------------------------------------

#: Columns of one variable per label (``capacity_mw.<technology>``) and the dimension of their labels.
