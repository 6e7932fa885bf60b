"""The function tried as an attacker and a flaky network would try it (issue 11).

Forged results, repeated and late events, misbehaving OCR answers (drip, echo, huge, wrong
types), crafted events and keys: each ends in a documented state, costs at most one API call
per photo version, and leaks neither personal data nor the AppCode.
"""

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from idcard_ocr import handle
from idcard_ocr.card.keys import ResultLocation
from idcard_ocr.errors import ConfigError, EventError, InvocationFailed
from idcard_ocr.ops.cli import main as cli
from tests.conftest import (APPCODE, FUNCTION_DIR, SIGNING_KEY, fc_context, oss_event, parsed,
                            upload)
from tests.fakes import images
from tests.fakes.ocr_api import FACE


def result(bucket, key):
    return json.loads(bucket.get_object(key).read())


def run(bucket, env, *items, context=None):
    return handle(oss_event(bucket.bucket_name, *items), context or fc_context(), env)


# 2. Results that cannot be forged --------------------------------------------------------------

def forged(bucket_name, key, etag):
    return {"schema_version": 1, "status": "ok", "side": "face",
            "source": {"bucket": bucket_name, "key": key, "etag": etag, "size": 1},
            "fields": {"name": "假冒", "num": "110105199001012318"}, "checks_passed": True}


def test_a_planted_ok_result_is_not_believed_and_is_overwritten(bucket, env, ocr_api, logs):
    data = images.card_jpeg(seed=21)
    etag = hashlib.md5(data).hexdigest().upper()  # predictable: the MD5 of the file
    key = "idcards/forge-face.jpg"
    bucket.put_object(key + ".json", json.dumps(forged(bucket.bucket_name, key, etag)),
                      headers={"x-oss-meta-status": "ok", "x-oss-meta-source-etag": etag})
    item = upload(bucket, key, data)
    assert item[1] == etag
    summary = run(bucket, env, item)
    assert summary["ok"] == 1 and len(ocr_api.requests) == 1
    doc = result(bucket, key + ".json")
    assert doc["fields"] == FACE and doc["signature"]["alg"] == "HMAC-SHA256"


def test_a_genuine_result_copied_beside_another_photo_is_not_believed(bucket, env, ocr_api):
    first = upload(bucket, "idcards/a-face.jpg", images.card_jpeg(seed=22))
    run(bucket, env, first)
    data = images.card_jpeg(seed=22)  # the same bytes, so the same ETag
    genuine = bucket.get_object("idcards/a-face.jpg.json")
    bucket.put_object("idcards/b-face.jpg.json", genuine.read(),
                      headers={k: v for k, v in genuine.headers.items()
                               if k.lower().startswith("x-oss-meta-")})
    run(bucket, env, upload(bucket, "idcards/b-face.jpg", data))
    assert len(ocr_api.requests) == 2
    assert result(bucket, "idcards/b-face.jpg.json")["source"]["key"] == "idcards/b-face.jpg"


def test_a_result_signed_with_another_key_is_not_believed(bucket, env, ocr_api):
    item = upload(bucket, "idcards/c-face.jpg", images.card_jpeg(seed=23))
    another = "another-key-Qm7vT2xLp9RkW4sZc8NbF3hJd6Ya1Ue5"
    run(bucket, env | {"RESULT_SIGNING_KEY": another}, item)
    run(bucket, env, item)
    assert len(ocr_api.requests) == 2


def test_signing_keys_rotate_without_reprocessing(bucket, env, ocr_api):
    item = upload(bucket, "idcards/d-face.jpg", images.card_jpeg(seed=24))
    run(bucket, env, item)
    new = "new-key-Hs4Kw8Zq2Vn6Lc9Xb3Tr7Mf5Pj1Gd0Ey"
    rotated = env | {"RESULT_SIGNING_KEY": new + "," + SIGNING_KEY}
    assert run(bucket, rotated, item)["objects"][0]["reason"] == "already_done"
    assert len(ocr_api.requests) == 1


def test_report_counts_planted_results_as_untrusted(bucket, env, ocr_api, monkeypatch, capsys):
    run(bucket, env, upload(bucket, "idcards/e-face.jpg", images.card_jpeg(seed=25)))
    bucket.put_object("idcards/f-face.jpg.json",
                      json.dumps(forged(bucket.bucket_name, "idcards/f-face.jpg", "AB")))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"ok": 1, "untrusted": 1}


