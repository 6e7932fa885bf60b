"""The card's fields from upright text lines, by their position on the card.

The card's frame comes from whatever anchors were read (layout.py); each value is then placed
by where it stands on the card (the name's row, the sex and nationality row, ...), so a value
whose own label went unread, or a label smaller than its value, does not lose it. Labels and
values may come as one OCR line ("姓名张三") or several; boxes the detector drew over the same
characters twice are trimmed first. Dates are taken whole or not at all, nationalities only
from the 56 recognised ethnic groups, and the printed birth date is cross-checked against a
valid number. A value whose lines do not stand as the card prints it (a multi-line value out
of its block's column, pitch or width; an address off its row) is doubted, not vouched for:
the recogniser's confidence says nothing about a line put in the wrong field.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Optional, Sequence, Tuple

from ..card import idnumber
from . import places
from .layout import (BACK_LABELS, CARD, FACE_LABELS, OVERLAY_WORDS, PORTRAIT, VALUE_HEIGHT,
                     CardFrame, breadth, character_starts, frames, is_overlay, label_at,
                     number_like, split_overlays)
from .lines import Line, dedupe
from .look_alikes import GIVEN_LOOK_ALIKES, SURNAME_LOOK_ALIKES
from .ocr import Text

# The 56 recognised ethnic groups as printed after 民族.
ETHNIC_GROUPS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
_BY_LENGTH = sorted(ETHNIC_GROUPS, key=len, reverse=True)

# Rows of the face in card units (y bands) and the value column's left edge.
FACE_ROWS = {"name": (35, 103), "sex": (103, 165), "birth": (165, 227), "address": (227, 405),
             "num": (405, 530)}
VALUE_LEFT = 105           # values start right of this (labels stand at 52)
NATION_LEFT = 235          # the nationality value stands right of this (民族 label at 250)
NATION_AREA = (320, 110, 470, 158)  # the value alone, for choosing among the 56
# The back's value rows (authority, perhaps wrapped, and validity): everything under the
# title block (居民身份证, centred at 185 with characters about 60 tall). Cards place the
# 签发机关 row differently (and a wrapped authority starts a line higher), so the band is
# not the row of one layout: what is a validity and what an authority is told by content.
# It reaches past the card's lower edge as far as a line is still the card's (CardFrame.contains):
# seen from a steep angle, the lower rows stand further apart than a frame fitted to the title
# block alone places them (a validity at 551).
BACK_VALUES = (240, CARD[1] + 40)
BACK_VALUE_LEFT = 280
ISSUE_AREA = (BACK_VALUE_LEFT + 25, 385, 720, 440)  # the authority's row (one line of it)
# Where each one-line value stands (x0, y0, x1, y1): recognised directly when the detector
# found no text there (a single character such as 回, a row lost to glare or a small card).
IN_VALUE_COLUMN = ("name", "sex", "birth")  # areas that start where the values start
FACE_AREAS = {"name": (118, 42, 540, 102), "sex": (118, 106, 240, 162),
              "nationality": (285, 106, 550, 162), "birth": (118, 168, 550, 224),
              "num": (270, 420, 850, 492)}


@dataclass
class Piece:
    """Part of a line (labels cut out), with its place on the card."""

    text: str
    x0: float   # card units
    x1: float
    y: float
    line: Line
    after: Optional[str] = None  # the label just before it in the same line
    scores: Tuple[float, ...] = ()  # the recogniser's score of each character of text


@dataclass
class Extraction:
    side: Optional[str]
    fields: Dict[str, str] = field(default_factory=dict)
    frame: Optional[CardFrame] = None
    num_valid: Optional[bool] = None
    birth_source: Optional[str] = None     # "printed", "number" or None
    birth_conflict: bool = False            # printed date and valid number disagree
    printed_birth: Optional[str] = None
    missing_areas: Dict[str, Tuple[float, float, float, float]] = field(default_factory=dict)
    # field -> the weakest recogniser score among the characters it was read from (0..1)
    confidence: Dict[str, float] = field(default_factory=dict)

    # field -> why the engine doubts its value (its confidence is then 0): DOUBTS
    doubts: Dict[str, str] = field(default_factory=dict)
    # The address's lost first line must fill this many characters (it is not the last line
    # of its block: cards wrap by width), digits counted as half.
    first_line_chars: float = 0.0
    # field -> the box (card units) its value was read from, for a second read (the name)
    read_boxes: Dict[str, Tuple[float, float, float, float]] = field(default_factory=dict)
    # field -> what else than the first read's weakest character speaks for its value
    # (confirm_name): {"second_read": "agrees" or "differs", "second_score": ..., "margin": ...}
    evidence: Dict[str, dict] = field(default_factory=dict)
    # field -> the lines its value was read from (for the free-text values: STAMPABLE)
    read_from: Dict[str, List[Line]] = field(default_factory=dict)
    # field -> (text, box in card units) of each printed line of a multi-line value (the
    # address, the authority), for a second read of each (confirm_lines)
    read_lines: Dict[str, List[Tuple[str, Tuple[float, float, float, float]]]] = field(
        default_factory=dict)
    # line heights per character of the address's print, as its second reads measured it
    pitch: Optional[float] = None
    # where the side's values start (card units): the face's other than the name's, for the
    # name's check; the back's validity's, for its authority's first line (confirm_lines)
    value_column: Optional[float] = None
    # the values given as a real place's name rather than as read (_settle_places): they
    # stay doubted whatever other doubt of theirs is lifted
    corrected_places: set = field(default_factory=set)
    # the line's place under the address's full last line was recognised and holds no
    # character (_continue_address): the address ends there, it does not go on (confirm_lines)
    address_ends: bool = False
    # the name was read with its weakest character just under NAME_MIN_SCORE (from
    # NAME_SECOND_LOOK): it stands only on a sure second read (settle_unsure_name)
    name_unsure: bool = False

    def put(self, name: str, value: str, confidence: float) -> None:
        self.fields[name] = value
        self.confidence[name] = round(confidence, 3)

    def doubt(self, name: str, reason: str) -> None:
        self.doubts[name] = reason
        self.confidence[name] = 0.0


def read_side(lines: List[Line], side: str) -> Optional[Extraction]:
    """The fields of `side` among the lines, or None when that side is not there."""
    lines, overlays = split_overlays(dedupe(lines))
    found = frames(lines)
    if side not in found:
        return None
    return extract(lines, found[side], [f for s, f in found.items() if s != side], overlays)


def extract(lines: List[Line], frame: CardFrame, others: List[CardFrame] = (),
            overlays: List[Line] = ()) -> Extraction:
    """The fields of the card in `frame`; lines belonging to the `others` are left out.
    `overlays`: the watermarks' and seals' writing set aside (layout.is_overlay)."""
    lines = [line for line in lines if frame.contains(line) and not line.runs_across
             and not any(o.contains(line, margin=0) and not frame.contains(line, margin=0)
                         for o in others)]
    lines = _of_the_cards_size(lines, frame)
    out = _face(lines, frame) if frame.side == "face" else _back(lines, frame)
    _read_through_stamps(out, overlays)
    _unprinted(out)
    _settle_places(out)
    return out


def _settle_places(out: Extraction) -> None:
    """An address's county or an authority's read one or two characters off a real name that
    no other name is as close to is given as that name (places.py: 鄢陵县 read 郡陵县 after 许
    昌市, 务川仡佬族苗族自治县 read without its 仡), and doubted (`corrected_place`) unless
    already doubted: a value the recogniser did not read as given is never vouched for."""
    number = out.fields.get("num") if out.num_valid else None
    corrections = {"address": lambda text: places.corrected_address(text, number and number[:6]),
                   "issue": places.corrected_authority}
    for name, corrected in corrections.items():
        value = corrected(out.fields[name]) if out.fields.get(name) else None
        if value:
            out.fields[name] = value
            out.corrected_places.add(name)
            if name not in out.doubts:
                out.doubt(name, "corrected_place")


def authority_from_face(face: dict, back: dict) -> None:
    """The back's authority, read a character or two off the one the face's address names
    (both sides of one card on a sheet: places.authority_of_address), given as that one and
    doubted (`corrected_place`), as a place corrected on one side is. Answers in place."""
    if not face.get("address") or not back.get("issue"):
        return
    issue = places.authority_of_address(back["issue"], face["address"])
    if issue:
        back["issue"] = issue
        back["confidence"]["issue"] = 0.0
        back["doubts"].setdefault("issue", "corrected_place")


# What a card prints in an address or an authority: Chinese characters, digits, Latin letters
# (a building's 3A), parentheses, the hyphen, the middle dot and # (12#楼).
PRINTED = re.compile(r"[\u3400-\u9fff0-9A-Za-z()（）\-·#]*")


def _unprinted(out: Extraction) -> None:
    """Doubt an address or authority holding a character no card prints there (a seal's ★
    read into an address at 0.92): something not of the card was read into the value."""
    for name in ("address", "issue"):
        if name in out.fields and name not in out.doubts and not PRINTED.fullmatch(
                out.fields[name]):
            out.doubt(name, "unprinted_character")


STAMPABLE = ("name", "address", "issue")  # free text: nothing checks what was read there


def _read_through_stamps(out: Extraction, overlays: List[Line]) -> None:
    """Doubt a free-text value read in a line that a stamp's or watermark's writing of the
    same print size overlaps: the detector joins neighbouring characters of one size into
    one box, so a stamp's character can be read into the value (与原件一致 over a name: 莫玉淑致
    at 0.95), and nothing in the value's own scores shows it. Checked values (dates, the
    number) have their own checks."""
    for name in STAMPABLE:
        if name in out.fields and name not in out.doubts and any(
                _overlapping(line, overlay) for line in out.read_from.get(name, ())
                for overlay in overlays):
            out.doubt(name, "read_through_a_stamp")
    for name in RUNNING:
        read = out.read_from.get(name, ())
        if name in out.fields and name not in out.doubts and read and any(
                _cut_by_large_writing(read[-1], overlay) for overlay in overlays):
            out.doubt(name, "cut_by_a_watermark")


RUNNING = ("address", "issue")  # values that run on along their row and onto the next


def _cut_by_large_writing(value: Line, overlay: Line) -> bool:
    """Whether writing in larger type than the value's (a watermark band across a copy, a
    seal's words) crosses the value's last line just past its last character: the smaller
    print under it is often not detected at all, and the value then ends where the writing
    begins (上海市浦东新区团 for …团结西街578号…, vouched at 0.98), its own scores all high.
    Writing of the value's size is _overlapping's: read into the value, not over it."""
    if overlay.height <= OVERSIZE * value.height:
        return False
    across = min(value.y1, overlay.y1) - max(value.y0, overlay.y0)
    past = value.x1 + value.height  # the next character's place
    return across > value.height / 3 and overlay.x0 <= past <= overlay.x1


def _overlapping(value: Line, overlay: Line) -> bool:
    """Boxes of one print size overlapping by a third of a line's height and half a
    character's width."""
    low = min(value.height, overlay.height)
    if max(value.height, overlay.height) > OVERSIZE * low:
        return False
    across = min(value.y1, overlay.y1) - max(value.y0, overlay.y0)
    along = min(value.x1, overlay.x1) - max(value.x0, overlay.x0)
    return across > low / 3 and along > low / 2


