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
    assert bucket.result(event.key) is None and bucket.claims() == [] and api.calls == ["face"]


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
