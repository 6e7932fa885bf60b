"""Pixels: preparing an upload for the OCR API, judging its quality, cutting crops.

No I/O here: bytes in, bytes or pictures out. Pillow is imported on first use.
"""

from .formats import (API_FORMATS, API_MAX_ASPECT, API_MAX_BYTES, API_MAX_SIDE, API_MIN_SIDE,
                      register_heif, sniff)
from .prepare import ImageLimits, PreparedImage, prepare

__all__ = ["API_FORMATS", "API_MAX_ASPECT", "API_MAX_BYTES", "API_MAX_SIDE", "API_MIN_SIDE",
           "ImageLimits", "PreparedImage", "prepare", "register_heif", "sniff"]
