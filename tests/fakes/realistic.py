"""Realistic ID card photos with exact truth, drawn entirely here, for the engine's tests and bench.

The card follows the resident ID card's real proportions (85.6 x 54 mm, drawn at 10 px/mm)
and layout: a guilloche-like background, blue labels smaller than the values, values in a
Hei-style font (WenQuanYi Micro/Zen Hei or Noto Sans CJK SC, Debian's fonts-wqy-* and
fonts-noto-cjk), the citizen number in OCR-B (Debian's fonts-ocr-b), the address wrapped at
11 characters a line, a drawn portrait on the face, and a drawn emblem with the title block on
the back. Data comes from tests/fakes/cards.py (valid numbers; all 56 recognised ethnic
groups; addresses with 街道, 哈尔滨, 新疆...).

`shoot(kind, seed)` photographs one card or an A4 sheet the way users do (desk, hand,
perspective, glare, quarter turns, far away, black-and-white photocopy, A4 sheet with both
sides scanned or photographed, phone screenshot) and returns a Photo: JPEG bytes and the truth
of every side on it. Everything is a function of the seed.
"""

import io
import math
import os
import random
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from tests.fakes.cards import (CARD, REAL_NATIONS, REAL_PLACES, Card, authority_of, random_back,
                               random_face)

HEI_FONTS = (  # (path, face index): Hei-style (sans) CJK fonts from Debian packages
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: SC
)
OCR_B = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
INK = (20, 20, 22)
LABEL_BLUE = (30, 120, 190)
KINDS = ("clean", "desk", "hand", "perspective", "glare", "turned", "far", "photocopy",
         "screenshot", "sheet_scan", "sheet_photo")
HARD_KINDS = ("glare", "turned", "far", "photocopy")
SHEET_KINDS = ("sheet_scan", "sheet_photo")


@dataclass
class Photo:
    kind: str
    data: bytes                       # JPEG
    truth: Dict[str, Dict[str, str]]  # side -> fields, for every side in the photo
    detail: str = ""                  # what was done to it (angle, sizes), for failure messages

    @property
    def sides(self) -> List[str]:
        return [s for s in ("face", "back") if s in self.truth]


def fonts_available() -> bool:
    return os.path.exists(OCR_B) and any(os.path.exists(p) for p, _ in HEI_FONTS)


def _font(rng: random.Random) -> Tuple[str, int]:
    found = [f for f in HEI_FONTS if os.path.exists(f[0])]
    if not found or not os.path.exists(OCR_B):
        raise RuntimeError("fonts missing: apt-get install fonts-wqy-microhei fonts-wqy-zenhei "
                           "fonts-noto-cjk fonts-ocr-b")
    return rng.choice(found)


# The card --------------------------------------------------------------------------------------

def make_card(seed: int, side: str, birth: Optional[str] = None,
              address: Optional[str] = None) -> Card:
    """One card from `seed`; a back given the holder's `birth` and `address` belongs to that
    holder (cards.random_back)."""
    rng = random.Random(seed)
    hei = _font(rng)
    if side == "face":
        truth = random_face(rng, places=REAL_PLACES, nations=REAL_NATIONS)
        while len(truth["address"]) > 33:  # a card's address has at most three lines
            truth = random_face(rng, places=REAL_PLACES, nations=REAL_NATIONS)
        return Card(side, truth, draw_face(truth, hei, rng), len(_wrap(truth["address"])))
    truth = random_back(rng, places=REAL_PLACES, birth=birth)
    if address is not None:  # drawn as before, then issued where the holder lives
        truth["issue"] = authority_of(address, REAL_PLACES)
    return Card(side, truth, draw_back(truth, hei, rng))


