"""The offline engine's HTTP server: the marketplace contract on hypercorn (asyncio, h11).

Same path, `Authorization: APPCODE` (checked when codes are given), both body formats, the
answer fields and `success`, and the documented error statuses with X-Ca-Error-Message.
Connections cost no thread: hypercorn's keep-alive timer bounds both the wait for a request
head and idle keep-alive, for HTTP/2 connections too (_time_http2_connections); this module bounds the body (size and time, whatever the framing)
and admits each request into a memory budget (contract.py, admission.py). Recognitions run
on a small thread pool; `workers` processes share the listening socket. SIGTERM stops
accepting, lets requests in flight finish within a grace period, and exits 0.
"""

import asyncio
import hmac
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, List, Optional, Tuple

from ..card.documents import reads_no_field
from ..errors import PermanentError
from .admission import (BODY_COPIES, MB, Limits, Reservoir, decode_peak_bytes, decoded_bytes)
from .contract import API_PATH, MAX_BODY_BYTES, ApiError, parse, read_header, render

__all__ = ["API_PATH", "EngineApp", "EngineServer", "Limits", "serve", "warm_up"]

HEALTH_PATH = "/healthz"
RETRY_AFTER_S = 2
MAX_HEADER_BYTES = 16 * 1024

log = logging.getLogger("idcard_ocr.engine")
Headers = List[Tuple[bytes, bytes]]


def _recognize(image: bytes, side: str) -> dict:
    from . import recognize

    return recognize(image, side)


def _parse_and_inspect(body: bytearray):
    """The request and its image's header; whatever else a malformed body makes the parsers
    raise is the client's 460 too, never our 500."""
    try:
        request = parse(body)
        return request, read_header(request.image)
    except ApiError:
        raise
    except Exception as e:
        log.warning("malformed request body (%s)", type(e).__name__)
        raise ApiError(460, "Invalid JSON: the body could not be read") from None


class _Hold:
    """What one request has reserved; given back once, by the request or by its thread."""

    def __init__(self, app: "EngineApp"):
        self._app = app
        self.memory = 0
        self.slot = False

    def hand_over(self) -> "_Hold":
        """A hold with this one's reservations; this one keeps none."""
        other = _Hold(self._app)
        other.memory, other.slot = self.memory, self.slot
        self.memory, self.slot = 0, False
        return other

    def give_back(self) -> None:
        if self.memory:
            self._app.memory.give_back(self.memory)
            self.memory = 0
        if self.slot:
            self._app.slots.give_back(1)
            self.slot = False


