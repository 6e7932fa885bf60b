"""Building the console from the composition root, and serving it with uvicorn.

The socket is bound before the server starts, so the port (0: any free one) and the address
with its token are known at once; uvicorn's own access log is off (it would print the token
and the keys), and the console logs its actions itself.
"""

import ipaddress
import socket
import threading
import time
from typing import Callable, Optional

import uvicorn

from ...io.events import ObjectEvent
from .catalog import Catalog
from .images import Renditions
from .jobs import Reprocessor
from .security import Access
from .web import Console, create_app

DEFAULT_PORT = 8765


def build_console(app, bucket: str, prefix: str, operator: str,
                  process: Callable[[ObjectEvent], str], region: Optional[str],
                  concurrency: int = 4, qps: Optional[float] = None,
                  token: Optional[str] = None) -> Console:
    """The console on `bucket`/`prefix` of an idcard_ocr.app.App; `process` reprocesses one
    photo (backfill.local(pipeline) or backfill.Invoker)."""
    photos, results = app.bucket(bucket), app.results(bucket)
    catalog = Catalog(photos, results, prefix)
    renditions = Renditions(photos, results, app.limits, app.settings.source_max_bytes)

    def reprocessor(catalog: Catalog, on_finished) -> Reprocessor:
        return Reprocessor(catalog, process, region, concurrency, qps, on_finished)

    return Console(catalog, renditions, reprocessor, operator, Access(token))


class ConsoleServer:
    """The console on host:port, in this thread (serve_forever) or in another (start/stop)."""

    def __init__(self, console: Console, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.console = console
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port = self._socket.getsockname()[1]
        console.allowed_hosts = _allowed_hosts(host, self.port)
        config = uvicorn.Config(create_app(console), log_level="warning", access_log=False,
                                lifespan="off", server_header=False, date_header=False)
        self._server = uvicorn.Server(config)
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if host in ("0.0.0.0", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}/"

    @property
    def login_url(self) -> str:
        """The address to open: it carries the access token once."""
        return f"{self.url}?token={self.console.access.token}"

    @property
    def session_url(self) -> str:
        """Where the login leads: the session's pages (whoever has it sees personal data)."""
        return self.url + self.console.access.session_root.lstrip("/")

    @property
    def loopback_only(self) -> bool:
        return bool(self.console.allowed_hosts)

    def serve_forever(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.console.catalog.close()

    def start(self, timeout_s: float = 10.0) -> "ConsoleServer":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True,
                                        name="review-console")
        self._thread.start()
        end = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > end or not self._thread.is_alive():
                raise RuntimeError("the review console did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> "ConsoleServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _allowed_hosts(host: str, port: int) -> frozenset:
    """The Host headers a loopback console answers to; empty (any) for another address."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        return frozenset()
    return frozenset(f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]", host))
