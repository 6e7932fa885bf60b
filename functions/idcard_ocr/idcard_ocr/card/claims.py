"""The claim on one photo version, as a typed record (the transitions are in payonce.py).

A claim says who is recognising a version until when, and which answers were already bought
for it: a retry takes those over instead of paying again.
"""

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping, Optional

SIDES = ("face", "back")


class ClaimState(Enum):
    HELD = "held"              # a live invocation is recognising the version
    ABANDONED = "abandoned"    # its holder failed; the answers it bought wait for the next taker


@dataclass(frozen=True)
class PhotoVersion:
    bucket: str
    key: str
    etag: str


@dataclass(frozen=True)
class ClaimRecord:
    """One version's claim: who holds it until when, and the answers bought so far."""

    version: PhotoVersion
    holder: str
    state: ClaimState
    expires_at: float                  # seconds since the epoch
    ttl_s: float
    answers: Mapping[str, Optional[dict]] = field(default_factory=dict)  # None: not that side
    record: Optional[dict] = None      # the finished record, when writing it failed

    def binds(self, now: float, last_modified: Optional[float]) -> bool:
        """True while the holder may still be working: held, before its signed expiry and its
        ttl past OSS's Last-Modified (re-uploading an old claim's body makes it live no more)."""
        return (self.state is ClaimState.HELD and now < self.expires_at
                and last_modified is not None and now < last_modified + self.ttl_s)

    def to_document(self) -> dict:
        return {"kind": "claim", "source": {"bucket": self.version.bucket,
                                            "key": self.version.key, "etag": self.version.etag},
                "holder": self.holder, "state": self.state.value, "ttl_s": self.ttl_s,
                "expires_at": round(self.expires_at, 3), "answers": dict(self.answers),
                **({"record": self.record} if self.record is not None else {})}

    @classmethod
    def from_document(cls, doc: Mapping, version: PhotoVersion) -> Optional["ClaimRecord"]:
        """The record a (verified) document holds, or None when its shape is not a claim's."""
        try:
            state = ClaimState(doc.get("state", ClaimState.HELD.value))
            holder, ttl, expires = doc["holder"], doc["ttl_s"], doc["expires_at"]
            answers, record = doc.get("answers") or {}, doc.get("record")
            if not isinstance(holder, str) or not isinstance(answers, dict):
                return None
            if record is not None and not (isinstance(record, dict) and
                                           isinstance(record.get("source"), dict)):
                return None
            if isinstance(ttl, bool) or isinstance(expires, bool):
                return None
            if not all(side in SIDES and (a is None or isinstance(a, dict))
                       for side, a in answers.items()):
                return None
            return cls(version, holder, state, float(expires), float(ttl), dict(answers), record)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class StoredClaim:
    """What the claim object of a version holds: its object ETag and time, and the record if
    the document is ours (signed, for this version, claim-shaped); None for anything else."""

    object_etag: Optional[str]
    last_modified: Optional[float]
    record: Optional[ClaimRecord]
