"""Crops of the card, straightened, and of the portrait, from the geometry the API returned.

Coordinates are in the pixels of the image the API saw. The card is cut with a perspective
transform from `card_region` (top-left, bottom-left, bottom-right, top-right of the card, as
the API lists them), so a rotated or upside-down card comes out upright. The portrait is cut
from `face_rect_vertices` (or `face_rect`), its corners ordered along the card's own axes so
that it is upright too.
"""

import io
import math
from typing import Dict, List, Optional, Sequence, Tuple

Point = Tuple[float, float]
CARD_ASPECT = 85.6 / 54.0
MAX_CARD_WIDTH = 1712


def cut(image, answer: dict) -> Dict[str, object]:
    """The crops the answer's geometry allows: {"card": ..., "portrait": ...} (each optional)."""
    region = answer.get("card_region")
    made = {"card": card(image, region),
            "portrait": portrait(image, region, answer.get("face_rect_vertices"),
                                 answer.get("face_rect"))}
    return {name: crop for name, crop in made.items() if crop is not None}


def card(image, card_region: Optional[Sequence[dict]]):
    quad = _quad(card_region)
    if quad is None:
        return None
    tl, bl, br, tr = quad
    width = min(MAX_CARD_WIDTH, int((_dist(tl, tr) + _dist(bl, br)) / 2))
    if width < 32:
        return None
    return _warp(image, quad, (width, int(width / CARD_ASPECT)))


def portrait(image, card_region: Optional[Sequence[dict]], face_rect_vertices=None,
             face_rect: Optional[dict] = None):
    corners = _quad(face_rect_vertices) if face_rect_vertices else _from_rect(face_rect)
    card_quad = _quad(card_region)
    if corners is None or card_quad is None:
        return None
    tl, bl, _, tr = card_quad
    u_axis, v_axis = _unit(tl, tr), _unit(tl, bl)

    def uv(p: Point):
        d = (p[0] - tl[0], p[1] - tl[1])
        return d[0] * u_axis[0] + d[1] * u_axis[1], d[0] * v_axis[0] + d[1] * v_axis[1]

    coords = [(p, *uv(p)) for p in corners]
    f_tl = min(coords, key=lambda c: c[1] + c[2])[0]
    f_br = max(coords, key=lambda c: c[1] + c[2])[0]
    f_tr = max(coords, key=lambda c: c[1] - c[2])[0]
    f_bl = max(coords, key=lambda c: c[2] - c[1])[0]
    size = (int(_dist(f_tl, f_tr)), int(_dist(f_tl, f_bl)))
    if min(size) < 16:
        return None
    return _warp(image, (f_tl, f_bl, f_br, f_tr), size)


def jpeg(image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _warp(image, quad, size):
    from PIL import Image

    data = [c for point in quad for c in point]
    return image.transform(size, Image.QUAD, data, resample=Image.BICUBIC)


def _quad(points) -> Optional[List[Point]]:
    try:
        quad = [(float(p["x"]), float(p["y"])) for p in points or ()]
    except (KeyError, TypeError, ValueError):
        return None
    return quad if len(quad) == 4 else None


def _from_rect(rect: Optional[dict]) -> Optional[List[Point]]:
    try:
        cx, cy = float(rect["center"]["x"]), float(rect["center"]["y"])
        w, h = float(rect["size"]["width"]), float(rect["size"]["height"])
        angle = math.radians(float(rect.get("angle") or 0))
    except (KeyError, TypeError, ValueError):
        return None
    c, s = math.cos(angle), math.sin(angle)
    return [(cx + dx * c - dy * s, cy + dx * s + dy * c)
            for dx, dy in ((-w / 2, -h / 2), (-w / 2, h / 2), (w / 2, h / 2), (w / 2, -h / 2))]


def _dist(a: Point, b: Point) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def _unit(a: Point, b: Point) -> Point:
    length = _dist(a, b) or 1.0
    return (b[0] - a[0]) / length, (b[1] - a[1]) / length