def draw_face(truth: Dict[str, str], hei, rng: random.Random) -> Image.Image:
    img = _guilloche(rng, (246, 242, 232), ((196, 214, 226), (226, 206, 204), (214, 222, 200)))
    d = ImageDraw.Draw(img)
    label_size = rng.randint(19, 25)      # labels are smaller than values, by a varying amount
    label = ImageFont.truetype(hei[0], label_size, index=hei[1])
    value = ImageFont.truetype(hei[0], rng.randint(29, 33), index=hei[1])
    digits = ImageFont.truetype(OCR_B, rng.randint(34, 40))
    left, column = 52 + rng.randint(-6, 6), 140 + rng.randint(-6, 6)

    def pair(y, name, text, x_label=left, x_value=column):
        _spaced(d, (x_label, _base(y, label)), name, label, LABEL_BLUE, gap=label_size // 2)
        d.text((x_value, _base(y, value)), text, font=value, fill=INK)

    pair(72, "姓名", truth["name"])
    pair(134, "性别", truth["sex"])
    pair(134, "民族", truth["nationality"], x_label=column + 110, x_value=column + 200)
    # 出生 1990 年 3 月 7 日: the digits in the value font, 年月日 as blue labels.
    _spaced(d, (left, _base(196, label)), "出生", label, LABEL_BLUE, gap=label_size // 2)
    b = truth["birth"]
    x = column
    for text, font in ((b[:4], value), ("年", label), (str(int(b[4:6])), value), ("月", label),
                       (str(int(b[6:])), value), ("日", label)):
        d.text((x, _base(196, font)), text, font=font,
               fill=INK if font is value else LABEL_BLUE)
        x += int(d.textlength(text, font=font)) + 10
    _spaced(d, (left, _base(258, label)), "住址", label, LABEL_BLUE, gap=label_size // 2)
    for i, line in enumerate(_wrap(truth["address"])):
        d.text((column, _base(258 + i * 42, value)), line, font=value, fill=INK)
    # The number's label is bottom-aligned with the larger OCR-B digits.
    bottom = 472
    label_box = d.textbbox((0, 0), "公民身份号码", font=label)
    d.text((left, bottom - label_box[3]), "公民身份号码", font=label, fill=LABEL_BLUE)
    start = 298 + rng.randint(-8, 8)
    gap = min(rng.uniform(2, 5), (826 - start - d.textlength(truth["num"], font=digits)) / 17)
    _spaced(d, (start, bottom - d.textbbox((0, 0), "0", font=digits)[3]), truth["num"], digits,
            INK, gap=gap)
    _portrait(img, rng)
    return img


def draw_back(truth: Dict[str, str], hei, rng: random.Random) -> Image.Image:
    img = _guilloche(rng, (240, 244, 246), ((200, 216, 230), (230, 214, 196), (210, 226, 214)))
    d = ImageDraw.Draw(img)
    _emblem(d, (62 + rng.randint(-4, 4), 46 + rng.randint(-4, 4)), 140)
    title = ImageFont.truetype(hei[0], rng.randint(40, 46), index=hei[1])
    big = ImageFont.truetype(hei[0], rng.randint(60, 68), index=hei[1])
    _spaced(d, (250, 62), "中华人民共和国", title, INK, gap=8)
    _spaced(d, (250, 150), "居民身份证", big, INK, gap=22)
    label = ImageFont.truetype(hei[0], rng.randint(20, 24), index=hei[1])
    value = ImageFont.truetype(hei[0], rng.randint(26, 30), index=hei[1])
    _spaced(d, (168, _base(410, label)), "签发机关", label, INK, gap=4)
    d.text((314, _base(410, value)), truth["issue"], font=value, fill=INK)
    _spaced(d, (168, _base(470, label)), "有效期限", label, INK, gap=4)
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    d.text((314, _base(470, value)), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", font=value, fill=INK)
    return img


def _base(centre_y: int, font) -> int:
    """The y at which to draw so that CJK text of `font` is centred on centre_y."""
    top, bottom = font.getbbox("国")[1], font.getbbox("国")[3]
    return int(centre_y - (top + bottom) / 2)


def _spaced(d: ImageDraw.ImageDraw, xy, text: str, font, fill, gap: int) -> None:
    x, y = xy
    for ch in text:
        d.text((x, y), ch, font=font, fill=fill)
        x += d.textlength(ch, font=font) + gap


def _wrap(text: str, width: int = 11):
    return [text[i:i + width] for i in range(0, len(text), width)]


def _guilloche(rng: random.Random, paper, inks) -> Image.Image:
    """Fine interlaced sine bands and a rosette, as the card's security print."""
    img = Image.new("RGB", CARD, paper)
    d = ImageDraw.Draw(img)
    xs = np.arange(0, CARD[0] + 8, 8)
    for band in range(3):
        ink = inks[band]
        period = rng.uniform(90, 160)
        amp = rng.uniform(14, 30)
        for k in range(0, CARD[1] + 60, 14):
            phase = rng.uniform(0, 0.4) + k / 37
            ys = k + amp * np.sin(2 * math.pi * xs / period + phase + band)
            d.line(list(zip(xs.tolist(), ys.tolist())), fill=ink, width=1)
    cx, cy = rng.randint(300, 560), rng.randint(180, 360)
    for i in range(36):
        r = 40 + 8 * (i % 9)
        a = 2 * math.pi * i / 36
        d.ellipse((cx + r * math.cos(a) - r, cy + r * math.sin(a) - r,
                   cx + r * math.cos(a) + r, cy + r * math.sin(a) + r), outline=inks[0])
    return img.filter(ImageFilter.GaussianBlur(0.6))


def _portrait(img: Image.Image, rng: random.Random) -> None:
    x0, y0, x1, y1 = 560, 66, 812, 392
    d = ImageDraw.Draw(img)
    d.rectangle((x0, y0, x1, y1), fill=tuple(rng.randint(228, 246) for _ in range(3)))
    skin = (rng.randint(205, 235), rng.randint(165, 195), rng.randint(135, 165))
    hair = tuple([rng.randint(15, 50)] * 3)
    cx = (x0 + x1) // 2 + rng.randint(-8, 8)
    shirt = tuple(rng.randint(20, 90) for _ in range(3))
    d.chord((cx - 120, 290, cx + 120, 490), 180, 360, fill=shirt)
    d.rectangle((cx - 24, 240, cx + 24, 300), fill=skin)
    d.ellipse((cx - 66, 100, cx + 66, 270), fill=hair)
    d.ellipse((cx - 58, 126, cx + 58, 272), fill=skin)
    for ex in (cx - 24, cx + 24):
        d.ellipse((ex - 8, 180, ex + 8, 190), fill=(40, 30, 30))
    d.line((cx - 14, 236, cx + 14, 236), fill=(150, 70, 70), width=3)


def _emblem(d: ImageDraw.ImageDraw, xy, size: int) -> None:
    """The national emblem as drawn shapes: a red disc, five gold stars, a gate, a gear."""
    x, y = xy
    red, gold = (200, 30, 30), (235, 190, 60)
    d.ellipse((x, y, x + size, y + size), fill=gold)
    d.ellipse((x + 8, y + 8, x + size - 8, y + size - 8), fill=red)
    c = x + size / 2
    for sx, sy, r in ((c, y + 40, 16), (c - 32, y + 30, 7), (c - 38, y + 48, 7),
                      (c + 32, y + 30, 7), (c + 38, y + 48, 7)):
        d.polygon(_star(sx, sy, r), fill=gold)
    d.rectangle((c - 40, y + 70, c + 40, y + 96), fill=gold)
    d.polygon([(c - 48, y + 72), (c, y + 58), (c + 48, y + 72)], fill=gold)
    d.ellipse((c - 22, y + size - 40, c + 22, y + size - 4), outline=gold, width=6)


def _star(cx: float, cy: float, r: float):
    points = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.4
        points.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return points


# Photographing -----------------------------------------------------------------------------

def shoot(kind: str, seed: int, side: Optional[str] = None, paired: bool = False) -> Photo:
    """A photo of `kind` (KINDS) from `seed`; single-card kinds pick a side unless given.

    `paired`: a sheet's back belongs to its face's holder (issued after the birth, valid as
    long as the holder's age gives, by the bureau of the address's district), as on a real
    card's copy; by default the back is drawn independently (the sheets the engine's benches
    have always measured)."""
    rng = random.Random(seed * 7919 + KINDS.index(kind))
    if kind in SHEET_KINDS:
        face = make_card(seed, "face")
        back = make_card(seed + 500_000, "back", *((face.truth["birth"], face.truth["address"])
                                                  if paired else ()))
        img, detail = _sheet(face, back, rng, photographed=kind == "sheet_photo")
        truth = {"face": face.truth, "back": back.truth}
        return Photo(kind, _jpeg(img, rng.randint(80, 92)), truth, detail)
    card = make_card(seed, side or rng.choice(("face", "back")))
    img, detail, quality = _single(kind, card, rng)
    return Photo(kind, _jpeg(img, quality), {card.side: card.truth}, detail)


def _single(kind: str, card: Card, rng: random.Random):
    face = card.image
    quality = rng.randint(82, 94)
    if kind == "clean":
        width = rng.randint(820, 1000)
        img = _on(face, rng, width, (width + rng.randint(60, 160), int(width * 0.63) +
                                     rng.randint(60, 160)), tilt=rng.uniform(-2, 2), desk=False)
        return img, f"card {width}px", quality
    if kind == "desk":
        width = rng.randint(850, 1150)
        return _on(face, rng, width, (1600, 1200), tilt=rng.uniform(-10, 10), desk=True,
                   warp=0.03), f"card {width}px", quality
    if kind == "hand":
        width = rng.randint(850, 1150)
        img = _on(face, rng, width, (1600, 1200), tilt=rng.uniform(-8, 8), desk=True, warp=0.04,
                  hand=True)
        return img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9))), f"card {width}px", \
            quality
    if kind == "perspective":
        width = rng.randint(850, 1100)
        return _on(face, rng, width, (1600, 1200), tilt=rng.uniform(-6, 6), desk=True,
                   warp=rng.uniform(0.06, 0.10)), f"card {width}px", quality
    if kind == "glare":
        width = rng.randint(850, 1100)
        img = _on(face, rng, width, (1600, 1200), tilt=rng.uniform(-8, 8), desk=True, warp=0.03,
                  glare=True)
        return img, f"card {width}px", quality
    if kind == "turned":
        width = rng.randint(820, 1050)
        turn = rng.choice((90, 180, 270))
        tilt = rng.uniform(-6, 6)
        img = _on(face, rng, width, (1600, 1200), tilt=tilt, desk=True, warp=0.03)
        return img.rotate(turn, expand=True), f"turned {turn} tilt {tilt:.0f}", quality
    if kind == "far":
        width = rng.randint(560, 720)
        return _on(face, rng, width, (1600, 1200), tilt=rng.uniform(-8, 8), desk=True,
                   warp=0.03), f"card {width}px", quality
    if kind == "photocopy":
        page = _photocopy(face, rng)
        width = rng.randint(820, 1000)
        img = _on(page, rng, width, (width + 200, int(width * 0.63) + 200), tilt=rng.uniform(-3, 3),
                  desk=False, paper=True)
        return img, f"copy {width}px", quality
    if kind == "screenshot":
        return _screenshot(face, rng), "phone screenshot", quality
    raise ValueError(kind)


def _on(card_img: Image.Image, rng: random.Random, width: int, size, tilt: float, desk: bool,
        warp: float = 0.0, glare: bool = False, hand: bool = False,
        paper: bool = False, corner: float = 0.04) -> Image.Image:
    """The card scaled to `width`, tilted, warped, lit and placed on a background of `size`."""
    card_img = card_img.convert("RGB")
    if glare:
        card_img = _glare(card_img, rng)
    if hand:
        card_img = _thumb(card_img, rng)
    height = int(width * card_img.height / card_img.width)
    rgba = card_img.resize((width, height), Image.LANCZOS).convert("RGBA")
    rgba = _rounded(rgba, int(width * corner))
    if warp:
        rgba = _perspective(rgba, rng, warp)
    rgba = rgba.rotate(tilt, expand=True, resample=Image.BICUBIC)
    if paper:
        scene = Image.new("RGB", size, (250, 250, 248))
    else:
        scene = _desk(rng, size) if desk else Image.new(
            "RGB", size, tuple(rng.randint(70, 170) for _ in range(3)))
    max_x, max_y = size[0] - rgba.width, size[1] - rgba.height
    pos = (rng.randint(0, max(0, max_x)), rng.randint(0, max(0, max_y)))
    if desk:
        shadow = Image.new("RGBA", rgba.size, (0, 0, 0, 0))
        shadow.putalpha(rgba.getchannel("A").point(lambda a: a * 90 // 255))
        scene.paste(shadow, (pos[0] + 10, pos[1] + 12), shadow.filter(ImageFilter.GaussianBlur(8)))
    scene.paste(rgba, pos, rgba)
    scene = _lighting(scene, rng)
    noise = np.asarray(scene, dtype=np.int16) + np.random.RandomState(rng.randrange(1 << 30)) \
        .normal(0, 3.5, (scene.height, scene.width, 1)).astype(np.int16)
    return Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8))


def _rounded(rgba: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", rgba.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, rgba.width - 1, rgba.height - 1), radius,
                                           fill=255)
    rgba.putalpha(mask)
    return rgba


def _perspective(rgba: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Move each corner by up to `strength` of the size, as a camera not square to the card."""
    w, h = rgba.size
    pad = int(max(w, h) * strength) + 2
    canvas = Image.new("RGBA", (w + 2 * pad, h + 2 * pad), (0, 0, 0, 0))
    canvas.paste(rgba, (pad, pad))
    src = [(pad, pad), (pad + w, pad), (pad + w, pad + h), (pad, pad + h)]
    dst = [(x + rng.uniform(-1, 1) * strength * w, y + rng.uniform(-1, 1) * strength * h)
           for x, y in src]
    coeffs = _perspective_coefficients(dst, src)
    return canvas.transform(canvas.size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)


def _perspective_coefficients(dst, src):
    """Coefficients mapping output points `dst` back to input points `src` (PIL's convention)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def _glare(card_img: Image.Image, rng: random.Random) -> Image.Image:
    """A bright elliptical spot of light, washing out whatever it covers."""
    w, h = card_img.size
    cx, cy = rng.uniform(0.1, 0.65) * w, rng.uniform(0.15, 0.85) * h  # over the text
    rx, ry = rng.uniform(0.08, 0.18) * w, rng.uniform(0.08, 0.2) * h
    yy, xx = np.mgrid[0:h, 0:w]
    dist = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    strength = rng.uniform(0.5, 0.8) * np.exp(-dist)[..., None]
    arr = np.asarray(card_img, dtype=np.float32)
    return Image.fromarray((arr + (255 - arr) * strength).astype(np.uint8))


def _thumb(card_img: Image.Image, rng: random.Random) -> Image.Image:
    """A thumb over the card's right edge, where the face has its portrait and the back nothing."""
    img = card_img.copy()
    d = ImageDraw.Draw(img)
    skin = (rng.randint(200, 230), rng.randint(150, 180), rng.randint(120, 150))
    y = rng.randint(120, 300)
    d.ellipse((CARD[0] - 60, y, CARD[0] + 120, y + 130), fill=skin)
    d.ellipse((CARD[0] - 40, y + 20, CARD[0] + 10, y + 70), fill=tuple(c + 20 for c in skin))
    return img


def _desk(rng: random.Random, size) -> Image.Image:
    """Wood-like stripes or a plain cloth, with a few objects lying about."""
    base = np.array([rng.randint(90, 180), rng.randint(70, 140), rng.randint(50, 110)], float)
    w, h = size
    if rng.random() < 0.5:
        x = np.arange(w)[None, :] + 12 * np.sin(np.arange(h)[:, None] / rng.uniform(40, 90))
        stripes = np.sin(x / rng.uniform(6, 14)) * 12
        arr = base[None, None, :] + stripes[..., None]
    else:
        arr = np.broadcast_to(base, (h, w, 3)).copy()
    scene = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(scene)
    for _ in range(rng.randint(2, 5)):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randint(40, 200)
        color = tuple(rng.randint(0, 255) for _ in range(3))
        (d.rectangle if rng.random() < 0.5 else d.ellipse)((x, y, x + r, y + r // 2), fill=color)
    return scene


def _lighting(scene: Image.Image, rng: random.Random) -> Image.Image:
    """A gentle brightness gradient, as from a lamp on one side."""
    w, h = scene.size
    ramp = np.linspace(rng.uniform(0.8, 1.0), rng.uniform(1.0, 1.12), w)[None, :, None]
    arr = np.asarray(scene, dtype=np.float32) * ramp
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _photocopy(card_img: Image.Image, rng: random.Random) -> Image.Image:
    """Black-and-white photocopy: grey, hard contrast, speckles and a faint toner cast."""
    grey = card_img.convert("L")
    grey = ImageEnhance.Contrast(grey).enhance(rng.uniform(1.6, 2.2))
    grey = ImageEnhance.Brightness(grey).enhance(rng.uniform(1.05, 1.2))
    arr = np.asarray(grey, dtype=np.int16)
    noise = np.random.RandomState(rng.randrange(1 << 30))
    speckle = noise.random_sample(arr.shape) < 0.002
    arr = np.where(speckle, 30, arr) + noise.normal(0, 6, arr.shape).astype(np.int16)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGB")


def _sheet(face: Card, back: Card, rng: random.Random, photographed: bool):
    """身份证复印件: face above back on a white A4 page (scanned at 150-200 dpi, or photographed)."""
    dpi = rng.choice((150, 180, 200))
    px_mm = dpi / 25.4
    page = Image.new("RGB", (int(210 * px_mm), int(297 * px_mm)), (252, 252, 250))
    width = int(85.6 * px_mm)
    height = int(54 * px_mm)
    x = int(page.width / 2 - width / 2 + rng.uniform(-15, 15) * px_mm)
    top = int(rng.uniform(30, 60) * px_mm)
    gap = int(rng.uniform(12, 40) * px_mm)
    color = rng.random() < 0.3  # some copies are colour
    for card, y in ((face, top), (back, top + height + gap)):
        img = card.image.convert("RGB") if color else _photocopy(card.image, rng)
        img = img.resize((width, height), Image.LANCZOS)
        img = img.rotate(rng.uniform(-1.5, 1.5), expand=False, fillcolor=(252, 252, 250),
                         resample=Image.BICUBIC)
        page.paste(img, (x, y))
    detail = f"A4 at {dpi} dpi, card {width}px, gap {gap}px"
    if photographed:
        page_width = rng.randint(1150, 1400)
        page = page.resize((page_width, int(page_width * 297 / 210)), Image.LANCZOS)
        width = int(page_width * 85.6 / 210)
        page = _on(page, rng, page_width, (page_width + rng.randint(200, 400),
                                           int(page_width * 1.414) + rng.randint(200, 400)),
                   tilt=rng.uniform(-6, 6), desk=True, warp=0.03, corner=0.0)
        detail = f"A4 photographed, card {width}px"
    return page, detail


def _screenshot(card_img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone screenshot (1080 x 2340) of a chat with the card's photo in it."""
    screen = Image.new("RGB", (1080, 2340), (237, 237, 237))
    d = ImageDraw.Draw(screen)
    d.rectangle((0, 0, 1080, 90), fill=(237, 237, 237))
    d.rectangle((0, 90, 1080, 230), fill=(247, 247, 247))
    d.rectangle((0, 2160, 1080, 2340), fill=(247, 247, 247))
    width = rng.randint(760, 900)
    size = (rng.randint(900, 980), rng.randint(640, 720))
    photo = _on(card_img, rng, width, size,
                tilt=rng.uniform(-4, 4), desk=True)
    y = rng.randint(500, 1100)
    d.rounded_rectangle((40, y - 20, 60 + photo.width, y + photo.height + 20), 20,
                        fill=(255, 255, 255))
    screen.paste(photo, (50, y))
    return screen


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()
