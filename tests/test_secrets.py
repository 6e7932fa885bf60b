"""The AppCode from KMS Secrets Manager (OCR_APPCODE_SECRET_NAME), through the official client
against a local GetSecretValue stand-in that checks the request signature."""

import json

import pytest

from idcard_ocr import handle
from idcard_ocr.errors import ConfigError
from idcard_ocr.io import secrets
from idcard_ocr.ops.cli import main as cli
from tests.conftest import APPCODE, fc_context, loopback_server, oss_event, read_from_secret, upload
from tests.fakes import images

SECRET = "idcard-ocr/appcode"
ROTATED = "rotated-appcode-fedcba9876543210"


@pytest.fixture
def kms_env(env, kms):
    return read_from_secret(env, kms, "OCR_APPCODE", SECRET, APPCODE)


def run(bucket, env, *items):
    return handle(oss_event(bucket.bucket_name, *items), fc_context(), env)


def test_the_appcode_comes_from_the_secret_once_per_instance(bucket, kms_env, kms, ocr_api):
    for n in range(3):
        assert run(bucket, kms_env, upload(bucket, f"idcards/k{n}-face.jpg",
                                           images.card_jpeg(seed=n)))["ok"] == 1
    assert kms.state.reads == [SECRET]
    assert {r.headers["Authorization"] for r in ocr_api.requests} == {f"APPCODE {APPCODE}"}


def test_a_rotated_secret_is_read_again_once_after_appcode_invalid(bucket, kms_env, kms,
                                                                   ocr_api, monkeypatch):
    run(bucket, kms_env, upload(bucket, "idcards/r0-face.jpg", images.card_jpeg(seed=1)))
    kms.state.secrets[SECRET] = ROTATED  # rotated in KMS; the API accepts only the new one
    ocr_api.state.appcodes = (ROTATED,)
    monkeypatch.setattr(secrets, "REREAD_AFTER_S", 0.0)
    summary = run(bucket, kms_env, upload(bucket, "idcards/r1-face.jpg",
                                          images.card_jpeg(seed=2)))
    assert summary["ok"] == 1 and kms.state.reads == [SECRET, SECRET]
    assert [r.status for r in ocr_api.requests] == [200, 400, 200]


def test_a_wrong_secret_is_not_read_again_for_every_photo(bucket, kms_env, kms, ocr_api):
    kms.state.secrets[SECRET] = "wrong-appcode-in-the-secret-0000"
    for n in range(3):
        run(bucket, kms_env | {"CARD_SIDE": "face"},
            upload(bucket, f"idcards/w{n}-face.jpg", images.card_jpeg(seed=n)))
    doc = json.loads(bucket.get_object("idcards/w2-face.jpg.json").read())
    assert doc["error"]["code"] == "appcode_invalid"
    assert kms.state.reads == [SECRET]  # re-read at most once a minute per instance
    assert "wrong-appcode" not in json.dumps(doc)


@pytest.mark.parametrize("change, message", [
    ({"OCR_APPCODE_SECRET_NAME": "no-such-secret"}, "there is no secret"),
    ({"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-the-secret"}, "needs kms:GetSecretValue"),
    ({"OCR_APPCODE": APPCODE}, "not both"),
    ({"KMS_ENDPOINT": ""}, "KMS_ENDPOINT"),
    # GetSecretValue answers with the AppCode, and the request carries the role's STS token:
    # plain http to another machine put both on the network in clear text, while OCR_API_URL
    # and ENGINE_URL, which carry the AppCode too, were already held to https.
    ({"KMS_ENDPOINT": "http://kms.cn-hangzhou.aliyuncs.com"}, "KMS_ENDPOINT.*https"),
])
def test_secret_problems_fail_before_any_call(bucket, kms_env, kms, ocr_api, change, message):
    item = upload(bucket, "idcards/x-face.jpg", images.card_jpeg())
    with pytest.raises(ConfigError, match=message):
        handle(oss_event(bucket.bucket_name, item), _no_region(), kms_env | change)
    assert ocr_api.requests == [] and not bucket.object_exists("idcards/x-face.jpg.json")


