"""OSS trigger events as data classes.

FC hands Python 3 handlers the event as bytes; local tools pass str or an already-parsed dict.
"""

import json
from dataclasses import dataclass
from typing import List, Optional, Union

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


class EventError(ValueError):
    """The event is not an OSS trigger event; nothing in it can be processed."""


@dataclass(frozen=True)
class ObjectEvent:
    """One record of an OSS trigger event: which object changed, and how."""

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

    @classmethod
    def from_record(cls, record: dict) -> "ObjectEvent":
        try:
            oss = record["oss"]
            bucket = oss["bucket"]["name"]
            obj = oss["object"]
            key = obj["key"]
        except (KeyError, TypeError):
            raise EventError("record has no oss.bucket.name / oss.object.key") from None
        name = str(record.get("eventName", ""))
        if name.startswith("oss:"):  # trigger configs use the prefix; tolerate it in events
            name = name[4:]
        size = obj.get("size")
        return cls(
            name=name,
            bucket=str(bucket),
            key=str(key),
            etag=normalize_etag(obj.get("eTag")),
            size=int(size) if isinstance(size, (int, float, str)) and str(size).isdigit() else None,
            region=record.get("region"),
            time=record.get("eventTime"),
        )


def parse_event(event: Union[bytes, bytearray, str, dict]) -> List[ObjectEvent]:
    """All records of an OSS trigger event, in delivery order (any malformed record raises)."""
    return [ObjectEvent.from_record(record) for record in event_records(event)]


def event_records(event: Union[bytes, bytearray, str, dict]) -> List[dict]:
    """The raw records of an OSS trigger event, so that each can fail on its own."""
    if isinstance(event, (bytes, bytearray)):
        event = event.decode("utf-8")
    if isinstance(event, str):
        try:
            event = json.loads(event)
        except json.JSONDecodeError as e:
            raise EventError(f"event is not JSON ({e.msg} at position {e.pos})") from None
    if not isinstance(event, dict) or not isinstance(event.get("events"), list):
        raise EventError("event has no 'events' list; is this an OSS trigger event?")
    return event["events"]


def normalize_etag(etag: Optional[str]) -> Optional[str]:
    """Events carry upper-case hex without quotes; GET/HEAD answers are quoted. Compare this form."""
    if not etag:
        return None
    return str(etag).strip().strip('"').upper()


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
