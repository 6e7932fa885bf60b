"""The pilgrim hold-out's KYC photos (artifacts.PILGRIM): tests/fakes/pilgrim.py's card in
scenes of this module's own, for the six warnings of issue 21 and ordinary photos that must
raise none. Drawn on 2026-12-07 without reading the rules (imaging/quality.py) or the other
styles' drawing code, from how the phenomena arise:

- a photocopy loses the card's colour (laser toner, a thermal fax's faded grey, a copy of a
  copy) or keeps a little of it (an inkjet's colour copy with its banding), on a sheet of paper;
  a starved drum streaks it, a fold creases it;
- a screen shows the card through its pixel grid: RGB stripes (phone LCD, laptop, a TV's
  coarser ones with gaps), PenTile's RG/BG pairs (OLED), e-ink's grey; the camera resamples the
  grid into moiré; a video call shows a webcam's soft frame of the card in a window;
- a card cut by the frame loses one edge, a corner, two edges, is held too close, or slips out
  of the bottom of a selfie;
- an occluder lies over the fields: a finger or a thumb (six skin tones), a white sticker,
  clear tape, a pale pen, a paper clip, a ring, a coin, a watch's strap;
- glare is a specular highlight over the text: a flash, a window, a ring light, a desk lamp,
  a ceiling tube;
- a second card: another ID card, a bank card, a transit card, a social-security card, a
  driving licence, or the card's own photocopy, beside, overlapping or fanned;
- ordinary photos are what a user sends: on a table, the selfie holding the card beside one's
  face (the usual 手持身份证 photo), under a window blind's stripes, by tungsten light at night,
  through a dirty lens, at close range with shallow focus, a bent card in a hand.

`render(kind, seed, style)` returns an artifacts.Shot whose region is the first card's corners
(TL, BL, BR, TR). The variant of each kind goes in turn by seed (variant()), so a run of n
seeds draws n variants; multiple_cards crosses its second cards with its arrangements.
"""

import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from tests.fakes import pilgrim

KINDS = ("ordinary", "photocopy", "screen_recapture", "incomplete_border", "occlusion",
         "glare_on_fields", "multiple_cards")
DESCRIPTION = ("pilgrim.py's card on its own surfaces, in a selfie and in a hand; laser, inkjet, "
               "streaked, thermal-fax, folded copies and copies of copies; phone LCD, PenTile, "
               "laptop, TV, e-ink screens and a video call; fingers of six skin tones, stickers, "
               "tape, pens, clips, rings, coins, watch straps; flash, window, ring-light, lamp and "
               "tube glare; ID, bank, transit, social-security cards, a driving licence or its "
               "own copy beside, overlapping or fanned")
ORDINARY = ("on a table", "selfie holding the card", "blind stripes", "tungsten at night",
            "dirty lens haze", "shallow focus", "bent card in a hand")
COPIES = ("black-and-white laser", "colour inkjet", "low-toner streaks", "thermal fax",
          "folded copy", "copy of a copy")
SCREENS = ("phone LCD", "OLED PenTile", "laptop", "TV", "e-ink", "video call")
CUTS = ("one edge", "a corner", "two edges", "held too close", "selfie cut")
OCCLUDERS = ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip", "ring",
             "coin", "watch strap")
GLARES = ("flash", "window", "ring light", "desk lamp", "ceiling tube")
OTHER_CARDS = ("ID card", "bank card", "transit card", "social security card",
               "driving licence", "its own photocopy")
ARRANGEMENTS = ("beside", "overlapping", "fanned")
SKINS = ((252, 226, 206), (236, 196, 164), (214, 164, 124), (176, 122, 84), (128, 84, 56),
         (86, 56, 40))
REFERENCE_WIDTH = 4000  # the frame width the style's card widths are given for
Quad = List[Tuple[float, float]]


def variant(choices, seed: int):
    return choices[seed % len(choices)]


