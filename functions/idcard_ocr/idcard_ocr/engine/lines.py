"""Step 3: the lines read, in the upright frame in which rows and columns mean what they mean
on the card; every point maps back to the photo's pixels.

Each line found upright (orient.py) is recognised with its characters' scores. Lines that read
poorly (glare) get a second recognition on a contrast-normalised crop, and the better-scored
text is kept. Boxes the detector drew over the same characters twice are trimmed (dedupe).
The last two functions recognise an area of the frame directly, for a value the detector
missed, which the fields step asks for by its place on the card.
"""

import math
import unicodedata
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from . import ocr
from .detect import READ_MAX_SIDE, runs_down, without_red
from .look_alikes import READ_AS
from .orient import Frame, Upright

RETRY_SCORE = 0.85       # lines scored below this are recognised a second time


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

    @property
    def runs_across(self) -> bool:
        """Text running down the frame rather than along it: a column, from another card of
        the photo turned a quarter turn from this one (RapidOCR reads a tall box turned)."""
        return len(self.text) >= 2 and self.height > 1.2 * self.width


@dataclass
class Reading:
    lines: List[Line]
    angle: float            # degrees the card is turned clockwise in the photo (0, 90, ..., ± skew)
    to_photo: "Frame"       # maps upright-frame points back to the photo
    image: Optional[np.ndarray] = None  # the turned, scaled text area the lines were read from
    photo: Optional[np.ndarray] = None  # the whole decoded photo (orient.Upright.photo)
    photo_scale: float = 1.0            # photo pixels per pixel of `photo`
    # Boxes whose text runs down the upright frame (another card of the photo, turned a
    # quarter from this one), not recognised: such text is no value and no anchor of a card
    # upright in this frame; it only says where other text is (read as its own area). Their
    # text is empty.
    across: List[Line] = field(default_factory=list)
    # Lines set aside as a watermark's or a seal's writing (layout.is_overlay): never a value,
    # but a value read where one lies was read through it.
    overlays: List[Line] = field(default_factory=list)


def read(upright: Upright) -> Reading:
    """The lines of the upright text area, recognised (but those running down it)."""
    down = [runs_down(quad) for quad in upright.quads]
    along = _within_budget([i for i, running_down in enumerate(down) if not running_down],
                           lambda i: _box_height(upright.quads[i]))
    if not along and not all(down):
        raise ocr.OverBudget()  # the photo's budget is spent: nothing of this area is read
    texts = ocr.recognise([upright.crops[i] for i in along], preprocess=False)
    found = [ocr.Found(upright.quads[i], t) for i, t in zip(along, texts)
             if t.score >= ocr.TEXT_SCORE]
    found = _second_look(upright.image, found)
    lines = dedupe([_line(upright.frame, f.quad, f.text) for f in found])
    across = [_line(upright.frame, quad, ocr.Text("", 0.0))
              for quad, running_down in zip(upright.quads, down) if running_down]
    return Reading(lines, upright.angle, upright.frame, upright.image, upright.photo,
                   upright.photo_scale, across)


def _within_budget(items: list, height) -> list:
    """The `items` (lines to recognise) the photo's budget lets be recognised (ocr.budget):
    all of them when it allows, else as many as are left, the tallest by `height` (a card's
    values are the largest print among the small print of a page around it), in their
    order."""
    work = ocr.work()
    if work is None or len(items) <= work.lines_left():
        return items
    work.over = True
    tallest = sorted(range(len(items)), key=lambda i: -height(items[i]))[:work.lines_left()]
    return [items[i] for i in sorted(tallest)]


def _box_height(quad: ocr.Quad) -> float:
    (x0, y0), (x3, y3) = quad[0], quad[3]
    return math.hypot(x3 - x0, y3 - y0)


AREA_TEXT_HEIGHT = 40   # px: an area looked into is sampled so its row's text is about this tall
# An area is part of the upright frame (read at most READ_MAX_SIDE) sampled at a zoom of 3 at
# most: a box beyond this, or not finite, comes of a degenerate frame and holds no line (a box
# a million pixels wide was cut out, 120 MB, then crashed the recogniser's resize).
AREA_MAX_SIDE = 3 * READ_MAX_SIDE


