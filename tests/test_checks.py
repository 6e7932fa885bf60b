"""Trust signals: each check passing and failing, and every ok result carrying them."""

import json
from datetime import date

import pytest

from idcard_ocr import handle
from idcard_ocr.card.checks import back_checks, face_checks, region_of, summary
from tests.conftest import fc_context, oss_event, upload
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE

GOOD = dict(FACE)  # 330110199003072313: 浙江省杭州市余杭区, 1990-03-07, male


def with_check_char(first17: str) -> str:
    from idcard_ocr.card.idnumber import check_char
    return first17 + check_char(first17)


def test_a_sound_card_passes_every_check():
    checks = face_checks(GOOD)
    assert all(c["ok"] for c in checks.values()) and summary(checks)
    assert checks["region_known"]["reason"].endswith("浙江省杭州市余杭区")


@pytest.mark.parametrize("change, failing, words", [
    ({"num": "330110199003072318"}, "number_format", "check character"),
    ({"num": "33011019900307231"}, "number_format", "18 characters"),
    ({"num": "330110199013072313"}, "number_format", "birth date"),
    ({"birth": "19900308"}, "birth_matches_number", "differs"),
    ({"sex": "女"}, "sex_matches_number", "sequence digit"),
    ({"num": with_check_char("99011019900307231")}, "region_known", "not in GB/T 2260"),
])
def test_each_face_check_fails_on_its_own(change, failing, words):
    checks = face_checks(dict(GOOD, **change))
    assert not checks[failing]["ok"] and words in checks[failing]["reason"]
    assert not summary(checks)
    if failing in ("birth_matches_number", "sex_matches_number", "region_known"):
        assert checks["number_format"]["ok"]


def test_region_codes_are_judged_in_the_birth_year():
    # 110103 (崇文区) was merged into 东城区 in 2010: valid for a 1980 number, still known later.
    assert region_of("110103", "1980") == ("北京市", "", "崇文区")
    assert region_of("999999", "1980") is None


def test_address_in_another_province_is_informational():
    checks = face_checks(dict(GOOD, address="上海市徐汇区漕溪北路1号"))
    assert not checks["address_province"]["ok"] and checks["address_province"]["informational"]
    assert "上海市" in checks["address_province"]["reason"] and summary(checks)
    assert face_checks(dict(GOOD, address="杭州市余杭区"))["address_province"]["ok"]


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("fields, birth, ok_length, expired", [
    ({"start_date": "20150610", "end_date": "20350610"}, None, True, False),
    ({"start_date": "20050610", "end_date": "20150610"}, None, True, True),
    ({"start_date": "20200101", "end_date": "长期"}, None, True, False),
    ({"start_date": "20200101", "end_date": "20270101"}, None, False, False),   # 7 years
    ({"start_date": "20200101", "end_date": "20300102"}, None, False, False),   # not to the day
    ({"start_date": "20150610", "end_date": "20250610"}, "19900307", True, True),  # 25: 10 y
    ({"start_date": "20150610", "end_date": "20350610"}, "19990307", False, False),  # 16: 10 y
    ({"start_date": "20150610", "end_date": "长期"}, "19600307", True, False),  # 55: long-term
])
def test_validity_period(fields, birth, ok_length, expired):
    checks = back_checks(fields, TODAY, birth)
    assert checks["validity_format"]["ok"]
    assert checks["validity_length"]["ok"] == ok_length
    assert checks["not_expired"]["expired"] == expired and checks["not_expired"]["informational"]
    assert summary(checks) == ok_length  # an expired card is information, not a failure


@pytest.mark.parametrize("fields", [{"start_date": "2015061", "end_date": "20350610"},
                                    {"start_date": "20150610", "end_date": "20140610"},
                                    {"start_date": "20150610", "end_date": "永久"},
                                    {"start_date": "", "end_date": ""}])
def test_malformed_validity(fields):
    checks = back_checks(fields, TODAY)
    assert not checks["validity_format"]["ok"] and not summary(checks)


