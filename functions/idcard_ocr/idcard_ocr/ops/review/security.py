"""Who may use the console, and which objects it may show, and how.

- A random access token, printed at start (as Jupyter does): the first request carries it in
  `?token=` and is sent on to the same page under the session's path, `/s/<session>/`, which
  every later request needs (or the token). Not a cookie: a browser sends a cookie of
  127.0.0.1 to every port of 127.0.0.1, so any other local server the browser visits would
  receive it and could replay it; an address is only ever sent to its own origin (the
  Referrer-Policy is same-origin).
- Every action (POST) needs the CSRF token of the session, in the `X-CSRF-Token` header or
  a `csrf` form field, and an Origin or Referer, when the browser sends one, of this server.
- Host must name this server (no DNS rebinding through a name that resolves to loopback).
- Keys: only photos under the configured prefix, with an image ending, that are not one of
  the function's own outputs, and without path tricks.
"""

import hashlib
import hmac
import secrets
import unicodedata
from typing import Iterable, Optional
from urllib.parse import urlsplit

from ...card.keys import is_image_key
from ...card.privacy import mask_key
from ...errors import KeyRefused
from ...io.results import ResultLocation

MAX_KEY_BYTES = 1023  # OSS's limit


SESSION_ROOT = "/s/"


class Access:
    def __init__(self, token: Optional[str] = None):
        self.token = token or secrets.token_urlsafe(32)
        self.session = self._derive("session")
        self.session_root = f"{SESSION_ROOT}{self.session}/"  # every page's address starts so
        self.csrf = self._derive("csrf")

    def _derive(self, purpose: str) -> str:
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    def token_ok(self, value: Optional[str]) -> bool:
        return isinstance(value, str) and hmac.compare_digest(value.encode(),
                                                              self.token.encode())

    def session_path(self, path: str) -> Optional[str]:
        """The page's own path when `path` is under this session's root, else None (compared
        in constant time)."""
        if not path.startswith(SESSION_ROOT):
            return None
        session, _, rest = path[len(SESSION_ROOT):].partition("/")
        if not hmac.compare_digest(session.encode("utf-8", "replace"), self.session.encode()):
            return None
        return "/" + rest

    def csrf_ok(self, value: Optional[str]) -> bool:
        return isinstance(value, str) and hmac.compare_digest(value.encode(),
                                                              self.csrf.encode())


def same_origin(origin: Optional[str], host: str) -> bool:
    """True when an Origin (or Referer) header is absent or names `host` (host:port)."""
    if not origin:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host


def host_allowed(host: Optional[str], allowed: Iterable[str]) -> bool:
    return bool(host) and host.lower() in allowed


def confine(key: Optional[str], prefix: str, location: ResultLocation) -> str:
    """`key` when the console may show it, else KeyRefused."""
    if not isinstance(key, str) or not key:
        raise KeyRefused("no key given")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise KeyRefused(f"a key has at most {MAX_KEY_BYTES} bytes")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in key):
        raise KeyRefused("control characters in the key")
    if not key.startswith(prefix):
        raise KeyRefused("the key is outside the console's prefix")
    segments = key.split("/")
    if key.startswith("/") or any(s in (".", "..") for s in segments):
        raise KeyRefused("'.' and '..' segments are refused")
    if not is_image_key(key) or location.is_output(key):
        raise KeyRefused("only photos are shown (image endings, not the function's outputs)")
    return key


def visible_controls(text: str) -> str:
    """`text` with every invisible format character (Unicode category Cf: the bidirectional
    controls, U+202E turning "gpj.exe" round, zero-width ones) shown as its code point:
    'a\u202eb' -> 'a[U+202E]b'."""
    if not text:
        return text
    return "".join(f"[U+{ord(c):04X}]" if unicodedata.category(c) == "Cf" else c for c in text)


def shown_key(key: str) -> str:
    """A key as the console's pages show it: masked like a personal field (mask_key) until it
    is revealed, with invisible controls made visible."""
    return visible_controls(mask_key(key))

