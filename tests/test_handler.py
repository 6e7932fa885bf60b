"""The function end to end: real oss2 against moto's S3 server, real HTTP to the OCR contract server."""

import json

import pytest

from idcard_ocr import handle
from idcard_ocr.errors import ConfigError, InvocationFailed
from tests.conftest import APPCODE, fc_context, load_event, oss_event, parsed, upload
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE


def read_result(bucket, key):
    obj = bucket.get_object(key)
    return json.loads(obj.read().decode("utf-8")), obj.headers


def run(bucket, env, *items, context=None, name="ObjectCreated:PutObject"):
    return handle(oss_event(bucket.bucket_name, *items, name=name), context or fc_context(), env)


def test_face_upload_becomes_json_next_to_it(bucket, env, ocr_api):
    item = upload(bucket, "idcards/a-face.jpg", images.card_jpeg())
    summary = run(bucket, env, item)

    doc, headers = read_result(bucket, "idcards/a-face.jpg.json")
    assert headers["Content-Type"].startswith("application/json")
    assert doc["status"] == "ok" and doc["side"] == "face"
    assert doc["source"] == {"bucket": bucket.bucket_name, "key": "idcards/a-face.jpg",
                             "etag": item[1], "size": item[2]}
    assert doc["fields"] == FACE
    assert doc["api"]["success"] is True and "face_rect" in doc["api"]
    assert doc["image"] == {"format": "JPEG", "width": 856, "height": 540, "transformed": False,
                            "source_format": "JPEG"}
    assert doc["request_id"] and doc["processed_at"].endswith("Z")
    assert summary["ok"] == 1 and summary["objects"][0]["result_key"] == "idcards/a-face.jpg.json"
    [request] = ocr_api.requests
    assert request.headers["Authorization"] == f"APPCODE {APPCODE}"
    assert request.side == "face" and request.body_format == "new"


def test_back_side_named_in_key(bucket, env, ocr_api):
    item = upload(bucket, "idcards/b_反面.png", images.encode(images.card(side="back"), "PNG"))
    run(bucket, env, item)
    doc, _ = read_result(bucket, "idcards/b_反面.png.json")
    assert doc["side"] == "back" and doc["fields"] == BACK
    assert [r.side for r in ocr_api.requests] == ["back"]


def test_auto_side_tries_back_when_api_says_not_a_face(bucket, env, ocr_api):
    ocr_api.state.card_side = "back"
    item = upload(bucket, "idcards/scan-0001.jpg", images.card_jpeg(side="back"))
    run(bucket, env, item)
    doc, _ = read_result(bucket, "idcards/scan-0001.jpg.json")
    assert doc["status"] == "ok" and doc["side"] == "back"
    assert [r.side for r in ocr_api.requests] == ["face", "back"]


def test_fixed_card_side_is_not_second_guessed(bucket, env, ocr_api):
    ocr_api.state.card_side = "back"
    item = upload(bucket, "idcards/scan-0002.jpg", images.card_jpeg())
    run(bucket, env | {"CARD_SIDE": "face"}, item)
    doc, _ = read_result(bucket, "idcards/scan-0002.jpg.json")
    assert doc["status"] == "error" and doc["error"]["code"] == "not_an_id_card"
    assert [r.side for r in ocr_api.requests] == ["face"]


def test_neither_side_is_not_an_id_card(bucket, env, ocr_api):
    ocr_api.state.card_side = "neither"
    item = upload(bucket, "idcards/cat.jpg", images.card_jpeg())
    run(bucket, env, item)
    doc, _ = read_result(bucket, "idcards/cat.jpg.json")
    assert doc["error"] == {"code": "not_an_id_card", "retryable": False, "http_status": 200,
                            "message": doc["error"]["message"]}
    assert len(ocr_api.requests) == 2


@pytest.mark.parametrize("event_name", ["ObjectCreated:PostObject", "ObjectCreated:CopyObject",
                                        "ObjectCreated:CompleteMultipartUpload",
                                        "ObjectCreated:AppendObject", "ObjectCreated:PutSymlink"])
