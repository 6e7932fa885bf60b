"""OCR_ENGINE=cascade as a Recognizer: the offline engine reads first, and the marketplace API
is paid only when the engine cannot vouch for its reading (card/vouching.py).

The engine is this process's (io/offline.OfflineEngine, when the function's zip carries it) or
the engine function's URL (io/ocr_api.MarketplaceClient pointed at ENGINE_URL: the engine
speaks the marketplace's contract). Its reading is free (attempts=0); the API's answer counts
its billed calls as ever. Whatever the engine does (fails, times out, is busy, raises
something unforeseen), the API reads: the engine never costs a photo its result.

A sheet with both sides stands only when the engine vouches for both; otherwise the API reads
each side asked for, and the answer carries the engine's `sides_found` so that CARD_SIDE=auto
asks the API for the other side too. A sheet on which the engine found one card (its answer
says `on_sheet`: text beside the card that it does not explain) is not complete: the side found stands or not
on its own, and the answer lists both sides, so that CARD_SIDE=auto asks for the other one,
which the API reads (`<side>:one_side`). The engine's "not this side" is believed only when it
vouches for the other side and that side is not a sheet's lone card; otherwise the API is
asked, so a misjudged side costs a call, never a result. A page on which the engine found no
card and said `on_sheet` (a copy's cards both lost) has the API asked for both sides, and so
does a photo the engine stopped reading at its work budget (`over_budget`). The API
failing (a timeout) on a side the engine looked for and did not find raises
errors.UnfoundSideUnread: the page may not hold that side, so as a sheet's other side it costs the side read nothing
(recognition.read_card: `sides_missing`).

Every answer names its reader (`recognized_by`), the engine's confidences and, when the API
read, why the engine's reading was declined; the ledger (payonce) keeps it as it keeps any
answer, so a retry never pays for what the engine vouched for.
"""

import copy
import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Set, Tuple

from .. import errors
from ..card.vouching import API, ENGINE, MIN_CONFIDENCE, annotated, sheet_decline_reason
from ..errors import PermanentError, TransientError
from .log import log_event
from .retry import MIN_CALL_S, Deadline
from .seams import Recognition, Recognizer

ENGINE_TIMEOUT_S = 5.0   # the engine's share of the invocation (in-process p95 is under 1 s)
# Left for the API after the engine: one call's timeout would not fit in less.
API_RESERVE_S = 10.0
OTHER_SIDE = {"face": "back", "back": "face"}
_NOT_THIS_SIDE = "not_this_side"
ONE_SIDE = "one_side"  # engine_declined of a sheet's side the engine did not find
FORCED = "api_forced"  # engine_declined of every photo while CASCADE_FORCE_API is on
OVER_BUDGET = "over_budget"  # the engine stopped at its work budget (engine/__init__.py)
# The engine's reading of a side is kept for the last few photos (by content): CARD_SIDE=auto
# asks the cascade for each side a sheet holds, and each ask judges the sheet whole, so each
# side was read twice (an HTTP request each to the engine function). The engine's answer is a
# function of the image; only what it settled is kept (an answer, no such side, nothing read),
# never a timeout or a fault.
REMEMBERED_READS = 8


