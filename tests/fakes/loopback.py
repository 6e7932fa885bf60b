"""The part every local test server shares: a threaded HTTP server on loopback with a state."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GatewayHandler(BaseHTTPRequestHandler):
    """What every test server's handler shares: keep-alive as the real gateways, headers and
    body sent at once (no Nagle delay on keep-alive clients), no per-request log line."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


class LoopbackServer:
    """Subclasses set `state_class` and implement `_handler_class()`; use `with Server() as s:`."""

    state_class = dict

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.state = self.state_class()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, code: str, times: int = 1) -> None:
        """Answer the next `times` requests with this error instead (state.failures)."""
        with self._lock:
            self.state.failures.extend([(status, code)] * times)

    def reset(self) -> None:
        with self._lock:
            self.state = self.state_class()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _handler_class(self):
        raise NotImplementedError
