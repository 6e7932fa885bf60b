"""Review documents: an operator's approval or correction of one machine result.

Pure functions over dicts. A review names the result it judged (its signature), so a result
written later by reprocessing is not covered by an older review. The checks are recomputed
on the corrected fields with the function's own rules (card/checks.py) and stored with them.
"""

import unicodedata
from datetime import datetime
from typing import Dict, Mapping, Optional

from ...card.documents import FIELDS, _timestamp, failed_checks, judge_sides
from ...errors import ReviewRefused

SCHEMA_VERSION = 1
MAX_VALUE_CHARS = 200
MAX_REASON_CHARS = 500
APPROVED, CORRECTED = "approved", "corrected"


class ConfirmationNeeded(ReviewRefused):
    """The reviewed values fail a check: approving them needs the operator's explicit
    confirmation and a reason, which the review then keeps."""

    def __init__(self, failed):
        super().__init__("the checks fail on the reviewed values (" + ", ".join(failed)
                         + "): confirm and give a reason to approve anyway")
        self.failed = list(failed)


def reviewable(record: Optional[dict], trusted: bool) -> Optional[str]:
    """None when an operator may review this result, else why not."""
    if record is None:
        return "no_result"
    if not trusted:
        return "untrusted"
    if record.get("status") != "ok" or record.get("side") not in FIELDS:
        return "not_ok"
    if not isinstance(record.get("fields"), dict):
        return "no_fields"  # a receipt (OUTPUT=mns): the data went elsewhere
    return None


def corrections(record: dict, submitted: Mapping[str, str]) -> Dict[str, dict]:
    """{field: {"before", "after"}} for the submitted values that differ from what was read.

    Raises ReviewRefused for a field the side does not have, or a value that is too long or
    holds control characters.
    """
    fields = record["fields"]
    names = FIELDS[record["side"]]
    changed = {}
    for name, value in submitted.items():
        if name not in names:
            raise ReviewRefused(f"{record['side']} side has no field {name[:40]!r}")
        after = _clean(name, value)
        before = fields.get(name)
        if after != (before or ""):
            changed[name] = {"before": before, "after": after}
    return changed


def build(record: dict, operator: str, submitted: Mapping[str, str],
          now: Optional[datetime] = None, confirmed_reason: Optional[str] = None,
          preview: bool = False) -> dict:
    """The review of `record` (a trusted ok result) by `operator`, with the values the operator
    submitted for some fields: decision `corrected` when any differs, else `approved`.

    Every side of the record is judged again (a corrected birth date changes what the back's
    validity length should be). When a check fails, ConfirmationNeeded is raised unless
    `confirmed_reason` gives the operator's reason, stored in the review as `override`;
    `preview` builds the document anyway (the console's live recheck, never saved).
    """
    changed = corrections(record, submitted)
    side = record["side"]
    fields = dict(record["fields"], **{name: c["after"] for name, c in changed.items()})
    others = {name: part.get("fields") or {} for name, part in _sides_of(record).items()
              if name != side}
    judged = judge_sides({side: fields, **others})
    checks = judged[side]["checks"]
    passed = all(part["checks_passed"] for part in judged.values())
    failed = failed_checks({"side": side, "sides": judged})
    reason = _reason(confirmed_reason)
    if not passed and reason is None and not preview:
        raise ConfirmationNeeded(failed)
    source = record.get("source") or {}
    review = {
        "kind": "review",
        "schema_version": SCHEMA_VERSION,
        "source": {"bucket": source.get("bucket"), "key": source.get("key"),
                   "etag": source.get("etag")},
        "result": {"signature": _signature(record), "processed_at": record.get("processed_at")},
        "operator": operator,
        "reviewed_at": _timestamp(now),
        "decision": CORRECTED if changed else APPROVED,
        "corrections": changed,
        "fields": fields,
        "checks": checks,
        "checks_passed": passed,
    }
    if others:
        review["sides"] = {name: {"checks": part["checks"], "checks_passed": part["checks_passed"]}
                           for name, part in judged.items()}
    if not passed and reason is not None:
        review["override"] = {"reason": reason, "failed_checks": failed}
    return review


def is_current(review: Optional[dict], record: Optional[dict]) -> bool:
    """True when `review` judged exactly this result (not one that reprocessing replaced)."""
    if not review or not record:
        return False
    judged = (review.get("result") or {}).get("signature")
    return isinstance(judged, str) and judged == _signature(record)


def applied(record: dict, review: Optional[dict]) -> dict:
    """The record as the operator left it: corrected fields and their checks, when `review`
    is current; the record itself otherwise."""
    if not is_current(review, record):
        return record
    out = dict(record, fields=review["fields"], checks=review["checks"],
               checks_passed=review["checks_passed"])
    if isinstance(record.get("sides"), dict):
        judged = review.get("sides") or {}
        out["sides"] = {name: dict(part, **(judged.get(name) or {}),
                                   **({"fields": review["fields"]}
                                      if name == record["side"] else {}))
                        for name, part in record["sides"].items() if isinstance(part, dict)}
    return out


def _sides_of(record: dict) -> dict:
    sides = record.get("sides")
    return {name: part for name, part in sides.items() if isinstance(part, dict)} \
        if isinstance(sides, dict) else {}


def _reason(value: Optional[str]) -> Optional[str]:
    """The operator's reason for approving failing values, cleaned; None when there is none."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReviewRefused("reason: a text value is expected")
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > MAX_REASON_CHARS:
        raise ReviewRefused(f"reason: at most {MAX_REASON_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\r\n\t"
           for c in value):
        raise ReviewRefused("reason: control characters are not allowed")
    return value or None


def _clean(name: str, value) -> str:
    if not isinstance(value, str):
        raise ReviewRefused(f"{name}: a text value is expected")
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > MAX_VALUE_CHARS:
        raise ReviewRefused(f"{name}: at most {MAX_VALUE_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise ReviewRefused(f"{name}: control characters are not allowed")
    return value


def _signature(record: dict) -> Optional[str]:
    signature = record.get("signature")
    return signature.get("value") if isinstance(signature, dict) else None
