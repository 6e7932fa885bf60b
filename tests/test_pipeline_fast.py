"""The pipeline's decisions through its seams, over the in-memory bucket (io/memory.py): no
server, milliseconds each. The same decisions over the real object protocol are in
test_handler.py, test_hostile.py and test_payonce_races.py."""

import hashlib
import json

import pytest

from idcard_ocr import errors
from idcard_ocr.card.keys import ResultLocation
from idcard_ocr.card.signatures import Signer
from idcard_ocr.errors import PermanentError, TransientError
from idcard_ocr.io.events import ObjectEvent
from idcard_ocr.io.memory import MemoryObjectStore
from idcard_ocr.io.results import ResultStore
from idcard_ocr.io.retry import Deadline
from idcard_ocr.io.seams import Recognition
from idcard_ocr.pipeline import Pipeline, PipelineOptions
from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE

SIGNER = Signer(["fast-tier-signing-key-0123456789abcdef-not-a-secret"])
LOCATION = ResultLocation()


class Api:
    """Answers per side: a dict, 'absent' (billed: no card of that side) or 'down' (503)."""

    def __init__(self, face="absent", back=None):
        self.script = {"face": face, "back": back if back is not None else dict(BACK)}
        self.calls = []

    def recognize(self, image, side, deadline):
        self.calls.append(side)
        answer = self.script[side]
        if answer == "down":
            error = TransientError(errors.API_UNAVAILABLE, "HTTP 503: scripted")
            error.attempts = 1
            raise error
        if answer == "absent":
            error = PermanentError(errors.NOT_AN_ID_CARD, "no card of that side", 200)
            error.attempts = 1
            raise error
        return Recognition(dict(answer), 1)


class Bucket:
    def __init__(self):
        self.store = MemoryObjectStore("fast")
        self.results = ResultStore(self.store, LOCATION, "fast", SIGNER, None)

    def upload(self, key, seed=1):
        data = images.card_jpeg(seed=seed)
        self.store.write(key, data, "image/jpeg")
        return ObjectEvent("ObjectCreated:PutObject", "fast", key,
                           hashlib.md5(data).hexdigest().upper(), len(data), None, None)

    def result(self, key):
        body = self.store.get(LOCATION.result_key(key))
        return None if body is None else json.loads(body)

    def claims(self):
        return [k for k in self.store.keys() if k.endswith(".claim.json")]

    def run(self, api, event, **options):
        pipeline = Pipeline(lambda b: self.store, lambda b: self.results, api, (),
                            PipelineOptions(**options), request_id="fast")
        return pipeline.process(event, Deadline(30))


@pytest.fixture
def bucket():
    return Bucket()


def test_a_new_photo_is_bought_once_and_its_claim_goes(bucket):
    api, event = Api(face=dict(FACE)), bucket.upload("idcards/a-face.jpg")
    assert bucket.run(api, event).status == "ok"
    assert bucket.result(event.key)["fields"] == FACE and bucket.claims() == []
    assert bucket.run(api, event).reason == "already_done" and api.calls == ["face"]


def test_an_error_the_api_answered_is_settled_and_only_force_pays_again(bucket):
    api, event = Api(face="absent", back="absent"), bucket.upload("idcards/unnamed.jpg")
    assert bucket.run(api, event).reason == errors.NOT_AN_ID_CARD
    assert bucket.run(api, event).reason == "already_failed" and api.calls == ["face", "back"]
    assert bucket.run(api, event, force=True).reason == errors.NOT_AN_ID_CARD
    assert len(api.calls) == 4


def test_an_error_that_cost_nothing_is_tried_again(bucket):
    bucket.store.write("idcards/pdf-face.jpg", b"%PDF-1.7 not a photo", "image/jpeg")
    data = bucket.store.get("idcards/pdf-face.jpg")
    event = ObjectEvent("ObjectCreated:PutObject", "fast", "idcards/pdf-face.jpg",
                        hashlib.md5(data).hexdigest().upper(), len(data), None, None)
    api = Api(face=dict(FACE))
    assert bucket.run(api, event).reason == errors.INVALID_IMAGE
    assert bucket.run(api, event).reason == errors.INVALID_IMAGE and api.calls == []


