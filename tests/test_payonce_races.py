"""Pay once, over the real object protocol: the four races of a review, made deterministic.

moto's S3 server behind the OSS shim (tests/fakes/oss_server.py) holds a chosen answer until the
test lets it go (`hold_next`); the OCR contract server does the same with a billed answer. Each
test reproduces one reported double purchase or lost result; each failed on the code before
the claim had one owner (payonce.py).
"""

import json
import threading

import pytest

from idcard_ocr import handle
from idcard_ocr.errors import InvocationFailed
from idcard_ocr.ops.cli import main as cli
from tests.conftest import fc_context, oss_event, upload
from tests.fakes import images
from tests.fakes.ocr_api import FACE


def run(bucket, env, *items):
    return handle(oss_event(bucket.bucket_name, *items), fc_context(), env)


def in_thread(target):
    """Run `target` in a thread; returns a function that joins it and gives its result."""
    box = {}

    def body():
        try:
            box["value"] = target()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e
    thread = threading.Thread(target=body, daemon=True)
    thread.start()

    def join():
        thread.join(60)
        assert not thread.is_alive(), "the delivery never finished"
        if "error" in box:
            raise box["error"]
        return box["value"]
    return join


def reason(summary):
    return summary["objects"][0].get("reason") or summary["objects"][0]["status"]


def test_a_duplicate_whose_read_was_slow_finds_the_result_after_winning_the_claim(
        bucket, env, ocr_api, oss_server):
    """Case 1: B finds no result, its GET of the photo is slow; A claims, buys, writes and
    releases meanwhile. B's claim then succeeds, and B must look again before paying (I3)."""
    item = upload(bucket, "idcards/slow-face.jpg", images.card_jpeg(seed=301))
    slow_read = oss_server.hold_next("GET", f"/{bucket.bucket_name}/idcards/slow-face.jpg$")
    late = in_thread(lambda: run(bucket, env, item))
    slow_read.wait_until_arrived()
    assert reason(run(bucket, env, item)) == "ok"  # A: the whole way while B waits
    slow_read.release()
    assert reason(late()) == "already_done"
    assert len(ocr_api.requests) == 1


def test_an_old_version_recognised_while_a_new_one_lands_never_overwrites_it(
        bucket, env, ocr_api):
    """Case 2: v1's OCR call is slow; v2 is uploaded, bought and written meanwhile. v1's
    invocation must not write over v2's result (I2), and v2's redelivery pays nothing."""
    v1 = upload(bucket, "idcards/swap-face.jpg", images.card_jpeg(seed=302))
    slow_ocr = ocr_api.hold_next()
    old = in_thread(lambda: run(bucket, env, v1))
    slow_ocr.wait_until_arrived()
    v2 = upload(bucket, "idcards/swap-face.jpg", images.card_jpeg(seed=303))
    assert reason(run(bucket, env, v2)) == "ok"
    slow_ocr.release()
    assert reason(old()) == "superseded"
    doc = json.loads(bucket.get_object("idcards/swap-face.jpg.json").read())
    assert doc["source"]["etag"] == v2[1]
    assert reason(run(bucket, env, v2)) == "already_done"
    assert len(ocr_api.requests) == 2  # v1 once (wasted, not repeated), v2 once


def test_answers_kept_by_a_failed_invocation_are_taken_over_by_one_delivery(
        bucket, env, ocr_api, oss_server):
    """Case 3: the face call answered 'not this side' (billed), the back call failed; the
    claim keeps {face: null}. Two deliveries that both saw that claim buy the back once (I4)."""
    ocr_api.state.card_side = "back"  # the name says nothing: face (not found), then back
    item = upload(bucket, "idcards/kept-1.jpg", images.card_jpeg(seed=304))
    ocr_api.fail_on_side("back", 503, times=1)
    with pytest.raises(InvocationFailed):
        run(bucket, env | {"OCR_MAX_ATTEMPTS": "1"}, item)
    assert [r.side for r in ocr_api.requests] == ["face", "back"]
    stale_look = oss_server.hold_next("GET", ".claim.json$")
    first = in_thread(lambda: run(bucket, env, item))
    stale_look.wait_until_arrived()  # C has read the kept claim, and waits to act on it
    assert reason(run(bucket, env, item)) == "ok"  # D: takes it over, buys the back, writes
    stale_look.release()
    assert reason(first()) in ("already_done", "ok")
    assert [r.side for r in ocr_api.requests] == ["face", "back", "back"]


