"""Processing photos that are already in a bucket (a trigger only sees new uploads).

The listing streams page by page on one thread (ListObjectsV2: millions of keys in flat
memory) into a bounded queue; worker threads judge each photo against its result (one HEAD of
the result's metadata) and process the ones to do through the same pipeline as the function,
or hand them to the deployed function, under a global rate limit. A failure on one photo fails
that photo, not the run. Interrupting and running again does nothing twice.
"""

import json
import logging
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from .. import errors
from ..config import is_loopback, split_url, unambiguous_url
from ..errors import ConfigError, IdcardOcrError, TransientError
from ..io.events import ObjectEvent, oss_event
from ..card.keys import skip_reason
from ..card.vouching import API, ENGINE
from ..io.oss import ObjectInfo, ObjectStore
from ..io.results import ResultStore, Verdict
from ..io.retry import Deadline, RetryPolicy, call_with_retries

# Work waiting for a thread, per thread: the listing never runs far ahead of the processing.
QUEUE_PER_THREAD = 4
PHOTO_BUDGET_S = 120.0  # each photo's own time budget for retries, as in the function
# Handing a photo over is small and quick: a few attempts, none waiting long for an answer.
INVOKE_RETRIES = RetryPolicy(max_attempts=3, per_call_s=10.0,
                             out_of_time_code=errors.INVOKE_FAILED)
CONNECT_TIMEOUT_MS = 5000
# Where FC's SDK (darabonba, and Tea before it) logs request headers.
SDK_LOGGERS = ("darabonba-core", "alibabacloud-tea")
_SECRET_HEADER = re.compile(r"^([<>] (?:authorization|x-acs-security-token|x-acs-bearer-token)"
                            r" : ).*$", re.IGNORECASE | re.MULTILINE)


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
    paid: int = 0        # photos recognised here by the API (local mode)
    free: int = 0        # photos recognised here by the offline engine, at no API cost
    api_calls: int = 0   # billed calls made here, retries and both sides of sheets included

    @property
    def ok(self) -> bool:
        return not self.failed and all(code in ("ok", "skipped", "invoked")
                                       for code in self.done)

    def as_dict(self) -> dict:
        return {"listed": self.listed, "submitted": self.submitted,
                "skipped": dict(self.skipped), "done": dict(self.done),
                "failed": dict(self.failed), "paid": self.paid, "free": self.free,
                "api_calls": self.api_calls}


@dataclass(frozen=True)
class Processed:
    """What processing one photo came to: its status, and who read it at what cost."""

    status: str
    recognized_by: Optional[str] = None   # engine | api; None when nothing was read here
    api_calls: int = 0


@dataclass(frozen=True)
class Plan:
    prefix: str = ""
    concurrency: int = 4
    qps: Optional[float] = None
    retry_failed: bool = False   # redo photos whose result is an error
    force: bool = False          # redo every photo
    dry_run: bool = False        # judge, count, do nothing


def local(pipeline) -> Callable[[ObjectEvent], Processed]:
    """Process each photo here, through the function's pipeline."""
    def process(event: ObjectEvent) -> Processed:
        outcome = pipeline.process(event, Deadline(PHOTO_BUDGET_S))
        return Processed(outcome.reason if outcome.status == "error" else outcome.status,
                         outcome.recognized_by, outcome.api_calls)
    return process


