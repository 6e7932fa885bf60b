"""Text lines of a photo, upright: RapidOCR (PP-OCR models shipped in the wheel) plus geometry.

The model loads once per process. A photo may arrive rotated by any multiple of 90° and a few
degrees besides: lines are read, the dominant direction tells whether the card is sideways
(then the photo is turned and read again), and the boxes are rotated into an upright, deskewed
frame in which rows and columns mean what they mean on the card.
"""

import math
import os
import threading
import unicodedata
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

DETECT_MAX_SIDE = 1600  # larger photos are downscaled before detection

_engine = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


def _rapidocr():
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            options = {"print_verbose": False}
            threads = int(os.environ.get("IDCARD_ENGINE_THREADS") or 0)
            if threads > 0:
                options["intra_op_num_threads"] = threads
            _engine = RapidOCR(**options)
        return _engine


@dataclass
class Line:
    """A text line in the upright frame: axis-aligned extent after deskewing."""

    text: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float
    points: Tuple[Tuple[float, float], ...]  # the quad in the original photo's pixels

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Reading:
    lines: List[Line]
    angle: float            # degrees the card is turned clockwise in the photo (0, 90, ..., ± skew)
    to_photo: "Frame"       # maps upright-frame points back to the photo


class Frame:
    """Rotation by `turn` quarter turns (counter-clockwise, as np.rot90) and a skew, invertible."""

    def __init__(self, width: int, height: int, turns: int, skew_deg: float, scale: float):
        self.width, self.height = width, height  # of the photo as detected (after scaling)
        self.turns = turns % 4
        self.skew = math.radians(skew_deg)
        self.scale = scale  # photo pixels per detected pixel
        w, h = (width, height) if self.turns % 2 == 0 else (height, width)
        self.center = (w / 2, h / 2)

    def turned(self, x: float, y: float) -> Tuple[float, float]:
        """Detected-photo point -> turned-photo point."""
        w, h = self.width, self.height
        for _ in range(self.turns):
            x, y = y, w - x
            w, h = h, w
        return x, y

    def untwist(self, x: float, y: float) -> Tuple[float, float]:
        """Turned-photo point -> upright, deskewed frame."""
        cx, cy = self.center
        c, s = math.cos(-self.skew), math.sin(-self.skew)
        dx, dy = x - cx, y - cy
        return cx + dx * c - dy * s, cy + dx * s + dy * c

    def to_photo(self, x: float, y: float) -> Tuple[float, float]:
        """Upright-frame point -> original photo pixels."""
        cx, cy = self.center
        c, s = math.cos(self.skew), math.sin(self.skew)
        dx, dy = x - cx, y - cy
        x, y = cx + dx * c - dy * s, cy + dx * s + dy * c
        w, h = (self.width, self.height) if self.turns % 2 == 0 else (self.height, self.width)
        for _ in range(self.turns):
            x, y = h - y, x  # undoes one counter-clockwise quarter turn
            w, h = h, w
        return x * self.scale, y * self.scale


def read(image: np.ndarray, scale: float = 1.0) -> Reading:
    """Read `image` (RGB array, already downscaled by 1/scale from the photo)."""
    height, width = image.shape[:2]
    raw = _ocr(image)
    turns = 0
    if _mostly_vertical(raw):
        turns = 1
        raw = _ocr(np.ascontiguousarray(np.rot90(image, 1)))
    frame = Frame(width, height, turns, 0.0, scale)
    boxes = [([frame.turned(*p) for p in box] if turns else [tuple(p) for p in box], text, score)
             for box, text, score in _detected_points(raw, frame, turns)]
    skew = _skew(boxes)
    frame = Frame(width, height, turns, skew, scale)
    lines = [_line(frame, box, text, score) for box, text, score in boxes]
    return Reading(lines, (turns * 90 + skew) % 360, frame)


def upside_down(reading: Reading) -> Reading:
    """The same reading with the frame turned half a turn more (text was already read right)."""
    f = reading.to_photo
    turns = (f.turns + 2) % 4
    frame = Frame(f.width, f.height, turns, math.degrees(f.skew), f.scale)
    lines = []
    for line in reading.lines:
        pts = [(p[0] / f.scale, p[1] / f.scale) for p in line.points]
        turned = [frame.turned(*p) for p in pts]
        lines.append(_line(frame, turned, line.text, line.score))
    return Reading(lines, (reading.angle + 180) % 360, frame)


def _ocr(image: np.ndarray):
    with _run_lock:  # one inference at a time per process; onnxruntime already uses the cores
        result, _ = _rapidocr()(image)
    return result or []


def _detected_points(raw, frame: Frame, turns: int):
    """Boxes in detected-photo coordinates (undo the np.rot90 of a sideways second read)."""
    for box, text, score in raw:
        points = [tuple(map(float, p)) for p in box]
        if turns:
            # The read ran on the turned image; map back to the detected photo first.
            w = frame.width
            points = [(w - y, x) for x, y in points]
        yield points, text, float(score)


def _mostly_vertical(raw) -> bool:
    vertical = horizontal = 0
    for box, text, _ in raw:
        (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
        along = math.hypot(x1 - x0, y1 - y0)
        across = math.hypot(x3 - x0, y3 - y0)
        weight = len(text)
        if across > along * 1.5:
            vertical += weight
        else:
            horizontal += weight
    return vertical > horizontal


def _skew(boxes) -> float:
    """Weighted median angle of the boxes' top edges, in degrees (small: ±20)."""
    angles = []
    for points, text, _ in boxes:
        (x0, y0), (x1, y1) = points[0], points[1]
        if x1 - x0 > 1 and len(text) >= 2:
            angles.extend([math.degrees(math.atan2(y1 - y0, x1 - x0))] * len(text))
    if not angles:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]


def _line(frame: Frame, points: Sequence[Tuple[float, float]], text: str, score: float) -> Line:
    upright = [frame.untwist(*p) for p in points]
    xs, ys = [p[0] for p in upright], [p[1] for p in upright]
    photo = tuple(frame.to_photo(*p) for p in upright)
    # NFKC: the recogniser sometimes answers with full-width digits and punctuation (１, ：).
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    return Line(text, score, min(xs), min(ys), max(xs), max(ys), photo)
