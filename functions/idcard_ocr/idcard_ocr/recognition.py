"""Which sides of a card to ask the recognizer for, and in what order.

CARD_SIDE fixes the side, or `auto` takes it from the file name (face/front/正面/人像 vs
back/反面/国徽/背面) and, when the name says nothing, asks for the face and then the back.
"""

from dataclasses import dataclass
from typing import Tuple

from . import errors
from .errors import PermanentError
from .io.keys import side_from_name
from .io.retry import Deadline
from .io.seams import Recognizer

# Answers that mean "this is not the side you asked for": in auto mode, try the other one.
WRONG_SIDE = (errors.NOT_AN_ID_CARD, errors.RECOGNITION_FAILED)


@dataclass(frozen=True)
class CardReading:
    side: str
    answer: dict
    attempts: int  # billable calls for every side tried


def sides_to_try(card_side: str, key: str) -> Tuple[str, ...]:
    if card_side == "auto":
        named = side_from_name(key)
        return (named,) if named else ("face", "back")
    return (card_side,)


def read_card(recognizer: Recognizer, image: bytes, sides: Tuple[str, ...],
              deadline: Deadline) -> CardReading:
    """The first side the recognizer finds. Errors carry the attempts of every side tried."""
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
        return CardReading(side, recognition.answer, attempts + recognition.attempts)
    raise ValueError("no side to try")
