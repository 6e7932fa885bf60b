"""A local stand-in for KMS Secrets Manager's GetSecretValue (API 2016-01-20), over HTTP.

It checks what the official client (`alibabacloud-kms20160120`) sends the way the service
does: the action and version, the V3 request signature (ACS3-HMAC-SHA256: an HMAC with the
AccessKey secret over the hash of the canonical request: method, path, sorted query, the
signed headers and the payload's SHA-256), the security token of STS credentials. It answers with the documented fields or the
documented errors, and counts reads so tests can see the function's caching.
"""

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlsplit

from tests.fakes.loopback import GatewayHandler, LoopbackServer

ALGORITHM = "ACS3-HMAC-SHA256"


@dataclass
class KmsState:
    access_key_id: str = "test-key-id"
    access_key_secret: str = "test-key-secret"
    security_token: Optional[str] = "test-sts-token"
    secrets: Dict[str, str] = field(default_factory=dict)   # name -> text
    failures: List[Tuple[int, str]] = field(default_factory=list)
    reads: List[str] = field(default_factory=list)           # secret names, in order


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
        problem = self._check_signature(method, url.path or "/", query, headers, body)
        if problem:
            return _error(403, problem, "the request signature does not match")
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

    def _check_signature(self, method, path, query, headers, body) -> Optional[str]:
        state = self.state
        auth = headers.get("Authorization", "")
        if not auth.startswith(ALGORITHM + " "):
            return "IncompleteSignature"
        parts = dict(item.split("=", 1) for item in auth[len(ALGORITHM) + 1:].split(","))
        try:
            key_id = parts["Credential"]
            signed = parts["SignedHeaders"].split(";")
            signature = parts["Signature"]
        except KeyError:
            return "IncompleteSignature"
        if key_id != state.access_key_id:
            return "InvalidAccessKeyId.NotFound"
        if state.security_token and headers.get("x-acs-security-token") != state.security_token:
            return "InvalidSecurityToken.Mismatch"
        payload_hash = hashlib.sha256(body).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            return "SignatureDoesNotMatch"
        canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
        canonical_headers = "".join(f"{name}:{(headers.get(name) or '').strip()}\n"
                                    for name in signed)
        canonical = "\n".join([method, path, canonical_query, canonical_headers,
                               ";".join(signed), payload_hash])
        to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(state.access_key_secret.encode(), to_sign.encode(),
                            hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, signature) else "SignatureDoesNotMatch"


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _error(status: int, code: str, message: str):
    return status, {"RequestId": str(uuid.uuid4()), "Code": code, "Message": message,
                    "HostId": "kms.local"}
