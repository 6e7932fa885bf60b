"""Trigger events as data classes: native OSS triggers and EventBridge (CloudEvents).

FC hands Python 3 handlers the event as bytes; local tools pass str or an already-parsed dict.
Accepted shapes (aliyun-facts.md):
- a native OSS trigger event, `{"events": [record, ...]}`;
- an EventBridge CloudEvent, `{"specversion", "type": "oss:ObjectCreated:...", "data": record}`;
- a batch from EventBridge: a JSON list of CloudEvents, or of bare records (`RawData` schema);
- a bare record.
Everything in an event is untrusted input: sizes, depth and types are checked, and one bad
record fails alone.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, List, Optional, Union

from ..config import REGION_PATTERN
from ..errors import EventError

# Events that leave a finished, readable object behind. InitiateMultipartUpload and UploadPart
# do not; removals and metadata updates have nothing new to read.
FINISHED_OBJECT_EVENTS = frozenset({
    "ObjectCreated:PutObject",
    "ObjectCreated:PostObject",
    "ObjectCreated:CopyObject",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectCreated:AppendObject",
    "ObjectCreated:PutSymlink",
})
# FC's synchronous payload limit is 32 MB, the asynchronous one 128 KB; a real OSS event is a
# few KB per record. Larger payloads are refused before parsing.
MAX_EVENT_BYTES = 4 * 1024 * 1024
MAX_RECORDS = 1000
MAX_KEY_BYTES = 1023  # OSS's own limit
# OSS bucket names: 3-63 lower-case letters, digits and hyphens, starting and ending with a
# letter or digit. Checked before a name reaches an endpoint or a signature.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_ETAG = re.compile(r"^[0-9A-Za-z-]{1,80}$")


@dataclass(frozen=True)
class ObjectEvent:
    """One record of an OSS event: which object changed, and how."""

    name: str
    bucket: str
    key: str
    etag: Optional[str]
    size: Optional[int]
    region: Optional[str]
    time: Optional[str]

    @property
    def is_finished_object(self) -> bool:
        return self.name in FINISHED_OBJECT_EVENTS

    @property
    def identity(self) -> tuple:
        """Two records with the same identity describe the same change of the same version."""
        return self.name, self.bucket, self.key, self.etag

    @classmethod
    def from_record(cls, record: Any) -> "ObjectEvent":
        if isinstance(record, _Unusable):
            raise EventError(str(record))
        if not isinstance(record, dict):
            raise EventError(f"record is a JSON {_kind(record)}, not an object")
        oss = record.get("oss")
        bucket = _get(oss, "bucket", "name")
        obj = _get(oss, "object")
        key = _get(obj, "key")
        if not isinstance(bucket, str) or not isinstance(key, str):
            raise EventError("record has no oss.bucket.name / oss.object.key strings")
        if not is_bucket_name(bucket):
            raise EventError("oss.bucket.name is not a valid OSS bucket name")
        try:
            key_bytes = len(key.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"): legal JSON, not a key
            raise EventError("oss.object.key is not valid UTF-8") from None
        if not key or key_bytes > MAX_KEY_BYTES:
            raise EventError(f"oss.object.key must be 1 to {MAX_KEY_BYTES} bytes")
        name = record.get("eventName")
        name = name[4:] if isinstance(name, str) and name.startswith("oss:") else name
        etag = normalize_etag(obj.get("eTag"))
        if etag is not None and not _ETAG.match(etag):
            raise EventError("oss.object.eTag is not an ETag")
        size = obj.get("size")
        region = record.get("region")
        event_time = record.get("eventTime")
        return cls(
            name=name if isinstance(name, str) else "",
            bucket=bucket,
            key=key,
            etag=etag,
            size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0
            else None,
            region=region if isinstance(region, str) and REGION_PATTERN.match(region) else None,
            time=event_time if isinstance(event_time, str) else None,
        )


def is_bucket_name(name: str) -> bool:
    return bool(_BUCKET.match(name))


def event_records(event: Union[bytes, bytearray, str, dict, list]) -> List[Any]:
    """The raw records of an event of any accepted shape, so that each can fail on its own."""
    event = _parse(event)
    if isinstance(event, list):
        records = [_unwrap(item) for item in event]
    elif isinstance(event, dict) and "events" in event:
        if not isinstance(event["events"], list):
            raise EventError("the event's 'events' is not a list")
        records = event["events"]
    elif isinstance(event, dict) and ("specversion" in event or "oss" in event):
        records = [_unwrap(event)]
    else:
        raise EventError("not an OSS event: expected an 'events' list (OSS trigger), a "
                         "CloudEvent with 'specversion' and 'data' (EventBridge trigger), a "
                         "list of them, or an OSS record with 'oss'")
    if not records:
        raise EventError("the event holds no records")
    if len(records) > MAX_RECORDS:
        raise EventError(f"the event has {len(records)} records; at most {MAX_RECORDS} are "
                         f"accepted")
    return records


def parse_event(event) -> List[ObjectEvent]:
    """All records of an event, in delivery order (any malformed record raises)."""
    return [ObjectEvent.from_record(record) for record in event_records(event)]


def normalize_etag(etag) -> Optional[str]:
    """Events carry upper-case hex without quotes; GET/HEAD answers are quoted. Compare this form."""
    if not isinstance(etag, str) or not etag.strip().strip('"'):
        return None
    return etag.strip().strip('"').upper()


def oss_event(bucket: str, key: str, etag: Optional[str], size: Optional[int],
              region: Optional[str], name: str = "ObjectCreated:PutObject") -> dict:
    """A real-shaped OSS trigger event for one object (what a backfill hands to FC)."""
    from datetime import datetime, timezone

    return {"events": [{
        "eventName": name,
        "eventSource": "acs:oss",
        "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "eventVersion": "1.0",
        "oss": {"bucket": {"name": bucket, "arn": f"acs:oss:{region or ''}:*:{bucket}"},
                "object": {"key": key, "eTag": etag, "size": size, "deltaSize": size},
                "ossSchemaVersion": "1.0", "ruleId": "idcard-ocr-backfill"},
        "region": region,
        "requestParameters": {"sourceIPAddress": "backfill"},
        "responseElements": {"requestId": ""},
        "userIdentity": {"principalId": "idcard-ocr-backfill"},
    }]}


def retarget(event, bucket: Optional[str], key: Optional[str]) -> dict:
    """The event's records as an OSS trigger event, pointed at another bucket and/or key
    (`idcard-ocr invoke --bucket --key`). Their eTag and size go: they described the object
    the event was first written for, and a record without them is judged by the object as it
    is now, instead of being skipped as superseded."""
    records = []
    for record in event_records(event):
        if not isinstance(record, dict) or not isinstance(record.get("oss"), dict):
            raise EventError("a record without 'oss' cannot be pointed at another object")
        oss = dict(record["oss"])
        if bucket is not None:
            oss["bucket"] = {k: v for k, v in (_get(oss, "bucket") or {}).items()
                             if k != "arn"}  # the ARN names the old bucket
            oss["bucket"]["name"] = bucket
        obj = {k: v for k, v in (_get(oss, "object") or {}).items()
               if k not in ("eTag", "size", "deltaSize")}
        if key is not None:
            obj["key"] = key
        oss["object"] = obj
        records.append(dict(record, oss=oss))
    return {"events": records}


def _parse(event):
    if isinstance(event, (bytes, bytearray)):
        if len(event) > MAX_EVENT_BYTES:
            raise EventError(f"the event is {len(event):,} bytes; at most {MAX_EVENT_BYTES:,} "
                             f"are accepted")
        try:
            event = bytes(event).decode("utf-8")
        except UnicodeDecodeError as e:
            raise EventError(f"the event is not UTF-8 (byte {e.start})") from None
    if isinstance(event, str):
        if len(event) > MAX_EVENT_BYTES:
            raise EventError(f"the event is over {MAX_EVENT_BYTES:,} characters")
        try:
            return json.loads(event)
        except json.JSONDecodeError as e:
            raise EventError(f"the event is not JSON ({e.msg} at position {e.pos})") from None
        except RecursionError:
            raise EventError("the event's JSON is nested too deeply") from None
    if isinstance(event, (dict, list)):
        return event
    raise EventError(f"the event is a {type(event).__name__}, not JSON")


class _Unusable(str):
    """A batch item that cannot be a record; it fails alone, with this reason."""


def _unwrap(item):
    """A CloudEvent's OSS record (its `data`), or the item itself when it is a bare record."""
    if isinstance(item, dict) and "specversion" in item:
        data = item.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                data = None
        if not isinstance(data, dict):
            return _Unusable("a CloudEvent without an OSS record in 'data'")
        source = item.get("source")
        if source is not None and source != "acs.oss":
            return _Unusable("a CloudEvent whose source is not acs.oss")
        if "eventName" not in data and isinstance(item.get("type"), str):
            data = dict(data, eventName=item["type"])
        return data
    return item


def _get(value, *path):
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _kind(value) -> str:
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
            type(None): "null"}.get(type(value), type(value).__name__)
