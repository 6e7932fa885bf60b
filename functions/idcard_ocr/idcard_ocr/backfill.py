"""Processing objects that are already in a bucket (a trigger only sees new uploads).

Objects are listed page by page (ListObjectsV2, so millions of keys stream in constant
memory), classified against their results (done for this ETag, failed, or new), and the ones
to do go through the same pipeline as the function, on a thread pool under a global rate
limit. Interrupting and running again does nothing twice: finished objects have ok results.
"""

import logging
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import oss2

from .budget import Deadline
from .errors import TransientError
from .events import ObjectEvent, normalize_etag
from .keys import OutputNaming, is_image_key
from .results import is_done

PAGE_SIZE = 1000


def list_objects(bucket: "oss2.Bucket", prefix: str = "") -> Iterator[oss2.models.SimplifiedObjectInfo]:
    """Every object under `prefix`, one page in memory at a time.

    ListObjectsV2 with the continuation token absent rather than empty: OSS accepts both,
    S3-protocol servers (moto, used in the tests) refuse an empty one.
    """
    token = None
    while True:
        page = bucket.list_objects_v2(prefix=prefix, continuation_token=token, start_after=None,
                                      max_keys=PAGE_SIZE)
        yield from page.object_list
        if not page.is_truncated:
            return
        token = page.next_continuation_token


class RateLimiter:
    """At most `per_second` acquisitions per second across threads (evenly spaced)."""

    def __init__(self, per_second: Optional[float], clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


@dataclass
class Report:
    listed: int = 0
    submitted: int = 0
    skipped: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)     # outcome status or error code
    failed: Counter = field(default_factory=Counter)   # transient code, after retries

    @property
    def ok(self) -> bool:
        return not self.failed and all(code in ("ok", "skipped", "invoked")
                                       for code in self.done)

    def as_dict(self) -> dict:
        return {"listed": self.listed, "submitted": self.submitted,
                "skipped": dict(self.skipped), "done": dict(self.done),
                "failed": dict(self.failed)}


def classify(store, naming: OutputNaming, key: str, etag: Optional[str], retry_failed: bool,
             force: bool) -> Optional[str]:
    """Why `key` needs no work (a skip reason), or None when it is to be processed."""
    if naming.is_output(key):
        return "own_output"
    if not is_image_key(key):
        return "not_an_image_key"
    if force:
        return None
    record = store.read_json(naming.result_key(key))
    if is_done(record, etag):
        return "already_done"
    if record and record.get("status") == "error" and not retry_failed:
        return "failed_before"
    return None


def local(pipeline, deadline_s: float = 120.0) -> Callable[[ObjectEvent], str]:
    """Process each object here, through the function's pipeline; returns its status."""
    def process(event: ObjectEvent) -> str:
        outcome = pipeline.process(event, Deadline(deadline_s))
        return outcome.reason if outcome.status == "error" else outcome.status
    return process


class Invoker:
    """Hand each object to the deployed function as an asynchronous invocation (aliyun-fc2),
    so the work fans out across FC instances. One fc2 client per thread."""

    def __init__(self, endpoint: str, service: str, function: str, credentials,
                 qualifier: Optional[str] = None):
        # fc2 logs failed requests on the root logger with their headers, security token and
        # signature included: those lines never leave this process.
        logging.getLogger().addFilter(_not_from_fc2)
        self.endpoint, self.service, self.function = endpoint, service, function
        self.qualifier = qualifier
        self._credentials = credentials
        self._local = threading.local()

    def __call__(self, event: ObjectEvent) -> str:
        import json

        from fc2.fc_exceptions import FcError

        from .events import oss_event

        payload = json.dumps(oss_event(event.bucket, event.key, event.etag, event.size,
                                       event.region)).encode("utf-8")
        try:
            self._client().invoke_function(self.service, self.function, payload=payload,
                                           headers={"x-fc-invocation-type": "Async"},
                                           qualifier=self.qualifier)
        except FcError as e:
            raise TransientError("invoke_failed", f"InvokeFunction failed: "
                                                  f"{getattr(e, 'status_code', '')} "
                                                  f"{str(e)[:120]}") from None
        return "invoked"

    def _client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            import fc2

            creds = self._credentials
            client = self._local.client = fc2.Client(
                endpoint=self.endpoint, accessKeyID=creds.access_key_id,
                accessKeySecret=creds.access_key_secret,
                securityToken=creds.security_token or "")
        return client


def _not_from_fc2(record: logging.LogRecord) -> bool:
    return f"{os.sep}fc2{os.sep}" not in record.pathname


def run(store, naming: OutputNaming, process: Callable[[ObjectEvent], str], bucket_name: str,
        region: Optional[str], prefix: str = "", concurrency: int = 4,
        qps: Optional[float] = None, retry_failed: bool = False, force: bool = False,
        dry_run: bool = False, progress: Optional[Callable[[Report], None]] = None) -> Report:
    """Backfill `prefix` of the bucket: `process` is local(pipeline) or an Invoker."""
    report = Report()
    limiter = RateLimiter(qps)
    lock = threading.Lock()

    def work(event: ObjectEvent) -> None:
        limiter.acquire()
        try:
            result = process(event)
        except TransientError as e:
            with lock:
                report.failed[e.code] += 1
            return
        except Exception as e:  # noqa: BLE001 - one object must not stop the backfill
            with lock:
                report.failed[type(e).__name__] += 1
            return
        with lock:
            report.done[result] += 1
        if progress:
            progress(report)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        pending = []
        for info in list_objects(store.bucket, prefix):
            report.listed += 1
            etag = normalize_etag(info.etag)
            reason = classify(store, naming, info.key, etag, retry_failed, force)
            if reason:
                report.skipped[reason] += 1
                continue
            report.submitted += 1
            if dry_run:
                continue
            event = ObjectEvent("ObjectCreated:PutObject", bucket_name, info.key, etag,
                                info.size, region, None)
            pending.append(pool.submit(work, event))
            if len(pending) >= concurrency * 4:  # bounded queue: memory stays flat
                pending = [f for f in pending if not f.done()]
                if len(pending) >= concurrency * 4:
                    pending[0].result()
        for future in pending:
            future.result()
    return report


CSV_COLUMNS = ("key", "status", "side", "error_code", "error_message", "checks_passed",
               "name", "sex", "nationality", "birth", "address", "num", "issue",
               "start_date", "end_date", "etag", "processed_at")


def results(store, naming: OutputNaming, prefix: str = "") -> Iterator[dict]:
    """Every result document under `prefix` (streamed, one GET each)."""
    for info in list_objects(store.bucket, naming.prefix + prefix):
        if info.key.endswith(naming.suffix):
            record = store.read_json(info.key)
            if record and record.get("status") in ("ok", "error"):
                yield record


def csv_row(record: dict) -> dict:
    error = record.get("error") or {}
    row = {"key": (record.get("source") or {}).get("key"), "status": record.get("status"),
           "side": record.get("side"), "error_code": error.get("code"),
           "error_message": error.get("message"), "checks_passed": record.get("checks_passed"),
           "etag": (record.get("source") or {}).get("etag"),
           "processed_at": record.get("processed_at")}
    row.update({k: v for k, v in (record.get("fields") or {}).items() if k in CSV_COLUMNS})
    return row
