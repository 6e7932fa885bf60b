"""moto's S3 server, pinned to S3, as the object store oss2 talks to in tests, demo and bench.

oss2 signs requests as `Authorization: OSS <key>:<base64 signature>`. moto guesses the service
from a SigV4 credential scope in that header, and whenever the signature happens to contain
exactly four '/' it reads a made-up service name and answers 500 (about one request in a few
hundred). Only S3 is served here, so the guess is skipped.
"""

import logging

from moto.moto_server import werkzeug_app
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

# Newer moto serves through its own request handler; the moto releases for Python 3.9 do not.
_HANDLER = {"request_handler": werkzeug_app.MotoRequestHandler} \
    if hasattr(werkzeug_app, "MotoRequestHandler") else {}


class _S3Only(DomainDispatcherApplication):
    def infer_service_region_host(self, environ, path):
        return "s3.us-east-1.amazonaws.com"


_S3_NAMESPACE = b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


class _AsOss:
    """Listings as OSS writes them, which oss2's parser requires: no S3 XML namespace, and a
    <Type> (Normal, Appendable, Multipart) in every <Contents>. moto writes S3's form."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        body = b"".join(self.app(environ, _capture := _Capture(start_response)))
        if b"<ListBucketResult" in body[:300]:
            body = body.replace(_S3_NAMESPACE, b"", 1)
            if b"<Type>" not in body:
                body = body.replace(b"</Contents>", b"<Type>Normal</Type></Contents>")
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v)
                   for k, v in _capture.headers]
        start_response(_capture.status, headers)
        return [body]


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

    def _server_entry(self) -> None:
        self._server = make_server(self._ip_address, self._port,
                                   _AsOss(_S3Only(create_backend_app)), True, **_HANDLER)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"
