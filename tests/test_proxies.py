"""The function's HTTP clients ignore proxy settings in the environment (docs/security.md,
"Proxies"): an HTTP_PROXY or HTTPS_PROXY set on the function would otherwise see requests
that carry the AppCode, and photos of ID cards."""

import pytest

from idcard_ocr.io.oss import Credentials, ObjectStore
from idcard_ocr.io.ocr_api import MarketplaceClient
from tests.conftest import APPCODE, loopback_server
from tests.fakes import images


@pytest.fixture
def proxy(monkeypatch):
    """A proxy on loopback that the environment names for every scheme; it records what
    reaches it and answers nothing useful."""
    seen = []

    def answer(connection):
        seen.append(connection.recv(65536))
        connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    with loopback_server(answer) as url:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield seen


def test_the_ocr_client_does_not_send_the_appcode_through_a_proxy_from_the_environment(
        ocr_api, proxy):
    client = MarketplaceClient(ocr_api.url, APPCODE, timeout_s=2.0, max_attempts=1)
    assert client.recognize(images.card_jpeg(), "face").answer["success"] is True
    assert proxy == []


def test_photos_go_to_oss_without_a_proxy_from_the_environment(s3_endpoint, bucket, proxy):
    store = ObjectStore.connect(s3_endpoint, bucket.bucket_name, Credentials("test", "test"))
    store.write("incoming/a.jpg", b"photo", "image/jpeg")
    assert store.read("incoming/a.jpg", 100).data == b"photo"
    assert proxy == []
