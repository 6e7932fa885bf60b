"""The photos under the console's prefix as rows, each with its result and its review.

The listing streams page by page (ListObjectsV2); a page of the console is filled from it,
filters applied as rows load, and ends with a cursor: the continuation token of the listing
page it stopped in and the last key shown. Nothing waits for the whole listing. Documents
are read by a small thread pool, in listing order.
"""

import base64
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from typing import Callable, Iterator, List, Mapping, Optional, Tuple

from ...card.documents import checks_passed, expired, failed_checks, sides_missing
from ...errors import IdcardOcrError
from ...card.keys import skip_reason
from ...card.vouching import API, ENGINE
from ...io.oss import ObjectInfo, ObjectStore
from ...io.results import ResultStore, StoredResult
from ..report import label
from . import reviews

PAGE_ROWS = 50
SCAN_BUDGET_S = 2.0        # a request that finds fewer matches returns them and goes on later
LOAD_THREADS = 8
BACKGROUND_THREADS = 2
STATUSES = ("ok", "checks_failed", "expired", "error", "untrusted", "pending")
READERS = (ENGINE, API)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # error codes, check and warning names
_MAX_CURSOR = 4096


@dataclass(frozen=True)
class Row:
    """One photo: its listing entry, its result (None: not processed yet), its review."""

    key: str
    etag: Optional[str]
    size: Optional[int]
    result: Optional[StoredResult] = None
    review: Optional[StoredResult] = None
    problem: Optional[str] = None    # the result could not be read: the error code

    @property
    def record(self) -> dict:
        """The result document when we signed it; nothing from a planted one is used."""
        return self.result.document if self.result and self.result.trusted else {}

    @property
    def trusted(self) -> bool:
        return bool(self.result and self.result.trusted)

    @property
    def label(self) -> str:
        """ok, ok:checks_failed, error:<code>, untrusted (report's labels), or pending."""
        if self.result is None:
            return "pending"
        return label(self.result.document, self.result.trusted)

    @property
    def status(self) -> str:
        return self.status_of(self.label)

    @staticmethod
    def status_of(label: str) -> str:
        """The list's status of a report label: ok:checks_failed and ok:expired are statuses
        of their own (an expired card must not look like a passing one)."""
        return label[3:] if label in ("ok:checks_failed", "ok:expired") else label.split(":")[0]

    @property
    def recognized_by(self) -> Optional[str]:
        """engine or api (card/vouching.py) for a read photo; None otherwise."""
        reader = self.record.get("recognized_by") if self.record.get("status") == "ok" else None
        return reader if reader in READERS else None

    @property
    def sides_missing(self) -> dict:
        """{side: error code} of a sheet's sides listed and not read (a face stands, its back
        could not be read): the photo holds data the result lacks."""
        return sides_missing(self.record)

    @property
    def error_code(self) -> Optional[str]:
        return (self.record.get("error") or {}).get("code")

    @property
    def failed_checks(self) -> List[str]:
        """`side.check` for each integrity check that failed, on every side read."""
        return failed_checks(self.record)

    @property
    def checks_passed(self) -> Optional[bool]:
        """Every side read passes (None: not an ok result we signed)."""
        return checks_passed(self.record)

    @property
    def expired(self) -> bool:
        return expired(self.record)

    @property
    def warnings(self) -> List[str]:
        return list((self.record.get("quality") or {}).get("warnings") or [])

    @property
    def review_doc(self) -> Optional[dict]:
        """The operator's review, when signed by us and about this very result."""
        if not self.review or not self.review.trusted:
            return None
        doc = self.review.document
        return doc if reviews.is_current(doc, self.record) else None

    @property
    def reviewed(self) -> bool:
        return self.review_doc is not None

    @property
    def review_outdated(self) -> bool:
        """A review of an earlier result of this photo (reprocessed since)."""
        return bool(self.review and self.review.trusted and not self.reviewed)

    @property
    def needs_review(self) -> bool:
        """Read, but with a failed check, a quality warning or a side missing, and nobody has
        looked yet."""
        return (self.status in ("ok", "checks_failed", "expired") and not self.reviewed
                and (self.checks_passed is False or self.expired or bool(self.warnings)
                     or bool(self.sides_missing)))

    @property
    def outdated(self) -> bool:
        """The photo was replaced after its result was written."""
        etag = (self.record.get("source") or {}).get("etag")
        return bool(etag and self.etag and etag.upper() != self.etag.upper())

    @property
    def has_crops(self) -> bool:
        return bool(self.record.get("crops"))


