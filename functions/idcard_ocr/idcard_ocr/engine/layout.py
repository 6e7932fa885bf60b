"""The card's known layout, and where a card lies among the lines read (its frame).

Card units are tenths of a millimetre on the 85.6 x 54 mm card (856 x 540). Anchors are
what can be recognised for sure: the printed labels, the title block on the back, and the
citizen number's 18 characters. Each anchor read gives a point of the card in the upright
frame; a card frame (scale and offset) is fitted to all of a side's anchors, outliers
dropped, so values can be placed by their position on the card even when their own label
went unread, and each card of an A4 sheet is told apart from the other.
"""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..card import idnumber
from .lines import Line

CARD = (856, 540)
PORTRAIT = (560, 66, 812, 392)  # x0, y0, x1, y1 on the face
# Labels as printed, the shorter forms the recogniser gives when a character is lost, and
# where each label's left edge and vertical centre stand on the card.
FACE_LABELS = {
    "name": ("姓名", (), (52, 72)),
    "sex": ("性别", (), (52, 134)),
    "nation": ("民族", (), (250, 134)),
    "birth": ("出生", (), (52, 196)),
    "address": ("住址", (), (52, 258)),
    "num": ("公民身份号码", ("公民身份号", "身份号码", "公民身份"), (52, 462)),
}
BACK_LABELS = {
    "country": ("中华人民共和国", ("人民共和国", "华人民共和"), (250, 88)),
    "title": ("居民身份证", ("民身份证", "居民身份"), (250, 185)),
    "issue": ("签发机关", ("签发机", "发机关"), (168, 410)),
    "valid": ("有效期限", ("有效期", "效期限"), (168, 470)),
}
# What copies get printed or stamped over them ("复印无效", "仅限办理社保使用", "他用无效",
# "样本", the certifying "与原件一致"): a line holding any of these words is a watermark or a
# seal, never a field's value. None of them occurs in a name, an address or an authority.
# The verbs of "仅限办理…" and "仅用于…" stand alone too: the first character of such
# writing is often lost where it crosses the card's print (限办理人学报名).
OVERLAY_WORDS = ("复印", "无效", "仅限", "仅供", "他用", "使用", "样本", "样张", "专用", "原件",
                 "办理", "用于")
NUMBER_AT = (298, 455)           # the citizen number's left edge and centre
# The printed birth date says what it is (1990年3月7日) wherever it stands: it anchors the
# birth row when its label went unread, so a card whose labels were all lost (a small card on
# a sheet) still has anchors on two rows, and its scale comes from their spacing rather than
# from the height of its text (boxes pad small print: the height misleads there). Its 年 or
# 日 may be lost on such a card (194312月2日): the line still says where the birth row is, though
# the date is then not taken from it (fields.birth_date wants it whole).
BIRTH_VALUE_AT = (140, 196)      # its left edge (the value column) and centre
_BIRTH_VALUE = re.compile(r"^[:：]?\d{4}年?\d{1,2}月\d{1,2}日?$")
# The back's validity (2014.05.21-2024.05.21, or -长期) says what it is too: on a back whose
# title block went unread under a watermark, turned and with glare, it and one label still
# place the card. Its left edge stands 145-155 units right of its label's on the cards read
# (the fixtures' clean and real backs); read from its start date and dash, its end may be cut.
VALIDITY_AT = (318, 470)
_VALIDITY = re.compile(r"^\d{4}[.,]\d{2}[.,]\d{2}[-—~]")
VALUE_HEIGHT = 40                # a value line's detected box height, in card units
_NUMBER_LIKE = re.compile(r"[0-9OoIlZSBDQ|]{17}[0-9Xx×]")


@dataclass
class Anchor:
    key: str
    card: Tuple[float, float]    # (x, y) on the card
    seen: Tuple[float, float]    # (x, y) in the upright frame
    line: Line


@dataclass
class CardFrame:
    """card point (X, Y) -> upright frame (tx + s X, ty + s Y)."""

    side: str
    scale: float
    tx: float
    ty: float
    anchors: List[Anchor]
    # The anchors stand in one row only (the number alone, say): the scale was taken from the
    # text's height, not from the anchors' spacing, so rows away from them are placed loosely.
    one_row: bool = False

    def to_card(self, x: float, y: float) -> Tuple[float, float]:
        return (x - self.tx) / self.scale, (y - self.ty) / self.scale

    def to_frame(self, x: float, y: float) -> Tuple[float, float]:
        return self.tx + self.scale * x, self.ty + self.scale * y

    def contains(self, line: Line, margin: float = 40) -> bool:
        x, y = self.to_card(line.cx, line.cy)
        return -margin <= x <= CARD[0] + margin and -margin <= y <= CARD[1] + margin

    def corners(self) -> List[Tuple[float, float]]:
        """Top-left, bottom-left, bottom-right, top-right, in the upright frame."""
        w, h = CARD
        return [self.to_frame(0, 0), self.to_frame(0, h), self.to_frame(w, h), self.to_frame(w, 0)]


