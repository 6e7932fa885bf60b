"""What object keys mean: which are photos to read, and which side a file name suggests."""

import posixpath
import re
from typing import Optional

from ..imaging.formats import IMAGE_SUFFIXES, is_image_key  # noqa: F401 - part of this module's API

_FACE_WORDS = re.compile(r"(?<![a-z])(face|front)(?![a-z])|正面|人像")
_BACK_WORDS = re.compile(r"(?<![a-z])(back)(?![a-z])|反面|国徽|背面")


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


# OSS keys are at most 1023 bytes; a photo whose result or claim key would be longer cannot
# have one, and is not read (no API call that could never be recorded).
MAX_KEY_BYTES = 1023


def skip_reason(key: str, location) -> Optional[str]:
    """Why an object is not a photo to read (`location` knows which keys are our outputs)."""
    if location.is_output(key):
        return "own_output"
    if not is_image_key(key):
        return "not_an_image_key"
    if len(location.longest_output_key(key).encode("utf-8")) > MAX_KEY_BYTES:
        return "key_too_long"
    return None