def test_answers_bought_before_a_failure_are_kept_for_the_retry(bucket):
    api, event = Api(face="absent", back="down"), bucket.upload("idcards/unnamed.jpg")
    with pytest.raises(TransientError):
        bucket.run(api, event)
    claim = json.loads(bucket.store.get(bucket.claims()[0]))
    assert claim["state"] == "abandoned" and claim["answers"] == {"face": None}
    api.script["back"] = dict(BACK)
    outcome = bucket.run(api, event)
    assert outcome.status == "ok" and outcome.kept_answer
    assert api.calls == ["face", "back", "back"] and bucket.claims() == []


def test_a_photo_replaced_after_the_claim_is_not_bought(bucket):
    event = bucket.upload("idcards/b-face.jpg", seed=1)
    claim = LOCATION.claim_key(event.key, event.etag)

    def new_upload_once_claimed(operation, key):
        if operation == "PUT-new" and key == claim:
            bucket.store.before = lambda *a: None
            bucket.upload(event.key, seed=2)
    bucket.store.before = new_upload_once_claimed
    api = Api(face=dict(FACE))
    outcome = bucket.run(api, event)
    assert (outcome.status, outcome.reason) == ("skipped", "superseded")
    assert api.calls == [] and bucket.result(event.key) is None and bucket.claims() == []


def test_a_photo_replaced_while_it_is_read_never_gets_the_old_result(bucket):
    event = bucket.upload("idcards/c-face.jpg", seed=1)

    class SlowApi(Api):
        def recognize(self, image, side, deadline):
            answer = super().recognize(image, side, deadline)
            bucket.upload(event.key, seed=2)  # lands while the answer travels back
            return answer
    api = SlowApi(face=dict(FACE))
    outcome = bucket.run(api, event)
    assert (outcome.status, outcome.reason) == ("skipped", "superseded")
    assert bucket.result(event.key) is None and api.calls == ["face"]
    # what was bought stays with its version: the same bytes uploaded again pay nothing
    kept = json.loads(bucket.store.get(bucket.claims()[0]))
    assert kept["state"] == "abandoned" and kept["answers"]["face"]["name"] == FACE["name"]
    again = bucket.upload(event.key, seed=1)
    assert again.etag == event.etag and bucket.run(api, again).status == "ok"
    assert api.calls == ["face"] and bucket.claims() == []


def test_a_photo_deleted_while_it_is_read_gets_no_result(bucket):
    event = bucket.upload("idcards/d-face.jpg")

    class DeletingApi(Api):
        def recognize(self, image, side, deadline):
            bucket.store.delete(event.key)
            return super().recognize(image, side, deadline)
    outcome = bucket.run(DeletingApi(face=dict(FACE)), event)
    assert outcome.reason == "object_gone" and bucket.result(event.key) is None


@pytest.mark.parametrize("planted", [b'{"status": "ok", "signature": {"value": "\xc3\xa9"}}',
                                     b'{"score": NaN}', b"[" * 50_000 + b"]" * 50_000,
                                     b"\xff\xfe not utf-8", b"null"])
def test_a_planted_result_counts_as_foreign_and_is_overwritten(bucket, planted):
    event = bucket.upload("idcards/e-face.jpg")
    bucket.store.write(LOCATION.result_key(event.key), planted, "application/json")
    api = Api(face=dict(FACE))
    outcome = bucket.run(api, event)
    assert outcome.status == "ok" and outcome.foreign_result and api.calls == ["face"]
    assert SIGNER.verify(bucket.result(event.key), "fast", event.key, event.etag)


def test_a_live_claim_of_another_invocation_is_waited_for_then_raises_in_progress(bucket):
    from idcard_ocr.payonce import PayOnce, PhotoVersion
    event = bucket.upload("idcards/f-face.jpg")
    PayOnce(bucket.results).acquire(PhotoVersion("fast", event.key, event.etag), "other",
                                    Deadline(30))
    api = Api(face=dict(FACE))
    pipeline = Pipeline(lambda b: bucket.store, lambda b: bucket.results, api, (),
                        PipelineOptions(), request_id="fast")
    with pytest.raises(TransientError, match=errors.IN_PROGRESS):
        pipeline.process(event, Deadline(2.2))  # too little time left to wait for it
    assert api.calls == []


