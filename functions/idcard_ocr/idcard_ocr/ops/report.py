"""Results of a bucket counted by status and error code, and exported as CSV for reconciling."""

import csv
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, TextIO

from ..card.documents import FIELDS, checks_passed, expired, failed_checks
from ..card.privacy import scrub
from ..io.results import StoredResult

CSV_COLUMNS = ("key", "status", "side", "error_code", "error_message", "checks_passed",
               "failed_checks", "expired",
               *FIELDS["face"], *FIELDS["back"], "etag", "processed_at", "trusted")


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    examples: Dict[str, str] = field(default_factory=dict)  # label -> a key, numbers masked

    def as_dict(self) -> dict:
        return {"results": sum(self.counts.values()), "by_status": dict(self.counts),
                "examples": self.examples}


def label(record: dict, trusted: bool = True) -> str:
    """ok, ok:checks_failed (a check failed on any side read), ok:expired (checks pass, the card
    is past its end date), error:<code>, or untrusted (not signed by the function: planted or
    altered): what a reconciler sorts by."""
    if not trusted:
        return "untrusted"
    if record.get("status") == "ok":
        if checks_passed(record) is False:
            return "ok:checks_failed"
        return "ok:expired" if expired(record) else "ok"
    return f"error:{(record.get('error') or {}).get('code')}"


def csv_row(record: dict, trusted: bool = True) -> dict:
    error = record.get("error") or {}
    source = record.get("source") or {}
    row = {"key": source.get("key"), "status": record.get("status"),
           "side": record.get("side"), "error_code": error.get("code"),
           "error_message": error.get("message"), "checks_passed": checks_passed(record),
           "failed_checks": " ".join(failed_checks(record)),
           "expired": expired(record) if record.get("status") == "ok" else None,
           "etag": source.get("etag"), "processed_at": record.get("processed_at"),
           "trusted": trusted}
    for fields in [record.get("fields") or {}] + [part.get("fields") or {} for part in
                                                  (record.get("sides") or {}).values()]:
        row.update({k: v for k, v in fields.items() if k in CSV_COLUMNS})
    return row


def summarize(results: Iterable[StoredResult], csv_out: Optional[TextIO] = None) -> Summary:
    """Count results by label; with `csv_out`, also write one CSV row each (full data)."""
    summary = Summary()
    writer = csv.DictWriter(csv_out, CSV_COLUMNS) if csv_out else None
    if writer:
        writer.writeheader()
    for found in results:
        record = found.document
        name = label(record, found.trusted)
        summary.counts[name] += 1
        summary.examples.setdefault(name, scrub((record.get("source") or {}).get("key") or ""))
        if writer:
            writer.writerow(csv_row(record, found.trusted))
    return summary