@dataclass(frozen=True)
class Filter:
    status: str = ""
    error_code: str = ""
    failed_check: str = ""
    warning: str = ""
    needs_review: bool = False
    reviewed: str = ""          # "", "yes", "no"
    recognized_by: str = ""     # "", "engine", "api"
    side_missing: bool = False  # only results missing a side of their sheet

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "Filter":
        """The filter in a request's parameters; unknown or malformed values are ignored."""
        def name(field: str) -> str:
            value = (params.get(field) or "").strip()
            return value if _NAME.match(value) else ""

        status = name("status")
        return cls(status=status if status in STATUSES else "",
                   error_code=name("error_code"), failed_check=name("failed_check"),
                   warning=name("warning"),
                   needs_review=(params.get("needs_review") or "") in ("1", "on", "true"),
                   reviewed=params.get("reviewed") if params.get("reviewed") in ("yes", "no")
                   else "",
                   recognized_by=params.get("recognized_by")
                   if params.get("recognized_by") in READERS else "",
                   side_missing=(params.get("side_missing") or "") in ("1", "on", "true"))

    def params(self) -> dict:
        """The non-empty parameters, for links that keep the filter."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = "1" if value is True else value
        return out

    @property
    def active(self) -> bool:
        return bool(self.params())

    def matches(self, row: Row) -> bool:
        return ((not self.status or row.status == self.status)
                and (not self.error_code or row.error_code == self.error_code)
                and (not self.failed_check
                     or any(name.split(".")[-1] == self.failed_check
                            for name in failed_checks(row.record, informational=True)))
                and (not self.warning or self.warning in row.warnings)
                and (not self.needs_review or row.needs_review)
                and (not self.reviewed or row.reviewed == (self.reviewed == "yes"))
                and (not self.recognized_by or row.recognized_by == self.recognized_by)
                and (not self.side_missing or bool(row.sides_missing)))

    @property
    def needs_reviews(self) -> bool:
        """Whether matching needs each row's review (one more read per result)."""
        return self.needs_review or bool(self.reviewed)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the continuation token of its listing page and the last key."""

    token: Optional[str]
    after: str

    def encode(self) -> str:
        raw = json.dumps([self.token, self.after], ensure_ascii=False).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, text: Optional[str]) -> Optional["Cursor"]:
        """The cursor, or None for a missing or malformed one (the first page)."""
        if not text or len(text) > _MAX_CURSOR:
            return None
        try:
            token, after = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
        except (ValueError, TypeError, UnicodeError):
            return None
        if (token is not None and not isinstance(token, str)) or not isinstance(after, str):
            return None
        return cls(token, after)


@dataclass(frozen=True)
class Page:
    rows: List[Row]
    cursor: Optional[Cursor]   # None: the listing is finished
    scanned: int               # photos looked at for this page
    cut_short: bool = False    # the scan budget ran out before the page was full


class Catalog:
    """The rows of one bucket and prefix, as the console shows them."""

    def __init__(self, photos: ObjectStore, results: ResultStore, prefix: str = "",
                 threads: int = LOAD_THREADS, background_threads: int = BACKGROUND_THREADS):
        self.photos = photos
        self.results = results
        self.prefix = prefix
        # Pages have threads of their own: counting and exports never queue ahead of them.
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="review-page")
        self._background = ThreadPoolExecutor(background_threads,
                                              thread_name_prefix="review-background")
        self._chunk = threads * 2
        location = results.location
        # Results beside the photos: a listing page also shows which results and reviews
        # exist, and the reads of absent ones are saved.
        self._listed_beside = location.bucket_for(photos.name) == photos.name \
            and not location.prefix

    def close(self) -> None:
        for pool in (self._pool, self._background):
            pool.shutdown(wait=False, cancel_futures=True)

    def row(self, key: str) -> Optional[Row]:
        """The row of one photo, or None when the photo is not there."""
        info = self.photos.head(key)
        return self.load(info) if info is not None else None

    def load(self, info: ObjectInfo, with_review: bool = True,
             listed: Optional["_Listed"] = None) -> Row:
        """The photo's row: its result and review read, unless the listing shows them absent."""
        row = Row(info.key, info.etag, info.size)
        location = self.results.location
        try:
            found = None
            if listed is None or listed.may_exist(location.result_key(info.key)):
                found = self.results.read(self.results.key_for(info.key))
            review = None
            if found and with_review and (listed is None
                                          or listed.may_exist(location.review_key(info.key))):
                review = self.results.get_review(info.key)
        except IdcardOcrError as e:  # one unreadable result must not break the page
            return replace(row, problem=e.code)
        return replace(row, result=found, review=review)

    def page(self, where: Filter = Filter(), cursor: Optional[Cursor] = None,
             size: int = PAGE_ROWS, budget_s: float = SCAN_BUDGET_S,
             clock: Callable[[], float] = time.monotonic) -> Page:
        """Up to `size` matching rows after `cursor`; fewer when `budget_s` ran out first."""
        started, rows, scanned = clock(), [], 0
        for token, batch, listed in self._batches(cursor):
            for row in self._pool.map(lambda i: self.load(i, True, listed), batch):
                scanned += 1
                if where.matches(row):
                    rows.append(row)
                    if len(rows) == size:
                        return Page(rows, Cursor(token, row.key), scanned)
            if clock() - started > budget_s:
                return Page(rows, Cursor(token, batch[-1].key), scanned, cut_short=True)
        return Page(rows, None, scanned)

    def rows(self, where: Filter = Filter(), with_reviews: bool = True) -> Iterator[Row]:
        """Every matching row, streamed (export, reprocessing a set, counting), on the
        background threads."""
        reviews_needed = with_reviews or where.needs_reviews
        for _, batch, listed in self._batches(None):
            for row in self._background.map(lambda i: self.load(i, reviews_needed, listed),
                                            batch):
                if where.matches(row):
                    yield row

    def _batches(self, cursor: Optional[Cursor]
                 ) -> Iterator[Tuple[Optional[str], List[ObjectInfo], Optional["_Listed"]]]:
        """Photos after the cursor in chunks a pool loads at once, with the token of the
        listing page each chunk came from and what that page shows."""
        after = cursor.after if cursor else None
        for page in self.photos.pages(self.prefix, cursor.token if cursor else None):
            listed = _Listed(page.objects, page.next_token is None) \
                if self._listed_beside else None
            photos = [info for info in page.objects
                      if (after is None or info.key > after)
                      and skip_reason(info.key, self.results.location) is None]
            for start in range(0, len(photos), self._chunk):
                yield page.token, photos[start:start + self._chunk], listed


class _Listed:
    """The keys of one listing page: a key that would sort within the page and is not on it
    does not exist; beyond the page's last key nothing is known."""

    def __init__(self, objects: List[ObjectInfo], last_page: bool):
        self._keys = {info.key for info in objects}
        self._last = None if last_page or not objects else objects[-1].key

    def may_exist(self, key: str) -> bool:
        return key in self._keys or (self._last is not None and key > self._last)
