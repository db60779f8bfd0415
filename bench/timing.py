"""The benchmarks' one timer: the median of repeated wall-clock runs (one slow run counts less)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(work: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls of ``work``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
