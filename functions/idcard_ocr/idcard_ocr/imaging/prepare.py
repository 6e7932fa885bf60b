"""Turning an uploaded file into bytes the OCR API accepts, without losing legibility.

Most card photos pass through untouched. Phone photos are decoded at reduced scale (JPEG draft
mode), turned upright from EXIF, downscaled and re-encoded; HEIC is converted. Pillow is imported
on first use so that a cold start does not pay for it.
"""

import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

from .. import errors
from ..errors import PermanentError
from .formats import (API_FORMATS, API_MAX_ASPECT, API_MIN_SIDE, MAX_JPEG_SCANS,
                      describe_non_image, exif_orientation, jpeg_scans, register_heif, sniff,
                      tiff_tables_too_big)

JPEG_QUALITY = 90



@dataclass(frozen=True)
class ImageLimits:
    max_side: int = 2048            # longer side we send; a card stays legible well below this
    max_bytes: int = 3 * 1024 * 1024  # what we send; the API takes up to 10 MB, smaller is faster
    max_pixels: int = 100_000_000   # refuse larger (decompression bombs), before decoding
    # What decoding may cost, upload included (decode_cost()); None: no limit. The function
    # derives it from its memory size (memory_budget()).
    max_decoded_bytes: Optional[int] = None
    budget_source: str = "IMAGE_MAX_DECODED_MB"  # named when an image is refused


# Of the function's memory, what one image may take at its peak, and what the interpreter, the
# libraries and the rest of the invocation keep besides (measured: bench/README.md, "Memory").
MEMORY_SHARE = 0.6
RESERVED_MB = 96
# Bytes per pixel Pillow keeps for a decoded image of each mode (RGB is stored as 4 bytes).
_STORED_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# What decoders hold besides Pillow's image, bytes per pixel: libheif decodes into a buffer of
# its own that Pillow then copies; Pillow's WebP plugin holds libwebp's RGBA output as bytes and
# again as a file to decode from.
_DECODER_BYTES = {"WEBP": 12, "HEIF": 3, "AVIF": 3}
# The decoded pixels are turned into the smaller RGB picture a band of rows at a time, so that
# no conversion (premultiplied alpha, 16-bit to 8-bit, RGBA onto white) ever copies the whole
# picture: a 25-megapixel RGBA PNG costs its 101 MB of pixels, not two or three times that.
BAND_PIXELS = 1 << 20
# A band's copies at their peak, bytes per pixel: the crop (up to 4), its conversions (I: 4,
# RGBA: 4, RGB: 4) and what reduce() keeps.
_BAND_BYTES = 16


def memory_budget(memory_mb: int) -> int:
    """Decoding budget, in bytes, for a function of `memory_mb` MB."""
    return max(16, int(memory_mb * MEMORY_SHARE) - RESERVED_MB) * 1024 * 1024


def decode_cost(fmt: str, img, full_size: Tuple[int, int],
                decoded_size: Optional[Tuple[int, int]] = None, max_side: int = 2048) -> int:
    """Peak bytes of decoding `img` (header read) of `full_size` to `decoded_size` (smaller
    after a JPEG draft), with a band's conversions and the smaller copies _transform() makes
    for a longest side of `max_side`."""
    decoded_size = decoded_size or full_size
    pixels = decoded_size[0] * decoded_size[1]
    # A band has at least as many rows as the reduction's factor.
    band_pixels = min(pixels, max(BAND_PIXELS,
                                  decoded_size[0] * _reduction(decoded_size, max_side)))
    cost = (pixels * _STORED_BYTES.get(img.mode, 4) + band_pixels * _BAND_BYTES
            + _output_bytes(decoded_size, max_side))
    width, height = full_size
    cost += width * height * _DECODER_BYTES.get(fmt, 0)
    if fmt == "JPEG" and (img.info.get("progressive") or img.info.get("progression")):
        # libjpeg keeps every DCT coefficient of a progressive JPEG, at full size whatever the
        # scale it decodes to: 2 bytes per coefficient of each component.
        cost += width * height * 2 * _component_share(img)
    return cost