class Cascade:
    def __init__(self, engine: Recognizer, api: Recognizer,
                 engine_timeout_s: float = ENGINE_TIMEOUT_S,
                 thresholds: Mapping[str, float] = MIN_CONFIDENCE,
                 api_reserve_s: float = API_RESERVE_S, force_api: bool = False):
        self.engine = engine
        self.api = api
        self.engine_timeout_s = engine_timeout_s
        self.thresholds = thresholds
        self.api_reserve_s = api_reserve_s
        self.force_api = force_api  # CASCADE_FORCE_API: the engine is not asked at all
        self._reads: "OrderedDict[Tuple[bytes, str], tuple]" = OrderedDict()
        self._reads_lock = threading.Lock()

    def __repr__(self):
        return f"Cascade(engine={self.engine!r}, api={self.api!r})"

    def recognize(self, image: bytes, side: str, deadline: Deadline) -> Recognition:
        misses: Dict[str, bool] = {}  # the sides the engine found absent: on a page?
        unsought: Set[str] = set()  # the sides it missed at its work budget (over_budget)
        found, declined = self._engine_reading(image, side, deadline, misses, unsought)
        if declined is None:
            answer = annotated(found[side], side, ENGINE, found[side])
            if _lone_on_sheet(found[side], side):
                answer["sides_found"] = ["face", "back"]  # CARD_SIDE=auto asks for the other
            return Recognition(answer, attempts=0)
        if declined == _NOT_THIS_SIDE:
            error = PermanentError(errors.NOT_AN_ID_CARD, f"the offline engine vouches for the "
                                                          f"{OTHER_SIDE[side]} side, not the "
                                                          f"{side}")
            error.attempts = 0
            raise error
        try:
            recognition = self.api.recognize(image, side, deadline)
        except TransientError as e:
            # Only a side the engine looked for and found absent may be missing: one it found
            # unreadable, or could not look for (down, no time), may well be on the page.
            if side in found or side not in misses:
                raise
            raise errors.UnfoundSideUnread.of(e) from e
        answer = annotated(recognition.answer, side, API, found.get(side), declined)
        # A page on which the engine found no card and said `on_sheet` (a copy whose cards were
        # both lost, darkened or turned): judged by this reading, not by what is remembered,
        # which other photos read meanwhile may have pushed out.
        page_without_card = len(misses) == len(OTHER_SIDE) and any(misses.values())
        if "sides_found" not in answer and (_holds_the_other_side(found, side)
                                            or page_without_card
                                            or _not_read_to_the_end(found, unsought)):
            answer["sides_found"] = ["face", "back"]
        return Recognition(answer, recognition.attempts)

    def _engine_reading(self, image: bytes, side: str, deadline: Deadline,
                        misses: Dict[str, bool], unsought: Optional[Set[str]] = None
                        ) -> Tuple[Dict[str, dict], Optional[str]]:
        """The engine's answers by side, and why they cannot stand (None: they can); `misses`
        gets, for each side it found absent, whether its miss said `on_sheet`, and `unsought`
        each side it missed at its work budget."""
        if self.force_api:
            return {}, FORCED
        budget = min(self.engine_timeout_s, deadline.remaining() - self.api_reserve_s)
        if budget < MIN_CALL_S:
            return {}, "engine_skipped:no_time"
        engine_deadline = Deadline(budget)
        found = {}
        try:
            own = self._read(image, side, engine_deadline, misses, unsought)
            if own is None:
                other = self._read(image, OTHER_SIDE[side], engine_deadline, misses, unsought)
                if other is None:
                    # Stopped at its work budget, it did not look for either to the end.
                    return {}, OVER_BUDGET if unsought else "no_card_found"
                found = {OTHER_SIDE[side]: other}
                if _lone_on_sheet(other, OTHER_SIDE[side]):
                    return found, f"{side}:{ONE_SIDE}"
                reason = sheet_decline_reason(found, self.thresholds)
                if reason is None:
                    return found, _NOT_THIS_SIDE
                return {}, OVER_BUDGET if unsought else "no_card_found"
            found = {side: own}
            listed = own.get("sides_found")
            if isinstance(listed, list) and OTHER_SIDE[side] in listed:
                other = self._read(image, OTHER_SIDE[side], engine_deadline,
                                   unsought=unsought)
                if other is None:
                    return found, f"{OTHER_SIDE[side]}:no_card_found"
                found[OTHER_SIDE[side]] = other
            return found, sheet_decline_reason(found, self.thresholds)
        except errors.IdcardOcrError as e:
            reason = f"engine_failed:{e.code}"
            if e.code == errors.RECOGNITION_FAILED and not found:
                found = self._other_side_of_a_sheet(image, side, engine_deadline)
        except Exception as e:  # noqa: BLE001 - an engine fault must not cost the photo
            reason = f"engine_failed:{type(e).__name__}"
        log_event(logging.WARNING, "engine failed, the API reads", reason=reason)
        return found, reason

    def _other_side_of_a_sheet(self, image: bytes, side: str, deadline: Deadline
                               ) -> Dict[str, dict]:
        """The other side's answer when the engine found `side` and read none of it on a sheet
        holding both (its other card says so), else nothing: the API then reads both sides,
        not only the unreadable one (stranger 2 and wayfarer 1 sheets lost a side so)."""
        try:
            other = self._read(image, OTHER_SIDE[side], deadline)
        except Exception:  # noqa: BLE001 - only a look: the API reads whatever happens
            return {}
        listed = (other or {}).get("sides_found")
        return {OTHER_SIDE[side]: other} if isinstance(listed, list) and side in listed else {}

    def _read(self, image: bytes, side: str, deadline: Deadline,
              misses: Optional[Dict[str, bool]] = None,
              unsought: Optional[Set[str]] = None) -> Optional[dict]:
        """The engine's answer for `side`, or None when it finds no such side (and `misses`
        gets whether that miss said `on_sheet`, or `unsought` the side when the miss was at
        the engine's work budget); read once per photo and side (REMEMBERED_READS)."""
        key = (hashlib.sha256(image).digest(), side)
        with self._reads_lock:
            settled = self._reads.get(key)
            if settled is not None:
                self._reads.move_to_end(key)
        if settled is None:
            settled = self._settled_read(image, side, deadline)
            with self._reads_lock:
                self._reads[key] = settled
                while len(self._reads) > REMEMBERED_READS:
                    self._reads.popitem(last=False)
        answer, failure, on_sheet, ruled_out = settled
        if failure is not None:
            raise PermanentError(*failure)
        if answer is None and misses is not None and ruled_out:
            misses[side] = on_sheet
        if answer is None and unsought is not None and not ruled_out:
            unsought.add(side)
        return copy.deepcopy(answer)

    def _settled_read(self, image: bytes, side: str, deadline: Deadline) -> tuple:
        """(the engine's answer or None, None, whether its miss said `on_sheet`, whether the
        side was ruled out) or (None, the PermanentError's arguments, False, False); anything
        else it raises is raised. A side missed at the engine's work budget (`over_budget`)
        is not ruled out: it was not looked for to the end, and may be on the photo."""
        if deadline.remaining() < MIN_CALL_S:
            raise TransientError(errors.API_TIMEOUT, "the engine's share of the time is spent")
        try:
            return self.engine.recognize(image, side, deadline).answer, None, False, True
        except PermanentError as e:
            if e.code == errors.NOT_AN_ID_CARD:
                return (None, None, getattr(e, "on_sheet", False) is True,
                        getattr(e, "over_budget", False) is not True)
            return None, (e.code, e.message, e.status), False, False


