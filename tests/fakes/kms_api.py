"""A local stand-in for KMS Secrets Manager's GetSecretValue (API 2016-01-20), over HTTP.

It checks what the official client (`alibabacloud-kms20160120`) sends the way the service
does: the action and version, and the V3 request signature with the STS token
(tests/fakes/acs3.py, shared with the Function Compute stand-in). It answers with the documented fields or the
documented errors, and counts reads so tests can see the function's caching.
"""

import json
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.acs3 import Refused, Verifier
from tests.fakes.loopback import GatewayHandler, LoopbackServer


@dataclass
class KmsState:
    access_key_id: str = "test-key-id"
    access_key_secret: str = "test-key-secret"
    security_token: Optional[str] = "test-sts-token"
    secrets: Dict[str, str] = field(default_factory=dict)   # name -> text
    failures: List[Tuple[int, str]] = field(default_factory=list)
    reads: List[str] = field(default_factory=list)           # secret names, in order
    verifier: Optional[Verifier] = None


class KmsServer(LoopbackServer):
    """`with KmsServer() as kms:`; KMS_ENDPOINT=kms.endpoint; kms.state.secrets[name] = value."""

    state_class = KmsState

    def _handler_class(self):
        server = self

        class Handler(GatewayHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, doc = server._answer(self.command, self.path, self.headers, body)
                payload = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def _answer(self, method: str, path: str, headers, body: bytes):
        state = self.state
        url = urlsplit(path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if headers.get("x-acs-action") != "GetSecretValue" or \
                headers.get("x-acs-version") != "2016-01-20":
            return _error(400, "InvalidAction.NotFound", "only GetSecretValue 2016-01-20")
        try:
            self._verifier().verify(method, path, headers, body)
        except Refused as e:
            return _error(e.status, e.code, "the request signature does not match")
        with self._lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure:
            return _error(*failure, "scripted")
        params = dict(query, **dict(parse_qsl(body.decode("utf-8"))))
        name = params.get("SecretName", "")
        with self._lock:
            state.reads.append(name)
        if name not in state.secrets:
            return _error(404, "Forbidden.ResourceNotFound", "The resource is not found")
        return 200, {"RequestId": str(uuid.uuid4()), "SecretName": name,
                     "VersionId": "v1", "SecretData": state.secrets[name],
                     "SecretDataType": "text", "SecretType": "Generic",
                     "VersionStages": {"VersionStage": ["ACSCurrent"]},
                     "CreateTime": "2026-11-26T00:00:00Z"}

    def _verifier(self) -> Verifier:
        state = self.state
        with self._lock:
            if state.verifier is None:
                state.verifier = Verifier(state.access_key_id, state.access_key_secret,
                                          state.security_token)
            return state.verifier


def _error(status: int, code: str, message: str):
    return status, {"RequestId": str(uuid.uuid4()), "Code": code, "Message": message,
                    "HostId": "kms.local"}
