"""Text lines of a photo, upright: RapidOCR (PP-OCR models shipped in the wheel) plus geometry.

The model loads once per process. A photo is read in two steps:
1. *locate*: text detection alone on a small downscale (about 0.1 s) tells where the text is,
   whether the card lies sideways (the boxes' direction) and how tall its characters are;
2. *read*: the text area only, turned upright by quarter turns and scaled so characters are
   about the size the models like, goes through detection, direction classification and
   recognition once. Boxes are then deskewed into an upright frame in which rows and columns
   mean what they mean on the card, and every point maps back to the photo's pixels.
A card upside down is read right by the direction classifier; its frame is turned by
`upside_down()` once the labels' order shows it. Lines that read poorly (glare) get a second
recognition on a contrast-normalised crop, and the better-scored text is kept.
"""

import math
import unicodedata
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from . import ocr

DECODE_MAX_SIDE = 2048   # photos are decoded at most this large (JPEG: at a reduced scale)
LOCATE_MAX_SIDE = 736    # the quick text detection that finds the text and its direction
TEXT_BOX_HEIGHT = 40     # detected box height (px) the full read scales the text to
READ_MAX_SIDE = 1800     # the text area is never read larger than this
RETRY_SCORE = 0.85       # lines scored below this are recognised a second time

# server.warm_up() builds the engine through this name.
_rapidocr = ocr.load


@dataclass
class Line:
    """A text line in the upright frame: axis-aligned extent after deskewing."""

    text: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float
    points: Tuple[Tuple[float, float], ...] = ()  # the quad in the original photo's pixels
    char_scores: Tuple[float, ...] = ()  # the recogniser's score of each character of text

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Reading:
    lines: List[Line]
    angle: float            # degrees the card is turned clockwise in the photo (0, 90, ..., ± skew)
    to_photo: "Frame"       # maps upright-frame points back to the photo
    image: Optional[np.ndarray] = None  # the turned, scaled text area the lines were read from


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
class Located:
    """What the quick detection found: the text area (in the decoded image) and its direction."""

    box: Tuple[int, int, int, int]  # x0, y0, x1, y1
    sideways: bool
    zoom: float                     # factor that brings the text to TEXT_BOX_HEIGHT