class EngineApp:
    """The ASGI application: each request through the contract and the limits."""

    def __init__(self, appcodes: Iterable[str], limits: Limits,
                 recognize: Callable[[bytes, str], dict] = _recognize):
        self._codes = tuple(code.encode("utf-8") for code in appcodes)
        self.limits = limits
        self.memory = Reservoir(limits.pool_bytes)
        self.slots = Reservoir(limits.recognitions)
        self._executor = ThreadPoolExecutor(limits.recognitions,
                                            thread_name_prefix="idcard-ocr-recognize")
        self._recognize = recognize
        self.in_flight = 0
        self.draining = False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: the server closes them
        status, payload, headers = await self._respond(scope, receive)
        unread = (b"connection", b"close") in headers
        headers = [(b"content-type", b"application/json; charset=UTF-8"),
                   (b"content-length", str(len(payload)).encode())] + headers
        # Once the response is out, hypercorn hands the application a disconnect through the
        # same bounded queue as the body; when that queue is full of chunks nobody will read,
        # the hand-over (and the connection) would hang. Discard them while responding: the
        # connection closes right after, so only what is already in flight is read.
        discard = asyncio.ensure_future(_discard_body(receive)) if unread else None
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
        finally:
            if discard is not None:
                discard.cancel()

    def close(self) -> None:
        """Stop taking work; recognitions already running finish on their threads."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _respond(self, scope, receive) -> Tuple[int, bytes, Headers]:
        if scope["path"] == HEALTH_PATH and scope["method"] in ("GET", "HEAD"):
            return (503 if self.draining else 200), self._health(), []
        body_read = False
        self.in_flight += 1
        hold = _Hold(self)
        try:
            if scope["path"] != API_PATH:
                raise ApiError(404, "Invalid Url")
            if scope["method"] != "POST":
                raise ApiError(405, "Method Not Allowed")
            headers = scope["headers"]
            if self._codes and not self._accepts(_header(headers, b"authorization")):
                raise ApiError(400, "Invalid AppCode")
            length = _content_length(headers)
            if length is not None and length > MAX_BODY_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            body_cost = BODY_COPIES * (MAX_BODY_BYTES if length is None else length)
            if not self.memory.try_take(body_cost):
                raise ApiError(429, "server busy: memory budget in use, retry later",
                               RETRY_AFTER_S)
            hold.memory = body_cost
            body = await self._read_body(receive)
            body_read = True
            # Parsing 13 MB of JSON and base64 takes tens of milliseconds: not on the loop.
            request, header = await asyncio.get_running_loop().run_in_executor(
                None, _parse_and_inspect, body)
            del body
            self._check_decoded_size(header, body_cost)
            result = await self._recognize_in_turn(request, header, hold)
            if result.get("success") is not False and reads_no_field(result, request.side):
                # a side found with none of its fields read: the API's "unreadable" status,
                # which a caller maps to recognition_failed (a 200 would be a bad answer)
                raise ApiError(464, "the offline engine found the side but read none of its "
                                    "fields")
            return 200, render(result, request.old_format), []
        except ApiError as e:
            extra = [(b"x-ca-error-message", e.message.encode("ascii", "replace"))]
            if e.retry_after:
                extra.append((b"retry-after", str(e.retry_after).encode()))
            if not body_read:  # the rest of the body is never read: the connection ends
                extra.append((b"connection", b"close"))
            return e.status, json.dumps({"message": e.message}).encode(), extra
        except _ClientGone:
            return 400, b"", [(b"connection", b"close")]  # nobody is there to read it
        except Exception as e:  # the engine failed: say so, keep serving
            log.error("engine failure (%s)", type(e).__name__)
            return 500, b'{"message": "engine failure"}', [
                (b"x-ca-error-message", f"engine failure ({type(e).__name__})".encode())]
        finally:
            self.in_flight -= 1
            hold.give_back()

    def _accepts(self, authorization: Optional[bytes]) -> bool:
        """Constant time in the code given: every accepted code is compared, none skipped."""
        if not authorization or not authorization.startswith(b"APPCODE "):
            return False
        given = authorization[len(b"APPCODE "):].strip()
        accepted = False
        for code in self._codes:
            accepted |= hmac.compare_digest(given, code)
        return accepted

    async def _read_body(self, receive) -> bytearray:
        """The body, whatever its framing, up to MAX_BODY_BYTES and within body_timeout_s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_timeout_s
        body = bytearray()
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise ApiError(408, "request body not received in time") from None
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if not message.get("more_body"):
                return body

    def _check_decoded_size(self, header, body_cost: int) -> None:
        size = decoded_bytes(header)
        fits = decode_peak_bytes(header) <= self.memory.capacity - body_cost
        if size > self.limits.max_decoded_bytes or not fits:
            raise ApiError(413, f"image {header.width}x{header.height} {header.mode} decodes "
                                f"to {size // MB} MB; this server decodes at most "
                                f"{self.limits.max_decoded_bytes // MB} MB per request")

    async def _recognize_in_turn(self, request, header, hold: _Hold) -> dict:
        """Wait (up to queue_timeout_s) for a recognition slot and the decode's memory, run the
        recognition on the pool, and give both back when its thread is done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.queue_timeout_s
        if not await self.slots.take(1, self.limits.queue_timeout_s):
            raise ApiError(429, "server busy: every recognition slot is taken, retry later",
                           RETRY_AFTER_S)
        hold.slot = True
        peak = decode_peak_bytes(header)
        if not await self.memory.take(peak, max(0.0, deadline - loop.time())):
            raise ApiError(429, "server busy: memory budget in use, retry later",
                           RETRY_AFTER_S)
        hold.memory += peak
        # From here the thread owns the reservation: a client that goes away does not free
        # memory that the decode still holds.
        thread_hold = hold.hand_over()
        try:
            future = self._executor.submit(self._recognize, request.image, request.side)
        except RuntimeError:  # the pool is shut down: the server is stopping
            thread_hold.give_back()
            raise ApiError(503, "server shutting down, retry later", RETRY_AFTER_S) from None
        future.add_done_callback(lambda _: _call_soon(loop, thread_hold.give_back))
        try:
            return await asyncio.wrap_future(future)
        except PermanentError as e:
            raise ApiError(462, e.message) from None

    def _health(self) -> bytes:
        return json.dumps({
            "status": "draining" if self.draining else "ok",
            "in_flight": self.in_flight,
            "recognitions": self.slots.used,
            "waiting": self.slots.waiting + self.memory.waiting,
            "memory_mb": {"budget": self.memory.capacity // MB,
                          "reserved": self.memory.used // MB,
                          "high_water": self.memory.high_water // MB},
        }).encode()

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


class _ClientGone(Exception):
    """The client closed the connection before its body arrived."""


async def _discard_body(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _call_soon(loop, callback) -> None:
    try:
        loop.call_soon_threadsafe(callback)
    except RuntimeError:
        pass  # the loop is closed: the process is exiting


def _header(headers: Headers, name: bytes) -> Optional[bytes]:
    for key, value in headers:
        if key == name:
            return value
    return None


def _content_length(headers: Headers) -> Optional[int]:
    """The declared length; None when the body is chunked or has no length; 400 if malformed.

    (h11 refuses malformed lengths before the application runs; this is the second line.)
    """
    if _header(headers, b"transfer-encoding") is not None:
        return None
    values = {value.strip() for key, value in headers if key == b"content-length"}
    if not values:
        return None
    value = values.pop()
    if values or not value.isdigit():
        raise ApiError(400, "malformed Content-Length")
    return int(value)


# Serving ---------------------------------------------------------------------------------

def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket; worker processes inherit it."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


class EngineServer:
    """One process's server on a listening socket; `serve_forever()` until `shutdown()` or,
    in the main thread, SIGTERM/SIGINT. The same calls as socketserver's servers."""

    def __init__(self, address: Tuple[str, int] = ("127.0.0.1", 8080), appcodes=(),
                 limits: Optional[Limits] = None, sock: Optional[socket.socket] = None,
                 recognize: Callable[[bytes, str], dict] = _recognize):
        self.limits = limits or Limits.from_env()
        self.limits.check()
        self.socket = sock if sock is not None else listening_socket(*address)
        self.server_address = self.socket.getsockname()
        self.app = EngineApp(appcodes, self.limits, recognize)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._running = threading.Event()
        self._finished = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{API_PATH}"

    def serve_forever(self) -> None:
        try:
            asyncio.run(self._serve())
        finally:
            self._finished.set()

    def shutdown(self) -> None:
        """Stop as SIGTERM does (graceful) and wait until serve_forever has returned."""
        if self._running.wait(10):
            self._loop.call_soon_threadsafe(self._stop.set)
            self._finished.wait()

    def server_close(self) -> None:
        if self.socket.fileno() != -1:  # never served: hypercorn did not take it over
            self.socket.close()

    async def _serve(self) -> None:
        from hypercorn.asyncio import serve as hypercorn_serve

        _time_http2_connections()
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._loop.add_signal_handler(signum, self._stop.set)
        self._running.set()
        try:
            await hypercorn_serve(self.app, self._config(), shutdown_trigger=self._draining,
                                  mode="asgi")
        finally:
            self.app.close()

    async def _draining(self) -> None:
        await self._stop.wait()
        self.app.draining = True
        log.info("stopping: no new connections; requests in flight get %.0f s",
                 self.limits.grace_s)

    def _config(self):
        from hypercorn.config import Config

        config = Config()
        # hypercorn serves on the descriptor and closes it when it stops accepting; no other
        # descriptor of it may stay open here, or the kernel would go on queueing connections
        # that nobody accepts while requests in flight finish.
        config.bind = [f"fd://{self.socket.detach()}"]
        # The keep-alive timer runs from the moment a connection is idle (just opened, or
        # after a response) until a whole request head has arrived: header and idle timeout.
        config.keep_alive_timeout = self.limits.idle_timeout_s
        config.graceful_timeout = self.limits.grace_s
        config.h11_max_incomplete_size = MAX_HEADER_BYTES
        config.h2_max_concurrent_streams = 2 * self.limits.recognitions
        config.backlog = 1024
        config.include_server_header = False
        config.accesslog = None
        http_log = logging.getLogger("idcard_ocr.engine.http")
        if http_log.level == logging.NOTSET:
            http_log.setLevel(logging.WARNING)  # not hypercorn's "Running on" lines
        config.errorlog = http_log
        return config


