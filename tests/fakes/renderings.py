"""Two more renderings of the resident ID card, for testing the offline engine on cards it was
not tuned on (issue 22). Each is drawn from its own description, with its own fonts, layout
figures, overlays and photographs; neither shares drawing code with tests/fakes/realistic.py
beyond the photographing helpers (desk, glare, photocopy, JPEG).

- `gb`: after GB 19584's description of the card (85.6 x 54 mm; labels in a smaller size
  left of the values; a 4-row block beside the portrait, the address wrapped, the number on
  its own row at the bottom; on the back the emblem, the title block and two value rows). Hei
  and Song fonts (WenQuanYi Zen Hei, Noto Sans CJK, AR PL UMing, Noto Serif CJK); the number
  in OCR-B or a monospaced Hei. Photocopy-style overlays: round red stamps and grey
  "仅限…使用" watermarks; labels misprinted; authorities long enough to wrap. **Tuning set.**
- `specimen`: after the specimen pictures published with the card (values in a Kai or Song
  face, labels spaced out, the number in a plain sans font, larger letter gaps), with oval red
  stamps reading "复印无效", diagonal red and grey "样本"/"他用无效" watermarks, and sheets whose
  two sides are turned and darkened separately. **Hold-out: never looked at while tuning.**

`shoot(rendering, kind, seed)` gives a Photo (tests/fakes/realistic.py) for the kinds
plain_face, plain_back, hard (quarter turns with skew, glare, small cards from 448 px, stamps,
watermarks, dark photos) and sheet (both sides on an A4 page). Everything follows from the seed.
"""

import math
import random
from typing import Dict, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from tests.fakes import realistic
from tests.fakes.cards import (CARD, REAL_NATIONS, REAL_PLACES, authority_of, random_back,
                               random_face)
from tests.fakes.realistic import Photo

RENDERINGS = ("gb", "specimen")
KINDS = ("plain_face", "plain_back", "hard", "sheet")
# Renderings written later, each in its own module with shoot(kind, seed): fresh (the third,
# tuned on since 2026-12-06), blind (the fourth, tests/fakes/blind.py), outsider (the fifth,
# tests/fakes/outsider.py), novel (the sixth, tests/fakes/novel.py), stranger (the seventh,
# tests/fakes/stranger.py, tuned on since 2026-12-07), wayfarer (the eighth,
# tests/fakes/wayfarer.py, tuned on since 2026-12-07), pilgrim (the ninth, tests/fakes/pilgrim.py,
# tuned on since 2026-12-07), nomad (the tenth, tests/fakes/nomad.py, tuned on since
# 2026-12-07), drifter (the eleventh, tests/fakes/drifter.py, tuned on since 2026-12-07),
# rover (the twelfth, tests/fakes/rover.py, tuned on since 2026-12-07) and vagabond (the
# thirteenth, a hold-out never tuned on, tests/fakes/vagabond.py).
HOLDOUT_MODULES = {"fresh": "tests.fakes.fresh", "blind": "tests.fakes.blind",
                   "outsider": "tests.fakes.outsider", "novel": "tests.fakes.novel",
                   "stranger": "tests.fakes.stranger", "wayfarer": "tests.fakes.wayfarer",
                   "pilgrim": "tests.fakes.pilgrim", "nomad": "tests.fakes.nomad",
                   "drifter": "tests.fakes.drifter", "rover": "tests.fakes.rover",
                   "vagabond": "tests.fakes.vagabond"}
FONTS = {  # rendering -> (path, face index) of the value fonts it draws with
    "gb": (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
           ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
           ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
           ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)),
    "specimen": (("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
                 ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
                 ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)),
}
NUMBER_FONTS = {
    "gb": ((realistic.OCR_B, 0), ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 7)),
    "specimen": (("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
                 ("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf", 0),
                 (realistic.OCR_B, 0)),
}
OVERLAY_PHRASES = ("复印无效", "仅限办理{}使用", "他用无效", "仅供{}使用", "再次复印无效", "样本")
PURPOSES = ("社保", "入职", "银行开户", "租房", "贷款")
LABEL_BLUE = (40, 112, 180)
INK = (22, 22, 24)
STAMP_RED = (214, 36, 40)
# Labels as a careless template prints them (a lost or wrong character).
MISPRINTS = {"民族": ("民联", "民旅"), "性别": ("性划",), "出生": ("出主",), "住址": ("住扯",)}