PLANTED = {
    "signature-not-ascii": lambda doc: dict(doc, signature={"alg": "HMAC-SHA256",
                                                            "value": "é"}),
    "nan": lambda doc: dict(doc, signature={"value": "0" * 64}, score=float("nan")),
    "signature-list": lambda doc: dict(doc, signature=[1, 2]),
}


@pytest.mark.parametrize("plant", sorted(PLANTED))
def test_planted_documents_of_any_shape_are_overwritten_and_counted(
        bucket, env, ocr_api, monkeypatch, capsys, plant):
    """Case 4: a result and a claim that name the right bucket, key and ETag, but whose
    signature is not ASCII, not a string, or whose body holds NaN: the photo is recognised,
    the result overwritten, and `report` counts what it found instead of failing (I5)."""
    from idcard_ocr.card.keys import ResultLocation
    key = "idcards/planted-face.jpg"
    item = upload(bucket, key, images.card_jpeg(seed=305))
    named = {"status": "ok", "kind": "claim", "holder": "x", "ttl_s": 1e9, "expires_at": 1e12,
             "source": {"bucket": bucket.bucket_name, "key": key, "etag": item[1]}}
    body = json.dumps(PLANTED[plant](named)).encode()
    bucket.put_object(key + ".json", body)
    bucket.put_object(ResultLocation().claim_key(key, item[1]), body)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"untrusted": 1}
    summary = run(bucket, env, item)
    assert summary["ok"] == 1 and len(ocr_api.requests) == 1
    assert json.loads(bucket.get_object(key + ".json").read())["fields"] == FACE
    assert cli(["report", "--bucket", bucket.bucket_name, "--prefix", "idcards/"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"ok": 1}


def test_the_review_console_lists_shows_and_exports_beside_planted_documents(
        bucket, env, ocr_api):
    """Case 4, the operator's side: list, detail and export answer in full (I5)."""
    from idcard_ocr.ops.review.server import ConsoleServer
    from tests.test_review_http import Client, console_for
    good = upload(bucket, "idcards/good-face.jpg", images.card_jpeg(seed=306))
    run(bucket, env, good)
    for n, plant in enumerate(sorted(PLANTED)):
        key = f"idcards/planted-{n}-face.jpg"
        item = upload(bucket, key, images.card_jpeg(seed=307 + n))
        doc = {"status": "ok", "source": {"bucket": bucket.bucket_name, "key": key,
                                          "etag": item[1]}}
        bucket.put_object(key + ".json", json.dumps(PLANTED[plant](doc)).encode())
    with ConsoleServer(console_for(env, bucket), "127.0.0.1", 0) as server:
        client = Client(server)
        listing = client.get("/")
        assert listing.status_code == 200 and "planted-2-face.jpg" in listing.text
        for n in range(len(PLANTED)):
            assert client.get("/detail", key=f"idcards/planted-{n}-face.jpg").status_code == 200
        export = client.get("/export.csv")
        assert export.status_code == 200
        assert len(export.text.strip().splitlines()) == 1 + 1 + len(PLANTED)


def test_a_retried_result_write_looks_at_the_photo_again_before_each_attempt(
        bucket, env, oss_server):
    """A result write whose first attempt failed is retried by the storage layer: the version
    is looked at again before the retry, so an upload that landed in between is not
    overwritten by the old version's result (I2 with retries)."""
    from idcard_ocr.app import App
    from idcard_ocr.errors import VersionReplaced
    store = App.from_environment(env, fc_context()).bucket(bucket.bucket_name)
    looks = []

    def still_current():
        looks.append(len(looks))
        if len(looks) > 1:  # by the retry, a new version has landed
            raise VersionReplaced(gone=False)
    oss_server.fail_next("PUT", "/idcards/retried-face.jpg.json$", 503, "ServiceUnavailable")
    with pytest.raises(VersionReplaced):
        store.write("idcards/retried-face.jpg.json", b"{}", "application/json",
                    before_attempt=still_current)
    assert looks == [0, 1] and not bucket.object_exists("idcards/retried-face.jpg.json")
