"""The `vagabond` KYC style (tests/fakes/artifacts.py's VAGABOND): the thirteenth hold-out's
photos for the warnings of issue 21, drawn on tests/fakes/vagabond.py's card without reading
the rules that judge them (imaging/quality.py) or any other style's drawing.

Frames of an 8 MP phone (3280 x 2464, either way up), the card 900-2,400 px wide, one family
per warning with its variants in turn by seed:
- ordinary (no warning): on a herringbone parquet, a plaid tablecloth, beside a laptop's
  keyboard, on a newspaper page, a glossy black desk, a marble counter, a floral bed sheet or
  a car seat's fabric (patterns, keys, other paper and gloss that tempt false alarms);
- photocopy: a colour laser copy, an inkjet copy with banding, a black-and-white copy, each on
  its sheet of paper;
- screen_recapture: a phone's LCD (RGB stripes), a phone's OLED (PenTile), an e-ink reader's
  grey pixel grid, a laptop's and a monitor's screens (stripes at a coarser pitch);
- incomplete_border: an edge or a corner of the card beyond the frame;
- occlusion: a finger or a thumb; pale things (white paper, a receipt, masking tape, a pale
  sticker); dark ones (a black phone, a car key), over the fields;
- glare_on_fields: an LED strip's line, a window's patch, a flash, a ring light's ring;
- multiple_cards: another ID card, a bank card, a library card or an employee badge beside,
  stacked offset under, fanned under or partly cut by the frame.

`render(kind, seed, style)` gives an artifacts.Shot: JPEG bytes, the ID card's corners (TL,
BL, BR, TR, beyond the frame when cut), the warning expected and a detail that starts with the
side. Everything follows from the seed.
"""

import io
import math
import random
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.fakes import vagabond as card_set
from tests.fakes.typefaces import face as font_at

DESCRIPTION = (
    "vagabond: vagabond.py's card (Noto Sans CJK HK, Smiley Sans; Ricty, TlwgMono or STIX "
    "numbers) in 3280 x 2464 photos (8 MP): parquet, plaid, keyboard, newspaper, glossy black "
    "desk, marble, floral sheet and car seat ordinary photos; colour laser, inkjet-banded and "
    "black-and-white copies on paper; phone LCD and OLED, e-ink, laptop and monitor screens; "
    "edges and corners cut; a finger, a thumb, white paper, a receipt, masking tape, a pale "
    "sticker, a black phone or a car key; LED strip, window, flash and ring-light glare; "
    "another ID card, a bank, library or badge card beside, under, fanned or cut")
KINDS = ("ordinary", "photocopy", "screen_recapture", "incomplete_border", "occlusion",
         "glare_on_fields", "multiple_cards")
ORDINARY = ("herringbone parquet", "plaid tablecloth", "laptop keyboard", "newspaper page",
            "glossy black desk", "marble counter", "floral bed sheet", "car seat fabric")
COPIES = ("colour laser", "inkjet banding", "black-and-white")
SCREENS = ("phone LCD", "phone OLED", "e-ink reader", "laptop", "monitor")
CUTS = ("left edge", "right edge", "top edge", "bottom edge", "top-left corner",
        "top-right corner", "bottom-left corner", "bottom-right corner")
OCCLUDERS = ("finger", "thumb", "white paper", "receipt", "masking tape", "pale sticker",
             "black phone", "car key")
GLARES = ("LED strip line", "window patch", "flash", "ring light")
OTHER_CARDS = ("second ID card", "bank card", "library card", "employee badge")
ARRANGEMENTS = ("beside", "stacked offset under", "fanned", "partly cut by the frame")
# Where the fields are on an upright card (u0, v0, u1, v1: fractions of its width and height).
FIELDS = {"face": (0.08, 0.12, 0.62, 0.92), "back": (0.16, 0.66, 0.75, 0.93)}
SKINS = ((226, 184, 152), (200, 150, 118), (160, 110, 80), (238, 204, 180))


