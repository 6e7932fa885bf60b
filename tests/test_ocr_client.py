"""The OCR client against the contract server: request formats, error mapping, retries, budget."""

import pytest

from idcard_ocr.io.retry import Deadline, backoff_delay
from idcard_ocr.errors import PermanentError, TransientError
from idcard_ocr.errors import from_ocr_status as classify
from idcard_ocr.io.ocr_api import MarketplaceClient as OcrClient
from tests.conftest import APPCODE
from tests.fakes import images
from tests.fakes.ocr_api import FACE


def client(ocr_api, **kwargs):
    sleeps = []
    options = dict(appcode=APPCODE, timeout_s=2.0, max_attempts=3, sleep=sleeps.append)
    options.update(kwargs)
    c = OcrClient(ocr_api.url, **options)
    c.sleeps = sleeps
    return c


@pytest.mark.parametrize("request_format", ["new", "old"])
def test_both_request_formats(ocr_api, request_format):
    recognition = client(ocr_api, request_format=request_format).recognize(images.card_jpeg(),
                                                                            "face")
    answer = recognition.answer
    assert recognition.attempts == 1
    assert {k: answer[k] for k in FACE} == FACE and answer["success"] is True
    assert ocr_api.requests[0].body_format == request_format


def test_retry_after_is_honoured_and_sleeps_are_bounded(ocr_api):
    ocr_api.fail_next(450, "queue full", times=2, retry_after="2")
    c = client(ocr_api)
    c.recognize(images.card_jpeg(), "face")
    assert len(c.sleeps) == 2 and all(2 <= s <= 30 for s in c.sleeps)


def test_attempts_stop_at_max_attempts_and_the_typed_error_survives(ocr_api):
    ocr_api.fail_next(500, "Internal Error", times=5)
    c = client(ocr_api)
    with pytest.raises(TransientError) as raised:
        c.recognize(images.card_jpeg(), "face")
    assert raised.value.code == "api_unavailable" and raised.value.status == 500
    assert raised.value.attempts == 3 and len(ocr_api.requests) == 3


def test_no_attempt_without_time_left(ocr_api):
    with pytest.raises(TransientError) as raised:
        client(ocr_api).recognize(images.card_jpeg(), "face", Deadline(0.1))
    assert raised.value.code == "api_timeout" and ocr_api.requests == []


def test_connection_refused_is_transient():
    c = OcrClient("http://127.0.0.1:9/rest/160601/ocr/ocr_idcard.json", APPCODE, 1.0, 2,
                  sleep=lambda s: None)
    with pytest.raises(TransientError) as raised:
        c.recognize(images.card_jpeg(), "face")
    assert raised.value.code == "connection_failed"


def test_200_with_garbage_is_a_permanent_bad_response_and_not_bought_again(ocr_api):
    ocr_api.fail_next(200, "", body=b"<html>gateway</html>", times=3)
    with pytest.raises(PermanentError) as raised:
        client(ocr_api).recognize(images.card_jpeg(), "face")
    assert raised.value.code == "bad_response" and len(ocr_api.requests) == 1


def test_reason_from_the_body_when_the_header_is_missing(ocr_api):
    ocr_api.fail_next(403, "", body=b'{"message": "Quota Exhausted"}')
    with pytest.raises(PermanentError) as raised:
        client(ocr_api).recognize(images.card_jpeg(), "face")
    assert raised.value.code == "quota_exhausted"


@pytest.mark.parametrize("status, reason, code, transient", [
    (403, "Throttled by APP Flow Control", "throttled", True),
    (403, "Throttled by API Flow Control", "throttled", True),
    (403, "Throttled by USER Flow Control", "throttled", True),
    (403, "Quota Exhausted", "quota_exhausted", False),
    (403, "Unauthorized", "unauthorized", False),
    (400, "Invalid AppCode", "appcode_invalid", False),
    (401, "", "appcode_invalid", False),
    (408, "Request Timeout", "api_timeout", True),
    (450, "", "api_unavailable", True),
    (503, "", "api_unavailable", True),
    (413, "", "image_too_large", False),
    (421, "", "image_size_unsupported", False),
    (404, "Invalid Url", "api_error", False),
])
def test_classify(status, reason, code, transient):
    error = classify(status, reason)
    assert error.code == code and isinstance(error, TransientError) == transient


def test_backoff_grows_and_is_capped():
    assert backoff_delay(0, rng=lambda: 1.0) == 0.5
    assert backoff_delay(3, rng=lambda: 1.0) == 4.0
    assert backoff_delay(10, rng=lambda: 1.0) == 8.0
    assert backoff_delay(5, rng=lambda: 0.0) == 0.0


def test_appcode_is_not_in_repr():
    assert APPCODE not in repr(OcrClient("http://x/", APPCODE))


@pytest.mark.parametrize("extra", [{"score": 1e400}, {"name": "李\ud840"},
                                   {"quality_info": {"x": [0] * 200_000}}],
                         ids=["infinity-from-1e400", "lone-surrogate", "oversized"])
def test_an_answer_that_could_not_be_kept_is_a_bad_response(extra):
    """What cannot be signed and stored (a float that overflows to infinity, broken text) or
    would make the claim and the result unreadably large is refused when it arrives: a paid
    bad_response, kept like any error, instead of an exception after the purchase."""
    from idcard_ocr.io.ocr_api import checked_answer
    with pytest.raises(PermanentError) as refused:
        checked_answer(dict(FACE, **extra), "face")
    assert refused.value.code == "bad_response"
    assert checked_answer(dict(FACE), "face") == FACE
