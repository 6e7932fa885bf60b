"""Results onto MNS: alone or beside the JSON, retried, never lost, and masked by default."""

import json

import pytest

from idcard_ocr import handle
from idcard_ocr.errors import ConfigError, InvocationFailed
from tests.conftest import APPCODE, fc_context, oss_event, parsed, upload
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE

PERSONAL = [FACE["name"], FACE["num"], FACE["address"], FACE["birth"]]


@pytest.fixture
def mns_env(env, mns):
    return env | {"OUTPUT": "oss,mns", "MNS_ENDPOINT": mns.endpoint, "MNS_QUEUE": "idcard-results"}


def run(bucket, env, *items):
    return handle(oss_event(bucket.bucket_name, *items), fc_context(), env)


def result(bucket, key):
    return json.loads(bucket.get_object(key).read())


def test_both_outputs_json_first_then_the_message(bucket, mns_env, mns, ocr_api):
    item = upload(bucket, "idcards/a-face.jpg", images.card_jpeg())
    seen_json_first = []
    mns.state.on_message = lambda m: seen_json_first.append(
        bucket.object_exists("idcards/a-face.jpg.json"))
    run(bucket, mns_env, item)

    [message] = mns.messages
    assert seen_json_first == [True]
    assert message.kind == "queue" and message.name == "idcard-results"
    body = message.json
    assert body["version"] == 1 and body["status"] == "ok" and body["side"] == "face"
    assert (body["bucket"], body["key"], body["etag"]) == (bucket.bucket_name, item[0], item[1])
    assert body["result_key"] == "idcards/a-face.jpg.json"
    assert body["dedup_id"] == f"{bucket.bucket_name}/{item[0]}@{item[1]}"
    assert body["fields_mode"] == "masked" and body["fields"]["num"] == "3301**********2313"
    doc = result(bucket, "idcards/a-face.jpg.json")
    assert doc["fields"] == FACE and doc["message"]["id"]
    assert doc["message"]["destination"] == "queue idcard-results"


def test_message_alone_keeps_a_receipt_without_personal_data(bucket, mns_env, mns, ocr_api):
    settings = mns_env | {"OUTPUT": "mns"}
    item = upload(bucket, "idcards/b-face.jpg", images.card_jpeg())
    run(bucket, settings, item)
    [message] = mns.messages
    assert "result_key" not in message.json and message.json["status"] == "ok"
    receipt = result(bucket, "idcards/b-face.jpg.json")
    assert receipt["status"] == "ok" and receipt["message"]["id"]
    assert not {"fields", "api", "image", "checks"} & set(receipt)
    assert receipt["checks_passed"] is True
    assert not any(value in json.dumps(receipt, ensure_ascii=False) for value in PERSONAL)

    assert run(bucket, settings, item)["objects"][0]["reason"] == "already_done"
    assert len(ocr_api.requests) == 1 and len(mns.messages) == 1


def test_topic(bucket, mns_env, mns, ocr_api):
    settings = mns_env | {"MNS_QUEUE": "", "MNS_TOPIC": "idcard-results-topic"}
    run(bucket, settings, upload(bucket, "idcards/c-back.jpg", images.card_jpeg(side="back")))
    [message] = mns.messages
    assert message.kind == "topic" and message.name == "idcard-results-topic"
    assert message.json["fields"] == BACK  # nothing personal to mask on the back side


@pytest.mark.parametrize("mode", ["full", "masked", "none"])
def test_fields_modes(bucket, mns_env, mns, ocr_api, mode):
    run(bucket, mns_env | {"MNS_FIELDS": mode},
        upload(bucket, "idcards/d-face.jpg", images.card_jpeg()))
    [message] = mns.messages
    body = message.json
    if mode == "full":
        assert body["fields"] == FACE
    else:
        for value in PERSONAL:
            assert value not in message.text and value not in message.raw_body
        assert ("fields" in body) == (mode == "masked")


def test_permanent_failure_is_announced(bucket, mns_env, mns, ocr_api):
    run(bucket, mns_env, upload(bucket, "idcards/e-face.jpg", b"not an image at all"))
    [message] = mns.messages
    assert message.json["status"] == "error" and "fields" not in message.json
    assert message.json["error"]["code"] == "invalid_image"
    assert ocr_api.requests == []


