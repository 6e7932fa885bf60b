"""The result store: where results live, and how they are read, written, judged and claimed.

One place for every reader and writer of results (the function, `invoke`, `backfill`,
`report`, the review console): the bucket (RESULT_BUCKET or the photo's own), the key
(RESULT_PREFIX + key + RESULT_SUFFIX), the crops, claims and reviews beside them, encryption,
and signatures.

Nothing stored is believed unless its signature checks out: a planted result is as good as
none, and is overwritten.
"""

import json
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Tuple

from ..card.claims import ClaimRecord, PhotoVersion, StoredClaim
from ..card.documents import Standing, Verdict, judge  # noqa: F401 - Verdict is this API's too
from ..card.keys import ResultLocation  # noqa: F401 - where the tools find it
from ..card.signatures import Signer
from ..errors import KeyExists, ObjectTooLarge
from .log import scrub_secrets
from .oss import ObjectInfo, ObjectStore
from .retry import Deadline

JSON_TYPE = "application/json; charset=utf-8"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024  # our own documents are a few KB; larger ones are not ours
MAX_DOCUMENT_DEPTH = 32               # ours nest five deep


@dataclass(frozen=True)
class StoredResult:
    key: str                  # the result object's key
    document: dict            # empty unless we signed it for the photo it names
    trusted: bool             # signed by us, for the photo it names
    source_key: Optional[str] = None   # the photo's key, from the result's own key


