"""Bounding an HTTP exchange as a whole, not each read of it.

A socket timeout bounds each read: a server that drips one byte a second keeps a request alive
forever within it. A Watchdog shuts the sockets of an exchange down when its time is up, which
ends any read in progress. requests sessions get it through WatchedAdapter (every connection a
thread takes from the pool while a Watchdog is active is watched); other clients (MNS) hand
their connection to `watch()` themselves.
"""

import socket
import threading

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Watchdog:
    """Bounds a whole request, not each read: when `seconds` pass, the sockets this thread's
    request uses are shut down, which ends any read in progress (a server dripping one byte
    per second would otherwise keep a request alive forever within its read timeout)."""

    _current = threading.local()

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._connections = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self):
        Watchdog._current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        Watchdog._current.watch = None
        return False

    def watch(self, connection) -> None:
        """Shut `connection`'s socket (anything with `.sock`) too when time is up."""
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:
            _shut(connection)

    @classmethod
    def watch_current(cls, connection) -> None:
        """Called as the current thread's request takes a connection from the pool."""
        watch = getattr(cls._current, "watch", None)
        if watch is not None:
            watch.watch(connection)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


def _shut(connection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _WatchedPool(HTTPConnectionPool):
    def _get_conn(self, timeout=None):
        connection = super()._get_conn(timeout)
        Watchdog.watch_current(connection)
        return connection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout=None):
        connection = super()._get_conn(timeout)
        Watchdog.watch_current(connection)
        return connection


class WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool,
                                                   "https": _WatchedHTTPSPool}