def available() -> bool:
    from tests.fakes.typefaces import installed

    return all(installed(style) for style in (*FONTS.values(), *NUMBER_FONTS.values()))


def shoot(rendering: str, kind: str, seed: int, paired: bool = False) -> Photo:
    """`paired`: a sheet's back belongs to its face's holder (realistic.shoot's `paired`; the
    renderings of HOLDOUT_MODULES always pair them)."""
    if rendering in HOLDOUT_MODULES:  # a hold-out drawn by its own module (always paired)
        import importlib

        return importlib.import_module(HOLDOUT_MODULES[rendering]).shoot(kind, seed)
    rng = random.Random(f"{rendering}/{kind}/{seed}")
    if kind == "sheet":
        face = _card(rendering, "face", rng, kind)
        back = _card(rendering, "back", rng, kind, *((face[0]["birth"], face[0]["address"])
                                                     if paired else ()))
        img, detail = _sheet(rendering, face, back, rng)
        return Photo(kind, realistic._jpeg(img, rng.randint(78, 92)),
                     {"face": face[0], "back": back[0]}, detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    truth, img = _card(rendering, side, rng, kind)
    img, detail = _photograph(img, rng, kind)
    return Photo(kind, realistic._jpeg(img, rng.randint(74, 93)), {side: truth}, detail)


# Cards -----------------------------------------------------------------------------------------

def _card(rendering: str, side: str, rng: random.Random, kind: str,
          birth: Optional[str] = None, address: Optional[str] = None
          ) -> Tuple[Dict, Image.Image]:
    font = rng.choice(FONTS[rendering])
    if side == "face":
        truth = random_face(rng, places=REAL_PLACES, nations=REAL_NATIONS)
        while len(truth["address"]) > 33:
            truth = random_face(rng, places=REAL_PLACES, nations=REAL_NATIONS)
        img = (_gb_face if rendering == "gb" else _specimen_face)(truth, font, rng, kind)
    else:
        truth = random_back(rng, places=REAL_PLACES, birth=birth)
        drawn = truth["issue"]
        if address is not None:  # drawn as before, then issued where the holder lives
            truth["issue"] = authority_of(address, REAL_PLACES)
        img = (_gb_back(truth, font, rng, drawn) if rendering == "gb"
               else _specimen_back(truth, font, rng))
    if kind != "plain_face" and kind != "plain_back":
        if rng.random() < 0.5:
            img = _stamp(img, rng, oval=rendering == "specimen")
        if rng.random() < 0.5:
            img = _watermark(img, rng, red=rendering == "specimen" and rng.random() < 0.5)
    return truth, img


def _label(text: str, rng: random.Random, kind: str) -> str:
    if kind == "hard" and text in MISPRINTS and rng.random() < 0.15:
        return rng.choice(MISPRINTS[text])
    return text


def _gb_face(truth, font, rng, kind) -> Image.Image:
    img, d, label, value = _face_canvas(rng, (243, 240, 231), (222, 208, 204), font, (18, 24),
                                        (28, 34))
    left, column = rng.randint(44, 60), rng.randint(128, 150)
    rows = [72 + rng.randint(-5, 5), 134 + rng.randint(-5, 5), 196 + rng.randint(-5, 5),
            258 + rng.randint(-5, 5)]

    def at(y, font_):
        return y - (font_.getbbox("国")[1] + font_.getbbox("国")[3]) // 2

    d.text((left, at(rows[0], label)), _label("姓名", rng, kind), font=label, fill=LABEL_BLUE)
    d.text((column, at(rows[0], value)), truth["name"], font=value, fill=INK)
    d.text((left, at(rows[1], label)), _label("性别", rng, kind), font=label, fill=LABEL_BLUE)
    d.text((column, at(rows[1], value)), truth["sex"], font=value, fill=INK)
    nation_x = column + rng.randint(100, 120)
    d.text((nation_x, at(rows[1], label)), _label("民族", rng, kind), font=label, fill=LABEL_BLUE)
    d.text((nation_x + rng.randint(80, 95), at(rows[1], value)), truth["nationality"],
           font=value, fill=INK)
    d.text((left, at(rows[2], label)), _label("出生", rng, kind), font=label, fill=LABEL_BLUE)
    b, x = truth["birth"], column
    for text, f in ((b[:4], value), ("年", label), (str(int(b[4:6])), value), ("月", label),
                    (str(int(b[6:])), value), ("日", label)):
        d.text((x, at(rows[2], f)), text, font=f, fill=INK if f is value else LABEL_BLUE)
        x += int(d.textlength(text, font=f)) + rng.randint(8, 14)
    d.text((left, at(rows[3], label)), _label("住址", rng, kind), font=label, fill=LABEL_BLUE)
    per_line = 11 if value.size <= 31 else 10
    address = truth["address"]
    for i in range(0, len(address), per_line):
        d.text((column, at(rows[3] + (i // per_line) * 42, value)), address[i:i + per_line],
               font=value, fill=INK)
    number_font = rng.choice(NUMBER_FONTS["gb"])
    digits = ImageFont.truetype(number_font[0], rng.randint(32, 38), index=number_font[1])
    y = 460 + rng.randint(-6, 6)
    d.text((left, at(y, label)), "公民身份号码", font=label, fill=LABEL_BLUE)
    x = rng.randint(285, 305)
    gap = max(0.0, min(rng.uniform(1, 4), (830 - x - d.textlength(truth["num"], font=digits)) / 17))
    for ch in truth["num"]:
        d.text((x, y - (digits.getbbox("0")[1] + digits.getbbox("0")[3]) // 2), ch, font=digits,
               fill=INK)
        x += d.textlength(ch, font=digits) + gap
    realistic._portrait(img, rng)
    return img


def _gb_back(truth, font, rng, drawn: Optional[str] = None) -> Image.Image:
    """`drawn`: the authority the back was drawn with, when a holder's bureau replaced it
    (paired sheets): the wrap's draw is made as for it, so the rest is drawn the same."""
    img = _paper(rng, (238, 242, 245), (214, 224, 232))
    d = ImageDraw.Draw(img)
    realistic._emblem(d, (58 + rng.randint(-6, 6), 42 + rng.randint(-6, 6)), 146)
    title = ImageFont.truetype(font[0], rng.randint(40, 46), index=font[1])
    big = ImageFont.truetype(font[0], rng.randint(58, 66), index=font[1])
    _spaced(d, (250, 60), "中华人民共和国", title, INK, rng.randint(6, 10))
    _spaced(d, (250, 148), "居民身份证", big, INK, rng.randint(18, 24))
    label = ImageFont.truetype(font[0], rng.randint(19, 24), index=font[1])
    value = ImageFont.truetype(font[0], rng.randint(25, 30), index=font[1])
    issue = truth["issue"]
    # A long authority wraps onto a second line under the first (the template's column ends
    # before the card's edge); the validity row moves down to make room.
    wraps = len(drawn or issue) > 12 and rng.random() < 0.6
    wrap = 12 if len(issue) > 12 and wraps else 99
    first, rest = issue[:wrap], issue[wrap:]
    y_issue, y_valid = 408 + rng.randint(-4, 4), 470 + rng.randint(-4, 4)
    if rest:
        y_issue, y_valid = 392, 486
    centre = (value.getbbox("国")[1] + value.getbbox("国")[3]) // 2
    _spaced(d, (168, y_issue - centre + 2), "签发机关", label, INK, 4)
    d.text((314, y_issue - centre), first, font=value, fill=INK)
    if rest:
        d.text((314, y_issue + 38 - centre), rest, font=value, fill=INK)
    _spaced(d, (168, y_valid - centre + 2), "有效期限", label, INK, 4)
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    d.text((314, y_valid - centre), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", font=value, fill=INK)
    return img


def _specimen_face(truth, font, rng, kind) -> Image.Image:
    img, d, label_font, value = _face_canvas(rng, (248, 244, 236), (232, 214, 200), font,
                                             (20, 23), (30, 35))
    left, column = 50 + rng.randint(-3, 8), 142 + rng.randint(-4, 10)

    def row(y, name, text, x_label=left, x_value=column):
        top = y - (value.getbbox("国")[1] + value.getbbox("国")[3]) // 2
        _spaced(d, (x_label, top + 6), _label(name, rng, kind), label_font, LABEL_BLUE,
                label_font.size)  # labels spaced out: 姓  名
        d.text((x_value, top), text, font=value, fill=INK)

    row(70, "姓名", truth["name"])
    row(132, "性别", truth["sex"])
    row(132, "民族", truth["nationality"], column + 104, column + 204)
    b = truth["birth"]
    row(194, "出生", f"{b[:4]}  年  {int(b[4:6])}  月  {int(b[6:])}  日".replace("  ", " "))
    row(256, "住址", truth["address"][:11])
    for i in range(11, len(truth["address"]), 11):
        row(256 + 42 * (i // 11), "", truth["address"][i:i + 11])
    number_font = rng.choice(NUMBER_FONTS["specimen"])
    digits = ImageFont.truetype(number_font[0], rng.randint(30, 36), index=number_font[1])
    _spaced(d, (left, 450), "公民身份号码", label_font, LABEL_BLUE, 1)
    _spaced(d, (300 + rng.randint(-10, 6), 440), truth["num"], digits, INK,
            rng.uniform(3, 6))
    realistic._portrait(img, rng)
    return img


def _specimen_back(truth, font, rng) -> Image.Image:
    img = _paper(rng, (240, 243, 247), (206, 220, 234))
    d = ImageDraw.Draw(img)
    realistic._emblem(d, (66, 50), 132)
    title = ImageFont.truetype(font[0], rng.randint(38, 44), index=font[1])
    big = ImageFont.truetype(font[0], rng.randint(56, 64), index=font[1])
    _spaced(d, (254, 64), "中华人民共和国", title, INK, 9)
    _spaced(d, (254, 152), "居民身份证", big, INK, 20)
    label = ImageFont.truetype(font[0], rng.randint(20, 23), index=font[1])
    value = ImageFont.truetype(font[0], rng.randint(26, 29), index=font[1])
    _spaced(d, (170, 396), "签发机关", label, INK, 6)
    d.text((318, 392), truth["issue"], font=value, fill=INK)
    _spaced(d, (170, 456), "有效期限", label, INK, 6)
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    d.text((318, 452), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", font=value, fill=INK)
    return img


def _face_canvas(rng, paper, ink, font, label_sizes, value_sizes):
    """A blank face in this style: the paper, a pen, and label and value fonts of sizes drawn
    from the style's ranges."""
    img = _paper(rng, paper, ink)
    label = ImageFont.truetype(font[0], rng.randint(*label_sizes), index=font[1])
    value = ImageFont.truetype(font[0], rng.randint(*value_sizes), index=font[1])
    return img, ImageDraw.Draw(img), label, value


def _spaced(d, xy, text, font, fill, gap) -> None:
    x, y = xy
    for ch in text:
        d.text((x, y), ch, font=font, fill=fill)
        x += d.textlength(ch, font=font) + gap


def _paper(rng: random.Random, paper, ink) -> Image.Image:
    """Plain paper with faint concentric waves (the security print, simpler than realistic's)."""
    img = Image.new("RGB", CARD, paper)
    d = ImageDraw.Draw(img)
    cx, cy = rng.randint(200, 650), rng.randint(120, 420)
    for r in range(20, 900, rng.randint(9, 15)):
        d.ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), outline=ink)
    return img


# Overlays --------------------------------------------------------------------------------------

def _stamp(img: Image.Image, rng: random.Random, oval: bool) -> Image.Image:
    """A red seal pressed over the card, with a phrase, partly over the values."""
    layer = Image.new("L", CARD, 0)
    d = ImageDraw.Draw(layer)
    cx, cy = rng.randint(260, 620), rng.randint(150, 470)
    rx = rng.randint(80, 120)
    ry = int(rx * (0.65 if oval else 1.0))
    d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=255, width=rng.randint(5, 8))
    font = ImageFont.truetype(FONTS["gb"][0][0], rng.randint(24, 32))
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))[:6]
    width = d.textlength(phrase, font=font)
    d.text((cx - width / 2, cy - 14), phrase, font=font, fill=255)
    if not oval:
        star = [(cx + 22 * math.cos(-math.pi / 2 + i * math.pi / 5) * (1 if i % 2 == 0 else 0.4),
                 cy - ry * 0.5 + 22 * math.sin(-math.pi / 2 + i * math.pi / 5)
                 * (1 if i % 2 == 0 else 0.4)) for i in range(10)]
        d.polygon(star, fill=255)
    layer = layer.rotate(rng.uniform(-30, 30), center=(cx, cy))
    alpha = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.6, 0.85)
    arr = np.asarray(img, dtype=np.float32)
    red = np.array(STAMP_RED, dtype=np.float32)
    out = arr * (1 - alpha) + np.minimum(arr, red) * alpha  # ink multiplies: text stays dark
    return Image.fromarray(out.astype(np.uint8))


def _watermark(img: Image.Image, rng: random.Random, red: bool) -> Image.Image:
    """A diagonal phrase across the card, as copies are marked before they are sent."""
    layer = Image.new("L", (CARD[0] * 2, CARD[1] * 2), 0)
    d = ImageDraw.Draw(layer)
    font = ImageFont.truetype(FONTS["gb"][1][0], rng.randint(34, 48), index=FONTS["gb"][1][1])
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))
    for k in range(rng.randint(1, 3)):
        d.text((rng.randint(300, 700), CARD[1] // 2 + 260 * k + rng.randint(0, 120)), phrase,
               font=font, fill=255)
    layer = layer.rotate(rng.uniform(15, 35)).crop(
        (CARD[0] // 2, CARD[1] // 2, CARD[0] // 2 + CARD[0], CARD[1] // 2 + CARD[1]))
    alpha = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.25, 0.45)
    colour = np.array(STAMP_RED if red else (110, 110, 115), dtype=np.float32)
    arr = np.asarray(img, dtype=np.float32)
    return Image.fromarray((arr * (1 - alpha) + colour * alpha).astype(np.uint8))


# Photographs -----------------------------------------------------------------------------------

def _photograph(card: Image.Image, rng: random.Random, kind: str):
    if kind in ("plain_face", "plain_back"):
        width = rng.randint(700, 1300)
        img = realistic._on(card, rng, width, (width + rng.randint(40, 200),
                                               int(width * 0.63) + rng.randint(40, 200)),
                            tilt=rng.uniform(-3, 3), desk=rng.random() < 0.5, warp=0.02)
        return img, f"card {width}px"
    width = rng.randint(448, 1100)
    turn = rng.choice((0, 90, 180, 270))
    tilt = rng.uniform(-8, 8)
    glare = rng.random() < 0.35
    size = (int(width * 1.45), int(width * 1.1))
    img = realistic._on(card, rng, width, size, tilt=tilt, desk=True, warp=0.03, glare=glare)
    dark = rng.random() < 0.3
    if dark:
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.45, 0.7))
    detail = f"card {width}px, turned {turn}, tilt {tilt:.0f}" + (", glare" if glare else "") \
        + (", dark" if dark else "")
    return img.rotate(turn, expand=True), detail


def _sheet(rendering: str, face, back, rng: random.Random):
    """Both sides on an A4 page, each turned (quarter turns plus a tilt) and darkened on its
    own, scanned or photographed."""
    dpi = rng.choice((150, 200))
    px_mm = dpi / 25.4
    page = Image.new("RGB", (int(210 * px_mm), int(297 * px_mm)), (251, 251, 249))
    width, height = int(85.6 * px_mm), int(54 * px_mm)
    notes = []
    for (truth, card), top in ((face, 25), (back, 160)):
        img = card.resize((width, height), Image.LANCZOS)
        if rng.random() < 0.5:
            img = realistic._photocopy(img, rng)
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.55, 1.0))
        turn = rng.choice((0, 0, 90, 180, 270))
        img = img.rotate(turn + rng.uniform(-3, 3), expand=True, fillcolor=(251, 251, 249),
                         resample=Image.BICUBIC)
        x = int(page.width / 2 - img.width / 2 + rng.uniform(-10, 10) * px_mm)
        page.paste(img, (x, int(top * px_mm)))
        notes.append(f"turned {turn}")
    detail = f"A4 at {dpi} dpi, card {width}px, " + ", ".join(notes)
    if rng.random() < 0.5:
        page_width = rng.randint(1100, 1400)
        page = page.resize((page_width, int(page_width * 297 / 210)), Image.LANCZOS)
        page = realistic._on(page, rng, page_width, (page_width + 300, int(page_width * 1.414)
                                                     + 300), tilt=rng.uniform(-5, 5), desk=True,
                             warp=0.02, corner=0.0)
        detail += ", photographed"
    return page, detail
