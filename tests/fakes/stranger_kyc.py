"""The stranger KYC style (artifacts.STRANGER): tests/fakes/stranger.py's card photographed the
way users, fraudsters and careless clerks do, for the warnings of issue 21. A hold-out drawn on
2026-12-07 by an engineer who read neither the rules (imaging/quality.py) nor the other styles'
drawing code; never tuned on.

Scenes are its own: surfaces from stranger.py (oak, checked cloth, marble, leather, printed
cotton, office desk, rattan, a palm), light falling off to the corners or mixed lamp and
daylight, the phone's sensor noise and sharpening. Each kind names its variant in the Shot's
detail (after the side):

- ordinary: honest photos (on a desk, held by its edge in a hand, a dim room, slightly blurred,
  on patterned cloth, lamp and daylight, recompressed by a chat app);
- photocopy: a paper copy photographed on a desk (black-and-white laser, colour copier, inkjet
  with banding, halftone screen, a copy of a copy);
- screen_recapture: the card shown on a phone's LCD (RGB stripes), an OLED (PenTile), a laptop
  (matte, larger pixels), a TV (large pixels with black gaps) or an e-ink reader (grey, dithered);
- incomplete_border: one edge cut off, a corner cut off, or the phone held too close;
- occlusion: a finger or thumb (five skin tones), a white price sticker, clear tape, a pale
  pen, a paper clip or a ring over the fields;
- glare_on_fields: a phone's flash, a window's reflection (with its bars), a desk lamp's
  warm spot over the text;
- multiple_cards: another ID card, a bank card or a transit card, beside, overlapping or
  fanned in a stack.

`render(kind, seed, style)` returns an artifacts.Shot; the region is the first (the photographed
user's) card's corners TL, BL, BR, TR.
"""

import io
import math
import random
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.fakes import stranger
from tests.fakes.artifacts import FIELD_SPOTS, KINDS, Shot

DESCRIPTION = ("stranger.py's card on its own surfaces; copies, screens, cuts, occluders, glare "
               "and second cards of its own (tests/fakes/stranger_kyc.py)")
ORDINARY = ("on a desk", "held in a hand", "dim room", "slightly blurred", "on patterned cloth",
            "lamp and daylight", "chat app recompression")
COPIES = ("black-and-white laser", "colour copier", "inkjet banding", "halftone screen",
          "copy of a copy")
SCREENS = ("phone LCD", "OLED PenTile", "laptop", "TV", "e-ink")
CUTS = ("one edge", "a corner", "too close")
OCCLUDERS = ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip", "ring")
GLARES = ("flash", "window", "desk lamp")
OTHER_CARDS = ("ID card", "bank card", "transit card")
ARRANGEMENTS = ("beside", "overlapping", "fanned")
SKINS = ((246, 214, 190), (228, 180, 146), (198, 140, 100), (140, 94, 64), (92, 62, 46))
ASPECT = 54 / 85.6


def variant(choices, seed: int):
    """Each variant in turn by seed, so that any run of len(choices) seeds draws every one."""
    return choices[seed % len(choices)]