class ResultStore:
    """The results of the photos of one source bucket."""

    def __init__(self, objects: ObjectStore, location: ResultLocation, source_bucket: str,
                 signer: Signer, encryption: Optional[str] = "AES256",
                 kms_key_id: Optional[str] = None):
        self.objects = objects
        self.location = location
        self.source_bucket = source_bucket
        self.signer = signer
        self.encryption = encryption
        self.kms_key_id = kms_key_id

    def key_for(self, source_key: str) -> str:
        return self.location.result_key(source_key)

    # Judging ---------------------------------------------------------------------------------

    def standing(self, source_key: str, etag: Optional[str],
                 deadline: Optional[Deadline] = None) -> Standing:
        """Done, failed or absent for this version, from the result itself: it is read and
        its signature checked (metadata alone could be copied beside a forged body)."""
        found = self.read(self.key_for(source_key), deadline)
        if found is None:
            return Standing(Verdict.ABSENT)
        return judge(found.document, found.trusted, etag)

    def read(self, result_key: str, deadline: Optional[Deadline] = None
             ) -> Optional[StoredResult]:
        """The document at `result_key` and whether we signed it, or None (absent). A document
        we did not sign, or that does not parse, comes back untrusted and empty: its content
        is never shown or acted on."""
        return self._read_signed(result_key, self.location.source_key(result_key), deadline)

    def _read_signed(self, key: str, source_key: Optional[str],
                     deadline: Optional[Deadline] = None) -> Optional[StoredResult]:
        try:
            found = self.objects.read(key, MAX_DOCUMENT_BYTES, deadline)
        except ObjectTooLarge:  # none of ours is: planted
            return StoredResult(key, {}, False, source_key)
        if found is None:
            return None
        doc = parse_document(found.data)
        if doc is None or source_key is None or \
                not self.signer.verify(doc, self.source_bucket, source_key):
            return StoredResult(key, {}, False, source_key)
        return StoredResult(key, doc, True, source_key)

    # Writing ---------------------------------------------------------------------------------

    def save(self, record: dict, deadline: Deadline,
             before_attempt: Optional[Callable[[], None]] = None) -> str:
        """Sign and write the record (ok, error or receipt); returns its key. The metadata
        (status, version) is for people and tools browsing the bucket; nothing trusts it.
        `before_attempt` runs before each attempt of the write (the version check)."""
        source = record.get("source") or {}
        key = self.key_for(source["key"])
        metadata = {"status": record["status"], "source-etag": source.get("etag") or ""}
        self._write(key, self._signed_body(record), JSON_TYPE, metadata, deadline,
                    before_attempt)
        return key

    def save_crop(self, source_key: str, suffix: str, jpeg: bytes, deadline: Deadline) -> str:
        key = self.location.crop_key(source_key, suffix)
        self._write(key, jpeg, "image/jpeg", None, deadline)
        return key

    # Reviews: an operator's verdict beside the machine result, which stays as it is ----------

    def save_review(self, review: dict, deadline: Optional[Deadline] = None) -> str:
        """Sign and write a review document (it names its source); returns its key."""
        key = self.location.review_key(review["source"]["key"])
        self._write(key, self._signed_body(review), JSON_TYPE, None,
                    deadline or Deadline(30.0))
        return key

    def get_review(self, source_key: str, deadline: Optional[Deadline] = None
                   ) -> Optional[StoredResult]:
        """The review of the photo's result and whether we signed it, or None (none, not
        JSON). An unsigned review is not believed: callers act on `trusted` ones only."""
        found = self._read_signed(self.location.review_key(source_key), source_key, deadline)
        if found is not None and found.document.get("kind") != "review":
            return StoredResult(found.key, {}, False, source_key)  # a signed result or claim
        return found

    # Claims: the persistence seam of payonce.PayOnce ----------------------------------------

    def get_claim(self, version: PhotoVersion, deadline: Deadline) -> Optional[StoredClaim]:
        """The claim object of a version (None: there is none); its record only when the
        document is ours, signed for this very version, and claim-shaped."""
        found = self._read_capped(self.location.claim_key(version.key, version.etag),
                                  MAX_DOCUMENT_BYTES, deadline)
        if found is None:
            return None
        info, doc = found
        record = None
        if doc is not None and doc.get("kind") == "claim" and \
                self.signer.verify(doc, self.source_bucket, version.key, version.etag):
            record = ClaimRecord.from_document(doc, version)
        return StoredClaim(info.etag, info.last_modified, record)

    def create_claim(self, record: ClaimRecord, deadline: Deadline) -> bool:
        key = self.location.claim_key(record.version.key, record.version.etag)
        return self._create(key, self._signed_body(record.to_document(), compact=True),
                            deadline)

    def put_claim(self, record: ClaimRecord, deadline: Deadline) -> None:
        key = self.location.claim_key(record.version.key, record.version.etag)
        self._write(key, self._signed_body(record.to_document(), compact=True), JSON_TYPE,
                    None, deadline)

    def delete_claim(self, version: PhotoVersion, deadline: Deadline) -> None:
        self.objects.delete(self.location.claim_key(version.key, version.etag), deadline)

    def create_takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                               holder: str, deadline: Deadline) -> bool:
        key = self.location.takeover_key(version.key, version.etag, claim_etag, slot)
        return self._create(key, json.dumps({"holder": holder}).encode("utf-8"), deadline)

    def takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                        deadline: Deadline) -> Optional[Tuple[float, Optional[str]]]:
        """(when it was written, by OSS's clock; who wrote it) or None when there is none."""
        found = self._read_capped(self.location.takeover_key(version.key, version.etag,
                                                             claim_etag, slot), 4096, deadline)
        if found is None:
            return None
        info, doc = found
        holder = (doc or {}).get("holder")
        return info.last_modified or 0, holder if isinstance(holder, str) else None

    def delete_takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                               deadline: Deadline) -> None:
        self.objects.delete(self.location.takeover_key(version.key, version.etag, claim_etag,
                                                        slot), deadline)

    def _read_capped(self, key: str, max_bytes: int, deadline
                     ) -> Optional[Tuple[ObjectInfo, Optional[dict]]]:
        """(what the object is, its document or None when it is not one of ours to parse: too
        large or not a JSON object), or None when there is no such object."""
        try:
            found = self.objects.read(key, max_bytes, deadline)
        except ObjectTooLarge:
            info = self.objects.head(key, deadline)
            return None if info is None else (info, None)
        if found is None:
            return None
        return (ObjectInfo(key, found.etag, found.size, found.last_modified),
                parse_document(found.data))

    def _create(self, key: str, body: bytes, deadline) -> bool:
        try:
            self.objects.write(key, body, JSON_TYPE, encryption=self.encryption,
                               kms_key_id=self.kms_key_id, create_only=True, deadline=deadline)
            return True
        except KeyExists:
            return False

    # Listing ---------------------------------------------------------------------------------

    def listing(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every result object whose photo is under `prefix` (streamed, no documents read)."""
        for info in self.objects.list(self.location.prefix + prefix):
            if self.location.is_result_key(info.key):
                yield info

    def documents(self, prefix: str = "") -> Iterator[StoredResult]:
        """Every ok or error result under `prefix`, and every result object we did not sign
        (foreign: planted, altered or unreadable; its content is left out), streamed."""
        for info in self.listing(prefix):
            found = self.read(info.key)
            if found and (not found.trusted or found.document.get("status") in ("ok", "error")):
                yield found

    # -----------------------------------------------------------------------------------------

    def _signed_body(self, doc: dict, compact: bool = False) -> bytes:
        """Results are indented for the people who open them; claims, read by the function
        alone, are compact."""
        signed = self.signer.sign(scrub_secrets(doc))
        return json.dumps(signed, ensure_ascii=False, indent=None if compact else 2,
                          separators=(",", ":") if compact else None).encode("utf-8")

    def _write(self, key: str, body: bytes, content_type: str, metadata, deadline,
               before_attempt: Optional[Callable[[], None]] = None) -> None:
        self.objects.write(key, body, content_type, encryption=self.encryption,
                           kms_key_id=self.kms_key_id, metadata=metadata, deadline=deadline,
                           before_attempt=before_attempt)


def parse_document(data: bytes) -> Optional[dict]:
    """A stored document as a JSON object, or None for anything else: not UTF-8, not JSON,
    NaN or Infinity (never ours: we write with allow_nan=False), nested deeper than ours."""
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or _depth(doc) > MAX_DOCUMENT_DEPTH:
        return None
    return doc


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON we write")


def _depth(value, limit: int = MAX_DOCUMENT_DEPTH + 1) -> int:
    """How deep containers nest (stops counting past `limit`), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else \
            item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest
