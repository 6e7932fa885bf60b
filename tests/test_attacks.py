"""Availability, money and secrets under attack (issue 18): redirects of the OCR API, weak
signing keys, large PNGs within the memory budget."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from idcard_ocr import errors
from idcard_ocr.errors import PermanentError
from idcard_ocr.io.ocr_api import MarketplaceClient
from tests.conftest import APPCODE
from tests.fakes import images


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with the server's `status` and `location`, and records it."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.posts.append((self.path, self.rfile.read(length)))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


def _serve(status: int, location: str = ""):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.status, server.location, server.posts = status, location, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_and_is_a_named_permanent_error(status):
    """Finding 10: a 307 re-posted the photo to another host; a 302 was retried."""
    elsewhere = _serve(200)
    api = _serve(status, f"http://127.0.0.1:{elsewhere.server_address[1]}/steal")
    try:
        client = MarketplaceClient(f"http://127.0.0.1:{api.server_address[1]}/ocr", APPCODE,
                                   timeout_s=2.0, max_attempts=3, sleep=lambda s: None)
        with pytest.raises(PermanentError) as raised:
            client.recognize(images.card_jpeg(), "face")
        assert raised.value.code == errors.API_REDIRECTED and raised.value.status == status
        assert "OCR_API_URL" in raised.value.message
        assert len(api.posts) == 1 and elsewhere.posts == []  # one paid call, nothing re-posted
    finally:
        for server in (api, elsewhere):
            server.shutdown()
            server.server_close()
