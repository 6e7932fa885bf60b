"""What object keys mean: which are photos to read, where results go, which side a name suggests."""

import posixpath
import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OutputNaming:
    """Where the outputs of an object go: '<prefix><key><suffix>' for the result and the crops."""

    suffix: str = ".json"
    prefix: str = ""
    crop_prefix: str = "crops/"

    def result_key(self, key: str) -> str:
        return f"{self.prefix}{key}{self.suffix}"

    def crop_key(self, key: str, suffix: str) -> str:
        return f"{self.crop_prefix}{key}{suffix}"

    def is_output(self, key: str) -> bool:
        """True for any key this function writes; such keys are never processed."""
        return key.endswith(self.suffix) or any(
            p and key.startswith(p) for p in (self.prefix, self.crop_prefix))
