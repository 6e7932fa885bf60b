"""moto's S3 server, pinned to S3, as the object store oss2 talks to in tests, demo and bench.

oss2 signs requests as `Authorization: OSS <key>:<base64 signature>`. moto guesses the service
from a SigV4 credential scope in that header, and whenever the signature happens to contain
exactly four '/' it reads a made-up service name and answers 500 (about one request in a few
hundred). Only S3 is served here, so the guess is skipped.
"""

import logging
import threading
from urllib.parse import unquote

from moto.moto_server import werkzeug_app
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from tests.fakes.holds import Hold

# Newer moto serves through its own request handler; the moto releases for Python 3.9 do not.
_HANDLER = {"request_handler": werkzeug_app.MotoRequestHandler} \
    if hasattr(werkzeug_app, "MotoRequestHandler") else {}


class _S3Only(DomainDispatcherApplication):
    def infer_service_region_host(self, environ, path):
        return "s3.us-east-1.amazonaws.com"


_S3_NAMESPACE = b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


_FILE_EXISTS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>FileAlreadyExists</Code>'
                b'<Message>The object you specified already exists and can not be overwritten.'
                b'</Message></Error>')


class _AsOss:
    """What OSS does and moto (S3) does not, for oss2's sake (and scripted failures for tests):
    - listings as OSS writes them: no S3 XML namespace, a <Type> in every <Contents>;
    - user metadata: `x-oss-meta-*` headers stored and returned (moto keeps `x-amz-meta-*`);
    - `x-oss-forbid-overwrite: true` as S3's `If-None-Match: *`, and its 412 as OSS's
      409 FileAlreadyExists (aliyun-facts.md, "OSS conditional writes")."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.failures = []   # [method, path fragment, status, code, times left]
        self.requests = []   # (method, path, query) of every request
        self.holds = []      # [method, path fragment, Hold]: answered, then held

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", ""), unquote(environ.get("PATH_INFO", ""))
        with self.lock:
            self.requests.append((method, path, environ.get("QUERY_STRING", "")))
            failure = next((f for f in self.failures if f[0] == method and _matches(f[1], path)),
                           None)
            if failure is not None:
                failure[4] -= 1
                if failure[4] <= 0:
                    self.failures.remove(failure)
        if failure is not None:
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{failure[3]}</Code>'
                    f'<Message>scripted</Message></Error>').encode()
            start_response(f"{failure[2]} Scripted", [("Content-Type", "application/xml"),
                                                      ("Content-Length", str(len(body)))])
            return [body] if method != "HEAD" else [b""]
        for name in [n for n in environ if n.startswith("HTTP_X_OSS_META_")]:
            environ["HTTP_X_AMZ_META_" + name[len("HTTP_X_OSS_META_"):]] = environ[name]
        forbid = environ.get("HTTP_X_OSS_FORBID_OVERWRITE", "").lower() == "true" \
            and environ.get("REQUEST_METHOD") == "PUT"
        if forbid:
            environ["HTTP_IF_NONE_MATCH"] = "*"
        body = b"".join(self.app(environ, _capture := _Capture(start_response)))
        status, headers = _capture.status, list(_capture.headers)
        with self.lock:
            held = next((h for h in self.holds if h[0] == method and _matches(h[1], path)), None)
            if held is not None:
                self.holds.remove(held)
        if held is not None:
            held[2].block()  # the answer is made: the client gets what was true back then
        if forbid and status.startswith("412"):
            status, body = "409 Conflict", _FILE_EXISTS
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            headers.append(("Content-Type", "application/xml"))
        if b"<ListBucketResult" in body[:300]:
            body = body.replace(_S3_NAMESPACE, b"", 1)
            if b"<Type>" not in body:
                body = body.replace(b"</Contents>", b"<Type>Normal</Type></Contents>")
        headers += [("x-oss-meta-" + k[len("x-amz-meta-"):], v) for k, v in headers
                    if k.lower().startswith("x-amz-meta-")]
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v)
                   for k, v in headers]
        start_response(status, headers)
        return [body]


def _matches(fragment: str, path: str) -> bool:
    """A fragment ending in '$' matches the end of the path; any other, any part of it."""
    return path.endswith(fragment[:-1]) if fragment.endswith("$") else fragment in path


class _Capture:
    def __init__(self, start_response):
        self.start_response, self.status, self.headers = start_response, None, []

    def __call__(self, status, headers, exc_info=None):
        self.status, self.headers = status, headers
        return lambda data: None


class LocalOssServer(ThreadedMotoServer):
    def __init__(self, ip_address: str = "127.0.0.1", port: int = 0):
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.app = _AsOss(_S3Only(create_backend_app))

    def fail_next(self, method: str, path_fragment: str, status: int, code: str = "",
                  times: int = 1) -> None:
        """Answer the next `times` `method` requests whose path holds `path_fragment` (or ends
        with it, when it ends in '$') with an OSS error (e.g. 503 ServiceUnavailable)."""
        with self.app.lock:
            self.app.failures.append([method, path_fragment, status, code, times])

    def hold_next(self, method: str, path_fragment: str) -> Hold:
        """Hold the answer to the next `method` request whose path matches (as in fail_next)
        until the test releases it: the client then gets what was true when it asked."""
        hold = Hold()
        with self.app.lock:
            self.app.holds.append([method, path_fragment, hold])
        return hold

    def clear_failures(self) -> None:
        with self.app.lock:
            self.app.failures.clear()
            for _, _, hold in self.app.holds:
                hold.release()
            self.app.holds.clear()

    def requests_for(self, bucket: str):
        """(method, path, query) of every request made so far to `bucket`."""
        with self.app.lock:
            return [r for r in self.app.requests if r[1].startswith(f"/{bucket}")]

    def _server_entry(self) -> None:
        self._server = make_server(self._ip_address, self._port, self.app, True, **_HANDLER)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"
