"""How much one engine server may take, and whether a request may have its share now.

Every request reserves memory before it uses it: its body (three copies while it is parsed)
before the body is read, and the engine's decode of its image (estimated from the header)
before a recognition slot decodes it. What does not fit the per-request limit is refused (413);
what does not fit the budget now waits a little in line, then is refused with 429.
"""

import asyncio
import os
from collections import deque
from dataclasses import dataclass, replace
from typing import Mapping, Optional

from .contract import MAX_BODY_BYTES, ImageHeader

MB = 1024 * 1024
# Model and interpreter after warm_up (about 170 MB) plus one inference at the detector's
# largest input (up to about 470 MB; inferences run one at a time per process). Measured:
# bench/README.md, "The engine's server".
ENGINE_BASE_MB = 700
# While a body is parsed: the bytes, the JSON text, the base64 string in the document.
BODY_COPIES = 3
# Pillow keeps 1-bit, grey and palette pixels in one byte, 16-bit grey in two, and every
# other mode (RGB included) in four.
_ONE_BYTE_MODES = frozenset({"1", "L", "P"})
_TWO_BYTE_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})
# The engine's decode holds the decoded image, a copy while it is turned upright, and its RGB
# conversion (4 bytes a pixel); WebP and HEIF decoders keep an RGBA buffer of their own besides.
# Measured per mode and format: 6.6 bytes a pixel for L, 12 for RGB/RGBA, 20 for WebP RGB.
_DECODER_BUFFER = {"WEBP": 8, "HEIF": 8, "AVIF": 8}
# The largest legitimate image: 8192 x 8192 in a four-byte mode.
DEFAULT_MAX_DECODED_MB = 256


def bytes_per_pixel(mode: str) -> int:
    if mode in _ONE_BYTE_MODES:
        return 1
    return 2 if mode in _TWO_BYTE_MODES else 4


def decoded_bytes(header: ImageHeader) -> int:
    """Width x height x bytes per pixel of the header's mode: what decoding it allocates."""
    return header.width * header.height * bytes_per_pixel(header.mode)


def decode_peak_bytes(header: ImageHeader) -> int:
    """What the engine's decode of this image holds at its peak (JPEGs are counted at full
    size, although large ones decode at a reduced scale: the estimate may only be high)."""
    per_pixel = 2 * bytes_per_pixel(header.mode) + 4 + _DECODER_BUFFER.get(header.format, 0)
    return header.width * header.height * per_pixel


def machine_memory_mb(environ: Mapping[str, str] = os.environ) -> int:
    """The memory this server may count on: FC's instance size, the cgroup limit, or RAM."""
    found = []
    fc = environ.get("FC_FUNCTION_MEMORY_SIZE", "")
    if fc.isdigit():
        found.append(int(fc))
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                value = f.read().strip()
        except OSError:
            continue
        if value.isdigit() and int(value) < 1 << 50:  # "max" or a huge number: no limit
            found.append(int(value) // MB)
    try:
        with open("/proc/meminfo") as f:
            total_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
        found.append(total_kb // 1024)
    except (OSError, StopIteration, ValueError):
        pass
    return min(found) if found else 2048


@dataclass(frozen=True)
class Limits:
    """The server's limits; the defaults follow the machine (see from_env)."""

    memory_mb: int = 2048         # the whole server, every worker together
    workers: int = 1
    max_decoded_mb: Optional[float] = None  # per request; None: 256 MB or what the budget holds
    recognitions: int = 2         # per worker at once: one decodes while the other infers
    idle_timeout_s: float = 10.0  # a request head must arrive within this, and keep-alive ends
    body_timeout_s: float = 60.0  # the whole body must arrive within this (else 408)
    queue_timeout_s: float = 5.0  # a request waits at most this for its turn (else 429)
    grace_s: float = 30.0         # on SIGTERM, requests in flight get this long to finish

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides) -> "Limits":
        """ENGINE_MEMORY_MB, else 80 % of the machine's memory; keyword arguments win."""
        value = environ.get("ENGINE_MEMORY_MB", "")
        if value:
            if not value.isdigit():
                raise ValueError(f"ENGINE_MEMORY_MB must be a number of MB, not {value[:20]!r}")
            memory = int(value)
        else:
            memory = machine_memory_mb(environ) * 4 // 5
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(cls(memory_mb=memory), **given)

    @property
    def pool_bytes(self) -> int:
        """What one worker's requests may reserve: its share less the model and an inference."""
        return int((self.memory_mb / self.workers - ENGINE_BASE_MB) * MB)

    @property
    def max_decoded_bytes(self) -> int:
        if self.max_decoded_mb is not None:
            return int(self.max_decoded_mb * MB)
        # A four-byte image peaks at three times its decoded size (decode_peak_bytes).
        return min(DEFAULT_MAX_DECODED_MB * MB, self.pool_bytes // 3)

    def check(self) -> None:
        """ValueError when the budget cannot hold one full body and a card-sized photo."""
        need = BODY_COPIES * MAX_BODY_BYTES + 64 * MB
        if self.workers < 1 or self.recognitions < 1:
            raise ValueError("workers and recognitions must be at least 1")
        if self.pool_bytes < need:
            least = (ENGINE_BASE_MB + need // MB + 1) * self.workers
            raise ValueError(f"a memory budget of {self.memory_mb} MB is too small for "
                             f"{self.workers} worker(s): give at least {least} MB "
                             f"(--memory-mb or ENGINE_MEMORY_MB)")
        for name in ("idle_timeout_s", "body_timeout_s", "queue_timeout_s", "grace_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")


class _Waiter:
    __slots__ = ("amount", "future", "granted")

    def __init__(self, amount: int, future: "asyncio.Future"):
        self.amount = amount
        self.future = future
        self.granted = False


class Reservoir:
    """Units (bytes, slots) handed out first come, first served, and given back.

    Used from one event loop only; give back from other threads with call_soon_threadsafe.
    """

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.used = 0
        self.high_water = 0
        self._waiters: "deque[_Waiter]" = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def try_take(self, amount: int) -> bool:
        """Take now if it fits, ahead of anyone waiting (small, short-lived reservations)."""
        if self.used + amount > self.capacity:
            return False
        self._grant(amount)
        return True

    async def take(self, amount: int, timeout: float) -> bool:
        """Wait in line up to `timeout` seconds; False if it did not fit by then (or ever)."""
        if amount > self.capacity:
            return False
        if not self._waiters and self.try_take(amount):
            return True
        waiter = _Waiter(amount, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter.future, timeout)
        except asyncio.TimeoutError:
            pass
        except asyncio.CancelledError:
            if waiter.granted:
                self.give_back(amount)
            raise
        finally:
            if not waiter.granted and waiter in self._waiters:
                self._waiters.remove(waiter)
                self._wake()  # whoever stood behind may fit now
        return waiter.granted

    def give_back(self, amount: int) -> None:
        self.used -= amount
        self._wake()

    def _grant(self, amount: int) -> None:
        self.used += amount
        self.high_water = max(self.high_water, self.used)

    def _wake(self) -> None:
        while self._waiters and self.used + self._waiters[0].amount <= self.capacity:
            waiter = self._waiters.popleft()
            if waiter.future.done():  # timed out or cancelled this very moment
                continue
            self._grant(waiter.amount)
            waiter.granted = True
            waiter.future.set_result(True)
