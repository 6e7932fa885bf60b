"""The offline engine in this process, as a Recognizer (OCR_ENGINE=local): no HTTP, no AppCode.

Needs the `engine` extra; onnxruntime is imported on the first photo, not at cold start.
"""

from typing import Optional

from .. import errors
from ..card.documents import reads_no_field
from ..errors import PermanentError
from .ocr_api import checked_answer
from .retry import Deadline
from .seams import Recognition


class OfflineEngine:
    def recognize(self, image: bytes, side: str, deadline: Optional[Deadline] = None
                  ) -> Recognition:
        from ..engine import recognize

        answer = recognize(image, side)
        if answer.get("success") is False:
            error = PermanentError(errors.NOT_AN_ID_CARD,
                                   f"the offline engine found no {side} side of an ID card")
            raise error
        if reads_no_field(answer, side):
            # A side found with none of its fields read is an unreadable photo, ours to name:
            # checked_answer would call it the API's bad answer.
            raise PermanentError(errors.RECOGNITION_FAILED, f"the offline engine found the "
                                                            f"{side} side but read none of its fields")
        # attempts count billed calls: the engine's reading costs none.
        return Recognition(checked_answer(answer, side), attempts=0)
