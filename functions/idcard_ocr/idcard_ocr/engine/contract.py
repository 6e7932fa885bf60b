"""The marketplace ID card OCR contract, as the engine's server speaks it.

A request body (either format) becomes the image bytes and the side asked for; an answer
becomes the body of that format. Everything the contract refuses is an ApiError with the
documented status and a message for X-Ca-Error-Message (ASCII, never personal data).
"""

import base64
import binascii
import io
import json
import warnings
from dataclasses import dataclass

from ..errors import ApiError
from ..imaging import API_MAX_ASPECT, API_MAX_SIDE, API_MIN_SIDE, register_heif, sniff

API_PATH = "/rest/160601/ocr/ocr_idcard.json"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# The image after base64 plus the JSON around it.
MAX_BODY_BYTES = MAX_IMAGE_BYTES * 4 // 3 + 64 * 1024
SIDES = ("face", "back")


@dataclass(frozen=True)
class Request:
    image: bytes
    side: str
    old_format: bool  # {"inputs": [...]}: the answer goes back as {"outputs": [...]}


@dataclass(frozen=True)
class ImageHeader:
    """What the image's header says, read without decoding any pixel."""

    format: str
    width: int
    height: int
    mode: str


def parse(body) -> Request:
    """The image and side of a request body (bytes or bytearray), or ApiError 460/461/462/413."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):  # 200,000 nested brackets end in RecursionError
        raise ApiError(460, "Invalid JSON") from None
    old = isinstance(doc, dict) and "inputs" in doc
    try:
        if old:
            item = doc["inputs"][0]
            image_field = item["image"]["dataValue"]
            configure = item["configure"]["dataValue"]
        else:
            image_field, configure = doc["image"], doc.get("configure", '{"side": "face"}')
        if isinstance(configure, str):
            configure = json.loads(configure)
        side = configure.get("side", "face")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError):
        raise ApiError(461, "JSON format error: expected image and configure") from None
    if side not in SIDES:
        raise ApiError(461, "configure.side must be face or back")
    if not isinstance(image_field, str):
        raise ApiError(461, "image must be a base64 string")
    del doc
    if image_field.startswith(("http://", "https://")):
        raise ApiError(462, "image URLs are not fetched by the offline engine; send base64")
    try:
        image = base64.b64decode(image_field, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(462, "image is not valid base64") from None
    if len(image) > MAX_IMAGE_BYTES:
        raise ApiError(413, "image over 10 MB")
    return Request(image, side, old)


def render(result: dict, old_format: bool) -> bytes:
    """The 200 body for an answer, in the request's format."""
    text = json.dumps(result, ensure_ascii=False)
    if old_format:
        text = json.dumps({"outputs": [{"outputLabel": "ocr_id", "outputMulti": {},
                                        "outputValue": {"dataType": 50, "dataValue": text}}]})
    return text.encode("utf-8")


def read_header(image: bytes) -> ImageHeader:
    """Format, size and pixel mode from the header, or ApiError 462 (not an image) / 421 (size).

    Sides outside 15..8192 px or a ratio over 50 are 421 as the marketplace documents, also
    when Pillow's own bomb check fires first (beyond 2 x 89 MP a side is over 8192 anyway).
    """
    from PIL import Image

    fmt = sniff(image)
    if fmt is None:
        raise ApiError(462, "image data error: not an image")
    if fmt in ("HEIF", "AVIF"):
        register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image)) as img:
                header = ImageHeader(fmt, img.size[0], img.size[1], img.mode)
    except Image.DecompressionBombError:
        raise ApiError(421, f"image size not supported (sides {API_MIN_SIDE}..{API_MAX_SIDE} "
                            f"px, ratio up to {API_MAX_ASPECT})") from None
    except Exception:
        raise ApiError(462, "image data error: cannot be decoded") from None
    short, long = sorted((header.width, header.height))
    if short < API_MIN_SIDE or long > API_MAX_SIDE or long / short > API_MAX_ASPECT:
        raise ApiError(421, f"image size {header.width}x{header.height} not supported "
                            f"(sides {API_MIN_SIDE}..{API_MAX_SIDE} px, ratio up to "
                            f"{API_MAX_ASPECT})")
    return header
