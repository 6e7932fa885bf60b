"""The marketplace ID card OCR API as a Recognizer (contract in aliyun-facts.md).

One keep-alive HTTP session per warm instance. Each call is retried through io.retry inside the
invocation's time budget; every answer is checked against the contract before it is believed.
The AppCode goes into one header and nowhere else: anything the API echoes is scrubbed.
"""

import base64
import json
import threading
import time
from typing import Optional
from urllib.parse import unquote

import requests

from .. import errors
from ..card.documents import FIELDS, reads_no_field
from ..card.vouching import READER_KEYS
from ..errors import IdcardOcrError, PermanentError, TransientError
from .http import WatchedAdapter, Watchdog
from .log import scrub, scrub_secrets
from .retry import Deadline, RetryPolicy, call_with_retries
from .secrets import FixedAppCode
from .seams import SIDES, Recognition

_MESSAGE_LIMIT = 200
# The real answer is a few KB (with quality scores and the old format's wrapping, still far
# under this); anything larger is not an answer and is never read into memory.
MAX_ANSWER_BYTES = 1024 * 1024

_session = None
_session_lock = threading.Lock()


def http_session() -> requests.Session:
    """The instance's shared requests.Session, created on first use and kept while warm."""
    global _session
    with _session_lock:
        if _session is None:
            session = requests.Session()
            # Not from the environment: HTTP(S)_PROXY would route requests that carry the
            # AppCode through whatever proxy a setting names, REQUESTS_CA_BUNDLE would let it
            # swap the certificates checked, and a ~/.netrc entry for the host would replace
            # the AppCode's Authorization header (docs/security.md, "Proxies").
            session.trust_env = False
            # Our own retry loop knows the time budget and the API's error semantics; urllib3's
            # would retry blindly, so it is off.
            session.mount("https://", WatchedAdapter(pool_maxsize=8, max_retries=0))
            session.mount("http://", WatchedAdapter(pool_maxsize=8, max_retries=0))
            _session = session
        return _session


class MarketplaceClient:
    """Recognizer over HTTP: the marketplace API, or anything speaking its contract."""

    def __init__(self, api_url: str, appcode, timeout_s: float = 10.0,
                 max_attempts: int = 4, request_format: str = "new", session=None,
                 sleep=time.sleep, quality_info: bool = False):
        """`appcode`: the AppCode, or a source of it (io.secrets) that can be read again."""
        self.api_url = api_url
        self._appcode = appcode if hasattr(appcode, "current") else FixedAppCode(appcode)
        self.policy = RetryPolicy(max_attempts=max_attempts, per_call_s=timeout_s,
                                  out_of_time_code=errors.API_TIMEOUT)
        self.request_format = request_format
        self._session = session
        self._sleep = sleep
        self.quality_info = quality_info

    def __repr__(self):
        return f"MarketplaceClient(api_url={self.api_url!r}, format={self.request_format!r})"

    @classmethod
    def from_settings(cls, settings, appcode) -> "MarketplaceClient":
        return cls(settings.api_url, appcode, settings.timeout_s, settings.max_attempts,
                   settings.request_format, quality_info=settings.quality_info)

    def recognize(self, image: bytes, side: str, deadline: Optional[Deadline] = None
                  ) -> Recognition:
        """The API's answer for `image` read as `side`. Raises PermanentError / TransientError."""
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}")
        deadline = deadline or Deadline(self.policy.per_call_s * self.policy.max_attempts)
        body = self._body(image, side)
        appcode = self._appcode.current(deadline)  # a secret read within this call's time
        try:
            answer, attempts = self._call(body, side, appcode, deadline)
        except PermanentError as e:
            fresh = self._appcode.reread(deadline) if e.code == errors.APPCODE_INVALID else None
            if not fresh or fresh == appcode:
                raise
            # The secret was rotated since this instance read it: once more with the new one.
            try:
                answer, more = self._call(body, side, fresh, deadline)
            except IdcardOcrError as again:
                again.attempts += e.attempts
                raise
            attempts = e.attempts + more
        return Recognition(answer, attempts)

    def _call(self, body: bytes, side: str, appcode: Optional[str], deadline: Deadline):
        return call_with_retries(lambda timeout: self._post(body, side, appcode, timeout),
                                 deadline, self.policy, "the OCR API", self._sleep)

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

    def _post(self, body: bytes, side: str, appcode: Optional[str], timeout: float) -> dict:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if appcode:
            headers["Authorization"] = f"APPCODE {appcode}"
        session = self._session or http_session()
        slow = TransientError(errors.API_TIMEOUT,
                              f"the OCR API did not answer within {timeout:.1f} s")
        try:
            with Watchdog(timeout) as watchdog:
                # A redirect is never followed: requests would post the photo (without the
                # AppCode) to whatever address the answer names.
                with session.post(self.api_url, data=body, headers=headers, timeout=timeout,
                                  stream=True, allow_redirects=False) as response:
                    payload = _read_capped(response)
        except requests.Timeout:
            raise slow from None
        except (requests.RequestException, OSError) as e:
            if watchdog.fired:
                raise slow from None
            raise TransientError(errors.CONNECTION_FAILED,
                                 f"could not reach the OCR API ({type(e).__name__})") from None
        length = response.headers.get("Content-Length", "")
        if watchdog.fired and not (length.isdigit() and int(length) == len(payload)):
            raise slow  # the answer ended early because we cut it (a whole one is kept)
        if response.status_code != 200:
            raise errors.from_ocr_status(response.status_code,
                                         _reason(response.headers, payload),
                                         _retry_after(response.headers))
        return self._answer(payload, side)

    def _answer(self, payload: bytes, side: str) -> dict:
        try:
            answer = _strict_json(payload)
            if self.request_format == "old":
                answer = _strict_json(answer["outputs"][0]["outputValue"]["dataValue"])
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            raise _bad("a body that is not the documented JSON") from None
        # An answer that echoes a secret (the AppCode) must not carry it into the stored result.
        return scrub_secrets(checked_answer(answer, side))


