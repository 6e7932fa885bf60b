"""The review console's parts without HTTP: review objects in the result store, review
documents, filters and cursors, the picture cache, the words, the command line."""

import json
import os
import re
import subprocess
import sys

import pytest

from idcard_ocr.card.signatures import Signer
from idcard_ocr.io.oss import ObjectStore
from idcard_ocr.io.results import ResultLocation, ResultStore
from idcard_ocr.ops.review import i18n, reviews
from idcard_ocr.ops.review.catalog import Cursor, Filter, Row
from idcard_ocr.ops.review.images import Rendition, _Lru
from idcard_ocr.ops.review.security import KeyRefused, confine
from tests.conftest import FUNCTION_DIR, ROOT, SIGNING_KEY
from tests.fakes.ocr_api import FACE

SIGNER = Signer([SIGNING_KEY])


def ok_record(bucket="b", key="idcards/a.jpg", **fields):
    from idcard_ocr.card.documents import ok_record as build, source_info

    record = build(source_info(bucket, key, "E" * 32, 10), "face", dict(FACE, **fields),
                   {}, "req")
    return SIGNER.sign(record)


# The result store --------------------------------------------------------------------------

def test_review_keys_sit_beside_results_and_are_not_results():
    location = ResultLocation(prefix="out/")
    assert location.review_key("idcards/a.jpg") == "out/idcards/a.jpg.review.json"
    assert not location.is_result_key("out/idcards/a.jpg.review.json")
    assert location.source_key("out/idcards/a.jpg.review.json") is None
    assert location.is_output("idcards/a.jpg.review.json")
    assert location.is_result_key("out/idcards/a.jpg.json")


def test_reviews_are_signed_and_only_signed_ones_are_believed(bucket):
    store = ResultStore(ObjectStore(bucket), ResultLocation(), bucket.bucket_name, SIGNER)
    record = ok_record(bucket.bucket_name)
    review = reviews.build(record, "alice", {"name": "欧阳小明"})
    key = store.save_review(review)
    assert key == "idcards/a.jpg.review.json"
    found = store.get_review("idcards/a.jpg")
    assert found.trusted and found.document["corrections"]["name"]["after"] == "欧阳小明"
    assert store.get_review("idcards/other.jpg") is None

    bucket.put_object(key, json.dumps(dict(review, operator="mallory")).encode())
    assert not store.get_review("idcards/a.jpg").trusted        # altered
    bucket.put_object(key, json.dumps(record).encode())          # a signed result, moved
    assert not store.get_review("idcards/a.jpg").trusted
    bucket.put_object(key, b"\x00 not json")
    assert not store.get_review("idcards/a.jpg").trusted          # planted garbage
    assert list(store.documents("idcards/")) == []               # reviews are not results


# Review documents --------------------------------------------------------------------------

def test_a_correction_records_before_and_after_and_rechecks():
    record = ok_record(num="330110199003072314")  # misread: the check character is wrong
    assert record["checks_passed"] is False
    review = reviews.build(record, "alice", {"num": " " + FACE["num"] + " ",
                                             "name": FACE["name"]})
    assert review["decision"] == "corrected"
    assert review["corrections"] == {"num": {"before": "330110199003072314",
                                             "after": FACE["num"]}}
    assert review["fields"]["num"] == FACE["num"] and review["checks_passed"] is True
    assert review["source"] == {"bucket": "b", "key": "idcards/a.jpg", "etag": "E" * 32}
    assert review["result"]["signature"] == record["signature"]["value"]
    assert reviews.build(ok_record(), "alice", {})["decision"] == "approved"


def test_approving_failing_values_needs_a_confirmed_reason_kept_in_the_review():
    record = ok_record(num="330110199003072314")  # the check character is wrong
    with pytest.raises(reviews.ConfirmationNeeded, match="face.number_format") as refused:
        reviews.build(record, "alice", {})
    assert "330110199003072314" not in str(refused.value)  # names checks, never values
    with pytest.raises(reviews.ConfirmationNeeded):
        reviews.build(record, "alice", {}, confirmed_reason="   ")  # blank is no reason
    with pytest.raises(reviews.ReviewRefused, match="control characters"):
        reviews.build(record, "alice", {}, confirmed_reason="ok\u202e")
    review = reviews.build(record, "alice", {}, confirmed_reason=" 原件已核对，号码无误 ")
    assert review["decision"] == "approved" and review["checks_passed"] is False
    assert review["override"] == {"reason": "原件已核对，号码无误",
                                  "failed_checks": ["face.number_format",
                                                    "face.birth_matches_number",
                                                    "face.sex_matches_number",
                                                    "face.region_known"]}
    assert "override" not in reviews.build(ok_record(), "alice", {}, confirmed_reason="x")
    assert reviews.build(record, "alice", {}, preview=True)["checks_passed"] is False


def test_a_review_covers_the_result_it_judged_only():
    record = ok_record()
    review = reviews.build(record, "alice", {"name": "欧阳小明"})
    assert reviews.is_current(review, record)
    assert reviews.applied(record, review)["fields"]["name"] == "欧阳小明"
    newer = ok_record(name="欧阳晓明 ")  # reprocessed: another signature
    assert not reviews.is_current(review, newer)
    assert reviews.applied(newer, review) is newer


