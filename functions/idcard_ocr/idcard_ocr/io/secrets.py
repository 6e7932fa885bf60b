"""Where an AppCode comes from: the environment, or KMS Secrets Manager.

By default the AppCode is the OCR_APPCODE environment variable, which anyone allowed to call
GetFunction can read. With OCR_APPCODE_SECRET_NAME the function reads it from KMS Secrets
Manager instead (GetSecretValue, with the official client `alibabacloud-kms20160120`, imported
only then), once per warm instance, and once more after the API calls it invalid, so that
rotating the secret needs no redeploy. The engine function's AppCode (ENGINE_APPCODE) comes
the same way from ENGINE_APPCODE_SECRET_NAME.

A read is bounded by the caller's deadline when it gives one (the cascade's engine client: the
engine's share of the invocation, so that the API still reads in time while KMS hangs), and a
read that failed for want of KMS is not tried again for FAILED_READ_HOLD_S: during an outage
each photo fails over at once instead of waiting for KMS again.
"""

import threading
import time
from typing import Callable, Dict, Optional, Tuple

from .. import errors
from ..errors import ConfigError, TransientError
from .log import register_secret
from .retry import Deadline, RetryPolicy, call_with_retries

# A rejected AppCode makes the instance read the secret again, but not more often than this:
# a wrong secret must not turn every photo into a KMS call.
REREAD_AFTER_S = 60.0
# Reading the secret: the SDK bounds each socket operation (5 s); this bounds the whole.
KMS_POLICY = RetryPolicy(max_attempts=2, per_call_s=5.0,
                         out_of_time_code=errors.SECRET_UNAVAILABLE)
READ_BUDGET_S = 12.0
# After KMS failed to give a secret, the failure stands this long without asking KMS again.
FAILED_READ_HOLD_S = 15.0
# A read left behind is waited on by the next reads for this long after it began; past it (a
# connection dripping without end: the SDK bounds each socket read, not the answer) a new read
# starts beside it on a connection of its own, so one stuck connection cannot keep the secret
# from the instance for good. At most one thread per secret per this many seconds.
LEFT_BEHIND_WAITED_S = 60.0

_cache: Dict[Tuple[str, str], Tuple[str, float]] = {}  # (endpoint, name) -> (value, read at)
# (endpoint, name) -> (the TransientError of the last failed read, when it failed)
_failed: Dict[Tuple[str, str], Tuple[TransientError, float]] = {}
_lock = threading.Lock()
# (endpoint, name) -> the read of it under way or last made (_within)
_readers: Dict[Tuple[str, str], "_Reader"] = {}


class FixedAppCode:
    """OCR_APPCODE as set (or none, for an engine that needs none)."""

    rotatable = False

    def __init__(self, value: Optional[str]):
        self._value = value
        register_secret(value)

    def current(self, deadline: Optional[Deadline] = None) -> Optional[str]:
        return self._value

    def reread(self, deadline: Optional[Deadline] = None) -> Optional[str]:
        return None


class SecretAppCode:
    """The AppCode held in a KMS secret, cached per instance."""

    rotatable = True

    def __init__(self, secret_name: str, endpoint: str, credentials,
                 fetch: Optional[Callable[[float], str]] = None, clock=time.monotonic,
                 variable: str = "OCR_APPCODE_SECRET_NAME"):
        self.secret_name = secret_name
        self.variable = variable  # the setting that names the secret, for its errors
        self.endpoint = endpoint
        self._credentials = credentials
        self._fetch = fetch or self._get_secret_value
        self._clock = clock

    def current(self, deadline: Optional[Deadline] = None) -> str:
        """The AppCode; read from KMS (within `deadline`, if given) unless cached."""
        with _lock:
            cached = _cache.get((self.endpoint, self.secret_name))
        return cached[0] if cached else self._read(deadline)

    def reread(self, deadline: Optional[Deadline] = None) -> Optional[str]:
        """The secret read again after a rejection; None when it was read too recently."""
        with _lock:
            cached = _cache.get((self.endpoint, self.secret_name))
        if cached and self._clock() - cached[1] < REREAD_AFTER_S:
            return None
        return self._read(deadline)

    def _read(self, deadline: Optional[Deadline] = None) -> str:
        key = (self.endpoint, self.secret_name)
        with _lock:
            failed = _failed.get(key)
            arrived = _answered_late(key)
        # The hold spares KMS during an outage; a read left behind that has since brought the
        # secret costs KMS nothing to take.
        if failed and not arrived and self._clock() - failed[1] < FAILED_READ_HOLD_S:
            raise TransientError(failed[0].code, f"{failed[0].message} (failed "
                                                 f"{self._clock() - failed[1]:.0f} s ago; asked "
                                                 f"again after {FAILED_READ_HOLD_S:g} s)")
        budget = READ_BUDGET_S if deadline is None else min(READ_BUDGET_S, deadline.remaining())
        try:
            value, _ = call_with_retries(lambda timeout: _within(self._fetch, timeout, key),
                                         Deadline(budget), KMS_POLICY,
                                         f"reading the secret {self.secret_name!r}")
        except TransientError as e:
            if e.attempts:  # KMS was asked and failed (not: no time left to ask it)
                with _lock:
                    _failed[key] = (e, self._clock())
            raise
        if not value or not value.strip() or any(c.isspace() for c in value.strip()):
            raise ConfigError(self.variable, f"the secret {self.secret_name!r} holds no AppCode "
                                             f"(empty or text with spaces)")
        value = value.strip()
        register_secret(value)
        with _lock:
            _cache[key] = (value, self._clock())
            _failed.pop(key, None)
        return value

    def _get_secret_value(self, timeout_s: float = 5.0) -> str:
        try:
            from alibabacloud_kms20160120 import models
            from alibabacloud_kms20160120.client import Client
            from alibabacloud_tea_openapi.models import Config
            from alibabacloud_tea_util.models import RuntimeOptions
        except ImportError:
            raise ConfigError(self.variable, "needs alibabacloud-kms20160120 in the function's "
                                             "code: make package KMS=1 (pip install "
                                             "'idcard-ocr[kms]')") from None
        protocol, host = _split_endpoint(self.endpoint)
        creds = self._credentials
        client = Client(Config(access_key_id=creds.access_key_id,
                               access_key_secret=creds.access_key_secret,
                               security_token=creds.security_token, endpoint=host,
                               protocol=protocol))
        try:
            answer = client.get_secret_value_with_options(
                models.GetSecretValueRequest(secret_name=self.secret_name),
                RuntimeOptions(connect_timeout=int(timeout_s * 1000),
                               read_timeout=int(timeout_s * 1000), autoretry=False))
        except Exception as e:  # the Tea SDK raises its own and requests' errors
            raise _classified(e, self.secret_name, self.variable) from None
        body = answer.body
        if (body.secret_data_type or "text") != "text":
            raise ConfigError(self.variable, f"the secret {self.secret_name!r} is binary; "
                                             f"store the AppCode as text")
        return body.secret_data or ""