def label_at(text: str, labels: Dict[str, tuple]) -> List[Tuple[str, int, int]]:
    """(key, start, end) of every label in text, full forms before short ones."""
    found, taken = [], []
    for key, (full, short, _) in labels.items():
        for form in (full,) + short:
            start = text.find(form)
            if start >= 0 and not any(a < start + len(form) and start < b for a, b in taken):
                found.append((key, start, start + len(form)))
                taken.append((start, start + len(form)))
                break
    return sorted(found, key=lambda item: item[1])


def number_like(text: str) -> Optional[str]:
    """The 18 characters of a citizen number in `text` (letters OCR confuses with digits
    allowed), or None."""
    compact = re.sub(r"\s", "", text)
    for label in ("公民身份号码", "公民身份号", "身份号码", "号码"):
        compact = compact.split(label)[-1]
    match = _NUMBER_LIKE.search(compact)
    if not match or sum(c.isdigit() for c in match.group(0)) < 14:
        return None
    return match.group(0)


def anchors(lines: List[Line], side: str) -> List[Anchor]:
    labels = FACE_LABELS if side == "face" else BACK_LABELS
    found = []
    for line in lines:
        if line.runs_across:
            continue
        for key, start, end in label_at(line.text, labels):
            x = line.x0 + line.width * start / max(len(line.text), 1)
            found.append(Anchor(key, labels[key][2], (x, line.cy), line))
        if side == "face" and number_like(line.text) and not label_at(line.text, FACE_LABELS):
            found.append(Anchor("number", NUMBER_AT, (_number_start(line), line.cy), line))
        if side == "face" and _BIRTH_VALUE.match(line.text):
            found.append(Anchor("birth_value", BIRTH_VALUE_AT, (line.x0, line.cy), line))
        if side == "back" and _VALIDITY.match(line.text):
            found.append(Anchor("validity", VALIDITY_AT, (line.x0, line.cy), line))
    return found


def fit(found: List[Anchor], side: str, lines: List[Line]) -> Optional[CardFrame]:
    """The card frame that best places the anchors (None without any)."""
    if not found:
        return None
    anchors_left = one_card(found)
    for _ in range(3):
        frame = _solve(anchors_left, side, lines)
        if frame is None or len(anchors_left) <= 2:
            return frame
        worst = max(anchors_left, key=lambda a: _residual(frame, a))
        if _residual(frame, worst) <= 45:
            return frame
        anchors_left.remove(worst)
    return _solve(anchors_left, side, lines)


# A copy may hold the same side twice (a two-up page: face and back, then both again, a copy
# often laid the other way round). One frame fitted to both cards' anchors lands between them,
# and an upside-down copy's anchors (its rows read in reverse order) make its scale negative:
# the side was lost whole though one card of it was read cleanly. Two anchors on different
# rows fix a frame (the scale from their spacing); the frame that places most anchors within
# a line's height of where they were seen is one card. Agreement is measured in the photo's
# pixels, not card units: a frame spanning two cards has a scale several times a card's, and
# in its units the anchors of both would agree. When some anchor lies beyond ANOTHER_CARD of
# that card's edges, only the anchors on the card (within ON_CARD of its edges: a layout
# printed a little off GB 19584's still counts) are fitted; a single card is fitted as before.
ANOTHER_CARD = 200
ON_CARD = 100
ROW_APART = 60
# Every pair tried against every anchor costs the cube of their number: a page printed with
# labels over and over (a register, or a photo made to stall the engine) gave 300 anchors,
# 5 s of CPU, and one read area can give 1,500. Four copies of a card hold about 32; a page
# with more is fitted whole, as before the cards were told apart.
MAX_TOLD_APART = 64


