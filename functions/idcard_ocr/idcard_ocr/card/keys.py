"""What object keys mean: which are photos to read, which side a file name suggests, and where
every output of a photo goes (result, claim, review, crops).

Pure naming rules, no I/O: the function, the operator's tools and the tests all read keys
through this module, so that "is this one of ours?" has one answer.
"""

import posixpath
import re
from dataclasses import dataclass
from typing import Optional

# Key endings the function reads. Anything else (our own .json results included) is never read.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
                  ".heic", ".heif")
# OSS keys are at most 1023 bytes; a photo whose result or claim key would be longer cannot
# have one, and is not read (no API call that could never be recorded).
MAX_KEY_BYTES = 1023
CLAIM_INFIX = ".claim"
REVIEW_INFIX = ".review"
TAKEOVER_INFIX = ".takeover-"
TAKEOVER_SLOTS = 8   # markers of takers that died, passed one after another, before giving up
# An OSS ETag: 32 hex digits, or a multipart upload's "<32 hex>-<parts>" (up to 10,000 parts).
LONGEST_ETAG = "F" * 32 + "-10000"

_FACE_WORDS = re.compile(r"(?<![a-z])(face|front)(?![a-z])|正面|人像")
_BACK_WORDS = re.compile(r"(?<![a-z])(back)(?![a-z])|反面|国徽|背面")
_SAFE_ETAG = re.compile(r"[0-9A-Za-z-]{1,64}")


def is_image_key(key: str) -> bool:
    return key.lower().endswith(IMAGE_SUFFIXES)


def side_from_name(key: str) -> Optional[str]:
    """'face' or 'back' when the file name says so (case-insensitive), else None.

    Only the file name counts: a folder called 'backup/' or 'facebook/' says nothing.
    """
    name = posixpath.basename(key).lower()
    face = bool(_FACE_WORDS.search(name))
    back = bool(_BACK_WORDS.search(name))
    if face != back:
        return "face" if face else "back"
    return None


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

    def claim_key(self, key: str, etag: str) -> str:
        """The claim on one version of the photo: versions never share a claim, so a new
        upload never disturbs the invocation still reading the old one."""
        return f"{self.prefix}{key}.{_etag_part(etag)}{CLAIM_INFIX}{self.suffix}"

    def takeover_key(self, key: str, etag: str, claim_etag: str, slot: int = 0) -> str:
        """A marker whose create-only write lets one invocation take over a claim that binds
        nobody (expired, abandoned with kept answers, or not ours). Slots are numbered: a
        marker whose taker died is passed for the next slot, never deleted under anyone."""
        return (f"{self.prefix}{key}.{_etag_part(etag)}{TAKEOVER_INFIX}"
                f"{_etag_part(claim_etag)}-{int(slot)}{CLAIM_INFIX}{self.suffix}")

    def review_key(self, key: str) -> str:
        """An operator's review of the photo's result (the review console writes it)."""
        return f"{self.prefix}{key}{REVIEW_INFIX}{self.suffix}"

    def crop_key(self, key: str, suffix: str) -> str:
        return f"{self.crop_prefix}{key}{suffix}"

    def longest_output_key(self, key: str) -> str:
        """The longest key written for the photo (a takeover marker, multipart ETags)."""
        return self.takeover_key(key, LONGEST_ETAG, LONGEST_ETAG, TAKEOVER_SLOTS - 1)

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


def skip_reason(key: str, location: ResultLocation) -> Optional[str]:
    """Why an object is not a photo to read."""
    if location.is_output(key):
        return "own_output"
    if not is_image_key(key):
        return "not_an_image_key"
    if len(location.longest_output_key(key).encode("utf-8")) > MAX_KEY_BYTES:
        return "key_too_long"
    return None


def _etag_part(etag: str) -> str:
    """An ETag as it may stand in a key (ours are hex; anything else is hashed, not trusted)."""
    etag = (etag or "none").strip('"').upper()
    if _SAFE_ETAG.fullmatch(etag):
        return etag
    import hashlib

    return hashlib.sha256(etag.encode("utf-8", "replace")).hexdigest()[:32].upper()
