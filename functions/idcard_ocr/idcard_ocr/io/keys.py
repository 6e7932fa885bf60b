"""What object keys mean: which are photos to read, and which side a file name suggests."""

import posixpath
import re
from typing import Optional

# Endings the function reads. Anything else (our own .json results included) is never read.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
                  ".heic", ".heif")

_FACE_WORDS = re.compile(r"(?<![a-z])(face|front)(?![a-z])|正面|人像")
_BACK_WORDS = re.compile(r"(?<![a-z])(back)(?![a-z])|反面|国徽|背面")


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


def skip_reason(key: str, location) -> Optional[str]:
    """Why an object is not a photo to read (`location` knows which keys are our outputs)."""
    if location.is_output(key):
        return "own_output"
    if not is_image_key(key):
        return "not_an_image_key"
    return None
