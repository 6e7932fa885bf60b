"""The two kinds of failure the pipeline knows, and the stable codes users branch on.

A PermanentError ends in an error record and no retry (a retry would bill again and fail again).
A TransientError is retried inside the invocation, then raised so FC's async retry takes over.
Messages never carry personal data: they name what went wrong, not what was read.
"""

from typing import Optional

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

# Transient codes: they appear in logs and in the exception FC records, never in a result object.
THROTTLED = "throttled"
API_TIMEOUT = "api_timeout"
API_UNAVAILABLE = "api_unavailable"
CONNECTION_FAILED = "connection_failed"
BAD_RESPONSE = "bad_response"


class IdcardOcrError(Exception):
    """Base class: every error the pipeline raises on purpose has a code."""

    code = "error"
    retryable = False

    def __init__(self, code: str, message: str, status: Optional[int] = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

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

    def __init__(self, code: str, message: str, status: Optional[int] = None,
                 retry_after: Optional[float] = None):
        super().__init__(code, message, status)
        self.retry_after = retry_after


class ConfigError(IdcardOcrError):
    """A setting is missing or invalid; raised before any API call, nothing is written."""

    def __init__(self, variable: str, message: str):
        super().__init__("config_invalid", f"{variable}: {message}")
        self.variable = variable


class InvocationFailed(Exception):
    """Raised by the handler when some objects failed transiently, so FC retries the event.

    Objects that were finished are skipped on the retry (idempotency), so nothing is billed twice.
    """

    def __init__(self, failures):
        self.failures = list(failures)
        codes = ", ".join(sorted({code for _, code in self.failures}))
        super().__init__(f"{len(self.failures)} object(s) failed transiently ({codes}); "
                         f"raising so Function Compute retries the event")
