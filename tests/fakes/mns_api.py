"""A local HTTP server for the two MNS calls the function makes, built to the documented API.

SendMessage: POST /queues/<name>/messages; PublishMessage: POST /topics/<name>/messages; XML
bodies in the http://mns.aliyuncs.com/doc/v1/ namespace, 201 with MessageId/MessageBodyMD5,
errors as <Error><Code/><Message/><RequestId/><HostId/></Error>. It verifies the MNS signature
(HMAC-SHA1 over method, Content-MD5, Content-Type, Date, x-mns-* headers and resource),
requires x-mns-version and, when configured, the security-token header.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple
from xml.etree import ElementTree

from tests.fakes.loopback import GatewayHandler, LoopbackServer

NS = "http://mns.aliyuncs.com/doc/v1/"
MAX_BODY = 64 * 1024


@dataclass
class ReceivedMessage:
    kind: str            # queue | topic
    name: str
    raw_body: str        # MessageBody as it travelled
    headers: dict

    @property
    def text(self) -> str:
        """The body as the sender meant it: queue bodies are Base64 from the SDK by default."""
        if self.kind == "queue":
            try:
                return base64.b64decode(self.raw_body, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                pass
        return self.raw_body

    @property
    def json(self) -> dict:
        return json.loads(self.text)


@dataclass
class MnsState:
    access_key_id: str = "test-key-id"
    access_key_secret: str = "test-key-secret"
    security_token: Optional[str] = "test-sts-token"
    queues: Tuple[str, ...] = ("idcard-results",)
    topics: Tuple[str, ...] = ("idcard-results-topic",)
    failures: List[Tuple[int, str]] = field(default_factory=list)
    messages: List[ReceivedMessage] = field(default_factory=list)
    attempts: int = 0
    delay_s: float = 0.0
    on_message: Optional[Callable[[ReceivedMessage], None]] = None


class MnsServer(LoopbackServer):
    state_class = MnsState

    @property
    def messages(self) -> List[ReceivedMessage]:
        with self._lock:
            return list(self.state.messages)

    def _handler_class(self):
        server = self

        class Handler(GatewayHandler):

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                status, payload = server._answer(self.command, self.path, self.headers, body)
                if server.state.delay_s:
                    time.sleep(server.state.delay_s)
                data = payload.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/xml;charset=utf-8")
                self.send_header("x-mns-request-id", uuid.uuid4().hex[:24].upper())
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _answer(self, method: str, path: str, headers, body: str):
        state = self.state
        with self._lock:
            state.attempts += 1
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] not in ("queues", "topics") or parts[2] != "messages":
            return _error(404, "InvalidArgument", f"unknown resource {path}")
        kind, name = ("queue" if parts[0] == "queues" else "topic"), parts[1]
        problem = self._check_auth(method, path, headers, body)
        if problem:
            return _error(403, *problem)
        with self._lock:
            failure = state.failures.pop(0) if state.failures else None
        if failure:
            return _error(failure[0], failure[1], "scripted failure")
        known = state.queues if kind == "queue" else state.topics
        if name not in known:
            return _error(404, "QueueNotExist" if kind == "queue" else "TopicNotExist",
                          f"The {kind} name you provided is not exist.")
        try:
            root = ElementTree.fromstring(body)
            message_body = root.find(f"{{{NS}}}MessageBody").text or ""
        except (ElementTree.ParseError, AttributeError):
            return _error(400, "InvalidArgument", "The XML you provided was not well-formed")
        if len(message_body.encode("utf-8")) > MAX_BODY:
            return _error(400, "MessageBodyTooLong", "over 64 KB")
        message = ReceivedMessage(kind, name, message_body, dict(headers))
        if state.on_message:
            state.on_message(message)
        with self._lock:
            state.messages.append(message)
        md5 = hashlib.md5(message_body.encode("utf-8")).hexdigest().upper()
        return 201, (f'<?xml version="1.0" encoding="UTF-8"?><Message xmlns="{NS}">'
                     f"<MessageId>{uuid.uuid4().hex.upper()}</MessageId>"
                     f"<MessageBodyMD5>{md5}</MessageBodyMD5></Message>")

    def _check_auth(self, method, path, headers, body) -> Optional[Tuple[str, str]]:
        state = self.state
        if not headers.get("x-mns-version"):
            return "InvalidArgument", "x-mns-version is missing"
        auth = headers.get("Authorization", "")
        if not auth.startswith("MNS ") or ":" not in auth:
            return "AccessDenied", "no MNS authorization"
        key_id, signature = auth[4:].split(":", 1)
        if key_id != state.access_key_id:
            return "InvalidAccessKeyId", "unknown access key"
        mns_headers = "".join(f"{k.lower()}:{v}\n" for k, v in
                              sorted((k.lower(), v) for k, v in headers.items()
                                     if k.lower().startswith("x-mns-")))
        to_sign = (f"{method}\n{headers.get('content-md5', '')}\n"
                   f"{headers.get('content-type', '')}\n{headers.get('date', '')}\n"
                   f"{mns_headers}{path}")
        expected = base64.b64encode(hmac.new(state.access_key_secret.encode(), to_sign.encode(),
                                             hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, signature):
            return "SignatureDoesNotMatch", "signature mismatch"
        if state.security_token and headers.get("security-token") != state.security_token:
            return "AccessDenied", "security token missing or wrong"
        return None


def _error(status: int, code: str, message: str):
    return status, (f'<?xml version="1.0" encoding="UTF-8"?><Error xmlns="{NS}">'
                    f"<Code>{code}</Code><Message>{message}</Message>"
                    f"<RequestId>{uuid.uuid4().hex[:24].upper()}</RequestId>"
                    f"<HostId>http://127.0.0.1</HostId></Error>")