def test_a_paid_bad_answer_whose_error_could_not_be_written_is_not_bought_again(bucket):
    """An answer of the wrong shape is paid for: its error record is kept in the claim when
    writing it fails, and the retry writes it without asking again."""
    event = bucket.upload("idcards/g-face.jpg")

    class BadAnswer(Api):
        def recognize(self, image, side, deadline):
            self.calls.append(side)
            error = PermanentError(errors.BAD_RESPONSE, "scripted: not an answer", 200)
            error.attempts = 1
            raise error
    failing = {"left": 1}
    write = bucket.store.write

    def result_write_fails_once(key, body, content_type, **options):
        if key == LOCATION.result_key(event.key) and failing["left"]:
            failing["left"] -= 1
            raise TransientError(errors.STORAGE_UNAVAILABLE, "scripted")
        return write(key, body, content_type, **options)
    bucket.store.write = result_write_fails_once
    api = BadAnswer()
    with pytest.raises(TransientError):
        bucket.run(api, event)
    outcome = bucket.run(api, event)  # FC's retry
    assert outcome.reason == errors.BAD_RESPONSE and outcome.kept_answer
    assert bucket.result(event.key)["error"]["code"] == errors.BAD_RESPONSE
    assert api.calls == ["face"] and bucket.claims() == []


def test_a_claim_whose_create_answer_was_lost_is_known_as_ours(bucket):
    """The create landed, its answer was lost, the storage layer's retry met a 409: the
    claim it finds is its own, not another invocation's to wait for."""
    from idcard_ocr.payonce import PayOnce, PhotoVersion, Ticket
    event = bucket.upload("idcards/h-face.jpg")
    version = PhotoVersion("fast", event.key, event.etag)
    owner = PayOnce(bucket.results, wait_s=0)
    create = bucket.results.create_claim
    bucket.results.create_claim = lambda record, deadline: (create(record, deadline), False)[1]
    ticket = owner.acquire(version, "me/1", Deadline(30))
    assert isinstance(ticket, Ticket) and not ticket.taken_over


def test_a_dead_takers_marker_is_passed_not_deleted_and_a_live_one_is_waited_for(bucket):
    """Takeover markers are numbered: one whose taker died is passed for the next slot (never
    deleted under anyone, so a late delete cannot let two takers in); a live one wins."""
    from idcard_ocr.errors import Claimed
    from idcard_ocr.payonce import PayOnce, PhotoVersion, Ticket
    event = bucket.upload("idcards/i-face.jpg")
    version = PhotoVersion("fast", event.key, event.etag)
    first = PayOnce(bucket.results, wait_s=0).acquire(version, "dead/1", Deadline(30))
    first.bought("face", None, Deadline(30))
    first.abandon()
    claim_etag = bucket.store.head(LOCATION.claim_key(event.key, event.etag)).etag
    marker = LOCATION.takeover_key(event.key, event.etag, claim_etag, 0)
    bucket.store.write(marker, b'{"holder": "live/2"}', "application/json")
    with pytest.raises(Claimed):  # a taker at work right now: wait for it
        PayOnce(bucket.results, wait_s=0).acquire(version, "late/3", Deadline(30))

    class Later:  # the marker's taker died a minute ago
        time = staticmethod(lambda: __import__("time").time() + 61)
        monotonic = staticmethod(lambda: __import__("time").monotonic())
        sleep = staticmethod(lambda s: None)
    taken = PayOnce(bucket.results, Later(), wait_s=0).acquire(version, "next/4", Deadline(30))
    assert isinstance(taken, Ticket) and taken.taken_over and taken.answers == {"face": None}
    assert not [k for k in bucket.store.keys() if ".takeover-" in k]  # cleared after use
