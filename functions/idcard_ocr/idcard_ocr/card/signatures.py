"""Signatures that make stored results unforgeable without the signing key.

Anyone who can upload can also put a `<key>.json` beside a photo, and a photo's ETag (the MD5
of its bytes) is predictable: a result is believed only when its HMAC, over the source
identity (bucket, key, ETag) and the document, checks out with RESULT_SIGNING_KEY. Several
keys may be given (rotation): the first signs, every one verifies.
"""

import hashlib
import hmac
import json
import math
import re
from collections import Counter
from typing import Optional, Sequence

ALGORITHM = "HMAC-SHA256"
MIN_KEY_LENGTH = 32
_HEX_MAC = re.compile(r"[0-9a-f]{64}")
# What a key must be worth by estimated_bits(): the strength of HMAC-SHA256's 128-bit security
# level. A generated key passes with room to spare (secrets.token_urlsafe(32): 180 bits and up
# in 10,000 draws; openssl rand -hex 32: 220 and up); 32 x "a" is worth 0.
MIN_KEY_BITS = 128
HOW_TO_MAKE_A_KEY = ('python3 -c "import secrets; print(secrets.token_urlsafe(32))" '
                     '(or: openssl rand -hex 32)')


class Signer:
    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ValueError("at least one key")
        self._keys = [key.encode("utf-8") for key in keys]
        self.key_id = _key_id(self._keys[0])

    def __repr__(self):
        return f"Signer(key_id={self.key_id!r}, keys={len(self._keys)})"

    def sign(self, doc: dict) -> dict:
        """A copy of `doc` (which names its own source) with its signature."""
        unsigned = {k: v for k, v in doc.items() if k != "signature"}
        value = _mac(self._keys[0], _document_bytes(unsigned))
        return dict(unsigned, signature={"alg": ALGORITHM, "kid": self.key_id, "value": value})

    def verify(self, doc, bucket: str, key: str, etag: Optional[str] = None) -> bool:
        """True when `doc` was signed by us and is about this object (and version, if given).

        Never raises, whatever `doc` holds (a stored document may come from anyone)."""
        if not isinstance(doc, dict):
            return False
        signature = doc.get("signature")
        source = doc.get("source")
        if not isinstance(signature, dict) or not isinstance(source, dict):
            return False
        if source.get("bucket") != bucket or source.get("key") != key:
            return False  # a genuine result copied beside another photo
        if etag is not None and str(source.get("etag") or "").upper() != etag.upper():
            return False
        value = signature.get("value")
        if not isinstance(value, str) or not _HEX_MAC.fullmatch(value):
            return False
        try:
            body = _document_bytes({k: v for k, v in doc.items() if k != "signature"})
        except (ValueError, TypeError, RecursionError):  # NaN, a non-string key, too deep
            return False
        return any(hmac.compare_digest(value, _mac(k, body)) for k in self._keys)


def _document_bytes(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _key_id(key: bytes) -> str:
    """Which key signed (not secret: a hash of the key, for rotation)."""
    return hashlib.sha256(b"idcard-ocr key id:" + key).hexdigest()[:12]


def estimated_bits(key: str) -> float:
    """A conservative estimate of what guessing `key` costs: its length times the entropy of
    its own letter frequencies, and nothing for a key that repeats a shorter piece of itself.

    It catches what people type (one letter repeated, "abab...", a short alphabet); it cannot
    tell a phrase from a random string, which is why the templates and the docs generate keys.
    """
    n = len(key)
    if n == 0 or any(n % period == 0 and key == key[:period] * (n // period)
                     for period in range(1, n // 2 + 1)):
        return 0.0
    return -n * sum(count / n * math.log2(count / n) for count in Counter(key).values())

