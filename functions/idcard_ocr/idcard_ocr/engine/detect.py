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
# Any side of a card shows four rows of text at least, even detected with labels and values
# joined (the back: its two title lines, the authority, the validity), and a line of its text
# is never thicker than 6 % of the photo's longer side (the card must fit in the photo: a
# value line is about 4.5 % of the card's width). A quick location that finds fewer boxes, or
# boxes that thick (a blob where a small card lies, its characters a few pixels tall on the
# downscale and lost in low light or blur), looks again, larger.
CARD_MIN_ROWS = 4
CARD_LINE_MAX = 0.06
LOCATE_AGAIN_SIDE = 1280
TEXT_BOX_HEIGHT = 40     # detected box height (px) the full read scales the text to
READ_MAX_SIDE = 1800     # the text area is never read larger than this
RED_MARGIN = 40          # red channel above green and blue by this much: red ink (a seal)


@dataclass
class Located:
    """What the quick detection found: the text area (in the decoded image) and its direction."""

    box: Tuple[int, int, int, int]  # x0, y0, x1, y1
    sideways: bool
    zoom: float                     # factor that brings the text to TEXT_BOX_HEIGHT


def locate(image: np.ndarray) -> Optional[Located]:
    """Where the text is in `image` (RGB), from text detection on a small downscale; on a
    larger one when the small one found no card's text (CARD_MIN_ROWS, CARD_LINE_MAX): an
    ordinary photo costs one small detection."""
    height, width = image.shape[:2]
    ratios = sorted({min(1.0, side / max(height, width))
                     for side in (LOCATE_MAX_SIDE, LOCATE_AGAIN_SIDE)})
    for ratio in ratios:
        found = [[(x / ratio, y / ratio) for x, y in box] for box in ocr.detect(resize(image, ratio))]
        boxes = without_tiled_watermark(found, width, height)
        located = around(image, boxes)
        # Beside a tiled watermark the cards' text is small, and on the small downscale its
        # rows run together into blobs too thick to measure it by: looked at larger too.
        if located is not None and len(boxes) >= CARD_MIN_ROWS and len(boxes) == len(found) \
                and TEXT_BOX_HEIGHT / located.zoom <= CARD_LINE_MAX * max(height, width):
            break
    return located


# A photo whose lightest hundredth is darker than this (of 255) was taken in the dark: a
# card's white paper is the lightest thing on an ordinary photo (188-248 on the first 15 plain
# faces of rover, drifter and nomad, 171-246 on their hard photos). nomad's hard photos in a
# dark room stood at 92 and 100, and lost their card whole (only a back's title block read on
# #4014, nothing on #4029).
DARK_WHITE = 128


def _hundredths(image: np.ndarray):
    """The photo's darkest and lightest hundredths (its grey, sampled every fourth pixel), or
    None for a photo without pixels: what dark, stretchable and brightened each read."""
    grey = image[::4, ::4].mean(axis=2)
    return np.percentile(grey, (1, 99)) if grey.size else None


def dark(image: np.ndarray) -> bool:
    """Whether the photo's lightest hundredth (_hundredths) is under DARK_WHITE."""
    hundredths = _hundredths(image)
    return hundredths is not None and float(hundredths[1]) < DARK_WHITE


# A dark photo whose darkest and lightest hundredths lie closer than this (of 255) holds
# nothing a stretch can bring out (a black frame, a lens cap, one dark grey): stretched, it is
# its noise made loud, and is not read again. nomad's dark hard photos #4014 and #4029
# spanned 80 and 78 (12-92, 22-100).
DARK_MIN_SPAN = 12


def stretchable(image: np.ndarray) -> bool:
    """Whether stretching the photo's contrast (brightened) can show anything: its darkest
    and lightest hundredths (_hundredths) DARK_MIN_SPAN or more apart."""
    hundredths = _hundredths(image)
    return hundredths is not None and float(hundredths[1] - hundredths[0]) >= DARK_MIN_SPAN


def brightened(image: np.ndarray) -> np.ndarray:
    """The photo with its contrast stretched: its darkest hundredth to black, its lightest to
    white, every channel alike (the colours' balance kept)."""
    low, high = _hundredths(image)
    gain = 255.0 / max(high - low, 1.0)
    return np.clip((image.astype(np.float32) - low) * gain, 0, 255).astype(np.uint8)


