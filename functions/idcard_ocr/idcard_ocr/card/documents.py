"""The result documents written next to each photo (schema in README.md, "Result object").

Pure functions over dicts: building records, judging them, and the receipt kept in OSS when
the recognised data goes elsewhere.
"""

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Dict, List, Optional

from ..errors import BILLED_ERRORS

SCHEMA_VERSION = 1
FIELDS = {
    "face": ("name", "sex", "nationality", "birth", "address", "num"),
    "back": ("issue", "start_date", "end_date"),
}


def reads_no_field(answer: dict, side: str) -> bool:
    """True when an answer for `side` holds none of its fields (all missing or empty): from
    the API a bad answer, from our engine a side found but unreadable."""
    return not any(answer.get(name) for name in FIELDS[side])


class Verdict(Enum):
    """What a stored result says about one photo version."""

    ABSENT = "absent"            # no result, one for another version, or one we cannot trust
    DONE = "done"                # an ok result for this version
    FAILED = "failed"            # an error result for this version


@dataclass(frozen=True)
class Standing:
    verdict: Verdict
    document: Optional[dict] = None   # the stored record, when it is ours and for this version
    foreign: bool = False             # a document is there that we did not sign (or cannot read)

    @property
    def final(self) -> bool:
        """Nothing is left to pay for: an ok result, or an error the API's answer settled."""
        if self.verdict is Verdict.DONE:
            return True
        error = (self.document or {}).get("error")
        return self.verdict is Verdict.FAILED and isinstance(error, dict) and \
            error.get("code") in BILLED_ERRORS


def judge(doc: Optional[dict], trusted: bool, etag: Optional[str]) -> Standing:
    """Done, failed or absent for the version `etag`, from a stored result (None: none)."""
    if doc is None:
        return Standing(Verdict.ABSENT)
    if not trusted:  # planted, altered or unreadable: as good as none, and overwritten
        return Standing(Verdict.ABSENT, foreign=True)
    source = doc.get("source")
    if not etag or not isinstance(source, dict) or \
            str(source.get("etag") or "").upper() != etag.upper():
        return Standing(Verdict.ABSENT)
    status = doc.get("status")
    verdict = {"ok": Verdict.DONE, "error": Verdict.FAILED}.get(status, Verdict.ABSENT) \
        if isinstance(status, str) else Verdict.ABSENT
    return Standing(verdict, doc)


def source_info(bucket: str, key: str, etag: Optional[str], size: Optional[int]) -> dict:
    return {"bucket": bucket, "key": key, "etag": etag, "size": size}


def ok_record(source: dict, side: str, api: dict, image: dict, request_id: Optional[str],
              now: Optional[datetime] = None, others: Optional[Dict[str, dict]] = None,
              missing: Optional[Dict[str, str]] = None) -> dict:
    """`image` describes the picture the API saw: its coordinates are in that picture's pixels.

    `others`: the answers for the other side of the same sheet; the record then has `sides`,
    each side's fields and checks (the back's validity length judged by the face's birth).
    `missing`: the other side of a sheet, listed and not read (side -> error code): the record
    then has `sides_missing`.

    Every record names its reader (card/vouching.py): `recognized_by` ("engine" or "api"; a
    sheet is "api" when any side was paid for), the engine's confidences for the side and,
    when the API read it, why the engine's reading was declined. `api` keeps the answer
    without them; each side of a sheet names its own.
    """
    from .vouching import API, reader_of, without_reader

    answers = {side: api, **(others or {})}
    readers = {name: reader_of(answer) for name, answer in answers.items()}
    answers = {name: without_reader(answer) for name, answer in answers.items()}
    sides = judge_sides(answers)
    record = {
        "schema_version": SCHEMA_VERSION,
        "status": "ok",
        "side": side,
        "source": source,
        **{k: sides[side][k] for k in ("fields", "checks")},
        # The sheet's judgement: a failure on the other side of a sheet fails the whole.
        "checks_passed": all(part["checks_passed"] for part in sides.values()),
        **readers[side],
        "image": image,
        "api": answers[side],
        "request_id": request_id,
        "processed_at": _timestamp(now),
    }
    if any(reader["recognized_by"] == API for reader in readers.values()):
        record["recognized_by"] = API
    if missing:
        record["sides_missing"] = dict(missing)
    if others:
        record["sides"] = {name: dict(sides[name], **readers[name], api=answers[name])
                           if name != side else dict(sides[name], **readers[name])
                           for name in ("face", "back") if name in sides}
    return record


def judge_sides(answers: Dict[str, dict]) -> Dict[str, dict]:
    """{side: {"fields", "checks", "checks_passed"}} for the answers (or fields) of each side
    read; the back's validity length is judged by the face's birth date when there is one."""
    from .checks import back_checks, face_checks, summary

    fields = {side: {name: answer.get(name) for name in FIELDS[side]}
              for side, answer in answers.items()}
    sides = {}
    for side, values in fields.items():
        birth = (fields.get("face") or {}).get("birth")
        checks = face_checks(values) if side == "face" else back_checks(values, birth=birth)
        sides[side] = {"fields": values, "checks": checks, "checks_passed": summary(checks)}
    return sides


def checks_passed(record: dict) -> Optional[bool]:
    """Whether every side read passes its checks; None for a record that is not an ok result.

    Records written before the top-level value covered every side judged only the side named,
    so the sides' own values are consulted too.
    """
    if record.get("status") != "ok" or not isinstance(record.get("checks_passed"), bool):
        return None
    return record["checks_passed"] and all(
        part.get("checks_passed") is not False for part in _parts(record).values())


def failed_checks(record: dict, informational: bool = False) -> List[str]:
    """`side.check` (e.g. back.validity_length) for every integrity check that failed, on
    every side read; with `informational`, the informational ones that did not hold too."""
    return [f"{side}.{name}" for side, part in _parts(record).items()
            for name, check in (part.get("checks") or {}).items()
            if isinstance(check, dict) and check.get("ok") is False
            and (informational or not check.get("informational"))]


def expired(record: dict) -> bool:
    """Whether a side read shows a card past its end date (information, not a failed check)."""
    return any(isinstance(check, dict) and check.get("expired") is True
               for part in _parts(record).values()
               for check in [(part.get("checks") or {}).get("not_expired")])


def sides_missing(record: dict) -> Dict[str, str]:
    """{side: error code} for each side of a sheet the result lists and could not read
    (ok_record's `missing`), in the order face, back; {} for any other record. What an operator
    must see: the photo holds a side nobody read."""
    missing = record.get("sides_missing") if record.get("status") == "ok" else None
    if not isinstance(missing, dict):
        return {}
    return {side: str(missing[side]) for side in FIELDS if side in missing}


def _parts(record: dict) -> Dict[str, dict]:
    """{side: {"checks", "checks_passed", ...}} for every side the record holds."""
    sides = record.get("sides") if isinstance(record.get("sides"), dict) else {}
    parts = {side: part for side, part in sides.items() if isinstance(part, dict)}
    if record.get("side") and record.get("side") not in parts:
        parts[record["side"]] = {"checks": record.get("checks") if isinstance(
            record.get("checks"), dict) else {}, "checks_passed": record.get("checks_passed")}
    return parts


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