class Invoker:
    """Hand each photo to the deployed function as an asynchronous invocation: InvokeFunction of
    Function Compute 3.0's API (2023-03-30) through Alibaba's SDK, so the work fans out across
    FC instances. One SDK client per thread; every call goes through the project's retry loop."""

    def __init__(self, endpoint: str, function: str, credentials,
                 qualifier: Optional[str] = None, policy: RetryPolicy = INVOKE_RETRIES):
        self.require()
        _redact_sdk_debug_log()
        self.protocol, self.host = _split_endpoint(endpoint)
        self.function, self.qualifier, self.policy = function, qualifier, policy
        self._credentials = credentials
        self._local = threading.local()

    @staticmethod
    def require() -> None:
        """ConfigError unless FC's SDK is installed (checked before anything is listed)."""
        try:
            import alibabacloud_fc20230330.client  # noqa: F401
        except ImportError:
            raise ConfigError("--mode invoke", "needs alibabacloud-fc20230330: pip install "
                                               "'idcard-ocr[ops]' (or use --mode local)") from None

    def __call__(self, event: ObjectEvent) -> Processed:
        payload = json.dumps(oss_event(event.bucket, event.key, event.etag, event.size,
                                       event.region)).encode("utf-8")
        call_with_retries(lambda timeout: self._invoke(payload, timeout),
                          Deadline(PHOTO_BUDGET_S), self.policy, "InvokeFunction")
        return Processed("invoked")  # the function reads it; its logs say by whom

    def _invoke(self, payload: bytes, timeout: float) -> None:
        from alibabacloud_fc20230330 import models
        from darabonba.runtime import RuntimeOptions
        from Tea.exceptions import TeaException

        millis = max(1, int(timeout * 1000))
        try:
            self._client().invoke_function_with_options(
                self.function, models.InvokeFunctionRequest(body=payload, qualifier=self.qualifier),
                models.InvokeFunctionHeaders(x_fc_invocation_type="Async"),
                RuntimeOptions(connect_timeout=min(millis, CONNECT_TIMEOUT_MS),
                               read_timeout=millis))
        except TeaException as e:  # the SDK's every failure: HTTP errors and no answer at all
            raise _invoke_failed(e) from None

    def _client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            from alibabacloud_fc20230330.client import Client
            from alibabacloud_tea_openapi.utils_models import Config

            creds = self._credentials
            client = self._local.client = Client(Config(
                access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                security_token=creds.security_token or None, endpoint=self.host,
                protocol=self.protocol))
        return client


def _invoke_failed(e: Exception) -> TransientError:
    """The SDK's exception as the one error the backfill counts. Only the status, error code
    and request id are kept: the SDK's messages may quote what the server echoed of the
    request. Throttling and 5xx are retried; other client errors (signature, access, a
    function that does not exist) cannot get better by asking again."""
    status = getattr(e, "status_code", None)
    if status is None:  # no HTTP answer, or one that could not be read
        inner = getattr(e, "inner_exception", None) or e
        return TransientError(errors.INVOKE_FAILED, f"InvokeFunction: no readable answer "
                                                    f"({type(inner).__name__})")
    retry_after_ms = getattr(e, "retry_after", None)
    error = TransientError(
        errors.INVOKE_FAILED, f"InvokeFunction: HTTP {status} {_token(getattr(e, 'code', ''))} "
                              f"(request id {_token(getattr(e, 'request_id', ''))})",
        status=status, retry_after=retry_after_ms / 1000 if retry_after_ms else None)
    error.retry_in_invocation = status == 429 or status >= 500
    return error


def _token(value) -> str:
    """A server-supplied code or id, cut to what such values are made of."""
    return re.sub(r"[^A-Za-z0-9._-]", "", str(value or ""))[:64] or "-"


def _split_endpoint(endpoint: str):
    """(protocol, host[:port]) of --fc-endpoint. Plain http only on loopback: the STS token
    travels in a header."""
    parts, host = split_url(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parts.scheme not in ("http", "https") or not host or parts.path.strip("/") \
            or not unambiguous_url(endpoint) \
            or (parts.scheme == "http" and not is_loopback(host)):
        raise ConfigError("--fc-endpoint", "must be https://<host> (plain http only on "
                                           "loopback), e.g. https://<account-id>.<region>"
                                           ".fc.aliyuncs.com")
    return parts.scheme, parts.netloc


class _RedactSecrets(logging.Filter):
    """The SDK logs every request's headers when DEBUG=sdk is set; the signature and the STS
    token never leave this process."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _SECRET_HEADER.sub(r"\1[redacted]", record.getMessage()), ()
        return True


def _redact_sdk_debug_log() -> None:
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
            logger.addFilter(_RedactSecrets())


def run(photos: ObjectStore, results: ResultStore,
        process: Callable[[ObjectEvent], Processed],
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
            done = process(ObjectEvent("ObjectCreated:PutObject", photos.name, info.key,
                                       info.etag, info.size, region, None))
            count("done", done.status)
            with lock:
                report.paid += done.recognized_by == API
                report.free += done.recognized_by == ENGINE
                report.api_calls += done.api_calls
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
