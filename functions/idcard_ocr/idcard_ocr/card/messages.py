"""The message envelope sent to MNS for each recognised or failed photo (schema in README.md)."""

import hashlib
import hmac
import json
from typing import Optional

from .documents import checks_passed, expired, failed_checks, sides_missing
from .privacy import mask_fields, scrub
from .vouching import READER_KEYS

ENVELOPE_VERSION = 1
FIELD_MODES = ("full", "masked", "none")
# How a message names the photo (MNS_KEY_MODE). Keys are often made of citizen numbers:
# full: the key as it is (a consumer that fetches the photo or its result needs it);
# masked: numbers in it masked like log lines (for people reading alerts; not unique);
# hashed: an HMAC of the key under the signing key (a stable id to match on, which only
# someone holding RESULT_SIGNING_KEY can compute from a key they already know).
KEY_MODES = ("full", "masked", "hashed")
# MNS takes 64 KB per message; queue bodies are Base64-encoded by the SDK (4/3 larger).
MAX_BODY_BYTES = 64 * 1024 * 3 // 4 - 256
_MESSAGE_LIMIT = 300


def envelope(record: dict, result_key: Optional[str], fields_mode: str = "masked",
             key_mode: str = "full", key_secret: Optional[bytes] = None) -> dict:
    """The message for a result record; `result_key` is None when no JSON object was written.

    `key_mode` (KEY_MODES) decides how the photo's key appears; "hashed" needs `key_secret`.
    """
    source = record.get("source") or {}
    identity = f"{source.get('bucket')}/{source.get('key')}@{source.get('etag')}"
    doc = {
        "version": ENVELOPE_VERSION,
        "status": record["status"],
        "side": record.get("side"),
        "bucket": source.get("bucket"),
        "key": shown_key(source.get("key"), key_mode, key_secret),
        "etag": source.get("etag"),
        # Consumers drop duplicates on this: one identity per object version.
        "dedup_id": identity if key_mode == "full" else _keyed_hash(identity, key_secret),
        "request_id": record.get("request_id"),
        "processed_at": record.get("processed_at"),
    }
    if key_mode != "full":
        doc["key_mode"] = key_mode
    if result_key:
        doc["result_key"] = shown_key(result_key, key_mode, key_secret)
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
        # Who read it (engine: free; api: paid) and why the engine was declined: no personal data.
        doc.update({k: record[k] for k in READER_KEYS if k in record})
        # A side of the sheet listed and not read (side -> error code): a consumer would
        # otherwise take an ok message for the whole photo.
        if sides_missing(record):
            doc["sides_missing"] = sides_missing(record)
    if record["status"] == "ok" and fields_mode != "none" and record.get("fields") is not None:
        shown = (lambda fields: fields) if fields_mode == "full" else mask_fields
        doc["fields"] = shown(record["fields"])
        doc["fields_mode"] = fields_mode
        if record.get("sides"):  # both sides of one sheet
            doc["sides"] = {side: shown(part["fields"]) for side, part in record["sides"].items()}
    return doc


def shown_key(key: Optional[str], key_mode: str, key_secret: Optional[bytes]) -> Optional[str]:
    """`key` as a message of `key_mode` carries it."""
    if key is None or key_mode == "full":
        return key
    if key_mode == "masked":
        return scrub(key)
    if key_mode == "hashed":
        return _keyed_hash(key, key_secret)
    raise ValueError(f"key_mode must be one of {KEY_MODES}")


def _keyed_hash(text: str, key_secret: Optional[bytes]) -> str:
    """Keyed, because a plain hash of a citizen number is found by trying every number."""
    if not key_secret:
        raise ValueError("a hashed key needs the signing key")
    digest = hmac.new(key_secret, b"idcard-ocr message key:" + text.encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest}"


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
    slim["key"] = (slim["key"] or "")[:256]
    slim["dedup_id"] = slim["dedup_id"][:512]
    slim.pop("result_key", None)
    slim["key_truncated"] = True
    return json.dumps(slim, ensure_ascii=False, separators=(",", ":"))