def test_transient_send_failures_are_retried(bucket, mns_env, mns, ocr_api):
    mns.fail_next(503, "ServiceUnavailable")
    mns.fail_next(500, "InternalError")
    run(bucket, mns_env, upload(bucket, "idcards/f-face.jpg", images.card_jpeg()))
    assert mns.state.attempts == 3 and len(mns.messages) == 1


def test_persistent_send_failure_raises_and_the_retry_sends_without_a_new_api_call(
        bucket, mns_env, mns, ocr_api, logs):
    item = upload(bucket, "idcards/g-face.jpg", images.card_jpeg())
    mns.fail_next(503, "ServiceUnavailable", times=3)
    with pytest.raises(InvocationFailed, match="mns_send_failed"):
        run(bucket, mns_env, item)
    assert mns.messages == [] and "message" not in result(bucket, "idcards/g-face.jpg.json")

    summary = run(bucket, mns_env, item)  # FC's async retry: the record kept in the claim
    assert summary["ok"] == 1 and parsed(logs)[-1]["kept_answer"] is True
    assert len(ocr_api.requests) == 1 and len(mns.messages) == 1
    assert mns.messages[0].json["fields"]["num"] == "3301**********2313"
    assert result(bucket, "idcards/g-face.jpg.json")["message"]["id"]
    assert run(bucket, mns_env, item)["objects"][0]["reason"] == "already_done"
    assert len(mns.messages) == 1


def test_mns_only_send_failure_leaves_nothing_that_blocks_a_retry(bucket, mns_env, mns, ocr_api):
    settings = mns_env | {"OUTPUT": "mns"}
    item = upload(bucket, "idcards/h-face.jpg", images.card_jpeg())
    mns.fail_next(500, "InternalError", times=3)
    with pytest.raises(InvocationFailed):
        run(bucket, settings, item)
    assert not bucket.object_exists("idcards/h-face.jpg.json")
    run(bucket, settings, item)
    assert len(mns.messages) == 1


def test_a_message_sent_before_the_receipt_write_failed_is_not_sent_again(
        bucket, mns_env, mns, ocr_api, oss_server):
    """OUTPUT=mns: the message went out, then writing the receipt failed. The claim keeps the
    record with its message id, so FC's retry writes the receipt without a second message or
    a second purchase."""
    settings = mns_env | {"OUTPUT": "mns"}
    item = upload(bucket, "idcards/sent-face.jpg", images.card_jpeg(seed=44))
    oss_server.fail_next("PUT", "/idcards/sent-face.jpg.json$", 503, "ServiceUnavailable",
                         times=3)
    with pytest.raises(InvocationFailed, match="storage_unavailable"):
        run(bucket, settings, item)
    assert len(mns.messages) == 1 and not bucket.object_exists("idcards/sent-face.jpg.json")
    summary = run(bucket, settings, item)  # FC's retry
    assert summary["ok"] == 1 and len(mns.messages) == 1 and len(ocr_api.requests) == 1
    receipt = result(bucket, "idcards/sent-face.jpg.json")
    assert receipt["message"]["id"] and "fields" not in receipt


def test_missing_queue_is_not_retried_but_raises(bucket, mns_env, mns, ocr_api):
    with pytest.raises(InvocationFailed, match="mns_send_failed"):
        run(bucket, mns_env | {"MNS_QUEUE": "no-such-queue"},
            upload(bucket, "idcards/i-face.jpg", images.card_jpeg()))
    assert mns.state.attempts == 1


def test_credentials_and_security_token_reach_mns(bucket, mns_env, mns, ocr_api):
    from types import SimpleNamespace
    mns.state.access_key_id, mns.state.access_key_secret = "STS.ctx", "ctx-secret"
    mns.state.security_token = "ctx-token"
    creds = SimpleNamespace(access_key_id="STS.ctx", access_key_secret="ctx-secret",
                            security_token="ctx-token")
    handle(oss_event(bucket.bucket_name, upload(bucket, "idcards/j-face.jpg",
                                                images.card_jpeg())),
           fc_context(credentials=creds), mns_env)
    [message] = mns.messages
    assert message.headers["security-token"] == "ctx-token"
    assert message.headers["Authorization"].startswith("MNS STS.ctx:")


def test_wrong_secret_is_refused_by_the_signature_check(bucket, mns_env, mns, ocr_api):
    with pytest.raises(InvocationFailed):
        run(bucket, mns_env | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"},
            upload(bucket, "idcards/k-face.jpg", images.card_jpeg()))
    assert mns.messages == [] and mns.state.attempts == 1


