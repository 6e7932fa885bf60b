"""A local HTTP server for FC's InvokeFunction, as aliyun-fc2 calls it.

POST /2016-08-15/services/<service>/functions/<function>/invocations with the request signed
as `FC <key>:<base64 HMAC-SHA256>` over method, Content-MD5, Content-Type, Date, the x-fc-*
headers and the path. Records every invocation (type, payload); can answer with errors.
"""

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from typing import List, Tuple

from tests.fakes.loopback import GatewayHandler, LoopbackServer

API_VERSION = "2016-08-15"


@dataclass
class Invocation:
    service: str
    function: str
    invocation_type: str
    payload: dict
    headers: dict


@dataclass
class FcState:
    access_key_id: str = "test-key-id"
    access_key_secret: str = "test-key-secret"
    functions: Tuple[Tuple[str, str], ...] = (("idcard-ocr", "idcard-ocr"),)
    failures: List[Tuple[int, str]] = field(default_factory=list)
    invocations: List[Invocation] = field(default_factory=list)


class FcServer(LoopbackServer):
    state_class = FcState

    @property
    def invocations(self) -> List[Invocation]:
        with self._lock:
            return list(self.state.invocations)

    def _handler_class(self):
        server = self

        class Handler(GatewayHandler):

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, code = server._answer(self.path, self.headers, body)
                payload = b"" if status == 202 else json.dumps(
                    {"ErrorCode": code, "ErrorMessage": code}).encode()
                self.send_response(status)
                self.send_header("x-fc-request-id", uuid.uuid4().hex)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def _answer(self, path: str, headers, body: bytes):
        parts = path.split("?")[0].strip("/").split("/")
        if len(parts) != 6 or parts[0] != API_VERSION or parts[1] != "services" \
                or parts[3] != "functions" or parts[5] != "invocations":
            return 404, "ResourceNotFound"
        if not self._signed(path.split("?")[0], headers):
            return 403, "SignatureNotMatch"
        with self._lock:
            failure = self.state.failures.pop(0) if self.state.failures else None
        if failure:
            return failure
        service, function = parts[2], parts[4]
        if (service, function) not in self.state.functions:
            return 404, "FunctionNotFound"
        invocation = Invocation(service, function,
                                headers.get("x-fc-invocation-type", "Sync"),
                                json.loads(body), dict(headers))
        with self._lock:
            self.state.invocations.append(invocation)
        return 202, None

    def _signed(self, path: str, headers) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("FC ") or ":" not in auth:
            return False
        key_id, signature = auth[3:].split(":", 1)
        fc_headers = "".join(f"{k}:{v}\n" for k, v in sorted(
            (k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-fc-")))
        to_sign = "\n".join([ "POST", headers.get("content-md5", ""),
                             headers.get("content-type", ""), headers.get("date", ""),
                             fc_headers + path])
        expected = base64.b64encode(hmac.new(self.state.access_key_secret.encode(),
                                             to_sign.encode(), hashlib.sha256).digest()).decode()
        return key_id == self.state.access_key_id and hmac.compare_digest(expected, signature)
