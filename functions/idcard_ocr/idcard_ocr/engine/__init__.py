"""The offline ID card engine: a photo in, the marketplace API's answer out.

`recognize(image_bytes, side)` returns the same fields the marketplace returns (name, sex,
nationality, birth, address, num with face_rect and card_region; or issue, start_date,
end_date) and `success`. Needs the `engine` extra (rapidocr-onnxruntime); nothing here is
imported by the OSS-triggered function unless it is configured to run the engine in-process.
"""

import hashlib
import io
import json
import threading
from collections import OrderedDict

from .. import errors
from ..errors import PermanentError

SIDES = ("face", "back")
# Where the portrait and the text stand on a card 856 x 540 (10 px/mm), for card_region and
# face_rect estimated from the text anchors.
_FACE_ANCHORS = {"name_top": 58, "num_bottom": 478, "label_left": 60}
_PORTRAIT = (575, 70, 800, 360)
_CARD = (856, 540)

_cache: "OrderedDict[str, object]" = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 16


def recognize(image: bytes, side: str) -> dict:
    """The answer for `image` read as `side`; `success` is False when it is not that side."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    reading = _reading(image)
    from .fields import extract, is_upside_down, which_side
    from .reader import upside_down

    found = which_side(reading.lines)
    if found != side:
        return {"success": False, "config_str": json.dumps({"side": side})}
    if is_upside_down(reading.lines, side):
        reading = upside_down(reading)
    extraction = extract(reading.lines, side)
    answer = dict(extraction.fields)
    if side == "face":
        for name in ("name", "sex", "nationality", "birth", "address", "num"):
            answer.setdefault(name, "")
        answer["num_valid"] = bool(extraction.num_valid)
        answer.update(_geometry(reading, extraction))
    else:
        for name in ("issue", "start_date", "end_date"):
            answer.setdefault(name, "")
    answer.update({"config_str": json.dumps({"side": side}), "success": True,
                   "angle": round(reading.angle, 1), "engine": "idcard-ocr offline"})
    return answer


def _reading(image: bytes):
    """OCR of the photo, cached by content: auto side detection asks for face, then back."""
    key = hashlib.sha1(image).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    from .reader import DETECT_MAX_SIDE, read

    array, scale = _decode(image, DETECT_MAX_SIDE)
    reading = read(array, scale)
    with _cache_lock:
        _cache[key] = reading
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return reading


def _decode(image: bytes, max_side: int):
    """RGB array of the upright photo, at most max_side, and photo pixels per array pixel."""
    import numpy as np
    from PIL import Image, ImageOps

    from ..imaging import register_heif, sniff

    fmt = sniff(image)
    if fmt is None:
        raise PermanentError(errors.INVALID_IMAGE, "image data is not an image")
    if fmt in ("HEIF", "AVIF"):
        register_heif()
    try:
        img = Image.open(io.BytesIO(image))
        width, height = img.size
        if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            width, height = height, width
        if fmt == "JPEG" and max(img.size) > 2 * max_side:
            ratio = max_side / max(img.size)
            img.draft("RGB", (int(img.size[0] * ratio), int(img.size[1] * ratio)))
        img = ImageOps.exif_transpose(img).convert("RGB")
    except Exception:
        raise PermanentError(errors.INVALID_IMAGE, "image data is corrupt") from None
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side))
    return np.asarray(img), width / img.size[0]


def _geometry(reading, extraction) -> dict:
    """card_region and face_rect from the anchors, in the photo's pixels."""
    name, num = extraction.anchors.get("name"), extraction.anchors.get("num")
    if name is None or num is None:
        return {}
    card_h = (num.y1 - name.y0) / ((_FACE_ANCHORS["num_bottom"] - _FACE_ANCHORS["name_top"])
                                   / _CARD[1])
    unit = card_h / _CARD[1]
    left = min(name.x0, num.x0) - _FACE_ANCHORS["label_left"] * unit
    top = name.y0 - _FACE_ANCHORS["name_top"] * unit
    corners = [(left, top), (left, top + _CARD[1] * unit),
               (left + _CARD[0] * unit, top + _CARD[1] * unit), (left + _CARD[0] * unit, top)]
    to_photo = reading.to_photo.to_photo
    region = [_point(*to_photo(x, y)) for x, y in corners]
    px0, py0, px1, py1 = _PORTRAIT
    face = [(left + px0 * unit, top + py0 * unit), (left + px0 * unit, top + py1 * unit),
            (left + px1 * unit, top + py1 * unit), (left + px1 * unit, top + py0 * unit)]
    vertices = [_point(*to_photo(x, y)) for x, y in face]
    cx = sum(v["x"] for v in vertices) / 4
    cy = sum(v["y"] for v in vertices) / 4
    scale = reading.to_photo.scale
    return {
        "card_region": region,
        "face_rect": {"angle": round(reading.angle, 1), "center": {"x": round(cx, 1), "y": round(cy, 1)},
                      "size": {"width": round((px1 - px0) * unit * scale, 1),
                               "height": round((py1 - py0) * unit * scale, 1)}},
        "face_rect_vertices": vertices,
    }


def _point(x: float, y: float) -> dict:
    return {"x": round(x, 1), "y": round(y, 1)}