def render(kind: str, seed: int, style=None):
    from tests.fakes import artifacts

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (pilgrim_kyc draws {', '.join(KINDS)})")
    style = style or artifacts.PILGRIM
    rng = random.Random(f"pilgrim-kyc/{kind}/{seed}")
    person = pilgrim.random_person(rng)
    side = rng.choice(("face", "back"))
    card = pilgrim.card_image(side, person[side], rng)
    notes = [side]
    how = variant({"ordinary": ORDINARY, "photocopy": COPIES, "screen_recapture": SCREENS,
                   "incomplete_border": CUTS, "occlusion": OCCLUDERS,
                   "glare_on_fields": GLARES, "multiple_cards": OTHER_CARDS}[kind], seed)
    portrait = how in ("selfie holding the card", "selfie cut")
    frame = tuple(style.frame[::-1]) if portrait else tuple(style.frame)
    scale = max(frame) / REFERENCE_WIDTH
    width = rng.uniform(*style.card_width) * scale
    tilt = rng.uniform(-style.tilt, style.tilt)
    if kind == "multiple_cards":
        scene, region = _two_cards(card, rng, frame, width * 0.55, tilt, how,
                                   variant(ARRANGEMENTS, seed), notes)
    else:
        draw = {"ordinary": _ordinary, "photocopy": _photocopy, "screen_recapture": _screen,
                "incomplete_border": _cut, "occlusion": _occluded,
                "glare_on_fields": _glared}[kind]
        scene, region = draw(card, rng, frame, width, tilt, how, notes, side)
    data = pilgrim.encode(scene, rng, rng.randint(*style.jpeg))
    return artifacts.Shot(kind, style.name, data, region, None if kind == "ordinary" else kind,
                          ", ".join(notes))


# Placing -----------------------------------------------------------------------------------

def _whole(rng: random.Random, frame, width: float, tilt: float, keystone: float = 0.0,
           aspect: float = pilgrim.ASPECT) -> Quad:
    """A quad wholly inside the frame with a margin (the card shrunk if it would not fit)."""
    fw, fh = frame
    a = math.radians(tilt)
    for _ in range(20):
        bw = abs(math.cos(a)) * width + abs(math.sin(a)) * width * aspect
        bh = abs(math.sin(a)) * width + abs(math.cos(a)) * width * aspect
        if bw <= fw * 0.9 and bh <= fh * 0.9:
            break
        width *= 0.92
    cx = rng.uniform(fw / 2 - (fw * 0.93 - bw) / 2, fw / 2 + (fw * 0.93 - bw) / 2)
    cy = rng.uniform(fh / 2 - (fh * 0.93 - bh) / 2, fh / 2 + (fh * 0.93 - bh) / 2)
    return pilgrim.card_quad((cx, cy), width, tilt, keystone, aspect)


def _at(quad: Quad, u: float, v: float) -> Tuple[float, float]:
    """The point (u, v) of the card (fractions of its width and height) in the photo."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    top = (tlx + (trx - tlx) * u, tly + (try_ - tly) * u)
    bottom = (blx + (brx - blx) * u, bly + (bry - bly) * u)
    return top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v


def _field_point(rng: random.Random, side: str) -> Tuple[float, float]:
    from tests.fakes import artifacts

    x0, y0, x1, y1 = rng.choice(artifacts.FIELD_SPOTS[side])
    return rng.uniform(x0, x1), rng.uniform(y0, y1)


def _width_of(quad: Quad) -> float:
    return math.dist(quad[0], quad[3])


def _finish(scene: Image.Image, rng: random.Random, dim: float = 1.0, colour=(1, 1, 1),
            noise: float = 1.0) -> Image.Image:
    return pilgrim.sensor(pilgrim.light(scene, rng, dim, colour), rng, noise)


def _table(rng: random.Random, frame, notes) -> Image.Image:
    scene, where = pilgrim.surface(rng, frame)
    notes.append(f"on {where}")
    return scene


# Hands and faces ---------------------------------------------------------------------------

def _finger(d: ImageDraw.ImageDraw, start, end, thick: float, skin, nail: bool = True) -> None:
    """A finger from `start` (off the card) to its tip at `end`: a rounded bar in the skin's
    tone, darker along one side, with a paler nail at the tip."""
    shade = tuple(int(c * 0.82) for c in skin)
    d.line([start, end], fill=shade, width=int(thick))
    d.line([start, end], fill=skin, width=int(thick * 0.78))
    r = thick / 2
    d.ellipse((end[0] - r, end[1] - r, end[0] + r, end[1] + r), fill=skin)
    if nail:
        dx, dy = end[0] - start[0], end[1] - start[1]
        n = math.hypot(dx, dy) or 1
        nx, ny = end[0] - dx / n * r * 0.5, end[1] - dy / n * r * 0.5
        q = r * 0.55
        d.ellipse((nx - q, ny - q, nx + q, ny + q), fill=tuple(min(255, c + 28) for c in skin))


def selfie_person(scene: Image.Image, rng: random.Random, skin) -> None:
    """A person's head and shoulders filling the top of a portrait frame."""
    w, h = scene.size
    d = ImageDraw.Draw(scene)
    cloth = tuple(rng.randint(30, 200) for _ in range(3))
    d.polygon([(w * -0.1, h), (w * 0.05, h * 0.5), (w * 0.95, h * 0.5), (w * 1.1, h)], fill=cloth)
    d.rectangle((w * 0.4, h * 0.36, w * 0.6, h * 0.52), fill=skin)
    d.ellipse((w * 0.22, h * 0.06, w * 0.78, h * 0.44), fill=skin)
    hair = rng.randint(12, 60)
    d.chord((w * 0.2, h * 0.02, w * 0.8, h * 0.3), 180, 360, fill=(hair, hair - 4, hair - 6))
    for ex in (0.38, 0.62):
        d.ellipse((w * ex - w * 0.03, h * 0.22, w * ex + w * 0.03, h * 0.245), fill=(40, 30, 30))
    d.chord((w * 0.42, h * 0.3, w * 0.58, h * 0.36), 0, 180, fill=(150, 70, 70))