def no_such_side(answer: dict, message: str) -> PermanentError:
    """not_an_id_card for an answer of `success: false`, with `on_sheet`: whether the answer
    says the photo is a page that may hold both sides (the offline engine's, when it found no
    card on a copy's page; io/cascade.py then has the API asked for both), and `over_budget`:
    whether the offline engine stopped at its work budget before it found the side (it was
    not looked for to the end, and may be on the photo)."""
    over_budget = answer.get("over_budget") is True
    if over_budget:  # with OCR_ENGINE=local the result's error is all that says so
        message += (" before its work budget ran out (much print around the card): the side "
                    "may be on the photo")
    error = PermanentError(errors.NOT_AN_ID_CARD, message, 200)
    error.on_sheet = answer.get("on_sheet") is True
    error.over_budget = over_budget
    return error


def checked_answer(answer, side: str) -> dict:
    """The answer if it has the documented shape, else a PermanentError.

    `success: false` means the photo is not that side of a card. A 200 without the side's
    fields, or with fields that are not strings, is not an answer: bad_response, which no
    retry mends (and a retry would bill again). Geometry and extras of the wrong shape are
    dropped from the answer (the fields stand without them), so that nothing downstream
    trips over them after the answer was paid for.
    """
    if not isinstance(answer, dict):
        raise _bad("an answer that is not a JSON object")
    if _depth(answer) > MAX_ANSWER_DEPTH:
        raise _bad("an answer nested too deeply")
    if answer.get("success") is False:
        raise no_such_side(answer, "the OCR API found no ID card of the requested side "
                                   "(success: false)")
    values = [answer.get(name) for name in FIELDS[side]]
    if any(value is not None and not isinstance(value, str) for value in values):
        raise _bad(f"{side} fields that are not text")
    if reads_no_field(answer, side):
        raise _bad(f"none of the {side} side's fields")
    # Who read the photo is ours to say (io/cascade.py annotates after this): an answer naming
    # its own reader would be recorded as free ("recognized_by": "engine") or carry
    # "confidences" the console cannot show.
    kept = {name: value for name, value in answer.items() if name not in READER_KEYS
            and (name not in _SHAPES or _SHAPES[name](value))}
    try:  # what cannot be signed and stored (1e400, a lone surrogate) could never be kept
        size = len(json.dumps(kept, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (ValueError, UnicodeEncodeError, RecursionError):
        raise _bad("an answer with values that cannot be stored (infinity or broken text)") \
            from None
    if size > MAX_KEPT_ANSWER_BYTES:
        raise _bad(f"an answer of {size:,} bytes (ours keep at most "
                   f"{MAX_KEPT_ANSWER_BYTES:,})")
    return kept


MAX_ANSWER_DEPTH = 16
# A card's answer is about 2 KB. The claim and the result hold up to two answers each and must
# stay well under what the result store reads back (io/results.MAX_DOCUMENT_BYTES).
MAX_KEPT_ANSWER_BYTES = 256 * 1024


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _point(value) -> bool:
    return isinstance(value, dict) and _number(value.get("x")) and _number(value.get("y"))


def _quad(value) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(_point(p) for p in value)


def _rect(value) -> bool:
    return (isinstance(value, dict) and _point(value.get("center"))
            and isinstance(value.get("size"), dict)
            and _number(value["size"].get("width")) and _number(value["size"].get("height"))
            and (value.get("angle") is None or _number(value.get("angle"))))


# What the pipeline reads from an answer besides the fields, and the shape it needs.
_SHAPES = {
    "card_region": _quad,
    "face_rect_vertices": _quad,
    "face_rect": _rect,
    "sides_found": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    "quality_info": lambda v: isinstance(v, dict),
}


def _strict_json(text):
    """JSON without NaN or Infinity (json accepts them; nothing after us should see them)."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _depth(value, limit: int = MAX_ANSWER_DEPTH + 1) -> int:
    """How deeply `value` nests (counted up to `limit`, without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if deepest >= limit:
            break
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def _bad(what: str) -> PermanentError:
    return PermanentError(errors.BAD_RESPONSE, f"the OCR API answered 200 with {what}", 200)


def _read_capped(response) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        raise _oversized(response.status_code)
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _oversized(response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _oversized(status: int) -> PermanentError:
    return PermanentError(errors.BAD_RESPONSE, f"the OCR API's answer (HTTP {status}) is over "
                                               f"{MAX_ANSWER_BYTES:,} bytes; it was not read",
                          status)


def _reason(headers, payload: bytes) -> str:
    header = headers.get("X-Ca-Error-Message", "")
    reason = unquote(header).strip() if header else ""
    if not reason:
        try:
            doc = json.loads(payload)
            if isinstance(doc, dict):
                reason = str(doc.get("message") or doc.get("error_msg") or doc.get("msg") or "")
        except (ValueError, RecursionError):
            reason = payload[:4096].decode("utf-8", "replace")
    # Scrubbed before it is cut, so that no cut leaves part of a secret behind.
    return scrub(" ".join(reason.split()))[:_MESSAGE_LIMIT]


def _retry_after(headers) -> Optional[float]:
    try:
        value = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None
