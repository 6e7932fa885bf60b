"""Step 2: the text area upright, by quarter turns and a small deskew, and where each of its
lines stands.

The text area (detect.locate) is turned by the quarter turn its boxes' direction suggests and
its lines are found. The direction classifier's answer on every line (weighted by the line's
length) then tells whether the text stands upside down; if so the area is taken half a turn
further. The boxes' top edges give the remaining skew. Nothing is recognised here: the
next step reads the lines' pixels, each already turned the way it reads.
"""

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from . import ocr
from .detect import Located, resize, runs_sideways, tiled_watermark, without_red


class Frame:
    """Upright frame <-> photo: a crop of the photo at `origin`, scaled, turned by `turns`
    quarter turns (counter-clockwise, as np.rot90) and deskewed by `skew_deg`."""

    def __init__(self, width: int, height: int, turns: int, skew_deg: float, scale: float,
                 origin: Tuple[float, float] = (0.0, 0.0)):
        self.width, self.height = width, height  # of the crop as read, before turning
        self.turns = turns % 4
        self.skew = math.radians(skew_deg)
        self.scale = scale    # photo pixels per crop pixel
        self.origin = origin  # the crop's top-left corner in photo pixels
        w, h = (width, height) if self.turns % 2 == 0 else (height, width)
        self.center = (w / 2, h / 2)

    def turned(self, x: float, y: float) -> Tuple[float, float]:
        """Crop point -> turned-crop point."""
        w, h = self.width, self.height
        for _ in range(self.turns):
            x, y = y, w - x
            w, h = h, w
        return x, y

    def untwist(self, x: float, y: float) -> Tuple[float, float]:
        """Turned-crop point -> upright, deskewed frame."""
        return self._rotate(x, y, -self.skew)

    def twist(self, x: float, y: float) -> Tuple[float, float]:
        """Upright frame -> turned-crop point."""
        return self._rotate(x, y, self.skew)

    def _rotate(self, x: float, y: float, angle: float) -> Tuple[float, float]:
        cx, cy = self.center
        c, s = math.cos(angle), math.sin(angle)
        dx, dy = x - cx, y - cy
        return cx + dx * c - dy * s, cy + dx * s + dy * c

    def to_crop(self, x: float, y: float) -> Tuple[float, float]:
        """Upright-frame point -> crop pixels (before turning)."""
        x, y = self.twist(x, y)
        w, h = (self.width, self.height) if self.turns % 2 == 0 else (self.height, self.width)
        for _ in range(self.turns):
            x, y = h - y, x  # undoes one counter-clockwise quarter turn
            w, h = h, w
        return x, y

    def to_photo(self, x: float, y: float) -> Tuple[float, float]:
        """Upright-frame point -> original photo pixels."""
        x, y = self.to_crop(x, y)
        return self.origin[0] + x * self.scale, self.origin[1] + y * self.scale


@dataclass
class Upright:
    """The text area turned upright, and its lines (not yet read)."""

    image: np.ndarray           # the turned, scaled text area
    frame: Frame                # upright frame <-> photo
    quads: List[ocr.Quad]       # each line's box in `image`
    crops: List[np.ndarray]     # each line's pixels, turned the way it reads
    upside_down_votes: Tuple[float, float]  # classifier: characters upright, upside down
    # The whole decoded photo and its photo pixels per pixel: a value's area on the card may
    # lie outside the text area read (a row the quick detection missed), and is read from it.
    photo: Optional[np.ndarray] = None
    photo_scale: float = 1.0

    @property
    def angle(self) -> float:
        """Degrees the card is turned clockwise in the photo (0, 90, ..., ± skew)."""
        return (self.frame.turns * 90 + math.degrees(self.frame.skew)) % 360


def orient(image: np.ndarray, scale: float, located: Located, turns: int = None,
           settled: bool = False) -> Upright:
    """The located text area upright; `turns` (counter-clockwise quarter turns) overrides the
    direction located suggests, for a second try. `settled`: `turns` is taken as it is,
    without the classifier's vote on upside down (a try half a turn from what it voted)."""
    x0, y0, x1, y1 = located.box
    crop = without_red(resize(image[y0:y1, x0:x1], located.zoom))
    chosen = turns is not None
    if not chosen:
        turns = 1 if located.sideways else 0
    turned = np.ascontiguousarray(np.rot90(crop, turns)) if turns else crop
    quads, crops = ocr.find_lines(turned)
    answers = ocr.directions(crops)
    crops = [np.ascontiguousarray(np.rot90(c, 2)) if d.flipped and d.sure else c
             for c, d in zip(crops, answers)]
    # A tiled watermark's rows (detect.without_tiled_watermark) say nothing of the card's
    # direction, and their long rows would outweigh the card's and set the slant its rows
    # are levelled by.
    on_card = [not tiled for tiled in tiled_watermark(quads, *turned.shape[1::-1])]
    up = sum(_length(q) for q, d, c in zip(quads, answers, on_card) if c and not d.flipped)
    down = sum(_length(q) for q, d, c in zip(quads, answers, on_card) if c and d.flipped)
    if down > up and not settled:  # most of the text reads upside down: so does the card
        turns += 2
        height, width = turned.shape[:2]
        turned = np.ascontiguousarray(np.rot90(turned, 2))
        quads = [[(width - x, height - y) for x, y in q[2:] + q[:2]] for q in quads]
    card_quads = [q for q, c in zip(quads, on_card) if c]
    if not chosen and runs_sideways(card_quads):
        # The boxes at the reading size say the quick location's direction was wrong (its
        # small downscale misjudged it): the next quarter turn, before anything is recognised
        # (the orchestrator would read it only after recognising this turn and finding no card).
        return orient(image, scale, located, turns=turns + 1)
    crop_scale = scale * (x1 - x0) / crop.shape[1]
    frame = Frame(crop.shape[1], crop.shape[0], turns, _skew(card_quads), crop_scale,
                  (x0 * scale, y0 * scale))
    return Upright(turned, frame, quads, crops, (up, down), image, scale)


def _length(quad: ocr.Quad) -> float:
    """About how many characters a box holds: its length over its height."""
    (x0, y0), (x1, y1), _, (x3, y3) = quad[:4]
    return math.hypot(x1 - x0, y1 - y0) / max(math.hypot(x3 - x0, y3 - y0), 1.0)


def _skew(quads: List[ocr.Quad]) -> float:
    """Median angle of the boxes' top edges, each weighted by its length, in degrees (small:
    ±20). Boxes of a single character say little about the direction of their row."""
    angles = []
    for quad in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        weight = int(round(_length(quad)))
        if x1 - x0 > 1 and weight >= 2:
            angles.extend([math.degrees(math.atan2(y1 - y0, x1 - x0))] * weight)
    if not angles:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]