def test_every_finished_object_event_is_processed(bucket, env, ocr_api, event_name):
    item = upload(bucket, "idcards/c-face.jpg", images.card_jpeg())
    assert run(bucket, env, item, name=event_name)["ok"] == 1


@pytest.mark.parametrize("event_name", ["ObjectCreated:InitiateMultipartUpload",
                                        "ObjectCreated:UploadPart", "ObjectRemoved:DeleteObject",
                                        "ObjectModified:UpdateObjectMeta"])
def test_unfinished_and_other_events_are_ignored_with_a_log_line(bucket, env, ocr_api, logs,
                                                                 event_name):
    item = upload(bucket, "idcards/d-face.jpg", images.card_jpeg())
    summary = run(bucket, env, item, name=event_name)
    assert summary["skipped"] == 1 and ocr_api.requests == []
    assert not bucket.object_exists("idcards/d-face.jpg.json")
    [line] = parsed(logs)
    assert line["status"] == "skipped" and line["reason"] == "not_a_finished_object_event"


def test_shipped_ignored_events(bucket, env, ocr_api):
    for name, reason in [("delete.json", "not_a_finished_object_event"),
                         ("result-object.json", "own_output")]:
        summary = handle(json.dumps(load_event(name)).encode(), fc_context(), env)
        assert summary["objects"][0]["reason"] == reason
    assert ocr_api.requests == []


def test_own_output_and_non_image_keys_are_never_read(bucket, env, ocr_api):
    bucket.put_object("idcards/x.jpg.json", b'{"status": "ok"}')
    bucket.put_object("idcards/notes.txt", b"hello")
    summary = run(bucket, env, "idcards/x.jpg.json", "idcards/notes.txt")
    assert [o["reason"] for o in summary["objects"]] == ["own_output", "not_an_image_key"]
    assert ocr_api.requests == []
    assert not bucket.object_exists("idcards/x.jpg.json.json")


def test_results_prefix_and_suffix_are_configurable(bucket, env, ocr_api):
    item = upload(bucket, "idcards/e-face.jpg", images.card_jpeg())
    run(bucket, env | {"RESULT_PREFIX": "results/", "RESULT_SUFFIX": ".ocr.json"}, item)
    doc, _ = read_result(bucket, "results/idcards/e-face.jpg.ocr.json")
    assert doc["status"] == "ok"
    summary = run(bucket, env | {"RESULT_PREFIX": "results/"}, "results/idcards/e-face.jpg")
    assert summary["objects"][0]["reason"] == "own_output"


def test_two_records_are_independent_and_a_permanent_failure_loses_nothing(bucket, env, ocr_api):
    good = upload(bucket, "idcards/f-face.jpg", images.card_jpeg())
    broken = upload(bucket, "idcards/g-face.jpg", images.card_jpeg()[:2000])
    summary = run(bucket, env, broken, good)
    assert (summary["ok"], summary["error"]) == (1, 1)
    assert read_result(bucket, "idcards/g-face.jpg.json")[0]["error"]["code"] == "invalid_image"
    assert read_result(bucket, "idcards/f-face.jpg.json")[0]["status"] == "ok"
    assert len(ocr_api.requests) == 1


def test_transient_failure_raises_after_the_other_records_and_a_retry_finishes(bucket, env,
                                                                             ocr_api):
    first = upload(bucket, "idcards/h-face.jpg", images.card_jpeg(seed=3))
    second = upload(bucket, "idcards/i-face.jpg", images.card_jpeg(seed=4))
    ocr_api.fail_next(503, "Service Unavailable", times=2)
    settings = env | {"OCR_MAX_ATTEMPTS": "2"}
    with pytest.raises(InvocationFailed) as raised:
        run(bucket, settings, first, second)
    assert raised.value.failures == [("idcards/h-face.jpg", "api_unavailable")]
    assert not bucket.object_exists("idcards/h-face.jpg.json")  # nothing blocks a later success
    assert read_result(bucket, "idcards/i-face.jpg.json")[0]["status"] == "ok"

    calls_before = len(ocr_api.requests)
    summary = run(bucket, settings, first, second)  # FC's async retry of the same event
    assert [o["status"] for o in summary["objects"]] == ["ok", "skipped"]
    assert summary["objects"][1]["reason"] == "already_done"
    assert len(ocr_api.requests) == calls_before + 1