def recognize_area(reading: Reading,
                   box: Tuple[float, float, float, float]) -> Optional[ocr.Text]:
    """The text of an area of the upright frame (a field whose text was not detected, or not
    where the card frame expected it: a card printed with its rows a little apart from the
    layout's). Text is looked for around the area (half its height above and below): the
    lines whose centres fall in the area are recognised and joined in reading order (of an
    area with room for one line only, its row nearest the middle), only their characters
    within the area's columns. Where nothing is detected (a lone character such as 回), the
    area itself is recognised as one line."""
    x0, y0, x1, y1 = box
    pad_y, pad_x = 0.5 * (y1 - y0), 0.25 * (y1 - y0)
    zoom = min(max(AREA_TEXT_HEIGHT / (0.6 * (y1 - y0)), 1.0), 3.0)
    around = _area(reading, (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y), zoom)
    if around is not None:
        quads, crops = ocr.find_lines(around)
        # Each box in the upright frame (centre, left and right edge, height); kept when its
        # centre lies in the area (a tenth of its height of slack: a row printed a little off).
        boxes = [(x0 - pad_x + sum(p[0] for p in q) / 4 / zoom,
                  y0 - pad_y + sum(p[1] for p in q) / 4 / zoom,
                  x0 - pad_x + min(p[0] for p in q) / zoom,
                  x0 - pad_x + max(p[0] for p in q) / zoom,
                  (max(p[1] for p in q) - min(p[1] for p in q)) / zoom) for q in quads]
        slack = 0.1 * (y1 - y0)
        inside = sorted(((b, crop) for b, crop in zip(boxes, crops)
                         if x0 <= b[0] <= x1 and y0 - slack <= b[1] <= y1 + slack),
                        key=lambda item: item[0][1])
        if inside:
            # In reading order: rows (centres within half a box's height) top to bottom,
            # each left to right (an area two lines high holds a wrapped value's lines).
            rows = []
            for item in inside:
                if rows and item[0][1] - rows[-1][-1][0][1] < 0.5 * item[0][4]:
                    rows[-1].append(item)
                else:
                    rows.append([item])
            if (y1 - y0) < 2 * sorted(b[4] for b, _ in inside)[len(inside) // 2]:
                middle = (y0 + y1) / 2  # room for one line: the row nearest its middle
                rows = [min(rows, key=lambda r: abs(sum(b[1] for b, _ in r) / len(r) - middle))]
            row = [item for line in rows for item in sorted(line, key=lambda i: i[0][0])]
            texts = [_within_columns(_normalised(t), b[2], b[3], x0, x1) for (b, _), t in zip(
                row, ocr.recognise([crop for _, crop in row], preprocess=False))]
            texts = [t for t in texts if t.text and t.score >= ocr.TEXT_SCORE]
            if texts:
                scores = tuple(c for t in texts for c in t.char_scores)
                return ocr.Text("".join(t.text for t in texts),
                                min(t.score for t in texts), scores)
    return read_as_one_line(reading, box)


def read_as_one_line(reading: Reading,
                     box: Tuple[float, float, float, float]) -> Optional[ocr.Text]:
    """The area of the upright frame cut out straight and recognised as one line, without
    detection (None when it lies off the photo). Another crop of a line than the detector's
    box: what a second read of a value is made with."""
    return read_as_lines(reading, [box])[0]


def read_as_lines(reading: Reading, boxes: Sequence[Tuple[float, float, float, float]]
                  ) -> List[Optional[ocr.Text]]:
    """read_as_one_line for each box, in one call: the lines are recognised side by side
    (ocr._line_pool), each as it reads alone."""
    crops = [_area(reading, box) for box in boxes]
    texts = iter(ocr.recognise([crop for crop in crops if crop is not None]))
    return [None if crop is None else _normalised(next(texts)) for crop in crops]


def _within_columns(read: ocr.Text, left: float, right: float, x0: float,
                    x1: float) -> ocr.Text:
    """The characters of a line spanning left..right that stand within x0..x1 (characters
    taken as evenly spaced, digits and letters half as wide): a box that runs out of the area
    (a label's last character joined to the value: 名潘文) gives only what is in it."""
    breadths = [1.0 if "\u3400" <= c <= "\u9fff" else 0.55 for c in read.text]
    total = sum(breadths) or 1.0
    keep, start = [], 0.0
    for i, b in enumerate(breadths):
        centre = left + (start + b / 2) / total * (right - left)
        start += b
        if x0 <= centre <= x1:
            keep.append(i)
    if len(keep) == len(read.text):
        return read
    scores = read.char_scores if len(read.char_scores) == len(read.text) else (
        (read.score,) * len(read.text))
    return ocr.Text("".join(read.text[i] for i in keep), read.score,
                    tuple(scores[i] for i in keep))


def recognize_area_within(reading: Reading, box: Tuple[float, float, float, float],
                          alphabet: str) -> Optional[ocr.Text]:
    """recognize_area() allowed only the characters of `alphabet`."""
    crop = _area(reading, box)
    if crop is None:
        return None
    return _normalised(ocr.recognise_within(crop, alphabet))


def choose_in_area(reading: Reading, box: Tuple[float, float, float, float],
                   choices: Sequence[str], odds: float = 8.0) -> Tuple[Optional[str], float]:
    """The one of `choices` the recogniser finds in the area, by the likelihood of each choice
    under its character probabilities (CTC), when it is `odds` times likelier than any other;
    with its share of the choices' total likelihood (its confidence, 0..1).

    For values from a closed list (the 56 ethnic groups): a rare character the free reading
    gets wrong (畲 read as 鑫) can still be told apart, and an area that fits no choice clearly
    gives None. A character the model does not know is scored as what the recogniser reads it
    as, measured (look_alikes.READ_AS: 仫 is read 么, tools/look_alikes.py), the best of those
    characters in each frame; one it was never measured reading is scored as the best of any
    character (_choose: such a choice is never chosen, and no look-alike of it wins by default).
    """
    crop = _area(reading, box)
    if crop is None:
        return None, 0.0
    probs, index = ocr.probabilities(crop, padded=False)  # time x classes
    logp = np.log(np.maximum(probs, 1e-12))
    columns = dict(index)
    extra = []  # a column per character not known: its stand-ins' best, else any character's
    for c in sorted({c for choice in choices for c in choice if c not in index}):
        stand_ins = [index[r] for r in READ_AS.get(c, ()) if r in index]
        columns[c] = logp.shape[1] + len(extra)
        extra.append(logp[:, stand_ins].max(axis=1) if stand_ins else logp[:, 1:].max(axis=1))
    if extra:
        logp = np.concatenate([logp, np.stack(extra, axis=1)], axis=1)
    scored = [(_ctc_log_likelihood(logp, [columns[c] for c in choice]), choice)
              for choice in choices]
    spelled = set(index) | {c for c in READ_AS if any(r in index for r in READ_AS[c])}
    return _choose(scored, spelled, odds)


def _choose(scored: Sequence[Tuple[float, str]], known: set,
            odds: float) -> Tuple[Optional[str], float]:
    """The choice `odds` times likelier than any other that may be chosen, with its share of
    their likelihood, from (log-likelihood, choice) pairs. A choice holding a character the
    model does not know (仫佬: its 仫 scored as the best of any character, a wildcard) is
    never chosen, and it is no rival to a choice sharing none of its known characters: as a
    wildcard it fits any print about as well as what is printed there (畲 and 傈僳 lost to
    仫佬 by fitting less well than "anything, then 佬"). It still stops its look-alikes (仡佬,
    which it fits at least as well whichever of the two is printed), and any choice when it
    fits the area `odds` squared times better than that choice: something none of the known
    choices is printed there."""
    wildcards = [(logp, choice) for logp, choice in scored if not set(choice) <= known]
    rivals = sorted(((logp, choice) for logp, choice in scored if set(choice) <= known),
                    reverse=True)
    if len(scored) < 2 or not rivals:
        return None, 0.0
    best_logp, best = rivals[0]
    for logp, wildcard in wildcards:
        if set(wildcard) & set(best) or logp - best_logp >= 2 * math.log(odds):
            return None, 0.0
    if len(rivals) > 1 and best_logp - rivals[1][0] < math.log(odds):
        return None, 0.0
    # Shared with the wildcards too: a choice they fit better than is not vouched for as much.
    share = 1.0 / sum(math.exp(other - best_logp) for other, _ in scored)
    return best, share


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


def _area(reading: Reading, box: Tuple[float, float, float, float],
          zoom: float = 1.0) -> Optional[np.ndarray]:
    """The pixels of an area of the upright frame at the scale the lines were read, sampled
    along the frame's axes: on a skewed card the crop is straightened (its rows level), as the
    detector's own line crops are, rather than cut square out of the turned area. Taken from
    the whole photo when the reading has it (the area may lie outside the text area read: a
    row the quick detection missed), red ink lifted as it was for the read; else from the
    text area read. `zoom`: pixels of the crop per unit of the frame."""
    import cv2  # comes with rapidocr-onnxruntime

    f = reading.to_photo
    x0, y0, x1, y1 = box
    if not all(math.isfinite(v) for v in (*box, zoom)):
        return None
    points = ((x0, y0), (x1, y0), (x0, y1), (x1, y1))
    if reading.photo is not None:
        source = reading.photo
        corners = [tuple(v / reading.photo_scale for v in f.to_photo(x, y)) for x, y in points]
    elif reading.image is not None:
        source = reading.image
        corners = [f.twist(x, y) for x, y in points]
    else:
        return None
    height, width = source.shape[:2]
    if not any(0 <= x < width and 0 <= y < height for x, y in corners):
        return None  # the area lies off the photo
    out_w, out_h = int(round((x1 - x0) * zoom)), int(round((y1 - y0) * zoom))
    if out_w < 8 or out_h < 8 or max(out_w, out_h) > AREA_MAX_SIDE:
        return None
    # Output pixel (u, v) is the upright point (x0 + u / zoom, y0 + v / zoom): the affine map
    # through three of the area's corners.
    to_source = cv2.getAffineTransform(np.float32([(0, 0), (out_w, 0), (0, out_h)]),
                                       np.float32(corners[:3]))
    crop = cv2.warpAffine(source, to_source, (out_w, out_h),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(without_red(crop) if source is reading.photo else crop)


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
    # A page of print reads most of its lines weakly: a second look at each would spend the
    # photo's budget twice over, the card's own lines unread.
    todo = _within_budget(todo, lambda item: _box_height(found[item[0]].quad))
    # One call: recognition no longer depends on which lines share a batch (ocr.recognise).
    for (i, _), again in zip(todo, ocr.recognise([crop for _, crop in todo], classify=True)):
        if again.score > out[i].text.score and again.text:
            out[i] = ocr.Found(out[i].quad, again)
    return out


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
    chars, scores, margins, places = [], [], [], []
    aligned = len(read.char_scores) == len(read.text)
    with_margins = len(read.char_margins) == len(read.text)
    placed = len(read.char_places) == len(read.text)
    for i, c in enumerate(read.text):
        c = unicodedata.normalize("NFKC", c).replace(" ", "")
        chars.append(c)
        scores.extend([read.char_scores[i] if aligned else min(read.char_scores or (0.0,))]
                      * len(c))
        margins.extend([read.char_margins[i]] * len(c) if with_margins else [])
        places.extend([read.char_places[i]] * len(c) if placed else [])
    return ocr.Text("".join(chars), read.score, tuple(scores), tuple(margins), tuple(places))


def dedupe(lines: List[Line]) -> List[Line]:
    """Lines with the characters the detector boxed twice removed: exact repeats, a line inside
    another, and the tail of a box that runs over the next one's first characters (a label box
    reaching into its value reads a phantom character: "住址亲" + "新疆…")."""
    out: List[Line] = []
    for line in sorted(lines, key=lambda item: (round(item.cy), item.x0)):
        if any(_same_row(line, o) and o.x0 - 2 <= line.x0 and line.x1 <= o.x1 + 2
               and line.text in o.text for o in out):
            continue
        out.append(line)
    result = []
    for line in out:
        text = line.text
        for other in out:
            if other is line or not _same_row(line, other) or not line.x0 < other.x0 < line.x1 \
                    or not _same_size(line, other):
                continue
            overlap = line.x1 - other.x0
            # In characters of the box run over: boxes fit their text, so an overlap of most
            # of a character means both boxes hold it (the left one misread it, or repeated it).
            covered = int(round(overlap / (other.width / max(len(other.text), 1)) - 0.2))
            repeated = max((k for k in range(1, min(len(text), len(other.text)) + 1)
                            if text.endswith(other.text[:k])), default=0) if covered else 0
            drop = max(repeated, covered)
            if 0 < drop < len(text):
                text = text[:-drop]
        if text != line.text:
            kept = len(text) / len(line.text)
            line = Line(text, line.score, line.x0, line.y0, line.x0 + line.width * kept, line.y1,
                        line.points, line.char_scores[:len(text)])
        result.append(line)
    return result


def _same_size(a: Line, b: Line) -> bool:
    """Boxes of the same print: a box far taller (a watermark's large writing over a row)
    holds none of the row's characters, so it trims nothing."""
    return max(a.height, b.height) <= 1.7 * min(a.height, b.height)


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height)
