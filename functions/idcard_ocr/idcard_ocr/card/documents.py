"""The result documents written next to each photo (schema in README.md, "Result object").

Pure functions over dicts: building records, judging them, and the receipt kept in OSS when
the recognised data goes elsewhere.
"""

from datetime import datetime, timezone
from typing import Dict, Optional

SCHEMA_VERSION = 1
FIELDS = {
    "face": ("name", "sex", "nationality", "birth", "address", "num"),
    "back": ("issue", "start_date", "end_date"),
}


def source_info(bucket: str, key: str, etag: Optional[str], size: Optional[int]) -> dict:
    return {"bucket": bucket, "key": key, "etag": etag, "size": size}


def ok_record(source: dict, side: str, api: dict, image: dict, request_id: Optional[str],
              now: Optional[datetime] = None, others: Optional[Dict[str, dict]] = None) -> dict:
    """`image` describes the picture the API saw: its coordinates are in that picture's pixels.

    `others`: the answers for the other side of the same sheet; the record then has `sides`,
    each side's fields and checks (the back's validity length judged by the face's birth).
    """
    answers = {side: api, **(others or {})}
    sides = _sides(answers)
    record = {
        "schema_version": SCHEMA_VERSION,
        "status": "ok",
        "side": side,
        "source": source,
        **{k: sides[side][k] for k in ("fields", "checks", "checks_passed")},
        "image": image,
        "api": api,
        "request_id": request_id,
        "processed_at": _timestamp(now),
    }
    if others:
        record["sides"] = {name: dict(sides[name], api=answers[name]) if name != side
                           else sides[name] for name in ("face", "back") if name in sides}
    return record


def _sides(answers: Dict[str, dict]) -> Dict[str, dict]:
    from .checks import back_checks, face_checks, summary

    fields = {side: {name: answer.get(name) for name in FIELDS[side]}
              for side, answer in answers.items()}
    sides = {}
    for side, values in fields.items():
        birth = (fields.get("face") or {}).get("birth")
        checks = face_checks(values) if side == "face" else back_checks(values, birth=birth)
        sides[side] = {"fields": values, "checks": checks, "checks_passed": summary(checks)}
    return sides


def error_record(source: dict, error: dict, request_id: Optional[str],
                 now: Optional[datetime] = None) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "status": "error",
        "source": source,
        "error": error,
        "request_id": request_id,
        "processed_at": _timestamp(now),
    }


def receipt(record: dict) -> dict:
    """What OUTPUT=mns keeps in OSS: proof of processing, without the recognised data."""
    return {k: v for k, v in record.items()
            if k not in ("fields", "api", "image", "checks", "crops", "sides")}


def _timestamp(now: Optional[datetime]) -> str:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
