"""The result store: where results live, and how they are read, written, judged and claimed.

One place for every reader and writer of results (the function, `invoke`, `backfill`,
`report`, the review console): the bucket (RESULT_BUCKET or the photo's own), the key
(RESULT_PREFIX + key + RESULT_SUFFIX), the crops, claims and reviews beside them, encryption,
and signatures.

Nothing stored is believed unless its signature checks out: a planted result is as good as
none, and is overwritten.
"""

import json
import time
from dataclasses import dataclass
from enum import Enum
from typing import Iterator, Optional

from .. import errors
from ..card.privacy import scrub_secrets
from ..card.signatures import Signer
from ..errors import TransientError
from .oss import KeyExists, ObjectInfo, ObjectStore, ObjectTooLarge
from .retry import Deadline

JSON_TYPE = "application/json; charset=utf-8"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024  # our own documents are a few KB; larger ones are not ours
CLAIM_INFIX = ".claim"
REVIEW_INFIX = ".review"
TAKEOVER_INFIX = ".takeover-"
TAKEOVER_TTL_S = 60.0  # a taker that crashed holding the marker blocks no longer than this


@dataclass(frozen=True)
class ResultLocation:
    """Where the outputs of a photo go: '<prefix><key><suffix>' for the result and the crops."""

    bucket: Optional[str] = None     # None: the photo's own bucket
    prefix: str = ""
    suffix: str = ".json"
    crop_prefix: str = "crops/"
    crop_card_suffix: str = ".card.jpg"
    crop_portrait_suffix: str = ".portrait.jpg"

    @classmethod
    def from_settings(cls, settings) -> "ResultLocation":
        return cls(settings.result_bucket, settings.result_prefix, settings.result_suffix,
                   settings.crop_prefix, settings.crop_card_suffix,
                   settings.crop_portrait_suffix)

    def bucket_for(self, source_bucket: str) -> str:
        return self.bucket or source_bucket

    def result_key(self, key: str) -> str:
        return f"{self.prefix}{key}{self.suffix}"

    def claim_key(self, key: str) -> str:
        return f"{self.prefix}{key}{CLAIM_INFIX}{self.suffix}"

    def review_key(self, key: str) -> str:
        """An operator's review of the photo's result (the review console writes it)."""
        return f"{self.prefix}{key}{REVIEW_INFIX}{self.suffix}"

    def crop_key(self, key: str, suffix: str) -> str:
        return f"{self.crop_prefix}{key}{suffix}"

    def takeover_key(self, key: str, claim_etag: str) -> str:
        """The marker whose create-only write lets one invocation take over a stale claim."""
        return f"{self.prefix}{key}{TAKEOVER_INFIX}{claim_etag}{CLAIM_INFIX}{self.suffix}"

    def longest_output_key(self, key: str) -> str:
        """The longest key written for the photo (the takeover marker of an OSS ETag)."""
        return self.takeover_key(key, "F" * 34)

    def is_result_key(self, key: str) -> bool:
        return (key.startswith(self.prefix) and key.endswith(self.suffix)
                and not key.endswith((CLAIM_INFIX + self.suffix, REVIEW_INFIX + self.suffix)))

    def source_key(self, result_key: str) -> Optional[str]:
        """The photo's key for a result key, or None when it is not one."""
        if not self.is_result_key(result_key):
            return None
        return result_key[len(self.prefix):len(result_key) - len(self.suffix)]

    def is_output(self, key: str) -> bool:
        """True for any key this function writes; such keys are never processed."""
        return key.endswith(self.suffix) or any(
            p and key.startswith(p) for p in (self.prefix, self.crop_prefix))


class Verdict(Enum):
    """What the result store says about one photo version."""

    ABSENT = "absent"            # no result, one for another version, or one we cannot trust
    DONE = "done"                # an ok result for this version
    FAILED = "failed"            # an error result for this version


@dataclass(frozen=True)
class Standing:
    verdict: Verdict
    document: Optional[dict] = None   # the stored record, when it is ours and for this version