@pytest.mark.parametrize("submitted, message", [
    ({"issue": "x"}, "no field"),
    ({"name": "x" * 201}, "at most"),
    ({"name": "a\nb"}, "control"),
    ({"name": "a\u202eb"}, "control"),      # a right-to-left override hides what was written
    ({"name": 3}, "text"),
])
def test_corrections_are_refused_when_malformed(submitted, message):
    with pytest.raises(reviews.ReviewRefused, match=message):
        reviews.build(ok_record(), "alice", submitted)


def test_only_trusted_ok_results_with_fields_are_reviewable():
    record = ok_record()
    assert reviews.reviewable(record, True) is None
    assert reviews.reviewable(record, False) == "untrusted"
    assert reviews.reviewable(None, False) == "no_result"
    assert reviews.reviewable({"status": "error"}, True) == "not_ok"
    assert reviews.reviewable({k: v for k, v in record.items() if k != "fields"},
                              True) == "no_fields"


# Filters, cursors, keys --------------------------------------------------------------------

def test_filters_read_only_known_shapes():
    where = Filter.from_params({"status": "error", "error_code": "quota_exhausted",
                                "failed_check": "number_format", "needs_review": "1",
                                "reviewed": "yes", "warning": "blurry"})
    assert where.params() == {"status": "error", "error_code": "quota_exhausted",
                              "failed_check": "number_format", "warning": "blurry",
                              "needs_review": "1", "reviewed": "yes"}
    assert Filter.from_params({"status": "nope", "error_code": "A'; --", "reviewed": "x",
                               "warning": "x" * 50}) == Filter()


def test_rows_judge_planted_results_by_their_label_only():
    from idcard_ocr.io.results import StoredResult

    planted = Row("idcards/a.jpg", "E", 1, StoredResult("idcards/a.jpg.json",
                                                        dict(ok_record(), checks_passed=False),
                                                        trusted=False))
    assert planted.label == "untrusted" and planted.record == {}
    assert planted.failed_checks == [] and not planted.needs_review
    assert Filter(status="untrusted").matches(planted)
    assert not Filter(status="checks_failed").matches(planted)


@pytest.mark.parametrize("text", [None, "", "!!!", "e30=", "W251bGwsIDNd",
                                  Cursor("t", "k").encode() + "x" * 5000])
def test_malformed_cursors_start_from_the_first_page(text):
    assert Cursor.decode(text) is None


def test_cursors_round_trip():
    cursor = Cursor("token/+=", "idcards/张 +%41.jpg")
    assert Cursor.decode(cursor.encode()) == cursor


def test_keys_are_confined_to_the_prefix_and_to_photos():
    location = ResultLocation()
    assert confine("idcards/张 +%41.jpg", "idcards/", location) == "idcards/张 +%41.jpg"
    for key in ("idcardsX/a.jpg", "idcards/../a.jpg", "idcards//./a.jpg", "/idcards/a.jpg",
                "idcards/a.jpg.json", "crops/idcards/a.jpg.card.jpg", "idcards/a\x7f.jpg",
                "idcards/" + "a" * 1020 + ".jpg", None):
        with pytest.raises(KeyRefused):
            confine(key, "idcards/" if key != "crops/idcards/a.jpg.card.jpg" else "",
                    location)


# Pictures ----------------------------------------------------------------------------------

def test_the_picture_cache_is_bounded_by_bytes_least_recently_used_out():
    cache = _Lru(3000)
    for i in range(4):
        cache.put(i, Rendition(b"x" * 900, "image/jpeg"))
    assert cache.get(0) is None and cache.get(1) is not None
    cache.put(4, Rendition(b"x" * 900, "image/jpeg"))  # 2 is now the least recently used
    assert cache.get(2) is None and cache.get(1) is not None
    assert cache.size <= 3000
    cache.put("huge", Rendition(b"x" * 5000, "image/jpeg"))
    assert cache.get("huge") is None and cache.size <= 3000


# Words -------------------------------------------------------------------------------------

def test_every_error_code_of_the_readme_is_explained_in_both_languages():
    with open(os.path.join(ROOT, "docs", "results.md"), encoding="utf-8") as f:
        readme = f.read()
    table = readme.split("## Error codes", 1)[1].split("\n\n", 2)[1]
    codes = re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE)
    assert codes and set(codes) == set(i18n.ERRORS)
    for code in codes:
        (zh_meaning, zh_todo), (en_meaning, en_todo) = i18n.ERRORS[code]
        assert all((zh_meaning, zh_todo, en_meaning, en_todo))
        row = next(line for line in table.splitlines() if line.startswith(f"| `{code}` |"))
        assert row.split(" | ")[1].strip().replace("`", "") == en_meaning  # the README's


