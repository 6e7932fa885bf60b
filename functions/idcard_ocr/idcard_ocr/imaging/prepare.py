"""Turning an uploaded file into bytes the OCR API accepts, without losing legibility.

Most card photos pass through untouched. Phone photos are decoded at reduced scale (JPEG draft
mode), turned upright from EXIF, downscaled and re-encoded; HEIC is converted. Pillow is imported
on first use so that a cold start does not pay for it.
"""

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..errors import PermanentError
from .formats import (API_FORMATS, API_MAX_ASPECT, API_MIN_SIDE, describe_non_image,
                      register_heif, sniff)

JPEG_QUALITY = 90

_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageLimits:
    max_side: int = 2048            # longer side we send; a card stays legible well below this
    max_bytes: int = 3 * 1024 * 1024  # what we send; the API takes up to 10 MB, smaller is faster
    max_pixels: int = 100_000_000   # refuse larger (decompression bombs), before decoding


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    format: str          # format of `data`
    source_format: str   # format of the upload
    width: int
    height: int
    transformed: bool    # False: `data` is the original bytes
    # The decoded pixels of `data` when they were made here (transformed), so that later
    # steps (quality, crops) need not decode the JPEG again.
    picture: Any = field(default=None, repr=False, compare=False)

    def decoded(self):
        """The pixels of `data`: the ones made here, or a decode of the bytes sent as is."""
        if self.picture is not None:
            return self.picture
        picture = _pillow(self.format).open(io.BytesIO(self.data))
        picture.load()
        return picture


def prepare(data: bytes, limits: ImageLimits = ImageLimits()) -> PreparedImage:
    """Validate `data` and return what to send. Raises PermanentError with a specific code."""
    if not data:
        raise PermanentError(errors.INVALID_IMAGE, "the object is empty (0 bytes)")
    fmt = sniff(data)
    if fmt is None:
        raise PermanentError(errors.INVALID_IMAGE,
                             f"not an image: the object holds {describe_non_image(data)}")
    image_module = _pillow(fmt)
    # Our own check below names the size; Pillow's stays as a backstop for headers that lie.
    image_module.MAX_IMAGE_PIXELS = 2 * limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", image_module.DecompressionBombWarning)
            img = image_module.open(io.BytesIO(data))  # reads the header only
            width, height = img.size
            _check_geometry(width, height, limits)
            if _can_send_as_is(fmt, img, len(data), limits):
                _verify_decodes(img, fmt)
                return PreparedImage(data, fmt, fmt, width, height, transformed=False)
            return _transform(img, fmt, limits)
    except PermanentError:
        raise
    except image_module.DecompressionBombError:
        raise PermanentError(errors.IMAGE_TOO_LARGE,
                             f"{fmt} image has more than {limits.max_pixels:,} pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as e:
        raise PermanentError(errors.INVALID_IMAGE,
                             f"{fmt} data is corrupt or truncated ({type(e).__name__})") from None


def _pillow(fmt: str):
    from PIL import Image

    if fmt in ("HEIF", "AVIF"):
        register_heif()
    return Image


def _check_geometry(width: int, height: int, limits: ImageLimits) -> None:
    if width * height > limits.max_pixels:
        raise PermanentError(errors.IMAGE_TOO_LARGE,
                             f"image is {width}x{height} ({width * height / 1e6:.0f} MP); "
                             f"the limit is {limits.max_pixels / 1e6:.0f} MP (IMAGE_MAX_PIXELS)")
    if min(width, height) < API_MIN_SIDE:
        raise PermanentError(errors.INVALID_IMAGE,
                             f"image is {width}x{height}; sides under {API_MIN_SIDE} px "
                             f"cannot be recognised")
    if max(width, height) / min(width, height) > API_MAX_ASPECT:
        raise PermanentError(errors.INVALID_IMAGE,
                             f"image is {width}x{height}; aspect ratio over {API_MAX_ASPECT}:1 "
                             f"cannot be an ID card photo")


def _orientation(img) -> int:
    try:
        return int(img.getexif().get(_EXIF_ORIENTATION, 1) or 1)
    except Exception:  # a broken EXIF block must not reject a readable photo
        return 1


def _can_send_as_is(fmt: str, img, size: int, limits: ImageLimits) -> bool:
    return (fmt in API_FORMATS
            and size <= limits.max_bytes
            and max(img.size) <= limits.max_side
            and _orientation(img) == 1
            and not getattr(img, "is_animated", False))


def _verify_decodes(img, fmt: str) -> None:
    """Catch truncated and corrupt files before paying for an API call."""
    if fmt == "JPEG":
        # Decoding at 1/8 scale reads every entropy-coded segment at a fraction of the cost.
        img.draft("RGB", (max(1, img.size[0] // 8), max(1, img.size[1] // 8)))
    img.load()


def _transform(img, fmt: str, limits: ImageLimits) -> PreparedImage:
    from PIL import Image, ImageOps

    floor = limits.max_side * 3 // 4
    if fmt == "JPEG":
        # The decoder can scale by 1/2, 1/4 or 1/8 almost for free. Take the strongest reduction
        # that keeps the long side >= 3/4 of max_side: a 4032 px photo decodes at 2016 px and
        # needs no resampling at all, instead of a full decode and a resize to 2048.
        scale = max(img.size) / floor
        if scale >= 2:
            img.draft("RGB", (int(img.size[0] / scale), int(img.size[1] / scale)))
    img.load()
    img = _to_rgb(ImageOps.exif_transpose(img), Image)
    factor = max(img.size) // floor
    if factor >= 2:  # formats without draft mode: an integer box reduction is fast and clean
        img = img.reduce(factor)
    if max(img.size) > limits.max_side:
        img.thumbnail((limits.max_side, limits.max_side), Image.LANCZOS, reducing_gap=2.0)
    img, data = _encode_jpeg(img, limits.max_bytes)
    return PreparedImage(data, "JPEG", fmt, img.size[0], img.size[1], transformed=True,
                         picture=img)


def _to_rgb(img, Image):
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        img = img.point(lambda v: v / 256).convert("L") if img.mode != "F" else img.convert("L")
    return img.convert("RGB")


def _encode_jpeg(img, max_bytes: int):
    """JPEG under max_bytes: lower the quality a little first, then the size."""
    from PIL import Image

    while True:
        for quality in (JPEG_QUALITY, 80, 70):
            out = io.BytesIO()
            img.save(out, "JPEG", quality=quality)
            if out.tell() <= max_bytes:
                return img, out.getvalue()
        if max(img.size) <= 1024:
            raise PermanentError(errors.IMAGE_TOO_LARGE,
                                 f"could not encode the image under {max_bytes:,} bytes "
                                 f"(IMAGE_MAX_BYTES) without making it illegible")
        img = img.resize((img.size[0] * 3 // 4, img.size[1] * 3 // 4), Image.LANCZOS)
