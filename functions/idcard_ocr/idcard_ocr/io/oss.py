"""OSS through oss2: credentials, and one bucket seen through the operations we need.

Credentials come from the FC context (STS, python3.9/3.10) or from the environment (python3.12).
One oss2 session per warm instance keeps connections alive across invocations. Every oss2
failure leaves this module as a PermanentError or TransientError (errors.from_storage_status).
"""

import copy
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import unquote_plus

import oss2
import requests

from .. import errors
from ..errors import ConfigError, KeyExists, ObjectTooLarge, TransientError
from .events import normalize_etag
from .http import WatchedAdapter, Watchdog
from .retry import Deadline, RetryPolicy, call_with_retries

PAGE_SIZE = 1000
STORAGE_POLICY = RetryPolicy(max_attempts=3, per_call_s=30.0,
                             out_of_time_code=errors.STORAGE_UNAVAILABLE)
# A listing is long-lived (a backfill of millions of keys): each page gets its own budget.
LIST_PAGE_BUDGET_S = 120.0
FORBID_OVERWRITE = {"x-oss-forbid-overwrite": "true"}

_session = None
_session_lock = threading.Lock()


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: Optional[str] = field(default=None, repr=False)

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
                              "not set (give the function a role)")
        return cls(key_id, secret, env.get("ALIBABA_CLOUD_SECURITY_TOKEN") or None)


def _attr(obj, *names):
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value:
            return value
    return None


def oss_session():
    """The instance's oss2 session; its connections are watched (io.http), so that no OSS
    exchange outlives its attempt's time however slowly the answer comes."""
    global _session
    with _session_lock:
        if _session is None:
            _session = oss2.Session()
            # Photos of ID cards and signed requests go to OSS directly, never through a
            # proxy an environment variable names (docs/security.md, "Proxies").
            _session.session.trust_env = False
            for scheme in ("http://", "https://"):
                _session.session.mount(scheme, WatchedAdapter(
                    pool_connections=oss2.defaults.connection_pool_size,
                    pool_maxsize=oss2.defaults.connection_pool_size, max_retries=0))
        return _session


@dataclass(frozen=True)
class StoredObject:
    key: str
    data: bytes
    etag: Optional[str]
    size: int
    last_modified: Optional[int] = None  # seconds since the epoch, OSS's clock


@dataclass(frozen=True)
class ObjectInfo:
    """What HEAD or a listing says about an object, without its content."""

    key: str
    etag: Optional[str]
    size: Optional[int]
    last_modified: Optional[int] = None      # seconds since the epoch, OSS's clock
    metadata: Dict[str, str] = field(default_factory=dict)   # x-oss-meta-*, names lower-case


@contextmanager
def storage_errors(what: str):
    """oss2's exceptions as ours: 403 and NoSuchBucket permanent, 5xx and network transient
    (including a body that breaks off while it is read, which oss2 does not wrap)."""
    try:
        yield
    except oss2.exceptions.OssError as e:
        raise errors.from_storage_status(e.status, e.code or "", what) from None
    except (requests.RequestException, OSError) as e:
        raise TransientError(errors.STORAGE_UNAVAILABLE,
                             f"{what}: the connection broke ({type(e).__name__})") from None