def _holding_hand(scene: Image.Image, quad: Quad, rng: random.Random, skin, side: str) -> None:
    """The hand that holds the card: the palm below its right end, a thumb on its right edge
    (beside the portrait on the face, right of the validity on the back: over no field)."""
    d = ImageDraw.Draw(scene)
    w = _width_of(quad)
    palm = _at(quad, 0.8, 1.05)
    d.ellipse((palm[0] - w * 0.2, palm[1] - w * 0.05, palm[0] + w * 0.2, palm[1] + w * 0.35),
              fill=tuple(int(c * 0.92) for c in skin))
    tip = _at(quad, 0.97, 0.55 if side == "face" else rng.uniform(0.6, 0.9))
    _finger(d, _at(quad, 1.15, 1.1), tip, w * 0.13, skin)


# Ordinary ------------------------------------------------------------------------------------

def _ordinary(card, rng, frame, width, tilt, how, notes, side):
    notes.append(how)
    dim, colour, noise = rng.uniform(0.85, 1.1), (1, 1, 1), rng.uniform(0.7, 1.4)
    if how == "selfie holding the card":
        scene = Image.new("RGB", frame, tuple(rng.randint(150, 230) for _ in range(3)))
        skin = rng.choice(SKINS)
        selfie_person(scene, rng, skin)
        width = min(width, frame[0] * 0.62)
        centre = (frame[0] * rng.uniform(0.45, 0.55), frame[1] * rng.uniform(0.6, 0.68))
        quad = pilgrim.card_quad(centre, width, tilt * 0.5, rng.uniform(0, 0.06))
        pilgrim.place(scene, card, quad, 0.2)
        _holding_hand(scene, quad, rng, skin, side)
        notes.append(f"skin {SKINS.index(skin) + 1}")
        return _finish(scene, rng, dim, colour, noise), quad
    scene = _table(rng, frame, notes)
    if how == "bent card in a hand":
        card, _ = pilgrim.bent(card, rng)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.08))
    pilgrim.place(scene, card, quad, rng.uniform(0.15, 0.35))
    if how == "bent card in a hand":
        skin = rng.choice(SKINS)
        _holding_hand(scene, quad, rng, skin, side)
        notes.append(f"skin {SKINS.index(skin) + 1}")
    elif how == "blind stripes":
        scene, _ = pilgrim.blind_stripes(scene, rng)
    elif how == "tungsten at night":
        dim, colour, noise = rng.uniform(0.55, 0.75), pilgrim.CASTS["tungsten cast"], 2.2
    elif how == "dirty lens haze":
        scene, _ = pilgrim.haze(scene, rng)
    elif how == "shallow focus":
        scene, _ = pilgrim.shallow_focus(scene, rng, quad)
    return _finish(scene, rng, dim, colour, noise), quad


