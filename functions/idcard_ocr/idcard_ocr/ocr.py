"""Client for the ID card OCR API (Alibaba Cloud marketplace contract, aliyun-facts.md).

One keep-alive HTTP session per warm instance. Transient failures are retried with backoff and
jitter inside the invocation's time budget; everything else becomes a PermanentError with a
stable code. The AppCode goes into one header and nowhere else.
"""

import base64
import json
import threading
import time
from typing import Optional
from urllib.parse import unquote

import requests
from requests.adapters import HTTPAdapter

from . import errors
from .budget import Deadline, backoff_delay
from .errors import PermanentError, TransientError
from .privacy import scrub

SIDES = ("face", "back")
_MESSAGE_LIMIT = 200

_session = None
_session_lock = threading.Lock()


def http_session():
    """The instance's shared requests.Session, created on first use and kept while warm."""
    global _session
    with _session_lock:
        if _session is None:
            session = requests.Session()
            # Our own retry loop knows the time budget and the API's error semantics; urllib3's
            # would retry blindly, so it is off.
            session.mount("https://", HTTPAdapter(pool_maxsize=4, max_retries=0))
            session.mount("http://", HTTPAdapter(pool_maxsize=4, max_retries=0))
            _session = session
        return _session


class OcrClient:
    def __init__(self, api_url: str, appcode: Optional[str], timeout_s: float = 10.0,
                 max_attempts: int = 4, request_format: str = "new", session=None,
                 sleep=time.sleep, quality_info: bool = False):
        self.api_url = api_url
        self._appcode = appcode
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.request_format = request_format
        self._session = session
        self._sleep = sleep
        self.quality_info = quality_info
        self.attempts = 0  # of the last recognize() call, for the log line

    def __repr__(self):
        return f"OcrClient(api_url={self.api_url!r}, request_format={self.request_format!r})"

    @classmethod
    def from_settings(cls, settings) -> "OcrClient":
        return cls(settings.api_url, settings.appcode, settings.timeout_s, settings.max_attempts,
                   settings.request_format, quality_info=settings.quality_info)

    def recognize(self, image: bytes, side: str, deadline: Optional[Deadline] = None) -> dict:
        """The API's answer for `image` read as `side`. Raises PermanentError / TransientError."""
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}")
        deadline = deadline or Deadline(self.timeout_s * self.max_attempts)
        body = self._body(image, side)
        self.attempts = 0
        last: Optional[TransientError] = None
        for attempt in range(self.max_attempts):
            timeout = min(self.timeout_s, deadline.remaining())
            if timeout < 0.5:
                break
            self.attempts += 1
            try:
                return self._post(body, timeout)
            except TransientError as e:
                last = e
            if attempt + 1 == self.max_attempts:
                break
            delay = backoff_delay(attempt)
            if last.retry_after is not None:
                delay = max(delay, min(last.retry_after, 30.0))
            if delay + 0.5 >= deadline.remaining():
                break
            self._sleep(delay)
        if last is None:
            raise TransientError(errors.API_TIMEOUT, "no time left in the invocation to call "
                                                     "the OCR API")
        raise last

    def _body(self, image: bytes, side: str) -> bytes:
        encoded = base64.b64encode(image).decode("ascii")
        configure = json.dumps({"side": side})
        if self.request_format == "old":
            doc = {"inputs": [{"image": {"dataType": 50, "dataValue": encoded},
                               "configure": {"dataType": 50, "dataValue": configure}}]}
        else:
            doc = {"image": encoded, "configure": configure}
            if self.quality_info:
                doc["quality_info"] = True
        return json.dumps(doc).encode("ascii")

    def _post(self, body: bytes, timeout: float) -> dict:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if self._appcode:
            headers["Authorization"] = f"APPCODE {self._appcode}"
        session = self._session or http_session()
        try:
            response = session.post(self.api_url, data=body, headers=headers, timeout=timeout)
        except requests.Timeout:
            raise TransientError(errors.API_TIMEOUT,
                                 f"the OCR API did not answer within {timeout:.1f} s") from None
        except requests.ConnectionError as e:
            raise TransientError(errors.CONNECTION_FAILED,
                                 f"could not reach the OCR API ({type(e).__name__})") from None
        return self._answer(response)

    def _answer(self, response) -> dict:
        status = response.status_code
        if status != 200:
            reason = _reason(response)
            if self._appcode:  # the gateway may quote the rejected code back
                reason = reason.replace(self._appcode, "***")
            raise classify(status, reason, _retry_after(response))
        try:
            answer = response.json()
            if self.request_format == "old":
                answer = json.loads(answer["outputs"][0]["outputValue"]["dataValue"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise TransientError(errors.BAD_RESPONSE,
                                 "the OCR API answered 200 with a body that is not the "
                                 "documented JSON", status) from None
        if not isinstance(answer, dict):
            raise TransientError(errors.BAD_RESPONSE, "the OCR API answer is not a JSON object",
                                 status)
        if answer.get("success") is False:
            raise PermanentError(errors.NOT_AN_ID_CARD,
                                 "the OCR API found no ID card of the requested side "
                                 "(success: false)", status)
        return answer


class LocalEngine:
    """The offline engine in this process (OCR_ENGINE=local): same answers, no HTTP, no AppCode.

    Needs the `engine` extra; onnxruntime is imported on the first photo, not at cold start.
    """

    attempts = 0

    def recognize(self, image: bytes, side: str, deadline: Optional[Deadline] = None) -> dict:
        from .engine import recognize

        self.attempts = 1
        answer = recognize(image, side)
        if answer.get("success") is False:
            raise PermanentError(errors.NOT_AN_ID_CARD,
                                 f"the offline engine found no {side} side of an ID card")
        return answer


def client_for(settings):
    """The OCR client the settings ask for."""
    return LocalEngine() if settings.ocr_engine == "local" else OcrClient.from_settings(settings)


# Statuses whose meaning does not depend on the message (aliyun-facts.md, "Errors").
_PERMANENT_BY_STATUS = {
    413: errors.IMAGE_TOO_LARGE,
    421: errors.IMAGE_SIZE_UNSUPPORTED,
    460: errors.REQUEST_REJECTED,
    461: errors.REQUEST_REJECTED,
    462: errors.INVALID_IMAGE,
    463: errors.NOT_AN_ID_CARD,
    464: errors.RECOGNITION_FAILED,
}


def classify(status: int, reason: str, retry_after: Optional[float] = None):
    """Map an HTTP error of the OCR API to a typed error."""
    lowered = reason.lower()
    detail = f"HTTP {status}: {reason}" if reason else f"HTTP {status}"
    if status == 403 and "throttl" in lowered:
        return TransientError(errors.THROTTLED, detail, status, retry_after)
    if status in (408, 504):
        return TransientError(errors.API_TIMEOUT, detail, status, retry_after)
    if status in (429, 450) or status >= 500:
        return TransientError(errors.API_UNAVAILABLE, detail, status, retry_after)
    if status == 403:
        code = errors.QUOTA_EXHAUSTED if "quota" in lowered else errors.UNAUTHORIZED
    elif status == 401 or (status == 400 and "appcode" in lowered):
        code = errors.APPCODE_INVALID
    else:
        code = _PERMANENT_BY_STATUS.get(status, errors.API_ERROR)
    return PermanentError(code, detail, status)


def _reason(response) -> str:
    header = response.headers.get("X-Ca-Error-Message", "")
    reason = unquote(header).strip() if header else ""
    if not reason:
        try:
            doc = response.json()
            if isinstance(doc, dict):
                reason = str(doc.get("message") or doc.get("error_msg") or doc.get("msg") or "")
        except ValueError:
            reason = response.text or ""
    reason = " ".join(reason.split())
    return scrub(reason[:_MESSAGE_LIMIT])


def _retry_after(response) -> Optional[float]:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None