def render(kind: str, seed: int, style):
    from tests.fakes.artifacts import Shot

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (the vagabond style draws {', '.join(KINDS)})")
    rng = random.Random(f"vagabond-kyc/{kind}/{seed}")
    side = rng.choice(("face", "back"))
    person = card_set.random_person(rng)
    card = card_set.card_image(side, person[side], rng)
    frame = style.frame if rng.random() < 0.7 else style.frame[::-1]
    width = rng.randint(*style.card_width)
    width = min(width, int(frame[0] * 0.8))
    if kind == "multiple_cards":
        width = int(width * 0.62)
    tilt = rng.uniform(-style.tilt, style.tilt)
    notes = [side]
    if kind == "ordinary":
        where = ORDINARY[seed % len(ORDINARY)]
    else:
        where = rng.choice(ORDINARY + card_set.SURFACES)
    scene = backdrop(where, frame, rng)
    centre = (frame[0] / 2 + rng.uniform(-0.08, 0.08) * frame[0],
              frame[1] / 2 + rng.uniform(-0.08, 0.08) * frame[1])
    quad = _fit(card_set.card_quad(centre, width, tilt, rng.uniform(0, 0.05)), frame)
    if kind == "photocopy":
        how = COPIES[seed % len(COPIES)]
        sheet = card_set.card_quad(_mid(quad), width * rng.uniform(1.6, 2.0), tilt,
                                   aspect=1.3)
        ImageDraw.Draw(scene).polygon(sheet, fill=(246, 246, 240) if how != "inkjet banding"
                                      else (250, 250, 252))
        card_set.place(scene, copy_of(card, rng, how), quad, shadow=0)
        notes.append(f"{how} copy on paper")
    elif kind == "screen_recapture":
        what = SCREENS[seed % len(SCREENS)]
        _device(scene, quad, what, rng)
        shown = mosaic(card, what, rng, (int(width), int(width * 702 / 1113)))
        card_set.place(scene, shown, quad, shadow=0)
        notes.append(f"on {'an' if what[0] in 'aeiou' else 'a'} {what}")
    elif kind == "incomplete_border":
        cut = CUTS[seed % len(CUTS)]
        quad = _cut(card_set.card_quad((0, 0), width, tilt * 0.5), frame, cut, rng)
        card_set.place(scene, card, quad)
        notes.append(f"cut at the {cut}")
    elif kind == "multiple_cards":
        what = OTHER_CARDS[seed % len(OTHER_CARDS)]
        how = ARRANGEMENTS[(seed + seed // 4) % len(ARRANGEMENTS)]
        quad = _second_card(scene, card, other_card(what, rng), quad, frame, how, rng)
        notes.append(f"{'an' if what[0] in 'aeiou' else 'a'} {what} {how}")
    else:
        card_set.place(scene, card, quad)
    if kind == "occlusion":
        what = OCCLUDERS[seed % len(OCCLUDERS)]
        _occlude(scene, quad, side, what, rng)
        notes.append(f"{what} over the fields")
    scene = _finish(scene, rng, 4.0 if kind != "screen_recapture" else 3.0)
    if kind == "glare_on_fields":
        what = GLARES[seed % len(GLARES)]
        scene = _glare(scene, quad, side, what, rng)
        notes.append(f"{what} glare")
    if kind == "ordinary":
        notes.append(f"on a {where}")
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=rng.randint(*style.jpeg))
    return Shot(kind, style.name, out.getvalue(), [tuple(map(float, p)) for p in quad],
                None if kind == "ordinary" else kind, ", ".join(notes))


# Geometry ------------------------------------------------------------------------------------

def _mid(quad) -> Tuple[float, float]:
    return (sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4)


def _fit(quad, frame, margin: float = 0.03):
    """`quad` moved (not scaled) inside the frame, `margin` of the frame from its edges."""
    w, h = frame
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    dx = max(0, w * margin - min(xs)) - max(0, max(xs) - w * (1 - margin))
    dy = max(0, h * margin - min(ys)) - max(0, max(ys) - h * (1 - margin))
    return [(x + dx, y + dy) for x, y in quad]


def _at(quad, u: float, v: float) -> Tuple[float, float]:
    """The photo's point at (u, v) of the card (fractions of its width and height)."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    top = (tlx + (trx - tlx) * u, tly + (try_ - tly) * u)
    bottom = (blx + (brx - blx) * u, bly + (bry - bly) * u)
    return (top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v)


def _cut(quad0, frame, cut: str, rng: random.Random):
    """The card (corners about the origin) moved so that `cut` lies beyond the frame: an edge
    by 8-30 % of the card, a corner by 10-25 % each way."""
    w, h = frame
    xs, ys = [p[0] for p in quad0], [p[1] for p in quad0]
    cw, ch = max(xs) - min(xs), max(ys) - min(ys)
    out_x, out_y = rng.uniform(0.08, 0.3) * cw, rng.uniform(0.08, 0.3) * ch
    cx = w / 2 + rng.uniform(-0.1, 0.1) * w
    cy = h / 2 + rng.uniform(-0.1, 0.1) * h
    if "left" in cut:
        cx = -min(xs) - out_x
    if "right" in cut:
        cx = w - max(xs) + out_x
    if "top" in cut:
        cy = -min(ys) - out_y
    if "bottom" in cut:
        cy = h - max(ys) + out_y
    return [(x + cx, y + cy) for x, y in quad0]


# Scenes --------------------------------------------------------------------------------------

def backdrop(name: str, frame, rng: random.Random) -> Image.Image:
    """A surface filling the frame, drawn at a quarter of its size and scaled up."""
    if name in card_set.SURFACES:
        return card_set.surface(name, frame, rng)
    w, h = frame[0] // 4, frame[1] // 4
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    noise = card_set.noise_field((w, h), rng, 10).astype(np.float32)[..., None]
    img = None
    if name == "herringbone parquet":
        s = rng.uniform(18, 26)
        u, v = (x + y) / s, (x - y) / s
        block = (np.floor(u) + np.floor(v)) % 2
        plank = np.where(block > 0, np.sin(u * 9), np.sin(v * 9))
        arr = np.array((168, 118, 76), np.float32) + (block * 18 + plank * 8)[..., None] + noise
    elif name == "plaid tablecloth":
        a, b = np.array((180, 40, 44), np.float32), np.array((40, 60, 110), np.float32)
        stripes_x = ((x // rng.randint(10, 16)) % 3 == 0)
        stripes_y = ((y // rng.randint(10, 16)) % 3 == 0)
        arr = np.full((h, w, 3), 236, np.float32)
        arr = np.where(stripes_x[..., None], arr * 0.45 + a * 0.55, arr)
        arr = np.where(stripes_y[..., None], arr * 0.5 + b * 0.5, arr) + noise * 0.5
    elif name == "marble counter":
        vein = np.abs(np.sin(x * 0.03 + y * 0.05 + 3 * np.sin(x * 0.011 - y * 0.007)))
        arr = np.array((226, 224, 220), np.float32) - (vein < 0.06)[..., None] * 50 + noise * 0.4
    elif name == "car seat fabric":
        weave = (np.sin(x * 2.1) * np.sin(y * 2.1))[..., None] * 14
        arr = np.array((58, 58, 64), np.float32) + weave + noise
    elif name == "glossy black desk":
        cx = rng.uniform(0.2, 0.8) * w
        sheen = np.exp(-((x - cx) / (w * 0.12)) ** 2) * 120  # a lamp's soft reflection
        arr = np.array((14, 14, 18), np.float32) + sheen[..., None] + noise * 0.2
    else:  # drawn shapes: a keyboard, a newspaper, flowers
        img = _drawn_backdrop(name, (w, h), rng)
    if img is None:
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img.resize(frame, Image.BILINEAR)


def _drawn_backdrop(name: str, size, rng: random.Random) -> Image.Image:
    w, h = size
    if name == "laptop keyboard":
        img = Image.new("RGB", size, (170, 172, 176))
        d = ImageDraw.Draw(img)
        key = rng.randint(22, 30)
        top = rng.randint(0, h // 3)
        d.rectangle((0, top - key // 2, w, h), fill=(48, 48, 52))
        for row in range(8):
            y0 = top + row * key
            off = (row % 3) * key // 3
            for col in range(-1, w // key + 1):
                x0 = col * key + off
                d.rounded_rectangle((x0 + 2, y0 + 2, x0 + key - 2, y0 + key - 2), 3,
                                    fill=(26, 26, 28))
                if rng.random() < 0.5:
                    d.text((x0 + 6, y0 + 5), rng.choice("QWERTASDFZXCV"), fill=(200, 200, 200))
        return img
    if name == "newspaper page":
        img = Image.new("RGB", size, (222, 218, 206))
        d = ImageDraw.Draw(img)
        col_w = w // 5
        for col in range(5):
            y = rng.randint(4, 30)
            while y < h:
                if rng.random() < 0.06:
                    d.rectangle((col * col_w + 4, y, col * col_w + col_w - 6, y + 40),
                                fill=(120, 118, 112))
                    y += 48
                    continue
                length = rng.randint(col_w // 2, col_w - 10)
                d.line((col * col_w + 4, y, col * col_w + 4 + length, y), fill=(70, 70, 70),
                       width=2)
                y += 5
        return img
    img = Image.new("RGB", size, (240, 236, 244))  # a floral bed sheet
    d = ImageDraw.Draw(img)
    for _ in range(w * h // 900):
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(5, 12)
        colour = rng.choice(((220, 120, 150), (240, 180, 80), (140, 170, 220)))
        for k in range(5):
            a = k * 2 * math.pi / 5
            d.ellipse((x + r * math.cos(a) - r / 2, y + r * math.sin(a) - r / 2,
                       x + r * math.cos(a) + r / 2, y + r * math.sin(a) + r / 2), fill=colour)
        d.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(250, 220, 90))
    return img


def _finish(scene: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    """The room's uneven light and the sensor's noise, in one pass over the frame."""
    w, h = scene.size
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    x = np.linspace(-1, 1, 41, dtype=np.float32)[None, :]
    y = np.linspace(-1, 1, 31, dtype=np.float32)[:, None]
    gain = (1 + 0.14 * (gx * x + gy * y)) * 64  # 255 x 73 still fits an int16
    field = Image.fromarray(np.clip(gain, 0, 255).astype(np.uint8)).resize((w, h),
                                                                          Image.BILINEAR)
    arr = np.asarray(scene, np.int16) * np.asarray(field, np.int16)[..., None] >> 6
    arr += card_set.noise_field((w, h), rng, sigma)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


# Copies and screens --------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier prints it on paper: a colour laser's washed colour and toner grain,
    an inkjet's colour with light bands across, or black-and-white toner."""
    arr = np.asarray(card.convert("RGB"), np.float32)
    grey = arr.mean(-1, keepdims=True)
    if how == "colour laser":
        arr = grey + (arr - grey) * 0.5
        arr = np.clip((arr - 45) * 1.25, 0, 255)
    elif how == "inkjet banding":
        rows = np.arange(arr.shape[0], dtype=np.float32)[:, None, None]
        arr = arr * (1 + 0.07 * np.sign(np.sin(rows / rng.uniform(6, 10)))) + \
            np.array([8, 2, -10], np.float32)
    else:
        arr = np.clip((grey - 70) * 1.6, 0, 255).repeat(3, -1)
    arr += card_set.noise_field(card.size, rng, 9.0)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def mosaic(img: Image.Image, screen: str, rng: random.Random, size) -> Image.Image:
    """`img` as `screen` shows it, seen at `size`: sampled to the screen's pixels, each drawn
    as its subpixels (RGB columns, PenTile's RG/BG pairs, or e-ink's grey cells with dark
    gaps), lit, and scaled to the photo, where the grid beats with the camera's into moiré."""
    pitch = {"phone LCD": 3, "phone OLED": 4, "e-ink reader": 3, "laptop": 3,
             "monitor": 3}[screen]
    scale = {"phone LCD": (2.2, 3.0), "phone OLED": (2.6, 3.6), "e-ink reader": (2.0, 3.0),
             "laptop": (3.2, 4.4), "monitor": (3.6, 5.0)}[screen]
    cells = (max(8, int(size[0] / rng.uniform(*scale))),
             max(5, int(size[1] / rng.uniform(*scale))))
    small = np.asarray(img.convert("RGB").resize(cells, Image.BILINEAR), np.float32)
    # Each screen pixel as pitch x pitch photo pixels; a subpixel shows its own colour at 10/8
    # of the pixel's value and bleeds 3/8 into the others (the camera's blur and the glass).
    mask = np.full((pitch, pitch, 3), 3, np.uint16)
    if screen == "phone OLED":  # PenTile: red and green on one row, blue and green on the next
        half = pitch // 2
        mask[:half, :half, 0] = mask[half:, :half, 2] = 10
        mask[:half, half:, 1] = mask[half:, half:, 1] = 6
    elif screen == "e-ink reader":  # grey cells with darker gaps, no colour
        mask[:] = 6
        mask[:-1, :-1, :] = 8
        small = (60 + small.mean(-1, keepdims=True) * 0.66).repeat(3, -1)  # low contrast
    else:
        for c in range(3):
            mask[:, c, c] = 10
    if screen != "e-ink reader":
        small = small * np.array([0.97, 1.0, 1.06], np.float32)  # a screen's cool white
    lit = np.clip(small, 0, 255).astype(np.uint16)
    big = lit.repeat(pitch, 0).repeat(pitch, 1) * np.tile(mask, (cells[1], cells[0], 1)) >> 3
    out = Image.fromarray(np.minimum(big, 255).astype(np.uint8))
    return out.resize(size, Image.BILINEAR)


def _device(scene: Image.Image, quad, what: str, rng: random.Random) -> None:
    """The device around the screen: a phone's or reader's body, a laptop's lid and keyboard,
    a monitor's bezel, drawn round the card's place."""
    d = ImageDraw.Draw(scene)
    grow = {"phone LCD": (0.08, 0.9), "phone OLED": (0.06, 0.95), "e-ink reader": (0.2, 0.7),
            "laptop": (0.5, 0.45), "monitor": (0.6, 0.5)}[what]
    cx, cy = _mid(quad)
    poly = [(cx + (x - cx) * (1 + grow[0]), cy + (y - cy) * (1 + grow[1])) for x, y in quad]
    body = (20, 20, 24) if what != "e-ink reader" else (70, 72, 74)
    d.polygon(poly, fill=body)
    inner = [(cx + (x - cx) * (1 + grow[0] * 0.7), cy + (y - cy) * (1 + grow[1] * 0.8))
             for x, y in quad]
    d.polygon(inner, fill=(6, 6, 8) if what != "e-ink reader" else (196, 196, 190))


def other_card(what: str, rng: random.Random) -> Image.Image:
    """Another card of the card's size: a second ID card (another holder's, either side), a
    bank card, a library card or an employee badge."""
    if what == "second ID card":
        person = card_set.random_person(rng)
        side = rng.choice(("face", "back"))
        return card_set.card_image(side, person[side], rng)
    w, h = card_set.CARD_SIZE
    font = font_at(card_set.VALUE_FONTS[0], card_set.mm(3.2))
    digits = font_at(card_set.NUMBER_FONTS[0], card_set.mm(4))
    if what == "bank card":
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        top, bottom = np.array((30, 60, 130), np.float32), np.array((10, 24, 60), np.float32)
        img = Image.fromarray((top * (1 - y) + bottom * y).repeat(w, 1).astype(np.uint8))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((card_set.mm(9), card_set.mm(18), card_set.mm(20), card_set.mm(27)),
                            12, fill=(214, 180, 90))
        d.text((card_set.mm(8), card_set.mm(34)), " ".join(
            "".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4)), font=digits,
            fill=(236, 236, 236))
        d.text((card_set.mm(8), card_set.mm(6)), "储蓄卡", font=font, fill=(240, 220, 150))
        return img
    if what == "library card":
        img = Image.new("RGB", (w, h), (248, 248, 244))
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, w, card_set.mm(12)), fill=(30, 130, 80))
        d.text((card_set.mm(6), card_set.mm(3)), "市图书馆 读者证", font=font, fill=(255, 255, 255))
        x = card_set.mm(10)
        while x < card_set.mm(70):  # a barcode
            bar = rng.randint(2, 7)
            d.rectangle((x, card_set.mm(32), x + bar, card_set.mm(46)), fill=(10, 10, 10))
            x += bar + rng.randint(2, 6)
        return img
    img = Image.new("RGB", (w, h), (250, 250, 250))  # an employee badge
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, card_set.mm(14)), fill=rng.choice(((200, 40, 40), (230, 120, 20))))
    d.text((card_set.mm(6), card_set.mm(4)), "员工工作证", font=font, fill=(255, 255, 255))
    d.rectangle((card_set.mm(6), card_set.mm(18), card_set.mm(26), card_set.mm(46)),
                fill=(200, 210, 225))
    d.text((card_set.mm(32), card_set.mm(24)), "工号 " + str(rng.randint(10000, 99999)),
           font=font, fill=(30, 30, 30))
    return img