# A card covers at most this share of a photo of an A4 sheet (85.6 x 54 mm of 210 x 297 mm
# is 7.4 %, less when the page is photographed with the table around it): a card found that
# small may have the other side of the sheet beside it, too small for the quick location.
SHEET_CARD_SHARE = 0.1


def locate_beside(image: np.ndarray, card) -> Optional[Located]:
    """Text outside the polygon `card` (image pixels: a card already read), from detection on
    the larger downscale (LOCATE_AGAIN_SIDE), when it holds CARD_MIN_ROWS boxes at least; for
    a small card (a sheet's), where the quick location may have seen only one card: the other,
    darker or turned, has characters of 2 to 3 px on its 736 px downscale."""
    import cv2  # comes with rapidocr-onnxruntime

    height, width = image.shape[:2]
    ratio = min(1.0, LOCATE_AGAIN_SIDE / max(height, width))
    boxes = [[(x / ratio, y / ratio) for x, y in box]
             for box in ocr.detect(resize(image, ratio))]
    outline = np.float32(card).reshape(-1, 1, 2)
    # A box centred on the card's outline is the card's own (negative: strictly outside).
    outside = [box for box in without_tiled_watermark(boxes, width, height)
               if cv2.pointPolygonTest(outline, _centre(box), False) < 0]
    return around(image, outside) if len(outside) >= CARD_MIN_ROWS else None


# What tells a copy's page from the desk a lone card lies on: on an A4 page (2.5 cards wide,
# 5.5 high) the card has paper on every side, and paper is neutral and about as light as
# anything in the photo. A desk, a hand or a mat is coloured, dark or both. Measured on a ring
# around the card (the card grown by PAPER_RING about its centre: a quarter of the card's size
# each side, less than a copy leaves), on a downscale of about PAPER_SAMPLE_SIDE px; a white
# table passes too, which costs only the look.
PAPER_RING = 1.5
PAPER_SAMPLE_SIDE = 512
PAPER_MAX_CHROMA = 40      # the largest channel above the smallest by at most this: neutral
PAPER_MIN_LIGHT = 0.7      # of the photo's white (its 98th percentile of grey)
PAPER_MIN_SHARE = 0.5      # of the ring's pixels (within the photo) that look like paper


def on_paper(image: np.ndarray, card) -> bool:
    """Whether the polygon `card` (image pixels) lies on paper (PAPER_*): a copy's page, where
    the sheet's other card may be."""
    import cv2  # comes with rapidocr-onnxruntime

    step = max(1, int(max(image.shape[:2]) / PAPER_SAMPLE_SIDE))
    small = image[::step, ::step]
    inner = np.float32(card) / step
    centre = inner.mean(axis=0)
    outer = centre + (inner - centre) * PAPER_RING
    ring = np.zeros(small.shape[:2], np.uint8)
    cv2.fillPoly(ring, [np.round(outer).astype(np.int32)], 1)
    cv2.fillPoly(ring, [np.round(inner).astype(np.int32)], 0)
    pixels = small[ring.astype(bool)].astype(np.float32)
    if not len(pixels):
        return False
    return _paper_share(small, pixels) >= PAPER_MIN_SHARE


def is_page(image: np.ndarray) -> bool:
    """Whether most of the photo (PAPER_MIN_SHARE of it) looks like paper (PAPER_*): a copy's
    page scanned or photographed close, rather than a card on a desk, a hand or a mat."""
    step = max(1, int(max(image.shape[:2]) / PAPER_SAMPLE_SIDE))
    small = image[::step, ::step]
    return _paper_share(small, small.reshape(-1, small.shape[2]).astype(np.float32)) >= \
        PAPER_MIN_SHARE


def _paper_share(small: np.ndarray, pixels: np.ndarray) -> float:
    """The share of `pixels` (of the photo `small`) that look like paper."""
    # Neutral as the photo's own white is (its 98th percentile in each channel): under a lamp
    # the camera did not balance, a page is as yellow as the photo's white, and paper still.
    white = np.maximum(np.percentile(small.reshape(-1, small.shape[2]), 98, axis=0), 1.0)
    balanced = pixels * (white.mean() / white)
    chroma = balanced.max(axis=1) - balanced.min(axis=1)
    paper = (chroma <= PAPER_MAX_CHROMA) & (balanced.mean(axis=1) >= PAPER_MIN_LIGHT * white.mean())
    return float(paper.mean())