def test_invoke_exits_2_on_a_missing_secret(kms_env, kms, tmp_path, monkeypatch, capsys):
    for name, value in (kms_env | {"OCR_APPCODE_SECRET_NAME": "no-such-secret"}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OCR_APPCODE", raising=False)
    event = tmp_path / "event.json"
    event.write_bytes(oss_event("idcards-x", "idcards/a.jpg"))
    assert cli(["invoke", str(event)]) == 2
    assert "there is no secret" in capsys.readouterr().err


def test_a_secret_appcode_never_reaches_logs_or_results(bucket, kms_env, kms, ocr_api, logs):
    kms.state.secrets[SECRET] = "secret-from-kms-abcdef012345"
    ocr_api.state.appcodes = ("secret-from-kms-abcdef012345",)
    ocr_api.state.face["note"] = "echo secret-from-kms-abcdef012345"
    run(bucket, kms_env, upload(bucket, "idcards/s-face.jpg", images.card_jpeg()))
    stored = bucket.get_object("idcards/s-face.jpg.json").read().decode()
    assert "secret-from-kms" not in stored + "\n".join(logs)


def _no_region():
    context = fc_context()
    context.region = None
    return context



@pytest.fixture
def dripping_kms():
    """A KMS endpoint that answers 200 at once, then its body one byte every 0.2 s (a flaky
    network: each read is quick, the answer takes 8 s)."""
    import time

    def answer(connection):
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 40\r\n\r\n")
        for _ in range(40):
            time.sleep(0.2)
            connection.sendall(b" ")

    with loopback_server(answer) as url:
        yield url


def test_a_kms_that_drips_its_answer_is_given_no_more_than_the_callers_time(dripping_kms):
    # The read is bounded by the caller's time (the engine's share), but the SDK's timeouts
    # bound each socket read: a KMS answer coming a byte at a time held the read for as long
    # as it dripped (8 s against a 1 s bound), and the API had no time left to read the photo.
    import time

    from idcard_ocr import errors
    from idcard_ocr.errors import TransientError
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.io.retry import Deadline

    secrets.forget_cached()
    try:
        source = secrets.SecretAppCode(SECRET, dripping_kms, Credentials("id", "secret"))
        started = time.monotonic()
        with pytest.raises(TransientError) as raised:
            source.current(Deadline(1.0))
        elapsed = time.monotonic() - started
        assert raised.value.code == errors.SECRET_UNAVAILABLE
        assert elapsed < 2.5, elapsed  # the bound and a margin, not the drip's length
    finally:
        secrets.forget_cached()


def test_reads_left_behind_on_a_dripping_kms_do_not_pile_up(dripping_kms):
    # A read that ran out of time is left running in its thread (the SDK's connection cannot
    # be shut). Each photo used to start another once the failure's hold was over, so a KMS
    # dripping for minutes gathered one thread and one connection per photo.
    import threading

    from idcard_ocr.errors import TransientError
    from idcard_ocr.io.oss import Credentials
    from idcard_ocr.io.retry import Deadline

    def reading_threads():
        return [t for t in threading.enumerate() if t.name == "kms-read" and t.is_alive()]

    secrets.forget_cached()
    now = [0.0]
    try:
        source = secrets.SecretAppCode(SECRET, dripping_kms, Credentials("id", "secret"),
                                       clock=lambda: now[0])
        before = len(reading_threads())
        for _ in range(3):
            with pytest.raises(TransientError):
                source.current(Deadline(1.0))
            now[0] += secrets.FAILED_READ_HOLD_S + 1  # the failure's hold is over: KMS again
        assert len(reading_threads()) - before <= 1
    finally:
        secrets.forget_cached()


@pytest.fixture
def late_kms():
    """given_up(outcomes, later_s, ends=True): a SecretAppCode whose first KMS read outlives
    its caller's time (1 s) and ends with outcomes[0] (a value, or an error raised) once the
    caller gave up (unless not `ends`: then it runs on); its clock then moved on by later_s.
    Later reads end at once with the next outcome. Returns the source and the reads KMS was
    asked for."""
    import threading
    import time

    from idcard_ocr.errors import TransientError
    from idcard_ocr.io.retry import Deadline

    release = threading.Event()
    calls, now = [], [0.0]

    def fetch(timeout_s):
        calls.append(timeout_s)
        if len(calls) == 1:
            release.wait(10)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def given_up(given, later_s, ends=True):
        outcomes[:] = given
        source = secrets.SecretAppCode(SECRET, "https://kms.invalid", None, fetch=fetch,
                                       clock=lambda: now[0])
        with pytest.raises(TransientError):
            source.current(Deadline(1.0))  # at least retry.MIN_CALL_S, or KMS is not asked
        if not ends:
            now[0] += later_s
            return source, calls
        release.set()
        for _ in range(200):  # the read left behind ends
            if not any(t.name == "kms-read" and t.is_alive() for t in threading.enumerate()):
                break
            time.sleep(0.01)
        now[0] += later_s
        return source, calls

    outcomes: list = []
    secrets.forget_cached()
    try:
        yield given_up
    finally:
        release.set()
        secrets.forget_cached()


def test_an_answer_that_came_after_its_read_was_given_up_is_taken_during_the_hold(late_kms):
    # A read that ran out of time holds KMS back for FAILED_READ_HOLD_S; when the read left
    # behind then brought the secret, every photo of the hold still failed with
    # secret_unavailable although the AppCode had arrived.
    from idcard_ocr.io.retry import Deadline

    source, calls = late_kms([ROTATED], later_s=1.0)  # well within the hold
    assert source.current(Deadline(1.0)) == ROTATED
    assert len(calls) == 1  # taken, KMS not asked again


def test_an_error_that_came_after_its_read_was_given_up_is_not_the_next_reads_answer(late_kms):
    # The error a read left behind ended with (here: the secret was missing then) was raised
    # to the next read after the hold, however long after, instead of asking KMS again.
    from idcard_ocr.io.retry import Deadline

    source, calls = late_kms([ConfigError("OCR_APPCODE_SECRET_NAME", "no such secret"), ROTATED],
                             later_s=secrets.FAILED_READ_HOLD_S + 1)
    assert source.current(Deadline(1.0)) == ROTATED
    assert len(calls) == 2


def test_a_read_left_behind_for_good_does_not_keep_the_secret_away_for_good(late_kms,
                                                                          monkeypatch):
    # Every new read waited on the read left behind for as long as it ran: a connection that
    # drips without end (the SDK bounds each socket read, not the answer) kept the secret from
    # the instance for good, although a new connection would have read it at once.
    from idcard_ocr.io.retry import Deadline

    monkeypatch.setattr(secrets, "LEFT_BEHIND_WAITED_S", 0.5,  # the first read: 1 s old
                        raising=False)
    source, calls = late_kms([None, ROTATED], later_s=secrets.FAILED_READ_HOLD_S + 1,
                             ends=False)
    assert source.current(Deadline(1.0)) == ROTATED
    assert len(calls) == 2
