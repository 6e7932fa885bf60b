"""Trust signals: each check passing and failing, and every ok result carrying them."""

import json
from datetime import date

import pytest

from idcard_ocr import handle
from idcard_ocr.card.checks import back_checks, face_checks, region_of, summary
from tests.conftest import fc_context, oss_event, upload
from tests.fakes import images
from tests.fakes.ocr_api import FACE

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