def render(kind: str, seed: int, style=None) -> Shot:
    from tests.fakes import artifacts

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    style = style or artifacts.STRANGER
    rng = random.Random(f"stranger-kyc/{kind}/{seed}")
    frame = style.frame if rng.random() < 0.7 else style.frame[::-1]
    person = stranger.random_person(rng)
    side = rng.choice(("face", "back"))
    card = stranger.card_image(side, person[side], rng)
    spot = rng.choice(FIELD_SPOTS[side])
    field = (rng.uniform(spot[0], spot[2]), rng.uniform(spot[1], spot[3]))
    notes = [side]
    lo, hi = style.card_width  # given for the style's own 3,648 px frame, scaled to this one
    width = min(rng.uniform(lo, hi) * max(frame) / 3648, 0.8 * min(frame[0], frame[1] / ASPECT))
    tilt = rng.uniform(-style.tilt, style.tilt)
    keystone = rng.uniform(0, 0.08)
    name = None
    if kind == "ordinary":
        name = variant(ORDINARY, seed)
    elif kind == "photocopy":
        name = variant(COPIES, seed)
    elif kind == "screen_recapture":
        name = variant(SCREENS, seed)
    elif kind == "incomplete_border":
        name = variant(CUTS, seed)
    elif kind == "occlusion":
        name = variant(OCCLUDERS, seed)
        card = _occlude_card(card, rng, name, field)
    elif kind == "glare_on_fields":
        name = variant(GLARES, seed)
    elif kind == "multiple_cards":
        name = f"{variant(OTHER_CARDS, seed)} {variant(ARRANGEMENTS, seed // 3)}"
        width *= 0.62
    notes.append(name)
    surface_name = "printed cotton" if name == "on patterned cloth" else \
        "palm of a hand" if name == "held in a hand" and rng.random() < 0.3 else None
    scene, where = stranger.surface(rng, frame, surface_name)
    notes.append(f"on {where}")
    at = _centre(rng, frame, width)
    if kind == "incomplete_border":
        at = _cut_centre(rng, frame, width, name)
        if name == "too close":
            width = max(frame) * rng.uniform(1.05, 1.25)
    if kind == "photocopy":
        scene, quad = _photocopy(scene, card, rng, name, width, tilt, at)
    elif kind == "screen_recapture":
        scene, quad = _screen(scene, card, rng, name, width, tilt, at)
    else:
        quad = stranger.card_quad(rng, width, 0, tilt, keystone, at)
        if kind == "multiple_cards":
            scene = _second_cards(scene, rng, name, width, quad, tilt)
        scene = stranger.place(scene, card, quad, rng.uniform(0.2, 0.45))
    if kind == "occlusion" and name in ("finger", "thumb"):
        scene = _finger(scene, rng, quad, field, name)
    if name == "held in a hand":
        scene = _holding_fingers(scene, rng, quad)
    mixed = name == "lamp and daylight"
    dim = rng.uniform(0.4, 0.6) if name == "dim room" else rng.uniform(0.85, 1.1)
    scene, _ = stranger.lighting(scene, rng, dim, mixed)
    if kind == "glare_on_fields":
        scene = _glare(scene, rng, quad, field, name)
    if name == "slightly blurred":
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.8)))
    scene = stranger.sensor(scene, rng, 2.5 if dim < 0.7 else rng.uniform(0.6, 1.3))
    quality = rng.randint(*style.jpeg)
    if name == "chat app recompression":
        scene = Image.open(io.BytesIO(stranger.encode(scene, rng, rng.randint(55, 70), 2)))
    out = io.BytesIO()
    scene.convert("RGB").save(out, "JPEG", quality=quality, subsampling=rng.choice((0, 2)))
    region = [(float(x), float(y)) for x, y in quad]
    return Shot(kind, style.name, out.getvalue(), region,
                None if kind == "ordinary" else kind, ", ".join(notes))


# Where the card goes ---------------------------------------------------------------------------

def _centre(rng: random.Random, frame, width: float) -> Tuple[float, float]:
    half_w, half_h = width * 0.58, width * ASPECT * 0.58 + width * 0.12
    return (rng.uniform(min(half_w, frame[0] / 2), max(frame[0] - half_w, frame[0] / 2)),
            rng.uniform(min(half_h, frame[1] / 2), max(frame[1] - half_h, frame[1] / 2)))


