"""Backfill of objects already in the bucket: local mode, against moto and the OCR server."""

import json

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


@pytest.fixture
def fc():
    from tests.fakes.fc_api import FcServer
    with FcServer() as server:
        yield server


def test_invoke_mode_hands_each_photo_to_the_function_asynchronously(filled, env, ocr_api, fc,
                                                                     monkeypatch, capsys):
    code, report = backfill(filled, env, monkeypatch, capsys, "--mode", "invoke",
                            "--fc-endpoint", fc.endpoint, "--concurrency", "2")
    assert code == 0 and report["done"] == {"invoked": 3} and ocr_api.requests == []
    invocations = fc.invocations
    assert {i.invocation_type for i in invocations} == {"Async"}
    assert {(i.service, i.function) for i in invocations} == {("idcard-ocr", "idcard-ocr")}
    keys = set()
    for invocation in invocations:
        assert invocation.headers["x-fc-security-token"] == "test-sts-token"
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
    backfill(filled, env, monkeypatch, capsys, "--mode", "invoke", "--fc-endpoint",
             fc.endpoint)
    payload = json.dumps(fc.invocations[0].payload).encode()
    assert handle(payload, fc_context(), env)["ok"] == 1


def test_invoke_failures_are_counted_and_fail_the_run(filled, env, ocr_api, fc, monkeypatch,
                                                      capsys):
    fc.fail_next(429, "ResourceThrottled", times=1)
    fc.state.access_key_secret = "test-key-secret"
    code, report = backfill(filled, env, monkeypatch, capsys, "--mode", "invoke",
                            "--fc-endpoint", fc.endpoint, "--concurrency", "1")
    assert code == 1 and report["failed"] == {"invoke_failed": 1}
    assert report["done"] == {"invoked": 2}


def test_a_wrong_secret_is_refused_by_the_signature_check(filled, env, ocr_api, fc,
                                                          monkeypatch, capsys):
    for name, value in (env | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"}).items():
        monkeypatch.setenv(name, value)
    code = cli(["backfill", "--bucket", filled.bucket_name, "--prefix", "idcards/", "--mode",
                "invoke", "--fc-endpoint", fc.endpoint])
    out, err = capsys.readouterr()
    assert code == 1 and fc.invocations == []
    assert json.loads(out)["failed"] == {"invoke_failed": 3}
    assert "test-sts-token" not in out + err and "wrong" not in out + err


def test_invoke_mode_needs_an_endpoint(filled, env, monkeypatch, capsys):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("FC_ENDPOINT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["backfill", "--bucket", filled.bucket_name, "--mode", "invoke"]) == 2
    assert "--fc-endpoint" in capsys.readouterr().err


def test_fc2_never_prints_the_security_token(filled, env, fc):
    """fc2 logs a failed request's headers on the root logger; run the real CLI to see."""
    import os
    import subprocess
    import sys

    from tests.conftest import FUNCTION_DIR
    child_env = dict(os.environ, **env)
    child_env.update(ALIBABA_CLOUD_ACCESS_KEY_SECRET="wrong",
                     ALIBABA_CLOUD_SECURITY_TOKEN="SECRET-STS-TOKEN-123")
    child_env.pop("PYTHONPATH", None)
    run = subprocess.run([sys.executable, "-m", "idcard_ocr.ops.cli", "backfill", "--bucket",
                          filled.bucket_name, "--prefix", "idcards/", "--mode", "invoke",
                          "--fc-endpoint", fc.endpoint], cwd=FUNCTION_DIR, env=child_env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and json.loads(run.stdout)["failed"] == {"invoke_failed": 3}
    assert "SECRET-STS-TOKEN-123" not in run.stdout + run.stderr


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
    oss_server.fail_next("HEAD", f"/{bucket.bucket_name}/idcards/p1-face.jpg.json", 503,
                         "ServiceUnavailable", times=10)
    code, report = backfill(bucket, env, monkeypatch, capsys)
    assert code == 1
    assert report["failed"] == {"storage_unavailable": 1} and report["done"] == {"ok": 2}
    puts = {path for method, path, _ in oss_server.requests_for(bucket.bucket_name)
            if method == "PUT"}
    assert f"/{bucket.bucket_name}/idcards/p0-face.jpg.json" in puts
    assert f"/{bucket.bucket_name}/idcards/p1-face.jpg.json" not in puts


def test_invoke_mode_without_fc2_exits_2_before_listing(filled, env, oss_server, monkeypatch,
                                                         capsys):
    import sys
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "fc2", None)  # as if aliyun-fc2 were not installed
    before = len(oss_server.requests_for(filled.bucket_name))
    assert cli(["backfill", "--bucket", filled.bucket_name, "--mode", "invoke",
                "--fc-endpoint", "http://127.0.0.1:9"]) == 2
    assert "idcard-ocr[ops]" in capsys.readouterr().err
    assert len(oss_server.requests_for(filled.bucket_name)) == before
