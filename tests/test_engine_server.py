"""The offline engine's HTTP server over real sockets: the marketplace contract, hostile
requests (framing, slow clients, images that decode huge, crowds), and a graceful stop."""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from idcard_ocr import errors, handle
from idcard_ocr.engine.admission import ENGINE_BASE_MB, MB, Limits, decode_peak_bytes
from idcard_ocr.engine.contract import API_PATH, ImageHeader
from idcard_ocr.engine.server import EngineServer
from idcard_ocr.errors import PermanentError
from idcard_ocr.io.ocr_api import MarketplaceClient
from tests.conftest import APPCODE, FUNCTION_DIR, ROOT, fc_context, oss_event, upload
from tests.fakes import hostile, images
from tests.fakes.ocr_api import OcrApiServer

pytestmark = pytest.mark.engine

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")
with open(os.path.join(FIXTURES, "truth.json"), encoding="utf-8") as f:
    TRUTH = json.load(f)
OTHER_APPCODE = "second-appcode-fedcba9876543210"


def photo(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def body_for(image: bytes, side: str = "face") -> bytes:
    return json.dumps({"image": b64(image), "configure": json.dumps({"side": side})}).encode()


def post(url, body, appcode=APPCODE, raw=False, timeout=60):
    data = body if raw else json.dumps(body)
    return requests.post(url, data=data, timeout=timeout,
                         headers={"Authorization": f"APPCODE {appcode}",
                                  "Content-Type": "application/json; charset=UTF-8"})


class Running:
    """An EngineServer serving on loopback from a thread, stopped as SIGTERM would."""

    def __init__(self, limits: Limits, appcodes=(APPCODE, OTHER_APPCODE)):
        self.server = EngineServer(("127.0.0.1", 0), appcodes=appcodes, limits=limits)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EngineServer:
        self.thread.start()
        return self.server

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


ROOMY = Limits(memory_mb=ENGINE_BASE_MB + 2048)
# One body and one modest decode: what the hostile tests run against.
TIGHT = Limits(memory_mb=ENGINE_BASE_MB + 160, recognitions=1, idle_timeout_s=1,
               body_timeout_s=2, queue_timeout_s=1, grace_s=5)


@pytest.fixture(scope="module")
def engine_server():
    with Running(ROOMY) as server:
        yield server


@pytest.fixture
def tight():
    with Running(TIGHT) as server:
        yield server


# The contract, checked against the tests' marketplace server too ------------------------------

@pytest.fixture(scope="module", params=["marketplace-contract-server", "offline-engine"])
def api(request, engine_server):
    if request.param == "offline-engine":
        yield engine_server.url
        return
    with OcrApiServer() as server:
        yield server.url


def test_contract_face_new_format(api):
    response = post(api, {"image": b64(photo("face-clean.jpg")),
                          "configure": json.dumps({"side": "face"})})
    assert response.status_code == 200
    answer = response.json()
    assert answer["success"] is True
    assert {"name", "sex", "nationality", "birth", "address", "num", "face_rect",
            "card_region", "config_str"} <= set(answer)


def test_contract_back_old_format(api):
    response = post(api, {"inputs": [{
        "image": {"dataType": 50, "dataValue": b64(photo("back-clean.jpg"))},
        "configure": {"dataType": 50, "dataValue": json.dumps({"side": "back"})}}]})
    assert response.status_code == 200
    answer = json.loads(response.json()["outputs"][0]["outputValue"]["dataValue"])
    assert answer["success"] is True and {"issue", "start_date", "end_date"} <= set(answer)


@pytest.mark.parametrize("body, status", [
    (b"{not json", 460),
    (json.dumps({"configure": "{\"side\": \"face\"}"}).encode(), 461),
    (json.dumps({"image": "aGVsbG8=", "configure": "{\"side\": \"left\"}"}).encode(), 461),
    (json.dumps({"image": "***not base64***", "configure": "{\"side\": \"face\"}"}).encode(), 462),
    (json.dumps({"image": b64(b"%PDF-1.7 not an image"),
                 "configure": "{\"side\": \"face\"}"}).encode(), 462),
    (json.dumps({"image": b64(images.encode(images.card(size=(12, 30)), "PNG")),
                 "configure": "{\"side\": \"face\"}"}).encode(), 421),
])
def test_contract_errors(api, body, status):
    response = post(api, body, raw=True)
    assert response.status_code == status
    assert response.headers["X-Ca-Error-Message"]


@pytest.mark.parametrize("png", [
    hostile.blank_png(20000, 20000, pixels=False),  # past Pillow's own bomb limit
    hostile.blank_png(9000, 300, "L", pixels=False),
    hostile.blank_png(8000, 100, "L", pixels=False),  # ratio 80
    hostile.blank_png(14, 600, "L", pixels=False),
], ids=["20000x20000", "9000x300", "8000x100", "14x600"])
def test_image_sizes_outside_the_documented_range_are_421_from_the_header(tight, png):
    response = post(tight.url, body_for(png), raw=True)
    assert response.status_code == 421
    assert "not supported" in response.headers["X-Ca-Error-Message"]
    assert tight.app.slots.high_water == 0  # decided before any decode


def test_contract_wrong_appcode(api):
    response = post(api, {"image": b64(photo("face-clean.jpg")), "configure": "{}"},
                    appcode="wrong")
    assert response.status_code == 400 and "AppCode" in response.headers["X-Ca-Error-Message"]


def test_contract_too_large(api):
    response = post(api, {"image": "A" * (14 * 1024 * 1024), "configure": "{}"})
    assert response.status_code == 413


def test_the_other_side_is_success_false(engine_server):
    response = post(engine_server.url, {"image": b64(photo("face-clean.jpg")),
                                        "configure": json.dumps({"side": "back"})})
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert json.loads(response.json()["config_str"]) == {"side": "back"}


def test_every_accepted_appcode_and_no_other(engine_server):
    body = body_for(hostile.blank_png(40, 40, "L"))
    assert post(engine_server.url, body, appcode=OTHER_APPCODE, raw=True).status_code == 200
    assert post(engine_server.url, body, appcode=APPCODE, raw=True).status_code == 200
    for code in (APPCODE[:-1], APPCODE + "0", "", OTHER_APPCODE.upper()):
        assert post(engine_server.url, body, appcode=code, raw=True).status_code == 400
    missing = requests.post(engine_server.url, data=body, timeout=30)
    assert missing.status_code == 400 and missing.headers["X-Ca-Error-Message"]


def test_wrong_path_and_method(engine_server):
    base = engine_server.url.rsplit("/rest/", 1)[0]
    assert requests.post(base + "/rest/other.json", data=b"{}", timeout=30).status_code == 404
    response = requests.get(engine_server.url, timeout=30)
    assert response.status_code == 405 and response.headers["X-Ca-Error-Message"]


def test_engine_server_serves_concurrent_requests(engine_server):
    names = ["face-clean.jpg", "back-clean.jpg", "face-rotated.jpg", "back-rotated.jpg"]

    def read(name):
        side = TRUTH[name]["side"]
        answer = post(engine_server.url, {"image": b64(photo(name)),
                                          "configure": json.dumps({"side": side})}).json()
        return {k: answer[k] for k in TRUTH[name]["fields"]}

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(read, names))
    assert answers == [TRUTH[name]["fields"] for name in names]


