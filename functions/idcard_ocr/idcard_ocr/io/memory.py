"""An object store in memory with OSS's semantics: the tests' default stand-in for a bucket.

What it keeps of OSS, because the pay-once protocol depends on exactly this: create-only writes
(`x-oss-forbid-overwrite`, 409 FileAlreadyExists), plain overwrites, unconditional deletes,
an ETag per content (the MD5 in upper-case hex, as a simple upload's), Last-Modified in whole
seconds, and no compare-and-swap of any kind. `before(operation, key)` is called as each
operation starts (a scheduler uses it to interleave invocations step by step), and
`after_write(key, body, previous)` once a write has landed.
"""

import hashlib
import threading
import time
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple
from urllib.parse import unquote_plus

from ..errors import KeyExists, ObjectTooLarge
from .oss import ListPage, ObjectInfo, StoredObject
from .retry import Deadline


class MemoryObjectStore:
    def __init__(self, name: str = "memory", clock: Callable[[], float] = time.time,
                 before: Optional[Callable[[str, str], None]] = None,
                 after_write: Optional[Callable[[str, bytes, Optional[bytes]], None]] = None):
        self._name = name
        self._clock = clock
        self.before = before or (lambda operation, key: None)
        self.after_write = after_write or (lambda key, body, previous: None)
        self._objects: Dict[str, Tuple[bytes, str, int, Dict[str, str]]] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    def read(self, key: str, max_bytes: int, deadline: Optional[Deadline] = None,
             limit_name: Optional[str] = None) -> Optional[StoredObject]:
        self.before("GET", key)
        with self._lock:
            found = self._objects.get(key)
        if found is None:
            return None
        data, etag, modified, _ = found
        if len(data) > max_bytes:
            raise ObjectTooLarge(len(data), max_bytes, limit_name)
        return StoredObject(key, data, etag, len(data), modified)

    def read_source(self, key: str, max_bytes: int, deadline: Optional[Deadline] = None
                    ) -> Tuple[Optional[StoredObject], bool]:
        found = self.read(key, max_bytes, deadline, "SOURCE_MAX_BYTES")
        if found is not None or unquote_plus(key) == key:
            return found, False
        found = self.read(unquote_plus(key), max_bytes, deadline, "SOURCE_MAX_BYTES")
        return found, found is not None

    def head(self, key: str, deadline: Optional[Deadline] = None) -> Optional[ObjectInfo]:
        self.before("HEAD", key)
        with self._lock:
            found = self._objects.get(key)
        if found is None:
            return None
        data, etag, modified, metadata = found
        return ObjectInfo(key, etag, len(data), modified, dict(metadata))

    def write(self, key: str, body: bytes, content_type: str, *,
              encryption: Optional[str] = None, kms_key_id: Optional[str] = None,
              metadata: Optional[Mapping[str, str]] = None, create_only: bool = False,
              deadline: Optional[Deadline] = None,
              before_attempt: Optional[Callable[[], None]] = None) -> None:
        if before_attempt is not None:
            before_attempt()
        self.before("PUT-new" if create_only else "PUT", key)
        etag = hashlib.md5(body).hexdigest().upper()
        with self._lock:
            previous = self._objects.get(key)
            if create_only and previous is not None:
                raise KeyExists(key)
            self._objects[key] = (bytes(body), etag, int(self._clock()),
                                  {k.lower(): str(v) for k, v in (metadata or {}).items()})
        self.after_write(key, body, None if previous is None else previous[0])

    def delete(self, key: str, deadline: Optional[Deadline] = None) -> None:
        self.before("DELETE", key)
        with self._lock:
            self._objects.pop(key, None)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for page in self.pages(prefix):
            yield from page.objects

    def pages(self, prefix: str = "", token: Optional[str] = None) -> Iterator[ListPage]:
        self.before("LIST", prefix)
        with self._lock:
            objects = [ObjectInfo(key, etag, len(data), modified)
                       for key, (data, etag, modified, _) in sorted(self._objects.items())
                       if key.startswith(prefix)]
        yield ListPage(objects, token, None)

    def keys(self):
        """Every key held (for tests and tools that look at the whole bucket)."""
        with self._lock:
            return sorted(self._objects)

    def get(self, key: str) -> Optional[bytes]:
        """The content at `key` without a step of its own (for checks after a run)."""
        with self._lock:
            found = self._objects.get(key)
        return None if found is None else found[0]