def card_share(image: np.ndarray, card) -> float:
    """The share of the image a polygon (image pixels) covers."""
    doubled = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(card, card[1:] + card[:1]))
    return abs(doubled) / 2 / max(image.shape[0] * image.shape[1], 1)


def around(image: np.ndarray, quads) -> Optional[Located]:
    """The area of `image` holding the text boxes `quads` (image pixels), the direction they
    run and the zoom that brings their characters to the size the models like."""
    if not quads:
        return None
    height, width = image.shape[:2]
    along, across = zip(*map(_sides, quads))
    sideways = runs_sideways(quads)
    thickness = sorted(across if not sideways else along)
    heights = thickness[len(thickness) // 2]
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


# A watermark tiled across a copy's page ("仅供…使用" repeated at a slant, as copy shops and
# phone apps print it) is written larger than a card's text, at a slant of its own, all over
# the page: its boxes outnumber the cards' and set the thickness (the cards read about 10 px
# tall, nothing found), the direction and the slant. Such boxes are left out of the location
# when they share one slant (within WATERMARK_SLANT_SPREAD degrees) at least
# WATERMARK_SLANT_APART from the other boxes', span most of the photo (WATERMARK_SPAN of its
# width and height: a card's own rows never do on a page, and one photographed close shares
# their slant), are thicker than the rest (WATERMARK_THICKER), leave a card's rows and hold
# most of them within their extent. The cards' areas are still read with the watermark's
# writing over them (layout.split_overlays).
WATERMARK_MIN_BOXES = 6
WATERMARK_SLANT_SPREAD = 5.0
WATERMARK_SLANT_APART = 10.0
WATERMARK_SPAN = 0.6
WATERMARK_THICKER = 1.3


def without_tiled_watermark(quads, width: int, height: int):
    """`quads` without the boxes of a watermark tiled across the photo (WATERMARK_*)."""
    return [q for q, tiled in zip(quads, tiled_watermark(quads, width, height)) if not tiled]


def tiled_watermark(quads, width: int, height: int) -> List[bool]:
    """For each of `quads`, whether it is a box of a watermark tiled across the photo
    (WATERMARK_*); all False when there is none."""
    best = [False] * len(quads)
    if len(quads) < WATERMARK_MIN_BOXES + CARD_MIN_ROWS:
        return best
    slants = [_slant(quad) for quad in quads]
    for centre in sorted(set(round(s) for s in slants)):
        tiled = [abs(s - centre) <= WATERMARK_SLANT_SPREAD for s in slants]
        if _tiled(quads, tiled, centre, width, height) and sum(tiled) > sum(best):
            best = tiled
    return best


def _tiled(quads, tiled, slant: float, width: int, height: int) -> bool:
    """Whether the boxes `tiled` (flags), of one `slant`, are a watermark tiled across the
    photo beside the other boxes (WATERMARK_*)."""
    marks = [q for q, t in zip(quads, tiled) if t]
    rest = [q for q, t in zip(quads, tiled) if not t]
    if len(marks) < WATERMARK_MIN_BOXES or len(rest) < CARD_MIN_ROWS:
        return False
    if abs(_median([_slant(q) for q in rest]) - slant) < WATERMARK_SLANT_APART:
        return False
    xs = [x for quad in marks for x, _ in quad]
    ys = [y for quad in marks for _, y in quad]
    if max(xs) - min(xs) < WATERMARK_SPAN * width or max(ys) - min(ys) < WATERMARK_SPAN * height:
        return False
    # A watermark tiled over a page lies over the cards: most of their rows stand within its
    # extent. Rows beyond it are a page's print around a card held close and turned over it,
    # whose own rows (thicker, turned apart, across most of the frame) are no watermark.
    inside = [min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys)
              for x, y in map(_centre, rest)]
    if 2 * sum(inside) < len(inside):
        return False
    return _median([_thickness(q) for q in marks]) >= \
        WATERMARK_THICKER * _median([_thickness(q) for q in rest])