def test_repeated_event_makes_no_second_call_but_a_new_upload_does(bucket, env, ocr_api):
    item = upload(bucket, "idcards/j-face.jpg", images.card_jpeg(seed=5))
    run(bucket, env, item)
    assert run(bucket, env, item)["objects"][0]["reason"] == "already_done"
    assert len(ocr_api.requests) == 1

    newer = upload(bucket, "idcards/j-face.jpg", images.card_jpeg(seed=6))
    assert newer[1] != item[1]
    run(bucket, env, newer)
    assert len(ocr_api.requests) == 2
    assert read_result(bucket, "idcards/j-face.jpg.json")[0]["source"]["etag"] == newer[1]


def test_error_result_does_not_block_a_later_success(bucket, env, ocr_api):
    item = upload(bucket, "idcards/k-face.jpg", images.card_jpeg())
    ocr_api.fail_next(403, "Quota Exhausted")
    run(bucket, env, item)
    assert read_result(bucket, "idcards/k-face.jpg.json")[0]["error"]["code"] == "quota_exhausted"
    run(bucket, env, item)  # quota bought, event redelivered
    assert read_result(bucket, "idcards/k-face.jpg.json")[0]["status"] == "ok"


@pytest.mark.parametrize("key", ["idcards/with space face.jpg", "idcards/plus+sign face.jpg",
                                 "idcards/percent%41%20 face.jpg", "idcards/张三 身份证 正面.jpg",
                                 "idcards/混合 a+b%2B c.jpeg"])
def test_odd_keys_work_as_delivered(bucket, env, ocr_api, key):
    item = upload(bucket, key, images.card_jpeg())
    summary = run(bucket, env, item)
    assert summary["ok"] == 1
    assert read_result(bucket, key + ".json")[0]["source"]["key"] == key


def test_url_encoded_key_is_retried_decoded_and_logged(bucket, env, ocr_api, logs):
    key, etag, size = upload(bucket, "idcards/王 小明 正面+1.jpg", images.card_jpeg())
    encoded = "idcards/%E7%8E%8B+%E5%B0%8F%E6%98%8E+%E6%AD%A3%E9%9D%A2%2B1.jpg"
    summary = run(bucket, env, (encoded, etag, size))
    assert summary["ok"] == 1 and summary["objects"][0]["key"] == key
    assert read_result(bucket, key + ".json")[0]["source"]["key"] == key
    lines = parsed(logs)
    assert any(line["message"] == "key found only after URL-decoding" for line in lines)
    assert lines[-1]["key_decoded"] is True


def test_object_deleted_before_the_event_arrives(bucket, env, ocr_api):
    summary = run(bucket, env, ("idcards/gone-face.jpg", "ABC", 10))
    assert summary["objects"][0]["reason"] == "object_gone" and ocr_api.requests == []


def test_exif_rotated_photo_arrives_upright(bucket, env, ocr_api):
    # Stored landscape with orientation 6: the camera was held upright, so it displays portrait.
    item = upload(bucket, "idcards/rot-face.jpg", images.with_orientation(images.card(), 6))
    run(bucket, env, item)
    [request] = ocr_api.requests
    assert request.image_size == (540, 856)


def test_heic_is_converted_to_jpeg(bucket, env, ocr_api):
    item = upload(bucket, "idcards/IMG_0001 face.HEIC", images.encode(images.card(), "HEIF"))
    run(bucket, env, item)
    [request] = ocr_api.requests
    assert request.image_format == "JPEG" and request.image_size == (856, 540)


def test_heic_named_jpg_is_converted(bucket, env, ocr_api):
    item = upload(bucket, "idcards/IMG_0002 face.jpg", images.encode(images.card(), "HEIF"))
    run(bucket, env, item)
    assert ocr_api.requests[0].image_format == "JPEG"