def _cut_centre(rng: random.Random, frame, width: float, how: str) -> Tuple[float, float]:
    """A centre that puts part of the card beyond the frame."""
    w, h = frame
    height = width * ASPECT
    if how == "too close":
        return w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2 + rng.uniform(-0.05, 0.05) * h
    out = rng.uniform(0.12, 0.3)
    if how == "one edge":
        edge = rng.randrange(4)
        x = [width / 2 - out * width, w / 2, w - width / 2 + out * width, w / 2][edge]
        y = [h / 2, height / 2 - out * height, h / 2, h - height / 2 + out * height][edge]
        return x, y
    x = rng.choice((width / 2 - out * width, w - width / 2 + out * width))
    y = rng.choice((height / 2 - out * height, h - height / 2 + out * height))
    return x, y


def _on_card(quad, u: float, v: float) -> Tuple[float, float]:
    """The photo's point at fractions (u, v) of the card's width and height."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    top = (tlx + (trx - tlx) * u, tly + (try_ - tly) * u)
    bottom = (blx + (brx - blx) * u, bly + (bry - bly) * u)
    return top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v


# Copies ----------------------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier prints it on paper (RGBA, the card's outline kept)."""
    alpha = card.getchannel("A")
    rgb = np.asarray(card.convert("RGB"), np.float32)
    grey = rgb @ np.array([0.3, 0.59, 0.11], np.float32)
    npr = np.random.default_rng(rng.randint(0, 2**31))
    h, w = grey.shape
    if how in ("black-and-white laser", "copy of a copy"):
        passes = 2 if how == "copy of a copy" else 1
        for _ in range(passes):  # toner: the light ground drops out, text thickens and blackens
            grey = np.clip((grey - rng.uniform(80, 110)) * rng.uniform(1.6, 2.2), 0, 255)
            grey = np.asarray(Image.fromarray(grey.astype(np.uint8))
                              .filter(ImageFilter.GaussianBlur(0.9)), np.float32)
            grey -= (npr.random((h, w)) < 0.004) * 180
        out = np.repeat(grey[..., None], 3, -1)
    elif how == "colour copier":  # colours washed out, magenta cast, ground lightened
        out = 255 - (255 - rgb) * rng.uniform(0.55, 0.75)
        out = out * 0.6 + grey[..., None] * 0.4
        out[..., 1] -= rng.uniform(6, 14)
    elif how == "inkjet banding":
        out = 255 - (255 - rgb) * 0.8
        bands = (np.arange(h) // rng.randint(6, 14)) % 2 == 0
        out[bands] += rng.uniform(10, 22)
        out += npr.normal(0, 8, out.shape)
    else:  # halftone: a screen of dots, darker where the card is darker
        cell = rng.choice((4, 5, 6))
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        a = math.radians(45)
        u, v = xs * math.cos(a) + ys * math.sin(a), -xs * math.sin(a) + ys * math.cos(a)
        screen = (np.cos(u * 2 * math.pi / cell) + np.cos(v * 2 * math.pi / cell) + 2) / 4
        ink = grey / 255 < screen
        out = np.repeat(np.where(ink, 30.0, 245.0)[..., None], 3, -1)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).convert("RGBA")
    outline = Image.new("L", card.size, 0)  # the copier sees the card's edge as a grey line
    ImageDraw.Draw(outline).rounded_rectangle((1, 1, w - 2, h - 2), radius=stranger.mm(3.18),
                                              outline=200, width=3)
    img.paste((90, 90, 90, 255), (0, 0), outline)
    img.putalpha(alpha.point(lambda v: v * 235 // 255))  # printed on the page: paper shows
    return img


def _photocopy(scene, card, rng, how, width, tilt, at):
    """The copy on an A4 page lying on the surface; the page's card is the region."""
    page_w = min(scene.width, scene.height / 1.414) * 0.95 if width < scene.width * 0.4 else \
        width * 210 / 85.6
    page_w = max(page_w, width * 1.15)
    page = Image.new("RGBA", (int(page_w), int(page_w * 1.414)),
                     tuple(rng.randint(236, 252) for _ in range(3)) + (255,))
    copied = copy_of(card, rng, how)
    inner = copied.resize((int(width), int(width * ASPECT)), Image.LANCZOS)
    px = rng.uniform(0.05, 0.95 - width / page_w) * page_w if page_w > width * 1.1 else \
        (page_w - width) / 2
    py = rng.uniform(0.05, 0.4) * page.height
    page.alpha_composite(inner, (int(px), int(py)))
    a = math.radians(tilt)  # the page turned about the copied card's centre, which lies at `at`
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    inner_centre = np.array([px + inner.width / 2, py + inner.height / 2])

    def placed(points):
        return [tuple(p) for p in (np.array(points, np.float64) - inner_centre) @ rot.T +
                np.array(at)]

    page_quad = placed([(0, 0), (0, page.height), (page.width, page.height), (page.width, 0)])
    scene = stranger.place(scene, page, page_quad, 0.2)
    quad = placed([(px, py), (px, py + inner.height), (px + inner.width, py + inner.height),
                   (px + inner.width, py)])
    return scene, quad


# Screens ---------------------------------------------------------------------------------------

def _covered(t0: np.ndarray, t1: np.ndarray, start: float, share: float) -> np.ndarray:
    """How much of the span [t0, t1) (in screen pixels) falls on the part [start, start +
    share) of every screen pixel, as a fraction of the span: a camera pixel averages the light
    over its area, so the subpixels beat against its grid (moiré) instead of aliasing."""
    def cumulative(t):
        return np.floor(t) * share + np.clip(t - np.floor(t) - start, 0, share)
    return (cumulative(t1) - cumulative(t0)) / (t1 - t0)


def mosaic(card: Image.Image, screen: str, pitch: float, rng: random.Random) -> Image.Image:
    """The card as a screen shows it and a camera sees it, `pitch` photo pixels per screen
    pixel: each screen pixel lit as its subpixels are laid out (RGB stripes, PenTile's green
    beside an alternating red or blue, e-ink's dithered greys), with the dark matrix between."""
    cols, rows = max(8, int(card.width / pitch)), max(5, int(card.height / pitch))
    lowres = np.asarray(card.convert("RGB").resize((cols, rows), Image.BILINEAR), np.float32)
    x = np.arange(card.width, dtype=np.float64)
    y = np.arange(card.height, dtype=np.float64)
    sx = np.clip(((x + 0.5) / pitch).astype(np.int32), 0, cols - 1)
    sy = np.clip(((y + 0.5) / pitch).astype(np.int32), 0, rows - 1)
    value = lowres[sy[:, None], sx[None, :]]
    if screen == "e-ink":
        grey = value @ np.array([0.3, 0.59, 0.11], np.float32)
        fx, fy = (x / pitch) % 1, (y / pitch) % 1
        levels = np.round(grey / 255 * 15 + (fx[None, :] + fy[:, None] - 1) * 0.5) / 15
        out = 70 + levels * 130  # 16 greys, dithered: a dull paper-grey white, a grey black
        return Image.fromarray(np.clip(np.repeat(out[..., None], 3, -1), 0, 255)
                               .astype(np.uint8)).convert("RGBA")
    t0x, t1x, t0y, t1y = x / pitch, (x + 1) / pitch, y / pitch, (y + 1) / pitch
    lit_rows = _covered(t0y, t1y, 0.0, 0.82 if screen == "TV" else 0.9)[:, None]
    if screen == "OLED PenTile":  # every pixel's right half green; left halves red and blue
        shape = (card.height, card.width)  # in turn, the other way round on the next row
        green = _covered(t0x, t1x, 0.5, 0.5)[None, :] * 1.9
        odd_row = (sy % 2 == 1)[:, None]
        first, second = (_covered(t0x / 2, t1x / 2, start, 0.25)[None, :] * 3.8
                         for start in (0.0, 0.5))
        gains = [np.where(odd_row, second, first), np.broadcast_to(green, shape),
                 np.where(odd_row, first, second)]
    else:  # stripes: R, G, B thirds of each pixel (a TV's with a wider black matrix)
        share = 0.27 if screen == "TV" else 0.31
        gains = [np.broadcast_to(_covered(t0x, t1x, c / 3, share)[None, :] * (1.05 / share),
                                 (card.height, card.width)) for c in range(3)]
    out = np.stack([value[..., c] * gains[c] * lit_rows for c in range(3)], -1)
    for axis in (0, 1):  # the lens blurs the light before the sensor clips it
        out = (np.roll(out, 1, axis) + out + np.roll(out, -1, axis)) / 3
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).convert("RGBA")


def _screen(scene, card, rng, screen, width, tilt, at):
    """The card shown on a screen, photographed: the device's body around it, the card filling
    most of the display, the display glowing a little blue."""
    pitch = {"phone LCD": rng.uniform(1.3, 2.4), "OLED PenTile": rng.uniform(1.3, 2.2),
             "laptop": rng.uniform(2.0, 3.2), "TV": rng.uniform(3.0, 4.5),
             "e-ink": rng.uniform(1.5, 2.5)}[screen]
    shown = card.resize((int(width), int(width * ASPECT)), Image.LANCZOS)
    margin = int(width * rng.uniform(0.06, 0.2))
    display = Image.new("RGBA", (shown.width + 2 * margin, shown.height + 2 * margin),
                        (16, 16, 18, 255) if screen != "e-ink" else (200, 200, 196, 255))
    display.alpha_composite(shown, (margin, margin))
    lit = mosaic(display, screen, pitch, rng)
    if screen == "laptop":  # a matte panel: diffused, a little hazy
        lit = Image.blend(lit, Image.new("RGBA", lit.size, (60, 60, 66, 255)), 0.12)
    a = np.asarray(lit, np.float32)
    if screen != "e-ink":
        a[..., 2] *= 1.06
        a[..., 0] *= 0.96
    lit = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    bezel = int(width * rng.uniform(0.03, 0.08))
    body = Image.new("RGBA", (lit.width + 2 * bezel, lit.height + 2 * bezel), (0, 0, 0, 0))
    ImageDraw.Draw(body).rounded_rectangle((0, 0, body.width - 1, body.height - 1),
                                           radius=bezel * 2, fill=(22, 22, 24, 255))
    body.alpha_composite(lit, (bezel, bezel))
    a_ = math.radians(tilt)
    rot = np.array([[math.cos(a_), -math.sin(a_)], [math.sin(a_), math.cos(a_)]])
    corners = np.array([(0, 0), (0, body.height), (body.width, body.height), (body.width, 0)],
                       np.float64) - np.array([body.width / 2, body.height / 2])
    body_quad = [tuple(p) for p in corners @ rot.T + np.array(at)]
    scene = stranger.place(scene, body, body_quad, 0.35)
    off = bezel + margin
    inner = np.array([(off, off), (off, off + shown.height), (off + shown.width, off +
                                                               shown.height),
                      (off + shown.width, off)], np.float64) - np.array([body.width / 2,
                                                                         body.height / 2])
    quad = [tuple(p) for p in inner @ rot.T + np.array(at)]
    return scene, quad


# Things over the card --------------------------------------------------------------------------

def _occlude_card(card: Image.Image, rng: random.Random, what: str, field) -> Image.Image:
    """Objects lying on the card (drawn in the card's own pixels); fingers come later, over
    the photo, from beyond the card."""
    if what in ("finger", "thumb"):
        return card
    w, h = card.size
    cx, cy = field[0] * w, field[1] * h
    layer = Image.new("RGBA", card.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    if what == "white sticker":
        sw, sh = w * rng.uniform(0.26, 0.36), h * rng.uniform(0.28, 0.4)
        d.rounded_rectangle((cx - sw / 2, cy - sh / 2, cx + sw / 2, cy + sh / 2), radius=sh * 0.15,
                            fill=(250, 250, 246, 255))
        price = f"¥{rng.randint(3, 99)}.{rng.randint(0, 9)}0"
        d.text((cx - sw * 0.3, cy - sh * 0.15), price, fill=(150, 150, 150, 255),
               font=stranger.font(stranger.SANS_LIGHT, int(sh * 0.3)))
    elif what == "clear tape":  # translucent: the text shows through, the tape's sheen on top
        tw = h * rng.uniform(0.25, 0.35)
        angle = rng.uniform(-25, 25)
        band = Image.new("RGBA", (int(w * 1.6), int(tw)), (255, 255, 240, 95))
        bd = ImageDraw.Draw(band)
        bd.rectangle((0, tw * 0.2, band.width, tw * 0.45), fill=(255, 255, 255, 170))
        bd.line((0, tw - 2, band.width, tw - 2), fill=(180, 180, 170, 200), width=2)
        band = band.rotate(angle, expand=True)
        layer.alpha_composite(band, (int(cx - band.width / 2), int(cy - band.height / 2)))
    elif what == "pale pen":
        length, thick = w * rng.uniform(0.6, 0.9), h * rng.uniform(0.09, 0.13)
        colour = rng.choice(((240, 240, 236), (236, 220, 226), (214, 220, 228)))
        pen = Image.new("RGBA", (int(length), int(thick * 2)), (0, 0, 0, 0))
        pd = ImageDraw.Draw(pen)
        pd.rounded_rectangle((0, thick * 0.5, length, thick * 1.5), radius=thick / 2,
                             fill=(40, 40, 40, 90))  # its shadow
        pd.rounded_rectangle((0, 0, length, thick), radius=thick / 2, fill=colour + (255,))
        pd.rectangle((length * 0.1, thick * 0.1, length * 0.45, thick * 0.3),
                     fill=(255, 255, 255, 255))
        pen = pen.rotate(rng.uniform(-30, 30), expand=True)
        layer.alpha_composite(pen, (int(cx - pen.width / 2), int(cy - pen.height / 2)))
    elif what == "paper clip":
        clip_w, clip_h = w * rng.uniform(0.3, 0.4), h * rng.uniform(0.15, 0.2)
        clip = Image.new("RGBA", (int(clip_w + 8), int(clip_h + 8)), (0, 0, 0, 0))
        cd = ImageDraw.Draw(clip)
        silver = (190, 194, 200, 255)
        for k in range(3):  # the wire's three nested loops
            inset = k * clip_h * 0.17
            cd.rounded_rectangle((4 + inset, 4 + inset, clip_w - inset * (1.5 if k else 1),
                                  clip_h - inset), radius=(clip_h - 2 * inset) / 2,
                                 outline=silver, width=max(3, int(clip_h * 0.08)))
        clip = clip.rotate(rng.uniform(-40, 40), expand=True)
        layer.alpha_composite(clip, (int(cx - clip.width / 2), int(cy - clip.height / 2)))
    else:  # a ring laid down on the card
        r = h * rng.uniform(0.15, 0.2)
        metal = rng.choice(((212, 175, 80), (200, 200, 206)))
        d.ellipse((cx - r + 6, cy - r + 8, cx + r + 6, cy + r + 8), outline=(30, 30, 30, 90),
                  width=int(r * 0.3))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=metal + (255,), width=int(r * 0.3))
        d.arc((cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9), 200, 260,
              fill=(255, 255, 240, 255), width=int(r * 0.08))
    out = card.copy()
    out.alpha_composite(layer)
    out.putalpha(card.getchannel("A"))
    return out


def _capsule(scene: Image.Image, start, end, thick: float, skin, nail: bool) -> Image.Image:
    """A finger from `start` (beyond the card) to its tip at `end`: a rounded capsule, shaded
    across its width, with a nail near the tip."""
    length = math.hypot(end[0] - start[0], end[1] - start[1])
    finger = Image.new("RGBA", (int(length + thick), int(thick * 1.6)), (0, 0, 0, 0))
    fd = ImageDraw.Draw(finger)
    fd.rounded_rectangle((0, thick * 0.45, length + thick / 2, thick * 1.45), radius=thick / 2,
                         fill=(0, 0, 0, 70))  # its shadow
    for k in range(6):  # darker at the sides
        shade = 0.78 + 0.22 * math.sin(math.pi * (k + 0.5) / 6)
        inset = k * thick / 14
        fd.rounded_rectangle((inset, inset, length + thick / 2 - inset, thick - inset),
                             radius=thick / 2 - inset,
                             fill=tuple(int(c * shade) for c in skin) + (255,))
    if nail:
        fd.rounded_rectangle((length - thick * 0.55, thick * 0.22, length + thick * 0.3,
                              thick * 0.78), radius=thick * 0.25,
                             fill=tuple(min(255, int(c * 1.1 + 25)) for c in skin) + (255,))
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
    rotated = finger.rotate(-angle, expand=True, resample=Image.BICUBIC)
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    scene = scene.convert("RGBA")
    scene.alpha_composite(rotated, (int(mid[0] - rotated.width / 2),
                                    int(mid[1] - rotated.height / 2)))
    return scene.convert("RGB")


def _finger(scene, rng, quad, field, what):
    """A finger or a thumb reaching from beyond the card's nearest edge over a field."""
    tip = _on_card(quad, *field)
    card_w = math.dist(quad[0], quad[3])
    edge_u, edge_v = rng.choice(((field[0], 1.25), (-0.2, field[1]), (1.2, field[1]),
                                 (field[0], -0.25)))
    start = _on_card(quad, edge_u, edge_v)
    thick = card_w * (0.2 if what == "thumb" else 0.14) * rng.uniform(0.9, 1.1)
    return _capsule(scene, start, tip, thick, rng.choice(SKINS), True)


def _holding_fingers(scene, rng, quad):
    """An honest hold: a thumb over the card's margin at one short edge, the fields clear."""
    card_w = math.dist(quad[0], quad[3])
    u = rng.choice((-0.18, 1.18))
    v = rng.uniform(0.55, 0.8)
    start = _on_card(quad, u, v)
    tip = _on_card(quad, 0.02 if u < 0 else 0.98, v)
    return _capsule(scene, start, tip, card_w * 0.12, rng.choice(SKINS), True)


def _glare(scene, rng, quad, field, how):
    centre = _on_card(quad, *field)
    card_w = math.dist(quad[0], quad[3])
    if how == "flash":
        return stranger.glare(scene, rng, centre, card_w * rng.uniform(0.12, 0.18), "spot")
    if how == "desk lamp":
        lit = stranger.glare(scene, rng, centre, card_w * rng.uniform(0.1, 0.15), "spot")
        a = np.asarray(lit, np.float32)
        a[..., 2] *= 0.94
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    # a window: a bright pane split by its bars, reflected over the text
    a = np.asarray(scene, np.float32)
    mask = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(mask)
    pw, ph = card_w * rng.uniform(0.3, 0.45), card_w * rng.uniform(0.2, 0.3)
    x0, y0 = centre[0] - pw / 2, centre[1] - ph / 2
    d.rectangle((x0, y0, x0 + pw, y0 + ph), fill=255)
    bar = max(2, int(pw * 0.05))
    d.rectangle((x0 + pw / 2 - bar / 2, y0, x0 + pw / 2 + bar / 2, y0 + ph), fill=90)
    d.rectangle((x0, y0 + ph / 2 - bar / 2, x0 + pw, y0 + ph / 2 + bar / 2), fill=90)
    mask = mask.rotate(rng.uniform(-20, 20), center=centre).filter(
        ImageFilter.GaussianBlur(max(2, pw / 30)))
    m = np.asarray(mask, np.float32)[..., None] / 255
    return Image.fromarray(np.clip(a + m * 300, 0, 255).astype(np.uint8))


# Second cards ----------------------------------------------------------------------------------

def _other_card(rng: random.Random, what: str) -> Image.Image:
    if what == "ID card":
        person = stranger.random_person(rng)
        side = rng.choice(("face", "back"))
        return stranger.card_image(side, person[side], rng)
    w, h = stranger.CARD_SIZE
    a = np.zeros((h, w, 3), np.float32)
    x = np.linspace(0, 1, w)[None, :, None]
    if what == "bank card":
        c0, c1 = (np.array(rng.choice(((10, 60, 140), (150, 20, 30), (20, 110, 80), (30, 30, 34))),
                           np.float32), np.array((200, 200, 210), np.float32))
    else:  # a transit card's bright picture
        c0, c1 = (np.array(rng.choice(((0, 160, 200), (240, 140, 20), (110, 190, 60))),
                           np.float32), np.array((250, 240, 220), np.float32))
    a[:] = c0 * (1 - x * 0.7) + c1 * x * 0.7
    card = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(card)
    f = stranger.font(stranger.SANS_BLACK, stranger.mm(4.2))
    if what == "bank card":
        d.text((stranger.mm(6), stranger.mm(5)), rng.choice(("中国建设银行", "招商银行",
                                                              "中国农业银行")),
               font=f, fill=(250, 250, 250))
        d.rounded_rectangle((stranger.mm(9), stranger.mm(19), stranger.mm(20), stranger.mm(27)),
                            radius=stranger.mm(1.2), fill=(214, 186, 110))
        digits = " ".join(f"{rng.randint(0, 9999):04d}" for _ in range(4))
        d.text((stranger.mm(8), stranger.mm(33)), digits,
               font=stranger.font(stranger.NUMBER_FONTS[1], stranger.mm(4.6)),
               fill=(236, 236, 236))
        d.text((stranger.mm(62), stranger.mm(44)), "银联", font=f, fill=(255, 255, 255))
    else:
        d.text((stranger.mm(6), stranger.mm(6)), rng.choice(("交通联合", "羊城通", "深圳通",
                                                             "一卡通")),
               font=f, fill=(255, 255, 255))
        d.ellipse((stranger.mm(45), stranger.mm(14), stranger.mm(82), stranger.mm(52)),
                  fill=tuple(int(v) for v in c1))
    return stranger._rounded(card)


def _second_cards(scene, rng, name, width, quad, tilt):
    """The other card(s), placed before the user's card (which lies on top)."""
    what, how = name.rsplit(" ", 1)
    count = 2 if how == "fanned" else 1
    (tlx, tly), _, (brx, bry), _ = quad
    cx, cy = (tlx + brx) / 2, (tly + bry) / 2
    for k in range(count):
        other = _other_card(rng, what)
        if how == "beside":
            dx = width * rng.uniform(1.08, 1.25) * (1 if cx < scene.width / 2 else -1)
            dy = width * rng.uniform(-0.15, 0.15)
            if not 0 < cx + dx < scene.width:
                dx, dy = 0, width * ASPECT * 1.2 * (1 if cy < scene.height / 2 else -1)
            turn = rng.uniform(-10, 10)
        elif how == "overlapping":
            dx, dy = width * rng.uniform(0.35, 0.55), width * ASPECT * rng.uniform(0.3, 0.5)
            turn = rng.uniform(-15, 15)
        else:  # fanned from the same corner, like cards in a hand
            turn = (k + 1) * rng.uniform(12, 20)
            dx, dy = width * 0.12 * (k + 1), width * 0.05 * (k + 1)
        at = (min(max(cx + dx, width * 0.5), scene.width - width * 0.5),
              min(max(cy + dy, width * 0.4), scene.height - width * 0.4))
        scene = stranger.place(scene, other, stranger.card_quad(rng, width, 0, tilt + turn, 0.0,
                                                                at), 0.3)
    return scene
