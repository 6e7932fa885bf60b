"""The invocation's time budget, and the one retry loop every remote call goes through.

Retries use exponential backoff with full jitter, honour a server's Retry-After, and never run
past the deadline: FC kills an invocation at its timeout, and a retry that cannot finish in
time only bills without answering.
"""

import random
import time
from dataclasses import dataclass
from typing import Callable, Optional, Tuple, TypeVar

from ..errors import IdcardOcrError, TransientError

# Kept back for writing the result and logging after the last remote attempt.
RESERVE_S = 3.0
DEFAULT_BUDGET_S = 60.0
# A call is not started with less time than this left: it could not finish.
MIN_CALL_S = 0.5

T = TypeVar("T")


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.seconds = seconds
        self._end = clock() + seconds

    @classmethod
    def from_context(cls, context, reserve_s: float = RESERVE_S) -> "Deadline":
        timeout = function_timeout(context)
        budget = DEFAULT_BUDGET_S if timeout is None else timeout
        return cls(max(0.0, budget - reserve_s))

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())


def function_timeout(context) -> Optional[float]:
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


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    per_call_s: float = 10.0        # the longest one attempt may take
    retry_after_cap_s: float = 30.0  # a server asking for longer is not waited for
    out_of_time_code: str = "api_timeout"  # the code raised when no attempt could start


def call_with_retries(call: Callable[[float], T], deadline: Deadline, policy: RetryPolicy,
                      what: str, sleep: Callable[[float], None] = time.sleep) -> Tuple[T, int]:
    """`call(timeout)` until it returns, raises a non-transient error, or time runs out.

    Returns (result, attempts). A raised error carries `attempts` too, so callers can count
    what was billed without keeping per-call state on shared objects.
    """
    attempts = 0
    last: Optional[TransientError] = None
    for attempt in range(policy.max_attempts):
        timeout = min(policy.per_call_s, deadline.remaining())
        if timeout < MIN_CALL_S:
            break
        attempts += 1
        try:
            return call(timeout), attempts
        except TransientError as e:
            last = e
            if not e.retry_in_invocation:
                break
        except IdcardOcrError as e:
            e.attempts = attempts
            raise
        if attempt + 1 == policy.max_attempts:
            break
        delay = backoff_delay(attempt)
        if last.retry_after is not None:
            delay = max(delay, min(last.retry_after, policy.retry_after_cap_s))
        if delay + MIN_CALL_S >= deadline.remaining():
            break
        sleep(delay)
    if last is None:
        last = TransientError(policy.out_of_time_code,
                              f"no time left in the invocation for {what}")
    last.attempts = attempts
    raise last

