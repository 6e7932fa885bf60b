"""The wayfarer hold-out's KYC photos (artifacts.WAYFARER): tests/fakes/wayfarer.py's card in
scenes of this module's own, for the six warnings of issue 21 and ordinary photos that must
raise none. Drawn on 2026-12-07 without reading the rules (imaging/quality.py) or the other
styles' drawing code, from how the phenomena arise:

- a photocopy loses the card's colour (laser toner, a fax-like grey, a scanner app's black and
  white) or keeps a little of it (colour laser, inkjet with its banding), on paper, with the
  halftone's dots where the copier screens greys;
- a screen shows the card through its pixel grid: RGB stripes (phone LCD, laptop, a TV's
  coarser ones), PenTile's RG/BG pairs (OLED), or e-ink's grey dots, and the camera's
  resampling of that grid makes moiré; the device's bezel and its glow are in the frame;
- a card cut by the frame loses one edge, a corner, two edges, or is held too close;
- an occluder lies over the fields: a finger or a thumb (five skin tones), a white sticker,
  clear tape, a pale pen, a paper clip, a ring, a sticky note;
- glare is a specular highlight over the text: a flash, a window, a desk lamp, a ring light;
- a second card: another ID card, a bank card or a transit card, beside, overlapping or
  fanned;
- ordinary photos are what a user sends: on a table, held in a hand, in night mode, under
  flickering LED light, against a bokeh background, from a low angle, in a clear holder,
  over-sharpened.

`render(kind, seed, style)` returns an artifacts.Shot whose region is the first card's corners
(TL, BL, BR, TR). The variant of each kind goes in turn by seed (variant()), so a run of n
seeds draws n variants; multiple_cards crosses its second cards with its arrangements.
"""

import io
import math
import random
from typing import Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from tests.fakes import wayfarer
from tests.fakes.wayfarer import card_quad, place, surface

KINDS = ("ordinary", "photocopy", "screen_recapture", "incomplete_border", "occlusion",
         "glare_on_fields", "multiple_cards")
DESCRIPTION = ("wayfarer.py's card on its own surfaces and in a hand; laser, colour, inkjet, "
               "halftone, fax-like and scanner-app copies; phone LCD, OLED PenTile, e-ink, "
               "laptop and TV screens; cuts, occluders, glare and second cards of its own "
               "(tests/fakes/wayfarer_kyc.py)")
ORDINARY = ("on a table", "held in a hand", "night mode", "flicker bands", "bokeh background",
            "low angle", "clear holder", "over-sharpened")
COPIES = ("black-and-white laser", "colour laser", "inkjet banding", "halftone dots",
          "fax-like grey", "scanner app black and white")
SCREENS = ("phone LCD", "OLED PenTile", "e-ink", "laptop", "TV")
CUTS = ("one edge", "a corner", "two edges", "too close")
OCCLUDERS = ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip", "ring",
             "sticky note")
GLARES = ("flash", "window", "desk lamp", "ring light")
OTHER_CARDS = ("ID card", "bank card", "transit card")
ARRANGEMENTS = ("beside", "overlapping", "fanned")
SKINS = ((250, 222, 200), (232, 190, 156), (204, 150, 112), (150, 100, 70), (96, 64, 46))
ASPECT = 54 / 85.6
REFERENCE_WIDTH = 4080  # the frame width the style's card widths are given for


def variant(choices, seed: int):
    return choices[seed % len(choices)]