def test_phone_photo_is_downscaled_and_reencoded(bucket, env, ocr_api, logs):
    photo = images.phone_photo()
    item = upload(bucket, "idcards/phone-face.jpg", photo)
    run(bucket, env, item)
    [request] = ocr_api.requests
    assert max(request.image_size) == 2016 and request.image_format == "JPEG"  # 1/2-scale decode
    sent = read_result(bucket, "idcards/phone-face.jpg.json")[0]["image"]
    assert (sent["width"], sent["height"], sent["transformed"]) == (2016, 1512, True)
    line = parsed(logs)[-1]
    assert line["bytes_read"] == len(photo) and line["bytes_sent"] == len(request.image)
    assert line["bytes_sent"] < len(photo) / 2


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (images.card_jpeg()[:3000], "corrupt or truncated"),
    (b"\xff\xd8\xff" + b"\x00" * 500, "corrupt or truncated"),
    (images.encode(images.card(size=(14, 40)), "PNG"), "under 15 px"),
    (images.encode(images.card(size=(2000, 30)), "PNG"), "aspect ratio"),
    (b"%PDF-1.7\n1 0 obj\n", "PDF"),
    (b"just some notes, not a photo", "text"),
])
def test_bad_images_get_an_invalid_image_record_and_no_api_call(bucket, env, ocr_api, data,
                                                                message):
    item = upload(bucket, "idcards/bad-face.jpg", data)
    summary = run(bucket, env, item)
    assert summary["error"] == 1 and ocr_api.requests == []
    doc, _ = read_result(bucket, "idcards/bad-face.jpg.json")
    assert doc["status"] == "error" and doc["error"]["code"] == "invalid_image"
    assert message in doc["error"]["message"] and doc["error"]["retryable"] is False
    assert doc["source"]["key"] == "idcards/bad-face.jpg"


def test_decompression_bomb_is_refused_before_decoding(bucket, env, ocr_api):
    from PIL import Image
    bomb = images.encode(Image.new("1", (20000, 20000)), "PNG")  # 400 MP in a few kB
    item = upload(bucket, "idcards/bomb-face.png", bomb)
    run(bucket, env, item)
    doc, _ = read_result(bucket, "idcards/bomb-face.png.json")
    assert doc["error"]["code"] == "image_too_large" and ocr_api.requests == []


def test_oversized_object_is_refused_without_reading_it(bucket, env, ocr_api, logs):
    item = upload(bucket, "idcards/huge-face.jpg", images.card_jpeg() + b"\0" * 200_000)
    run(bucket, env | {"SOURCE_MAX_BYTES": "100000"}, item)
    doc, _ = read_result(bucket, "idcards/huge-face.jpg.json")
    assert doc["error"]["code"] == "image_too_large" and "SOURCE_MAX_BYTES" in doc["error"]["message"]
    assert ocr_api.requests == [] and parsed(logs)[-1]["bytes_read"] == 0


@pytest.mark.parametrize("status, message, code", [
    (400, "Invalid AppCode", "appcode_invalid"),
    (403, "Quota Exhausted", "quota_exhausted"),
    (403, "Unauthorized", "unauthorized"),
    (413, "Request Entity Too Large", "image_too_large"),
    (421, "image size error", "image_size_unsupported"),
    (460, "Invalid JSON", "request_rejected"),
    (461, "JSON format error", "request_rejected"),
    (462, "image data error", "invalid_image"),
    (463, "wrong category", "not_an_id_card"),
    (464, "algorithm failure", "recognition_failed"),
])
def test_permanent_api_errors_write_an_error_record_and_do_not_raise(bucket, env, ocr_api,
                                                                    status, message, code):
    item = upload(bucket, "idcards/perm-face.jpg", images.card_jpeg())
    ocr_api.fail_next(status, message)
    summary = run(bucket, env | {"CARD_SIDE": "face"}, item)
    assert summary["error"] == 1
    doc, _ = read_result(bucket, "idcards/perm-face.jpg.json")
    assert doc["error"]["code"] == code and doc["error"]["http_status"] == status
    assert message in doc["error"]["message"]
    assert len(ocr_api.requests) == 1  # never retried: a retry would bill again


