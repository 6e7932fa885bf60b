"""The offline engine: fields from real pixels, its server's contract, the CLI, in-process use."""

import base64
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from idcard_ocr import handle
from idcard_ocr.card import idnumber
from idcard_ocr.ops.cli import main as cli
from idcard_ocr.engine import recognize
from idcard_ocr.engine.server import EngineServer
from tests.conftest import APPCODE, ROOT, fc_context, oss_event, upload
from tests.fakes import images
from tests.fakes.ocr_api import OcrApiServer

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")
with open(os.path.join(FIXTURES, "truth.json"), encoding="utf-8") as f:
    TRUTH = json.load(f)


def photo(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def engine_server():
    server = EngineServer(("127.0.0.1", 0), appcodes=(APPCODE,))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_reads_every_sample_photo(name):
    truth = TRUTH[name]
    answer = recognize(photo(name), truth["side"])
    assert answer["success"] is True
    assert {k: answer[k] for k in truth["fields"]} == truth["fields"], truth["distortion"]
    if truth["side"] == "face":
        assert answer["num_valid"] is True
        xs = [p["x"] for p in answer["card_region"]]
        ys = [p["y"] for p in answer["card_region"]]
        centre = answer["face_rect"]["center"]
        assert min(xs) < centre["x"] < max(xs) and min(ys) < centre["y"] < max(ys)


def test_card_region_fits_the_card_in_an_upright_clean_photo():
    # face-clean.jpg is the 856 x 540 card pasted at (40, 40) on a plain background.
    region = recognize(photo("face-clean.jpg"), "face")["card_region"]
    expected = [(40, 40), (40, 580), (896, 580), (896, 40)]  # TL, BL, BR, TR
    for point, (x, y) in zip(region, expected):
        assert abs(point["x"] - x) < 30 and abs(point["y"] - y) < 30


def test_the_other_side_is_not_claimed():
    assert recognize(photo("face-clean.jpg"), "back")["success"] is False
    assert recognize(photo("back-clean.jpg"), "face")["success"] is False


def test_a_picture_without_a_card_is_no_card():
    data = images.card_jpeg()  # bars and boxes, no text
    assert recognize(data, "face")["success"] is False
    assert recognize(data, "back")["success"] is False


# Citizen numbers -----------------------------------------------------------------------------

def test_number_letters_are_repaired_when_unambiguous():
    assert idnumber.repair("33O11O199OO3O72313", "19900307", "男") == "330110199003072313"
    assert idnumber.repair("3301101990030723l3") == "330110199003072313"
    wrong_check = idnumber.repair("33011019900307231x")
    assert wrong_check == "33011019900307231X" and not idnumber.is_valid(wrong_check)


def test_birth_digit_is_repaired_only_with_the_printed_birth_date():
    assert idnumber.repair("330110199008072313", "19900307", "男") == "330110199003072313"
    assert idnumber.repair("330110199008072313") == "330110199008072313"


def test_a_misread_digit_is_never_turned_into_a_valid_wrong_number():
    import random
    rng = random.Random(7)
    for _ in range(400):
        first17 = "".join(rng.choice("0123456789") for _ in range(6)) + "19850612" + \
            "".join(rng.choice("0123456789") for _ in range(3))
        truth = first17 + idnumber.check_char(first17)
        pos = rng.choice([p for p in range(18) if not 6 <= p < 14])
        wrong = rng.choice([d for d in "0123456789" if d != truth[pos]])
        misread = truth[:pos] + wrong + truth[pos + 1:]
        repaired = idnumber.repair(misread, "19850612", idnumber.sex(truth))
        assert repaired == truth or not idnumber.is_valid(repaired)


# The server's contract, checked against the tests' marketplace server too ---------------------

@pytest.fixture(scope="module", params=["marketplace-contract-server", "offline-engine"])
def api(request, engine_server):
    if request.param == "offline-engine":
        yield engine_server.url
        return
    with OcrApiServer() as server:
        yield server.url


def post(url, body, appcode=APPCODE, raw=False):
    data = body if raw else json.dumps(body)
    return requests.post(url, data=data, timeout=60,
                         headers={"Authorization": f"APPCODE {appcode}",
                                  "Content-Type": "application/json; charset=UTF-8"})


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


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


def test_contract_wrong_appcode(api):
    response = post(api, {"image": b64(photo("face-clean.jpg")), "configure": "{}"},
                    appcode="wrong")
    assert response.status_code == 400 and "AppCode" in response.headers["X-Ca-Error-Message"]


def test_contract_too_large(api):
    response = post(api, {"image": "A" * (14 * 1024 * 1024), "configure": "{}"})
    assert response.status_code == 413


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


# The pipeline on the engine ------------------------------------------------------------------

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


def test_pipeline_with_the_engine_in_process(bucket, env, ocr_api):
    item = upload(bucket, "idcards/inproc-face.jpg", photo("face-upside-down.jpg"))
    settings = {k: v for k, v in env.items() if k not in ("OCR_APPCODE", "OCR_API_URL")}
    handle(oss_event(bucket.bucket_name, item), fc_context(), settings | {"OCR_ENGINE": "local"})
    doc = json.loads(bucket.get_object("idcards/inproc-face.jpg.json").read())
    assert doc["fields"] == TRUTH["face-upside-down.jpg"]["fields"]
    assert ocr_api.requests == []


# The CLI -------------------------------------------------------------------------------------

def test_scan_prints_masked_fields(capsys):
    assert cli(["scan", os.path.join(FIXTURES, "face-clean.jpg"),
                os.path.join(FIXTURES, "back-clean.jpg")]) == 0
    out = capsys.readouterr().out
    truth = TRUTH["face-clean.jpg"]["fields"]
    assert truth["num"] not in out and truth["name"] not in out
    assert truth["num"][:4] + "*" * 10 + truth["num"][-4:] in out
    assert TRUTH["back-clean.jpg"]["fields"]["issue"] in out


def test_scan_json_full(capsys):
    assert cli(["scan", "--json", "--full", "--side", "face",
                os.path.join(FIXTURES, "face-sideways.jpg")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["side"] == "face" and doc["num"] == TRUTH["face-sideways.jpg"]["fields"]["num"]


def test_scan_reports_what_is_not_a_card(tmp_path, capsys):
    path = tmp_path / "bars.jpg"
    path.write_bytes(images.card_jpeg())
    assert cli(["scan", str(path)]) == 1
    assert "not an ID card" in capsys.readouterr().out


def test_full_width_digits_are_made_ascii():
    full = "３３０１１０１９９００３０７２３１３"
    assert idnumber.repair(full) == "330110199003072313"
    assert not idnumber.is_valid(full)