def _holds_the_other_side(found: Mapping[str, Mapping], side: str) -> bool:
    """Whether the engine's answers say the photo holds the other side too (found, listed in
    `sides_found`, or the page of a lone card), so that CARD_SIDE=auto asks the API for it."""
    other = OTHER_SIDE[side]
    listed = (found.get(side) or {}).get("sides_found")
    return other in found or (isinstance(listed, list) and other in listed) or any(
        _lone_on_sheet(answer, s) for s, answer in found.items())


def _not_read_to_the_end(found: Mapping[str, Mapping], unsought: Set[str]) -> bool:
    """Whether the engine stopped at its work budget (`over_budget`: a page of print around the
    card) before it had looked for every side: a side it missed then, or any answer it gave
    then, says so. The API reads what the engine could not: both sides are listed, so that
    CARD_SIDE=auto asks for the other (a card alone on such a page costs a call that finds
    nothing; a sheet on a newspaper lost its other side)."""
    return bool(unsought) or any(answer.get(OVER_BUDGET) is True for answer in found.values())


def _lone_on_sheet(answer: Mapping, side: str) -> bool:
    """Whether the engine found this side alone on a sheet (engine/__init__.py's `on_sheet`:
    the one card found has text beside it that it does not explain): the page may hold the
    other side, which the engine did not find. A user who copied both sides must get both."""
    listed = answer.get("sides_found")
    return answer.get("on_sheet") is True and not (
        isinstance(listed, list) and OTHER_SIDE[side] in listed)


def engine_client(url: str, appcode, timeout_s: float, request_format: str = "new"):
    """The engine function as a Recognizer: one attempt, no retries (the API is the fallback,
    and a busy engine answering 429 should be left alone, not asked again)."""
    from .ocr_api import MarketplaceClient

    return MarketplaceClient(url, appcode, timeout_s=timeout_s, max_attempts=1,
                             request_format=request_format)

