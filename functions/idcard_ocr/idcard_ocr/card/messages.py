"""The message envelope sent to MNS for each recognised or failed photo (schema in README.md)."""

import json
from typing import Optional

from .documents import checks_passed, expired, failed_checks
from .privacy import mask_fields, scrub

ENVELOPE_VERSION = 1
FIELD_MODES = ("full", "masked", "none")
# MNS takes 64 KB per message; queue bodies are Base64-encoded by the SDK (4/3 larger).
MAX_BODY_BYTES = 64 * 1024 * 3 // 4 - 256
_MESSAGE_LIMIT = 300


def envelope(record: dict, result_key: Optional[str], fields_mode: str = "masked") -> dict:
    """The message for a result record; `result_key` is None when no JSON object was written."""
    source = record.get("source") or {}
    doc = {
        "version": ENVELOPE_VERSION,
        "status": record["status"],
        "side": record.get("side"),
        "bucket": source.get("bucket"),
        "key": source.get("key"),
        "etag": source.get("etag"),
        # Consumers drop duplicates on this: one identity per object version.
        "dedup_id": f"{source.get('bucket')}/{source.get('key')}@{source.get('etag')}",
        "request_id": record.get("request_id"),
        "processed_at": record.get("processed_at"),
    }
    if result_key:
        doc["result_key"] = result_key
    if record["status"] == "error":
        error = record.get("error") or {}
        message = (error.get("message") or "")[:_MESSAGE_LIMIT]
        doc["error"] = {"code": error.get("code"),
                        "message": message if fields_mode == "full" else scrub(message)}
    else:
        # Every side read is judged: a failure on a sheet's back fails the message too.
        doc["checks_passed"] = checks_passed(record)
        doc["failed_checks"] = failed_checks(record)
        doc["expired"] = expired(record)
    if record["status"] == "ok" and fields_mode != "none" and record.get("fields") is not None:
        shown = (lambda fields: fields) if fields_mode == "full" else mask_fields
        doc["fields"] = shown(record["fields"])
        doc["fields_mode"] = fields_mode
        if record.get("sides"):  # both sides of one sheet
            doc["sides"] = {side: shown(part["fields"]) for side, part in record["sides"].items()}
    return doc


def encode(doc: dict) -> str:
    """JSON text of the envelope, guaranteed under the MNS size limit whatever the input."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) <= MAX_BODY_BYTES:
        return text
    slim = {k: v for k, v in doc.items() if k not in ("fields", "fields_mode", "sides")}
    slim["fields_omitted"] = "size"
    text = json.dumps(slim, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) <= MAX_BODY_BYTES:
        return text
    # Only a pathological key can get here (OSS keys are at most 1023 bytes).
    slim["key"] = slim["key"][:256]
    slim["dedup_id"] = slim["dedup_id"][:512]
    slim.pop("result_key", None)
    slim["key_truncated"] = True
    return json.dumps(slim, ensure_ascii=False, separators=(",", ":"))
