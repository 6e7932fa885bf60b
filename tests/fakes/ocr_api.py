"""A local HTTP server that speaks the ID card OCR API's documented contract.

Built from ../shared/reference/aliyun-facts.md and the seed: it checks the APPCODE header,
parses both body formats, decodes the base64 image, answers with the documented fields, and
fails with the documented statuses and X-Ca-Error-Message. Tests script failures and the
card's true side, and read back what each request carried.
"""

import base64
import io
import json
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from PIL import Image

from tests.fakes.holds import Hold
from tests.fakes.loopback import GatewayHandler, LoopbackServer

API_PATH = "/rest/160601/ocr/ocr_idcard.json"
MAX_BODY = 10 * 1024 * 1024 * 4 // 3 + 1024  # 10 MB of image after base64, plus JSON

FACE = {
    "name": "欧阳晓明", "sex": "男", "nationality": "汉", "birth": "19900307",
    "address": "浙江省杭州市余杭区文一西路969号", "num": "330110199003072313",
}
BACK = {"issue": "杭州市公安局余杭分局", "start_date": "20150610", "end_date": "20350610"}


@dataclass
class RecordedRequest:
    side: Optional[str]
    body_format: Optional[str]
    headers: dict
    image: Optional[bytes] = None
    image_size: Optional[Tuple[int, int]] = None
    image_format: Optional[str] = None
    quality_info: bool = False
    status: int = 0
    at: float = 0.0
    connection: int = 0


@dataclass
class ScriptedFailure:
    status: int
    message: str
    body: Optional[bytes] = None
    retry_after: Optional[str] = None


@dataclass
class OcrApiState:
    appcodes: Tuple[str, ...] = ("test-appcode-0123456789abcdef",)
    card_side: Optional[str] = None  # the side the photo really shows; None: whatever is asked
    delay_s: float = 0.0
    quality_scores: dict = field(default_factory=lambda: {
        "reshoot": 0.02, "copy": 0.01, "completeness": 0.99, "quality": 0.93, "tamper": 0.0})
    face: dict = field(default_factory=lambda: dict(FACE))
    back: dict = field(default_factory=lambda: dict(BACK))
    failures: List[ScriptedFailure] = field(default_factory=list)
    requests: List[RecordedRequest] = field(default_factory=list)
    connections: int = 0
    # Misbehaviour: send the answer one byte every `drip_s` seconds; or answer 200 with
    # `huge_bytes` bytes of JSON-looking garbage (streamed: the server holds none of it).
    drip_s: float = 0.0
    huge_bytes: int = 0
    side_failures: dict = field(default_factory=dict)  # side -> [ScriptedFailure]
    holds: list = field(default_factory=list)  # [Hold]: the next requests, billed, then held


