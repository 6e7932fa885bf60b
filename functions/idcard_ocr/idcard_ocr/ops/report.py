"""Results of a bucket counted by status and error code, and exported as CSV for reconciling."""

import csv
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, TextIO

from ..card.documents import FIELDS, checks_passed, expired, failed_checks, sides_missing
from ..card.privacy import scrub
from ..io.results import StoredResult

CSV_COLUMNS = ("key", "status", "side", "error_code", "error_message", "checks_passed",
               "failed_checks", "expired",
               *FIELDS["face"], *FIELDS["back"], "etag", "processed_at", "trusted",
               "recognized_by", "engine_declined", "engine_confidence_min", "sides_missing")


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    examples: Dict[str, str] = field(default_factory=dict)  # label -> a key, numbers masked
    readers: Counter = field(default_factory=Counter)  # ok results: engine (free) or api (paid)
    # ok results of a sheet with a side listed and not read, by that side: the photo holds
    # data nobody read, which an ok status alone would hide
    missing: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"results": sum(self.counts.values()), "by_status": dict(self.counts),
                "by_reader": dict(self.readers), "sides_missing": dict(self.missing),
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


# A cell that starts with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"): = + - @, tab and carriage return, and their full-width forms,
# which spreadsheets in Chinese and Japanese locales read the same way.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value):
    """`value` for a CSV cell that a spreadsheet shows as text, never runs: a text that would
    start a formula (also after leading spaces) gets a leading apostrophe, as OWASP advises.
    The csv module's quoting takes care of quotes and separators inside the cell."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(record: dict, trusted: bool = True) -> dict:
    """One result as CSV cells, every text spreadsheet-safe (values come from photos)."""
    row = _csv_cells(record, trusted)
    return {column: spreadsheet_safe(value) for column, value in row.items()}


def _csv_cells(record: dict, trusted: bool) -> dict:
    error = record.get("error") or {}
    source = record.get("source") or {}
    row = {"key": source.get("key"), "status": record.get("status"),
           "side": record.get("side"), "error_code": error.get("code"),
           "error_message": error.get("message"), "checks_passed": checks_passed(record),
           "failed_checks": " ".join(failed_checks(record)),
           "expired": expired(record) if record.get("status") == "ok" else None,
           "etag": source.get("etag"), "processed_at": record.get("processed_at"),
           "trusted": trusted, "recognized_by": record.get("recognized_by"),
           "engine_declined": record.get("engine_declined"),
           "engine_confidence_min": _weakest(record.get("engine_confidence")),
           "sides_missing": " ".join(f"{side}:{code}"
                                     for side, code in sides_missing(record).items())}
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
        # a document we did not sign is counted by its key alone: its content is anyone's
        record = found.document if found.trusted else {"source": {"key": found.source_key}}
        name = label(record, found.trusted)
        summary.counts[name] += 1
        summary.examples.setdefault(name, scrub((record.get("source") or {}).get("key") or ""))
        if found.trusted and record.get("status") == "ok":
            summary.readers[record.get("recognized_by") or "api"] += 1
            summary.missing.update(sides_missing(record).keys())
        if writer:
            writer.writerow(csv_row(record, found.trusted))
    return summary


def _weakest(confidence) -> Optional[float]:
    """The lowest of the engine's per-field confidences (what decided the cascade), or None."""
    scores = [v for v in (confidence or {}).values()
              if isinstance(v, (int, float)) and not isinstance(v, bool)] \
        if isinstance(confidence, dict) else []
    return min(scores) if scores else None