class ObjectStore:
    """One bucket, seen through the operations the function and the tools need.

    Every operation goes through io.retry with this store's policy, inside the caller's
    deadline when one is given.
    """

    def __init__(self, bucket, policy: RetryPolicy = STORAGE_POLICY):
        self._bucket = bucket
        self.policy = policy
        self._local = threading.local()  # this thread's attempt's time, for its socket timeout

    @property
    def _client(self):
        """The oss2 bucket for this thread's attempt: its socket timeout is the attempt's."""
        timeout = getattr(self._local, "timeout", None)
        if timeout is None:
            return self._bucket
        bucket = copy.copy(self._bucket)
        bucket.timeout = timeout
        return bucket

    @property
    def name(self) -> str:
        return self._bucket.bucket_name

    @property
    def endpoint(self) -> str:
        return self._bucket.endpoint

    @classmethod
    def connect(cls, endpoint: str, bucket_name: str, credentials: Credentials,
                timeout_s: float = 30.0) -> "ObjectStore":
        if credentials.security_token:
            auth = oss2.StsAuth(credentials.access_key_id, credentials.access_key_secret,
                                credentials.security_token)
        else:
            auth = oss2.Auth(credentials.access_key_id, credentials.access_key_secret)
        return cls(oss2.Bucket(auth, endpoint, bucket_name, session=oss_session(),
                               connect_timeout=timeout_s),
                   RetryPolicy(STORAGE_POLICY.max_attempts, timeout_s,
                               out_of_time_code=errors.STORAGE_UNAVAILABLE))

    def read(self, key: str, max_bytes: int, deadline: Optional[Deadline] = None,
             limit_name: Optional[str] = None) -> Optional[StoredObject]:
        """The object, or None when it does not exist. Objects over `max_bytes` raise
        ObjectTooLarge (naming `limit_name`, the setting behind the limit, if any)."""
        return self._call(f"reading {key}", lambda: self._read(key, max_bytes, limit_name),
                          deadline)

    def _read(self, key: str, max_bytes: int, limit_name) -> Optional[StoredObject]:
        with storage_errors(f"reading {key}"):
            try:
                result = self._client.get_object(key)
            except oss2.exceptions.NoSuchKey:
                return None
            with result:
                size = result.content_length
                if size is not None and size > max_bytes:
                    raise ObjectTooLarge(size, max_bytes, limit_name)
                data = result.read(max_bytes + 1)  # a length that lies cannot overrun the cap
                if len(data) > max_bytes:
                    raise ObjectTooLarge(len(data), max_bytes, limit_name)
        return StoredObject(key, data, normalize_etag(result.etag), len(data),
                            result.last_modified)

    def read_source(self, key: str, max_bytes: int, deadline: Optional[Deadline] = None
                    ) -> Tuple[Optional[StoredObject], bool]:
        """Read the key as delivered; when it does not exist, once more URL-decoded.

        Whether OSS events URL-encode keys is unconfirmed, and a key may literally hold '+' or
        '%41', so the raw key always comes first. Returns (object or None, whether decoded).
        """
        found = self.read(key, max_bytes, deadline, "SOURCE_MAX_BYTES")
        if found is not None:
            return found, False
        decoded = unquote_plus(key)
        if decoded != key:
            found = self.read(decoded, max_bytes, deadline, "SOURCE_MAX_BYTES")
            if found is not None:
                return found, True
        return None, False

    def head(self, key: str, deadline: Optional[Deadline] = None) -> Optional[ObjectInfo]:
        """The object's ETag, size and metadata, or None when it does not exist."""
        return self._call(f"reading the metadata of {key}", lambda: self._head(key), deadline)

    def _head(self, key: str) -> Optional[ObjectInfo]:
        with storage_errors(f"reading the metadata of {key}"):
            try:
                result = self._client.head_object(key)
            except oss2.exceptions.NotFound:
                return None
        meta = {name[len("x-oss-meta-"):].lower(): value
                for name, value in result.headers.items()
                if name.lower().startswith("x-oss-meta-")}
        return ObjectInfo(key, normalize_etag(result.etag), result.content_length,
                          result.last_modified, meta)

    def write(self, key: str, body: bytes, content_type: str, *,
              encryption: Optional[str] = None, kms_key_id: Optional[str] = None,
              metadata: Optional[Mapping[str, str]] = None, create_only: bool = False,
              deadline: Optional[Deadline] = None,
              before_attempt: Optional[Callable[[], None]] = None) -> None:
        """Put `body` at `key`. With create_only, an existing key raises KeyExists (OSS 409).
        `before_attempt` runs before each attempt (a retry included) and may raise to stop it."""
        headers = {"Content-Type": content_type}
        if encryption:
            headers["x-oss-server-side-encryption"] = encryption
            if encryption == "KMS" and kms_key_id:
                headers["x-oss-server-side-encryption-key-id"] = kms_key_id
        for name, value in (metadata or {}).items():
            headers[f"x-oss-meta-{name}"] = str(value)
        if create_only:
            headers.update(FORBID_OVERWRITE)
        self._call(f"writing {key}", lambda: self._put(key, body, headers), deadline,
                   before_attempt)

    def _put(self, key: str, body: bytes, headers: dict) -> None:
        with storage_errors(f"writing {key}"):
            try:
                self._client.put_object(key, body, headers=headers)
            except oss2.exceptions.OssError as e:
                if e.status == 409 and e.code in ("FileAlreadyExists", "ObjectAlreadyExists"):
                    raise KeyExists(key) from None
                raise

    def delete(self, key: str, deadline: Optional[Deadline] = None) -> None:
        def delete():
            with storage_errors(f"deleting {key}"):
                self._client.delete_object(key)
        self._call(f"deleting {key}", delete, deadline)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under `prefix`, one page (1,000 keys) in memory at a time."""
        for page in self.pages(prefix):
            yield from page.objects

    def pages(self, prefix: str = "", token: Optional[str] = None) -> Iterator["ListPage"]:
        """The listing under `prefix` page by page, from the page `token` names (None: the
        first); each page carries the token that fetched it, so a reader can resume there.

        ListObjectsV2 with the continuation token absent rather than empty: OSS accepts both,
        S3-protocol servers (moto, used in the tests) refuse an empty one.
        """
        what = f"listing {prefix or 'the bucket'}"
        while True:
            page = self._call(what, lambda: self._page(prefix, token, what),
                              Deadline(LIST_PAGE_BUDGET_S))
            objects = [ObjectInfo(info.key, normalize_etag(info.etag), info.size,
                                  info.last_modified) for info in page.object_list]
            next_token = page.next_continuation_token if page.is_truncated else None
            yield ListPage(objects, token, next_token)
            if next_token is None:
                return
            token = next_token

    def _call(self, what: str, operation, deadline: Optional[Deadline],
              before_attempt: Optional[Callable[[], None]] = None):
        """`operation()` through the retry loop, each attempt bounded as a whole by its share of
        the deadline: oss2's socket timeout is set to it, and a watchdog ends the exchange."""
        deadline = deadline or Deadline(self.policy.per_call_s * self.policy.max_attempts)

        def attempt(timeout: float):
            if before_attempt is not None:
                before_attempt()
            self._local.timeout = timeout
            try:
                with Watchdog(timeout) as watchdog:
                    return operation()
            except TransientError:
                if watchdog.fired:
                    raise TransientError(errors.STORAGE_UNAVAILABLE,
                                         f"{what}: no answer within {timeout:.1f} s") from None
                raise
            finally:
                self._local.timeout = None
        try:
            result, _ = call_with_retries(attempt, deadline, self.policy, what)
        except TransientError as e:
            if e.code != errors.STORAGE_UNAVAILABLE or e.status is not None:
                raise
            # Never reached: name where it was looked for (an internal endpoint outside
            # Alibaba Cloud, a typo in OSS_ENDPOINT, a local server that is not running).
            named = TransientError(e.code, f"{e.message}; OSS endpoint {self.endpoint}",
                                   retry_after=e.retry_after)
            named.attempts = e.attempts
            raise named from None
        return result

    def _page(self, prefix: str, token: Optional[str], what: str):
        with storage_errors(what):
            return self._client.list_objects_v2(prefix=prefix, continuation_token=token,
                                                start_after=None, max_keys=PAGE_SIZE)


@dataclass(frozen=True)
class ListPage:
    objects: List[ObjectInfo]
    token: Optional[str]        # the continuation token that fetched this page (None: first)
    next_token: Optional[str]   # None on the last page