def test_both_languages_name_every_label_check_and_field():
    from idcard_ocr.card.checks import back_checks, face_checks
    from idcard_ocr.card.documents import FIELDS

    zh, en = i18n.words("zh"), i18n.words("en")
    assert set(zh["label"]) == set(en["label"])
    assert set(face_checks(FACE)) | set(back_checks({})) == set(i18n.CHECK_NAMES)
    assert set(FIELDS["face"]) | set(FIELDS["back"]) == set(i18n.FIELD_NAMES)


# The command line and the function ---------------------------------------------------------

def test_review_needs_the_signing_key_like_report(monkeypatch, capsys):
    from idcard_ocr.ops.cli import main

    for name in ("RESULT_SIGNING_KEY", "OCR_APPCODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OSS_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("OCR_API_URL", "http://127.0.0.1:9/ocr")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")
    assert main(["review", "--bucket", "b", "--port", "0"]) == 2
    assert "RESULT_SIGNING_KEY" in capsys.readouterr().err
    monkeypatch.setenv("RESULT_SIGNING_KEY", SIGNING_KEY)
    assert main(["review", "--bucket", "b", "--operator", "a\tb"]) == 2


def test_the_function_never_imports_the_console():
    code = ("import sys, index; "
            "print([m for m in sys.modules if m.startswith(('starlette', 'jinja2', 'uvicorn', "
            "'idcard_ocr.ops'))])")
    out = subprocess.run([sys.executable, "-c", code], cwd=FUNCTION_DIR, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def _every_reason():
    """A reason from every branch of card/checks.py, driven by inputs that reach it."""
    from datetime import date

    from idcard_ocr.card.checks import back_checks, face_checks
    from idcard_ocr.card.idnumber import check_char

    def number(first17):
        return first17 + check_char(first17)

    faces = [FACE, dict(FACE, num="330110199003072318"), dict(FACE, num="3301101990"),
             dict(FACE, num="33011019900307231Y"), dict(FACE, num=number("33011019901307231")),
             dict(FACE, birth="19900308"), dict(FACE, sex="女"),
             dict(FACE, num=number("99999919900307231")),
             dict(FACE, address="北京市朝阳区"), dict(FACE, address="朝阳区"),
             dict(FACE, address="北京市朝阳区", num="1"),
             dict(FACE, address="北京市朝阳区", num=number("91010119900307231"))]
    today = date(2026, 12, 6)
    backs = [({"start_date": "20150610", "end_date": "长期"}, None),
             ({"start_date": "2015", "end_date": ""}, None),
             ({"start_date": "20150610", "end_date": "20350610"}, None),
             ({"start_date": "20150610", "end_date": "20220610"}, None),
             ({"start_date": "20150610", "end_date": "20350610"}, "19900307"),
             ({"start_date": "20150610", "end_date": "长期"}, "19900307"),
             ({"start_date": "20150610", "end_date": "20350610"}, "19600101"),
             ({"start_date": "20040610", "end_date": "20240610"}, None)]
    reasons = [c["reason"] for f in faces for c in face_checks(f).values()]
    reasons += [c["reason"] for f, birth in backs
                for c in back_checks(f, today, birth=birth).values()]
    return reasons


def test_every_check_reason_is_said_in_chinese():
    reasons = set(_every_reason())
    assert len(reasons) >= 25  # every sentence of checks.py is reached
    for text in reasons:
        chinese = i18n.reason(text, "zh")
        assert chinese != text and re.search(r"[\u4e00-\u9fff]", chinese), text
        assert i18n.reason(text, "en") == text
    used = {pattern.pattern for pattern, _ in i18n.REASONS
            if any(pattern.match(text) for text in reasons)}
    assert used == {pattern.pattern for pattern, _ in i18n.REASONS}  # no dead sentence
    assert i18n.reason("something new", "zh") == "something new"     # shown, not lost


@pytest.mark.parametrize("header, lang", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-GB,en;q=0.9", "en"), ("fr, en;q=0.4", "en"),
    ("en;q=0.2, zh-TW;q=0.5", "zh"), ("en;q=0", "zh"), ("*", "zh"), ("", "zh"), (None, "zh"),
    ("en;q=abc", "zh"), (";;;,,,", "zh"), ("en-" + "x" * 10000, "en"), ("de," * 5000, "zh"),
])
def test_the_language_is_negotiated_from_accept_language(header, lang):
    assert i18n.negotiate(header) == lang


@pytest.mark.parametrize("value, shown", [
    ("2026-12-06T17:30:05.123Z", "2026-12-07 01:30:05 (北京时间, UTC+8)"),
    ("2026-06-30T16:00:00+00:00", "2026-07-01 00:00:00 (北京时间, UTC+8)"),  # no DST in China
    ("2026-12-06T09:00:00+08:00", "2026-12-06 09:00:00 (北京时间, UTC+8)"),
    ("2026-12-06 17:30:05", "2026-12-06 17:30:05"),  # no zone: shown as written, not guessed
    ("not a time", "not a time"), ("", "—"), (None, "—"),
])
def test_times_are_shown_in_china_time_with_the_zone(value, shown):
    assert i18n.china_time(value) == shown
