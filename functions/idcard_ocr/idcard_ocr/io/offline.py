"""The offline engine in this process, as a Recognizer (OCR_ENGINE=local): no HTTP, no AppCode.

Needs the `engine` extra; onnxruntime is imported on the first photo, not at cold start.
"""

from typing import Optional

from .. import errors
from ..card.documents import reads_no_field
from ..errors import PermanentError
from .ocr_api import checked_answer, no_such_side
from .retry import Deadline
from .seams import Recognition


class OfflineEngine:
    def recognize(self, image: bytes, side: str, deadline: Optional[Deadline] = None
                  ) -> Recognition:
        from ..engine import recognize

        # attempts count billed calls: the engine's reading costs none.
        return Recognition(engine_answer(recognize(image, side), side), attempts=0)


def engine_answer(answer: dict, side: str) -> dict:
    """The engine's answer for `side` as a Recognizer gives it, or the PermanentError that
    says what it was: no such side (not_an_id_card), or the side found with none of its
    fields read, an unreadable photo (recognition_failed; checked_answer would call it the
    API's bad answer)."""
    if answer.get("success") is False:
        raise no_such_side(answer, f"the offline engine found no {side} side of an ID card")
    if reads_no_field(answer, side):
        raise PermanentError(errors.RECOGNITION_FAILED, f"the offline engine found the "
                                                        f"{side} side but read none of its fields")
    return checked_answer(answer, side)