def _second_card(scene, card, other, quad, frame, how: str, rng: random.Random):
    """Lays the other card and the ID card as `how` says; returns the ID card's corners."""
    w, h = frame
    cw = math.dist(quad[1], quad[2])
    tilt = math.degrees(math.atan2(quad[2][1] - quad[1][1], quad[2][0] - quad[1][0]))
    if how == "beside":  # side by side along the frame's long side, a gap between them
        cw = min(cw, max(w, h) * 0.38)
        jitter = rng.uniform(-0.06, 0.06)
        if w >= h:
            left = card_set.card_quad((w * 0.28, h * (0.5 + jitter)), cw, tilt)
            right = card_set.card_quad((w * 0.72, h * (0.5 - jitter)), cw,
                                       tilt + rng.uniform(-5, 5))
        else:
            left = card_set.card_quad((w * (0.5 + jitter), h * 0.28), cw, tilt)
            right = card_set.card_quad((w * (0.5 - jitter), h * 0.72), cw,
                                       tilt + rng.uniform(-5, 5))
        mine, theirs = (left, right) if rng.random() < 0.5 else (right, left)
        mine, theirs = _fit(mine, frame), _fit(theirs, frame)
        card_set.place(scene, other, theirs)
        card_set.place(scene, card, mine)
        return mine
    mine = _fit(card_set.card_quad((w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2), cw, tilt),
                frame, 0.12)
    cx, cy = _mid(mine)
    if how == "stacked offset under":
        dx, dy = cw * rng.uniform(0.15, 0.3) * rng.choice((1, -1)), cw * rng.uniform(0.1, 0.2)
        theirs = card_set.card_quad((cx + dx, cy + dy), cw, tilt + rng.uniform(-4, 4))
    elif how == "fanned":
        pivot = mine[1]
        turn = rng.uniform(15, 30) * rng.choice((1, -1))
        a = math.radians(turn)
        theirs = [(pivot[0] + (x - pivot[0]) * math.cos(a) - (y - pivot[1]) * math.sin(a),
                   pivot[1] + (x - pivot[0]) * math.sin(a) + (y - pivot[1]) * math.cos(a))
                  for x, y in mine]
    else:  # partly cut by the frame, off to one side; the ID card whole
        edge = rng.choice((-1, 1))
        mine = _fit(card_set.card_quad((w * (0.5 - 0.18 * edge), h / 2), cw, tilt), frame)
        theirs = card_set.card_quad((w * 0.5 + edge * (w * 0.5 - cw * 0.15), h / 2 +
                                     rng.uniform(-0.15, 0.15) * h), cw, tilt + rng.uniform(-10, 10))
    card_set.place(scene, other, theirs)
    card_set.place(scene, card, mine)
    return mine


