"""The offline ID card engine: a photo in, the marketplace API's answer out.

`recognize(image_bytes, side)` returns the same fields the marketplace returns (name, sex,
nationality, birth, address, num with face_rect and card_region; or issue, start_date,
end_date) and `success`, plus `confidence` (per field, 0..1) and `doubts` (docs/engine.md).
A photo goes one way through the steps detect -> orient -> lines -> layout -> fields, run in
order here. Needs the `engine` extra (rapidocr-onnxruntime); nothing here is imported by the
OSS-triggered function unless it is configured to run the engine in-process.
"""

import copy
import hashlib
import json
import threading
from collections import OrderedDict

from .. import errors
from ..errors import PermanentError

SIDES = ("face", "back")
FACE_FIELDS = ("name", "sex", "nationality", "birth", "address", "num")
BACK_FIELDS = ("issue", "start_date", "end_date")

_cache: "OrderedDict[str, object]" = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 16


def recognize(image: bytes, side: str) -> dict:
    """The answer for `image` read as `side`; `success` is False when that side is not in it.

    Every answer carries `sides_found` (the sides present, e.g. ["face", "back"] for an A4
    sheet with both), so a caller can ask for the other side of the same image, and
    `on_sheet` (the photo is of a sheet: both sides found, or one card with text beside it
    that it does not explain, where the other side may be: _on_sheet).
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    answers = _answers(image)
    config = json.dumps({"side": side})
    if side not in answers:
        missed = {"success": False, "config_str": config,
                  "sides_found": [s for s in answers if s in SIDES]}
        if answers.get(PAGE_WITHOUT_CARD):
            missed["on_sheet"] = True
        if answers.get(OVER_BUDGET):
            missed[OVER_BUDGET] = True  # not found within the budget: it may be there
        return missed
    return dict(copy.deepcopy(answers[side]), config_str=config)  # the caller's own copy


def _answers(image: bytes) -> dict:
    """Every side's answer, cached by content (auto side detection asks for face, then back;
    a sheet is asked for both). The cache holds answers only, never pixels or lines."""
    key = hashlib.sha1(image).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    from . import ocr
    from .detect import DECODE_MAX_SIDE, without_dither

    array, scale = _decode(image, DECODE_MAX_SIDE)
    array = without_dither(array)  # a fax's dots smoothed to greys (detect.dithered)
    with ocr.budget() as work:
        sides, read, mirrored = _sides(array, scale)
        answers = {side: _answer(*sides[side], side, [s for s in SIDES if s in sides])
                   for side in SIDES if side in sides}
        page_without_card = not answers and _page_without_card(array)
    if len(answers) == len(SIDES):  # a sheet: the face's address names the back's authority
        from .fields import authority_from_face

        authority_from_face(answers["face"], answers["back"])
    for side, answer in answers.items():
        answer["on_sheet"] = len(answers) == len(SIDES) or _on_sheet(read, scale, *sides[side])
        # card_region is in the photo's pixels; what was read, in these (card/vouching.py's
        # large print: a 12 MP photo's card has half the pixels its region says)
        answer["decoded_scale"] = round(scale, 4)
        if mirrored:  # read mirrored back: its places, in the photo as sent
            _mirror_answer(answer, array.shape[1] * scale)
    if page_without_card:
        answers[PAGE_WITHOUT_CARD] = True
    if work.over:
        _over_budget(answers)
    with _cache_lock:
        _cache[key] = answers
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return answers


# Kept beside the sides' answers (never a side): no card was found on a photo of a page.
PAGE_WITHOUT_CARD = "page_without_card"
PAGE_LINE_MAX = 0.03
# An answer's key (and kept beside the sides' answers): the photo's reading stopped at its
# budget (ocr.budget), with work left undone.
OVER_BUDGET = "over_budget"


def _over_budget(answers: dict) -> None:
    """The answers of a photo whose reading its budget cut short (ocr.LINES_PER_PHOTO,
    DETECTIONS_PER_PHOTO: a page of print, a card on a newspaper, cards tiled): what was read
    stands as read, every field left empty is doubted `over_budget`, and each answer says
    `over_budget`, which card/vouching.py never vouches for (the cascade's API reads). A side
    not found was not found within the budget (recognize's miss says so too)."""
    for side in SIDES:
        if side not in answers:
            continue
        answer = answers[side]
        answer[OVER_BUDGET] = True
        for name in FACE_FIELDS if side == "face" else BACK_FIELDS:
            if not answer.get(name):
                answer["doubts"].setdefault(name, OVER_BUDGET)
                answer["confidence"][name] = 0.0
    answers[OVER_BUDGET] = True


def _page_without_card(array) -> bool:
    """Whether a photo on which no card was found is a page with text on it (a copy of the
    card's sides, both lost: darkened, turned or under a pen note): then the answer says
    `on_sheet`, so the cascade asks the API for both sides rather than calling it no card.
    Looked at only when no card was found. A blank page, a desk without paper, or a picture
    whose "text" is large (bars and boxes) is none: a card's lines on a page stand about 5 mm
    tall on a 297 mm sheet, under PAGE_LINE_MAX of its longer side."""
    from . import detect, ocr

    if not detect.is_page(array):
        return False
    try:
        located = detect.locate(array)
    except ocr.OverBudget:
        return False
    return located is not None and (
        detect.TEXT_BOX_HEIGHT / located.zoom <= PAGE_LINE_MAX * max(array.shape[:2]))


MAX_AREAS = 3      # text areas read per photo at most (a sheet: one per card turned its own way)
REST_MIN_CHARS = 10  # text left over by the cards found that is worth reading on its own


def _sides(array, scale):
    """(side -> (reading, the card frames of that reading) for every side in the photo, the
    pixels they were read from: `array`, brightened or mirrored, and whether mirrored).

    The text area is read in the direction its boxes and the direction classifier suggest
    (detect -> orient -> lines -> layout). When that finds no card, the other quarter turn is
    tried; when it finds a card but leaves text unexplained (the other card of a sheet, turned
    its own way), that text's area is read on its own. An upright single card costs one read.
    When no card was placed at any turn: a dark photo (detect.dark) with contrast to stretch
    (detect.stretchable) is read again with its contrast stretched; then, when the lines read
    there score poorly, the photo may be a front camera's mirror image (_may_be_mirrored): it
    is read again mirrored back (_read_mirrored). Only then: a photo on which a card was placed
    pays for neither.
    """
    from . import detect

    read = _located_sides(array, scale)
    if read is None:
        return {}, array, False
    sides, first, located = read
    if sides or _spent():
        return sides, array, False
    if detect.dark(array) and detect.stretchable(array):
        brighter = detect.brightened(array)
        read = _located_sides(brighter, scale)
        if read is None:
            return {}, array, False
        if read[0] or _spent():
            return read[0], brighter, False
    if not _may_be_mirrored(first):
        return sides, array, False
    return (*_read_mirrored(array, scale, located), True)


def _located_sides(array, scale):
    """(sides, the first area's reading, the quick location) of the photo located anew;
    None when the budget was spent locating it."""
    from . import detect, ocr

    try:
        located = detect.locate(array)
    except ocr.OverBudget:
        return None
    return (*_sides_located(array, scale, located), located)


def _spent() -> bool:
    """Whether the photo's work budget was spent (ocr.budget): no retry then."""
    from . import ocr

    work = ocr.work()
    return work is not None and work.over


# A mirrored card's lines read as characters, poorly: the median line of rover's mirrored
# hard photos scored 0.54-0.85. Asked only of a photo on which no card was placed: a picture
# without text reads nothing, print that is no card reads well.
MIRROR_SCORE = 0.9
# A card's worth of lines read backwards can still score well: the title's and labels' few
# lines (real-back-turned.jpg mirrored, 4 lines at a median of 0.948; face-exif-sideways.jpg
# mirrored as stored, 3 at 0.965) were never read again at 0.9 and found no card. So few
# lines are read again under MIRROR_FEW_SCORE; a page of print that is no card reads 26-45
# lines in its first area at 0.97-0.99 (blurred and recompressed), and is not.
MIRROR_FEW_LINES = 12
MIRROR_FEW_SCORE = 0.98


def _may_be_mirrored(reading) -> bool:
    """Whether the text area read (`reading`: its first read, no card placed in it) may be a
    card mirrored: text was read in it, and its median line scored under MIRROR_SCORE (under
    MIRROR_FEW_SCORE when it holds a card's few lines, MIRROR_FEW_LINES at most). A
    picture without text (nothing read) or print read well that is no card is not read
    again."""
    if reading is None or not reading.lines:
        return False
    scores = sorted(line.score for line in reading.lines)
    median = scores[len(scores) // 2]
    return median < MIRROR_SCORE or (len(scores) <= MIRROR_FEW_LINES
                                     and median < MIRROR_FEW_SCORE)


def _read_mirrored(array, scale, located):
    """The sides of a photo read mirrored back, and the mirrored pixels they were read from.
    Only for a photo in which text was located and no card placed at any turn: a selfie
    camera's mirror image (rover's hard photos) reads as nothing the right way round. The
    quick location is the photo's own, mirrored (no detection again)."""
    import dataclasses

    import numpy as np

    width = array.shape[1]
    flipped = np.ascontiguousarray(array[:, ::-1])
    x0, y0, x1, y1 = located.box
    sides, _ = _sides_located(flipped, scale, dataclasses.replace(
        located, box=(width - x1, y0, width - x0, y1)))
    return sides, flipped


def _mirror_answer(answer: dict, width: float) -> None:
    """An answer read from the photo mirrored back, in the photo as sent (`width` of its
    pixels): its places mirrored (card_region keeps the card's own corner order, so a crop
    by it comes out the right way round), its angle the other way, and `mirrored` said."""
    for key in ("card_region", "face_rect_vertices"):
        for point in answer.get(key, []):
            point["x"] = round(width - point["x"], 1)
    rect = answer.get("face_rect")
    if rect:
        rect["center"]["x"] = round(width - rect["center"]["x"], 1)
        rect["angle"] = round(-rect["angle"] % 360, 1)
    answer["angle"] = round(-answer["angle"] % 360, 1)
    answer["mirrored"] = True


def _sides_located(array, scale, located):
    """_sides' reading of the photo from the text area `located` (the quick location's):
    the sides, and the first area's reading (None when none was read)."""
    from . import ocr

    sides, first = {}, None
    # What is read after a card was found is read without it (_without_cards): the text left
    # over may lie on both sides of that card (a fax's header line above the face, the back
    # below), and an area around it would hold the card found again.
    unread = array
    try:
        looked_beside = left_over = False
        for _ in range(MAX_AREAS):
            if located is None and len(sides) == 1 and not looked_beside:
                looked_beside = True
                located = _beside(array, scale, *next(iter(sides.values())), left_over)
            if located is None or len(sides) == len(SIDES):
                break
            reading, found = _read_area(unread, scale, located)
            first = first or reading
            for side in found:
                sides.setdefault(side, (reading, found))
            if found:
                unread = _without_cards(unread, scale, reading, found)
            # Text left over that held no card (a caption beside a sheet's card) ends the reads
            # of what is left, not the look beside a small card found alone.
            located = _rest(array, scale, reading, found) if found else None
            left_over = left_over or located is not None
    except ocr.OverBudget:
        pass  # the photo's budget is spent: the sides found so far (_over_budget)
    return sides, first


def _beside(array, scale, reading, found, left_over: bool = False):
    """The area of text beside a card found alone that is small in the photo (an A4 sheet's:
    detect.SHEET_CARD_SHARE) and shows a sheet's signs: paper around it (detect.on_paper), or
    text left over that the card does not explain (`left_over`). The sheet's other card,
    darker or turned apart, may have been too small for the quick location to see at all.
    Looked for only then: the 1,280 px detection costs more than the rest of a plain photo's
    read, and a small card alone on a desk, a hand or a mat has nothing beside it."""
    from . import detect, ocr

    frame = next(iter(found.values()))
    card = [tuple(v / scale for v in reading.to_photo.to_photo(x, y))
            for x, y in frame.corners()]
    if detect.card_share(array, card) >= detect.SHEET_CARD_SHARE:
        return None
    if not left_over and not detect.on_paper(array, card):
        return None
    ocr.needs_lines()
    return detect.locate_beside(array, card)


# A card found is painted out this far beyond its frame (card units, 0.1 mm): a frame fitted
# to anchors is a millimetre or so off the print; a sheet's cards stand centimetres apart.
CARD_MARGIN = 30


def _without_cards(array, scale, reading, found):
    """The photo with the cards `found` in `reading` painted over in the photo's white: what
    is read next is the rest of the page. Read again with a card in it, the area left over
    (the back turned a quarter below the face, and a fax's header line above it) was turned
    the way the card found reads, and gave that card again, never the other (rover's faxed
    sheets #4001 and #4026 lost their back so)."""
    import cv2  # comes with rapidocr-onnxruntime
    import numpy as np

    from .layout import CARD

    out = array.copy()
    sample = array[::8, ::8].reshape(-1, array.shape[2])
    white = [int(v) for v in np.percentile(sample, 98, axis=0)]  # the paper's
    w, h, m = CARD[0], CARD[1], CARD_MARGIN
    for frame in found.values():
        corners = [frame.to_frame(x, y) for x, y in ((-m, -m), (-m, h + m), (w + m, h + m),
                                                      (w + m, -m))]
        polygon = [tuple(v / scale for v in reading.to_photo.to_photo(x, y)) for x, y in corners]
        cv2.fillPoly(out, [np.round(np.float32(polygon)).astype(np.int32)], white)
    return out


def _on_sheet(array, scale, reading, found) -> bool:
    """Whether the one card found has text beside it that it does not explain (_rest: 10
    characters or more outside its frame): a sheet's other side, not found as a card (a grey
    or black-and-white scan's, a two-up page's whose frame took in part of it). The answer
    says so (`on_sheet`), and the cascade does not call the reading complete. A card alone on
    a desk, in a hand or on a blank page (a flatbed scan of one side: paper all around, which
    detect.on_paper sees too) has no such text; one lying on a printed page does, and costs a
    look for the other side."""
    return _rest(array, scale, reading, found) is not None


def _read_area(array, scale, located):
    from . import layout, lines, ocr, orient

    ocr.needs_lines()
    upright = orient.orient(array, scale, located)
    reading = _card_lines(lines.read(upright))
    found = layout.frames(reading.lines)
    try:
        return _read_again(array, scale, located, upright, reading, found)
    except ocr.OverBudget:
        return reading, found  # no budget for another turn: this one's reading


def _read_again(array, scale, located, upright, reading, found):
    """_read_area's reading, or when it placed no card, another turn's that does."""
    from . import layout, lines, orient

    if not found and _labels_without_card(reading.lines):
        # A card's labels read, yet no card placed: its rows stand in reverse order, the
        # area upside down. The classifier's vote was outweighed by print around the card (a
        # newspaper or a form it lies on, the other way round): half a turn, the vote not
        # asked again. Only now: an upright card costs nothing more.
        turned = orient.orient(array, scale, located, turns=upright.frame.turns + 2,
                               settled=True)
        turned_reading = _card_lines(lines.read(turned))
        turned_found = layout.frames(turned_reading.lines)
        if turned_found:
            return turned_reading, turned_found
    if not found:  # the boxes' direction misled: the other quarter turn, only now
        other = orient.orient(array, scale, located, turns=upright.frame.turns + 1)
        other_reading = _card_lines(lines.read(other))
        other_found = layout.frames(other_reading.lines)
        if other_found:
            return other_reading, other_found
    return reading, found


def _labels_without_card(lines) -> bool:
    """Whether the lines hold two of a side's labels (or title, number) on different rows:
    a card's text, read along its lines."""
    from .layout import anchors

    for side in SIDES:
        rows = {a.card[1] for a in anchors(lines, side)}
        if len(rows) >= 2:
            return True
    return False


def _rest(array, scale, reading, found):
    """The area of the text no card found explains, or None when there is little of it."""
    from .detect import around

    rest = [line for line in reading.lines if len(line.text) >= 2
            and not any(frame.contains(line) for frame in found.values())]
    # Text running down the frame was not recognised: its characters are counted by its box
    # (about its length over its thickness).
    across = [line for line in reading.across
              if not any(frame.contains(line) for frame in found.values())]
    characters = sum(len(line.text) for line in rest) + sum(
        round(line.height / max(line.width, 1.0)) for line in across)
    if characters < REST_MIN_CHARS:
        return None
    rest += across
    return around(array, _without_watermark([
        [(x / scale, y / scale) for x, y in line.points] for line in rest], [
        [(x / scale, y / scale) for x, y in line.points] for line in reading.overlays]))


def _without_watermark(quads, overlays):
    """`quads` without the pieces of a watermark tiled across the area read (with `overlays`,
    its writing already set aside): pieces that hold no copy-marking word (报名, 又供本次入学)
    or ran across the frame unread would stretch the area left over to the whole page. The
    watermark spans the area read, not the photo: the area's extent is the boxes'."""
    from .detect import tiled_watermark

    every = quads + overlays
    if not every:
        return quads
    xs = [x for quad in every for x, _ in quad]
    ys = [y for quad in every for _, y in quad]
    tiled = tiled_watermark(every, max(xs) - min(xs), max(ys) - min(ys))
    return [quad for quad, mark in zip(quads, tiled) if not mark]


def _card_lines(reading):
    """The reading without watermarks and seals (layout.split_overlays), kept aside."""
    import dataclasses

    from .layout import split_overlays

    kept, overlays = split_overlays(reading.lines)
    return dataclasses.replace(reading, lines=kept, overlays=overlays)


def _answer(reading, frames: dict, side: str, sides_found) -> dict:
    from .fields import extract, settle_unsure_name, settle_unsure_number
    from .ocr import OverBudget

    others = [f for s, f in frames.items() if s != side]
    extraction = extract(reading.lines, frames[side], others, reading.overlays)
    try:
        _complete(extraction, reading, frames, side)
        _confirm(extraction, reading, frames[side])
    except OverBudget:
        pass  # the values as extracted: the answer says over_budget (_over_budget)
    if side == "face":
        settle_unsure_name(extraction)
        settle_unsure_number(extraction)
    answer = dict(extraction.fields)
    answer["confidence"] = {name: extraction.confidence.get(name, 0.0)
                            for name in (FACE_FIELDS if side == "face" else BACK_FIELDS)}
    answer["doubts"] = dict(extraction.doubts)
    answer["evidence"] = dict(extraction.evidence)
    if side == "face":
        for name in FACE_FIELDS:
            answer.setdefault(name, "")
        answer["num_valid"] = bool(extraction.num_valid)
        answer["birth_source"] = extraction.birth_source
        answer["birth_conflict"] = extraction.birth_conflict
    else:
        for name in BACK_FIELDS:
            answer.setdefault(name, "")
    answer.update(_geometry(reading, extraction.frame))
    answer.update({"success": True, "sides_found": sides_found,
                   "angle": round(reading.angle, 1), "engine": "idcard-ocr offline"})
    return answer


def _complete(extraction, reading, frames: dict, side: str) -> None:
    """The values step 3 did not find, read from their areas on the card and handed back."""
    from .fields import ETHNIC_GROUPS, complete, missing_nationality, nationality_area
    from .lines import choose_in_area, recognize_area

    if side == "face" and extraction.missing_areas:
        # Step 5 asks for the areas of the values step 3 did not find; they are read here,
        # on the card's frame, and handed back (no step calls an earlier one).
        frame = frames[side]
        areas = {name: _area_read(recognize_area(reading, _upright_box(frame, box)))
                 for name, box in extraction.missing_areas.items() if name != "address_more"}
        if "address_more" in extraction.missing_areas:
            below = recognize_area(
                reading, _upright_box(frame, extraction.missing_areas["address_more"]))
            # As read whatever its score: only a place read and holding no character ends the
            # address (fields._continue_address). A line read poorly there is not a blank line
            # (it may be the address's lost end), nor is a place off the photo (left out).
            if below is not None:
                areas["address_more"] = (below.text, min(below.char_scores, default=0.0))
        choice = (None, 0.0)
        if missing_nationality(extraction, areas):
            choice = choose_in_area(reading, _upright_box(frame, nationality_area(extraction)),
                                    ETHNIC_GROUPS)
        complete(extraction, areas, choice)
    if side == "back" and "issue" in extraction.missing_areas:
        from .fields import complete_issue

        complete_issue(extraction, *_area_text(recognize_area(
            reading, _upright_box(frames[side], extraction.missing_areas["issue"]))))
    if side == "back" and "valid" in extraction.missing_areas:
        from .fields import DATE_ALPHABET, complete_back
        from .lines import recognize_area_within

        found = recognize_area_within(
            reading, _upright_box(frames[side], extraction.missing_areas["valid"]), DATE_ALPHABET)
        if found is not None:
            complete_back(extraction, found.text, min(found.char_scores, default=0.0))


def _confirm(extraction, reading, frame) -> None:
    """The free-text values read a second way, each line cut out straight (fields.confirm_lines,
    then confirm_name, which measures the name against the address's print)."""
    from .fields import confirm_lines, confirm_name
    from .lines import read_as_lines

    # A value already doubted gains nothing from a second read: the recogniser's time is spent
    # on those that may still be vouched for.
    values = [(name, [_upright_box(frame, box) for _, box in lines])
              for name, lines in extraction.read_lines.items()
              if name in extraction.fields and name not in extraction.doubts]

    def name_wanted() -> bool:
        return bool(extraction.fields.get("name")) and "name" not in extraction.doubts and \
            "name" in extraction.read_boxes

    name_box = [_upright_box(frame, extraction.read_boxes["name"])] if name_wanted() else []
    # All read in one call, side by side (a line reads the same alone or beside others).
    reads = iter(read_as_lines(reading, [box for _, boxes in values for box in boxes] + name_box))
    for name, boxes in values:
        confirm_lines(extraction, name, [next(reads) for _ in boxes])
    if name_box and name_wanted():
        confirm_name(extraction, next(reads))
    # Measured on a name read from its lines only: its box is its print's. An area read alone
    # (fields.complete) spans the row from the values' column, label remnants and all.
    if name_wanted() and "name" in extraction.read_from and _print_wider_than_name(
            extraction, reading, frame):
        extraction.doubt("name", "dropped_character")


# The name's print this many characters wider than the characters read from it, and this
# share wider: one lost. Names read whole were at most 0.46 character and 12 % wider (pilgrim,
# wayfarer, stranger: 60 faces; 薛诗婧建 4.46, a CJK font's full-width dot 古丽加依·托合托逊
# 9.6), the one with its last character lost 1.4 and 47 % (尉迟语燚 read 尉迟语). A long name's
# one lost character (8 read 7: 14 %) is not seen: its spacing adds up as much.
LOST_IN_PRINT = 0.6
LOST_SHARE = 1.25
PRINT_GAP = 0.5


def _print_wider_than_name(extraction, reading, frame) -> bool:
    """Whether the name's print is wider than the characters read from it: a character
    printed and not read at all, at the name's end (尉迟语燚 read 尉迟语 at 0.98: no gap between
    characters shows it, and a name printed larger than the address passes fields'
    LOST_CHARACTER). The print's extent is its ink's; a character's width, its height (Chinese
    characters are square, names set with little spacing; CJK fonts set the dot full width)."""
    import numpy as np

    from .lines import _area

    name = extraction.fields["name"]
    x0, y0, x1, y1 = extraction.read_boxes["name"]
    crop = _area(reading, _upright_box(frame, (x0, y0, x1, y1)))
    if crop is None or crop.size == 0:
        return False
    grey = crop.mean(axis=2)
    ink, paper = np.percentile(grey, 3), np.percentile(grey, 90)
    if paper - ink < 40:
        return False
    dark = grey < (ink + paper) / 2
    columns = np.flatnonzero(dark.sum(axis=0) >= 2)
    rows = np.flatnonzero(dark.sum(axis=1) >= 2)
    if len(columns) < 2 or len(rows) < 2:
        return False
    tall = rows[-1] - rows[0] + 1
    # The print is the widest run of ink without a gap of half a character: a label's 名 the
    # box took in stands further apart, as does a speck.
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > PRINT_GAP * tall) + 1)
    wide = max(run[-1] - run[0] + 1 for run in runs) / tall
    read = len(name)
    return bool(wide >= max(read + LOST_IN_PRINT, LOST_SHARE * read))


def _upright_box(frame, box):
    """A box in card units -> the same box in the upright frame."""
    (x0, y0), (x1, y1) = frame.to_frame(box[0], box[1]), frame.to_frame(box[2], box[3])
    return x0, y0, x1, y1


def _area_text(found):
    """(text, confidence) of an area recognised alone; nothing when it read below 0.5, as
    RapidOCR drops such a line."""
    if found is None or found.score < 0.5:
        return "", 0.0
    return found.text, min(found.char_scores, default=0.0)


def _area_read(found):
    """_area_text with each character's score (for a value whose area took in part of its
    label: fields.complete measures the value's characters only)."""
    text, confidence = _area_text(found)
    return (text, confidence, tuple(found.char_scores)) if text else (text, confidence)


def _decode(image: bytes, max_side: int):
    """RGB array of the upright photo, at most max_side, and photo pixels per array pixel.

    Opened as the function opens uploads (imaging.prepare): structures that would cost memory
    before any pixel (tag tables, endless scans) are refused, EXIF orientation is read by our
    bounded reader, and the picture is shrunk before it is converted or turned.
    """
    import numpy as np
    from PIL import Image

    from ..imaging import sniff
    from ..imaging.prepare import open_image, orientation, refuse_hostile_structure, upright

    fmt = sniff(image)
    if fmt is None:
        raise PermanentError(errors.INVALID_IMAGE, "image data is not an image")
    refuse_hostile_structure(fmt, image)
    try:
        img = open_image(fmt, image)
        width, height = img.size
        turn = orientation(img)
        if turn in (5, 6, 7, 8):
            width, height = height, width
        if fmt == "JPEG" and max(img.size) > max_side:
            ratio = 0.95 * max_side / max(img.size)  # draft reduces by 1/2, 1/4, 1/8 only
            img.draft("RGB", (int(img.size[0] * ratio), int(img.size[1] * ratio)))
        img.load()
        if img.mode not in ("RGB", "RGBA", "RGBX", "L", "LA"):  # modes resampling cannot take
            img = img.convert("RGB")
        if max(img.size) > max_side:
            img.thumbnail((max_side, max_side), Image.BILINEAR)
        img = upright(img, turn).convert("RGB")
    except Exception:
        raise PermanentError(errors.INVALID_IMAGE, "image data is corrupt") from None
    return np.asarray(img), width / img.size[0]


def _geometry(reading, frame) -> dict:
    """card_region (and on the face, face_rect) from the card frame, in the photo's pixels."""
    from .layout import PORTRAIT

    to_photo = reading.to_photo.to_photo
    out = {"card_region": [_point(*to_photo(x, y)) for x, y in frame.corners()]}
    if frame.side != "face":
        return out
    px0, py0, px1, py1 = PORTRAIT
    face = [frame.to_frame(x, y) for x, y in ((px0, py0), (px0, py1), (px1, py1), (px1, py0))]
    vertices = [_point(*to_photo(x, y)) for x, y in face]
    cx = sum(v["x"] for v in vertices) / 4
    cy = sum(v["y"] for v in vertices) / 4
    unit = frame.scale * reading.to_photo.scale
    out.update({
        "face_rect": {"angle": round(reading.angle, 1),
                      "center": {"x": round(cx, 1), "y": round(cy, 1)},
                      "size": {"width": round((px1 - px0) * unit, 1),
                               "height": round((py1 - py0) * unit, 1)}},
        "face_rect_vertices": vertices,
    })
    return out


def _point(x: float, y: float) -> dict:
    return {"x": round(x, 1), "y": round(y, 1)}