def test_wrong_appcode_is_recorded_without_the_appcode(bucket, env, ocr_api):
    wrong = "wrong-appcode-fedcba9876543210"
    item = upload(bucket, "idcards/l-face.jpg", images.card_jpeg())
    run(bucket, env | {"OCR_APPCODE": wrong}, item)
    doc, _ = read_result(bucket, "idcards/l-face.jpg.json")
    assert doc["error"]["code"] == "appcode_invalid"
    assert wrong not in json.dumps(doc) and APPCODE not in json.dumps(doc)


@pytest.mark.parametrize("status, message", [(403, "Throttled by APP Flow Control"),
                                             (450, "queue full"), (500, "Internal Error"),
                                             (502, "Bad Gateway"), (408, "Timeout")])
def test_transient_errors_are_retried_then_succeed(bucket, env, ocr_api, status, message):
    item = upload(bucket, "idcards/m-face.jpg", images.card_jpeg())
    ocr_api.fail_next(status, message, times=2)
    run(bucket, env, item)
    assert read_result(bucket, "idcards/m-face.jpg.json")[0]["status"] == "ok"
    assert [r.status for r in ocr_api.requests] == [status, status, 200]


def test_persistent_throttling_raises_and_writes_nothing(bucket, env, ocr_api, logs):
    item = upload(bucket, "idcards/n-face.jpg", images.card_jpeg())
    ocr_api.fail_next(403, "Throttled by USER Flow Control", times=10)
    with pytest.raises(InvocationFailed, match="throttled"):
        run(bucket, env | {"OCR_MAX_ATTEMPTS": "3"}, item)
    assert len(ocr_api.requests) == 3
    assert not bucket.object_exists("idcards/n-face.jpg.json")
    assert parsed(logs)[0]["status"] == "failed" and parsed(logs)[0]["reason"] == "throttled"


def test_api_timeout_is_retried_within_the_function_budget(bucket, env, ocr_api):
    item = upload(bucket, "idcards/o-face.jpg", images.card_jpeg())
    ocr_api.state.delay_s = 1.5
    with pytest.raises(InvocationFailed, match="api_timeout"):
        run(bucket, env | {"OCR_TIMEOUT_S": "0.6", "OCR_MAX_ATTEMPTS": "10"}, item,
            context=fc_context(timeout=6))
    # 6 s function timeout minus a 3 s reserve leaves room for a few 0.6 s attempts, not ten.
    assert 1 <= len(ocr_api.requests) < 10
    assert not bucket.object_exists("idcards/o-face.jpg.json")


def test_old_request_format(bucket, env, ocr_api):
    item = upload(bucket, "idcards/p-face.jpg", images.card_jpeg())
    run(bucket, env | {"OCR_REQUEST_FORMAT": "old"}, item)
    doc, _ = read_result(bucket, "idcards/p-face.jpg.json")
    assert doc["fields"] == FACE
    assert ocr_api.requests[0].body_format == "old"


@pytest.mark.parametrize("change, variable", [
    ({"OCR_APPCODE": ""}, "OCR_APPCODE"),
    ({"OCR_TIMEOUT_S": "soon"}, "OCR_TIMEOUT_S"),
    ({"CARD_SIDE": "left"}, "CARD_SIDE"),
    ({"RESULT_SUFFIX": ".jpg"}, "RESULT_SUFFIX"),
    ({"OCR_API_URL": "ftp://x"}, "OCR_API_URL"),
    ({"OSS_ENDPOINT": ""}, "OSS_ENDPOINT"),
    ({"ALIBABA_CLOUD_ACCESS_KEY_ID": ""}, "ALIBABA_CLOUD_ACCESS_KEY_ID"),
])
def test_bad_settings_fail_before_any_call_and_write_nothing(bucket, env, ocr_api, change,
                                                             variable):
    item = upload(bucket, "idcards/q-face.jpg", images.card_jpeg())
    settings = env | change
    if variable == "OCR_APPCODE":
        settings["OCR_API_URL"] = "https://dm-51.data.aliyun.com/rest/160601/ocr/ocr_idcard.json"
    context = fc_context()
    if variable == "OSS_ENDPOINT":
        context.region = None  # the event's region never counts (test_hostile_events)
    with pytest.raises(ConfigError, match=variable):
        handle(oss_event(bucket.bucket_name, item), context, settings)
    assert ocr_api.requests == []
    assert not bucket.object_exists("idcards/q-face.jpg.json")