@dataclass(frozen=True)
class StoredResult:
    key: str                  # the result object's key
    document: dict
    trusted: bool             # signed by us, for the photo it names


class Claimed(TransientError):
    """Another invocation holds this photo version (it is being recognised right now)."""

    def __init__(self):
        super().__init__(errors.IN_PROGRESS, "another invocation is recognising this photo "
                                             "version; it will write the result")


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
        if found is None or not etag:
            return Standing(Verdict.ABSENT)
        if not found.trusted:  # planted or altered: as good as none, and overwritten
            return Standing(Verdict.ABSENT)
        doc = found.document
        if str((doc.get("source") or {}).get("etag") or "").upper() != etag.upper():
            return Standing(Verdict.ABSENT)
        verdict = {"ok": Verdict.DONE, "error": Verdict.FAILED}.get(doc.get("status"),
                                                                    Verdict.ABSENT)
        return Standing(verdict, doc)

    def read(self, result_key: str, deadline: Optional[Deadline] = None
             ) -> Optional[StoredResult]:
        """The document at `result_key` and whether we signed it, or None (absent, not JSON)."""
        return self._read_signed(result_key, self.location.source_key(result_key), deadline)

    def _read_signed(self, key: str, source_key: Optional[str],
                     deadline: Optional[Deadline] = None) -> Optional[StoredResult]:
        try:
            found = self.objects.read(key, MAX_DOCUMENT_BYTES, deadline)
        except ObjectTooLarge:  # none of ours is: planted
            return StoredResult(key, {}, False)
        if found is None:
            return None
        doc = _json_object(found.data)
        if doc is None:
            return StoredResult(key, {}, False)
        trusted = source_key is not None and self.signer.verify(doc, self.source_bucket,
                                                                source_key)
        return StoredResult(key, doc, trusted)

    # Writing ---------------------------------------------------------------------------------

    def save(self, record: dict, deadline: Deadline) -> str:
        """Sign and write the record (ok, error or receipt); returns its key. The metadata
        (status, version) is for people and tools browsing the bucket; nothing trusts it."""
        source = record.get("source") or {}
        key = self.key_for(source["key"])
        metadata = {"status": record["status"], "source-etag": source.get("etag") or ""}
        self._write(key, self._signed_body(record), JSON_TYPE, metadata, deadline)
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
            return StoredResult(found.key, found.document, False)  # a signed result or claim
        return found

    # Claims: one recognition per photo version ------------------------------------------------

    def claim(self, source_key: str, etag: str, holder: str, ttl_s: float,
              deadline: Deadline) -> Optional[dict]:
        """Claim the version before paying for it (create-only write of `<key>.claim.json`).

        Returns None when the claim is ours, or what a previous holder kept (it paid, then
        failed: `{"record": ...}` to deliver, or `{"answers": {side: answer}}` already bought).
        Raises Claimed while a live holder has it. A claim that is expired (its signed
        `expires_at`, or its ttl past OSS's Last-Modified), unsigned, unreadable or for another
        version is taken over, by one invocation only.
        """
        key = self.location.claim_key(source_key)
        body = self._signed_body(self._claim_doc(source_key, etag, holder, ttl_s))
        for _ in range(3):
            if self._create(key, body, deadline):
                return None
            found = self._read_claim(source_key, etag, deadline)
            if found is None:
                continue  # released in between
            info, doc = found
            if doc is not None:
                if isinstance(doc.get("kept"), dict):  # ours now: we deliver what it kept
                    kept = doc["kept"]
                    claim = dict(self._claim_doc(source_key, etag, holder, ttl_s), kept=kept)
                    self._write(key, self._signed_body(claim), JSON_TYPE, None, deadline)
                    return kept
                if _alive(doc, info):
                    raise Claimed()
            self._take_over(source_key, info.etag, deadline)
        raise Claimed()

    def keep(self, source_key: str, kept: dict, holder: str, deadline: Deadline) -> bool:
        """Keep what was paid for in our claim, so that the retry does not pay again. False
        when the claim is no longer ours (it expired and was taken over)."""
        found = self._read_claim(source_key, None, deadline)
        doc = found[1] if found else None
        if doc is not None and doc.get("holder") != holder:
            return False
        etag = ((doc or {}).get("source") or {}).get("etag") or \
            ((kept.get("record") or {}).get("source") or {}).get("etag") or ""
        claim = dict(self._claim_doc(source_key, etag, holder, 0), kept=kept)
        self._write(self.location.claim_key(source_key), self._signed_body(claim), JSON_TYPE,
                    None, deadline)
        return True

    def release(self, source_key: str, holder: str, deadline: Optional[Deadline] = None) -> None:
        """Remove our claim (a claim someone else took over stays)."""
        found = self._read_claim(source_key, None, deadline)
        if found and found[1] is not None and found[1].get("holder") == holder:
            self.objects.delete(self.location.claim_key(source_key), deadline)

    def _read_claim(self, source_key: str, etag: Optional[str], deadline):
        """(object info, the claim if it is ours: signed, for this version) or None if gone."""
        key = self.location.claim_key(source_key)
        info = self.objects.head(key, deadline)
        if info is None:
            return None
        if info.size is not None and info.size > MAX_DOCUMENT_BYTES:
            return info, None
        try:
            found = self.objects.read(key, MAX_DOCUMENT_BYTES, deadline)
        except ObjectTooLarge:
            return info, None
        if found is None:
            return None
        doc = _json_object(found.data)
        ours = doc is not None and doc.get("kind") == "claim" and \
            self.signer.verify(doc, self.source_bucket, source_key, etag)
        return ObjectInfo(key, found.etag, found.size, found.last_modified), \
            (doc if ours else None)

    def _take_over(self, source_key: str, claim_etag: Optional[str], deadline) -> None:
        """Remove a claim that binds nobody, with one taker only: whoever creates the marker
        for that claim's ETag removes it; the others are told Claimed and wait."""
        marker = self.location.takeover_key(source_key, claim_etag or "none")
        if not self._create(marker, b"{}", deadline):
            info = self.objects.head(marker, deadline)
            if info is not None and info.last_modified and \
                    time.time() >= info.last_modified + TAKEOVER_TTL_S:
                self.objects.delete(marker, deadline)  # its taker crashed: free the way
            raise Claimed()
        try:
            current = self.objects.head(self.location.claim_key(source_key), deadline)
            if current is not None and current.etag == claim_etag:
                self.objects.delete(self.location.claim_key(source_key), deadline)
        finally:
            self.objects.delete(marker, deadline)

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
        """Every ok or error result under `prefix`, trusted or not (streamed, one GET each)."""
        for info in self.listing(prefix):
            found = self.read(info.key)
            if found and found.document.get("status") in ("ok", "error"):
                yield found

    # -----------------------------------------------------------------------------------------

    def _claim_doc(self, source_key: str, etag: str, holder: str, ttl_s: float) -> dict:
        return {"kind": "claim", "source": {"bucket": self.source_bucket, "key": source_key,
                                            "etag": etag},
                "holder": holder, "ttl_s": ttl_s, "expires_at": round(time.time() + ttl_s, 3)}

    def _signed_body(self, doc: dict) -> bytes:
        signed = self.signer.sign(scrub_secrets(doc))
        return json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")

    def _write(self, key: str, body: bytes, content_type: str, metadata, deadline) -> None:
        self.objects.write(key, body, content_type, encryption=self.encryption,
                           kms_key_id=self.kms_key_id, metadata=metadata, deadline=deadline)


def _alive(doc: dict, info: ObjectInfo) -> bool:
    """A claim binds until its signed expiry and its ttl past OSS's Last-Modified, whichever
    comes first: re-uploading a genuine claim's body does not make it live again."""
    now = time.time()
    ttl, expires = doc.get("ttl_s"), doc.get("expires_at")
    if not isinstance(ttl, (int, float)) or not isinstance(expires, (int, float)):
        return False
    return now < expires and bool(info.last_modified) and now < info.last_modified + ttl


def _json_object(data: bytes) -> Optional[dict]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None

