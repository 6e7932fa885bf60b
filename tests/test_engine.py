"""The offline engine: fields from real pixels, the CLI, in-process use (the server:
test_engine_server.py)."""

import json
import os

import pytest

from idcard_ocr import handle
from idcard_ocr.card import idnumber
from idcard_ocr.ops.cli import main as cli
from idcard_ocr.engine import recognize
from tests.conftest import ROOT, fc_context, oss_event, upload
from tests.fakes import images

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")
with open(os.path.join(FIXTURES, "truth.json"), encoding="utf-8") as f:
    TRUTH = json.load(f)


def photo(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


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


# The pipeline on the engine (its HTTP server: tests/test_engine_server.py) -----------------

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
