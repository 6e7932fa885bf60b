"""Signatures that make stored results unforgeable without the signing key.

Anyone who can upload can also put a `<key>.json` beside a photo, and a photo's ETag (the MD5
of its bytes) is predictable: a result is believed only when its HMAC, over the source
identity (bucket, key, ETag) and the document, checks out with RESULT_SIGNING_KEY. Several
keys may be given (rotation): the first signs, every one verifies.
"""

import hashlib
import hmac
import json
import re
from typing import Optional, Sequence

ALGORITHM = "HMAC-SHA256"
MIN_KEY_LENGTH = 32
_HEX_MAC = re.compile(r"[0-9a-f]{64}")


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