def test_every_ok_result_carries_checks(bucket, env, ocr_api):
    face = upload(bucket, "idcards/a-face.jpg", images.card_jpeg())
    back = upload(bucket, "idcards/a-back.jpg", images.card_jpeg(side="back"))
    handle(oss_event(bucket.bucket_name, face, back), fc_context(), env)
    for key, expected in (("idcards/a-face.jpg.json", {"number_format", "birth_matches_number",
                                                       "sex_matches_number", "region_known",
                                                       "address_province"}),
                          ("idcards/a-back.jpg.json", {"validity_format", "validity_length",
                                                       "not_expired"})):
        doc = json.loads(bucket.get_object(key).read())
        assert set(doc["checks"]) == expected and doc["checks_passed"] is True


def test_a_misread_number_fails_the_checks_in_the_result(bucket, env, ocr_api):
    ocr_api.state.face = dict(FACE, num="330110199003072318")
    handle(oss_event(bucket.bucket_name, upload(bucket, "idcards/b-face.jpg",
                                                images.card_jpeg())), fc_context(), env)
    doc = json.loads(bucket.get_object("idcards/b-face.jpg.json").read())
    assert doc["status"] == "ok" and doc["checks_passed"] is False
    assert not doc["checks"]["number_format"]["ok"]


# A sheet with both sides: judged as a whole ------------------------------------------------

SHORT_BACK = dict(BACK, start_date="20230610", end_date="20280610")  # 5 years at 33: wrong
RIGHT_BACK = dict(BACK, start_date="20200610", end_date="20400610")  # 20 years at 30


def sheet(back=SHORT_BACK, face=FACE):
    from idcard_ocr.card.documents import ok_record, source_info

    return ok_record(source_info("b", "idcards/copy.jpg", "E" * 32, 1), "face", face, {},
                     "req", others={"back": back})


def test_a_failed_check_on_the_sheets_back_fails_the_whole_result():
    from idcard_ocr.card.documents import checks_passed, expired, failed_checks

    record = sheet()
    assert record["sides"]["face"]["checks_passed"] is True
    assert record["sides"]["back"]["checks_passed"] is False
    assert record["checks_passed"] is False  # the top level: every side read
    assert failed_checks(record) == ["back.validity_length"]
    assert checks_passed(record) is False and not expired(record)
    assert sheet(back=RIGHT_BACK)["checks_passed"] is True


def test_records_written_before_judged_the_side_named_only_and_are_judged_again():
    from idcard_ocr.card.documents import checks_passed

    older = dict(sheet(), checks_passed=True)  # as the function wrote it until issue 21
    assert checks_passed(older) is False
    assert checks_passed({"status": "error"}) is None
    assert checks_passed({"status": "ok", "side": "face", "checks_passed": "yes"}) is None


def test_report_and_its_csv_say_a_sheet_with_a_failing_back_failed():
    import csv
    import io

    from idcard_ocr.io.results import StoredResult
    from idcard_ocr.ops.report import csv_row, label, summarize

    older = dict(sheet(), checks_passed=True)
    assert label(older) == "ok:checks_failed"
    row = csv_row(older)
    assert row["checks_passed"] is False and row["failed_checks"] == "back.validity_length"
    out = io.StringIO()
    summary = summarize([StoredResult("k.json", older, True)], out)
    assert summary.counts == {"ok:checks_failed": 1}
    written = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert written["checks_passed"] == "False" and written["expired"] == "False"


def test_an_expired_card_is_labelled_apart_from_a_passing_and_a_failing_one():
    from idcard_ocr.card.documents import expired, ok_record, source_info
    from idcard_ocr.ops.report import csv_row, label

    old = dict(BACK, start_date="20040521", end_date="20240521")  # long expired, 20 years
    record = ok_record(source_info("b", "k", "E", 1), "back", old, {}, "r")
    assert record["checks_passed"] is True and expired(record)
    assert label(record) == "ok:expired" and csv_row(record)["expired"] is True
    failing = ok_record(source_info("b", "k", "E", 1), "back", dict(old, end_date="20240520"),
                        {}, "r")
    assert label(failing) == "ok:checks_failed"  # a failure outranks the expiry
    assert label(sheet(back=RIGHT_BACK)) == "ok"


def test_the_mns_message_of_a_sheet_carries_the_whole_judgement():
    from idcard_ocr.card.messages import envelope

    doc = envelope(dict(sheet(), checks_passed=True), "idcards/copy.jpg.json")
    assert doc["checks_passed"] is False and doc["failed_checks"] == ["back.validity_length"]
    assert doc["expired"] is False
    assert "error" not in envelope({"status": "ok", "side": "face", "checks_passed": True,
                                    "checks": {}}, None)