# Photocopies -------------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier puts it on paper (RGB, paper-white around its rounded corners)."""
    density = rng.uniform(0.85, 1.1)
    copy = pilgrim.copy_of(card, rng, how == "colour inkjet", density)
    a = np.asarray(copy, np.float32)
    h, w = a.shape[:2]
    gen = pilgrim._rng_np(rng)
    if how == "colour inkjet":  # the head's passes: faint horizontal bands
        rows = 1 - 0.06 * (np.arange(h) // max(2, h // 60) % 2)
        a = 255 - (255 - a) * rows[:, None, None]
    elif how == "low-toner streaks":
        cols = np.ones(w, np.float32)
        for _ in range(rng.randint(2, 4)):
            c, half = int(gen.integers(0, w)), int(gen.integers(w // 60, w // 20))
            cols[max(0, c - half):c + half] = rng.uniform(0.3, 0.6)
        a = 255 - (255 - a) * cols[None, :, None]
    elif how == "thermal fax":
        fade = np.linspace(rng.uniform(0.5, 0.75), 1.0, w, dtype=np.float32)[None, :, None]
        a = 255 - (255 - a) * fade
        a = np.roll(a, 1, axis=1) * 0.5 + a * 0.5
    elif how == "folded copy":
        x = int(w * rng.uniform(0.35, 0.65))
        cols = np.arange(w, dtype=np.float32)
        a *= (1 - 0.3 * np.exp(-((cols - x) / (w * 0.006)) ** 2))[None, :, None]
    elif how == "copy of a copy":  # contrast pushed twice: greys go to black or white
        a = np.clip((a - 70) * 1.5, 0, 255)
    if how != "colour inkjet":  # toner specks on the drum
        specks = gen.random((h, w)) < 0.0015
        a[specks] = 40
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def _photocopy(card, rng, frame, width, tilt, how, notes, side):
    notes.append(how)
    copy = copy_of(card, rng, how).convert("RGBA")
    scanned = rng.random() < 0.35
    paper = tuple(rng.randint(240, 252) for _ in range(3))
    if scanned:  # the page fills the frame, as a scanner or a scanner app gives it
        scene = Image.new("RGB", frame, paper)
        notes.append("scanned page")
    else:
        scene = _table(rng, frame, notes)
        card_width = min(width, frame[0] * 0.6)
        page = pilgrim.card_quad((frame[0] / 2, frame[1] / 2), card_width * 210 / 85.6,
                                 tilt + rng.uniform(-3, 3), 0, 297 / 210)
        ImageDraw.Draw(scene).polygon(page, fill=paper)
    quad = _whole(rng, frame, min(width, frame[0] * 0.6), tilt)
    if not scanned:  # the card's copy where it lies on the page, near the page's middle
        centre = ((quad[0][0] + quad[2][0]) / 2, (quad[0][1] + quad[2][1]) / 2)
        quad = [(x - centre[0] + (centre[0] + frame[0] / 2) / 2,
                 y - centre[1] + (centre[1] + frame[1] / 2) / 2) for x, y in quad]
    pilgrim.place(scene, copy, quad, 0)
    return _finish(scene, rng, rng.uniform(0.85, 1.05), (1, 1, 1), 0.8), quad


# Screens -------------------------------------------------------------------------------------

PITCHES = {"phone LCD": (1.5, 3.0), "OLED PenTile": (1.5, 3.0), "laptop": (2.0, 4.0),
           "TV": (3.0, 6.0), "e-ink": (1.5, 3.0), "video call": (2.0, 4.0)}


def mosaic(content: Image.Image, screen: str, pitch: float) -> Image.Image:
    """The screen as the camera samples it, `pitch` photo pixels a screen pixel: each photo
    pixel takes the subpixel under it (RGB columns for LCD and laptop, with a dark row between
    a TV's pixels, PenTile's RG and BG pairs, e-ink's grey cells), so that the grid beats with
    the sensor's into moiré."""
    w, h = content.size
    size = (max(2, round(w * pitch)), max(2, round(h * pitch)))
    # which screen pixel and which third of it each photo pixel's centre falls in
    xs, ys = (np.arange(size[0]) + 0.5) / pitch, (np.arange(size[1]) + 0.5) / pitch
    fx, fy = (xs * 3).astype(int) % 3, (ys * 3).astype(int) % 3
    img = content.convert("RGB").resize(size, Image.NEAREST)
    if screen == "e-ink":  # grey, no backlight, a faint line between the cells
        grey = img.convert("L").point(lambda v: int(v * 0.8 + 30))
        rows = np.where(fy == 0, 230, 255).astype(np.uint8)
        lines = Image.fromarray(np.broadcast_to(rows[:, None], (size[1], size[0])).copy())
        return ImageChops.multiply(grey, lines).convert("RGB")
    # Each subpixel lit at 2.4 times the pixel's mean and the others leaking 0.3 of it (the
    # colour filters and the lens are not perfect), so that a pixel's average is its content;
    # the screen photographed at half the content's brightness, as a camera exposing for the
    # room sees it.
    img = img.point(lambda v: v // 2)
    columns = np.full((size[0], 3), 32, np.uint8)
    columns[np.arange(size[0]), fx] = 255
    if screen == "OLED PenTile":  # green in every pixel, red and blue on alternate ones
        odd = (xs.astype(int)[None, :] + ys.astype(int)[:, None]) % 2 == 1
        m = np.zeros((size[1], size[0], 3), np.uint8)
        m[..., 1] = 106
        m[..., 0] = np.where(odd, 212, 0)
        m[..., 2] = np.where(odd, 0, 212)
    else:
        m = np.broadcast_to(columns[None], (size[1], size[0], 3)).copy()
        if screen == "TV":  # a dark row between the TV's pixel rows
            m[fy == 2] = 0
    gain = 3.6 if screen == "TV" else 2.4
    return ImageChops.multiply(img, Image.fromarray(m)).point(
        lambda v: min(255, int(v * gain)))


def _screen(card, rng, frame, width, tilt, how, notes, side):
    pitch = rng.uniform(*PITCHES[how])
    notes += [how, f"pitch {pitch:.1f}"]
    shown = width  # the card's width in the photo
    card_px = max(40, int(shown / pitch))  # in screen pixels
    cw, ch = card_px, int(card_px * pilgrim.ASPECT)
    margin_x, margin_y = int(cw * rng.uniform(0.06, 0.2)), int(ch * rng.uniform(0.15, 0.6))
    dw, dh = cw + 2 * margin_x, ch + 2 * margin_y
    background = {"video call": (36, 38, 44), "e-ink": (230, 230, 226)}.get(
        how, rng.choice(((0, 0, 0), (246, 246, 246), (237, 237, 237))))
    content = Image.new("RGB", (dw, dh), background)
    shown_card = card.resize((cw, ch), Image.LANCZOS)
    if how == "video call":  # the far end's webcam: soft, noisy, compressed, mirrored
        shown_card = shown_card.filter(ImageFilter.GaussianBlur(cw / 400))
        shown_card = pilgrim.decoded(pilgrim.encode(shown_card.convert("RGB"), rng, 45, 2)) \
            .convert("RGBA")
        shown_card.putalpha(card.getchannel("A").resize((cw, ch)))
    content.paste(shown_card, (margin_x, margin_y), shown_card.getchannel("A"))
    if how == "video call":  # the call's own preview and its buttons
        d = ImageDraw.Draw(content)
        d.rectangle((dw * 0.78, dh * 0.04, dw * 0.97, dh * 0.22), fill=(90, 80, 70))
        for i in range(3):
            cx = dw * (0.4 + i * 0.1)
            d.ellipse((cx - dh * 0.03, dh * 0.9, cx + dh * 0.03, dh * 0.96),
                      fill=((220, 60, 60) if i == 1 else (200, 200, 200)))
    display = mosaic(content, how, pitch)
    glow = {"e-ink": 1.0, "TV": 1.15}.get(how, 1.1)
    display = display.point(lambda v: min(255, int(v * glow)))
    scene = _table(rng, frame, notes)
    disp_w = display.width
    quad = _whole(rng, frame, disp_w * 1.08, tilt, rng.uniform(0, 0.06),
                  aspect=(display.height * 1.08 + disp_w * 0.08) / (disp_w * 1.08))
    bezel = Image.new("RGBA", (100, 100), (14, 14, 16, 255))
    pilgrim.place(scene, bezel, quad, 0.3)
    inner = [_at(quad, u, v) for u, v in ((0.037, 0.04), (0.037, 0.96), (0.963, 0.96),
                                          (0.963, 0.04))]
    pilgrim.place(scene, display.convert("RGBA"), inner, 0)
    to_photo = pilgrim.homography([(0, 0), (0, dh), (dw, dh), (dw, 0)], inner)
    region = pilgrim.through(to_photo, [(margin_x, margin_y), (margin_x, margin_y + ch),
                                        (margin_x + cw, margin_y + ch), (margin_x + cw, margin_y)])
    return _finish(scene, rng, rng.uniform(0.6, 0.9), (1, 1, 1), 1.2), region


# Cuts ----------------------------------------------------------------------------------------

def _cut(card, rng, frame, width, tilt, how, notes, side):
    notes.append(how)
    fw, fh = frame
    if how == "selfie cut":
        scene = Image.new("RGB", frame, tuple(rng.randint(150, 230) for _ in range(3)))
        skin = rng.choice(SKINS)
        selfie_person(scene, rng, skin)
        width = fw * rng.uniform(0.55, 0.75)
        centre = (fw * rng.uniform(0.4, 0.6), fh - width * pilgrim.ASPECT * rng.uniform(0.1, 0.3))
        quad = pilgrim.card_quad(centre, width, tilt * 0.5)
        pilgrim.place(scene, card, quad, 0.2)
        return _finish(scene, rng), quad
    scene = _table(rng, frame, notes)
    h = width * pilgrim.ASPECT
    cx, cy = fw / 2, fh / 2
    if how == "held too close":
        width = fw * rng.uniform(1.08, 1.25)
        tilt *= 0.3
    elif how == "one edge":
        width = min(width, fh * 0.8 / pilgrim.ASPECT)
        overhang = width * rng.uniform(0.08, 0.25)
        cx = rng.choice((overhang - width / 2, fw + width / 2 - overhang))
        cx = cx if rng.random() < 0.5 else fw / 2
        if cx == fw / 2:  # the top or the bottom edge instead
            cy = rng.choice((h * 0.5 - h * 0.2, fh - h * 0.5 + h * 0.2))
        tilt *= 0.3
    else:  # a corner, or two edges: beyond both a side and the top or bottom
        width = min(width, fh * 0.9 / pilgrim.ASPECT)
        h = width * pilgrim.ASPECT
        share = 0.12 if how == "a corner" else 0.3
        cx = rng.choice((width / 2 - width * share, fw - width / 2 + width * share))
        cy = rng.choice((h / 2 - h * share, fh - h / 2 + h * share))
    quad = pilgrim.card_quad((cx, cy), width, tilt)
    pilgrim.place(scene, card, quad, 0.25)
    return _finish(scene, rng, rng.uniform(0.85, 1.05)), quad


# Occluders -------------------------------------------------------------------------------------

def _occluded(card, rng, frame, width, tilt, how, notes, side):
    notes.append(how)
    scene = _table(rng, frame, notes)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.05))
    pilgrim.place(scene, card, quad, 0.25)
    w = _width_of(quad)
    u, v = _field_point(rng, side)
    at = _at(quad, u, v)
    d = ImageDraw.Draw(scene, "RGBA")
    if how in ("finger", "thumb"):
        skin = rng.choice(SKINS)
        notes.append(f"skin {SKINS.index(skin) + 1}")
        edge = _at(quad, u, 1.3) if rng.random() < 0.5 else _at(quad, -0.3, v)
        _finger(d, edge, at, w * (0.2 if how == "thumb" else 0.16), skin)
    elif how == "white sticker":
        a = rng.uniform(-20, 20)
        sticker = Image.new("RGBA", (int(w * 0.24), int(w * 0.16)), (250, 250, 248, 255))
        pilgrim.place(scene, sticker, pilgrim.card_quad(at, w * 0.24, a, 0, 0.16 / 0.24), 0.15)
    elif how == "clear tape":  # frosted: the fields behind it blur and pale
        strip = pilgrim.card_quad(at, w * 0.9, math.degrees(math.atan2(quad[3][1] - quad[0][1],
                                                                       quad[3][0] - quad[0][0]))
                                  + rng.uniform(-15, 15), 0, 0.22)
        mask = Image.new("L", scene.size, 0)
        ImageDraw.Draw(mask).polygon(strip, fill=210)
        frosted = ImageChops.screen(scene.filter(ImageFilter.GaussianBlur(w / 120)),
                                    Image.new("RGB", scene.size, (110, 110, 110)))
        scene = Image.composite(frosted, scene, mask)
    elif how == "pale pen":
        a = math.radians(rng.uniform(0, 180))
        length = w * 0.9
        end0 = (at[0] - math.cos(a) * length / 2, at[1] - math.sin(a) * length / 2)
        end1 = (at[0] + math.cos(a) * length / 2, at[1] + math.sin(a) * length / 2)
        colour = rng.choice(((245, 245, 240), (236, 220, 236), (220, 236, 246)))
        d.line([end0, end1], fill=tuple(int(c * 0.8) for c in colour), width=int(w * 0.1))
        d.line([end0, end1], fill=colour, width=int(w * 0.075))
    elif how == "paper clip":
        a = rng.uniform(-30, 30)
        for k, (lw, lh) in enumerate(((0.36, 0.1), (0.28, 0.07))):
            loop = [tuple(p) for p in pilgrim.card_quad(at, w * lw, a, 0, lh / lw)]
            d.line(loop + [loop[0]], fill=(196, 198, 204), width=max(3, int(w * 0.022)),
                   joint="curve")
        d.polygon(pilgrim.card_quad(at, w * 0.3, a, 0, 0.2), fill=(200, 200, 206, 110))
    elif how == "ring":
        r = w * rng.uniform(0.1, 0.13)
        d.ellipse((at[0] - r, at[1] - r, at[0] + r, at[1] + r), outline=(214, 176, 70),
                  width=int(r * 0.45))
        d.ellipse((at[0] - r * 0.3, at[1] - r * 1.3, at[0] + r * 0.3, at[1] - r * 0.7),
                  fill=(240, 240, 250))
    elif how == "coin":
        r = w * rng.uniform(0.13, 0.16)
        d.ellipse((at[0] - r, at[1] - r, at[0] + r, at[1] + r), fill=(190, 178, 150),
                  outline=(130, 120, 96), width=max(2, int(r / 9)))
        d.ellipse((at[0] - r * 0.6, at[1] - r * 0.6, at[0] + r * 0.6, at[1] + r * 0.6),
                  outline=(160, 150, 124), width=max(2, int(r / 12)))
    else:  # a wrist across the card: its strap and the watch's face
        a = rng.uniform(60, 120)
        strap = pilgrim.card_quad(at, w * 1.2, a, 0, 0.18)
        d.polygon(strap, fill=(38, 30, 26))
        r = w * 0.13
        d.ellipse((at[0] - r, at[1] - r, at[0] + r, at[1] + r), fill=(210, 212, 216),
                  outline=(70, 70, 74), width=int(r * 0.2))
    return _finish(scene, rng, rng.uniform(0.85, 1.05)), quad


# Glare -----------------------------------------------------------------------------------------

def _glared(card, rng, frame, width, tilt, how, notes, side):
    notes.append(how)
    scene = _table(rng, frame, notes)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.05))
    pilgrim.place(scene, card, quad, 0.25)
    scene = pilgrim.light(scene, rng, rng.uniform(0.8, 1.0))
    w = _width_of(quad)
    at = _at(quad, *_field_point(rng, side))
    small = 4  # the highlight drawn at a quarter of the frame, then enlarged and softened
    mask = Image.new("L", (frame[0] // small, frame[1] // small), 0)
    d = ImageDraw.Draw(mask)
    x, y, s = at[0] / small, at[1] / small, w / small
    if how == "flash":
        for k, level in ((0.2, 120), (0.13, 255)):
            d.ellipse((x - s * k, y - s * k, x + s * k, y + s * k), fill=level)
    elif how == "window":  # panes of a window, its bars dark
        pw, ph = s * rng.uniform(0.16, 0.22), s * rng.uniform(0.12, 0.18)
        for i in (-1, 1):
            for j in (-1, 1):
                d.rectangle((x + i * pw * 0.55 - pw / 2, y + j * ph * 0.55 - ph / 2,
                             x + i * pw * 0.55 + pw / 2, y + j * ph * 0.55 + ph / 2), fill=255)
    elif how == "ring light":
        r = s * rng.uniform(0.15, 0.2)
        d.ellipse((x - r, y - r, x + r, y + r), outline=255, width=max(2, int(r * 0.35)))
    elif how == "desk lamp":
        d.ellipse((x - s * 0.22, y - s * 0.09, x + s * 0.22, y + s * 0.09), fill=255)
    else:  # a fluorescent tube overhead: a long bright band across the card
        a = math.radians(rng.uniform(-25, 25))
        dx, dy = math.cos(a) * s * 0.5, math.sin(a) * s * 0.5
        d.line([(x - dx, y - dy), (x + dx, y + dy)], fill=255, width=max(2, int(s * 0.08)))
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, s / 120))).resize(frame, Image.BILINEAR)
    scene = Image.composite(Image.new("RGB", frame, (255, 255, 253)), scene, mask)
    return pilgrim.sensor(scene, rng, 0.9), quad


