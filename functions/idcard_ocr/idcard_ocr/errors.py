"""Every error the package raises on purpose, under one root, and how failures are classified.

A PermanentError ends in an error record and no retry (a retry would bill again and fail again).
A TransientError is retried inside the invocation, then raised so FC's async retry takes over.
Messages never carry personal data: they name what went wrong, not what was read.

The adapters (OCR API, OSS, MNS) turn what their libraries raise into these classes with the
rules below, so the decision "retry or record" is made in this module only.
"""

from typing import Iterable, List, Optional, Sequence, Tuple

# Stable codes written into error records. Documented in README.md ("Error codes").
INVALID_IMAGE = "invalid_image"
IMAGE_TOO_LARGE = "image_too_large"
IMAGE_SIZE_UNSUPPORTED = "image_size_unsupported"
NOT_AN_ID_CARD = "not_an_id_card"
RECOGNITION_FAILED = "recognition_failed"
APPCODE_INVALID = "appcode_invalid"
UNAUTHORIZED = "unauthorized"
QUOTA_EXHAUSTED = "quota_exhausted"
REQUEST_REJECTED = "request_rejected"
API_ERROR = "api_error"
BAD_RESPONSE = "bad_response"
API_REDIRECTED = "api_redirected"
STORAGE_DENIED = "storage_denied"
BUCKET_MISSING = "bucket_missing"
STORAGE_ERROR = "storage_error"

# Errors that come from an answer of the OCR API: they were paid for, and a repeat of the same
# version is not asked again (a forced run is).
BILLED_ERRORS = frozenset({NOT_AN_ID_CARD, RECOGNITION_FAILED, BAD_RESPONSE})

# Transient codes: they appear in logs and in the exception FC records, never in a result object.
THROTTLED = "throttled"
API_TIMEOUT = "api_timeout"
API_UNAVAILABLE = "api_unavailable"
CONNECTION_FAILED = "connection_failed"
STORAGE_UNAVAILABLE = "storage_unavailable"
IN_PROGRESS = "in_progress"
SECRET_UNAVAILABLE = "secret_unavailable"
MNS_SEND_FAILED = "mns_send_failed"
INVOKE_FAILED = "invoke_failed"


class IdcardOcrError(Exception):
    """The root: every error the package raises on purpose has a stable code."""

    retryable = False

    def __init__(self, code: str, message: str, status: Optional[int] = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.attempts = 0  # remote calls made before it was raised (set by the retry helper)

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message, "retryable": self.retryable}
        if self.status is not None:
            error["http_status"] = self.status
        return error


class PermanentError(IdcardOcrError):
    """Retrying cannot help: record it and move on."""


class TransientError(IdcardOcrError):
    """Retrying may help: throttling, timeouts, 5xx, a full backend queue."""

    retryable = True
    # False when another attempt within this invocation cannot help (a destination that does
    # not exist yet, access denied) but the photo must still not be marked done: FC's retries
    # and its dead-letter queue take over.
    retry_in_invocation = True

    def __init__(self, code: str, message: str, status: Optional[int] = None,
                 retry_after: Optional[float] = None):
        super().__init__(code, message, status)
        self.retry_after = retry_after


class UnfoundSideUnread(TransientError):
    """The API failed, as a TransientError, on a side the offline engine looked for and did
    not find on the photo (io/cascade.py): a card with text beside it may be on a copy's page, or not. Asked as
    the other side of a sheet, it costs the side read nothing: that side stands and the result
    says this one is missing (recognition.read_card). Asked first, it is retried as any."""

    @classmethod
    def of(cls, error: TransientError) -> "UnfoundSideUnread":
        unread = cls(error.code, error.message, error.status, error.retry_after)
        unread.attempts = error.attempts
        return unread


class ConfigError(IdcardOcrError):
    """A setting is missing or invalid; raised before any API call, nothing is written."""

    def __init__(self, variable: str, message: str):
        super().__init__("config_invalid", f"{variable}: {message}")
        self.variable = variable
        self.problems: List["ConfigError"] = [self]

    @classmethod
    def all_of(cls, problems: Sequence["ConfigError"]) -> "ConfigError":
        """One error that names every problem found, so that a user fixes them in one go
        rather than meeting them one run at a time."""
        flat = [one for problem in problems for one in problem.problems]
        if len(flat) == 1:
            return flat[0]
        error = cls.__new__(cls)
        IdcardOcrError.__init__(error, "config_invalid", f"{len(flat)} settings to fix:\n"
                                + "\n".join(f"  {p.message}" for p in flat))
        error.variable = ", ".join(p.variable for p in flat)
        error.problems = flat
        return error


class EventError(IdcardOcrError, ValueError):
    """The event (or one record of it) is not something this function can process."""

    def __init__(self, message: str):
        super().__init__("event_invalid", message)


class Claimed(TransientError):
    """Another invocation holds this photo version (it is being recognised right now)."""

    def __init__(self):
        super().__init__(IN_PROGRESS, "another invocation is recognising this photo version; "
                                      "it will write the result")


class VersionReplaced(PermanentError):
    """The photo is no longer the version a write was about (a new upload, or it is gone):
    raised before an attempt of that write, which is then not made."""

    def __init__(self, gone: bool):
        super().__init__("object_gone" if gone else "superseded",
                         "the photo was deleted" if gone else "a newer version of the photo "
                                                              "was uploaded")


