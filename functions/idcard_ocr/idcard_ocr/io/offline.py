"""The offline engine in this process, as a Recognizer (OCR_ENGINE=local): no HTTP, no AppCode.

Needs the `engine` extra; onnxruntime is imported on the first photo, not at cold start.
"""

from typing import Optional

from .. import errors
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
        # attempts count billed calls: the engine's reading costs none.
        return Recognition(checked_answer(answer, side), attempts=0)
