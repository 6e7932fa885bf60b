"""Pay once: the one owner of the claim that makes a photo version cost one API call per side.

In the spirit of Powertools' idempotency utility: a typed record (`ClaimRecord`), every state
and transition in this module, and a small persistence seam (`ClaimStore`, implemented over OSS
by io/results.ResultStore and in memory by io/memory). The pipeline asks questions and reports
purchases; it never handles claim documents.

The invariants (README, "Guarantees"; tests/test_payonce_explorer.py checks them over
interleavings of deliveries, retries, crashes, expiry and overwrites):

- I1  at most one paid call per photo version and side. Each answer is written into the claim
      as soon as it is bought; only a process that dies between the API's answer and that
      write (one PUT) can cost a second call.
- I2  the result object ends describing the photo's current version: a result is written only
      after the photo's version is checked again (pipeline), and a claim belongs to one version
      (its key names the ETag), so a new upload never disturbs the invocation reading the old.
- I3  winning a claim is followed by a fresh look for a signed result before any purchase.
- I4  answers kept in a claim belong to that claim's holder and version (signed, the version in
      the key and the body) and are taken over by one invocation only (a create-only marker
      named after the claim object's ETag).
- I5  no stored document of any shape raises: a claim that is not ours counts as abandoned and
      empty, and is taken over like an expired one.

OSS offers create-only writes, plain overwrites and deletes, but no compare-and-swap. The claim
relies on FC ending an invocation at its timeout: a claim lives for the holder's remaining time
plus CLAIM_MARGIN_S, so it expires only after its holder is gone.
"""

import time
import uuid
from dataclasses import dataclass, replace
from typing import Callable, Dict, Optional, Protocol, Tuple

from .card.claims import ClaimRecord, ClaimState, PhotoVersion, StoredClaim
from .card.keys import TAKEOVER_SLOTS
from .card.documents import Standing
from .errors import Claimed
from .io.retry import Deadline

CLAIM_MARGIN_S = 30.0   # a claim outlives its holder's deadline by this much
CLAIM_WAIT_S = 20.0     # how long a duplicate delivery waits for a live holder
CLAIM_POLL_S = 0.5      # and how often it looks
TAKEOVER_TTL_S = 60.0   # a taker that died holding the marker blocks no longer than this
SETTLE_S = 2.0          # inside the 3 s the invocation's deadline keeps back
TAKEOVER_ROUNDS = 3


class Clock(Protocol):
    def time(self) -> float: ...          # seconds since the epoch (claims are compared with OSS)

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    @staticmethod
    def time() -> float:
        return time.time()

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)


class ClaimStore(Protocol):
    """The persistence seam: create-only, overwrite and delete, and a create-only marker."""

    def get_claim(self, version: PhotoVersion, deadline: Deadline) -> Optional[StoredClaim]: ...

    def create_claim(self, record: ClaimRecord, deadline: Deadline) -> bool: ...

    def put_claim(self, record: ClaimRecord, deadline: Deadline) -> None: ...

    def delete_claim(self, version: PhotoVersion, deadline: Deadline) -> None: ...

    def create_takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                               holder: str, deadline: Deadline) -> bool: ...

    def takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                        deadline: Deadline) -> Optional[Tuple[float, Optional[str]]]: ...

    def delete_takeover_marker(self, version: PhotoVersion, claim_etag: str, slot: int,
                               deadline: Deadline) -> None: ...

    def standing(self, source_key: str, etag: Optional[str],
                 deadline: Optional[Deadline] = None) -> Standing: ...


class Ticket:
    """A held claim: the answers already bought for the version, and the holder's duties."""

    def __init__(self, owner: "PayOnce", record: ClaimRecord, taken_over: bool):
        self._owner = owner
        self._record = record
        self.taken_over = taken_over   # it carried answers or a holder before us
        self.standing: Optional[Standing] = None   # the result, as looked at after the claim
        self.settled = False

    @property
    def version(self) -> PhotoVersion:
        return self._record.version

    @property
    def answers(self) -> Dict[str, Optional[dict]]:
        """Answers bought for this version so far (None: the API found no card of that side)."""
        return dict(self._record.answers)

    @property
    def kept_record(self) -> Optional[dict]:
        """A finished record an earlier holder built (and maybe sent) but could not write."""
        return self._record.record

    def bought(self, side: str, answer: Optional[dict], deadline: Deadline) -> None:
        """Keep a purchase in the claim at once, so that no retry pays for it again."""
        answers = dict(self._record.answers, **{side: answer})
        self._record = replace(self._record, answers=answers)
        if deadline.remaining() < SETTLE_S:
            deadline = Deadline(SETTLE_S, self._owner.clock.monotonic)
        self._owner.store.put_claim(self._record, deadline)

    def release(self) -> None:
        """The version is finished (result written) or given up: the claim goes."""
        self._settle(keep=False)

    def abandon(self, finished: Optional[dict] = None) -> None:
        """The invocation failed: keep what was bought (and `finished`, the record as far as it
        got, outputs' receipts included, so that the retry neither rebuilds nor resends it)
        for the next taker."""
        if finished is not None:
            self._record = replace(self._record, record=finished)
        self._settle(keep=bool(self._record.answers) or self._record.record is not None)

    def _settle(self, keep: bool) -> None:
        if self.settled:
            return
        self.settled = True
        self._owner.settle(self._record, keep)