def test_pipeline_against_the_engine_server_with_auto_side(bucket, env, engine_server):
    items = [upload(bucket, f"idcards/upload-{i}.jpg", photo(name))
             for i, name in enumerate(["face-rotated.jpg", "back-jpeg-noise.jpg"])]
    summary = handle(oss_event(bucket.bucket_name, *items), fc_context(),
                     env | {"OCR_API_URL": engine_server.url})
    assert summary["ok"] == 2
    face = json.loads(bucket.get_object("idcards/upload-0.jpg.json").read())
    back = json.loads(bucket.get_object("idcards/upload-1.jpg.json").read())
    assert face["side"] == "face" and face["fields"] == TRUTH["face-rotated.jpg"]["fields"]
    assert back["side"] == "back" and back["fields"] == TRUTH["back-jpeg-noise.jpg"]["fields"]


# Framing: the body cap holds whatever the headers say -------------------------------------

HUGE = 150 * MB
CHUNK = b"A" * (256 * 1024)


def head(server, **headers):
    return hostile.request_head(server.url, {"Authorization": f"APPCODE {APPCODE}", **headers})


@pytest.mark.parametrize("length", ["-1", "abc", "12abc", "1e9", "0x10", "+5"])
def test_malformed_content_length_is_400_and_the_body_is_not_read(tight, length):
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight, **{"Content-Length": length}))
        status, headers, _ = hostile.read_response(sock)
        assert status == 400
        assert hostile.send_until_refused(sock, CHUNK, HUGE) is not None
    assert tight.app.memory.high_water == 0  # nothing was admitted, let alone buffered