def test_credentials_from_the_context_as_on_python310(bucket, env, ocr_api):
    from types import SimpleNamespace
    sent = []
    creds = SimpleNamespace(access_key_id="STS.ctx-key", access_key_secret="ctx-secret",
                            security_token="ctx-token")
    item = upload(bucket, "idcards/r-face.jpg", images.card_jpeg())
    no_env_creds = {k: v for k, v in env.items() if not k.startswith("ALIBABA_CLOUD_")}
    from idcard_ocr.io import oss as storage
    hook = lambda response, **kw: sent.append(response.request.headers)  # noqa: E731
    storage.oss_session().session.hooks["response"].append(hook)
    try:
        run(bucket, no_env_creds, item, context=fc_context(credentials=creds))
    finally:
        storage.oss_session().session.hooks["response"].remove(hook)
    assert sent and all(h["Authorization"].startswith("OSS STS.ctx-key:") for h in sent)
    assert all(h["x-oss-security-token"] == "ctx-token" for h in sent)
    put = [h for h in sent if "x-oss-meta-status" in h]  # the result (the claim has none)
    assert put and put[0]["x-oss-server-side-encryption"] == "AES256"
    assert put[0]["x-oss-meta-status"] == "ok"


def test_credentials_from_the_environment_as_on_python312(bucket, env, ocr_api):
    sent = []
    from idcard_ocr.io import oss as storage
    hook = lambda response, **kw: sent.append(response.request.headers)  # noqa: E731
    storage.oss_session().session.hooks["response"].append(hook)
    try:
        run(bucket, env | {"RESULT_ENCRYPTION": "none"}, upload(bucket, "idcards/s-face.jpg",
                                                                images.card_jpeg()))
    finally:
        storage.oss_session().session.hooks["response"].remove(hook)
    assert all(h["Authorization"].startswith("OSS test-key-id:") for h in sent)
    assert all(h["x-oss-security-token"] == "test-sts-token" for h in sent)
    assert not any("x-oss-server-side-encryption" in h for h in sent)


def test_one_keep_alive_connection_across_warm_invocations(bucket, env, ocr_api):
    for n in range(3):
        run(bucket, env, upload(bucket, f"idcards/t{n}-face.jpg", images.card_jpeg(seed=n)))
    assert len({r.connection for r in ocr_api.requests}) == 1


def test_one_structured_log_line_per_object(bucket, env, ocr_api, logs):
    good = upload(bucket, "idcards/u-face.jpg", images.card_jpeg())
    bad = upload(bucket, "idcards/v-face.jpg", b"")
    context = fc_context()
    run(bucket, env, good, bad, "idcards/u-face.jpg.json", context=context)
    lines = parsed(logs)
    assert [line["status"] for line in lines] == ["ok", "error", "skipped"]
    ok = lines[0]
    assert ok["request_id"] == context.request_id and ok["bucket"] == bucket.bucket_name
    assert ok["key"] == "idcards/u-face.jpg" and ok["side"] == "face" and ok["reason"] is None
    assert ok["bytes_sent"] > 0 and ok["api_calls"] == 1
    assert set(ok["ms"]) == {"read", "claim", "prepare", "ocr", "assess", "write"}
    assert lines[1]["reason"] == "invalid_image"


def test_no_personal_data_or_appcode_in_logs_or_exceptions(bucket, env, ocr_api, logs, capsys):
    good = upload(bucket, "idcards/w-face.jpg", images.card_jpeg())
    back = upload(bucket, "idcards/w-back.jpg", images.card_jpeg(side="back"))
    run(bucket, env, good, back)
    ocr_api.fail_next(403, "Throttled by API Flow Control", times=10)
    with pytest.raises(InvocationFailed) as raised:
        run(bucket, env | {"OCR_MAX_ATTEMPTS": "2"},
            upload(bucket, "idcards/x-face.jpg", images.card_jpeg(seed=9)))
    wrong = "wrong-appcode-fedcba9876543210"
    run(bucket, env | {"OCR_APPCODE": wrong},
        upload(bucket, "idcards/y-face.jpg", images.card_jpeg(seed=10)))
    text = "\n".join(logs) + str(raised.value) + "".join(capsys.readouterr())
    assert len(logs) >= 4
    secrets = [APPCODE, wrong, FACE["num"], FACE["name"], FACE["address"], FACE["birth"],
               BACK["issue"]]
    for value in secrets:
        assert value not in text