OVERSIZE = 1.7  # a line this many times taller than the card's typical line is no value
TITLE_BLOCK = ("country", "title")  # the back's labels printed larger than its values


def _of_the_cards_size(lines: List[Line], frame: CardFrame) -> List[Line]:
    """The lines without those far taller than the card's own (a watermark or a seal's
    writing in large type, a box drawn over two rows): their text is never a value. Lines
    holding a label stay, whatever their size (the back's title block is large), and so does
    a back's line that is a whole validity by the card's rules."""
    labels = FACE_LABELS if frame.side == "face" else BACK_LABELS
    # The card's typical line. On the back, of the lines holding 签发机关 or 有效期限 (its
    # labels and values share a size; the title block is larger): there are only two value
    # rows, and watermark writing can outnumber them, so it must not set the measure it is
    # judged by. On the face (labels smaller than the number), of all lines.
    rows = [line for line in lines if frame.side == "back" and any(
        key not in TITLE_BLOCK for key, _, _ in label_at(line.text, labels))]
    heights = sorted(line.height for line in rows or lines if len(line.text) >= 2)
    if not heights:
        return lines
    typical = heights[len(heights) // 2]
    # A whole validity stays too: no watermark reads as one, and cards print their back's
    # labels smaller than its values, a difference a steep photo's taller boxes double.
    return [line for line in lines
            if line.height <= OVERSIZE * typical or label_at(line.text, labels)
            or (frame.side == "back" and validity(line.text, consistent=True))]


# Face ----------------------------------------------------------------------------------------

def _face(lines: List[Line], frame: CardFrame) -> Extraction:
    out = Extraction("face", frame=frame)
    pieces = _pieces(lines, frame, FACE_LABELS)
    bands, shifts = _face_rows(frame)
    rows = {name: [p for p in pieces if lo <= p.y < hi] for name, (lo, hi) in bands.items()}
    chosen = {
        "name": [p for p in rows["name"] if p.after == "name" or (
            VALUE_LEFT <= p.x0 < PORTRAIT[0])],
        "sex": [p for p in rows["sex"] if p.after == "sex" or (
            p.after != "nation" and VALUE_LEFT - 20 < p.x1 and p.x0 < NATION_LEFT)],
        "nationality": [p for p in rows["sex"] if p.after == "nation" or (
            p.after != "sex" and p.x0 >= NATION_LEFT - 20)],
    }
    address_parts = [p for p in rows["address"] if p.after == "address" or (
        (p.x0 + p.x1) / 2 > LABEL_END and p.x0 < PORTRAIT[0])]  # not a misread label (住扯)
    # The 名 of 姓名 detected on its own (its 姓 lost) and standing past LABEL_END on a card
    # that prints its values further right: ending before the column where the other values
    # start, it is the label's, not the name's first character (名寇欣妍).
    others = _value_column([chosen["sex"], rows["birth"],
                            _rows(address_parts)[0] if address_parts else []])
    chosen["name"] = [p for p in chosen["name"] if not (
        others is not None and p.after is None and p.x1 <= others
        and set(p.text) <= set(FACE_LABELS["name"][0] + LABEL_MARKS))]
    # A name is printed in one piece: a mark apart from it (a speck of the print read as a
    # character before the name) is not part of it.
    chosen["name"] = max(_touching(chosen["name"]), key=lambda run: len(_joined(run)),
                         default=[])
    # Where this card's values start, as read (cards print their value column a little apart
    # from the layout's): the areas of values not found begin there, past their labels.
    column = _value_column([chosen["name"], chosen["sex"], rows["birth"],
                            _rows(address_parts)[0] if address_parts else []])
    out.value_column = others
    areas = {name: _from_column(_shifted(box, shifts.get(name, 0.0)), column)
             if name in IN_VALUE_COLUMN else _shifted(box, shifts.get(name, 0.0))
             for name, box in FACE_AREAS.items()}
    parsers = {"name": _name, "sex": _sex, "nationality": nationality}
    for name, parts in chosen.items():
        value = parsers[name](_joined(parts))
        unsure = name == "name" and bool(value) and _unreadable(value, parts, address_parts)
        if unsure and _unreadable(value, parts, address_parts, NAME_SECOND_LOOK):
            out.doubt("name", "unreadable_character")  # left empty: never a look-alike
        elif value:
            out.name_unsure = out.name_unsure or unsure
            out.put(name, value, _confidence(parts))
            if name == "name":
                out.read_boxes[name] = _box(parts)
            out.read_from[name] = [p.line for p in parts]
        else:
            out.missing_areas[name] = areas[name]
            if name == "nationality" and _written(_joined(parts)):
                out.doubt(name, "not_in_vocabulary")  # cleared if its area reads one
    printed = birth_date(_joined(rows["birth"], separator="|"))
    if printed is None:
        out.missing_areas["birth"] = areas["birth"]
    else:
        out.confidence["printed_birth"] = _confidence(rows["birth"])
    address_rows = _rows(address_parts)
    address = _trimmed("".join(_joined(row) for row in address_rows))
    if address:
        out.put("address", address, _confidence(address_parts))
        out.read_from["address"] = [p.line for p in address_parts]
        out.read_lines["address"] = _block_lines(address_rows)
        column = _value_column([chosen["name"], chosen["sex"], rows["birth"]])
        doubt = (_block_doubt(address_rows, column, PORTRAIT[0])
                 or _address_row_doubt(address_rows, _label_row(frame, "address")))
        if doubt:
            out.doubt("address", doubt)
        more = _below(address_rows, FACE_ROWS["num"][0])
        if more and not doubt:
            out.missing_areas["address_more"] = more
        first = _at_label_row(address_rows, _label_row(frame, "address"))
        if first and doubt == "not_at_its_row":  # its first line lost: read in its place
            out.missing_areas["address_first"] = first
            out.confidence["address_read"] = _confidence(address_parts)  # the rest's
            char = _character(address_rows)
            out.first_line_chars = (max(row[-1].x1 for row in address_rows)
                                    - address_rows[0][0].x0) / char - SHORT_LINE
    number, number_parts = None, []
    for piece in sorted(rows["num"], key=lambda p: -len(p.text)):
        number, number_parts = number_like(piece.text), [piece]
        if number:
            break
    if number is None:  # the number outside its row (a strong tilt): any 18-character run
        number_parts = [p for p in pieces if number_like(p.text)][:1]
        number = number_like(number_parts[0].text) if number_parts else None
    if number is None and rows["num"]:  # split by the detector: boxes that touch, not a gap
        number_parts = max(_touching(rows["num"]), key=lambda run: len(_joined(run)))
        number = re.sub(r"[^0-9A-Za-z|]", "", _joined(number_parts))
        number = number if len(number) >= 15 else None
    if number is None:
        out.missing_areas["num"] = FACE_AREAS["num"]
    _settle_number(out, number, printed, _confidence(number_parts))
    _unanchored(out)
    _doubt_unlikely_name(out)
    _settle_places(out)
    return out


def _doubt_unlikely_name(out: Extraction) -> None:
    """Doubt a name no holder is likely to bear as read: longer than names are without a dot
    (a stamp's characters joined to it), or holding a character the recogniser reads, with
    confidence, for a rarer one printed where names hold it (look_alikes, measured by
    tools/look_alikes.py: the surname 亓 read as 元; 瑭 as 塘 and 彧 as 或 in a given name).
    Nothing in the line's scores or geometry tells the two apart, so such a name is kept as
    read and never vouched for: a second opinion costs less than a wrong name."""
    name = out.fields.get("name", "")
    if "name" in out.doubts:
        return
    if len(name) > LONGEST_NAME and "·" not in name:
        out.doubt("name", "longer_than_names")
    elif name[:1] in SURNAME_LOOK_ALIKES:
        out.doubt("name", "look_alike_surname")
    elif any(c in GIVEN_LOOK_ALIKES for c in name[1:]):
        out.doubt("name", "look_alike_character")


# The face's value rows top to bottom, each named by its label (the nationality shares the
# sex's row).
ROW_LABELS = ("name", "sex", "birth", "address")
ROW_OF_FIELD = {"name": "name", "sex": "sex", "nationality": "sex", "birth": "birth"}


def _face_rows(frame: CardFrame) -> Tuple[Dict[str, Tuple[float, float]], Dict[str, float]]:
    """The face's row bands on this card, and how far (card units) each one-line value's row
    stands from the layout's. Cards space their rows differently (GB 19584 fixes the order:
    name, sex and nationality, birth, address; templates print them 6 to 8 mm apart): each
    row is centred on its label as read (the birth date's own row when its label was not),
    else where the layout has it, and ends halfway to the next. The name is the first value
    row: its band reaches as far above its label as the layout's does, or further on a card
    whose rows are further apart."""
    centres = [_label_row(frame, key, *(("birth_value",) if key == "birth" else ()))
               for key in ROW_LABELS]
    if any(below - above < VALUE_HEIGHT for above, below in zip(centres, centres[1:])):
        return dict(FACE_ROWS), {}  # labels read out of their order: the layout's rows
    halfway = [(above + below) / 2 for above, below in zip(centres, centres[1:])]
    top = min(FACE_ROWS["name"][0], centres[0] - 0.6 * (centres[1] - centres[0]))
    bands = {"name": (top, halfway[0]), "sex": (halfway[0], halfway[1]),
             "birth": (halfway[1], halfway[2]), "address": (halfway[2], FACE_ROWS["num"][0]),
             "num": FACE_ROWS["num"]}
    layout = {key: FACE_LABELS[key][2][1] for key in ROW_LABELS}
    by_row = dict(zip(ROW_LABELS, centres))
    shifts = {name: by_row[row] - layout[row] for name, row in ROW_OF_FIELD.items()}
    return bands, shifts


def _shifted(box: Tuple[float, float, float, float], dy: float) -> Tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return x0, y0 + dy, x1, y1 + dy


def _from_column(box: Tuple[float, float, float, float],
                 column: Optional[float]) -> Tuple[float, float, float, float]:
    """A value's area in the value column begun where this card's values start as read, a
    quarter of a character before them (labels stand a character or more to the left)."""
    x0, y0, x1, y1 = box
    if column is None:
        return box
    return column - 0.25 * VALUE_HEIGHT, y0, x1, y1


FACE_ROWS_OF = {"name": "name", "sex": "sex", "nationality": "sex", "address": "address"}


def _unanchored(out: Extraction) -> None:
    """On a frame whose anchors stand in one row only (its scale guessed from the text's
    height), the values of other rows are placed loosely: each is doubted (the number and a
    birth date cross-checked with it stand on their own)."""
    if out.frame is None or not out.frame.one_row:
        return
    for name, row in FACE_ROWS_OF.items():
        lo, hi = FACE_ROWS[row]
        if name in out.fields and name not in out.doubts and not any(
                lo <= anchor.card[1] < hi for anchor in out.frame.anchors):
            out.doubt(name, "placed_without_anchors")


# Names without the dot of a transliterated name (阿依努尔·哈力克) have two to four
# characters (a compound surname and a two-character given name); a longer one read is more
# likely a name with a stamp's or watermark's characters joined to it (吴云玉理社 at 0.995).
LONGEST_NAME = 4
NAME_MIN_SCORE = 0.65  # a name character scored lower is a guess (旻 read as 曼 at 0.49)
# A name whose weakest character scored from this to NAME_MIN_SCORE stands only when its second
# read (its box cut out straight: confirm_name) agrees and clears NAME_MIN_SCORE: on a blurred
# or turned face a character the recogniser knows can score a little under it in the
# detector's crop (rover hard #4016: 綦 at 0.62, 0.79 cut out straight), where one it cannot
# read stays unsure both ways (缑 read 维 at 0.47 and 0.34, 旻 read 晏 at 0.40 and 0.30).
NAME_SECOND_LOOK = 0.5
LOST_CHARACTER = 1.6   # a name this much wider per character than the address lost one


def _unreadable(name: str, parts: List[Piece], address: List[Piece],
                min_score: float = NAME_MIN_SCORE) -> bool:
    """Whether the name holds a character the recogniser could not read: one it does not
    know comes back as a look-alike with a low score (喾 as 善, 0.42), or not at all (镕,
    翀, 黟: 张镕 read 张). So: a character scored below NAME_MIN_SCORE, a one-character name
    (a name has two at least), or a name wider per character than the address's lines (the
    same font) by LOST_CHARACTER: a character was printed there and not read."""
    scores = [s for p in parts for c, s in zip(p.text, p.scores) if "\u3400" <= c <= "\u9fff"]
    if len(name) < 2 or min(scores, default=1.0) < min_score:
        return True
    advances = sorted(_advance(p) for p in address if len(p.text) >= 5)
    if not advances or len(parts) != 1:
        return False
    return _advance(parts[0]) > LOST_CHARACTER * advances[len(advances) // 2]


def _advance(piece: Piece) -> float:
    """Card units per character of a piece (digits and letters count as half a character)."""
    return (piece.x1 - piece.x0) / max(sum(map(breadth, piece.text)), 1.0)


def missing_nationality(out: Extraction, areas: Dict[str, Tuple[str, float]]) -> bool:
    """Whether the nationality is still unread after its area was recognised alone: then it
    is chosen among the 56 by the recogniser's likelihoods (complete's `choice`)."""
    return "nationality" in out.missing_areas and not nationality(
        areas.get("nationality", ("", 0.0))[0])


def nationality_area(out: Extraction) -> Tuple[float, float, float, float]:
    """NATION_AREA on this card, for choosing among the 56: moved with the nationality's row
    as its area to read was (the sex's row as read), so a card printing its rows lower than
    the layout is not asked about the line between two rows."""
    dy = out.missing_areas["nationality"][1] - FACE_AREAS["nationality"][1]
    return _shifted(NATION_AREA, dy)


def complete(out: Extraction, areas: Dict[str, Tuple[str, float]],
             choice: Tuple[Optional[str], float] = (None, 0.0)) -> None:
    """Fill the face's missing one-line values from their areas on the card recognised alone
    (`areas`: field -> (text, confidence), for out.missing_areas). What is read must still
    parse as that field; a nationality not read as one of the 56 takes `choice` (chosen among
    them by the recogniser's own likelihoods, with its share of them), or stays empty."""
    parsers = {"name": _name, "sex": _sex, "nationality": nationality}
    for name in out.missing_areas:
        text, confidence, *scores = areas.get(name, ("", 0.0))
        if name == "name":
            text, confidence = _name_area(text, confidence, *scores)
        if is_overlay(text) and name != "address_more":
            continue  # a watermark or seal over the value's place is never the value
        if name == "address_more":
            if name in areas:  # not looked at: nothing says where the address ends
                _continue_address(out, text, confidence)
        elif name == "address_first":
            _begin_address(out, text, confidence)
        elif name == "name" and _name(text) and (
                confidence < NAME_SECOND_LOOK or len(_name(text)) < 2):
            out.doubt("name", "unreadable_character")  # left empty: never a look-alike
        elif name in parsers and parsers[name](text):
            out.put(name, parsers[name](text), confidence)
            out.doubts.pop(name, None)
            if name == "name":
                out.read_boxes[name] = out.missing_areas[name]
                out.name_unsure = confidence < NAME_MIN_SCORE  # settle_unsure_name
        elif name == "nationality" and choice[0]:
            out.put(name, *choice)
            out.doubts.pop(name, None)
        elif name == "nationality" and _written(text):
            out.doubt(name, "not_in_vocabulary")  # none of the 56: empty, never a guess
        elif name == "birth" and birth_date(text):
            out.confidence["printed_birth"] = confidence
            _settle_number(out, out.fields.get("num"), birth_date(text),
                           out.confidence.get("num", 0.0))
        elif name == "num" and number_like(text):
            _settle_number(out, number_like(text), out.printed_birth, confidence)
    _unanchored(out)
    _doubt_unlikely_name(out)


def confirm_name(out: Extraction, again: Optional[Text]) -> None:
    """The name read a second way (out.read_boxes["name"] cut out straight and recognised as
    one line, not the detector's crop of it): a name whose two reads differ is doubted. A font
    the recogniser was not built on can make it pick a look-alike with a high score (on the
    `blind` cards, wrong names at 0.94-0.99); what it picks from a crop with other padding and
    resampling then tends to differ, where a name it really reads comes out the same. The
    second read's weakest margin over the name's characters (its score minus the runner-up
    character's) is kept beside it as evidence. Reads that agree on a name that lost a
    character, between two others (dropped_character, at the address's pitch when
    confirm_lines measured it: the same print) or before its first one (_begins_past_column),
    are doubted too."""
    name = out.fields.get("name")
    if not name or "name" in out.doubts or "name" not in out.read_boxes:
        return
    agrees = again is not None and _name(again.text) == name
    kept = [(s, m) for c, s, m in zip(again.text, again.char_scores, again.char_margins)
            if c in name] if agrees else []
    out.evidence["name"] = {"second_read": "agrees" if agrees else "differs",
                            "second_score": round(min((s for s, _ in kept), default=0.0), 3),
                            "margin": round(min((m for _, m in kept), default=0.0), 3)}
    if not agrees:
        out.doubt("name", "second_read_differs")
        return
    # Measured on the name's own characters: a speck read where a lost first character stood
    # (1国翊) agrees once _name drops it, and its place would hide the loss.
    read = _name_characters(again)
    pitch = out.pitch or line_pitch([read], least=2)
    if dropped_character(read, pitch) or _begins_past_column(out, read, pitch):
        out.doubt("name", "dropped_character")


def _name_characters(read: Text) -> Text:
    """`read` with only the characters _name keeps (its label and other marks dropped), each
    keeping its score, margin and place."""
    text = read.text.translate(NAME_DOT_LOOKALIKES)
    label = set()
    for found in re.finditer("姓名", text):
        label.update(range(found.start(), found.end()))
    return _characters_at(read, text, [i for i, c in enumerate(text) if i not in label
                                       and re.fullmatch(r"[\u3400-\u9fff·]", c)])


def _characters_at(read: Text, text: str, keep) -> Text:
    """The characters of `read` (read as `text`) at the indices `keep`, each keeping its score,
    margin and place."""
    def kept(values: Tuple[float, ...]) -> Tuple[float, ...]:
        return tuple(values[i] for i in keep) if len(values) == len(text) else ()

    return Text("".join(text[i] for i in keep), read.score, kept(read.char_scores),
                kept(read.char_margins), kept(read.char_places))


# A name whose first character read stands this many characters further than half its own
# breadth from the value column (LOST_START) and from where its own box begins (LOST_IN_BOX):
# one was printed before it. Measured (characters past the column, past the box's start): 郗国翊
# read 国翊 0.83, 1.29; 蒯婧珂 read 婧珂 1.33, 1.39; 郗一昕一 read 一昕一 1.66, 1.56; right names:
# blind's -0.1 to 0.5 past the column; fresh's 王婷 0.8, 0.83 and specimen's 梁芳明 1.1, 0.91
# (a column pulled left by a label read into the address, a template's indent). The lines of
# the address and the authority are measured alike (confirm_lines, from their detected box's
# start): novel's 鄢陵县公安局 read 陵县公安局 1.55, 1.38; of the right lines of 147 photos of
# seven sets, 2 of 59 authority lines stood past both (1.12, 1.2 and 1.32, 1.32), no address line.
LOST_START = 0.75
LOST_IN_BOX = 1.1
# An authority's first character read at most this far past the value column (as LOST_START
# measures it) was printed first: nothing stands before it. A character lost there puts the
# next one a whole character past the column (novel's 陵 of 鄢陵县: 1.55), less half a digit
# were the column measured from a validity whose first digit was lost; right first lines of
# blind's and nomad's backs stood -0.29 to 0.57 past it (25 of 30 within; a hard photo 1.61).
AT_COLUMN = 0.45


def _begins_past_column(out: Extraction, again: Text, pitch: Optional[float]) -> bool:
    """Whether the name's second read begins a character or more right of where the face's
    other values begin and of where its own box begins: every value of the face starts at one
    column, so a name whose first character read stands past it lost the one printed there.
    The detector's box holds that character and the recogniser does not emit it, so the box's
    edge says nothing by itself; where the recogniser placed the first character does. The
    column alone is not enough: a label read into a row (扯 for 址) pulls it left, and a
    template may indent the name; the box's own start then agrees with the character read."""
    box = out.read_boxes.get("name")
    return bool(box) and _lost_first(again, box, box[0], out.value_column, pitch)


def _lost_first(again: Text, box: Tuple[float, float, float, float], start: float,
                column: Optional[float], pitch: Optional[float]) -> bool:
    """Whether a line read again from the crop `box` (card units) begins LOST_START past the
    side's value `column` and LOST_IN_BOX past `start`, where its detected box begins: its
    first printed character was not read (_begins_past_column)."""
    past = _past(again, box, (column, start), pitch)
    return past is not None and past[0] > LOST_START and past[1] > LOST_IN_BOX


def _past(again: Text, box: Tuple[float, float, float, float], edges, pitch: Optional[float]):
    """How many characters past each of `edges` (card units) the first character of a line
    read again from the crop `box` stands, less half its own breadth; None when not measured."""
    if None in edges or not pitch or not again.text or not again.char_places:
        return None
    height = box[3] - box[1]  # the crop's height in card units: places are in its heights
    first = box[0] + again.char_places[0] * height
    half = breadth(again.text[0]) / 2
    return tuple((first - edge) / (pitch * height) - half for edge in edges)


def confirm_lines(out: Extraction, name: str, again: List[Optional[Text]]) -> None:
    """Each printed line of a multi-line value (out.read_lines[name]: the address, the
    authority) read a second way, as the name is (confirm_name): its box cut out straight and
    recognised as one line. A value one of whose lines reads otherwise is doubted
    (`second_read_differs`), and so is one whose lines agree but lost a character between two
    others or before the first (`dropped_character`: 育才街 read as 育街, 鄢陵县 as 陵县 in both:
    _lost_first, as the name's), or whose address holds a line longer than a card prints
    (`overfull_line`). The block's pitch is kept (out.pitch) for the name's check.

    Only the agreement is evidence, not the second read's scores: their weakest character
    over a whole address or authority paid for 15-19 % more of blind's ordinary photos at
    every threshold from 0.9 (116 photos), where on 143 photos the agreement alone paid for
    none more than main's engine."""
    if name not in out.fields or name in out.doubts or name not in out.read_lines:
        return
    lines = out.read_lines[name]
    agrees = len(again) == len(lines) and all(
        read is not None and _trimmed(read.text) in (_trimmed(text),
                                                     LABEL_TAILS[name] + _trimmed(text))
        for (text, _), read in zip(lines, again))
    # Measured on the value's own characters: its label's last one or a colon in the crop is
    # printed two to four characters before the value, a gap no character of it left.
    value_reads = [(text, box, _value_read(read, text, LABEL_TAILS[name]))
                   for (text, box), read in zip(lines, again) if read is not None]
    measured = [read for _, _, read in value_reads]
    pitch = line_pitch(measured)
    if name == "address" and pitch:
        out.pitch = pitch
    out.evidence[name] = {"second_read": "agrees" if agrees else "differs"}
    if not agrees:
        out.doubt(name, "second_read_differs")
    elif any(dropped_character(read, pitch) for read in measured) or any(
            _lost_first(read, box, box[0] + LINE_MARGIN * VALUE_HEIGHT, out.value_column, pitch)
            for text, box, read in value_reads if not _after_label(out, name, text)):
        out.doubt(name, "dropped_character")
    elif name == "address" and any(sum(map(breadth, text)) > ADDRESS_LINE + OVERFULL
                                   for text, _ in lines):
        out.doubt(name, "overfull_line")
    elif name == "address" and len(lines) < ADDRESS_LINES and sum(
            map(breadth, lines[-1][0])) >= ADDRESS_LINE - OVERFULL and not out.address_ends:
        out.doubt(name, "may_continue")
    if name == "address" and out.address_ends:
        out.evidence[name]["line_below"] = "blank"
    if name == "issue" and name not in out.doubts and again[0] is not None \
            and not _after_label(out, name, lines[0][0]):
        past = _past(value_reads[0][2], lines[0][1], (out.value_column,), pitch)
        if past is not None and past[0] <= AT_COLUMN:
            out.evidence[name]["first_at_column"] = True


# A card's address column holds 11 characters a line (digits and letters half one), in three
# lines at most: a line read with more took in something not printed there (blind: a speck read
# as 中 at the end of a full line, 南岗区中民主街, 0.991 in both reads), and an address whose
# last line read is full may go on in a line not read (blind: 重庆市渝北区沙坪镇杨家 at 0.963, its
# second line lost; of 80 right addresses of 147 photos of seven sets none ended full in fewer
# than three lines, and none of their 201 lines held more than 11). OVERFULL: room for the
# digits' breadth estimate.
ADDRESS_LINE = 11
ADDRESS_LINES = 3
OVERFULL = 0.5


def _after_label(out: Extraction, name: str, text: str) -> bool:
    """Whether the line `text` of a block was read in one box with its label (签发机关青岛市...):
    its box then begins where the value's characters were taken to start, spaced evenly with
    the label's, which says nothing of where its first character is printed (on right values
    the first character read stood up to 1.5 characters past it)."""
    return any(text in line.text and not line.text.startswith(text)
               for line in out.read_from.get(name, []))


def _value_read(read: Text, text: str, tail: str) -> Text:
    """The characters of a line's second read that stand for the value first read as `text`:
    without what _trimmed drops at its ends, nor the label's last character (`tail`) read
    before it; each keeps its score, margin and place."""
    start = len(re.match(r"[^\u3400-\u9fff0-9A-Za-z]*", read.text).group(0))
    end = max(start, len(read.text) - len(
        re.search(r"[^\u3400-\u9fff0-9A-Za-z)）]*$", read.text).group(0)))
    if read.text[start:end] == tail + _trimmed(text) != _trimmed(text):
        start += 1
    return _characters_at(read, read.text, range(start, end))


LINE_MARGIN = 0.35  # value heights each side of a block's line cut out for its second read


def _block_lines(rows: List[List[Piece]]) -> List[Tuple[str, Tuple[float, float, float, float]]]:
    """Each row of a multi-line value as (its text, its box with LINE_MARGIN each side): what
    confirm_lines reads again."""
    return [(_joined(row), _box(row, LINE_MARGIN, LINE_MARGIN)) for row in rows]


# The last character of the label printed before a block's first line (住址, 签发机关): a line
# read with the label in it is cut out from where its value's characters were taken to start
# (evenly spaced), and its crop may take in that character. Read again with it, the line says
# the same (outsider: 关青岛市公安局市南分局 for 青岛市公安局市南分局, 3 of 7 right values doubted).
LABEL_TAILS = {"address": "址", "issue": "关"}


def line_pitch(reads: List[Optional[Text]], least: int = 4) -> Optional[float]:
    """The print's pitch (line heights per character, digits half) over reads of lines of
    one block: from each read of `least` characters or more, its first to its last character's
    place over the breadths between. None without such a read. One frame of the recogniser
    is a third of a character, so a pitch from neighbours alone is too coarse; a line's
    span is not, and a character lost inside it moves the span's pitch by one part in its
    length only."""
    span = breadths = 0.0
    for read in reads:
        if read is None or len(read.text) < least or len(read.char_places) != len(read.text):
            continue
        widths = [breadth(c) for c in read.text]
        span += read.char_places[-1] - read.char_places[0]
        breadths += sum(widths) - (widths[0] + widths[-1]) / 2
    return span / breadths if breadths else None


# A printed character the recogniser did not read (dropped_character): a gap between two
# neighbours this many characters of the line's pitch wider than their breadths. On blind's
# right values the widest was 0.36; a character lost inside a line leaves 0.5-1.2.
LOST_GAP = 0.6


def dropped_character(read: Text, pitch: Optional[float]) -> bool:
    """Whether a line read from a straight crop lost a character inside it: a line is printed
    at a fixed pitch and the recogniser emits each character at about the same point of its
    cell (`Text.char_places`), so a character printed and not read leaves a gap a pitch
    wider between its neighbours (育才街 read as 育街, 新华街道 as 新街道, in both reads).

    Only inside a line: at its ends, the room a crop has beyond its characters varies with
    where the detector's box began and ended (a label's remnant, a seal's edge): on blind's
    right values it ranged up to two characters, as much as a character lost there adds, so
    a lost first or last character (郗国翊 read 国翊) is not found this way."""
    places, text = read.char_places, read.text
    if not pitch or len(places) != len(text) or len(text) < 2:
        return False
    widths = [breadth(c) for c in text]
    return max((b - a) / pitch - (wa + wb) / 2 for a, b, wa, wb in zip(
        places, places[1:], widths, widths[1:])) > LOST_GAP


def _written(text: str) -> bool:
    """Whether text holds a Chinese character other than a label's (民族)."""
    return bool(re.search(r"[\u3400-\u9fff]", text.replace("民族", "")))


CONTINUATION_SCORE = 0.9  # a line read under the address is taken only when read this well


def _continue_address(out: Extraction, text: str, confidence: float) -> None:
    """The line under an address whose last line was full (out.missing_areas["address_more"]),
    recognised alone: appended when it reads cleanly as more of the address; text read there
    otherwise (poorly, or a watermark) puts the address in doubt: it may go on."""
    more = _trimmed(re.sub(r"[^\u3400-\u9fff0-9A-Za-z()（）-]", "", text))
    # Not one character there: the address ends with its full line. A watermark alone or a
    # single character (a lost line may hold only 号) is no such evidence.
    out.address_ends = not more
    if len(re.sub("|".join(OVERLAY_WORDS), "", more)) < 2:
        return  # nothing there, or a watermark alone
    if _shared_run(more, out.fields["address"]) >= 3:
        return  # the address's last line read again (the area of a skewed card reaches it)
    if confidence >= CONTINUATION_SCORE and not is_overlay(more):
        out.put("address", out.fields["address"] + more,
                min(confidence, out.confidence["address"]))
    else:
        out.doubt("address", "may_continue")


def _begin_address(out: Extraction, text: str, confidence: float) -> None:
    """The address's first line, lost by the detector (the address began a line pitch under
    its label: out.missing_areas["address_first"]), recognised in the label's row: put before
    the rest when it reads cleanly (CONTINUATION_SCORE), fills its line as the block's lines
    are filled (out.first_line_chars) and is not the next line again, and the doubt lifted;
    else the address stays doubted."""
    first = _trimmed(re.sub(r"[^\u3400-\u9fff0-9A-Za-z()（）-]", "", text.replace("住址", "")))
    if len(first) < 2 or confidence < CONTINUATION_SCORE or \
            _shared_run(first, out.fields["address"]) >= 3 or \
            sum(map(breadth, first)) < out.first_line_chars:  # cut short: not all of it
        return
    out.put("address", first + out.fields["address"],
            min(confidence, out.confidence["address_read"]))
    out.doubts.pop("address", None)
    if "address" in out.corrected_places:
        out.doubt("address", "corrected_place")


def _shared_run(a: str, b: str) -> int:
    """The length of the longest run of characters that a and b share."""
    return max((k for i in range(len(a)) for k in range(1, len(a) - i + 1)
                if a[i:i + k] in b), default=0)


# Dots a recogniser may read for the card's middle dot (·) of a transliterated name: the
# bullet, katakana's middle dot, the hyphenation point. Dropped, they joined the name's parts.
NAME_DOT_LOOKALIKES = str.maketrans({"•": "·", "・": "·", "‧": "·"})


NAME_LABEL_TAIL = re.compile(r"^\W*名\W*(?=\w{2})")


def _name_area(text: str, confidence: float,
               scores: Optional[Sequence[float]] = None) -> Tuple[str, float]:
    """A name's area read alone, without the label's 名 at its start (_without_label_tail),
    and its confidence over the characters kept when each one's score is known: the label's
    character is cut at the area's edge and scored low (名 at 0.38 before a name read at
    1.0), which says nothing about the name."""
    kept = _without_label_tail(text)
    if scores is None or len(scores) != len(text) or not kept:
        return kept, confidence
    return kept, min(scores[len(text) - len(kept):])


def _without_label_tail(text: str) -> str:
    """A name's area read alone without the 名 of 姓名 read at its start: the area begins
    where the card's values begin as read, and on a card that prints its label close to its
    value, or a value column measured a little left, the label's last character is in it
    (名杨俊杰). 名 is no surname."""
    return NAME_LABEL_TAIL.sub("", text)


def _name(text: str) -> Optional[str]:
    text = text.replace("姓名", "").translate(NAME_DOT_LOOKALIKES)
    return re.sub(r"[^\u3400-\u9fff·]", "", text) or None


def _sex(text: str) -> Optional[str]:
    found = re.search(r"[男女]", text)
    return found.group(0) if found else None


def _settle_number(out: Extraction, number: Optional[str], printed: Optional[str],
                   confidence: float) -> None:
    if number:
        number = idnumber.repair(number, printed, out.fields.get("sex"))
        out.put("num", number, confidence)
        out.num_valid = idnumber.is_valid(number)
    out.printed_birth = printed
    _settle_birth(out, printed)


# A valid check character is one chance in eleven for digits misread at random: a number
# read unsurely stands only when the printed birth date, read apart from it, agrees with its
# eight birth digits (rover sheet #4021, a fax read at 150 dpi: three digits wrong, the check
# character valid by chance, at 0.389). Of 1,383 valid numbers in the cached readings of rover
# and six runs on tuned sets (some photos read twice), 13 were read under this; the rule empties
# 5 (4 right, 1 wrong) and keeps the 8 whose printed date agrees. The cascade paid for all 13
# already (card/vouching.py's number threshold is this).
NUM_UNSURE = 0.5


def settle_unsure_name(out: Extraction) -> None:
    """Once the name was read a second way (confirm_name): a name read with its weakest
    character under NAME_MIN_SCORE stands only when the second read agrees and its weakest
    character over the name clears NAME_MIN_SCORE, with nothing else in doubt; otherwise it is
    left empty and doubted `unreadable_character`, as any name read so unsurely. Kept, its
    confidence stays the first read's (under NAME_MIN_SCORE: no cascade vouches for it)."""
    if not out.name_unsure or "name" not in out.fields:
        return
    evidence = out.evidence.get("name", {})
    if "name" not in out.doubts and evidence.get("second_read") == "agrees" and \
            evidence.get("second_score", 0.0) >= NAME_MIN_SCORE:
        return
    out.fields.pop("name")
    out.doubt("name", "unreadable_character")


def settle_unsure_number(out: Extraction) -> None:
    """Once every value is read (the printed birth date may come last): an unsure valid number
    the printed date does not confirm is left empty and doubted `unconfirmed_number`, and so is
    a birth date taken from it. Never a guessed number that passes its own check."""
    number = out.fields.get("num")
    if not number or not out.num_valid or out.confidence.get("num", 0.0) >= NUM_UNSURE:
        return
    if out.birth_source == "printed" and not out.birth_conflict:
        return
    out.fields.pop("num")
    out.num_valid = False
    out.doubt("num", "unconfirmed_number")
    if out.birth_source == "number":
        out.fields.pop("birth", None)
        out.doubt("birth", "unconfirmed_number")
        out.birth_source = None


def _settle_birth(out: Extraction, printed: Optional[str]) -> None:
    """birth is the printed date when it was read whole, else the valid number's; a printed
    date that contradicts a valid number stays (so checks see it) and is flagged."""
    from_number = idnumber.birth_date(out.fields["num"]) if out.num_valid else None
    out.fields.pop("birth", None)
    out.confidence.pop("birth", None)
    out.birth_source, out.birth_conflict = None, False
    if printed:
        out.put("birth", printed, out.confidence.get("printed_birth", 0.0))
        out.birth_source = "printed"
        out.birth_conflict = from_number is not None and from_number != printed
    elif from_number:
        out.put("birth", from_number, out.confidence["num"])
        out.birth_source = "number"


def nationality(text: str) -> Optional[str]:
    """One of the 56 ethnic groups from the text read after 民族, or None."""
    text = re.sub(r"[^\u3400-\u9fff]", "", text.replace("民族", ""))
    if text in ETHNIC_GROUPS:
        return text
    for name in _BY_LENGTH:  # extra characters read around it (a stray mark, 族)
        if name in text and len(text) - len(name) <= 1 and (len(name) > 1 or len(text) <= 2):
            return name
    return None


def birth_date(text: str) -> Optional[str]:
    """YYYYMMDD when the text holds a whole, real date as printed (1990 年 3 月 7 日), else None.

    The 年 and 月 printed between the numbers must have been read: without them digits cannot
    be told apart ("1998" + "26", "1968年3" + "06"), and a date is never assembled from parts.
    `text` may have "|" between separately detected boxes.
    """
    text = text.replace("|", "").replace("出生", "")
    match = re.fullmatch(r"[:：]?(\d{4})年(\d{1,2})月(\d{1,2})日?", text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    if not 1900 <= born.year <= date.today().year:
        return None
    return f"{year:04d}{month:02d}{day:02d}"


# A multi-line value (the address, a wrapped authority) is printed as a block: its lines
# start at the value column, each but the last filled to the block's width (the card wraps
# by width), one line pitch apart. A line read out of that shape was lost, cut short, or is
# not the value's (a watermark, the next row), and the value is doubted rather than vouched.
# Tolerances in characters of the block's own print (card units per character).
ROW_TOLERANCE = 21       # pieces whose centres are this close (card units) share a row
COLUMN_TOLERANCE = 1.5   # a line starting this far from the value column is not aligned
SHORT_LINE = 1.6         # a line but the last ending this far short of the block's width
LINE_GAP = 2.0           # consecutive lines this far apart: a line between them was lost
FIRST_ROW_TOLERANCE = 0.9  # the address's first line this far from its label's row


def _rows(pieces: List[Piece]) -> List[List[Piece]]:
    """The pieces grouped into printed rows, top to bottom (each row left to right)."""
    rows: List[List[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.y):
        if rows and abs(piece.y - rows[-1][0].y) < ROW_TOLERANCE:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def _character(rows: List[List[Piece]]) -> float:
    """Card units per character of the block's print (the median of its pieces)."""
    pieces = [p for row in rows for p in row]
    advances = sorted(_advance(p) for p in pieces if len(p.text) >= 3) or sorted(
        _advance(p) for p in pieces)
    return advances[len(advances) // 2]


def _value_column(values: List[List[Piece]]) -> Optional[float]:
    """Where the face's one-line values start (name, sex and birth date share the column):
    the median of their left edges."""
    lefts = sorted(min(p.x0 for p in pieces) for pieces in (
        [p for p in row if p.x0 >= VALUE_LEFT - 15] for row in values) if pieces)  # no labels
    return lefts[len(lefts) // 2] if lefts else None


def _block_doubt(rows: List[List[Piece]], column: Optional[float],
                 right_edge: float = CARD[0]) -> Optional[str]:
    """Why the rows of a multi-line value do not look like one printed block, or None.
    `column`: where the side's values start; `right_edge`: where they must end (the face's
    portrait)."""
    if not rows:
        return None
    char = _character(rows)
    lefts = [row[0].x0 for row in rows]
    rights = [row[-1].x1 for row in rows]
    centres = [sum(p.y for p in row) / len(row) for row in rows]
    if column is not None and abs(lefts[0] - column) > COLUMN_TOLERANCE * char:
        return "not_at_value_column"
    # More than the value was read into its line. No slack for a box's padding: half a
    # character of it let watermark words joined into a line go unremarked (科技园南区理贷款,
    # read at 0.97, on a `gb` sheet), and a right address doubted only costs a look at the API.
    if max(rights) > right_edge:
        return "beyond_value_column"
    if any(abs(left - lefts[0]) > COLUMN_TOLERANCE * char for left in lefts[1:]):
        return "lines_not_aligned"
    if any(below - above > LINE_GAP * char for above, below in zip(centres, centres[1:])):
        return "gap_between_lines"
    if any(len(_touching(row)) > 1 for row in rows):
        return "gap_within_line"
    # Cards wrap by width or by a count of characters (digits are narrower): a line is cut
    # short when it is both narrower and holds fewer characters than the block's fullest.
    counts = [sum(len(p.text) for p in row) for row in rows]
    if any(right < max(rights) - SHORT_LINE * char and count < max(counts)
           for right, count in zip(rights[:-1], counts[:-1])):
        return "line_cut_short"
    return None


def _label_row(frame: CardFrame, key: str, *instead: str) -> float:
    """The row (card units) of a face label: where it was read, else where an anchor of the
    same row was (`instead`: the birth date's own), else where the card has it."""
    for wanted in (key,) + instead:
        for anchor in frame.anchors:
            if anchor.key == wanted:
                return frame.to_card(*anchor.seen)[1]
    return FACE_LABELS[key][2][1]


def _address_row_doubt(rows: List[List[Piece]], label_row: float) -> Optional[str]:
    """The address's first line stands in its label's row (a label read in the same line
    places it): a first line lost, or a line above it taken in, moves it a line pitch."""
    first = rows[0]
    if any(p.after == "address" for p in first):
        return None
    centre = sum(p.y for p in first) / len(first)
    if abs(centre - label_row) > FIRST_ROW_TOLERANCE * _character(rows):
        return "not_at_its_row"
    return None


def _at_label_row(rows: List[List[Piece]],
                  label_row: float) -> Optional[Tuple[float, float, float, float]]:
    """The area of one line in the label's row, over the block's columns, when the block
    begins below that row (its first line may have been lost)."""
    char = _character(rows)
    pitch = sum(p.y for p in rows[0]) / len(rows[0]) - label_row
    if pitch < char:
        return None
    # To the portrait: the first line is the fullest, perhaps wider than those read.
    return (rows[0][0].x0 - 0.5 * char, label_row - 0.45 * pitch,
            PORTRAIT[0] + 0.5 * char, label_row + 0.45 * pitch)


def _below(rows: List[List[Piece]], limit: float) -> Optional[Tuple[float, float, float, float]]:
    """The area of one more line under a block whose last line is filled to its width (the
    value may go on in a line the detector missed), when that area is above `limit`."""
    if len(rows) < 2:
        return None
    char = _character(rows)
    rights = [row[-1].x1 for row in rows]
    counts = [sum(len(p.text) for p in row) for row in rows]
    if rights[-1] < max(rights) - char and counts[-1] < max(counts):  # by width or by count
        return None
    centres = [sum(p.y for p in row) / len(row) for row in rows]
    pitch = (centres[-1] - centres[0]) / (len(rows) - 1)
    # The next line's characters, not the last line's lower edge (read again, it would
    # look like more of the address).
    top, bottom = centres[-1] + 0.6 * pitch, centres[-1] + 1.4 * pitch
    if bottom > limit:
        return None
    return rows[0][0].x0 - 0.5 * char, top, max(rights) + 0.5 * char, bottom


# Back ----------------------------------------------------------------------------------------

def _back(lines: List[Line], frame: CardFrame) -> Extraction:
    """The authority and the validity, told apart by what they hold rather than by their row:
    the validity is the row with the dates; the authority is every other line of text in the
    value column, in reading order, so one that wraps onto a second line keeps it, and a
    validity line never becomes the authority."""
    out = Extraction("back", frame=frame)
    pieces = [p for p in _pieces(lines, frame, BACK_LABELS)
              if BACK_VALUES[0] <= p.y < BACK_VALUES[1] and p.x1 > BACK_VALUE_LEFT]
    dated = [p for p in pieces if len(re.findall(r"\d", p.text)) >= 4]
    valid = [p for p in pieces if p.after == "valid" or any(
        abs(p.y - d.y) < 20 for d in dated)]
    # The authority is printed above the validity: text under the validity's row is not it.
    lowest = max((p.y for p in valid), default=CARD[1]) + ROW_TOLERANCE
    issue_parts = [p for p in pieces if p not in valid and p.y < lowest
                   and re.search(r"[\u3400-\u9fff]", p.text)]
    column = min((p.x0 for p in valid), default=None)
    out.value_column = column  # the authority's first line starts there too (confirm_lines)
    issue, doubt, issue_rows = _authority_block(_rows(issue_parts), column)
    label_row = _back_label_row(lines, frame, "issue")
    if doubt and label_row is not None:
        # A seal's or watermark's writing above the authority (与原件相符 read 与原, a stamp's
        # 款审) joins its block and spoils it. The authority begins in its label's row, or up
        # to LABEL_ROW_REACH above it (a wrapped one centred on its label: half a line): what
        # the rows from there down give is taken when it is a whole authority, in a whole block.
        below = _authority_block(_rows([p for p in issue_parts if p.y >= label_row
                                        - LABEL_ROW_REACH * VALUE_HEIGHT]), column)
        if below[0] and not below[1]:
            issue, doubt, issue_rows = below
    if issue:
        out.put("issue", issue, _confidence([p for row in issue_rows for p in row]))
        out.read_from["issue"] = [p.line for row in issue_rows for p in row]
        out.read_lines["issue"] = _block_lines(issue_rows)
        if doubt:
            out.doubt("issue", doubt)
    elif not issue_parts:  # nothing detected where it stands: its area read alone
        out.missing_areas["issue"] = (_beside_label(lines, frame, "issue")
                                      or _above_validity(valid) or ISSUE_AREA)
    period = validity(_joined(valid))
    if period:
        out.put("start_date", period[0], _confidence(valid))
        out.put("end_date", period[1], _confidence(valid))
    elif valid:  # its lines read again allowed only a date's characters (complete_back)
        corners = [frame.to_card(x, y) for p in valid
                   for x, y in ((p.line.x0, p.line.y0), (p.line.x1, p.line.y1))]
        left, top = min(x for x, _ in corners), min(y for _, y in corners)
        bottom = max(y for _, y in corners)
        # As wide as a whole validity (a box cut short ends at "2011.03.16-20"): 21
        # characters, digits half a character, a character about 0.7 of a box's height.
        right = max(max(x for x, _ in corners), left + VALIDITY_WIDTH * (bottom - top))
        # A box cut short may have lost the start date too (-2029.12.20): the line is read
        # from its label read alone on, when it was.
        beside = _beside_label(lines, frame, "valid")
        left = min(left, beside[0]) if beside else max(left, BACK_VALUE_LEFT - 20)
        out.missing_areas["valid"] = (left, top, min(right, CARD[0]), bottom)
    else:  # no date detected (blur, a pen line through it): read beside its label
        beside = _beside_label(lines, frame, "valid")
        if beside:
            out.missing_areas["valid"] = beside
    return out


LABEL_ROW_REACH = 0.75  # an authority's first line stands at most this many values above 签发机关


def _authority_block(rows: List[List[Piece]], column: Optional[float]):
    """(the authority, its doubt, the rows it was read from) from the rows of its block."""
    read = "".join(_joined(row) for row in rows)
    issue, doubt = authority(_trimmed(read))
    if not issue:
        return issue, doubt, rows
    # What authority() cut after the suffix (a speck of a seal read after 局, in a row of its
    # own) is no line of the block either.
    rows = _up_to(rows, read.find(issue) + len(issue))
    return issue, doubt or _block_doubt(rows, column), rows


def _back_label_row(lines: List[Line], frame: CardFrame, key: str) -> Optional[float]:
    """The row (card units) where a back label was read, or None."""
    for line in lines:
        if any(k == key for k, _, _ in label_at(line.text, BACK_LABELS)):
            return frame.to_card(line.cx, line.cy)[1]
    return None


def _up_to(rows: List[List[Piece]], end: int) -> List[List[Piece]]:
    """The rows' pieces holding the first `end` characters of their joined text."""
    out, seen = [], 0
    for row in rows:
        kept = []
        for piece in row:
            if seen < end:
                kept.append(piece)
            seen += len(piece.text)
        if kept:
            out.append(kept)
    return out


def _beside_label(lines: List[Line], frame: CardFrame,
                  key: str) -> Optional[Tuple[float, float, float, float]]:
    """The area right of a back label that was read alone in its line (签发机关 or 有效期限
    with its value not detected): one line of the value, in its label's row, wherever this
    card prints it."""
    for line in lines:
        if any(k == key and end >= len(line.text) - 1 for k, _, end in label_at(line.text,
                                                                              BACK_LABELS)):
            x1, y = frame.to_card(line.x1, line.cy)
            half = max(frame.to_card(line.x1, line.y1)[1] - y, VALUE_HEIGHT / 2) * 1.3
            return x1 + 5, y - half, CARD[0] - 40, y + half
    return None


def _above_validity(valid: List[Piece]) -> Optional[Tuple[float, float, float, float]]:
    """The authority's (last) line, a row above the validity read (its label not read): in
    the validity's column, one value line high, centred 1.6 value heights above it."""
    if not valid:
        return None
    column = min(p.x0 for p in valid)
    y = sum(p.y for p in valid) / len(valid) - 1.6 * VALUE_HEIGHT
    return column - 0.25 * VALUE_HEIGHT, y - 0.75 * VALUE_HEIGHT, CARD[0] - 40, \
        y + 0.75 * VALUE_HEIGHT


VALIDITY_WIDTH = 21 * 0.55 * 0.7  # "2011.03.16-2016.03.16" in detected boxes' heights


DATE_ALPHABET = "0123456789.-长期"
VALID_YEARS = (5, 10, 20)  # a card is valid 5, 10 or 20 years from its issue, or 长期


def validity(text: str, consistent: bool = False) -> Optional[Tuple[str, str]]:
    """(start_date, end_date) from the validity as read, or None. `consistent`: also require
    what the card's rules make true (the end 5, 10 or 20 years after the start on the same
    day, or 长期): for a reading constrained to a date's characters, where a misread
    character becomes a digit."""
    m = re.search(r"(\d{4})\D?(\d{2})\D?(\d{2})\D*?(长期|\d{4}\D?\d{2}\D?\d{2})", text)
    if not m:
        return None
    start, end = m.group(1) + m.group(2) + m.group(3), m.group(4)
    end = end if end == "长期" else re.sub(r"\D", "", end)
    if consistent and end != "长期" and (
            int(end[:4]) - int(start[:4]) not in VALID_YEARS or end[4:] != start[4:]):
        return None
    return start, end


def complete_issue(out: Extraction, text: str, confidence: float) -> None:
    """The authority from its area read alone (out.missing_areas["issue"]): kept only when
    it is one whole, as authorities are (ends in 公安局 or 分局, names 公安)."""
    issue, doubt = authority(_trimmed(re.sub(r"[^\u3400-\u9fff]", "", text)))
    if issue and not doubt and not is_overlay(issue):
        out.put("issue", issue, confidence)
        _settle_places(out)


def complete_back(out: Extraction, text: str, confidence: float) -> None:
    """The validity from its line read again within DATE_ALPHABET (out.missing_areas["valid"]),
    kept only when it is consistent by the card's rules."""
    period = validity(text, consistent=True)
    if period:
        out.put("start_date", period[0], confidence)
        out.put("end_date", period[1], confidence)


AUTHORITY_SUFFIX = "局"  # every issuing authority is a 公安局 or one of its 分局
AUTHORITY_SUFFIXES = ("公安局", "分局")


def authority(text: str) -> Tuple[str, Optional[str]]:
    """The issuing authority ending at its suffix (a stray character read after 局 is cut),
    and a doubt when it does not end in 公安局 or 分局 (a lost last character: ...公安; a
    misread one: ...金凤夯局), or names no 公安: the text read is kept, never completed."""
    end = text.rfind(AUTHORITY_SUFFIX)
    if end >= 0 and len(text) - end - 1 <= 2:
        text = text[:end + 1]
    if not text:
        return text, None
    if not text.endswith(AUTHORITY_SUFFIXES) or "公安" not in text:
        return text, "no_authority_suffix"
    return text, None


# Pieces and boxes ----------------------------------------------------------------------------

LABEL_END = 115  # card units: a face label's characters stand left of this, values right
# A face label's word read this far (card units: a row and a half of the face's 62) from the
# row where the card prints that label is a value's word: 民族 of 民族路 in an address. (The
# back's labels are no words of an authority; on a back placed badly they stay labels.)
LABEL_ROW_FAR = 93
# Marks read between or after a label's characters (姓·名, 出生.): in the label column they
# are the label's, never the start of a value (a name's own middle dot stands in the value's).
LABEL_MARKS = ":：·.。,，"


def _pieces(lines: List[Line], frame: CardFrame, labels) -> List[Piece]:
    """Each line's text with the labels cut out, placed on the card (characters are taken as
    evenly spaced along the line, digits half as wide, to place a part of it). What is left
    of a face label whose other characters were lost (址 of 住址, 名 of 姓名) is cut too: a
    label's character standing in the label column."""
    label_chars = "".join(full for full, _, _ in labels.values())
    out = []
    for line in lines:
        text = line.text
        if not text:
            continue
        _, y = frame.to_card(line.cx, line.cy)
        spans, cursor, after = [], 0, None
        for key, start, end in label_at(text, labels):
            if labels is FACE_LABELS and abs(y - labels[key][2][1]) > LABEL_ROW_FAR:
                continue  # a word of the value's (民族路 in an address), not the label
            spans.append((cursor, start, after))
            cursor, after = end, key
        spans.append((cursor, len(text), after))
        # Digits and letters are narrower (half a Chinese character), so
        # "有效期限2018.12.29-…" places its date right.
        starts = character_starts(line)
        scores = line.char_scores if len(line.char_scores) == len(text) else (
            (line.score,) * len(text))
        for start, end, after in spans:
            while start < end and text[start] in ":：":
                start += 1
            while end > start and text[end - 1] in ":：":
                end -= 1
            begun = start
            if labels is FACE_LABELS and after is None and end - start > 2 \
                    and _one_off_label(text[start:start + 2]) and frame.to_card(
                        line.x0 + (starts[start + 1] + starts[start + 2]) / 2,
                        line.cy)[0] < LABEL_END:
                start += 2
            while labels is FACE_LABELS and after is None and end - start > 1 \
                    and text[start] in label_chars + LABEL_MARKS and frame.to_card(
                        line.x0 + (starts[start] + starts[start + 1]) / 2, line.cy)[0] < LABEL_END:
                start += 1
            start = _rest_of_label(text, begun, start, end, labels)
            if start == end:
                continue
            x0, _ = frame.to_card(line.x0 + starts[start], line.cy)
            x1, _ = frame.to_card(line.x0 + starts[end], line.cy)
            out.append(Piece(text[start:end], x0, x1, y, line, after, scores[start:end]))
    return out


def _one_off_label(pair: str) -> bool:
    """Whether two characters spell a face's two-character label (住址, 姓名, 性别, 出生) with
    one of them misread (佳址, 姓者). Standing in the label column, they are that label: a value
    starts in the value column, and none begins with a label's character in its place."""
    return any(len(full) == 2 and sum(a == b for a, b in zip(pair, full)) == 1
               for full, _, _ in FACE_LABELS.values())


def _rest_of_label(text: str, begun: int, start: int, end: int, labels) -> int:
    """Past the rest of a label whose first characters were cut in the label column (姓·名 read
    as one with the value, its letter-spaced 名 standing past the column): the characters
    that go on spelling that label are the label's too."""
    taken = "".join(c for c in text[begun:start] if c not in LABEL_MARKS)
    if not taken:
        return start
    for full, _, _ in labels.values():
        if full.startswith(taken) and len(full) > len(taken):
            rest = full[len(taken):]
            while end - start > 1 and rest and text[start] in rest[0] + LABEL_MARKS:
                rest = rest[1:] if text[start] == rest[0] else rest
                start += 1
            break
    return start


def _touching(pieces: List[Piece]) -> List[List[Piece]]:
    """The pieces in runs whose boxes touch (left to right). A gap of most of a character
    between two boxes is something else between them (a seal, a smear): a value is never
    assembled across it."""
    runs: List[List[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.x0):
        if runs:
            last = runs[-1][-1]
            char = (last.x1 - last.x0) / max(len(last.text), 1)
            if piece.x0 - last.x1 <= 0.8 * char:
                runs[-1].append(piece)
                continue
        runs.append([piece])
    return runs


def _box(pieces: List[Piece], left: float = 0.25,
         right: float = 0.5) -> Tuple[float, float, float, float]:
    """The box (card units) of a line read from `pieces`, with margins of `left` and `right`
    value heights: by default a quarter left and a half right, for a one-line value (no
    further left: the label); LINE_MARGIN each side for a block's line cut out again."""
    y = sum(p.y for p in pieces) / len(pieces)
    return (min(p.x0 for p in pieces) - left * VALUE_HEIGHT, y - 0.75 * VALUE_HEIGHT,
            max(p.x1 for p in pieces) + right * VALUE_HEIGHT, y + 0.75 * VALUE_HEIGHT)


def _confidence(pieces: List[Piece]) -> float:
    """The weakest character score among the pieces a value was read from (0 without any)."""
    return min((s for p in pieces for s in p.scores), default=0.0)


def _trimmed(text: str) -> str:
    """Without the colon or speck of dirt read before or after a value."""
    return re.sub(r"^[^\u3400-\u9fff0-9A-Za-z]+|[^\u3400-\u9fff0-9A-Za-z)）]+$", "", text)


def _joined(pieces: List[Piece], separator: str = "") -> str:
    return separator.join(p.text for p in sorted(pieces, key=lambda p: p.x0))