# 3. Billed once per photo version ---------------------------------------------------------------

def test_two_deliveries_at_once_in_two_processes_make_one_call(bucket, env, ocr_api, tmp_path):
    item = upload(bucket, "idcards/g-face.jpg", images.card_jpeg(seed=26))
    event = tmp_path / "event.json"
    event.write_bytes(oss_event(bucket.bucket_name, item))
    ocr_api.state.delay_s = 1.5  # both are inside the pipeline while the API answers
    child_env = dict(os.environ, **env, PYTHONPATH=FUNCTION_DIR)
    runs = [subprocess.Popen([sys.executable, "-m", "idcard_ocr", "invoke", str(event)],
                             env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [o[1][-500:] for o in outputs]
    outcomes = sorted(json.loads(out)["objects"][0].get("reason") or "ok" for out, _ in outputs)
    assert outcomes == ["already_done", "ok"]
    assert len(ocr_api.requests) == 1
    assert not bucket.object_exists(claim_key(item))


def test_a_late_event_for_an_overwritten_version_is_superseded(bucket, env, ocr_api):
    old = upload(bucket, "idcards/h-face.jpg", images.card_jpeg(seed=27))
    new = upload(bucket, "idcards/h-face.jpg", images.card_jpeg(seed=28))
    assert run(bucket, env, old)["objects"][0]["reason"] == "superseded"
    assert ocr_api.requests == []
    run(bucket, env, new)
    assert result(bucket, "idcards/h-face.jpg.json")["source"]["etag"] == new[1]


def test_a_result_write_denied_after_the_answer_is_not_bought_again(bucket, env, ocr_api,
                                                                   oss_server, logs):
    item = upload(bucket, "idcards/i-face.jpg", images.card_jpeg(seed=29))
    path = f"/{bucket.bucket_name}/idcards/i-face.jpg.json"
    oss_server.fail_next("PUT", path, 403, "AccessDenied", times=3)
    for _ in range(3):  # the first invocation and FC's two retries
        with pytest.raises(InvocationFailed, match="storage_denied"):
            run(bucket, env, item)
    assert len(ocr_api.requests) == 1
    assert "the function's role needs this permission" in "\n".join(logs)
    summary = run(bucket, env, item)  # the permission is granted: the kept answer is delivered
    assert summary["ok"] == 1 and len(ocr_api.requests) == 1
    assert result(bucket, "idcards/i-face.jpg.json")["fields"] == FACE
    assert parsed(logs)[-1]["kept_answer"] is True
    assert not bucket.object_exists(claim_key(item))


def test_a_hundred_records_of_one_key_without_etag_make_one_call(bucket, env, ocr_api):
    key, _, size = upload(bucket, "idcards/j-face.jpg", images.card_jpeg(seed=30))
    summary = run(bucket, env, *[(key, None, size)] * 100)
    assert len(ocr_api.requests) == 1
    assert summary["ok"] == 1 and summary["skipped"] == 99
    assert {o["reason"] for o in summary["objects"][1:]} == {"duplicate_record"}


def test_a_record_without_etag_is_judged_by_the_object_it_finds(bucket, env, ocr_api):
    key, etag, size = upload(bucket, "idcards/k-face.jpg", images.card_jpeg(seed=31))
    run(bucket, env, (key, etag, size))
    assert run(bucket, env, (key, None, size))["objects"][0]["reason"] == "already_done"
    assert len(ocr_api.requests) == 1


@pytest.mark.parametrize("answer", [{"num": 110105199001012318}, {"name": ["张", "三"]}],
                         ids=["number", "list"])
def test_an_answer_with_wrong_types_is_a_permanent_bad_response(bucket, env, ocr_api, answer):
    ocr_api.state.face.update(answer)
    item = upload(bucket, "idcards/l-face.jpg", images.card_jpeg(seed=32))
    summary = run(bucket, env | {"CARD_SIDE": "face"}, item)
    assert summary["error"] == 1 and len(ocr_api.requests) == 1
    assert result(bucket, "idcards/l-face.jpg.json")["error"]["code"] == "bad_response"


def test_an_empty_answer_is_a_permanent_bad_response(bucket, env, ocr_api):
    ocr_api.fail_next(200, "", body=b"{}")
    item = upload(bucket, "idcards/m-face.jpg", images.card_jpeg(seed=33))
    run(bucket, env | {"CARD_SIDE": "face"}, item)
    doc = result(bucket, "idcards/m-face.jpg.json")
    assert doc["status"] == "error" and doc["error"]["code"] == "bad_response"
    assert len(ocr_api.requests) == 1


# 4. Deadlines ------------------------------------------------------------------------------------

def test_a_dripping_api_is_cut_at_the_request_timeout(bucket, env, ocr_api):
    ocr_api.state.drip_s = 0.3  # a few hundred bytes at 0.3 s each: minutes if unbounded
    item = upload(bucket, "idcards/n-face.jpg", images.card_jpeg(seed=34))
    started = time.monotonic()
    with pytest.raises(InvocationFailed, match="api_timeout"):
        run(bucket, env | {"OCR_TIMEOUT_S": "1", "OCR_MAX_ATTEMPTS": "2"}, item,
            context=fc_context(timeout=10))
    # Two attempts of one second and a backoff, not one read timeout per byte.
    assert time.monotonic() - started < 10
    assert len(ocr_api.requests) == 2


def test_a_huge_answer_is_not_read_and_is_a_bad_response(bucket, env, ocr_api):
    ocr_api.state.huge_bytes = 100 * 1024 * 1024
    item = upload(bucket, "idcards/o-face.jpg", images.card_jpeg(seed=35))
    run(bucket, env | {"CARD_SIDE": "face"}, item)
    doc = result(bucket, "idcards/o-face.jpg.json")
    assert doc["error"]["code"] == "bad_response" and "was not read" in doc["error"]["message"]
    assert bucket.get_object("idcards/o-face.jpg.json").content_length < 10_000


# 5. Inputs cannot steer credentials --------------------------------------------------------------

@pytest.fixture
def listener():
    """A socket that records whoever connects to it (where a crafted region would send us)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn.recv(4096))
                conn.close()
            except OSError:
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


def test_the_event_region_never_chooses_the_endpoint(bucket, env, ocr_api, listener):
    port, accepted = listener
    event = json.loads(oss_event(bucket.bucket_name, upload(bucket, "idcards/p-face.jpg",
                                                            images.card_jpeg(seed=36))))
    event["events"][0]["region"] = f"x@127.0.0.1:{port}/#"
    no_endpoint = {k: v for k, v in env.items() if k != "OSS_ENDPOINT"}
    context = fc_context()
    context.region = None
    with pytest.raises(ConfigError, match="OSS_ENDPOINT"):
        handle(json.dumps(event).encode(), context, no_endpoint)
    with pytest.raises(ConfigError, match="FC_REGION"):
        handle(json.dumps(event).encode(), context,
               no_endpoint | {"FC_REGION": f"x@127.0.0.1:{port}/#"})
    time.sleep(0.3)
    assert accepted == []


@pytest.mark.parametrize("name", ["UPPER", "a", "with space", "x" * 70, "bad_underscore",
                                  "127.0.0.1:9/x"])
def test_a_crafted_bucket_name_is_a_malformed_record(bucket, env, ocr_api, name):
    event = json.loads(oss_event(bucket.bucket_name, "idcards/q-face.jpg"))
    event["events"][0]["oss"]["bucket"]["name"] = name
    summary = handle(json.dumps(event).encode(), fc_context(), env)
    assert summary["objects"] == [{"record": 0, "status": "skipped",
                                   "reason": "malformed_record"}]


# 6. Masking --------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["idcards/user110105199001012318-face.jpg",
                                 "idcards/a\n110105199001012318 face.jpg",
                                 "idcards/x_11010519900101231X_face.jpg",
                                 "idcards/old110105900101231face.jpg"])
def test_every_citizen_number_shape_is_masked_in_logs(bucket, env, ocr_api, logs, key):
    try:  # no such object: its key is logged all the same
        run(bucket, env, (key, "0" * 32, 10))
    except InvocationFailed:
        pass  # moto answers a key with a newline with a bare 404: a failed object, logged too
    text = "\n".join(logs)
    for number in ("110105199001012318", "11010519900101231X", "110105900101231"):
        assert number not in text
    assert "1101**********" in text or "1101*******1231" in text


# 7. The AppCode reaches nothing that is stored ---------------------------------------------------

def stored_text(bucket) -> str:
    return "\n".join(bucket.get_object(o.key).read().decode("utf-8", "replace")
                     for o in bucket.list_objects("idcards/").object_list
                     if o.key.endswith(".json"))


def test_an_appcode_echoed_in_a_200_is_not_stored(bucket, env, ocr_api, logs):
    ocr_api.state.face["note"] = f"echo {APPCODE} echo"
    ocr_api.state.face["debug"] = {"auth": [f"APPCODE {APPCODE.upper()}"]}
    run(bucket, env, upload(bucket, "idcards/r-face.jpg", images.card_jpeg(seed=38)))
    text = stored_text(bucket) + "\n".join(logs)
    assert APPCODE.lower() not in text.lower()
    assert result(bucket, "idcards/r-face.jpg.json")["api"]["note"] == "echo *** echo"


@pytest.mark.parametrize("message", [f"Unauthorized: {APPCODE.upper()}",
                                     "x" * 190 + APPCODE, "y" * 195 + APPCODE.swapcase()],
                         ids=["upper", "crossing-the-cut", "swapped-case"])
def test_an_appcode_echoed_in_an_error_is_not_stored(bucket, env, ocr_api, logs, message):
    ocr_api.fail_next(403, message)
    run(bucket, env | {"CARD_SIDE": "face"},
        upload(bucket, "idcards/s-face.jpg", images.card_jpeg(seed=39)))
    text = stored_text(bucket) + "\n".join(logs)
    for prefix_length in (8, 12, 16, len(APPCODE)):
        assert APPCODE[:prefix_length].lower() not in text.lower()


# 8. Every failure filed right --------------------------------------------------------------------

def test_a_missing_result_bucket_is_permanent_and_names_the_setting(bucket, env, ocr_api):
    item = upload(bucket, "idcards/t-face.jpg", images.card_jpeg(seed=40))
    with pytest.raises(InvocationFailed, match="bucket_missing") as raised:
        run(bucket, env | {"RESULT_BUCKET": "no-such-bucket-here"}, item)
    assert ocr_api.requests == []  # found before paying: the claim could not be written
    assert raised.value.failures == [("idcards/t-face.jpg", "bucket_missing")]


def test_a_404_without_no_such_key_is_not_retried_as_transient(bucket, env, ocr_api, oss_server):
    item = upload(bucket, "idcards/u-face.jpg", images.card_jpeg(seed=41))
    oss_server.fail_next("GET", f"/{bucket.bucket_name}/idcards/u-face.jpg$", 404,
                         "NoSuchBucket", times=1)
    summary = run(bucket, env, item)
    assert summary["error"] == 1
    assert result(bucket, "idcards/u-face.jpg.json")["error"]["code"] == "bucket_missing"


@pytest.mark.parametrize("event", [b"\xff\xfe not utf-8", b"[" * 100_000 + b"]" * 100_000,
                                   b'{"events": "not a list"}', b'{"events": []}', b"42",
                                   b'[{"specversion": "1.0", "data": "not a record"}]'],
                         ids=["not-utf8", "deep", "wrong-type", "empty", "number",
                              "cloudevent-without-record"])
def test_malformed_events_are_event_errors_and_exit_2_in_invoke(env, ocr_api, tmp_path,
                                                                 monkeypatch, capsys, event):
    parsed_records = None
    try:
        parsed_records = handle(event, fc_context(), env)
    except EventError:
        pass
    if parsed_records is not None:  # a batch whose one item is unusable fails that item only
        assert parsed_records["objects"][0]["reason"] == "malformed_record"
        return
    path = tmp_path / "event.json"
    path.write_bytes(event)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["invoke", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: event_invalid") and "Traceback" not in err


def test_base64_body_is_what_was_read(bucket, env, ocr_api):
    data = images.card_jpeg(seed=42)
    run(bucket, env, upload(bucket, "idcards/v-face.jpg", data))
    assert base64.b64encode(ocr_api.requests[0].image) == base64.b64encode(data)


# Deadlines of the other remote calls (found by a hostile review) ---------------------------------

def test_a_dripping_oss_answer_is_cut_at_the_deadline(bucket, env, ocr_api, s3_endpoint):
    from tests.fakes.drip_proxy import DripProxy
    item = upload(bucket, "idcards/slow-face.jpg", images.card_jpeg(seed=96)[:4000])
    with DripProxy(s3_endpoint, "/idcards/slow-face.jpg", 0.004) as proxy:
        started = time.monotonic()
        with pytest.raises(InvocationFailed, match="storage_unavailable"):
            handle(oss_event(bucket.bucket_name, item), fc_context(timeout=5),
                   env | {"OSS_ENDPOINT": proxy, "OCR_TIMEOUT_S": "1"})
        elapsed = time.monotonic() - started
    assert elapsed < 5  # it took 17 s: each read had its own timeout, the request none
    assert ocr_api.requests == []


def test_a_dripping_mns_answer_is_cut_and_the_paid_answer_kept(bucket, env, ocr_api, mns):
    from tests.fakes.drip_proxy import DripProxy
    item = upload(bucket, "idcards/mns-face.jpg", images.card_jpeg(seed=97))
    settings = env | {"OUTPUT": "mns", "MNS_QUEUE": "idcard-results", "OCR_TIMEOUT_S": "1"}
    with DripProxy(mns.endpoint, "/queues/", 0.05) as proxy:
        started = time.monotonic()
        with pytest.raises(InvocationFailed, match="mns_send_failed"):
            handle(oss_event(bucket.bucket_name, item), fc_context(timeout=5),
                   settings | {"MNS_ENDPOINT": proxy})
        assert time.monotonic() - started < 5  # it took 11 s
    run(bucket, settings | {"MNS_ENDPOINT": mns.endpoint}, item)  # FC's retry
    assert len(ocr_api.requests) == 1
    # The cut sends reached the queue before their answers dripped: at least once, one identity.
    assert len({m.json["dedup_id"] for m in mns.messages}) == 1


# Answers bought once, whatever fails after them (found by a hostile review) ----------------------

@pytest.mark.parametrize("change", [{"card_region": [{"x": float("nan"), "y": 0}] * 4},
                                   {"score": float("inf")}], ids=["nan-geometry", "infinity"])
def test_nan_or_infinity_in_an_answer_is_a_permanent_bad_response(bucket, env, ocr_api,
                                                                  change):
    ocr_api.state.face.update(change)
    item = upload(bucket, "idcards/nan-face.jpg", images.card_jpeg(seed=90))
    assert run(bucket, env | {"CARD_SIDE": "face"}, item)["error"] == 1  # no FC retry: it is
    assert result(bucket, "idcards/nan-face.jpg.json")["error"]["code"] == "bad_response"
    assert len(ocr_api.requests) == 1
    assert not bucket.object_exists(claim_key(item))
    assert run(bucket, env | {"CARD_SIDE": "face"}, item)["skipped"] == 1  # a repeat: settled
    assert len(ocr_api.requests) == 1


@pytest.mark.parametrize("extra", [{"sides_found": 1}, {"face_rect": "here"},
                                   {"card_region": [1, 2, 3, 4]}], ids=["sides", "rect", "region"])
def test_extras_of_the_wrong_shape_are_dropped_and_the_fields_stand(bucket, env, ocr_api, extra):
    ocr_api.state.face.update(extra)
    run(bucket, env, upload(bucket, "idcards/odd-face.jpg", images.card_jpeg(seed=89)))
    doc = result(bucket, "idcards/odd-face.jpg.json")
    assert doc["status"] == "ok" and doc["fields"] == FACE and len(ocr_api.requests) == 1
    assert set(extra) & set(doc["api"]) == set()


@pytest.mark.parametrize("status, code", [(503, "ServiceUnavailable"), (403, "AccessDenied")])
def test_crops_failing_after_the_answer_leave_them_out_not_the_result(bucket, env, ocr_api,
                                                                      oss_server, status, code):
    oss_server.fail_next("PUT", "/crops/", status, code, times=3)
    run(bucket, env | {"SAVE_CROPS": "true"},
        upload(bucket, "idcards/crop-face.jpg", images.card_jpeg(seed=92)))
    doc = result(bucket, "idcards/crop-face.jpg.json")
    assert doc["status"] == "ok" and "crops" not in doc and doc["assessment_error"]
    assert len(ocr_api.requests) == 1


def test_the_face_answer_is_not_bought_again_when_the_back_fails(bucket, env, ocr_api):
    ocr_api.state.card_side = "back"  # the name says nothing: face (not found), then back
    item = upload(bucket, "idcards/unnamed-1.jpg", images.card_jpeg(seed=93))
    ocr_api.fail_on_side("back", 503, times=1)
    with pytest.raises(InvocationFailed):
        run(bucket, env | {"OCR_MAX_ATTEMPTS": "1"}, item)
    summary = run(bucket, env, item)  # FC's retry
    assert summary["ok"] == 1
    assert [r.side for r in ocr_api.requests] == ["face", "back", "back"]


def test_a_sheet_keeps_its_first_side_when_the_second_fails(bucket, env, ocr_api):
    ocr_api.state.face["sides_found"] = ["face", "back"]
    item = upload(bucket, "idcards/sheet-1.jpg", images.card_jpeg(seed=88))
    ocr_api.fail_on_side("back", 503, times=1)
    with pytest.raises(InvocationFailed):
        run(bucket, env | {"OCR_MAX_ATTEMPTS": "1"}, item)
    run(bucket, env, item)  # FC's retry
    assert [r.side for r in ocr_api.requests] == ["face", "back", "back"]
    assert set(result(bucket, "idcards/sheet-1.jpg.json")["sides"]) == {"face", "back"}


# The claim protocol under attack (found by a hostile review) -------------------------------------

def claim_key(item):
    key, etag, _ = item
    return ResultLocation().claim_key(key, etag)


def _pay_once(bucket, env, item):
    from idcard_ocr.app import App
    from idcard_ocr.payonce import PayOnce, PhotoVersion
    results = App.from_environment(env, fc_context()).results(bucket.bucket_name)
    return PayOnce(results, wait_s=0), PhotoVersion(bucket.bucket_name, item[0], item[1])


def test_two_takers_of_one_stale_claim_cannot_both_win(bucket, env):
    from idcard_ocr.errors import Claimed
    from idcard_ocr.io.retry import Deadline
    from idcard_ocr.payonce import Ticket
    item = upload(bucket, "idcards/race-face.jpg", images.card_jpeg(seed=94))
    owner, version = _pay_once(bucket, env, item)
    crashed = owner.acquire(version, "crashed-holder", Deadline(10), settled=None)
    crashed.bought("face", None, Deadline(10))
    crashed.abandon()  # it failed after paying: its answer waits for one taker
    outcomes = []
    barrier = threading.Barrier(4)

    def take(holder):
        barrier.wait()
        try:
            outcomes.append(owner.acquire(version, holder, Deadline(30), settled=None))
        except Claimed:
            outcomes.append("claimed")
    threads = [threading.Thread(target=take, args=(f"holder-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [o for o in outcomes if isinstance(o, Ticket)]
    assert len(won) == 1 and outcomes.count("claimed") == 3
    assert won[0].taken_over and won[0].answers == {"face": None}


def test_copied_metadata_does_not_make_a_forged_body_stand(bucket, env, ocr_api):
    item = upload(bucket, "idcards/seal-face.jpg", images.card_jpeg(seed=95))
    run(bucket, env, item)
    genuine = bucket.head_object("idcards/seal-face.jpg.json")
    meta = {k: v for k, v in genuine.headers.items() if k.lower().startswith("x-oss-meta-")}
    bucket.put_object("idcards/seal-face.jpg.json",
                      json.dumps(forged(bucket.bucket_name, item[0], item[1])), headers=meta)
    run(bucket, env, item)
    assert len(ocr_api.requests) == 2
    assert result(bucket, "idcards/seal-face.jpg.json")["fields"] == FACE


def test_a_planted_unreadable_claim_is_taken_over(bucket, env, ocr_api):
    item = upload(bucket, "idcards/block-face.jpg", images.card_jpeg(seed=99))
    bucket.put_object(claim_key(item), b" " * (4 * 1024 * 1024 + 1))
    assert run(bucket, env, item)["ok"] == 1 and len(ocr_api.requests) == 1
    assert not bucket.object_exists(claim_key(item))


def test_a_replayed_claim_does_not_come_alive_again(bucket, env, ocr_api):
    from idcard_ocr.io.retry import Deadline
    item = upload(bucket, "idcards/replay-face.jpg", images.card_jpeg(seed=98))
    owner, version = _pay_once(bucket, env, item)
    owner.acquire(version, "old-holder", Deadline(1), settled=None)  # lives 31 s
    body = bucket.get_object(claim_key(item)).read()
    doc = json.loads(body)
    assert doc["holder"] == "old-holder" and doc["ttl_s"] > 30
    # the same body, signed, written again much later: its signed expiry has passed
    owner.clock = _Later(doc["ttl_s"] + 1)
    bucket.put_object(claim_key(item), body)  # a fresh Last-Modified
    taken = owner.acquire(version, "new-holder", Deadline(10), settled=None)
    assert taken.taken_over


class _Later:
    """The system's clock, `by` seconds on."""

    def __init__(self, by):
        self.by = by

    def time(self):
        return time.time() + self.by

    def monotonic(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)


# Personal data in every output, and failures filed right (found by a hostile review) -------------

@pytest.mark.parametrize("key", ["idcards/1101 0519 9001 0123 18-face.jpg",
                                 "idcards/110105-19900101-2318-face.jpg",
                                 "idcards/1101051990\u200b01012318-face.jpg",
                                 "idcards/11010519900101231X1-face.jpg",
                                 "idcards/1101051990010123180001-face.jpg"],
                         ids=["spaces", "hyphens", "zero-width", "x-then-digit", "longer-run"])
def test_separated_and_longer_numbers_are_masked_in_logs(bucket, env, ocr_api, logs, key):
    try:
        run(bucket, env, (key, "0" * 32, 10))
    except InvocationFailed:
        pass
    digits = "".join(c for c in "\n".join(logs) if c.isdigit())
    assert "0519900101" not in digits


def test_the_summary_and_invoke_stdout_mask_keys(bucket, env, ocr_api, tmp_path, monkeypatch,
                                                 capsys):
    number = "110105199001012318"
    item = upload(bucket, f"idcards/{number}-face.jpg", images.card_jpeg(seed=97))
    summary = run(bucket, env, item)  # FC keeps it as the invocation's result
    assert number not in json.dumps(summary) and "1101**********2318" in json.dumps(summary)
    path = tmp_path / "event.json"
    path.write_bytes(oss_event(bucket.bucket_name, item))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["invoke", str(path)]) == 0
    assert number not in capsys.readouterr().out


def test_oss2s_own_log_lines_are_scrubbed(bucket, env, ocr_api):
    import logging
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())
    handler = Keep(level=logging.INFO)
    oss2_logger = logging.getLogger("oss2")
    oss2_logger.addHandler(handler)
    old_level = oss2_logger.level
    oss2_logger.setLevel(logging.INFO)
    try:
        run(bucket, env, ("idcards/110105199001012318-face.jpg", "0" * 32, 10))  # NoSuchKey
    finally:
        oss2_logger.removeHandler(handler)
        oss2_logger.setLevel(old_level)
    assert seen and not any("110105199001012318" in line for line in seen)


def test_a_key_that_is_not_utf8_is_a_malformed_record(bucket, env, ocr_api):
    event = json.loads(oss_event(bucket.bucket_name, ("idcards/x.jpg", "0" * 32, 10)))
    event["events"][0]["oss"]["object"]["key"] = "idcards/\ud800-face.jpg"
    summary = handle(json.dumps(event).encode(), fc_context(), env)
    assert summary["objects"][0]["reason"] == "malformed_record"


def test_a_key_whose_result_could_not_be_named_is_skipped_unread(bucket, env, ocr_api):
    key = "idcards/" + "a" * 990 + ".jpg"  # 1002 bytes: its claim key would pass 1023
    summary = run(bucket, env, (key, "0" * 32, 10))
    assert summary["objects"][0]["reason"] == "key_too_long" and ocr_api.requests == []


def test_a_missing_bucket_on_the_command_line_exits_2(env, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["report", "--bucket", "no-such-bucket-anywhere"]) == 2
    assert "--bucket" in capsys.readouterr().err