def _slant(box) -> float:
    """Degrees the box's edge nearer the image's width leans off it (-45..45): a line's slant,
    whichever way its text runs."""
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    along, _ = _sides(box)
    dx, dy = (x1 - x0, y1 - y0) if math.isclose(along, math.hypot(x1 - x0, y1 - y0)) \
        else (x3 - x0, y3 - y0)
    angle = math.degrees(math.atan2(dy, dx))
    return (angle + 45) % 90 - 45


def _centre(box) -> Tuple[float, float]:
    return sum(x for x, _ in box) / len(box), sum(y for _, y in box) / len(box)


def _thickness(box) -> float:
    """How thick a box's line of text is, whichever way it runs."""
    along, across = _sides(box)
    return along if runs_down(box) else across


def _median(values) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def runs_sideways(quads) -> bool:
    """Whether most of the text in the boxes `quads` runs down the image rather than across
    it (the boxes' lengths weighted by the characters they hold, about length over height):
    the text stands a quarter turn from upright."""
    vertical = horizontal = 0.0
    for box in quads:
        along, across = _sides(box)
        if runs_down(box):
            vertical += across / max(along, 1)  # weight ~ characters in the box
        elif along > across * 1.5:
            horizontal += along / max(across, 1)
    return vertical > horizontal


def runs_down(box) -> bool:
    """A box much taller than wide: its text runs down the image (RapidOCR turns such a line
    a quarter turn to read it)."""
    along, across = _sides(box)
    return across > along * 1.5


def _sides(box) -> Tuple[float, float]:
    """A box's edge nearer the image's width, then its edge nearer the image's height. Not
    its first and its last edge: the detector orders a box's corners by x, so a box leaning
    more than a few degrees off upright (a card turned a quarter with skew) starts with its
    long edge, and text running down the image was taken for text across it."""
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    first, last = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
    if abs(x1 - x0) * last >= abs(x3 - x0) * first:  # the first edge is the flatter one
        return first, last
    return last, first


def resize(image: np.ndarray, ratio: float) -> np.ndarray:
    if abs(ratio - 1.0) < 0.02:
        return image
    import cv2  # comes with rapidocr-onnxruntime

    height, width = image.shape[:2]
    size = (max(1, int(round(width * ratio))), max(1, int(round(height * ratio))))
    interpolation = cv2.INTER_AREA if ratio < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation)


# A fax or a black-and-white copy made by dithering draws grey as scattered black dots: a card's
# portrait, guilloche and letters turn to dots a pixel wide, which the recogniser reads badly
# (rover's faxed sheets at 150 dpi: the face found and every field wrong, or not found). Such a
# photo is told by its dots: pixels darker or lighter than both neighbours along a row by
# DITHER_STEP, over DITHER_SHARE of its dark pixels (faxes 0.35-0.54; scans, copies, inkjet and
# document-feeder pages, photos of cards and screens at most 0.22) and DITHER_MIN of all its
# pixels (not a few specks on a blank page). It is then smoothed (DITHER_BLUR px) to the greys
# the dots stand for before anything is read; any other photo is read as it is.
DITHER_STEP = 50
DITHER_SHARE = 0.3
DITHER_MIN = 0.002
DITHER_BLUR = 1.6


def dithered(image: np.ndarray) -> bool:
    """Whether `image` (RGB) draws its greys with dots a pixel wide (DITHER_*): every other
    row of its green channel is looked at."""
    grey = image[::2, :, 1].astype(np.int16)
    centre, left, right = grey[:, 1:-1], grey[:, :-2], grey[:, 2:]
    dots = np.count_nonzero(
        ((centre - left > DITHER_STEP) & (centre - right > DITHER_STEP))
        | ((left - centre > DITHER_STEP) & (right - centre > DITHER_STEP)))
    dark = np.count_nonzero(grey < 128)
    return dots >= DITHER_MIN * grey.size and dots >= DITHER_SHARE * max(dark, 1)


def without_dither(image: np.ndarray) -> np.ndarray:
    """The image smoothed to its greys when it is dithered (a fax: DITHER_*), else itself."""
    if not dithered(image):
        return image
    import cv2  # comes with rapidocr-onnxruntime

    return cv2.GaussianBlur(image, (0, 0), DITHER_BLUR)


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
