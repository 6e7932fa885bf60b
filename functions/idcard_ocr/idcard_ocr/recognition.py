"""Which sides of a card to ask the recognizer for, and in what order.

CARD_SIDE fixes the side, or `auto` takes it from the file name (face/front/正面/人像 vs
back/反面/国徽/背面) and, when the name says nothing, asks for the face and then the back.
In auto mode, when the answer says the image holds the other side too (`sides_found`: a
photocopy sheet with both sides, as the offline engine reports it), the other side is read as
well. The marketplace API says nothing of the kind, so it is never asked twice on a guess.
"""

from dataclasses import dataclass, field
from typing import Dict, Tuple

from . import errors
from .errors import PermanentError
from .io.keys import side_from_name
from .io.retry import Deadline
from .io.seams import Recognizer

# Answers that mean "this is not the side you asked for": in auto mode, try the other one.
WRONG_SIDE = (errors.NOT_AN_ID_CARD, errors.RECOGNITION_FAILED)
OTHER_SIDE = {"face": "back", "back": "face"}


@dataclass(frozen=True)
class CardReading:
    side: str
    answer: dict
    attempts: int  # billable calls for every side tried
    others: Dict[str, dict] = field(default_factory=dict)  # the other side of a sheet


def sides_to_try(card_side: str, key: str) -> Tuple[str, ...]:
    if card_side == "auto":
        named = side_from_name(key)
        return (named,) if named else ("face", "back")
    return (card_side,)


def read_card(recognizer: Recognizer, image: bytes, sides: Tuple[str, ...],
              deadline: Deadline, both: bool = False) -> CardReading:
    """The first side the recognizer finds (and, with `both`, the other side when the answer
    says the image holds it). Errors carry the attempts of every side tried."""
    attempts = 0
    for i, side in enumerate(sides):
        try:
            recognition = recognizer.recognize(image, side, deadline)
        except errors.IdcardOcrError as e:
            attempts += e.attempts
            e.attempts = attempts
            if not isinstance(e, PermanentError) or e.code not in WRONG_SIDE \
                    or i + 1 == len(sides):
                raise
            continue
        attempts += recognition.attempts
        others = {}
        other = OTHER_SIDE[side]
        if both and other in (recognition.answer.get("sides_found") or ()):
            try:
                second = recognizer.recognize(image, other, deadline)
                attempts += second.attempts
                others[other] = second.answer
            except PermanentError as e:  # the first side stands on its own
                attempts += e.attempts
        return CardReading(side, recognition.answer, attempts, others)
    raise ValueError("no side to try")