class KeyExists(PermanentError):
    """A create-only write found the key already there."""

    def __init__(self, key: str):
        super().__init__("key_exists", "the object already exists")
        self.key = key


class ObjectTooLarge(PermanentError):
    def __init__(self, size: int, max_bytes: int, limit_name: Optional[str] = None):
        named = f" ({limit_name})" if limit_name else ""
        super().__init__(IMAGE_TOO_LARGE, f"object is {size:,} bytes; the limit is "
                                          f"{max_bytes:,}{named}")


class Refused(IdcardOcrError, ValueError):
    """A request the operator's tools will not carry out as asked. The message says why, and is
    shown to the operator as it is: it never holds a key or a field value."""

    def __str__(self) -> str:
        return self.message


class KeyRefused(Refused):
    """The review console does not show this key (outside its prefix, not a photo, malformed)."""

    def __init__(self, message: str):
        super().__init__("key_refused", message)


class ReviewRefused(Refused):
    """A review cannot be written as asked (a field the side has not, a value too long)."""

    def __init__(self, message: str):
        super().__init__("review_refused", message)


class ApiError(IdcardOcrError):
    """What the offline engine's server answers instead of a reading, in the marketplace API's
    terms: the HTTP status, the message for X-Ca-Error-Message, and Retry-After if any."""

    def __init__(self, status: int, message: str, retry_after: int = 0):
        super().__init__("engine_refused", message, status)
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class InvocationFailed(IdcardOcrError):
    """Raised by the handler when some objects could not be finished, so FC retries the event
    (and, after its retries, sends it to the dead-letter queue).

    Objects that were finished are skipped on the retry, and an answer that was paid for is
    kept in the photo's claim, so nothing is billed twice.
    """

    def __init__(self, failures: Iterable[Tuple[str, str]]):
        self.failures = list(failures)
        codes = ", ".join(sorted({code for _, code in self.failures}))
        super().__init__("invocation_failed",
                         f"{len(self.failures)} object(s) could not be finished ({codes}); "
                         f"raising so Function Compute retries the event")


# Classification ------------------------------------------------------------------------------

# The OCR API's statuses whose meaning does not depend on the message (aliyun-facts.md, "Errors").
_OCR_PERMANENT_BY_STATUS = {
    413: IMAGE_TOO_LARGE,
    421: IMAGE_SIZE_UNSUPPORTED,
    460: REQUEST_REJECTED,
    461: REQUEST_REJECTED,
    462: INVALID_IMAGE,
    463: NOT_AN_ID_CARD,
    464: RECOGNITION_FAILED,
}


def is_transient_status(status: int) -> bool:
    """Statuses worth another try on any of the services we call."""
    return status in (408, 429, 450) or status >= 500


def from_ocr_status(status: int, reason: str,
                    retry_after: Optional[float] = None) -> IdcardOcrError:
    """An HTTP error of the OCR API as a typed error."""
    lowered = reason.lower()
    detail = f"HTTP {status}: {reason}" if reason else f"HTTP {status}"
    if 300 <= status < 400:  # never followed: it would post the photo to another address
        return PermanentError(API_REDIRECTED, f"{detail}; the photo is never sent on to a "
                                              f"redirect's address: set OCR_API_URL to the "
                                              f"API's own address", status)
    if status == 403 and "throttl" in lowered:
        return TransientError(THROTTLED, detail, status, retry_after)
    if status in (408, 504):
        return TransientError(API_TIMEOUT, detail, status, retry_after)
    if is_transient_status(status):
        return TransientError(API_UNAVAILABLE, detail, status, retry_after)
    if status == 403:
        code = QUOTA_EXHAUSTED if "quota" in lowered else UNAUTHORIZED
    elif status == 401 or (status == 400 and "appcode" in lowered):
        code = APPCODE_INVALID
    else:
        code = _OCR_PERMANENT_BY_STATUS.get(status, API_ERROR)
    return PermanentError(code, detail, status)


def from_storage_status(status: int, code: str, what: str) -> IdcardOcrError:
    """An OSS error answer as a typed error; `what` names the operation and the object.

    Access denied and a missing bucket are settings problems that no retry mends: they are
    permanent, and the message names the permission or the setting to fix.
    """
    if status == 403:
        return PermanentError(STORAGE_DENIED, f"{what}: AccessDenied; the function's role "
                                              f"needs this permission (see template.yml)", status)
    if code == "NoSuchBucket":
        return PermanentError(BUCKET_MISSING, f"{what}: the bucket does not exist (check the "
                                              f"bucket named (--bucket, the event's) and "
                                              f"RESULT_BUCKET)", status)
    if status < 0:  # oss2's own statuses for network failures and unreadable answers
        return TransientError(STORAGE_UNAVAILABLE, f"{what}: OSS could not be reached or "
                                                   f"answered garbage ({code or 'network'})")
    if is_transient_status(status):
        return TransientError(STORAGE_UNAVAILABLE, f"{what}: HTTP {status} {code}".strip(), status)
    return PermanentError(STORAGE_ERROR, f"{what}: HTTP {status} {code}".strip(), status)
