"""Holding a chosen request of a test server until the test lets it go: races made deterministic."""

import threading


class Hold:
    """Armed for the next matching request: `arrived` is set when it comes, and it waits (at
    most `timeout_s`, so a failing test never hangs) until `release()`."""

    def __init__(self, timeout_s: float = 30.0):
        self.arrived = threading.Event()
        self._released = threading.Event()
        self.timeout_s = timeout_s

    def release(self) -> None:
        self._released.set()

    def wait_until_arrived(self, timeout_s: float = 30.0) -> None:
        assert self.arrived.wait(timeout_s), "the held request never came"

    def block(self) -> None:
        """Called by the server on the matching request's thread."""
        self.arrived.set()
        self._released.wait(self.timeout_s)
