"""EventBridge-based OSS triggers: a CloudEvent, a batch of them, and the RawData form, through
the real handler; shapes that are none of these name what is missing."""

import copy
import json

import pytest

from idcard_ocr import handle
from idcard_ocr.errors import EventError
from tests.conftest import fc_context, load_event, upload
from tests.fakes import images


pytestmark = pytest.mark.deploy


def retarget(event, bucket, items):
    """The sample event with its records pointed at objects of this test's bucket."""
    event = copy.deepcopy(event)
    batch = event if isinstance(event, list) else [event]
    for item, (key, etag, size) in zip(batch, items):
        record = item.get("data", item)
        record["oss"]["bucket"]["name"] = bucket.bucket_name
        record["oss"]["object"].update({"key": key, "eTag": etag, "size": size})
        if "subject" in item:
            item["subject"] = f"acs:oss:cn-hangzhou:123456789:{bucket.bucket_name}/{key}"
    return json.dumps(event).encode()


@pytest.mark.parametrize("sample, records", [("eventbridge-single.json", 1),
                                             ("eventbridge-batch.json", 2),
                                             ("eventbridge-raw.json", 2)])
def test_eventbridge_samples_go_through_the_handler(bucket, env, ocr_api, sample, records):
    items = [upload(bucket, f"idcards/eb-{n}-face.jpg", images.card_jpeg(seed=n))
             for n in range(records)]
    summary = handle(retarget(load_event(sample), bucket, items), fc_context(), env)
    assert summary["records"] == records and summary["ok"] == records
    for key, _, _ in items:
        assert bucket.object_exists(key + ".json")


def test_a_cloudevent_for_a_removal_is_skipped(bucket, env, ocr_api):
    event = load_event("eventbridge-single.json")
    event["type"] = "oss:ObjectRemoved:DeleteObject"
    event["data"]["eventName"] = "ObjectRemoved:DeleteObject"
    summary = handle(retarget(event, bucket, [("idcards/gone.jpg", None, 0)]), fc_context(), env)
    assert summary["objects"][0]["reason"] == "not_a_finished_object_event"


def test_a_batch_item_from_another_source_fails_alone(bucket, env, ocr_api):
    items = [upload(bucket, f"idcards/mix-{n}-face.jpg", images.card_jpeg(seed=n))
             for n in range(2)]
    event = json.loads(retarget(load_event("eventbridge-batch.json"), bucket, items))
    event[0]["source"] = "acs.ecs"
    summary = handle(json.dumps(event).encode(), fc_context(), env)
    assert [o["status"] for o in summary["objects"]] == ["skipped", "ok"]
    assert summary["objects"][0]["reason"] == "malformed_record"


@pytest.mark.parametrize("event, missing", [
    ({"Records": []}, "'events' list"),
    ({"specversion": "1.0"}, "without an OSS record in 'data'"),
    ([{"hello": 1}], "oss.bucket.name"),
])
def test_unknown_shapes_name_what_is_missing(env, ocr_api, logs, event, missing):
    try:
        summary = handle(json.dumps(event).encode(), fc_context(), env)
    except EventError as e:
        assert missing in str(e)
    else:  # one unusable record of a batch: skipped, and its log line says why
        assert summary["objects"][0]["reason"] == "malformed_record"
        assert missing in "\n".join(logs)