@dataclass(frozen=True)
class Finished:
    """The version needs no purchase: a signed result for it was found after the claim."""

    standing: Standing


class PayOnce:
    """Claims photo versions before anything is paid for, over a ClaimStore."""

    def __init__(self, store: ClaimStore, clock: Clock = SystemClock(),
                 wait_s: float = CLAIM_WAIT_S, poll_s: float = CLAIM_POLL_S):
        self.store = store
        self.clock = clock
        self.wait_s = wait_s
        self.poll_s = poll_s

    def acquire(self, version: PhotoVersion, holder: str, deadline: Deadline,
                settled: Optional[Callable[[Standing], bool]] = lambda standing: standing.final):
        """A Ticket when the claim is ours, or Finished when the version turned out settled.

        A live holder is waited for (up to CLAIM_WAIT_S, looking at its result); one that
        outlasts the wait raises Claimed, and FC's retry comes back later. Once the claim is
        won, the result is looked at again (I3): a holder may have finished between our first
        look and now. `settled` says when a stored result leaves nothing to do; None (a forced
        run, which means to pay again) looks at nothing.
        """
        wait_until = self.clock.monotonic() + min(self.wait_s,
                                                   max(0.0, deadline.remaining() - 2))
        while True:
            try:
                ticket = self._claim(version, holder, deadline)
                break
            except Claimed:
                if self.clock.monotonic() >= wait_until:
                    raise
            self.clock.sleep(self.poll_s)
            if settled is not None:
                standing = self.store.standing(version.key, version.etag, deadline)
                if settled(standing):
                    return Finished(standing)
        if settled is not None:
            try:
                ticket.standing = self.store.standing(version.key, version.etag, deadline)
            except BaseException:
                ticket.abandon()
                raise
            if settled(ticket.standing):
                ticket.release()
                return Finished(ticket.standing)
        return ticket

    def _claim(self, version: PhotoVersion, holder: str, deadline: Deadline) -> Ticket:
        ttl = deadline.remaining() + CLAIM_MARGIN_S
        for _ in range(TAKEOVER_ROUNDS):
            fresh = ClaimRecord(version, holder, ClaimState.HELD, self.clock.time() + ttl, ttl)
            if self.store.create_claim(fresh, deadline):
                return Ticket(self, fresh, taken_over=False)
            found = self.store.get_claim(version, deadline)
            if found is None:
                continue  # released in between: try to create it again
            if found.record is not None and found.record.holder == holder:
                # ours: the create landed and its answer was lost, so the retry met itself
                return Ticket(self, found.record, taken_over=False)
            if found.record is not None and found.record.binds(self.clock.time(),
                                                               found.last_modified):
                raise Claimed()
            taken = self._take_over(version, found, holder, ttl, deadline)
            if taken is not None:
                return taken
        raise Claimed()

    def _take_over(self, version: PhotoVersion, found: StoredClaim, holder: str, ttl: float,
                   deadline: Deadline) -> Optional[Ticket]:
        """Replace a claim that binds nobody, carrying its answers, with one taker only: the
        one whose create-only write of a marker named after that claim object's ETag succeeds.
        A marker whose taker died (older than TAKEOVER_TTL_S) is passed for the next slot and
        never deleted under anyone; one of ours (a create whose answer was lost) is ours.
        None when the claim changed under us (look again)."""
        claim_etag = found.object_etag or "none"
        slot, looks = 0, 0
        while True:
            looks += 1
            if slot >= TAKEOVER_SLOTS or looks > 3 * TAKEOVER_SLOTS:
                raise Claimed()
            if self.store.create_takeover_marker(version, claim_etag, slot, holder, deadline):
                break
            marker = self.store.takeover_marker(version, claim_etag, slot, deadline)
            if marker is None:
                continue  # removed in between (its taker finished): try that slot again
            made, taker = marker
            if taker == holder:
                break
            if self.clock.time() < made + TAKEOVER_TTL_S:
                raise Claimed()  # a live taker
            slot += 1
        try:
            current = self.store.get_claim(version, deadline)
            if current is None or current.object_etag != found.object_etag:
                return None
            kept = current.record
            record = ClaimRecord(version, holder, ClaimState.HELD, self.clock.time() + ttl, ttl,
                                 dict(kept.answers) if kept else {}, kept.record if kept else None)
            self.store.put_claim(record, deadline)
            return Ticket(self, record, taken_over=True)
        finally:  # ours and the dead takers' below it: that claim version is gone either way
            for passed in range(slot, -1, -1):
                self.store.delete_takeover_marker(version, claim_etag, passed, deadline)

    def settle(self, record: ClaimRecord, keep: bool) -> None:
        """Release the claim, or leave its answers for the next taker (abandoned: takeable at
        once). Only our own claim is touched: one that was taken over stays."""
        deadline = Deadline(SETTLE_S, self.clock.monotonic)
        found = self.store.get_claim(record.version, deadline)
        if found is None or found.record is None or found.record.holder != record.holder:
            return
        if keep:
            self.store.put_claim(replace(record, state=ClaimState.ABANDONED, expires_at=0.0),
                                 deadline)
        else:
            self.store.delete_claim(record.version, deadline)


def new_holder(request_id: Optional[str]) -> str:
    """Who holds a claim: the FC request, plus a nonce for the deliveries of one request."""
    return f"{request_id or 'local'}/{uuid.uuid4().hex[:8]}"

