"""An HTTP server that speaks the marketplace ID card OCR contract, backed by the offline engine.

Same path, `Authorization: APPCODE` (checked when keys are given), both body formats, the same
answer fields and `success`, and the documented error statuses with X-Ca-Error-Message. The
model loads once per process; requests are served by threads, and `workers` processes can
share the port (SO_REUSEPORT) to use more cores.
"""

import base64
import binascii
import io
import json
import logging
import os
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable, Optional

from ..errors import PermanentError

API_PATH = "/rest/160601/ocr/ocr_idcard.json"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BODY_BYTES = MAX_IMAGE_BYTES * 4 // 3 + 64 * 1024

log = logging.getLogger("idcard_ocr.engine")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def answer(body: bytes, side_hint: Optional[str] = None) -> dict:
    """The response document for a request body (either format), or ApiError."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise ApiError(460, "Invalid JSON") from None
    old = isinstance(doc, dict) and "inputs" in doc
    try:
        if old:
            item = doc["inputs"][0]
            image_field = item["image"]["dataValue"]
            configure = item["configure"]["dataValue"]
        else:
            image_field, configure = doc["image"], doc.get("configure", '{"side": "face"}')
        if isinstance(configure, str):
            configure = json.loads(configure)
        side = configure.get("side", "face")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise ApiError(461, "JSON format error: expected image and configure") from None
    if side not in ("face", "back"):
        raise ApiError(461, f"configure.side must be face or back, got {str(side)[:20]!r}")
    if not isinstance(image_field, str):
        raise ApiError(461, "image must be a base64 string")
    if image_field.startswith(("http://", "https://")):
        raise ApiError(462, "image URLs are not fetched by the offline engine; send base64")
    try:
        image = base64.b64decode(image_field, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(462, "image is not valid base64") from None
    if len(image) > MAX_IMAGE_BYTES:
        raise ApiError(413, "image over 10 MB")
    _check_size(image)
    from . import recognize

    try:
        result = recognize(image, side)
    except PermanentError as e:
        raise ApiError(462, e.message) from None
    if old:
        return {"outputs": [{"outputLabel": "ocr_id", "outputMulti": {},
                             "outputValue": {"dataType": 50,
                                             "dataValue": json.dumps(result, ensure_ascii=False)}}]}
    return result


def _check_size(image: bytes) -> None:
    from PIL import Image

    from ..imaging import register_heif, sniff

    fmt = sniff(image)
    if fmt is None:
        raise ApiError(462, "image data error: not an image")
    if fmt in ("HEIF", "AVIF"):
        register_heif()
    try:
        with Image.open(io.BytesIO(image)) as img:
            width, height = img.size
    except Exception:
        raise ApiError(462, "image data error: cannot be decoded") from None
    if min(width, height) < 15 or max(width, height) > 8192 or \
            max(width, height) / min(width, height) > 50:
        raise ApiError(421, f"image size {width}x{height} not supported "
                            f"(sides 15..8192 px, ratio up to 50)")


def make_handler(appcodes: Iterable[str] = ()):
    keys = frozenset(appcodes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "idcard-ocr-engine"
        # Headers and body are separate writes; with Nagle on, a keep-alive client waits for
        # its own delayed ACK (~40 ms) before the body arrives.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):
            log.debug("%s " + fmt, self.address_string(), *args)

        def do_POST(self):
            try:
                if self.path.split("?")[0] != API_PATH:
                    raise ApiError(404, "Invalid Url")
                if keys:
                    auth = self.headers.get("Authorization", "")
                    if not auth.startswith("APPCODE ") or auth[8:].strip() not in keys:
                        raise ApiError(400, "Invalid AppCode")
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self.close_connection = True
                    raise ApiError(413, "Request Entity Too Large")
                body = self.rfile.read(length)
                self._send(200, json.dumps(answer(body), ensure_ascii=False).encode("utf-8"))
            except ApiError as e:
                self._send(e.status, json.dumps({"message": e.message}).encode(),
                           {"X-Ca-Error-Message": e.message.encode("ascii", "replace").decode()})
            except Exception as e:  # the engine failed: say so, keep serving
                log.exception("engine failure")
                self._send(500, b'{"message": "engine failure"}',
                           {"X-Ca-Error-Message": f"engine failure ({type(e).__name__})"})

        def _send(self, status: int, payload: bytes, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class EngineServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, appcodes=(), reuse_port: bool = False):
        self._reuse_port = reuse_port
        super().__init__(address, make_handler(appcodes))

    def server_bind(self):
        if self._reuse_port and hasattr(socket, "SO_REUSEPORT"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{API_PATH}"

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client went away (e.g. after a 413): nothing to report
        log.exception("request from %s failed", client_address[0])


def warm_up() -> None:
    """Load the model now rather than on the first request."""
    from .reader import _rapidocr

    _rapidocr()


def announce(server: "EngineServer") -> None:
    """The default readiness line, printed by every worker once its model is loaded."""
    print(f"idcard-ocr engine (pid {os.getpid()}) listening on {server.url}", flush=True)


def serve(host: str = "127.0.0.1", port: int = 8080, appcodes=(), workers: int = 1,
          ready=announce) -> None:
    """Serve until interrupted. With workers > 1, that many processes share the port."""
    if workers > 1:
        import multiprocessing

        # Each worker gets its share of the cores instead of all of them.
        threads = max(1, (os.cpu_count() or 1) // workers)
        children = [multiprocessing.Process(target=_serve_one,
                                            args=(host, port, appcodes, True, ready, threads),
                                            daemon=True) for _ in range(workers)]
        for child in children:
            child.start()
        try:
            for child in children:
                child.join()
        except KeyboardInterrupt:
            pass
        return
    _serve_one(host, port, appcodes, False, ready)


def _serve_one(host, port, appcodes, reuse_port, ready=None, threads: int = 0):
    if threads:
        os.environ["IDCARD_ENGINE_THREADS"] = str(threads)
    warm_up()
    server = EngineServer((host, port), appcodes, reuse_port=reuse_port)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