def locate(image: np.ndarray) -> Optional[Located]:
    """Where the text is in `image` (RGB), from text detection on a small downscale."""
    height, width = image.shape[:2]
    ratio = min(1.0, LOCATE_MAX_SIDE / max(height, width))
    small = _resize(image, ratio)
    boxes = ocr.detect(small)
    if not boxes:
        return None
    along, across, heights = [], [], []
    vertical = horizontal = 0.0
    for box in boxes:
        (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
        a, b = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if b > a * 1.5:
            vertical += b / max(a, 1)  # weight ~ characters in the box
        elif a > b * 1.5:
            horizontal += a / max(b, 1)
        along.append(a)
        across.append(b)
    sideways = vertical > horizontal
    thickness = sorted(across if not sideways else along)
    heights = thickness[len(thickness) // 2] / ratio
    xs = [p[0] for box in boxes for p in box]
    ys = [p[1] for box in boxes for p in box]
    margin = 2.5 * heights
    x0 = max(0, int(min(xs) / ratio - margin))
    y0 = max(0, int(min(ys) / ratio - margin))
    x1 = min(width, int(max(xs) / ratio + margin))
    y1 = min(height, int(max(ys) / ratio + margin))
    zoom = TEXT_BOX_HEIGHT / max(heights, 1.0)
    zoom = min(zoom, READ_MAX_SIDE / max(x1 - x0, y1 - y0, 1), 3.0)
    return Located((x0, y0, x1, y1), sideways, max(zoom, 0.2))


def read(image: np.ndarray, scale: float = 1.0, located: Optional[Located] = None) -> Reading:
    """Read `image` (RGB array, downscaled by 1/scale from the photo), located or not."""
    if located is None:
        located = locate(image)
    if located is None:
        frame = Frame(image.shape[1], image.shape[0], 0, 0.0, scale)
        return Reading([], 0.0, frame, None)
    x0, y0, x1, y1 = located.box
    crop = _resize(image[y0:y1, x0:x1], located.zoom)
    turns = 1 if located.sideways else 0
    turned = np.ascontiguousarray(np.rot90(crop, turns)) if turns else crop
    crop_scale = scale * (x1 - x0) / crop.shape[1]
    origin = (x0 * scale, y0 * scale)
    found = _second_look(turned, ocr.read(turned))
    skew = _skew(found)
    frame = Frame(crop.shape[1], crop.shape[0], turns, skew, crop_scale, origin)
    lines = [_line(frame, f.quad, f.text) for f in found]
    return Reading(lines, (turns * 90 + skew) % 360, frame, turned)


def upside_down(reading: Reading) -> Reading:
    """The same reading with the frame turned half a turn more (text was already read right)."""
    f = reading.to_photo
    frame = Frame(f.width, f.height, f.turns + 2, math.degrees(f.skew), f.scale, f.origin)
    lines = [_line(frame, [frame.turned(*_crop_point(f, p)) for p in line.points],
                   ocr.Text(line.text, line.score, line.char_scores), normalise=False)
             for line in reading.lines]
    image = None if reading.image is None else np.ascontiguousarray(np.rot90(reading.image, 2))
    return Reading(lines, (reading.angle + 180) % 360, frame, image)


def recognize_area(reading: Reading,
                   box: Tuple[float, float, float, float]) -> Optional[ocr.Text]:
    """Recognition alone on an area of the upright frame (a field whose text was not detected)."""
    crop = _area(reading, box)
    if crop is None:
        return None
    return _normalised(ocr.recognise([crop])[0])


def choose_in_area(reading: Reading, box: Tuple[float, float, float, float],
                   choices: Sequence[str], odds: float = 8.0) -> Tuple[Optional[str], float]:
    """The one of `choices` the recogniser finds in the area, by the likelihood of each choice
    under its character probabilities (CTC), when it is `odds` times likelier than any other;
    with its share of the choices' total likelihood (its confidence, 0..1).

    For values from a closed list (the 56 ethnic groups): a rare character the free reading
    gets wrong (畲 read as 鑫) can still be told apart, and an area that fits no choice clearly
    gives None. A character the model does not know (仫) is scored as the best of any
    character: a choice holding one is never chosen, and no look-alike (仡佬) wins by default.
    """
    crop = _area(reading, box)
    if crop is None:
        return None, 0.0
    probs, index = ocr.probabilities(crop)  # time x classes
    logp = np.log(np.maximum(probs, 1e-12))
    unknown = logp.shape[1]
    logp = np.concatenate([logp, logp[:, 1:].max(axis=1, keepdims=True)], axis=1)
    scored = sorted(((_ctc_log_likelihood(logp, [index.get(c, unknown) for c in choice]), choice)
                     for choice in choices), reverse=True)
    if len(scored) < 2 or scored[0][0] - scored[1][0] < math.log(odds):
        return None, 0.0
    best_logp, best = scored[0]
    share = 1.0 / sum(math.exp(min(0.0, other - best_logp)) for other, _ in scored)
    return (best, share) if all(c in index for c in best) else (None, 0.0)


def _ctc_log_likelihood(logp: np.ndarray, label: List[int]) -> float:
    """log P(label | frames) by the CTC forward algorithm (class 0 is the blank)."""
    states = [0]
    for c in label:
        states += [c, 0]
    alpha = np.full(len(states), -np.inf)
    alpha[0], alpha[1] = logp[0, 0], logp[0, states[1]]
    for t in range(1, logp.shape[0]):
        previous = alpha.copy()
        for s, c in enumerate(states):
            total = previous[s]
            if s >= 1:
                total = np.logaddexp(total, previous[s - 1])
            if s >= 2 and c != 0 and c != states[s - 2]:
                total = np.logaddexp(total, previous[s - 2])
            alpha[s] = total + logp[t, c]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def _area(reading: Reading, box: Tuple[float, float, float, float]) -> Optional[np.ndarray]:
    """The pixels of an area of the upright frame, from the text area that was read."""
    if reading.image is None:
        return None
    f = reading.to_photo
    x0, y0, x1, y1 = box
    corners = [f.twist(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    height, width = reading.image.shape[:2]
    left = max(0, int(min(p[0] for p in corners)))
    top = max(0, int(min(p[1] for p in corners)))
    right = min(width, int(max(p[0] for p in corners)))
    bottom = min(height, int(max(p[1] for p in corners)))
    if right - left < 8 or bottom - top < 8:
        return None
    return np.ascontiguousarray(reading.image[top:bottom, left:right])


def _crop_point(frame: Frame, p: Tuple[float, float]) -> Tuple[float, float]:
    return (p[0] - frame.origin[0]) / frame.scale, (p[1] - frame.origin[1]) / frame.scale


def _second_look(image: np.ndarray, found: List[ocr.Found]) -> List[ocr.Found]:
    """Lines read with a low score, recognised again after contrast normalisation (glare)."""
    weak = [i for i, f in enumerate(found) if f.text.score < RETRY_SCORE]
    if not weak:
        return found
    import cv2  # comes with rapidocr-onnxruntime

    todo = []
    for i in weak:
        points = np.array(found[i].quad, dtype=np.float32)
        x0, y0 = np.maximum(points.min(axis=0).astype(int), 0)
        x1, y1 = points.max(axis=0).astype(int)
        crop = image[y0:y1 + 1, x0:x1 + 1]
        if crop.size == 0 or crop.shape[0] < 8:
            continue
        grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        grey = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(1, 8)).apply(grey)
        todo.append((i, np.ascontiguousarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB))))
    out = list(found)
    for (i, _), again in zip(todo, [ocr.recognise([crop], classify=True)[0] for _, crop in todo]):
        if again.score > out[i].text.score and again.text:
            out[i] = ocr.Found(out[i].quad, again)
    return out


def _resize(image: np.ndarray, ratio: float) -> np.ndarray:
    if abs(ratio - 1.0) < 0.02:
        return image
    import cv2  # comes with rapidocr-onnxruntime

    height, width = image.shape[:2]
    size = (max(1, int(round(width * ratio))), max(1, int(round(height * ratio))))
    interpolation = cv2.INTER_AREA if ratio < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation)