def _output_bytes(size: Tuple[int, int], max_side: int) -> int:
    """The smaller copies made while and after shrinking: the reduced RGB picture (and its turned
    copy), then the picture resampled to `max_side` (and its re-encodings)."""
    factor = _reduction(size, max_side)
    reduced = -(-size[0] // factor) * -(-size[1] // factor)
    return 4 * 2 * reduced + 4 * min(reduced, max_side * max_side)


def _reduction(size: Tuple[int, int], max_side: int) -> int:
    """The integer factor _transform() reduces a decoded picture of `size` by: the strongest that
    keeps the long side at least 3/4 of `max_side`."""
    return max(1, max(size) // (max_side * 3 // 4))


def _component_share(img) -> float:
    """Components' samples per pixel, subsampling included (4:2:0 YCbCr: 1.5)."""
    layers = getattr(img, "layer", None) or []
    try:
        h_max = max(layer[1] for layer in layers)
        v_max = max(layer[2] for layer in layers)
        return sum(layer[1] * layer[2] for layer in layers) / (h_max * v_max)
    except (ValueError, TypeError, IndexError, ZeroDivisionError):
        return 4.0


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
        picture = open_image(self.format, self.data)
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
    refuse_hostile_structure(fmt, data)
    image_module = _pillow(fmt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", image_module.DecompressionBombWarning)
            img = open_image(fmt, data)  # reads the header only
            width, height = img.size
            _check_geometry(width, height, limits)
            if _can_send_as_is(fmt, img, len(data), limits):
                _verify_decodes(img, fmt)
                return PreparedImage(data, fmt, fmt, width, height, transformed=False)
            return _transform(img, fmt, len(data), limits)
    except PermanentError:
        raise
    except image_module.DecompressionBombError:  # HEIF and AVIF only (see open_image)
        raise PermanentError(errors.IMAGE_TOO_LARGE,
                             f"{fmt} image has more pixels than Pillow decodes "
                             f"({2 * image_module.MAX_IMAGE_PIXELS:,})") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as e:
        raise PermanentError(errors.INVALID_IMAGE,
                             f"{fmt} data is corrupt or truncated ({type(e).__name__})") from None


def open_image(fmt: str, data: bytes):
    """Pillow's image for `data` of the sniffed `fmt`, header only. JPEGs open as plain JPEGs:
    Pillow's MPO reader would parse the multi-picture tables (unbounded, like TIFF tags).

    The format's own reader is used, not Image.open(), whose size check reads the
    process-wide Image.MAX_IMAGE_PIXELS: the caller checks the size against its own limit
    (ImageLimits.max_pixels) before anything is decoded, and nobody changes Pillow's global.
    HEIF and AVIF (either plugin may read either) go through Image.open() and its default.
    """
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        return JpegImagePlugin.JpegImageFile(io.BytesIO(data))
    image_module = _pillow(fmt)
    if fmt in ("HEIF", "AVIF"):
        return image_module.open(io.BytesIO(data))
    image_module.init()  # registers the format readers (once; Pillow keeps them)
    reader, _ = image_module.OPEN[fmt]
    return reader(io.BytesIO(data))


def refuse_hostile_structure(fmt: str, data: bytes) -> None:
    """Files whose structure alone costs unbounded memory or time, refused before Pillow."""
    problem = None
    if fmt == "TIFF":
        problem = tiff_tables_too_big(data)
    elif fmt == "JPEG" and jpeg_scans(data) > MAX_JPEG_SCANS:
        problem = f"it has {jpeg_scans(data)} scans (a photo has at most a few dozen)"
    if problem:
        raise PermanentError(errors.INVALID_IMAGE, f"{fmt} file refused: {problem}")


def orientation(img) -> int:
    """The EXIF orientation of an opened image, read by us (never Pillow's getexif())."""
    try:
        return exif_orientation(img.info.get("exif"))
    except Exception:  # a broken EXIF block must not reject a readable photo
        return 1


def upright(img, turn: int):
    """`img` turned as EXIF orientation `turn` says (Pillow's exif_transpose, without EXIF)."""
    from PIL import Image

    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(turn)
    return img.transpose(method) if method is not None else img


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


def _can_send_as_is(fmt: str, img, size: int, limits: ImageLimits) -> bool:
    return (fmt in API_FORMATS
            and size <= limits.max_bytes
            and max(img.size) <= limits.max_side
            and orientation(img) == 1
            and not getattr(img, "is_animated", False))


def _verify_decodes(img, fmt: str) -> None:
    """Catch truncated and corrupt files before paying for an API call."""
    if fmt == "JPEG":
        # Decoding at 1/8 scale reads every entropy-coded segment at a fraction of the cost.
        img.draft("RGB", (max(1, img.size[0] // 8), max(1, img.size[1] // 8)))
    img.load()


def _transform(img, fmt: str, data_size: int, limits: ImageLimits) -> PreparedImage:
    from PIL import Image

    floor = limits.max_side * 3 // 4
    full_size = img.size
    if fmt == "JPEG":
        # The decoder can scale by 1/2, 1/4 or 1/8 almost for free. Take the strongest reduction
        # that keeps the long side >= 3/4 of max_side: a 4032 px photo decodes at 2016 px and
        # needs no resampling at all, instead of a full decode and a resize to 2048.
        scale = max(img.size) / floor
        if scale >= 2:
            img.draft("RGB", (int(img.size[0] / scale), int(img.size[1] / scale)))
    _check_budget(fmt, img, full_size, data_size, limits)
    turn = orientation(img)  # read before decoding: a JPEG's info is reset by load()
    img.load()
    # Shrink and convert band by band, and turn the small image: every copy of the full-size
    # pixels would be one more multiple of them at the peak.
    img = upright(_reduced_rgb(img, _reduction(img.size, limits.max_side), Image), turn)
    if max(img.size) > limits.max_side:
        img.thumbnail((limits.max_side, limits.max_side), Image.LANCZOS, reducing_gap=2.0)
    img, data = _encode_jpeg(img, limits.max_bytes)
    return PreparedImage(data, "JPEG", fmt, img.size[0], img.size[1], transformed=True,
                         picture=img)


def _check_budget(fmt: str, img, full_size, data_size: int, limits: ImageLimits) -> None:
    if limits.max_decoded_bytes is None:
        return
    cost = decode_cost(fmt, img, full_size, img.size, limits.max_side) + data_size
    if cost > limits.max_decoded_bytes:
        raise PermanentError(errors.IMAGE_TOO_LARGE,
                             f"decoding this {full_size[0]}x{full_size[1]} {fmt} ({img.mode}) "
                             f"would take about {cost / 2**20:.0f} MB; the limit is "
                             f"{limits.max_decoded_bytes / 2**20:.0f} MB ({limits.budget_source})")


def _reduced_rgb(img, factor: int, Image):
    """The decoded `img` as RGB, reduced by `factor` (a box filter; 1: kept), made a band of
    rows at a time. Transparent pixels are laid onto white before the reduction, which gives
    what reducing premultiplied colours and then laying them onto white gives."""
    if factor == 1 and img.mode == "RGB":
        return img  # nothing to do (a JPEG decoded at reduced scale, mostly): no copy
    width, height = img.size
    rows = max(factor, BAND_PIXELS // max(1, width) // factor * factor)
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        band = img.crop((0, top, width, min(height, top + rows)))
        if band.mode.startswith("I;16"):
            band = band.convert("I")
        band = _to_rgb(band, Image)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


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
