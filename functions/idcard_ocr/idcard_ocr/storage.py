"""Reading uploads from and writing results to OSS with oss2.

Credentials come from the FC context (STS, python3.9/3.10) or from the environment (python3.12).
One oss2 session per warm instance keeps connections alive across invocations.
"""

import json
import os
import threading
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple
from urllib.parse import unquote_plus

import oss2

from . import errors
from .errors import ConfigError, PermanentError
from .events import normalize_etag

_session = None
_session_lock = threading.Lock()


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    access_key_secret: str
    security_token: Optional[str] = None

    def __repr__(self):
        return f"Credentials(access_key_id={self.access_key_id[:4]}…)"

    @classmethod
    def resolve(cls, context=None, environ: Optional[Mapping[str, str]] = None) -> "Credentials":
        """STS credentials from `context.credentials`, else the ALIBABA_CLOUD_* variables."""
        creds = getattr(context, "credentials", None)
        if creds is not None:
            key_id = _attr(creds, "access_key_id", "accessKeyId")
            secret = _attr(creds, "access_key_secret", "accessKeySecret")
            if key_id and secret:
                return cls(key_id, secret, _attr(creds, "security_token", "securityToken"))
        env = os.environ if environ is None else environ
        key_id = env.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
        secret = env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        if not key_id or not secret:
            raise ConfigError("ALIBABA_CLOUD_ACCESS_KEY_ID",
                              "no credentials: the FC context has none and "
                              "ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET are "
                              "not set (give the service a role)")
        return cls(key_id, secret, env.get("ALIBABA_CLOUD_SECURITY_TOKEN") or None)


def _attr(obj, *names):
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value:
            return value
    return None


def oss_session():
    global _session
    with _session_lock:
        if _session is None:
            _session = oss2.Session()
        return _session


@dataclass(frozen=True)
class StoredObject:
    key: str
    data: bytes
    etag: Optional[str]
    size: int


class ObjectStore:
    """One bucket, seen through the operations the pipeline needs."""

    def __init__(self, bucket):
        self._bucket = bucket

    @property
    def name(self) -> str:
        return self._bucket.bucket_name

    @property
    def bucket(self):
        """The oss2.Bucket, for listing."""
        return self._bucket

    @classmethod
    def connect(cls, endpoint: str, bucket_name: str, credentials: Credentials) -> "ObjectStore":
        if credentials.security_token:
            auth = oss2.StsAuth(credentials.access_key_id, credentials.access_key_secret,
                                credentials.security_token)
        else:
            auth = oss2.Auth(credentials.access_key_id, credentials.access_key_secret)
        return cls(oss2.Bucket(auth, endpoint, bucket_name, session=oss_session()))

    def read(self, key: str, max_bytes: int) -> Optional[StoredObject]:
        """The object, or None when it no longer exists. Refuses objects over `max_bytes`."""
        try:
            result = self._bucket.get_object(key)
        except oss2.exceptions.NoSuchKey:
            return None
        with result:
            size = result.content_length
            if size is not None and size > max_bytes:
                raise PermanentError(errors.IMAGE_TOO_LARGE,
                                     f"object is {size:,} bytes; the limit is {max_bytes:,} "
                                     f"(SOURCE_MAX_BYTES)")
            data = result.read()
        return StoredObject(key, data, normalize_etag(result.etag), len(data))

    def read_source(self, key: str, max_bytes: int) -> Tuple[Optional[StoredObject], bool]:
        """Read the key as delivered; on NoSuchKey, once more URL-decoded.

        Whether OSS events URL-encode keys is unconfirmed, and a key may literally hold '+' or
        '%41', so the raw key always comes first. Returns (object or None, whether decoded).
        """
        found = self.read(key, max_bytes)
        if found is not None:
            return found, False
        decoded = unquote_plus(key)
        if decoded != key:
            found = self.read(decoded, max_bytes)
            if found is not None:
                return found, True
        return None, False

    def read_json(self, key: str) -> Optional[dict]:
        """A JSON document we wrote earlier, or None if absent or unreadable."""
        try:
            data = self._bucket.get_object(key).read()
        except oss2.exceptions.NoSuchKey:
            return None
        try:
            doc = json.loads(data)
        except ValueError:
            return None
        return doc if isinstance(doc, dict) else None

    def write_json(self, key: str, doc: dict, encryption: Optional[str] = None,
                   kms_key_id: Optional[str] = None, metadata: Optional[Mapping] = None) -> None:
        body = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
        self.write_bytes(key, body, "application/json; charset=utf-8", encryption, kms_key_id,
                         metadata)

    def write_bytes(self, key: str, body: bytes, content_type: str,
                    encryption: Optional[str] = None, kms_key_id: Optional[str] = None,
                    metadata: Optional[Mapping] = None) -> None:
        headers = {"Content-Type": content_type}
        if encryption:
            headers["x-oss-server-side-encryption"] = encryption
            if encryption == "KMS" and kms_key_id:
                headers["x-oss-server-side-encryption-key-id"] = kms_key_id
        for name, value in (metadata or {}).items():
            headers[f"x-oss-meta-{name}"] = str(value)
        self._bucket.put_object(key, body, headers=headers)