# Occluders and glare -------------------------------------------------------------------------

def _occlude(scene: Image.Image, quad, side: str, what: str, rng: random.Random) -> None:
    """`what` laid over the card's fields, in the photo's coordinates."""
    u0, v0, u1, v1 = FIELDS[side]
    target = _at(quad, rng.uniform(u0 + 0.05, u1 - 0.05), rng.uniform(v0 + 0.05, v1 - 0.05))
    cw = math.dist(quad[1], quad[2])
    d = ImageDraw.Draw(scene)
    if what in ("finger", "thumb"):
        thick = cw * (0.11 if what == "finger" else 0.16)
        entry = _at(quad, rng.uniform(0.2, 0.8), 1.35 if rng.random() < 0.6 else -0.35)
        skin = rng.choice(SKINS)
        layer = Image.new("L", scene.size, 0)
        ld = ImageDraw.Draw(layer)
        ld.line((entry, target), fill=255, width=int(thick))
        ld.ellipse((target[0] - thick / 2, target[1] - thick / 2, target[0] + thick / 2,
                    target[1] + thick / 2), fill=255)
        layer = layer.filter(ImageFilter.BoxBlur(max(1, int(thick * 0.04))))
        scene.paste(Image.new("RGB", scene.size, skin), (0, 0), layer)
        nail = (target[0] - thick * 0.25, target[1] - thick * 0.25, target[0] + thick * 0.25,
                target[1] + thick * 0.25)
        d.ellipse(nail, fill=tuple(min(255, c + 22) for c in skin))
        return
    if what in ("white paper", "receipt", "masking tape"):
        length = cw * {"white paper": 0.6, "receipt": 0.55, "masking tape": 0.7}[what]
        breadth = cw * {"white paper": 0.45, "receipt": 0.22, "masking tape": 0.09}[what]
        a = math.radians(rng.uniform(-40, 40))
        corners = [(target[0] + sx * length / 2 * math.cos(a) - sy * breadth / 2 * math.sin(a),
                    target[1] + sx * length / 2 * math.sin(a) + sy * breadth / 2 * math.cos(a))
                   for sx, sy in ((-1, -1), (-1, 1), (1, 1), (1, -1))]
        colour = {"white paper": (244, 244, 240), "receipt": (238, 236, 228),
                  "masking tape": (226, 212, 170)}[what]
        d.polygon(corners, fill=colour)
        if what == "receipt":  # thermal print lines along it
            for k in range(1, 8):
                p0 = _lerp(corners[0], corners[1], k / 8)
                p1 = _lerp(corners[3], corners[2], k / 8)
                d.line((p0, _lerp(p0, p1, rng.uniform(0.4, 0.9))), fill=(120, 120, 120),
                       width=max(1, int(cw * 0.006)))
        return
    if what == "pale sticker":
        r = cw * rng.uniform(0.08, 0.12)
        d.ellipse((target[0] - r, target[1] - r, target[0] + r, target[1] + r),
                  fill=rng.choice(((248, 240, 196), (240, 240, 240), (226, 240, 226))))
        return
    if what == "black phone":
        pw, ph = cw * 0.4, cw * 0.8
        a = math.radians(rng.uniform(-30, 30))
        corners = [(target[0] + sx * pw / 2 * math.cos(a) - sy * ph / 2 * math.sin(a),
                    target[1] + sx * pw / 2 * math.sin(a) + sy * ph / 2 * math.cos(a))
                   for sx, sy in ((-1, -1), (-1, 1), (1, 1), (1, -1))]
        # moved down by almost half its length: its top end lies on the fields
        d.polygon([(x, y + ph * 0.45) for x, y in corners], fill=(16, 16, 20))
        return
    # a car key: a dark head with a ring hole, the blade across the fields
    r = cw * 0.07
    d.ellipse((target[0] - r, target[1] - r, target[0] + r, target[1] + r), fill=(22, 22, 26))
    d.ellipse((target[0] - r * 0.3, target[1] - r * 0.7, target[0] + r * 0.3,
               target[1] - r * 0.1), fill=(150, 150, 150))
    tip = (target[0] + cw * 0.3, target[1] + cw * 0.05)
    d.line((target, tip), fill=(176, 176, 180), width=int(cw * 0.04))