def _skew(found: List[ocr.Found]) -> float:
    """Weighted median angle of the boxes' top edges, in degrees (small: ±20)."""
    angles = []
    for f in found:
        (x0, y0), (x1, y1), text = f.quad[0], f.quad[1], f.text.text
        if x1 - x0 > 1 and len(text) >= 2:
            angles.extend([math.degrees(math.atan2(y1 - y0, x1 - x0))] * len(text))
    if not angles:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]


def _line(frame: Frame, points: Sequence[Tuple[float, float]], read: ocr.Text,
          normalise: bool = True) -> Line:
    """A line from its quad in turned-crop pixels."""
    upright = [frame.untwist(*p) for p in points]
    xs, ys = [p[0] for p in upright], [p[1] for p in upright]
    photo = tuple(frame.to_photo(*p) for p in upright)
    if normalise:
        read = _normalised(read)
    return Line(read.text, read.score, min(xs), min(ys), max(xs), max(ys), photo,
                read.char_scores)


def _normalised(read: ocr.Text) -> ocr.Text:
    """NFKC (the recogniser sometimes answers with full-width digits and punctuation: １, ：)
    without spaces, each remaining character keeping its score. NFKC maps each of these
    characters to one character, so scores stay aligned; where it does not, the line's
    characters all get its weakest score."""
    chars, scores = [], []
    aligned = len(read.char_scores) == len(read.text)
    for i, c in enumerate(read.text):
        c = unicodedata.normalize("NFKC", c).replace(" ", "")
        chars.append(c)
        scores.extend([read.char_scores[i] if aligned else min(read.char_scores or (0.0,))]
                      * len(c))
    return ocr.Text("".join(chars), read.score, tuple(scores))
