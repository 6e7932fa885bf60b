"""The result store: where results live, and how they are read, written and judged done.

One place for every reader and writer of results (the function, `invoke`, `backfill`,
`report`): the bucket (RESULT_BUCKET or the photo's own), the key (RESULT_PREFIX + key +
RESULT_SUFFIX), the crops beside them, encryption, and the metadata that lets a HEAD decide
whether a photo version is done without reading the document.
"""

import json
from dataclasses import dataclass
from enum import Enum
from typing import FrozenSet, Iterable, Iterator, Optional

from ..card.documents import is_done
from .oss import ObjectInfo, ObjectStore
from .retry import Deadline

JSON_TYPE = "application/json; charset=utf-8"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024  # our own documents are a few KB; larger ones are not ours


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

    def crop_key(self, key: str, suffix: str) -> str:
        return f"{self.crop_prefix}{key}{suffix}"

    def is_result_key(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    def is_output(self, key: str) -> bool:
        """True for any key this function writes; such keys are never processed."""
        return key.endswith(self.suffix) or any(
            p and key.startswith(p) for p in (self.prefix, self.crop_prefix))


class Verdict(Enum):
    """What the result store says about one photo version."""

    ABSENT = "absent"            # no result, or one for another version
    DONE = "done"                # an ok result for this version
    FAILED = "failed"            # an error result for this version


@dataclass(frozen=True)
class Standing:
    verdict: Verdict
    delivered: FrozenSet[str] = frozenset()  # the outputs the stored record has reached


class ResultStore:
    """The results of the photos of one source bucket."""

    def __init__(self, objects: ObjectStore, location: ResultLocation,
                 encryption: Optional[str] = "AES256", kms_key_id: Optional[str] = None):
        self.objects = objects
        self.location = location
        self.encryption = encryption
        self.kms_key_id = kms_key_id

    def key_for(self, source_key: str) -> str:
        return self.location.result_key(source_key)

    def standing(self, source_key: str, etag: Optional[str],
                 deadline: Optional[Deadline] = None) -> Standing:
        """Done, failed or absent for this version, from the result's metadata (one HEAD)."""
        info = self.objects.head(self.key_for(source_key), deadline)
        delivered = frozenset(filter(None, ((info.metadata.get("delivered") or "")
                                            .split(",") if info else ())))
        return Standing(_verdict(info, etag), delivered)

    def get(self, source_key: str, deadline: Optional[Deadline] = None) -> Optional[dict]:
        """The result document of a photo, or None when there is none we can read."""
        return self.read(self.key_for(source_key), deadline)

    def read(self, result_key: str, deadline: Optional[Deadline] = None) -> Optional[dict]:
        found = self.objects.read(result_key, MAX_DOCUMENT_BYTES, deadline)
        if found is None:
            return None
        try:
            doc = json.loads(found.data)
        except (ValueError, RecursionError):
            return None
        return doc if isinstance(doc, dict) else None

    def save(self, record: dict, deadline: Deadline, delivered: Iterable[str] = ()) -> str:
        """Write the record (ok, error or receipt) where it belongs; returns its key.

        `delivered` names the outputs the record has reached, for standing().
        """
        source = record.get("source") or {}
        key = self.key_for(source["key"])
        body = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        metadata = {"status": record["status"], "source-etag": source.get("etag") or "",
                    "delivered": ",".join(sorted(delivered))}
        self._write(key, body, JSON_TYPE, metadata, deadline)
        return key

    def save_crop(self, source_key: str, suffix: str, jpeg: bytes, deadline: Deadline) -> str:
        key = self.location.crop_key(source_key, suffix)
        self._write(key, jpeg, "image/jpeg", None, deadline)
        return key

    def listing(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every result object whose photo is under `prefix` (streamed, no documents read)."""
        for info in self.objects.list(self.location.prefix + prefix):
            if self.location.is_result_key(info.key):
                yield info

    def documents(self, prefix: str = "") -> Iterator[dict]:
        """Every ok or error result document under `prefix` (streamed, one GET each)."""
        for info in self.listing(prefix):
            doc = self.read(info.key)
            if doc and doc.get("status") in ("ok", "error"):
                yield doc

    def _write(self, key: str, body: bytes, content_type: str, metadata, deadline) -> None:
        self.objects.write(key, body, content_type, encryption=self.encryption,
                           kms_key_id=self.kms_key_id, metadata=metadata, deadline=deadline)


def _verdict(info: Optional[ObjectInfo], etag: Optional[str]) -> Verdict:
    if info is None or not etag:
        return Verdict.ABSENT
    status = info.metadata.get("status")
    record = {"status": status, "source": {"etag": info.metadata.get("source-etag")}}
    if is_done(record, etag):
        return Verdict.DONE
    if status == "error" and (info.metadata.get("source-etag") or "").upper() == etag.upper():
        return Verdict.FAILED
    return Verdict.ABSENT
