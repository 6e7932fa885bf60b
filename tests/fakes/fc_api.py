"""A local HTTP server for Function Compute 3.0's InvokeFunction (API version 2023-03-30).

POST /2023-03-30/functions/<function>/invocations[?qualifier=<version or alias>], the event as
the raw body, `x-fc-invocation-type: Sync | Async`, signed with ACS3-HMAC-SHA256 and checked
as the gateway does (tests/fakes/acs3.py). An accepted Async invocation answers 202 with an
empty body and `x-fc-request-id`; errors are JSON `{"Code", "Message", "RequestId"}` with the
HTTP status as the error, throttling optionally with `x-acs-retry-after` (milliseconds, the
unit the SDK reads). Records every accepted invocation (function, qualifier, type, payload)
and every call, refused or not; tests script failures and a slow answer.
"""

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.acs3 import Refused, Verifier
from tests.fakes.loopback import GatewayHandler, LoopbackServer

API_VERSION = "2023-03-30"
ASYNC_PAYLOAD_MAX = 128 * 1024
SYNC_PAYLOAD_MAX = 32 * 1024 * 1024
FUNCTION_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]{0,127}")


@dataclass
class Invocation:
    function: str
    qualifier: Optional[str]
    invocation_type: str
    payload: dict
    headers: dict


@dataclass
class Call:
    """One request as it arrived, and what it was answered."""
    at: float
    status: int
    code: Optional[str]
    headers: dict


@dataclass
class ScriptedFailure:
    status: int
    code: str
    retry_after_ms: Optional[int] = None
    body: Optional[bytes] = None   # instead of the JSON error (a proxy's HTML page, say)


@dataclass
class FcState:
    access_key_id: str = "test-key-id"
    access_key_secret: str = "test-key-secret"
    security_token: Optional[str] = "test-sts-token"
    functions: Tuple[str, ...] = ("idcard-ocr",)
    delay_s: float = 0.0
    failures: List[ScriptedFailure] = field(default_factory=list)
    invocations: List[Invocation] = field(default_factory=list)
    calls: List[Call] = field(default_factory=list)
    verifier: Optional[Verifier] = None


class FcServer(LoopbackServer):
    state_class = FcState

    @property
    def invocations(self) -> List[Invocation]:
        with self._lock:
            return list(self.state.invocations)

    @property
    def calls(self) -> List[Call]:
        with self._lock:
            return list(self.state.calls)

    def fail_next(self, status: int, code: str, times: int = 1,
                  retry_after_ms: Optional[int] = None, body: Optional[bytes] = None) -> None:
        with self._lock:
            self.state.failures.extend(ScriptedFailure(status, code, retry_after_ms, body)
                                       for _ in range(times))

    def _handler_class(self):
        server = self

        class Handler(GatewayHandler):

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length > SYNC_PAYLOAD_MAX:
                    status, headers, payload = _error(413, "PayloadTooLarge", "body too large")
                    self.close_connection = True
                else:
                    body = self.rfile.read(length) if length else b""
                    status, headers, payload = server._answer(self.path, self.headers, body)
                with server._lock:
                    delay = server.state.delay_s
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (timeout tests)

        return Handler

    def _answer(self, target: str, headers, body: bytes):
        status, code, extra, payload = self._decide(target, headers, body)
        with self._lock:
            self.state.calls.append(Call(time.monotonic(), status, code, dict(headers)))
        if status in (200, 202):  # a Sync invocation would carry the function's answer
            return status, {"x-fc-request-id": uuid.uuid4().hex}, b""
        if payload is not None:
            return status, dict(extra, **{"Content-Type": "text/html"}), payload
        return _error(status, code, extra.pop("message", code), extra)

    def _decide(self, target: str, headers, body: bytes):
        """(status, code, extra headers, raw body or None)."""
        parts = urlsplit(target)
        segments = parts.path.split("/")
        if len(segments) != 5 or segments[1] != API_VERSION or segments[2] != "functions" \
                or segments[4] != "invocations":
            return 404, "ResourceNotFound", {}, None
        try:
            self._verifier().verify("POST", target, headers, body)
        except Refused as e:
            return e.status, e.code, {"message": e.message}, None
        with self._lock:
            failure = self.state.failures.pop(0) if self.state.failures else None
        if failure:
            extra = {}
            if failure.retry_after_ms is not None:
                extra["x-acs-retry-after"] = str(failure.retry_after_ms)
            return failure.status, failure.code, extra, failure.body
        function = unquote(segments[3])
        if not FUNCTION_NAME.fullmatch(function) or function not in self.state.functions:
            return 404, "FunctionNotFound", {"message": "function does not exist"}, None
        invocation_type = headers.get("x-fc-invocation-type", "Sync")
        if invocation_type not in ("Sync", "Async"):
            return 400, "InvalidArgument", {"message": "x-fc-invocation-type"}, None
        if invocation_type == "Async" and len(body) > ASYNC_PAYLOAD_MAX:
            return 413, "PayloadTooLarge", {"message": "async payload over 128 KB"}, None
        qualifier = parse_qs(parts.query).get("qualifier", [None])[0]
        invocation = Invocation(function, qualifier, invocation_type, json.loads(body),
                                dict(headers))
        with self._lock:
            self.state.invocations.append(invocation)
        return (202 if invocation_type == "Async" else 200), None, {}, None

    def _verifier(self) -> Verifier:
        """Made at the first call: set the state's credentials before it."""
        with self._lock:
            state = self.state
            if state.verifier is None:
                state.verifier = Verifier(state.access_key_id, state.access_key_secret,
                                          state.security_token)
            return state.verifier


def _error(status: int, code: str, message: str, extra=None):
    body = json.dumps({"Code": code, "Message": message,
                       "RequestId": uuid.uuid4().hex}).encode()
    return status, dict(extra or {}, **{"Content-Type": "application/json"}), body