def test_declared_oversized_body_is_413_before_it_is_sent(tight):
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight, **{"Content-Length": str(HUGE)}))
        status, headers, _ = hostile.read_response(sock)
        assert status == 413 and headers["x-ca-error-message"]
        assert headers["connection"] == "close"
        assert hostile.send_until_refused(sock, CHUNK, HUGE) is not None


def test_chunked_oversized_body_is_413_without_reading_it_all(tight):
    chunk = b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n"
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight, **{"Transfer-Encoding": "chunked"}))
        sent = hostile.send_until_refused(sock, chunk, HUGE)
        assert sent is not None and sent < HUGE
    # The same over requests, which reads the answer while it streams.
    response = requests.post(tight.url, data=iter([CHUNK] * 80), timeout=30,
                             headers={"Authorization": f"APPCODE {APPCODE}"})
    assert response.status_code == 413 and response.headers["X-Ca-Error-Message"]


def test_a_body_without_length_is_empty_and_what_follows_is_refused(tight):
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight))
        status, headers, _ = hostile.read_response(sock)
        assert status == 460  # an empty body is no JSON
        assert hostile.send_until_refused(sock, CHUNK, HUGE) is not None


def test_huge_request_heads_are_refused(tight):
    # h11 holds at most 16 KB of an incomplete head (a head complete within one 64 KB read
    # passes): the memory a head can take is bounded either way.
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight, **{"X-Padding": "p" * 200_000, "Content-Length": "2"}))
        status, _, _ = hostile.read_response(sock)
        assert status in (400, 431)
        assert hostile.closed_by_server(sock, 5)


# Slow and idle clients ---------------------------------------------------------------------

def test_slowloris_headers_are_cut_off(tight):
    with hostile.connect(tight.url) as sock:
        sock.sendall(b"POST /rest/160601/ocr/ocr_idcard.json HTTP/1.1\r\n")
        cut = False
        for i in range(100):  # a header line every 0.1 s, for 10 s at most
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % i)
            except OSError:
                cut = True
                break
            time.sleep(0.1)
        assert cut or hostile.closed_by_server(sock, 1)


def test_a_connection_that_sends_nothing_is_closed(tight):
    with hostile.connect(tight.url) as sock:
        assert hostile.closed_by_server(sock, 10)


def test_idle_keep_alive_connections_are_closed(tight):
    with hostile.connect(tight.url) as sock:
        sock.sendall(hostile.request_head(tight.url.rsplit("/rest/", 1)[0] + "/healthz", {},
                                          method="GET"))
        status, _, body = hostile.read_response(sock)
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert hostile.closed_by_server(sock, 10)


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # length 0, type 4, no flags


def test_an_http2_connection_that_only_shook_hands_is_closed(tight):
    """Issue 18, finding 8: a cleartext HTTP/2 connection that sent its preface and SETTINGS
    stayed open (75 s and more); 1,100 of them took every descriptor."""
    with hostile.connect(tight.url) as sock:
        sock.sendall(H2_PREFACE + H2_EMPTY_SETTINGS)
        assert sock.recv(9)[3:4] == b"\x04"  # the server's SETTINGS: it did speak HTTP/2
        assert hostile.closed_by_server(sock, 10)


def test_an_http2_connection_is_served_then_closed_when_idle(tight):
    import h2.config
    import h2.connection
    import h2.events

    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    with hostile.connect(tight.url) as sock:
        sock.sendall(client.data_to_send())
        host = tight.url.split("/")[2]
        client.send_headers(1, [(":method", "GET"), (":path", "/healthz"),
                                (":scheme", "http"), (":authority", host)], end_stream=True)
        sock.sendall(client.data_to_send())
        status, ended = None, False
        while not ended:
            data = sock.recv(65536)
            assert data, "closed before the answer"
            for event in client.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"]
                ended = ended or isinstance(event, h2.events.StreamEnded)
            sock.sendall(client.data_to_send())
        assert status == b"200"
        assert hostile.closed_by_server(sock, 10)


