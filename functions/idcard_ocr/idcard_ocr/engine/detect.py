"""Step 1 of reading a photo: where its text is (engine/__init__.py runs the steps in order:
detect -> orient -> lines -> layout -> fields; each uses only the steps before it).

Text detection alone on a small downscale (about 0.1 s) tells where the text is, whether it
runs sideways (the boxes' direction) and how tall its characters are, so the next step reads
only the text area, at the size the models like.
"""

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from . import ocr

DECODE_MAX_SIDE = 2048   # photos are decoded at most this large (JPEG: at a reduced scale)
LOCATE_MAX_SIDE = 736    # the quick text detection that finds the text and its direction
TEXT_BOX_HEIGHT = 40     # detected box height (px) the full read scales the text to
READ_MAX_SIDE = 1800     # the text area is never read larger than this
CARD_SPAN = 25          # text spanning more text heights than this is more than one card
CARD_GAP = 1.5          # text heights of empty band between two cards at least (a row gap is less)
MAX_CARDS = 3           # text areas a photo is split into at most
MIN_CHARS = 6           # a group of boxes holding fewer characters is not a card
RED_MARGIN = 40          # red channel above green and blue by this much: red ink (a seal)


@dataclass
class Located:
    """What the quick detection found: the text area (in the decoded image) and its direction."""

    box: Tuple[int, int, int, int]  # x0, y0, x1, y1
    sideways: bool
    zoom: float                     # factor that brings the text to TEXT_BOX_HEIGHT


def locate(image: np.ndarray) -> List[Located]:
    """Where the text of each card in `image` (RGB) is, from text detection on a small
    downscale: one area for a card, one per card on a sheet, largest first."""
    height, width = image.shape[:2]
    ratio = min(1.0, LOCATE_MAX_SIDE / max(height, width))
    boxes = ocr.detect(resize(image, ratio))
    quads = [[(x / ratio, y / ratio) for x, y in box] for box in boxes]
    areas = [around(image, part) for part in cards(quads)]
    return [area for area in areas if area is not None]


def cards(quads) -> List[list]:
    """The text boxes split into one group per card, largest first (by characters).

    Text spanning more than a card's can (CARD_SPAN text heights: a card's text spans at most
    about 22, 24 skewed by 15 degrees) is more than one card: it is cut at the widest empty
    band across it (at least a text height wide), and each part again. Each card of a sheet is
    then read on its own: turned its own way, at its own text's size, and no larger than
    itself. Groups holding fewer than MIN_CHARS characters are noise, not a card.
    """
    parts = [list(quads)] if quads else []
    height = text_height(quads) if quads else 1.0
    out = []
    while parts:
        part = parts.pop()
        halves = _cut(part, height) if len(out) + len(parts) < MAX_CARDS else None
        if halves is None:
            out.append(part)
        else:
            parts += halves
    out = [part for part in out if _characters(part) >= MIN_CHARS] or out
    return sorted(out, key=_characters, reverse=True)


def _cut(quads, height: float):
    """Two groups of boxes either side of the widest empty band across the longer extent of
    `quads`, or None when they span no more than one card or no band divides them."""
    xs = [(min(p[0] for p in q), max(p[0] for p in q)) for q in quads]
    ys = [(min(p[1] for p in q), max(p[1] for p in q)) for q in quads]
    spans = [max(b for _, b in xs) - min(a for a, _ in xs),
             max(b for _, b in ys) - min(a for a, _ in ys)]
    if max(spans) <= CARD_SPAN * height:
        return None
    best = None  # (gap, axis, cut)
    for axis, extents in ((0, xs), (1, ys)):
        reach = None
        for start, end in sorted(extents):
            if reach is not None and start - reach > (best[0] if best else 0.0):
                best = (start - reach, axis, (start + reach) / 2)
            reach = end if reach is None else max(reach, end)
    if best is None or best[0] < CARD_GAP * height:
        return None
    _, axis, cut = best
    extents = xs if axis == 0 else ys
    before = [q for q, (a, b) in zip(quads, extents) if b <= cut]
    return [before, [q for q, (a, b) in zip(quads, extents) if b > cut]]


def _characters(quads) -> float:
    """About how many characters the boxes hold (each box's length over its height)."""
    total = 0.0
    for box in quads:
        a, b = _sides(box)
        total += max(a, b) / max(min(a, b), 1.0)
    return total


def _sides(box) -> Tuple[float, float]:
    """A box's first edge and its second (along and across its text, when it runs as drawn)."""
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)


def text_height(quads) -> float:
    """The text's height: the median thickness of the boxes that hold a row of characters,
    whichever way the row runs (on a sheet whose cards are turned apart, the other card's
    rows run across this one's); of all boxes when none does."""
    rows, squares = [], []
    for box in quads:
        a, b = _sides(box)
        (rows if max(a, b) > 1.5 * min(a, b) else squares).append(min(a, b))
    thickness = sorted(rows or squares)
    return thickness[len(thickness) // 2]


def around(image: np.ndarray, quads) -> Optional[Located]:
    """The area of `image` holding the text boxes `quads` (image pixels), the direction they
    run and the zoom that brings their characters to the size the models like."""
    if not quads:
        return None
    height, width = image.shape[:2]
    vertical = horizontal = 0.0
    for box in quads:
        a, b = _sides(box)
        if b > a * 1.5:
            vertical += b / max(a, 1)  # weight ~ characters in the box
        elif a > b * 1.5:
            horizontal += a / max(b, 1)
    sideways = vertical > horizontal
    heights = text_height(quads)
    xs = [p[0] for box in quads for p in box]
    ys = [p[1] for box in quads for p in box]
    margin = 2.5 * heights
    x0 = max(0, int(min(xs) - margin))
    y0 = max(0, int(min(ys) - margin))
    x1 = min(width, int(max(xs) + margin))
    y1 = min(height, int(max(ys) + margin))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    zoom = TEXT_BOX_HEIGHT / max(heights, 1.0)
    zoom = min(zoom, READ_MAX_SIDE / max(x1 - x0, y1 - y0, 1), 3.0)
    return Located((x0, y0, x1, y1), sideways, max(zoom, 0.2))


def resize(image: np.ndarray, ratio: float) -> np.ndarray:
    if abs(ratio - 1.0) < 0.02:
        return image
    import cv2  # comes with rapidocr-onnxruntime

    height, width = image.shape[:2]
    size = (max(1, int(round(width * ratio))), max(1, int(round(height * ratio))))
    interpolation = cv2.INTER_AREA if ratio < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation)


def without_red(image: np.ndarray) -> np.ndarray:
    """The image with red ink lifted to the paper's lightness: a pixel clearly redder than it
    is green or blue (a seal, a red watermark, the emblem's disc) takes its red channel's value
    in all three, so it reads as light grey. Black text printed or stamped over stays dark,
    blue labels and the card's pale print are not red enough to change, and nothing red is
    ever read as text."""
    import cv2  # comes with rapidocr-onnxruntime; saturating uint8 arithmetic, no copies

    red, green, blue = cv2.split(image)
    mask = (cv2.subtract(red, cv2.max(green, blue)) > RED_MARGIN) & (red > 100)
    if not mask.any():
        return image
    out = image.copy()
    out[mask] = red[mask][:, None]
    return out
