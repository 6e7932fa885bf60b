"""Backfill of objects already in the bucket: local mode, against moto and the OCR server."""

import json
import time

import pytest

from idcard_ocr.io.oss import ObjectStore
from idcard_ocr.ops.backfill import RateLimiter
from idcard_ocr.ops.cli import main as cli
from tests.conftest import fc_context, new_bucket, oss_event, upload
from tests.fakes import images


@pytest.fixture
def filled(bucket, env, ocr_api):
    """new x3, done x1, failed x1, a non-image and a result, as a real bucket has them."""
    from idcard_ocr import handle
    for i in range(3):
        bucket.put_object(f"idcards/new-{i} 张+%.jpg", images.card_jpeg(seed=i))
    done = upload(bucket, "idcards/done-face.jpg", images.card_jpeg(seed=10))
    failed = upload(bucket, "idcards/failed-face.jpg", images.card_jpeg(seed=11))
    handle(oss_event(bucket.bucket_name, done), fc_context(), env)
    ocr_api.fail_next(403, "Quota Exhausted")
    handle(oss_event(bucket.bucket_name, failed), fc_context(), env | {"CARD_SIDE": "face"})
    bucket.put_object("idcards/readme.txt", b"not a photo")
    ocr_api.reset()
    return bucket


def backfill(bucket, env, monkeypatch, capsys, *extra):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli(["backfill", "--bucket", bucket.bucket_name, "--prefix", "idcards/",
                "--mode", "local", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_listing_streams_every_page(bucket, monkeypatch):
    import idcard_ocr.io.oss as module
    monkeypatch.setattr(module, "PAGE_SIZE", 2)
    for i in range(5):
        bucket.put_object(f"p/{i}+ 号.jpg", b"x")
    keys = [o.key for o in ObjectStore(bucket).list("p/")]
    assert keys == [f"p/{i}+ 号.jpg" for i in range(5)]


def test_backfill_does_the_new_ones_and_skips_the_rest(filled, env, ocr_api, monkeypatch,
                                                       capsys):
    code, report = backfill(filled, env, monkeypatch, capsys)
    assert code == 0
    assert report["submitted"] == 3 and report["done"] == {"ok": 3}
    assert report["skipped"] == {"already_done": 1, "failed_before": 1, "own_output": 2,
                                 "not_an_image_key": 1}
    assert len(ocr_api.requests) == 3
    assert filled.object_exists("idcards/new-0 张+%.jpg.json")

    code, again = backfill(filled, env, monkeypatch, capsys)  # resumable: nothing twice
    assert again["submitted"] == 0 and len(ocr_api.requests) == 3


def test_retry_failed_redoes_error_results(filled, env, ocr_api, monkeypatch, capsys):
    backfill(filled, env, monkeypatch, capsys)
    code, report = backfill(filled, env, monkeypatch, capsys, "--retry-failed")
    assert code == 0 and report["submitted"] == 1 and report["done"] == {"ok": 1}
    doc = json.loads(filled.get_object("idcards/failed-face.jpg.json").read())
    assert doc["status"] == "ok"


def test_force_redoes_everything(filled, env, ocr_api, monkeypatch, capsys):
    code, report = backfill(filled, env, monkeypatch, capsys, "--force")
    assert report["submitted"] == 5 and len(ocr_api.requests) == 5


def test_dry_run_calls_nothing_and_writes_nothing(filled, env, ocr_api, monkeypatch, capsys):
    code, report = backfill(filled, env, monkeypatch, capsys, "--dry-run")
    assert report["submitted"] == 3 and report["done"] == {} and ocr_api.requests == []
    assert not filled.object_exists("idcards/new-0 张+%.jpg.json")


def test_failures_make_the_exit_code_non_zero(filled, env, ocr_api, monkeypatch, capsys):
    ocr_api.fail_next(503, "Service Unavailable", times=50)
    code, report = backfill(filled, env | {"OCR_MAX_ATTEMPTS": "1"}, monkeypatch, capsys)
    assert code == 1 and report["failed"] == {"api_unavailable": 3}


def test_rate_limit_is_held_across_threads(filled, env, ocr_api, monkeypatch, capsys):
    code, report = backfill(filled, env, monkeypatch, capsys, "--force", "--qps", "5",
                            "--concurrency", "4")
    times = sorted(r.at for r in ocr_api.requests)
    assert len(times) == 5
    assert times[-1] - times[0] >= 4 * 0.2 * 0.8  # 5 calls at 5/s span at least ~0.8 s


def test_rate_limiter_spacing():
    now = [0.0]
    slept = []
    limiter = RateLimiter(10, clock=lambda: now[0], sleep=slept.append)
    for _ in range(3):
        limiter.acquire()
    assert slept == pytest.approx([0.1, 0.2])


def test_bad_settings_exit_2(bucket, monkeypatch, capsys):
    monkeypatch.delenv("OSS_ENDPOINT", raising=False)
    monkeypatch.setenv("OCR_APPCODE", "x")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b")
    assert cli(["backfill", "--bucket", "b", "--mode", "local"]) == 2
    assert "OSS_ENDPOINT" in capsys.readouterr().err


def test_report_counts_by_code_with_masked_examples_and_a_csv(filled, env, ocr_api,
                                                               monkeypatch, capsys, tmp_path):
    import csv
    from tests.fakes.ocr_api import FACE
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "results.csv"
    assert cli(["report", "--bucket", filled.bucket_name, "--prefix", "idcards/",
                "--csv", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_status"] == {"ok": 1, "error:quota_exhausted": 1}
    assert summary["examples"]["error:quota_exhausted"] == "idcards/failed-face.jpg"
    assert FACE["num"] not in json.dumps(summary, ensure_ascii=False)
    with open(out, encoding="utf-8-sig") as f:
        rows = {row["key"]: row for row in csv.DictReader(f)}
    assert rows["idcards/done-face.jpg"]["num"] == FACE["num"]  # the CSV is for reconciling
    assert rows["idcards/failed-face.jpg"]["error_code"] == "quota_exhausted"


# Invoke mode: FC 3.0's InvokeFunction against tests/fakes/fc_api.py (ACS3 signature checked) ---

@pytest.fixture
def fc():
    from tests.fakes.fc_api import FcServer
    with FcServer() as server:
        yield server


def invoke(bucket, env, monkeypatch, capsys, fc, *extra):
    return backfill(bucket, env, monkeypatch, capsys, "--mode", "invoke", "--fc-endpoint",
                    fc.endpoint, *extra)


def photo_event(key="idcards/a-face.jpg"):
    from idcard_ocr.io.events import ObjectEvent
    return ObjectEvent("ObjectCreated:PutObject", "bucket", key, "ETAG", 1, "cn-hangzhou", None)


def test_invoke_mode_hands_each_photo_to_the_function_asynchronously(filled, env, ocr_api, fc,
                                                                     monkeypatch, capsys):
    code, report = invoke(filled, env, monkeypatch, capsys, fc, "--concurrency", "2",
                          "--qualifier", "prod")
    assert code == 0 and report["done"] == {"invoked": 3} and ocr_api.requests == []
    invocations = fc.invocations
    assert len(invocations) == len(fc.calls) == 3  # once each, no retry needed
    assert {(i.function, i.qualifier, i.invocation_type) for i in invocations} == {
        ("idcard-ocr", "prod", "Async")}
    keys = set()
    for invocation in invocations:
        assert invocation.headers["x-acs-security-token"] == "test-sts-token"
        assert invocation.headers["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=")
        [record] = invocation.payload["events"]
        assert record["eventName"] == "ObjectCreated:PutObject"
        assert record["eventSource"] == "acs:oss"
        assert record["oss"]["bucket"]["name"] == filled.bucket_name
        assert record["oss"]["object"]["eTag"] and record["oss"]["object"]["size"] > 0
        keys.add(record["oss"]["object"]["key"])
    assert keys == {f"idcards/new-{i} 张+%.jpg" for i in range(3)}


def test_the_invoked_event_is_one_the_function_processes(filled, env, ocr_api, fc,
                                                        monkeypatch, capsys):
    from idcard_ocr import handle
    invoke(filled, env, monkeypatch, capsys, fc)
    payload = json.dumps(fc.invocations[0].payload).encode()
    assert handle(payload, fc_context(), env)["ok"] == 1


def test_invoke_failures_are_retried_then_counted_per_photo(filled, env, ocr_api, fc,
                                                            monkeypatch, capsys):
    fc.fail_next(503, "ServiceUnavailable", times=3)  # every attempt the first photo gets
    code, report = invoke(filled, env, monkeypatch, capsys, fc, "--concurrency", "1")
    assert code == 1 and report["failed"] == {"invoke_failed": 1}
    assert report["done"] == {"invoked": 2} and len(fc.invocations) == 2
    assert [c.status for c in fc.calls] == [503, 503, 503, 202, 202]


def test_throttling_waits_as_long_as_fc_asks_then_succeeds(filled, env, ocr_api, fc,
                                                           monkeypatch, capsys):
    fc.fail_next(429, "ResourceThrottled", retry_after_ms=400)
    code, report = invoke(filled, env, monkeypatch, capsys, fc, "--concurrency", "1")
    assert code == 0 and report["done"] == {"invoked": 3} and len(fc.invocations) == 3
    throttled, retried = fc.calls[:2]
    assert (throttled.status, retried.status) == (429, 202)
    assert retried.at - throttled.at >= 0.4


def test_non_json_errors_and_unknown_functions(filled, env, ocr_api, fc, monkeypatch, capsys):
    fc.fail_next(502, "BadGateway", body=b"<html>502 Bad Gateway</html>")  # a proxy's page
    code, report = invoke(filled, env, monkeypatch, capsys, fc, "--concurrency", "1")
    assert code == 0 and report["done"] == {"invoked": 3}  # retried like no answer at all

    before = len(fc.calls)
    code, report = invoke(filled, env, monkeypatch, capsys, fc, "--function", "no-such-fn")
    assert code == 1 and report["failed"] == {"invoke_failed": 3}
    assert [c.code for c in fc.calls[before:]] == ["FunctionNotFound"] * 3  # 4xx: no retry


def test_a_wrong_secret_is_refused_by_the_signature_check(filled, env, ocr_api, fc,
                                                          monkeypatch, capsys):
    for name, value in (env | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"}).items():
        monkeypatch.setenv(name, value)
    code = cli(["backfill", "--bucket", filled.bucket_name, "--prefix", "idcards/", "--mode",
                "invoke", "--fc-endpoint", fc.endpoint])
    out, err = capsys.readouterr()
    assert code == 1 and fc.invocations == []
    assert json.loads(out)["failed"] == {"invoke_failed": 3}
    assert [c.code for c in fc.calls] == ["SignatureDoesNotMatch"] * 3
    assert "test-sts-token" not in out + err and "wrong" not in out + err


def test_an_invoke_error_names_status_and_code_and_carries_no_secret(fc):
    """FC's refusal quotes the request it checked (security token included); the error the
    backfill raises keeps the status, the code and the request id only."""
    from idcard_ocr.errors import TransientError
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.ops.backfill import Invoker
    invoker = Invoker(fc.endpoint, "idcard-ocr",
                      Credentials("test-key-id", "wrong-secret", "test-sts-token"))
    with pytest.raises(TransientError) as raised:
        invoker(photo_event())
    error = raised.value
    assert (error.code, error.status, error.attempts) == ("invoke_failed", 403, 1)
    assert error.message.startswith("InvokeFunction: HTTP 403 SignatureDoesNotMatch (request id ")
    for secret in ("test-sts-token", "wrong-secret", "x-acs-security-token"):
        assert secret not in str(error)


def test_a_slow_fc_costs_a_bounded_time_per_photo(fc):
    from idcard_ocr.errors import TransientError
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.io.retry import RetryPolicy
    from idcard_ocr.ops.backfill import Invoker
    fc.state.delay_s = 5.0  # unbounded, two attempts would take 10 s
    invoker = Invoker(fc.endpoint, "idcard-ocr",
                      Credentials("test-key-id", "test-key-secret", "test-sts-token"),
                      policy=RetryPolicy(max_attempts=2, per_call_s=0.5))
    started = time.monotonic()
    with pytest.raises(TransientError) as raised:
        invoker(photo_event())
    assert raised.value.code == "invoke_failed" and raised.value.attempts == 2
    assert "no readable answer" in raised.value.message
    assert time.monotonic() - started < 4.0  # two 0.5 s timeouts and one backoff, not 10 s


@pytest.mark.parametrize("endpoint", ["http://fc.example.com", "ftp://127.0.0.1",
                                      "https://host/path",
                                      # urlsplit's host is 127.0.0.1, the HTTP client's is
                                      # fc.example.com: the STS token in clear text
                                      "http://fc.example.com\\@127.0.0.1",
                                      # urlsplit raised a bare ValueError on these
                                      "http://[::1", "https://fc.example.com:99999"])
def test_the_endpoint_must_be_https_except_on_loopback(endpoint):
    from idcard_ocr.errors import ConfigError
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.ops.backfill import Invoker
    with pytest.raises(ConfigError, match="--fc-endpoint"):
        Invoker(endpoint, "idcard-ocr", Credentials("id", "secret"))


def test_the_fake_checks_the_signature_as_the_gateway_does(fc):
    """The stand-in is no shortcut: a replayed, altered or re-dated request is refused."""
    import requests
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.ops.backfill import Invoker
    Invoker(fc.endpoint, "idcard-ocr", Credentials("test-key-id", "test-key-secret",
                                                   "test-sts-token"))(photo_event())
    [sent] = fc.calls
    body = json.dumps(fc.invocations[0].payload).encode()
    url = fc.endpoint + "/2023-03-30/functions/idcard-ocr/invocations"
    headers = {k: v for k, v in sent.headers.items() if k.lower() != "content-length"}

    def answer(**changes):
        return requests.post(url, data=changes.pop("body", body),
                             headers=dict(headers, **changes), timeout=5).json()["Code"]

    assert answer(**{"x-fc-invocation-type": "Sync"}) == "SignatureDoesNotMatch"
    assert answer(body=body + b" ") == "ContentSHA256Mismatch"
    assert answer(**{"x-acs-signature-nonce": "fresh"}) == "SignatureDoesNotMatch"
    assert answer(**{"x-acs-date": "2020-01-01T00:00:00Z"}) == "InvalidTimeStamp.Expired"
    assert answer(**{"x-acs-extra": "unsigned"}) == "IncompleteSignature"
    assert answer() == "SignatureNonceUsed"  # the very request, replayed
    assert len(fc.invocations) == 1


def test_invoke_mode_needs_an_endpoint(filled, env, monkeypatch, capsys):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("FC_ENDPOINT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["backfill", "--bucket", filled.bucket_name, "--mode", "invoke"]) == 2
    assert "--fc-endpoint" in capsys.readouterr().err


def test_the_sdk_never_prints_the_security_token_or_a_signature(filled, env, fc):
    """With DEBUG=sdk the SDK logs every request's headers; run the real CLI to see."""
    import os
    import subprocess
    import sys

    from tests.conftest import FUNCTION_DIR
    child_env = dict(os.environ, **env)
    child_env.update(ALIBABA_CLOUD_ACCESS_KEY_SECRET="wrong", DEBUG="sdk",
                     ALIBABA_CLOUD_SECURITY_TOKEN="SECRET-STS-TOKEN-123")
    child_env.pop("PYTHONPATH", None)
    run = subprocess.run([sys.executable, "-m", "idcard_ocr.ops.cli", "backfill", "--bucket",
                          filled.bucket_name, "--prefix", "idcards/", "--mode", "invoke",
                          "--fc-endpoint", fc.endpoint], cwd=FUNCTION_DIR, env=child_env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and json.loads(run.stdout)["failed"] == {"invoke_failed": 3}
    assert "x-acs-action : InvokeFunction" in run.stderr  # the SDK's debug log was on
    signatures = [c.headers["Authorization"].rsplit("Signature=", 1)[1] for c in fc.calls]
    assert len(signatures) == 3
    for secret in ["SECRET-STS-TOKEN-123", *signatures]:
        assert secret not in run.stdout + run.stderr


# Issue 10: one result store, one composition root, per-object failures ------------------------

@pytest.fixture
def result_bucket(s3_endpoint):
    return new_bucket(s3_endpoint, "results")


def test_result_bucket_is_honoured_by_backfill_and_report(bucket, result_bucket, env, ocr_api,
                                                          monkeypatch, capsys):
    from idcard_ocr import handle
    settings = env | {"RESULT_BUCKET": result_bucket.bucket_name}
    done = upload(bucket, "idcards/done-face.jpg", images.card_jpeg(seed=1))
    handle(oss_event(bucket.bucket_name, done), fc_context(), settings)
    bucket.put_object("idcards/todo-face.jpg", images.card_jpeg(seed=2))
    assert result_bucket.object_exists("idcards/done-face.jpg.json")
    assert not bucket.object_exists("idcards/done-face.jpg.json")
    calls = len(ocr_api.requests)

    code, report = backfill(bucket, settings, monkeypatch, capsys, "--dry-run")
    assert report["submitted"] == 1 and report["skipped"] == {"already_done": 1}
    code, report = backfill(bucket, settings, monkeypatch, capsys)
    assert code == 0 and report["done"] == {"ok": 1} and len(ocr_api.requests) == calls + 1
    assert result_bucket.object_exists("idcards/todo-face.jpg.json")

    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"ok": 2}


def test_eight_threads_log_exactly_the_calls_the_api_received(bucket, env, ocr_api, logs,
                                                              monkeypatch, capsys):
    from tests.conftest import parsed
    for i in range(12):
        bucket.put_object(f"idcards/t{i}-face.jpg", images.card_jpeg(seed=i))
    ocr_api.fail_next(503, "Service Unavailable", times=7)  # some photos need several attempts
    code, report = backfill(bucket, env | {"OCR_MAX_ATTEMPTS": "4"}, monkeypatch, capsys,
                            "--concurrency", "8")
    lines = [line for line in parsed(logs) if line["message"].startswith("object ")]
    assert len(lines) == 12
    assert sum(line["api_calls"] for line in lines) == len(ocr_api.requests) == 12 + 7
    assert all(line["api_calls"] <= 4 for line in lines)


def test_a_failing_result_lookup_fails_that_photo_only(bucket, env, ocr_api, oss_server,
                                                       monkeypatch, capsys):
    for i in range(3):
        bucket.put_object(f"idcards/p{i}-face.jpg", images.card_jpeg(seed=i))
    oss_server.fail_next("GET", f"/{bucket.bucket_name}/idcards/p1-face.jpg.json", 503,
                         "ServiceUnavailable", times=10)
    code, report = backfill(bucket, env, monkeypatch, capsys)
    assert code == 1
    assert report["failed"] == {"storage_unavailable": 1} and report["done"] == {"ok": 2}
    puts = {path for method, path, _ in oss_server.requests_for(bucket.bucket_name)
            if method == "PUT"}
    assert f"/{bucket.bucket_name}/idcards/p0-face.jpg.json" in puts
    assert f"/{bucket.bucket_name}/idcards/p1-face.jpg.json" not in puts


def test_invoke_mode_without_the_sdk_exits_2_before_listing(filled, env, oss_server,
                                                            monkeypatch, capsys):
    import sys
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "alibabacloud_fc20230330", None)  # as if not installed
    before = len(oss_server.requests_for(filled.bucket_name))
    assert cli(["backfill", "--bucket", filled.bucket_name, "--mode", "invoke",
                "--fc-endpoint", "http://127.0.0.1:9"]) == 2
    assert "idcard-ocr[ops]" in capsys.readouterr().err
    assert len(oss_server.requests_for(filled.bucket_name)) == before