# A second card ---------------------------------------------------------------------------------

def other_card(what: str, rng: random.Random, card: Image.Image) -> Image.Image:
    """Another card of the ID card's size (RGBA, rounded): `card` is the ID card itself, for
    its own photocopy."""
    size = pilgrim.CARD_SIZE
    if what == "ID card":
        other = pilgrim.random_person(rng)
        side = rng.choice(("face", "back"))
        return pilgrim.card_image(side, other[side], rng)
    if what == "its own photocopy":
        return pilgrim.copy_of(card, rng, False, rng.uniform(0.9, 1.1)).convert("RGBA")
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    w, h = size
    title = pilgrim.font(pilgrim.SANS_THIN, int(h * 0.09))
    digits = pilgrim.font(pilgrim.OCR_A, int(h * 0.1))
    if what == "bank card":
        top, bottom = [tuple(rng.randint(20, 200) for _ in range(3)) for _ in range(2)]
        for y in range(h):
            t = y / h
            d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
        d.rounded_rectangle((w * 0.1, h * 0.35, w * 0.22, h * 0.52), 8, fill=(212, 180, 90))
        number = " ".join(f"{rng.randint(0, 9999):04d}" for _ in range(4))
        d.text((w * 0.08, h * 0.62), number, font=digits, fill=(236, 236, 236))
        d.text((w * 0.08, h * 0.08), "银联 储蓄卡", font=title, fill=(250, 250, 250))
    elif what == "transit card":
        colour = tuple(rng.randint(60, 240) for _ in range(3))
        img.paste(colour, (0, 0, w, h))
        d.ellipse((w * 0.55, -h * 0.3, w * 1.3, h * 0.8), fill=(250, 250, 250))
        d.text((w * 0.07, h * 0.72), "交通联合 城市一卡通", font=title, fill=(20, 20, 20))
    elif what == "social security card":
        img.paste((232, 238, 246), (0, 0, w, h))
        d.rectangle((0, 0, w, h * 0.22), fill=(30, 90, 170))
        d.text((w * 0.05, h * 0.05), "中华人民共和国社会保障卡", font=title, fill=(250, 250, 250))
        d.rounded_rectangle((w * 0.08, h * 0.35, w * 0.2, h * 0.52), 8, fill=(212, 180, 90))
        d.rectangle((w * 0.68, h * 0.3, w * 0.92, h * 0.85), fill=(200, 206, 214))
        d.text((w * 0.08, h * 0.7), "社会保障号码", font=title, fill=(40, 40, 40))
    else:  # a driving licence's page in its clear sleeve
        img.paste((238, 226, 230), (0, 0, w, h))
        d.text((w * 0.12, h * 0.06), "中华人民共和国机动车驾驶证", font=title, fill=(30, 30, 30))
        for i in range(5):
            d.line([(w * 0.06, h * (0.3 + i * 0.12)), (w * 0.62, h * (0.3 + i * 0.12))],
                   fill=(170, 150, 160), width=2)
        d.rectangle((w * 0.7, h * 0.28, w * 0.92, h * 0.78), fill=(210, 214, 220))
    return pilgrim.rounded(img)


