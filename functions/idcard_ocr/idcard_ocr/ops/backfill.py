"""Processing photos that are already in a bucket (a trigger only sees new uploads).

The listing streams page by page on one thread (ListObjectsV2: millions of keys in flat
memory) into a bounded queue; worker threads judge each photo against its result (one HEAD of
the result's metadata) and process the ones to do through the same pipeline as the function,
or hand them to the deployed function, under a global rate limit. A failure on one photo fails
that photo, not the run. Interrupting and running again does nothing twice.
"""

import logging
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from .. import errors
from ..errors import ConfigError, IdcardOcrError, TransientError
from ..io.events import ObjectEvent, oss_event
from ..io.keys import skip_reason
from ..io.oss import ObjectInfo, ObjectStore
from ..io.results import ResultStore, Verdict
from ..io.retry import Deadline

# Work waiting for a thread, per thread: the listing never runs far ahead of the processing.
QUEUE_PER_THREAD = 4
PHOTO_BUDGET_S = 120.0  # each photo's own time budget for retries, as in the function


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


@dataclass(frozen=True)
class Plan:
    prefix: str = ""
    concurrency: int = 4
    qps: Optional[float] = None
    retry_failed: bool = False   # redo photos whose result is an error
    force: bool = False          # redo every photo
    dry_run: bool = False        # judge, count, do nothing


def local(pipeline) -> Callable[[ObjectEvent], str]:
    """Process each photo here, through the function's pipeline; returns its status."""
    def process(event: ObjectEvent) -> str:
        outcome = pipeline.process(event, Deadline(PHOTO_BUDGET_S))
        return outcome.reason if outcome.status == "error" else outcome.status
    return process


class Invoker:
    """Hand each photo to the deployed function as an asynchronous invocation (aliyun-fc2),
    so the work fans out across FC instances. One fc2 client per thread."""

    def __init__(self, endpoint: str, service: str, function: str, credentials,
                 qualifier: Optional[str] = None):
        self.require()
        # fc2 logs failed requests on the root logger with their headers, security token and
        # signature included: those lines never leave this process.
        logging.getLogger().addFilter(_not_from_fc2)
        self.endpoint, self.service, self.function = endpoint, service, function
        self.qualifier = qualifier
        self._credentials = credentials
        self._local = threading.local()

    @staticmethod
    def require() -> None:
        """ConfigError unless aliyun-fc2 is installed (before anything is listed)."""
        try:
            import fc2  # noqa: F401
        except ImportError:
            raise ConfigError("--mode invoke", "needs aliyun-fc2: pip install "
                                               "'idcard-ocr[ops]' (or use --mode local)") from None

    def __call__(self, event: ObjectEvent) -> str:
        import json

        from fc2.fc_exceptions import FcError

        payload = json.dumps(oss_event(event.bucket, event.key, event.etag, event.size,
                                       event.region)).encode("utf-8")
        try:
            self._client().invoke_function(self.service, self.function, payload=payload,
                                           headers={"x-fc-invocation-type": "Async"},
                                           qualifier=self.qualifier)
        except FcError as e:
            raise TransientError(errors.INVOKE_FAILED, f"InvokeFunction failed: "
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


def run(photos: ObjectStore, results: ResultStore, process: Callable[[ObjectEvent], str],
        region: Optional[str], plan: Plan = Plan(),
        progress: Optional[Callable[[Report], None]] = None,
        listing: Optional[Iterable[ObjectInfo]] = None) -> Report:
    """Backfill `plan.prefix` of the `photos` bucket: `process` is local(pipeline) or an
    Invoker; `results` is where the results of those photos live. `listing`, when given,
    replaces the bucket's listing (the review console's filtered set)."""
    report = Report()
    limiter = RateLimiter(plan.qps)
    lock = threading.Lock()
    room = threading.BoundedSemaphore(plan.concurrency * QUEUE_PER_THREAD)

    def count(counter: str, name: str) -> None:
        with lock:
            getattr(report, counter)[name] += 1

    def work(info: ObjectInfo) -> None:
        try:
            if not plan.force:
                verdict = results.standing(info.key, info.etag).verdict
                if verdict is Verdict.DONE:
                    return count("skipped", "already_done")
                if verdict is Verdict.FAILED and not plan.retry_failed:
                    return count("skipped", "failed_before")
            with lock:
                report.submitted += 1
            if plan.dry_run:
                return
            limiter.acquire()
            count("done", process(ObjectEvent("ObjectCreated:PutObject", photos.name, info.key,
                                              info.etag, info.size, region, None)))
        except IdcardOcrError as e:
            count("failed", e.code)
        except Exception as e:  # noqa: BLE001 - one photo must not stop the backfill
            count("failed", type(e).__name__)
        finally:
            room.release()
            if progress:
                progress(report)

    with ThreadPoolExecutor(max_workers=plan.concurrency) as pool:
        for info in photos.list(plan.prefix) if listing is None else listing:
            report.listed += 1
            reason = skip_reason(info.key, results.location)
            if reason:
                count("skipped", reason)
                continue
            room.acquire()  # bounded: the listing waits for the workers
            pool.submit(work, info)
    return report