def render(kind: str, seed: int, style=None):
    from tests.fakes import artifacts

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    style = style or artifacts.WAYFARER
    rng = random.Random(f"wayfarer-kyc/{kind}/{seed}")
    person = wayfarer.random_person(rng)
    side = rng.choice(("face", "back"))
    card = wayfarer.card_image(side, person[side], rng)
    frame = style.frame if rng.random() < 0.7 else style.frame[::-1]
    scale = frame[0] / REFERENCE_WIDTH if frame[0] >= frame[1] else frame[1] / REFERENCE_WIDTH
    width = rng.uniform(*style.card_width) * scale
    width = min(width, 0.78 * min(frame[0], frame[1] / ASPECT))
    tilt = rng.uniform(-style.tilt, style.tilt)
    notes = [side, f"{frame[0]}x{frame[1]}"]
    spot = rng.choice(_field_spots(side))
    where = (rng.uniform(spot[0], spot[2]), rng.uniform(spot[1], spot[3]))  # in the card
    if kind == "ordinary":
        scene, quad = _ordinary(card, rng, frame, width, tilt, variant(ORDINARY, seed), notes)
    elif kind == "photocopy":
        scene, quad = _photocopy(card, rng, frame, width, tilt, variant(COPIES, seed), notes)
    elif kind == "screen_recapture":
        scene, quad = _screen(card, rng, frame, width, tilt, variant(SCREENS, seed), notes)
    elif kind == "incomplete_border":
        scene, quad = _cut(card, rng, frame, width, tilt, variant(CUTS, seed), notes)
    elif kind == "occlusion":
        scene, quad = _occluded(card, rng, frame, width, tilt, variant(OCCLUDERS, seed), where,
                                notes)
    elif kind == "glare_on_fields":
        scene, quad = _glared(card, rng, frame, width, tilt, variant(GLARES, seed), where, notes)
    else:
        scene, quad = _two_cards(card, rng, frame, width, tilt, OTHER_CARDS[seed % 3],
                                 ARRANGEMENTS[(seed // 3) % 3], notes)
    if not any(n == "night mode" for n in notes):
        scene = wayfarer.sensor(scene, rng, rng.uniform(0.7, 1.5) * scale ** 0.5)
    quality = rng.randint(*style.jpeg)
    out = io.BytesIO()
    scene.convert("RGB").save(out, "JPEG", quality=quality, subsampling=rng.choice((1, 2)))
    tl, tr, br, bl = quad
    return artifacts.Shot(kind, style.name, out.getvalue(), [tl, bl, br, tr],
                          None if kind == "ordinary" else kind, ", ".join(notes))


def _field_spots(side: str):
    from tests.fakes import artifacts

    return artifacts.FIELD_SPOTS[side]


def _at(quad, u: float, v: float) -> Tuple[float, float]:
    """The point of the card at fractions (u, v) of its width and height, in the photo."""
    h = wayfarer.homography([(0, 0), (1, 0), (1, 1), (0, 1)], quad)
    x, y, w = h @ np.array((u, v, 1.0))
    return x / w, y / w


def _whole(rng: random.Random, frame, width: float, tilt: float, keystone: float = 0.0,
           margin: float = 0.04):
    """The card's corners somewhere wholly inside the frame."""
    quad = card_quad(rng, (0, 0), width, 0, tilt, keystone)
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = margin * min(frame)
    lo_x, hi_x = -min(xs) + pad, frame[0] - max(xs) - pad
    lo_y, hi_y = -min(ys) + pad, frame[1] - max(ys) - pad
    cx = rng.uniform(lo_x, hi_x) if hi_x > lo_x else frame[0] / 2
    cy = rng.uniform(lo_y, hi_y) if hi_y > lo_y else frame[1] / 2
    return [(x + cx, y + cy) for x, y in quad]


def _table(rng: random.Random, frame) -> Tuple[Image.Image, str]:
    return surface(rng, frame, rng.choice([s for s in wayfarer.SURFACES if s != "bokeh"]))


# Ordinary photos -------------------------------------------------------------------------------

def _ordinary(card, rng, frame, width, tilt, how, notes):
    notes.append(how)
    keystone = rng.uniform(0.18, 0.3) if how == "low angle" else rng.uniform(0, 0.05)
    if how == "clear holder":
        card, _ = wayfarer.holder(card, rng)
    quad = _whole(rng, frame, width * card.width / wayfarer.CARD_SIZE[0], tilt, keystone)
    scene, name = surface(rng, frame, "bokeh") if how == "bokeh background" else _table(rng, frame)
    notes.append(f"on {name}")
    if how == "held in a hand":
        skin = _palm(scene, quad, rng)
    place(scene, card, quad, shadow=rng.uniform(0.15, 0.35))
    if how == "clear holder":  # the region is the card's, inside the holder's sleeve
        quad = _inner(quad, card.size)
    if how == "held in a hand":
        _fingers_at_edge(scene, quad, rng, skin)
    scene = wayfarer.light(scene, rng, rng.uniform(0.8, 1.1))
    if how == "night mode":
        scene, _ = wayfarer.night_mode(scene, rng)
    elif how == "flicker bands":
        scene, _ = wayfarer.flicker(scene, rng)
    elif how == "over-sharpened":
        scene, _ = wayfarer.oversharpen(scene, rng)
    elif rng.random() < 0.4:
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
        notes.append("slightly soft")
    return scene, quad


def _inner(quad, holder_size):
    """The card's own corners inside a holder drawn by wayfarer.holder (its margins)."""
    w, h = holder_size
    cw, ch = wayfarer.CARD_SIZE
    pad = (w - cw) / 2
    top = (h - ch) - pad  # the holder is taller at its top, where the slot is
    return [_at(quad, (pad + u * cw) / w, (top + v * ch) / h) for u, v in
            ((0, 0), (1, 0), (1, 1), (0, 1))]


def _palm(scene, quad, rng) -> Tuple[int, int, int]:
    """The palm and wrist behind the card, coming into the frame from below; their skin."""
    skin = rng.choice(SKINS)
    d = ImageDraw.Draw(scene)
    cx = sum(p[0] for p in quad) / 4
    bottom = max(p[1] for p in quad)
    w = abs(quad[1][0] - quad[0][0])
    d.ellipse((cx - w * 0.45, bottom - w * 0.35, cx + w * 0.55, bottom + w * 0.5), fill=skin)
    d.rectangle((cx - w * 0.3, bottom, cx + w * 0.4, scene.height), fill=skin)
    return skin


def _finger(d: ImageDraw.ImageDraw, start, end, thick: float, skin, nail: bool = True) -> None:
    """A finger from `start` (outside) to its tip at `end`, with a paler nail at the tip."""
    (x0, y0), (x1, y1) = start, end
    d.line((x0, y0, x1, y1), fill=skin, width=int(thick))
    d.ellipse((x1 - thick / 2, y1 - thick / 2, x1 + thick / 2, y1 + thick / 2), fill=skin)
    if nail:
        ux, uy = (x1 - x0), (y1 - y0)
        n = math.hypot(ux, uy) or 1
        nx, ny = x1 - ux / n * thick * 0.3, y1 - uy / n * thick * 0.3
        pale = tuple(min(255, c + 40) for c in skin)
        d.ellipse((nx - thick * 0.3, ny - thick * 0.3, nx + thick * 0.3, ny + thick * 0.3),
                  fill=pale)


def _fingers_at_edge(scene, quad, rng, skin):
    """The holding hand's thumb over the card's left or bottom edge: on the border, clear of
    the fields."""
    d = ImageDraw.Draw(scene)
    w = math.dist(quad[0], quad[1])
    if rng.random() < 0.5:  # the thumb's tip over the left edge, beside the labels
        v = rng.uniform(0.45, 0.75)
        tip, start = _at(quad, -0.04, v), _at(quad, -0.5, v + 0.3)
    else:  # over the bottom edge, under the portrait or right of the validity
        u = rng.uniform(0.64, 0.8)
        tip, start = _at(quad, u, 1.06), _at(quad, u + 0.1, 1.6)
    _finger(d, start, tip, w * 0.18, skin)


# Photocopies ---------------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier or a scanner app renders it, on white (RGB)."""
    flat = Image.alpha_composite(Image.new("RGBA", card.size, (255, 255, 255, 255)),
                                 card.convert("RGBA")).convert("RGB")
    outline = Image.new("L", card.size, 0)  # the card's edge, printed as a faint line
    ImageDraw.Draw(outline).rounded_rectangle((1, 1, card.width - 2, card.height - 2),
                                              radius=wayfarer.mm(3.2), outline=255, width=2)
    g = np.random.default_rng(rng.randrange(1 << 30))
    grey = np.asarray(flat.convert("L"), np.float32)
    if how in ("black-and-white laser", "halftone dots", "fax-like grey",
               "scanner app black and white"):
        v = 255 * np.clip((grey - 60) / 170, 0, 1) ** rng.uniform(0.8, 1.4)  # ground washed
        if how == "halftone dots":
            y, x = np.mgrid[0:grey.shape[0], 0:grey.shape[1]].astype(np.float32)
            period = rng.uniform(4, 6)
            a = math.radians(45)
            u, w = x * math.cos(a) + y * math.sin(a), -x * math.sin(a) + y * math.cos(a)
            screen = 0.5 + 0.25 * (np.cos(u * 2 * math.pi / period) +
                                   np.cos(w * 2 * math.pi / period))
            v = np.where(v / 255 > screen, 250, 30).astype(np.float32)
        elif how == "fax-like grey":
            small = Image.fromarray(v.astype(np.uint8)).resize(
                (card.width // 3, card.height // 3), Image.BOX)
            v = np.asarray(small.resize(card.size, Image.BILINEAR), np.float32)
        elif how == "scanner app black and white":
            local = np.asarray(Image.fromarray(grey.astype(np.uint8))
                               .filter(ImageFilter.BoxBlur(12)), np.float32)
            v = np.where(grey < local - 18, 20, 255).astype(np.float32)
        v += g.normal(0, 5, v.shape)
        out = np.repeat(v[..., None], 3, -1)
    else:
        rgb = np.asarray(flat, np.float32)
        mean = rgb.mean(-1, keepdims=True)
        rgb = mean + (rgb - mean) * rng.uniform(0.35, 0.6)  # copied colour is dull
        rgb = 255 * np.clip((rgb - 40) / 200, 0, 1)
        if how == "inkjet banding":
            rows = 1 - 0.08 * (np.arange(card.height) % rng.randint(9, 15) < 2)
            rgb *= rows[:, None, None]
            rgb = np.roll(rgb, 1, axis=1)
        else:  # colour laser: the colour planes slightly out of register
            rgb[..., 0] = np.roll(rgb[..., 0], rng.choice((-2, 2)), axis=1)
        out = rgb + g.normal(0, 4, rgb.shape[:2])[..., None]
    out = np.minimum(out, 255 - np.asarray(outline, np.float32)[..., None] * 0.3)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _photocopy(card, rng, frame, width, tilt, how, notes):
    """The copy printed on an A4 page (with the card's other copy often beside it), the page
    on a table or filling a flatbed scan."""
    notes.append(how)
    copy = copy_of(card, rng, how).convert("RGBA")
    page_w = width * 210 / 85.6
    page = Image.new("RGB", (int(page_w), int(page_w * 297 / 210)), (246, 246, 243))
    cw = int(width)
    copy = copy.resize((cw, int(cw * ASPECT)), Image.BILINEAR)
    at = (int(page.width * rng.uniform(0.1, 0.45)), int(page.height * rng.uniform(0.1, 0.3)))
    page.paste(copy.convert("RGB"), at)
    card_in_page = [(at[0] + x, at[1] + y) for x, y in
                    ((0, 0), (cw, 0), (cw, copy.height), (0, copy.height))]
    scene, name = _table(rng, frame)
    # the page's corners: turned by `tilt` about a point chosen so the copy is whole in frame
    target = _whole(rng, frame, width, tilt)
    h = wayfarer.homography(card_in_page, target)
    corners = [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)]
    page_quad = []
    for x, y in corners:
        px, py, pw = h @ np.array((x, y, 1.0))
        page_quad.append((px / pw, py / pw))
    place(scene, page.convert("RGBA"), page_quad, shadow=0.2)
    notes.append(f"page on {name}")
    return wayfarer.light(scene, rng, rng.uniform(0.85, 1.1)), target


# Screens ---------------------------------------------------------------------------------------

def mosaic(content: Image.Image, screen: str, pitch: float, rng: random.Random) -> Image.Image:
    """`content` as a screen shows it, photographed: each screen pixel lit through its
    subpixels (3x3 cells), then resampled to `pitch` photo px per screen pixel, which beats
    against the grid (moiré). The light is kept in floats until the camera averages it."""
    cols = max(2, int(content.width / pitch)) // 2 * 2  # whole 2x2 tiles of the mask
    rows = max(2, int(content.height / pitch)) // 2 * 2
    # exposed for the screen's light, a little under its white
    px = np.asarray(content.convert("RGB").resize((cols, rows), Image.BOX), np.float32) * 0.88
    if screen == "e-ink":  # grey only, low contrast, a paper-like ground
        px = np.repeat(95 + px.mean(-1, keepdims=True) * 0.6, 3, -1)
    mask = np.zeros((6, 6, 3), np.float32)  # two by two screen pixels of 3x3 cells
    if screen in ("phone LCD", "laptop", "TV"):
        for c in range(3):  # vertical R, G, B stripes; a dark row between pixel rows
            mask[[0, 1, 3, 4], c::3, c] = 4.5
    elif screen == "OLED PenTile":  # every pixel a green; red and blue shared, alternating
        for i in range(2):
            for j in range(2):
                cell = mask[3 * i:3 * i + 3, 3 * j:3 * j + 3]
                cell[0, :, 1] = 3.0
                cell[1:3, :, 0 if (i + j) % 2 == 0 else 2] = 3.0
    else:  # e-ink's microcapsules: a faint dot texture
        mask[:] = 1.05
        mask[2::3, 2::3, :] = 0.6
    # the lens spreads each subpixel's light a little (the light kept, its peaks lowered)
    for axis in (0, 1):
        mask = 0.5 * mask + 0.25 * (np.roll(mask, 1, axis) + np.roll(mask, -1, axis))
    big = np.repeat(np.repeat(px, 3, 0), 3, 1)
    tiled = np.tile(mask, (rows // 2, cols // 2, 1))
    lit = big * tiled
    channels = [Image.fromarray(np.ascontiguousarray(lit[..., c]))
                .resize(content.size, Image.BILINEAR) for c in range(3)]
    out = np.stack([np.asarray(c, np.float32) for c in channels], -1)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _screen(card, rng, frame, width, tilt, how, notes):
    """The card shown on a device: an app's page around it, the device's bezel, the grid."""
    notes.append(how)
    width = min(width, 0.3 * max(frame) + 100)
    pitch = {"phone LCD": (1.3, 2.6), "OLED PenTile": (1.3, 2.4), "e-ink": (1.5, 3.0),
             "laptop": (1.8, 3.2), "TV": (3.0, 4.5)}[how]
    pitch = rng.uniform(*pitch)
    margin = 0.12
    content_w = int(width * (1 + 2 * margin))
    content_h = int(width * ASPECT * (1 + 2 * margin) + width * 0.3)
    ui = (255, 255, 255) if how != "TV" and rng.random() < 0.6 else (18, 18, 20)
    content = Image.new("RGB", (content_w, content_h), ui)
    d = ImageDraw.Draw(content)
    d.rectangle((0, 0, content_w, int(width * 0.12)), fill=(240, 240, 240) if ui[0] > 128 else
                (40, 40, 44))  # the app's title bar
    at = (int(width * margin), int(width * 0.2))
    cw = int(width)
    content.paste(card.convert("RGB").resize((cw, int(cw * ASPECT)), Image.BILINEAR), at,
                  card.getchannel("A").resize((cw, int(cw * ASPECT))))
    shown = mosaic(content, how, pitch, rng)
    if how == "laptop":  # the matte coating diffuses the subpixels a little
        shown = shown.filter(ImageFilter.GaussianBlur(0.5))
    shown = ImageChops.add(shown, Image.new("RGB", shown.size, (14, 14, 18)))  # black glows
    bezel = int(width * (0.04 if how != "TV" else 0.02))
    device = Image.new("RGBA", (shown.width + 2 * bezel, shown.height + 2 * bezel),
                       (20, 20, 22, 255) if how != "e-ink" else (200, 200, 196, 255))
    device.paste(shown, (bezel, bezel))
    card_in_device = [(bezel + at[0] + x, bezel + at[1] + y) for x, y in
                      ((0, 0), (cw, 0), (cw, int(cw * ASPECT)), (0, int(cw * ASPECT)))]
    scene, name = _table(rng, frame) if how != "TV" else \
        (Image.new("RGB", frame, (38, 34, 30)), "dark living room")
    notes.append(f"pitch {pitch:.1f}")
    target = _whole(rng, (frame[0], frame[1]), width, tilt, rng.uniform(0, 0.08),
                    margin=0.04 + 0.25 * width / min(frame))
    h = wayfarer.homography(card_in_device, target)
    quad = []
    for x, y in ((0, 0), (device.width, 0), (device.width, device.height), (0, device.height)):
        px, py, pw = h @ np.array((x, y, 1.0))
        quad.append((px / pw, py / pw))
    place(scene, device, quad, shadow=0.3)
    return scene, target


# Cut, occluded, glared -------------------------------------------------------------------------

def _cut(card, rng, frame, width, tilt, how, notes):
    notes.append(how)
    if how == "too close":
        width = max(width, frame[0] * rng.uniform(1.05, 1.2)) if frame[0] >= frame[1] \
            else frame[0] * rng.uniform(1.05, 1.2)
    quad = card_quad(rng, (0, 0), width, 0, tilt, rng.uniform(0, 0.05))
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    cx, cy = frame[0] / 2, frame[1] / 2
    out = rng.uniform(0.12, 0.3)
    if how == "one edge":
        edge = rng.choice(("left", "right", "top", "bottom"))
        if edge in ("left", "right"):
            cx = (w / 2 - out * w) if edge == "left" else frame[0] - w / 2 + out * w
        else:
            cy = (h / 2 - out * h) if edge == "top" else frame[1] - h / 2 + out * h
        notes.append(edge)
    elif how in ("a corner", "two edges"):
        cx = rng.choice((w / 2 - out * w, frame[0] - w / 2 + out * w))
        cy = rng.choice((h / 2 - out * h, frame[1] - h / 2 + out * h))
    quad = [(x + cx, y + cy) for x, y in quad]
    scene, name = _table(rng, frame)
    notes.append(f"on {name}")
    place(scene, card, quad, shadow=0.25)
    return wayfarer.light(scene, rng, rng.uniform(0.85, 1.1)), quad


def _occluded(card, rng, frame, width, tilt, how, where, notes):
    notes.append(how)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.05))
    scene, name = _table(rng, frame)
    notes.append(f"on {name}")
    place(scene, card, quad, shadow=0.25)
    d = ImageDraw.Draw(scene, "RGBA")
    cw = math.dist(quad[0], quad[1])
    centre = _at(quad, *where)
    angle = math.radians(rng.uniform(-40, 40))
    if how in ("finger", "thumb"):
        skin = rng.choice(SKINS)
        notes.append(f"skin {SKINS.index(skin) + 1} of 5")
        thick = cw * (0.17 if how == "finger" else 0.22)  # 15-19 mm on a 85.6 mm card
        # in from the nearest long edge, past the spot
        start = _at(quad, where[0] + rng.uniform(-0.2, 0.2), 1.6 if where[1] > 0.5 else -0.6)
        tip = _at(quad, where[0], where[1] + (-0.08 if where[1] > 0.5 else 0.08))
        _finger(d, start, tip, thick, skin)
        _finger(d, start, centre, thick, skin, nail=False)
    elif how in ("white sticker", "sticky note"):
        size = cw * (0.2 if how == "white sticker" else 0.26)
        colour = (250, 250, 248, 255) if how == "white sticker" else (252, 240, 150, 255)
        _rotated_rect(d, centre, size, size * (0.6 if how == "white sticker" else 1), angle,
                      colour)
    elif how == "clear tape":
        # frosted tape: what is under it turns pale and soft, with bright edges
        length, thick = cw * 0.5, cw * 0.1
        mask = Image.new("L", scene.size, 0)
        _rotated_rect(ImageDraw.Draw(mask), centre, length, thick, angle, 255)
        frosted = ImageChops.add(scene.filter(ImageFilter.GaussianBlur(cw * 0.006)),
                                 Image.new("RGB", scene.size, (70, 70, 72)))
        scene.paste(frosted, (0, 0), mask)
        d = ImageDraw.Draw(scene, "RGBA")
        _rotated_rect(d, centre, length, thick, angle, None, (255, 255, 255, 180))
    elif how == "pale pen":
        length, thick = cw * 0.6, cw * 0.045
        colour = rng.choice(((236, 236, 232, 255), (214, 226, 240, 255), (240, 226, 230, 255)))
        _rotated_rect(d, centre, length, thick, angle, colour, (180, 180, 180, 255))
        tip = (centre[0] + math.cos(angle) * length / 2, centre[1] + math.sin(angle) * length / 2)
        d.ellipse((tip[0] - thick / 2, tip[1] - thick / 2, tip[0] + thick / 2, tip[1] + thick / 2),
                  fill=(60, 60, 60, 255))
    elif how == "paper clip":
        metal = rng.choice(((196, 198, 204, 255), (170, 140, 80, 255)))
        for k, (length, thick) in enumerate(((0.3, 0.09), (0.24, 0.065), (0.18, 0.04))):
            _rotated_rect(d, centre, cw * length * 1.25, cw * thick * 1.1, angle, None, metal,
                          width=max(3, int(cw * 0.012)))  # a 33 mm clip of 1 mm wire
    else:  # a ring: a band of metal with a bright highlight, the fields seen through its hole
        r = cw * 0.11  # about 19 mm across
        metal = rng.choice(((220, 186, 90, 255), (200, 202, 210, 255)))
        d.ellipse((centre[0] - r, centre[1] - r * 0.8, centre[0] + r, centre[1] + r * 0.8),
                  outline=metal, width=int(r * 0.35))
        d.arc((centre[0] - r, centre[1] - r * 0.8, centre[0] + r, centre[1] + r * 0.8), 200, 250,
              fill=(255, 255, 250, 255), width=int(r * 0.12))
        d.ellipse((centre[0] - r * 0.3, centre[1] - r * 1.05, centre[0] + r * 0.3,
                   centre[1] - r * 0.6), fill=metal)
    return wayfarer.light(scene, rng, rng.uniform(0.85, 1.1)), quad


def _rotated_rect(d, centre, length, thick, angle, fill, outline=None, width: int = 2) -> None:
    cos, sin = math.cos(angle), math.sin(angle)
    pts = [(centre[0] + x * cos - y * sin, centre[1] + x * sin + y * cos) for x, y in
           ((-length / 2, -thick / 2), (length / 2, -thick / 2), (length / 2, thick / 2),
            (-length / 2, thick / 2))]
    d.polygon(pts, fill=fill, outline=outline, width=width)


def _glared(card, rng, frame, width, tilt, how, where, notes):
    notes.append(how)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.05))
    scene, name = _table(rng, frame)
    notes.append(f"on {name}")
    place(scene, card, quad, shadow=0.25)
    scene = wayfarer.light(scene, rng, rng.uniform(0.8, 1.0))
    cw = math.dist(quad[0], quad[1])
    cx, cy = _at(quad, *where)
    sw, sh = max(scene.width // 4, 1), max(scene.height // 4, 1)
    light = Image.new("L", (sw, sh), 0)
    d = ImageDraw.Draw(light)
    x, y, r = cx / 4, cy / 4, cw / 4
    if how == "flash":
        d.ellipse((x - r * 0.09, y - r * 0.09, x + r * 0.09, y + r * 0.09), fill=255)
        blur = r * 0.04
    elif how == "window":  # a bright pane with its frame's cross
        a, b = r * 0.16, r * 0.1
        d.rectangle((x - a, y - b, x + a, y + b), fill=255)
        d.line((x - a, y, x + a, y), fill=120, width=max(1, int(r * 0.015)))
        d.line((x, y - b, x, y + b), fill=120, width=max(1, int(r * 0.015)))
        blur = r * 0.02
    elif how == "desk lamp":
        d.ellipse((x - r * 0.2, y - r * 0.06, x + r * 0.2, y + r * 0.06), fill=255)
        blur = r * 0.05
    else:  # a ring light: a bright annulus
        d.ellipse((x - r * 0.12, y - r * 0.12, x + r * 0.12, y + r * 0.12), outline=255,
                  width=max(2, int(r * 0.04)))
        blur = r * 0.015
    light = light.filter(ImageFilter.GaussianBlur(max(blur, 0.5)))
    core = light.point(lambda v: min(255, int(v * 1.6)))  # saturates where it is strongest
    return ImageChops.add(scene, core.resize(scene.size, Image.BILINEAR).convert("RGB")), quad


# A second card ---------------------------------------------------------------------------------

def other_card(what: str, rng: random.Random) -> Image.Image:
    """A second card of the real size: someone else's ID card, a bank card, a transit card."""
    if what == "ID card":
        person = wayfarer.random_person(rng)
        side = rng.choice(("face", "back"))
        return wayfarer.card_image(side, person[side], rng)
    w, h = wayfarer.CARD_SIZE
    base = rng.choice(((20, 60, 130), (160, 20, 40), (20, 110, 80), (230, 150, 30)))
    img = Image.new("RGB", (w, h), base)
    d = ImageDraw.Draw(img)
    for k in range(6):
        d.ellipse((w * (0.4 + 0.1 * k), -h * 0.5, w * (1.4 + 0.1 * k), h * 1.2),
                  outline=tuple(min(255, c + 40) for c in base), width=8)
    face = wayfarer.font(wayfarer.SANS_BOLD, wayfarer.mm(4))
    if what == "bank card":
        d.rounded_rectangle((wayfarer.mm(9), wayfarer.mm(19), wayfarer.mm(20), wayfarer.mm(28)),
                            radius=8, fill=(214, 182, 90))  # the chip
        digits = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
        d.text((wayfarer.mm(8), wayfarer.mm(34)), digits, font=face, fill=(240, 240, 240))
        d.text((wayfarer.mm(8), wayfarer.mm(6)), rng.choice(("借记卡", "储蓄卡", "信用卡")),
               font=face, fill=(255, 255, 255))
    else:
        d.text((wayfarer.mm(8), wayfarer.mm(8)), rng.choice(("交通联合", "城市通卡", "公交一卡通")),
               font=face, fill=(255, 255, 255))
        d.ellipse((w * 0.6, h * 0.45, w * 0.9, h * 0.9), fill=(255, 255, 255))
    out = img.convert("RGBA")
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=wayfarer.mm(3.2),
                                           fill=255)
    out.putalpha(mask)
    return out


def _two_cards(card, rng, frame, width, tilt, what, how, notes):
    notes += [what, how]
    width *= 0.7
    scene, name = _table(rng, frame)
    notes.append(f"on {name}")
    other = other_card(what, rng)
    h = width * ASPECT
    if how == "beside":  # the two side by side (or one above the other), apart
        horizontal = frame[0] >= frame[1]
        span = (2.15 * width, h) if horizontal else (width, 2.3 * h)
        quad = _whole(rng, (frame[0] - (span[0] - width), frame[1] - (span[1] - h)), width,
                      tilt * 0.5)
        shift = (1.12 * width, 0) if horizontal else (0, 1.2 * h)
        second = [(x + shift[0], y + shift[1]) for x, y in quad]
        place(scene, other, second, shadow=0.25)
        place(scene, card, quad, shadow=0.25)
    elif how == "overlapping":  # the other card under the first, a third of it hidden
        quad = _whole(rng, frame, width, tilt, margin=0.04 + 0.5 * width / min(frame))
        dx, dy = width * rng.uniform(0.55, 0.7), h * rng.uniform(-0.35, 0.35)
        second = card_quad(rng, (sum(p[0] for p in quad) / 4 + dx, sum(p[1] for p in quad) / 4
                                 + dy), width, 0, tilt + rng.uniform(-15, 15))
        place(scene, other, second, shadow=0.25)
        place(scene, card, quad, shadow=0.3)
    else:  # fanned: the cards spread from a common corner, the first on top
        quad = _whole(rng, frame, width, tilt, margin=0.04 + 0.45 * width / min(frame))
        pivot = quad[3]
        for k, turn in enumerate((rng.uniform(18, 28), rng.uniform(36, 50))[:rng.choice((1, 2))]):
            a = math.radians(-turn)
            fan = [(pivot[0] + (x - pivot[0]) * math.cos(a) - (y - pivot[1]) * math.sin(a),
                    pivot[1] + (x - pivot[0]) * math.sin(a) + (y - pivot[1]) * math.cos(a))
                   for x, y in quad]
            place(scene, other if k == 0 else other_card(what, rng), fan, shadow=0.25)
        place(scene, card, quad, shadow=0.3)
    return wayfarer.light(scene, rng, rng.uniform(0.85, 1.1)), quad