@pytest.mark.parametrize("body, status", [
    (b"[" * 200_000 + b"]" * 200_000, 460),
    (json.dumps({"image": "aGk=", "configure": "[" * 200_000 + "]" * 200_000}).encode(), 461),
    (b'{"image": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001, 460),
], ids=["deep-body", "deep-configure", "deep-object"])
def test_deeply_nested_json_is_a_4xx_not_500(tight, body, status):
    """Issue 18, finding 9: a 200,000-deep JSON body got 500 (RecursionError)."""
    response = post(tight.url, body, raw=True)
    assert response.status_code == status and response.headers["X-Ca-Error-Message"]


def test_a_body_that_stops_coming_is_408(tight):
    with hostile.connect(tight.url) as sock:
        sock.sendall(head(tight, **{"Content-Length": "1000"}) + b'{"image": "')
        status, headers, _ = hostile.read_response(sock)
        assert status == 408 and headers["x-ca-error-message"]


def test_500_slow_connections_do_not_keep_others_out(tight):
    slow = []
    try:
        for _ in range(500):
            sock = hostile.connect(tight.url)
            sock.sendall(b"POST / HTTP/1.1\r\n")
            slow.append(sock)
        for _ in range(3):
            response = post(tight.url, body_for(hostile.blank_png(40, 40, "L")), raw=True,
                            timeout=30)
            assert response.status_code == 200
        threads = len(os.listdir(f"/proc/{os.getpid()}/task"))
        assert threads < 100  # connections cost no thread
    finally:
        for sock in slow:
            sock.close()


# Images that decode huge, and crowds --------------------------------------------------------

def test_255_kb_png_that_decodes_to_256_mb_is_413_without_decoding(tight):
    png = hostile.blank_png(8192, 8192, "RGBA")
    assert len(png) < 300 * 1024
    response = post(tight.url, body_for(png), raw=True)
    assert response.status_code == 413
    assert "decodes to 256 MB" in response.headers["X-Ca-Error-Message"]
    # Refused from the header: no recognition slot was ever taken.
    assert tight.app.slots.high_water == 0


def test_many_big_decodes_at_once_stay_within_the_budget():
    # Room for one 4096 x 4096 RGBA decode (192 MB at its peak) and not two.
    png = hostile.blank_png(4096, 4096, "RGBA")
    peak = decode_peak_bytes(ImageHeader("PNG", 4096, 4096, "RGBA"))
    limits = Limits(memory_mb=ENGINE_BASE_MB + 260, recognitions=2, queue_timeout_s=0.3)
    with Running(limits) as server:
        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(  # distinct bytes: the engine caches by content
                lambda n: post(server.url, body_for(hostile.variant(png, n)), raw=True),
                range(6)))
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {200, 429} and 200 in statuses and 429 in statuses, statuses
        assert all(r.headers["Retry-After"] for r in responses if r.status_code == 429)
        memory = server.app.memory
        assert memory.high_water <= memory.capacity < 2 * peak
        assert memory.used == 0 and server.app.slots.used == 0  # all given back


# Processes: the command, SIGTERM, workers ---------------------------------------------------

def start_serving(*args, env=None):
    """`idcard-ocr serve` on a free port; AppCodes from --appcode unless env names them."""
    codes = [] if env and "ENGINE_APPCODES" in env else ["--appcode", APPCODE]
    command = [sys.executable, "-m", "idcard_ocr", "serve", "--port", "0", *codes, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=FUNCTION_DIR, env={**os.environ, **(env or {})})
    return process


def wait_listening(process, workers=1):
    """The URL, once `workers` processes have said they listen, and their process ids."""
    url, pids = "", []
    while len(pids) < workers:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        if "listening on" in line:
            url = line.rsplit(" ", 1)[1].strip()
            pids.append(int(line.split("(pid ")[1].split(")")[0]))
    return url, pids


def health(url):
    return requests.get(url.rsplit("/rest/", 1)[0] + "/healthz", timeout=10)


def test_sigterm_finishes_requests_in_flight_then_exits_0():
    process = start_serving("--memory-mb", str(ENGINE_BASE_MB + 1024), "--grace", "60")
    try:
        url, _ = wait_listening(process)
        png = hostile.blank_png(6000, 6000, "RGBA")  # seconds of decoding
        with ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(post, url, body_for(png), APPCODE, True, 120)
            for _ in range(600):
                if health(url).json()["recognitions"]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the request never started")
            process.send_signal(signal.SIGTERM)
            assert in_flight.result().status_code == 200
        assert process.wait(60) == 0
        with pytest.raises(requests.ConnectionError):
            health(url)
    finally:
        process.kill()
        process.wait()


def test_a_workers_readiness_line_is_written_whole_in_one_write(monkeypatch):
    # Workers announce on one pipe at about the same moment. Unbuffered (PYTHONUNBUFFERED, as
    # this machine sets it), print wrote the line and its newline apart, and two workers'
    # lines merged into one: a waiter counted one worker and waited for the other forever (the
    # test below hung so under xdist, its workers idle).
    from types import SimpleNamespace

    from idcard_ocr.engine.server import announce

    writes = []
    monkeypatch.setattr(sys, "stdout", SimpleNamespace(write=writes.append, flush=lambda: None))
    announce(SimpleNamespace(url="http://127.0.0.1:8080" + API_PATH))
    assert len(writes) == 1 and writes[0].endswith(API_PATH + "\n")
    assert writes[0].count("listening on") == 1