def test_id_numbers_in_keys_are_masked_in_logs(bucket, env, ocr_api, logs):
    key = f"idcards/{FACE['num']}-face.jpg"
    run(bucket, env, upload(bucket, key, images.card_jpeg()))
    text = "\n".join(logs)
    assert FACE["num"] not in text and "3301**********2313" in text


def test_a_malformed_record_loses_none_of_the_others(bucket, env, ocr_api, logs):
    event = json.loads(oss_event(bucket.bucket_name,
                                 upload(bucket, "idcards/z-face.jpg", images.card_jpeg())))
    event["events"].insert(0, {"eventName": "ObjectCreated:PutObject", "oss": {"bucket": {}}})
    summary = handle(json.dumps(event).encode(), fc_context(), env)
    assert (summary["records"], summary["ok"], summary["skipped"]) == (2, 1, 1)
    assert summary["objects"][0] == {"record": 0, "status": "skipped", "reason": "malformed_record"}
    assert read_result(bucket, "idcards/z-face.jpg.json")[0]["status"] == "ok"
    assert parsed(logs)[0]["message"] == "malformed record skipped"


def test_an_event_that_is_not_an_oss_event_is_refused(env, ocr_api):
    from idcard_ocr.io.events import EventError
    with pytest.raises(EventError, match="not an OSS event: expected an 'events' list"):
        handle(b'{"Records": []}', fc_context(), env)
    assert ocr_api.requests == []


# Both sides of one sheet (a photocopy of the face above the back) ---------------------------

def test_a_sheet_with_both_sides_gets_both_in_one_record(bucket, env, ocr_api):
    ocr_api.state.face["sides_found"] = ["face", "back"]  # as the offline engine reports a sheet
    run(bucket, env, upload(bucket, "idcards/copy-sheet.jpg", images.card_jpeg()))
    doc, _ = read_result(bucket, "idcards/copy-sheet.jpg.json")
    assert [r.side for r in ocr_api.requests] == ["face", "back"]
    assert doc["side"] == "face" and doc["fields"] == FACE
    assert set(doc["sides"]) == {"face", "back"}
    assert doc["sides"]["back"]["fields"] == BACK and doc["sides"]["face"]["fields"] == FACE
    assert doc["sides"]["back"]["checks"]["validity_length"]["ok"] in (True, False)
    assert doc["sides"]["back"]["api"]["issue"] == BACK["issue"]


def test_without_sides_found_the_other_side_is_never_bought_on_a_guess(bucket, env, ocr_api):
    run(bucket, env, upload(bucket, "idcards/plain-scan.jpg", images.card_jpeg()))
    doc, _ = read_result(bucket, "idcards/plain-scan.jpg.json")
    assert [r.side for r in ocr_api.requests] == ["face"] and "sides" not in doc


def test_a_fixed_card_side_reads_one_side_of_a_sheet(bucket, env, ocr_api):
    ocr_api.state.face["sides_found"] = ["face", "back"]
    run(bucket, env | {"CARD_SIDE": "face"}, upload(bucket, "idcards/s2.jpg", images.card_jpeg()))
    assert [r.side for r in ocr_api.requests] == ["face"]


def test_the_second_side_failing_leaves_the_first(bucket, env, ocr_api):
    ocr_api.state.face["sides_found"] = ["face", "back"]
    ocr_api.state.card_side = "face"  # the back is not found after all
    summary = run(bucket, env, upload(bucket, "idcards/s3.jpg", images.card_jpeg()))
    doc, _ = read_result(bucket, "idcards/s3.jpg.json")
    assert summary["ok"] == 1 and doc["fields"] == FACE and "sides" not in doc
    assert len(ocr_api.requests) == 2