def test_messages_stay_under_64_kb_whatever_the_answer(bucket, mns_env, mns, ocr_api):
    ocr_api.state.face = dict(FACE, address="很长的地址" * 8000)
    key = "idcards/" + "长" * 300 + "-face.jpg"
    run(bucket, mns_env | {"MNS_FIELDS": "full"}, upload(bucket, key, images.card_jpeg()))
    [message] = mns.messages
    assert len(message.raw_body.encode()) <= 64 * 1024
    assert message.json["fields_omitted"] == "size" and message.json["key"] == key


def test_no_personal_data_in_logs_with_mns(bucket, mns_env, mns, ocr_api, logs):
    mns.fail_next(503, "ServiceUnavailable", times=3)
    with pytest.raises(InvocationFailed) as raised:
        run(bucket, mns_env | {"MNS_FIELDS": "full"},
            upload(bucket, "idcards/l-face.jpg", images.card_jpeg()))
    text = "\n".join(logs) + str(raised.value)
    assert parsed(logs)[-2]["reason"] == "mns_send_failed"
    for value in PERSONAL + [APPCODE]:
        assert value not in text


@pytest.mark.parametrize("change, variable", [
    ({"MNS_ENDPOINT": ""}, "MNS_ENDPOINT"),
    ({"MNS_QUEUE": ""}, "MNS_QUEUE"),
    ({"MNS_TOPIC": "t"}, "MNS_QUEUE"),
    ({"OUTPUT": "oss,sqs"}, "OUTPUT"),
    ({"MNS_FIELDS": "some"}, "MNS_FIELDS"),
])
def test_mns_settings_are_checked_before_any_call(bucket, mns_env, mns, ocr_api, change,
                                                  variable):
    with pytest.raises(ConfigError, match=variable):
        run(bucket, mns_env | change, upload(bucket, "idcards/m-face.jpg", images.card_jpeg()))
    assert ocr_api.requests == [] and mns.state.attempts == 0


def test_a_stalled_https_endpoint_times_out_instead_of_hanging(bucket, mns_env, ocr_api,
                                                              tmp_path, monkeypatch):
    import time

    from tests.fakes.mns_api import MnsServer
    from tests.fakes.tls import self_signed, serve_tls

    cert, key = self_signed(str(tmp_path))
    server = MnsServer()
    serve_tls(server, cert, key)
    server.start()
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the loopback certificate
    server.state.delay_s = 20
    settings = mns_env | {"MNS_ENDPOINT": server.endpoint.replace("http://", "https://"),
                          "OCR_TIMEOUT_S": "1"}
    started = time.monotonic()
    try:
        with pytest.raises(InvocationFailed, match="mns_send_failed"):
            run(bucket, settings, upload(bucket, "idcards/n-face.jpg", images.card_jpeg()))
        assert time.monotonic() - started < 10
        assert server.state.attempts >= 1
    finally:
        server.stop()


def test_an_appcode_echoed_by_the_api_never_reaches_a_message(bucket, mns_env, mns, ocr_api):
    ocr_api.fail_next(403, f"Unauthorized {APPCODE.upper()}")
    run(bucket, mns_env | {"CARD_SIDE": "face"},
        upload(bucket, "idcards/echo-face.jpg", images.card_jpeg()))
    [message] = mns.messages
    assert message.json["error"]["code"] == "unauthorized"
    assert APPCODE.lower() not in json.dumps(message.json).lower()


def test_mns_only_send_failure_after_the_answer_is_not_bought_again(bucket, mns_env, mns,
                                                                    ocr_api):
    settings = mns_env | {"OUTPUT": "mns"}
    item = upload(bucket, "idcards/kept-face.jpg", images.card_jpeg())
    mns.fail_next(500, "InternalError", times=3)
    with pytest.raises(InvocationFailed):
        run(bucket, settings, item)
    run(bucket, settings, item)  # FC's retry: the kept answer is sent, the API is not called
    assert len(ocr_api.requests) == 1 and len(mns.messages) == 1


def test_a_sheet_with_both_sides_sends_both_masked(bucket, mns_env, mns, ocr_api):
    ocr_api.state.face["sides_found"] = ["face", "back"]
    run(bucket, mns_env, upload(bucket, "idcards/sheet.jpg", images.card_jpeg()))
    [message] = mns.messages
    assert message.json["sides"]["back"]["issue"] == BACK["issue"]
    assert message.json["sides"]["face"]["num"] == "3301**********2313"
    assert FACE["num"] not in json.dumps(message.json, ensure_ascii=False)