def test_two_workers_serve_a_dead_one_is_replaced_and_sigterm_stops_all():
    process = start_serving("--workers", "2", "--memory-mb", str(2 * (ENGINE_BASE_MB + 256)),
                            env={"ENGINE_APPCODES": f"{OTHER_APPCODE},{APPCODE}"})
    body = {"image": b64(photo("back-clean.jpg")), "configure": json.dumps({"side": "back"})}
    try:
        url, pids = wait_listening(process, workers=2)
        assert len(set(pids)) == 2 and process.pid not in pids
        response = post(url, body)
        assert response.status_code == 200 and response.json()["success"] is True
        assert post(url, body, appcode="wrong").status_code == 400
        os.kill(pids[0], signal.SIGKILL)
        _, replacement = wait_listening(process)
        assert replacement[0] not in pids
        for _ in range(4):  # whichever worker takes them
            assert post(url, body).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        process.kill()
        process.wait()


def test_a_budget_too_small_is_refused_at_start():
    process = start_serving("--memory-mb", "500")
    assert process.wait(60) == 2
    assert "too small" in process.stderr.read()


def test_limits_follow_the_machine_and_the_environment():
    assert Limits.from_env({"ENGINE_MEMORY_MB": "3000"}).memory_mb == 3000
    derived = Limits.from_env({"FC_FUNCTION_MEMORY_SIZE": "4096"})
    assert derived.memory_mb == 4096 * 4 // 5
    assert Limits.from_env({"ENGINE_MEMORY_MB": "3000"}, memory_mb=5000).memory_mb == 5000
    with pytest.raises(ValueError):
        Limits.from_env({"ENGINE_MEMORY_MB": "lots"})
    small = Limits(memory_mb=ENGINE_BASE_MB + 300)
    assert small.max_decoded_bytes == small.pool_bytes // 3 < 256 * MB
    assert Limits(memory_mb=16000).max_decoded_bytes == 256 * MB
    assert Limits(memory_mb=16000, workers=4).pool_bytes == (4000 - ENGINE_BASE_MB) * MB


def test_in_function_compute_the_engine_refuses_to_serve_without_an_appcode():
    # FC sets FC_FUNCTION_NAME (aliyun-facts.md, system environment variables); an
    # ENGINE_APPCODES left empty by a deployment served anyone on the engine's public URL.
    process = subprocess.run([sys.executable, "-m", "idcard_ocr", "serve", "--port", "0"],
                             cwd=FUNCTION_DIR, capture_output=True, text=True, timeout=60,
                             env={**os.environ, "FC_FUNCTION_NAME": "idcard-ocr-engine",
                                  "ENGINE_APPCODES": ""})
    assert process.returncode == 2, process.stdout
    assert "ENGINE_APPCODES is empty" in process.stderr and "Traceback" not in process.stderr


def test_a_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = subprocess.run([sys.executable, "-m", "idcard_ocr", "serve", "--port",
                                  str(port), "--memory-mb", "2048"], cwd=FUNCTION_DIR,
                                 capture_output=True, text=True, timeout=60)
    assert process.returncode == 2
    assert "Address already in use" in process.stderr and "Traceback" not in process.stderr


def test_a_side_found_with_none_of_its_fields_read_is_the_apis_unreadable_status():
    """The engine may find a side and read none of its fields (seen on backs turned a quarter
    of a card nobody here drew). A 200 with empty fields is a bad answer to the caller; the
    server answers 464, which MarketplaceClient maps to recognition_failed (errors.py)."""
    empty = {"success": True, "issue": "", "start_date": "", "end_date": "",
             "sides_found": ["back"], "engine": "idcard-ocr offline"}
    server = EngineServer(("127.0.0.1", 0), appcodes=(APPCODE,), limits=ROOMY,
                          recognize=lambda image, side: dict(empty))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = post(server.url, {"image": b64(photo("face-clean.jpg")),
                                     "configure": json.dumps({"side": "back"})})
        assert response.status_code == 464
        assert "read none of its fields" in response.headers["X-Ca-Error-Message"]
        client = MarketplaceClient(server.url, APPCODE)
        with pytest.raises(PermanentError) as raised:
            client.recognize(photo("face-clean.jpg"), "back")
        assert raised.value.code == errors.RECOGNITION_FAILED
    finally:
        server.shutdown()
        server.server_close()