def _time_http2_connections() -> None:
    """Give cleartext HTTP/2 connections the idle and handshake timeout HTTP/1.1 has.

    hypercorn's keep-alive timer stops when a connection's first request head arrives; for a
    connection that turns to HTTP/2 (the "PRI * HTTP/2.0" preface, or Upgrade: h2c) that head
    is the preface, and the timer only starts again when a stream ends. A connection that sent
    the preface and SETTINGS and then nothing stayed open for good: 1,100 of them exhausted
    the process's descriptors. After the switch, a connection without a stream in progress is
    reported idle, so the timer (keep_alive_timeout = idle_timeout_s) runs from the handshake,
    stops while a stream is open and runs again after the last one, as for HTTP/1.1.
    """
    import hypercorn.asyncio.tcp_server as tcp_server
    from hypercorn.events import Updated
    from hypercorn.protocol import ProtocolWrapper
    from hypercorn.protocol.h2 import H2Protocol

    if getattr(tcp_server.ProtocolWrapper, "times_http2", False):
        return

    class TimedProtocolWrapper(ProtocolWrapper):
        times_http2 = True

        async def handle(self, event):
            was_http2 = isinstance(self.protocol, H2Protocol)
            result = await super().handle(event)
            if not was_http2 and isinstance(self.protocol, H2Protocol) and self.protocol.idle:
                await self.send(Updated(idle=True))
            return result

    tcp_server.ProtocolWrapper = TimedProtocolWrapper