def _lerp(p, q, t):
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def _glare(scene: Image.Image, quad, side: str, what: str, rng: random.Random) -> Image.Image:
    """A specular reflection saturating part of the fields (drawn after the noise: highlights
    clip)."""
    u0, v0, u1, v1 = FIELDS[side]
    target = _at(quad, rng.uniform(u0 + 0.08, u1 - 0.08), rng.uniform(v0 + 0.1, v1 - 0.1))
    cw = math.dist(quad[1], quad[2])
    layer = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(layer)
    if what == "LED strip line":
        a = math.radians(rng.uniform(-25, 25))
        dx, dy = math.cos(a) * cw * 0.45, math.sin(a) * cw * 0.45
        step = cw * 0.035
        for k in range(-12, 13):  # a row of diode dots joined by a fainter line
            x, y = target[0] + dx * k / 12, target[1] + dy * k / 12
            d.ellipse((x - step * 0.3, y - step * 0.3, x + step * 0.3, y + step * 0.3), fill=255)
        d.line((target[0] - dx, target[1] - dy, target[0] + dx, target[1] + dy), fill=200,
               width=max(2, int(step * 0.25)))
        blur = step * 0.12
    elif what == "window patch":
        pw, ph = cw * rng.uniform(0.22, 0.3), cw * rng.uniform(0.14, 0.2)
        d.rectangle((target[0] - pw / 2, target[1] - ph / 2, target[0] + pw / 2,
                     target[1] + ph / 2), fill=255)
        d.line((target[0], target[1] - ph / 2, target[0], target[1] + ph / 2), fill=120,
               width=max(2, int(pw * 0.05)))  # the window's cross bar, less bright
        blur = cw * 0.008
    elif what == "flash":
        r = cw * rng.uniform(0.07, 0.1)
        for k in range(6, 0, -1):
            rr = r * k / 3
            d.ellipse((target[0] - rr, target[1] - rr, target[0] + rr, target[1] + rr),
                      fill=int(255 * min(1, 1.6 / k)))
        blur = r * 0.2
    else:  # a ring light's ring
        r = cw * rng.uniform(0.09, 0.13)
        d.ellipse((target[0] - r, target[1] - r, target[0] + r, target[1] + r), outline=255,
                  width=max(4, int(r * 0.25)))
        blur = r * 0.05
    small = layer.resize((scene.width // 4, scene.height // 4), Image.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(max(0.5, blur / 4)))
    alpha = small.resize(scene.size, Image.BILINEAR).point(lambda v: min(255, int(v * 1.3)))
    return Image.composite(Image.new("RGB", scene.size, (255, 255, 255)), scene, alpha)
