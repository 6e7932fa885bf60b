"""Pictures for the console: thumbnails, the photo as the OCR API saw it, and the crops.

Every picture goes through the function's own `prepare()` with the function's limits
(IMAGE_MAX_PIXELS, the decoding budget from its memory, SOURCE_MAX_BYTES for the read), so
a hostile upload costs the console no more than it costs the function, and at most
`RENDER_SLOTS` pictures are read and decoded at once: the slot is taken before the object is
read (twenty requests for a 40 MB file once read twenty of them, 947 MB). Renditions are cached in memory, least recently used first
out, within `CACHE_BYTES`; failures are cached too, as their error code.
"""

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Optional, Tuple, Union

from ...errors import IdcardOcrError, PermanentError
from ...imaging import ImageLimits, prepare
from ...io.results import ResultStore
from ...io.oss import ObjectStore

THUMB_SIDE = 240
THUMB_MAX_BYTES = 256 * 1024
CACHE_BYTES = 48 * 1024 * 1024
RENDER_SLOTS = 2
KINDS = ("thumb", "photo", "card", "portrait")
_BROWSER_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
                    "WEBP": "image/webp"}


@dataclass(frozen=True)
class Rendition:
    data: bytes
    content_type: str


class Renditions:
    """Pictures of the photos of one bucket, and of their crops, made on demand and cached."""

    def __init__(self, photos: ObjectStore, results: ResultStore, limits: ImageLimits,
                 source_max_bytes: int, cache_bytes: int = CACHE_BYTES,
                 slots: int = RENDER_SLOTS):
        self.photos = photos
        self.results = results
        self.limits = limits
        self.source_max_bytes = source_max_bytes
        self._cache = _Lru(cache_bytes)
        self._slots = threading.BoundedSemaphore(slots)

    def get(self, key: str, kind: str, version: str = "", crop_first: bool = False
            ) -> Rendition:
        """The `kind` picture of the photo `key` (a key the caller has confined already).

        thumb: the card crop when `crop_first` and there is one, else the photo, made small;
        photo: the picture the OCR API saw (the function's prepare(), coordinates match);
        card, portrait: the saved crops. Raises PermanentError (cached) when it cannot be made.
        """
        cache_key = (kind, key, version, crop_first)
        found = self._cache.get(cache_key)
        if found is None:
            with self._slots:  # before any byte is read: memory stays bounded by the slots
                found = self._cache.get(cache_key)  # made while this request waited?
                if found is None:
                    try:
                        found = self._make(key, kind, crop_first)
                    except PermanentError as e:
                        found = e
                    self._cache.put(cache_key, found)
        if isinstance(found, PermanentError):
            raise found
        return found

    def _make(self, key: str, kind: str, crop_first: bool) -> Rendition:
        if kind in ("card", "portrait"):
            return self._render(self._crop(key, kind), self.limits)
        thumb = replace(self.limits, max_side=THUMB_SIDE, max_bytes=THUMB_MAX_BYTES)
        if kind == "thumb" and crop_first:
            try:
                return self._render(self._crop(key, "card"), thumb)
            except PermanentError:
                pass  # no crop after all: the photo itself
        found = self.photos.read(key, self.source_max_bytes)
        if found is None:
            raise PermanentError("not_found", "the photo is not in the bucket")
        return self._render(found.data, thumb if kind == "thumb" else self.limits)

    def _crop(self, key: str, kind: str) -> bytes:
        location = self.results.location
        suffix = location.crop_card_suffix if kind == "card" else location.crop_portrait_suffix
        found = self.results.objects.read(location.crop_key(key, suffix), self.source_max_bytes)
        if found is None:
            raise PermanentError("not_found", "no crop was saved for this photo")
        return found.data

    def _render(self, data: bytes, limits: ImageLimits) -> Rendition:
        image = prepare(data, limits)
        if image.format in _BROWSER_FORMATS and (image.transformed
                                                 or max(image.width, image.height)
                                                 <= limits.max_side):
            return Rendition(image.data, _BROWSER_FORMATS[image.format])
        out = io.BytesIO()  # a small BMP or TIFF, sent as is to the API: browsers need JPEG
        image.decoded().convert("RGB").save(out, "JPEG", quality=85)
        return Rendition(out.getvalue(), "image/jpeg")


Cached = Union[Rendition, IdcardOcrError]


class _Lru:
    """A thread-safe LRU cache bounded by the bytes it holds."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: "OrderedDict[Tuple, Cached]" = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key) -> Optional[Cached]:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key, item: Cached) -> None:
        size = _size(item)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._items[key] = item
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= _size(evicted)

    @property
    def size(self) -> int:
        with self._lock:
            return self._bytes


def _size(item: Cached) -> int:
    return len(item.data) + 64 if isinstance(item, Rendition) else 256