def _within(fetch: Callable[[float], str], timeout_s: float, key: Tuple[str, str]) -> str:
    """fetch(timeout_s), waited for no longer than timeout_s. The SDK's timeouts bound each
    socket read, not the answer: a KMS dripping its answer a byte at a time held the read (and
    the caller's deadline) for as long as it dripped. The SDK's connection cannot be reached to
    shut it (io/http.py's Watchdog), so the read runs in a thread of its own, left behind when
    time is up; it ends with the SDK's own read timeout or the answer.

    At most one such read per secret is under way: while one left behind is still running (a
    KMS dripping for minutes), a new read waits on it instead of starting another, so that
    threads and connections cannot pile up one per photo (_worth_waiting_on). Nothing is
    raised in the thread."""
    with _lock:
        reader = _readers.get(key)
        if reader is None or not _worth_waiting_on(reader):
            reader = _readers[key] = _Reader(fetch, timeout_s)
    reader.thread.join(timeout_s)
    with _lock:
        if reader.thread.is_alive():
            raise TransientError(errors.SECRET_UNAVAILABLE,
                                 f"KMS did not answer within {timeout_s:.1f} s")
        reader.taken = True
    if reader.error is not None:
        raise reader.error
    return reader.value


def _worth_waiting_on(reader: "_Reader") -> bool:
    """Whether a new read of the secret takes what `reader` (the last one) brings rather than
    starting another: a read still running, for LEFT_BEHIND_WAITED_S after it began (not longer:
    a connection dripping for good would keep the secret away for good), or a late answer (it
    is still the secret). Not a late error: its read was already failed and held, and what
    KMS said minutes ago is no answer now. Nor what a caller has already taken."""
    if reader.thread.is_alive():
        return time.monotonic() - reader.started < LEFT_BEHIND_WAITED_S
    return not reader.taken and reader.error is None


def _answered_late(key: Tuple[str, str]) -> bool:
    """Whether a read of the secret left behind has ended with its value since, not yet
    taken (the caller holds _lock)."""
    reader = _readers.get(key)
    return reader is not None and not reader.thread.is_alive() and _worth_waiting_on(reader)


class _Reader:
    """One read of a secret in a thread of its own, and what it ended with."""

    def __init__(self, fetch: Callable[[float], str], timeout_s: float):
        self.value: Optional[str] = None
        self.error: Optional[BaseException] = None
        self.taken = False  # a caller has had its outcome
        self.started = time.monotonic()

        def run():
            try:
                self.value = fetch(timeout_s)
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                self.error = e

        self.thread = threading.Thread(target=run, name="kms-read", daemon=True)
        self.thread.start()


def _classified(error: Exception, name: str, variable: str) -> Exception:
    """The SDK's error as ours: missing secret or access denied are settings; the rest may pass."""
    status = getattr(error, "statusCode", None) or getattr(error, "status_code", None)
    code = str(getattr(error, "code", "") or "")
    if code in ("Forbidden.ResourceNotFound", "Rejected.ResourceNotFound") or status == 404:
        return ConfigError(variable, f"there is no secret {name!r} in KMS Secrets Manager in "
                                     f"this region")
    if status in (401, 403) or code.startswith(("Forbidden", "InvalidAccessKeyId",
                                                "SignatureDoesNotMatch")):
        return ConfigError(variable, f"GetSecretValue on {name!r} was refused "
                                     f"({code or status}); the function's role needs "
                                     f"kms:GetSecretValue on it")
    return TransientError(errors.SECRET_UNAVAILABLE,
                          f"KMS did not give the secret {name!r} ({code or type(error).__name__})")


def _split_endpoint(endpoint: str) -> Tuple[str, str]:
    if "://" in endpoint:
        protocol, host = endpoint.split("://", 1)
        return protocol.lower(), host.rstrip("/")
    return "https", endpoint.rstrip("/")


def forget_cached() -> None:
    """Drop every cached secret (tests, and an instance told to start afresh)."""
    with _lock:
        _cache.clear()
        _failed.clear()
        _readers.clear()