class OcrApiServer(LoopbackServer):
    """Start with `with OcrApiServer() as api:`; point OCR_API_URL at `api.url`."""

    state_class = OcrApiState

    @property
    def url(self) -> str:
        return self.endpoint + API_PATH

    def fail_next(self, status: int, message: str, times: int = 1, body: Optional[bytes] = None,
                  retry_after: Optional[str] = None) -> None:
        with self._lock:
            self.state.failures.extend(ScriptedFailure(status, message, body, retry_after)
                                       for _ in range(times))

    def hold_next(self) -> Hold:
        """Hold the next request after it is answered (and billed) until the test releases it."""
        hold = Hold()
        with self._lock:
            self.state.holds.append(hold)
        return hold

    def fail_on_side(self, side: str, status: int, times: int = 1, message: str = "busy") -> None:
        """Answer the next `times` requests for `side` (face or back) with this error."""
        with self._lock:
            self.state.side_failures.setdefault(side, []).extend(
                ScriptedFailure(status, message) for _ in range(times))

    @property
    def requests(self) -> List[RecordedRequest]:
        with self._lock:
            return list(self.state.requests)

    def _handler_class(self):
        server = self

        class Handler(GatewayHandler):
            def setup(self):
                super().setup()
                with server._lock:
                    server.state.connections += 1
                    self.connection_number = server.state.connections

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = RecordedRequest(None, None, dict(self.headers), at=time.monotonic(),
                                           connection=self.connection_number)
                status, headers, payload = server._answer(self.path, self.headers, body, recorded)
                recorded.status = status
                with server._lock:
                    server.state.requests.append(recorded)
                    delay, drip, huge = (server.state.delay_s, server.state.drip_s,
                                         server.state.huge_bytes)
                    hold = server.state.holds.pop(0) if server.state.holds else None
                if hold is not None:
                    hold.block()
                if delay:
                    time.sleep(delay)
                if huge:
                    status, payload = 200, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(huge or len(payload)))
                self.end_headers()
                try:
                    if huge:
                        self._stream_garbage(huge)
                    elif drip:
                        for i in range(len(payload)):
                            self.wfile.write(payload[i:i + 1])
                            self.wfile.flush()
                            time.sleep(drip)
                    else:
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (timeout tests)

            def _stream_garbage(self, size: int) -> None:
                chunk = b'{"name": "' + b"x" * (64 * 1024)
                sent = 0
                while sent < size:
                    piece = chunk[:size - sent]
                    self.wfile.write(piece)
                    sent += len(piece)

        return Handler

    # The contract ---------------------------------------------------------------------------

    def _answer(self, path, headers, body: bytes, recorded: RecordedRequest):
        state = self.state
        if path.split("?")[0] != API_PATH:
            return _error(404, "Invalid Url")
        auth = headers.get("Authorization", "")
        if not auth.startswith("APPCODE ") or auth[len("APPCODE "):] not in state.appcodes:
            # The gateway names the rejected code; the client must not repeat it anywhere.
            return _error(400, f"Invalid AppCode `{auth[len('APPCODE '):]}`")
        with self._lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure is not None:
            extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return _error(failure.status, failure.message, failure.body, extra)
        if len(body) > MAX_BODY:
            return _error(413, "Request Entity Too Large")
        try:
            doc = json.loads(body)
        except ValueError:
            return _error(460, "Invalid JSON")
        parsed = _parse_body(doc)
        if parsed is None:
            return _error(461, "JSON format error")
        body_format, image_field, configure = parsed
        recorded.body_format = body_format
        recorded.quality_info = doc.get("quality_info") is True
        try:
            side = json.loads(configure)["side"] if isinstance(configure, str) \
                else configure["side"]
        except (ValueError, KeyError, TypeError):
            return _error(461, "configure is not a JSON string with a side")
        if side not in ("face", "back"):
            return _error(461, f"invalid side {side!r}")
        recorded.side = side
        with self._lock:
            scripted = state.side_failures.get(side)
            failure = scripted.pop(0) if scripted else None
        if failure is not None:
            return _error(failure.status, failure.message)
        try:
            image = base64.b64decode(image_field, validate=True)
            with Image.open(io.BytesIO(image)) as img:
                img.load()
                recorded.image, recorded.image_size, recorded.image_format = \
                    image, img.size, img.format
        except Exception:
            return _error(462, "image data error")
        width, height = recorded.image_size
        if min(width, height) < 15 or max(width, height) > 8192 or \
                max(width, height) / min(width, height) > 50:
            return _error(421, "image size not supported")
        if state.card_side is not None and state.card_side != side:
            answer = {"success": False, "config_str": json.dumps({"side": side})}
        else:
            answer = dict(state.face if side == "face" else state.back)
            for name, value in _geometry(side, width, height).items():
                answer.setdefault(name, value)  # tests may script the geometry
            if doc.get("quality_info") is True:
                answer["quality_info"] = dict(state.quality_scores)
            answer.update({"config_str": json.dumps({"side": side}), "success": True,
                           "request_id": f"fake-{len(state.requests) + 1}"})
        text = json.dumps(answer, ensure_ascii=False)
        if body_format == "old":
            text = json.dumps({"outputs": [{"outputLabel": "ocr_id", "outputMulti": {},
                                            "outputValue": {"dataType": 50, "dataValue": text}}]})
        return 200, {"Content-Type": "application/json; charset=UTF-8"}, text.encode("utf-8")


def _parse_body(doc):
    if not isinstance(doc, dict):
        return None
    if "inputs" in doc:
        try:
            item = doc["inputs"][0]
            return "old", item["image"]["dataValue"], item["configure"]["dataValue"]
        except (KeyError, IndexError, TypeError):
            return None
    if "image" in doc and "configure" in doc:
        return "new", doc["image"], doc["configure"]
    return None


def _geometry(side: str, width: int, height: int) -> dict:
    region = [{"x": 0, "y": 0}, {"x": 0, "y": height}, {"x": width, "y": height},
              {"x": width, "y": 0}]
    if side == "back":
        return {}
    return {
        "card_region": region,
        "face_rect": {"angle": 0, "center": {"x": width * 0.8, "y": height * 0.45},
                      "size": {"width": width * 0.25, "height": height * 0.5}},
        "face_rect_vertices": region,
    }


def _error(status: int, message: str, body: Optional[bytes] = None, extra=None):
    headers = {"X-Ca-Error-Message": message, "Content-Type": "text/plain"}
    headers.update(extra or {})
    return status, headers, body if body is not None else b""
