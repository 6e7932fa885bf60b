"""The invocation's time budget, so retries never run past FC's timeout."""

import random
import time
from typing import Callable, Optional

# Kept back for writing the result and logging after the last API attempt.
RESERVE_S = 3.0
DEFAULT_BUDGET_S = 60.0


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._end = clock() + seconds

    @classmethod
    def from_context(cls, context, reserve_s: float = RESERVE_S) -> "Deadline":
        timeout = _function_timeout(context)
        budget = DEFAULT_BUDGET_S if timeout is None else timeout
        return cls(max(0.0, budget - reserve_s))

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())


def _function_timeout(context) -> Optional[float]:
    function = getattr(context, "function", None)
    timeout = getattr(function, "timeout", None)
    if timeout is None and isinstance(function, dict):
        timeout = function.get("timeout")
    try:
        return float(timeout) if timeout else None
    except (TypeError, ValueError):
        return None


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 8.0,
                  rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(cap, base * (2 ** attempt))