def warm_up() -> None:
    """Load the model now rather than on the first request."""
    from .ocr import load

    load()


def announce(server: EngineServer) -> None:
    """The default readiness line, printed by every worker once its model is loaded."""
    # One write, newline included: workers announce on one pipe at about the same moment, and
    # print() writes the newline apart, so unbuffered (PYTHONUNBUFFERED) two workers' lines
    # could merge into one and a waiter counting them would wait for ever.
    sys.stdout.write(f"idcard-ocr engine (pid {os.getpid()}) listening on {server.url}\n")
    sys.stdout.flush()


def serve(host: str = "127.0.0.1", port: int = 8080, appcodes=(), workers: int = 1,
          ready=announce, limits: Optional[Limits] = None) -> int:
    """Serve until SIGTERM/SIGINT; the exit status (0 after a graceful stop).

    With workers > 1, that many processes share the listening socket; this one supervises
    them (restarts a worker that dies, forwards SIGTERM, waits out the grace period).
    """
    limits = limits or Limits.from_env(workers=workers)
    limits.check()
    from .ocr import check_models

    check_models()  # a wrong IDCARD_ENGINE_MODELS stops the start, before anything listens
    sock = listening_socket(host, port)
    if limits.workers == 1:
        _serve_one(sock, appcodes, limits, ready)
        return 0
    return _supervise(sock, appcodes, limits, ready)


def _serve_one(sock, appcodes, limits: Limits, ready=None, threads: int = 0) -> None:
    # Until the server's own handlers are in place a signal simply ends the worker: nothing
    # is in flight yet (a forked worker would otherwise run its parent's handlers).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if threads:
        os.environ["IDCARD_ENGINE_THREADS"] = str(threads)
    warm_up()
    server = EngineServer(sock=sock, appcodes=appcodes, limits=limits)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


QUICK_DEATH_S = 10
MAX_QUICK_DEATHS = 3


def _supervise(sock, appcodes, limits: Limits, ready) -> int:
    import multiprocessing

    # fork: the workers inherit the listening socket; nothing here has started a thread yet.
    context = multiprocessing.get_context("fork")
    threads = max(1, (os.cpu_count() or 1) // limits.workers)  # each its share of the cores
    stopping = threading.Event()

    def start():
        child = context.Process(target=_serve_one, daemon=True,
                                args=(sock, appcodes, limits, ready, threads))
        child.start()
        return child, time.monotonic()

    previous = {signum: signal.signal(signum, lambda *_: stopping.set())
                for signum in (signal.SIGTERM, signal.SIGINT)}
    children = [start() for _ in range(limits.workers)]
    quick_deaths, status = 0, 0
    try:
        while not stopping.wait(0.5):
            for i, (child, started) in enumerate(children):
                if child.exitcode is None:
                    continue
                quick_deaths = quick_deaths + 1 if time.monotonic() - started < QUICK_DEATH_S \
                    else 0
                log.error("engine worker %s exited with %s", child.pid, child.exitcode)
                if quick_deaths >= MAX_QUICK_DEATHS:
                    stopping.set()
                    status = 1
                    break
                children[i] = start()
        sock.close()  # with the workers' copies closed as they stop, new connections are refused
        for child, _ in children:
            if child.exitcode is None:
                os.kill(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + limits.grace_s + 5
        for child, _ in children:
            child.join(max(0.0, deadline - time.monotonic()))
            if child.exitcode is None:
                child.kill()
                child.join()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()
    return status