def _two_cards(card, rng, frame, width, tilt, what, arrangement, notes):
    notes += [what, arrangement]
    scene = _table(rng, frame, notes)
    fw, fh = frame
    second = other_card(what, rng, card)
    h = width * pilgrim.ASPECT
    if arrangement == "beside":
        gap = width * rng.uniform(0.08, 0.25)
        left = (fw - 2 * width - gap) / 2
        first_c = (left + width / 2, fh / 2 + rng.uniform(-0.1, 0.1) * h)
        other_c = (left + width * 1.5 + gap, fh / 2 + rng.uniform(-0.2, 0.2) * h)
        if rng.random() < 0.5:
            first_c, other_c = other_c, first_c
        other_a = tilt + rng.uniform(-8, 8)
    elif arrangement == "overlapping":
        first_c = (fw / 2 - width * 0.3, fh / 2 - h * 0.1)
        other_c = (fw / 2 + width * 0.35, fh / 2 + h * 0.3)
        other_a = tilt + rng.uniform(-10, 10)
    else:  # fanned from a common corner, as cards spread in a hand
        first_c = (fw / 2 - width * 0.15, fh / 2 + h * 0.05)
        other_c = (first_c[0] + width * 0.25, first_c[1] - h * 0.25)
        other_a = tilt - rng.uniform(15, 35)
    other_quad = pilgrim.card_quad(other_c, width, other_a)
    first = pilgrim.card_quad(first_c, width, tilt)
    pilgrim.place(scene, second, other_quad, 0.25)
    pilgrim.place(scene, card, first, 0.25)
    return _finish(scene, rng, rng.uniform(0.85, 1.05)), first
