"""Which sides of a card to ask the recognizer for, and in what order.

CARD_SIDE fixes the side, or `auto` takes it from the file name (face/front/正面/人像 vs
back/反面/国徽/背面) and, when the name says nothing, asks for the face and then the back.
In auto mode, when the answer says the image holds the other side too (`sides_found`: a
photocopy sheet with both sides, as the offline engine reports it), the other side is read as
well. The marketplace API says nothing of the kind, so it is never asked twice on a guess.
"""

from dataclasses import dataclass, field
from typing import Dict, Optional, Protocol, Tuple

from . import errors
from .errors import PermanentError
from .card.keys import side_from_name
from .io.retry import Deadline
from .io.seams import Recognizer

# Answers that mean "this is not the side you asked for": in auto mode, try the other one.
WRONG_SIDE = (errors.NOT_AN_ID_CARD, errors.RECOGNITION_FAILED)
OTHER_SIDE = {"face": "back", "back": "face"}


class Ledger(Protocol):
    """Where bought answers are kept (payonce.Ticket: in the version's claim, at once)."""

    @property
    def answers(self) -> Dict[str, Optional[dict]]: ...

    def bought(self, side: str, answer: Optional[dict], deadline: Deadline) -> None: ...


class Purchases:
    """A ledger in memory, for a photo no claim can cover (no ETag to name its version)."""

    def __init__(self):
        self.answers: Dict[str, Optional[dict]] = {}

    def bought(self, side: str, answer: Optional[dict], deadline: Deadline) -> None:
        self.answers[side] = answer


@dataclass(frozen=True)
class CardReading:
    side: str
    answer: dict
    attempts: int  # billable calls for every side tried
    others: Dict[str, dict] = field(default_factory=dict)  # the other side of a sheet
    reused: bool = False  # answers bought by an earlier invocation were used
    # the other side of a sheet, listed and not read: side -> the error code
    missing: Dict[str, str] = field(default_factory=dict)


def sides_to_try(card_side: str, key: str) -> Tuple[str, ...]:
    if card_side == "auto":
        named = side_from_name(key)
        return (named,) if named else ("face", "back")
    return (card_side,)


def read_card(recognizer: Recognizer, image: bytes, sides: Tuple[str, ...],
              deadline: Deadline, ledger: Ledger, both: bool = False) -> CardReading:
    """The first side the recognizer finds (and, with `both`, the other side when the answer
    says the image holds it).

    Answers already in the `ledger` (bought by an earlier invocation for this version; None:
    that side was not found) are used instead of asking again; every answer bought here goes
    into the ledger before anything else happens. A raised error carries `attempts`.
    """
    reused = bool(ledger.answers)
    attempts = 0

    def ask(side: str) -> dict:
        nonlocal attempts
        # looked up at each ask, not once: a side bought earlier in this invocation (the face
        # found absent, then listed by the back's answer) is known too, and never paid twice
        known = ledger.answers
        if side in known:
            if known[side] is None:
                raise PermanentError(errors.NOT_AN_ID_CARD, "the OCR API found no ID card of "
                                                            "the requested side", 200)
            return known[side]
        try:
            recognition = recognizer.recognize(image, side, deadline)
        except errors.IdcardOcrError as e:
            attempts += e.attempts
            if isinstance(e, PermanentError) and e.code in WRONG_SIDE:
                ledger.bought(side, None, deadline)
            raise
        attempts += recognition.attempts
        ledger.bought(side, recognition.answer, deadline)
        return recognition.answer

    try:
        for i, side in enumerate(sides):
            try:
                answer = ask(side)
            except PermanentError as e:
                if e.code not in WRONG_SIDE or i + 1 == len(sides):
                    raise
                continue
            others, missing = {}, {}
            other = OTHER_SIDE[side]
            listed = answer.get("sides_found")
            if both and isinstance(listed, list) and other in listed:
                try:
                    others[other] = ask(other)
                except PermanentError:  # the first side stands on its own
                    pass
                except errors.UnfoundSideUnread as e:  # maybe not there: never worth the first
                    missing[other] = e.code
            return CardReading(side, answer, attempts, others, reused=reused, missing=missing)
    except errors.IdcardOcrError as e:
        e.attempts = attempts
        raise
    raise ValueError("no side to try")
