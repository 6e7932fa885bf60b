"""The FC entry point's logic: the app, the event's records, one pipeline run per record, one verdict."""

import logging
from typing import List, Optional, Tuple

from .app import App
from .errors import EventError, IdcardOcrError, InvocationFailed
from .io.events import ObjectEvent, event_records
from .io.log import log_context, log_event, scrub
from .io.retry import Deadline


def handle(event, context=None, environ=None) -> dict:
    """Process every record of an OSS or EventBridge trigger event.

    Returns a summary (no personal data). Raises ConfigError or EventError before any API call
    when a setting or the event is wrong, and InvocationFailed after the other records are done
    when some failed transiently, so FC's async retry (and failure destination) takes over.
    """
    request_id = getattr(context, "request_id", None)
    with log_context(request_id=request_id):
        app = App.from_environment(environ, context)
        raw_records = event_records(event)
        outcomes: List[Optional[dict]] = [None] * len(raw_records)  # in delivery order
        to_process: List[Tuple[int, ObjectEvent]] = []
        failures, seen = [], set()
        for position, raw in enumerate(raw_records):
            try:
                parsed = ObjectEvent.from_record(raw)
            except EventError as e:  # retrying cannot mend it; the other records still count
                log_event(logging.ERROR, "malformed record skipped", record=position,
                          error=e.message)
                outcomes[position] = {"record": position, "status": "skipped",
                                      "reason": "malformed_record"}
                continue
            if parsed.identity in seen:  # one change of one version, delivered twice
                outcomes[position] = {"key": parsed.key, "status": "skipped",
                                      "reason": "duplicate_record"}
                continue
            seen.add(parsed.identity)
            to_process.append((position, parsed))
        pipeline = app.pipeline(request_id)
        deadline = Deadline.from_context(context)
        for position, record in to_process:
            try:
                outcomes[position] = pipeline.process(record, deadline).summary()
            except IdcardOcrError as e:  # transient, or a permanent one no record could hold
                failures.append((record.key, e.code))
            except Exception as e:  # one broken record must not lose the others
                failures.append((record.key, type(e).__name__))
        # The summary is FC's invocation result (kept in its records, sent to destinations):
        # keys in it are masked like log lines.
        outcomes = [{k: scrub(v) if k in ("key", "result_key") else v for k, v in o.items()}
                    for o in outcomes if o is not None]
        summary = {
            "request_id": request_id,
            "records": len(raw_records),
            "ok": sum(o["status"] == "ok" for o in outcomes),
            "error": sum(o["status"] == "error" for o in outcomes),
            "skipped": sum(o["status"] == "skipped" for o in outcomes),
            "failed": len(failures),
            "objects": outcomes,
        }
        if failures:
            log_event(logging.ERROR, "invocation failed", failed=len(failures),
                      records=len(raw_records))
            raise InvocationFailed(failures)
        return summary