def one_card(found: List[Anchor]) -> List[Anchor]:
    """The anchors of one card when they come from more than one, else all of them."""
    if len(found) > MAX_TOLD_APART:
        return list(found)
    heights = sorted(a.line.height for a in found)
    agrees = heights[len(heights) // 2] if heights else 0.0
    best, best_key = None, None
    for i, first in enumerate(found):
        for second in found[i + 1:]:
            rows = second.card[1] - first.card[1]
            if abs(rows) < ROW_APART:
                continue
            scale = (second.seen[1] - first.seen[1]) / rows
            if scale <= 0:
                continue
            tx = sum(a.seen[0] - scale * a.card[0] for a in (first, second)) / 2
            ty = sum(a.seen[1] - scale * a.card[1] for a in (first, second)) / 2
            frame = CardFrame("", scale, tx, ty, [])
            misses = [scale * _residual(frame, a) for a in found]  # in pixels
            key = (sum(m <= agrees for m in misses), -sum(min(m, agrees) for m in misses))
            if best_key is None or key > best_key:
                best, best_key = frame, key
    if best is None:
        return list(found)
    placed = [best.to_card(*a.seen) for a in found]
    if all(_within(x, y, ANOTHER_CARD) for x, y in placed):
        return list(found)
    on_card = [a for a, (x, y) in zip(found, placed) if _within(x, y, ON_CARD)]
    return on_card if len(on_card) >= 2 else list(found)


def _within(x: float, y: float, margin: float) -> bool:
    return -margin <= x <= CARD[0] + margin and -margin <= y <= CARD[1] + margin


def _residual(frame: CardFrame, anchor: Anchor) -> float:
    x, y = frame.to_card(*anchor.seen)
    return max(abs(x - anchor.card[0]), abs(y - anchor.card[1]))


def _solve(found: List[Anchor], side: str, lines: List[Line]) -> Optional[CardFrame]:
    ys = [a.card[1] for a in found]
    seen_y = [a.seen[1] for a in found]
    mean_y, mean_seen = sum(ys) / len(ys), sum(seen_y) / len(seen_y)
    var = sum((y - mean_y) ** 2 for y in ys)
    if var >= 60 ** 2:  # anchors on different rows: the scale follows from their spacing
        scale = sum((y - mean_y) * (s - mean_seen) for y, s in zip(ys, seen_y)) / var
    else:               # one row only: from the height of the values read near it
        heights = sorted(line.height for line in lines if len(line.text) >= 2) or [VALUE_HEIGHT]
        scale = heights[len(heights) // 2] / VALUE_HEIGHT
    if scale <= 0:
        return None
    ty = mean_seen - scale * mean_y
    offsets = sorted(a.seen[0] - scale * a.card[0] for a in found)
    tx = offsets[len(offsets) // 2]
    return CardFrame(side, scale, tx, ty, list(found), one_row=var < 60 ** 2)


def frames(lines: List[Line]) -> Dict[str, CardFrame]:
    """The card frame of each side found among the lines (both on an A4 sheet)."""
    found = {}
    for side in ("face", "back"):
        side_anchors = anchors(lines, side)
        keys = {a.key for a in side_anchors}
        if len(keys) >= 2 or (side == "face" and _valid_number_anchor(side_anchors)):
            frame = fit(side_anchors, side, lines)
            if frame is not None:
                found[side] = frame
    return found


def _valid_number_anchor(side_anchors) -> bool:
    for a in side_anchors:
        if a.key == "number":
            number = idnumber.repair(number_like(a.line.text) or "")
            if idnumber.is_valid(number):
                return True
    return False


def is_overlay(text: str) -> bool:
    return any(word in text for word in OVERLAY_WORDS)


def split_overlays(lines: List[Line]) -> Tuple[List[Line], List[Line]]:
    """(the card's lines, the watermarks' and seals' lines). A watermark line holding a
    label was joined to a row of the card by the detector (仅供申请民族珞巴使用, the
    watermark running under the nationality): the label and what follows it up to the
    watermark's next word is the card's, cut out of the line where its characters stand."""
    kept, overlays = [], []
    for line in lines:
        if not is_overlay(line.text):
            kept.append(line)
            continue
        overlays.append(line)
        words = [(m.start(), m.end()) for m in re.finditer("|".join(OVERLAY_WORDS), line.text)]
        for labels in (FACE_LABELS, BACK_LABELS):
            for _, start, end in label_at(line.text, labels):
                if any(a < end and start < b for a, b in words):
                    continue  # the label's characters are a watermark word's
                stop = min([a for a, _ in words if a >= end] + [len(line.text)])
                if stop > end:
                    kept.append(_part(line, start, stop))
    return kept, overlays


def breadth(character: str) -> float:
    """A character's width in Chinese characters: digits and letters are about half one."""
    return 1.0 if "\u3400" <= character <= "\u9fff" else 0.55


def _number_start(line: Line) -> float:
    """Where the citizen number begins in its line (upright frame x): after whatever was read
    before it in the same box, a label misread past recognising (公民身8号码: 份 as 8), whose
    width would otherwise move the whole card's frame left of where it is."""
    start = line.text.find(number_like(line.text))
    return line.x0 + (character_starts(line)[start] if start > 0 else 0.0)


def character_starts(line: Line) -> List[float]:
    """How far along the line (from its left edge) each of its characters starts, and last
    where its text ends: characters taken as evenly spaced, digits and letters half as wide."""
    breadths = [breadth(c) for c in line.text]
    total = sum(breadths) or 1.0
    return [sum(breadths[:i]) * line.width / total for i in range(len(line.text) + 1)]


def _part(line: Line, start: int, stop: int) -> Line:
    """The characters start..stop of a line, where they stand along it (character_starts)."""
    import dataclasses

    starts = character_starts(line)
    x0, x1 = line.x0 + starts[start], line.x0 + starts[stop]
    scores = line.char_scores[start:stop] if len(line.char_scores) == len(line.text) else ()
    return dataclasses.replace(line, text=line.text[start:stop], x0=x0, x1=x1,
                               char_scores=scores)
