"""The FC entry point's logic: settings, records, one pipeline run per record, one verdict."""

import logging
from typing import Optional

from .budget import Deadline
from .config import Settings
from .errors import InvocationFailed, TransientError
from .events import EventError, ObjectEvent, event_records
from .log import log_event
from .mns import MnsPublisher
from .ocr import client_for
from .pipeline import Pipeline
from .storage import Credentials, ObjectStore


def handle(event, context=None, environ=None) -> dict:
    """Process every record of an OSS trigger event.

    Returns a summary (no personal data). Raises ConfigError before any API call when a setting
    is wrong, and InvocationFailed after the other records are done when some failed
    transiently, so FC's async retry (and failure destination) takes over.
    """
    settings = Settings.from_env(environ)
    credentials = Credentials.resolve(context, environ)
    raw_records = event_records(event)
    request_id = getattr(context, "request_id", None)
    stores = {}

    def store_for(bucket: str, region: Optional[str]) -> ObjectStore:
        endpoint = settings.oss_endpoint_for(region)
        if (endpoint, bucket) not in stores:
            stores[endpoint, bucket] = ObjectStore.connect(endpoint, bucket, credentials)
        return stores[endpoint, bucket]

    records, outcomes, failures = [], [], []
    for position, raw in enumerate(raw_records):
        try:
            records.append(ObjectEvent.from_record(raw))
        except EventError as e:  # retrying cannot mend it; the other records still count
            log_event(logging.ERROR, "malformed record skipped", request_id=request_id,
                      record=position, error=str(e))
            outcomes.append({"record": position, "status": "skipped", "reason": "malformed_record"})
    # Settle every record's endpoint before the first API call: a bad setting fails the
    # whole invocation up front instead of half-way through.
    for record in records:
        settings.oss_endpoint_for(record.region)

    publisher = None
    if settings.sends_messages:
        publisher = MnsPublisher(settings.mns_endpoint, credentials, settings.mns_queue,
                                 settings.mns_topic, timeout_s=settings.timeout_s)
    pipeline = Pipeline(settings, store_for, client_for(settings), request_id,
                        Deadline.from_context(context), publisher)
    for record in records:
        try:
            outcomes.append(pipeline.process(record).summary())
        except TransientError as e:
            failures.append((record.key, e.code))
        except Exception as e:  # one broken record must not lose the others
            failures.append((record.key, type(e).__name__))
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
        log_event(logging.ERROR, "invocation failed", request_id=request_id,
                  failed=len(failures), records=len(raw_records))
        raise InvocationFailed(failures)
    return summary
