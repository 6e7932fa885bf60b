"""The nomad hold-out's KYC photos (issue 21): nomad.py's card in its own scenes, for each of
artifacts.KINDS, with the first card's region as the API reports it.

Drawn on 2026-12-07 by an engineer who read none of the KYC rules or the other generators.
Ordinary photos are the ones users take (among things on a desk, held by the fingertips at
its edges, beside the holder's face, in a dim room, shaken, under a warm lamp, close up);
copies come from black-and-white and colour lasers, inkjets, halftoning and tired toner; screens
are a phone's LCD, an OLED PenTile, e-ink, a matte laptop, a TV, a tablet and a projector; a
finger, a plastered thumb, a sticker, clear tape, a pale pen, a paper clip, a ring, a rubber
band, a lanyard clip or a phone's corner covers a field; a flash, a window, a desk lamp or a
phone's torch glares on one; a second ID card, a bank or transit card or a passport lies beside,
over or fanned with it. `render(kind, seed, style)` gives an artifacts.Shot.
"""

import math
import random
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.fakes import nomad

KINDS = ("ordinary", "photocopy", "screen_recapture", "incomplete_border", "occlusion",
         "glare_on_fields", "multiple_cards")
DESCRIPTION = ("nomad.py's card on its own surfaces, in fingertips and beside a face; laser, "
               "colour, inkjet, halftone and tired-toner copies; phone LCD, PenTile, e-ink, "
               "matte laptop, TV, tablet and projector screens; ten occluders, four glares, "
               "four second cards in three arrangements")
ORDINARY = ("desk with keys and a mug", "fingertips at the edges", "selfie beside a face",
            "dim room", "slight shake", "warm lamp light", "close and whole")
COPIES = ("black-and-white laser", "colour laser on plain paper", "inkjet colour", "halftone",
          "tired toner")
SCREENS = ("phone LCD", "OLED PenTile", "e-ink", "laptop matte", "TV", "tablet", "projector")
CUTS = ("one edge", "a corner", "two edges", "too close")
OCCLUDERS = ("finger", "thumb with a plaster", "white sticker", "clear tape", "pale pen",
             "paper clip", "ring", "rubber band", "lanyard clip", "phone corner")
GLARES = ("flash", "window", "desk lamp", "phone torch")
OTHER_CARDS = ("ID card", "bank card", "transit card", "passport")
ARRANGEMENTS = ("beside", "overlapping", "fanned")
SKINS = ((255, 224, 196), (236, 188, 150), (198, 142, 104), (141, 93, 62), (88, 58, 40))
REFERENCE_WIDTH = 3264  # the frame width the style's card widths are given for
# Where the printed values are on an upright card of nomad.py (fractions of width, height).
FIELDS = {"face": ((0.2, 0.15, 0.5, 0.72), (0.35, 0.82, 0.85, 0.9)),
          "back": ((0.35, 0.68, 0.8, 0.9),)}


def variant(choices, seed: int):
    return choices[seed % len(choices)]


def forward(quad, size: Tuple[int, int]):
    """The map from a card's own pixels (size) to the photo's, for a card laid at `quad`."""
    w, h = size
    c = nomad._perspective_coefficients([(0, 0), (0, h), (w, h), (w, 0)], quad)

    def to_photo(x: float, y: float) -> Tuple[float, float]:
        d = c[6] * x + c[7] * y + 1
        return ((c[0] * x + c[1] * y + c[2]) / d, (c[3] * x + c[4] * y + c[5]) / d)
    return to_photo


def _at(quad, u: float, v: float) -> Tuple[float, float]:
    return forward(quad, (1, 1))(u, v)


def render(kind: str, seed: int, style=None):
    from tests.fakes import artifacts

    style = style or artifacts.NOMAD
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    rng = random.Random(f"nomad-kyc/{kind}/{seed}")
    person = nomad.random_person(rng)
    side = rng.choice(("face", "back"))
    card = nomad.card_image(side, person[side], rng)
    frame = style.frame
    scale = frame[0] / REFERENCE_WIDTH
    width = rng.uniform(*style.card_width) * scale
    tilt = rng.uniform(-style.tilt, style.tilt)
    notes = [side]
    u0, v0, u1, v1 = rng.choice(FIELDS[side])
    spot = (rng.uniform(u0, u1), rng.uniform(v0, v1))
    draw = {"ordinary": _ordinary, "photocopy": _photocopy, "screen_recapture": _screen,
            "incomplete_border": _cut, "occlusion": _occluded, "glare_on_fields": _glared,
            "multiple_cards": _two_cards}[kind]
    scene, quad = draw(card, rng, frame, width, tilt, seed, spot, notes)
    dark = notes[1] == "dim room"
    scene = nomad.sensor(scene, rng, 3.0 if dark else rng.uniform(0.8, 1.6))
    data = nomad.encode(scene, rng, rng.randint(*style.jpeg))
    return artifacts.Shot(kind, style.name, data, [(float(x), float(y)) for x, y in quad],
                          None if kind == "ordinary" else kind, ", ".join(notes))


def _whole(rng, frame, width: float, tilt: float, keystone: float = 0.0):
    """A card's quad somewhere wholly inside the frame, a margin around it."""
    w, h = frame
    width = min(width, w * 0.88, h * 0.88 / (54 / 85.6))
    quad = nomad.card_quad((0, 0), width, tilt, keystone)
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    cx = rng.uniform(0.03 * w - min(xs), 0.97 * w - max(xs))
    cy = rng.uniform(0.03 * h - min(ys), 0.97 * h - max(ys))
    return [(x + cx, y + cy) for x, y in quad]


def _table(rng, frame) -> Tuple[Image.Image, str]:
    scene, name = nomad.surface(rng, frame)
    return scene, name


def _capsule(d: ImageDraw.ImageDraw, start, end, thick: float, fill) -> None:
    d.line((start, end), fill=fill, width=max(2, int(thick)))
    r = thick / 2
    for x, y in (start, end):
        d.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _finger(d, start, end, thick: float, skin) -> None:
    """A finger from `start` (outside) to its tip at `end`, with its nail."""
    _capsule(d, start, end, thick, skin)
    ang = math.atan2(end[1] - start[1], end[0] - start[0])
    nail = [(end[0] - math.cos(ang) * thick * k + math.sin(ang) * thick * s,
             end[1] - math.sin(ang) * thick * k - math.cos(ang) * thick * s)
            for k, s in ((0.05, 0.28), (0.05, -0.28), (0.6, -0.3), (0.6, 0.3))]
    d.polygon(nail, fill=tuple(min(255, c + 30) for c in skin))


def _objects_around(scene: Image.Image, quad, rng) -> None:
    """Keys, a mug seen from above and a pen on the desk, clear of the card."""
    d = ImageDraw.Draw(scene)
    w, h = scene.size
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    clear = (min(xs) - w * 0.02, min(ys) - h * 0.02, max(xs) + w * 0.02, max(ys) + h * 0.02)
    for what in ("mug", "keys", "pen"):
        for _ in range(20):
            r = w * rng.uniform(0.05, 0.09)
            x, y = rng.uniform(r, w - r), rng.uniform(r, h - r)
            if x + r < clear[0] or x - r > clear[2] or y + r < clear[1] or y - r > clear[3]:
                break
        else:
            continue
        if what == "mug":
            d.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(((230, 230, 226),
                                                                    (40, 90, 150))))
            d.ellipse((x - r * 0.8, y - r * 0.8, x + r * 0.8, y + r * 0.8), fill=(70, 44, 30))
        elif what == "keys":
            d.ellipse((x - r * 0.4, y - r * 0.4, x + r * 0.4, y + r * 0.4), outline=(150, 150,
                                                                                    150),
                      width=max(2, int(r * 0.08)))
            _capsule(d, (x, y), (x + r * 0.9, y + r * 0.3), r * 0.18, (184, 160, 90))
        else:
            _capsule(d, (x - r, y), (x + r, y - r * 0.2), r * 0.1, (20, 30, 120))


def _face_beside(scene: Image.Image, quad, rng) -> None:
    """The holder's face and shoulder beside the card (a 手持身份证 photo)."""
    d = ImageDraw.Draw(scene)
    w, h = scene.size
    xs = [p[0] for p in quad]
    left_room, right_room = min(xs), w - max(xs)
    cx = left_room / 2 if left_room > right_room else max(xs) + right_room / 2
    r = min(max(left_room, right_room) * 0.4, h * 0.3)
    skin = rng.choice(SKINS)
    d.ellipse((cx - r * 1.6, h * 0.7, cx + r * 1.6, h * 1.3), fill=rng.choice(((40, 40, 50),
                                                                              (180, 60, 60))))
    d.ellipse((cx - r * 0.8, h * 0.45 - r, cx + r * 0.8, h * 0.45 + r), fill=skin)
    d.chord((cx - r * 0.85, h * 0.45 - r * 1.1, cx + r * 0.85, h * 0.45 + r * 0.4), 180, 360,
            fill=(24, 20, 18))
    for ex in (-0.3, 0.3):
        d.ellipse((cx + r * (ex - 0.08), h * 0.45, cx + r * (ex + 0.08), h * 0.45 + r * 0.1),
                  fill=(30, 26, 24))


def _ordinary(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(ORDINARY, seed)
    notes.append(how)
    if how == "close and whole":
        width = frame[0] * rng.uniform(0.8, 0.86)
    quad = _whole(rng, frame, width, tilt, rng.uniform(0, 0.05))
    scene, where = _table(rng, frame)
    if how == "selfie beside a face":  # a room behind, out of focus
        scene = scene.filter(ImageFilter.GaussianBlur(frame[0] / 300))
        width = min(width, frame[0] * 0.45)
        quad = _whole(rng, frame, width, tilt)
        xs = [p[0] for p in quad]
        shift = (frame[0] * 0.97 - max(xs)) if rng.random() < 0.5 else (frame[0] * 0.03 -
                                                                         min(xs))
        quad = [(x + shift, y) for x, y in quad]
        _face_beside(scene, quad, rng)
    notes.append("on " + where)
    scene = nomad.place(scene, card, quad, shadow=rng.uniform(0.15, 0.35))
    if how in ("fingertips at the edges", "selfie beside a face"):
        # fingertips only on the card's margin, clear of any field: that is still ordinary
        d = ImageDraw.Draw(scene)
        skin = rng.choice(SKINS)
        card_w = math.dist(quad[0], quad[3])
        for u, v, du in ((0.0, rng.uniform(0.45, 0.6), -1), (1.0, rng.uniform(0.45, 0.6), 1)):
            tip = _at(quad, u - du * 0.025, v)
            base = _at(quad, u + du * 0.3, v + 0.1)
            _finger(d, base, tip, card_w * 0.07, skin)
    if how == "desk with keys and a mug":
        _objects_around(scene, quad, rng)
    dim = rng.uniform(0.45, 0.55) if how == "dim room" else rng.uniform(0.85, 1.0)
    cast = (1.08, 0.96, 0.78) if how == "warm lamp light" else (1.0, 1.0, 1.0)
    scene = nomad.light(scene, rng, dim, cast)
    if how == "slight shake":
        scene = scene.filter(ImageFilter.GaussianBlur(frame[0] / 1600))
    return scene, quad


def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier prints it (RGBA, the card's shape), with the grey outline a copier
    draws where the card's edge cast its shadow."""
    if how == "colour laser on plain paper":
        out = nomad.copy_of(card, rng, True, rng.uniform(0.9, 1.2))
    elif how == "inkjet colour":
        out = nomad.copy_of(card, rng, True, rng.uniform(0.9, 1.2))
        a = np.asarray(out, np.float32)
        a[..., :3] *= np.array((0.92, 1.0, 1.04), np.float32)
        a[::7, :, :3] *= 0.9  # the head's passes
        out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    elif how == "halftone":
        grey = nomad.copy_of(card, rng, False, 1.0)
        a = np.asarray(grey, np.float32)
        h, w = a.shape[:2]
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        ang = math.radians(45)
        u, v = x * math.cos(ang) + y * math.sin(ang), -x * math.sin(ang) + y * math.cos(ang)
        screen = (np.sin(u * 2 * math.pi / 6) * np.sin(v * 2 * math.pi / 6) + 1) / 2 * 255
        dots = np.where(a[..., 0] > screen * 0.9 + 10, 250, 30).astype(np.float32)
        a[..., :3] = dots[..., None]
        out = Image.fromarray(a.astype(np.uint8))
    elif how == "tired toner":
        out = nomad.copy_of(card, rng, False, rng.uniform(0.6, 0.8))
        a = np.asarray(out, np.float32)
        a[..., :3] = a[..., :3] * 0.7 + 60
        out = Image.fromarray(a.astype(np.uint8))
    else:
        out = nomad.copy_of(card, rng, False, rng.uniform(1.0, 1.4))
    ImageDraw.Draw(out).rounded_rectangle((1, 1, out.width - 2, out.height - 2), nomad.mm(3.2),
                                          outline=(110, 110, 110, 255), width=3)
    return out


def _photocopy(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(COPIES, seed)
    notes.append(how)
    copy = copy_of(card, rng, how)
    paper = Image.new("RGB", frame, rng.choice(((246, 246, 242), (240, 240, 236),
                                                 (250, 249, 244))))
    if rng.random() < 0.5:  # the sheet lies on a desk, its edge in the frame
        scene, where = _table(rng, frame)
        edge = int(frame[0] * rng.uniform(0.05, 0.12))
        scene.paste(paper.crop((0, 0, frame[0] - edge, frame[1])), (edge, 0))
        notes.append("sheet on " + where)
        width = min(width, (frame[0] - edge) * 0.8)
        quad = _whole(rng, (frame[0] - edge, frame[1]), width, tilt * 0.3)
        quad = [(x + edge, y) for x, y in quad]
    else:
        scene = paper
        notes.append("sheet fills the frame")
        quad = _whole(rng, frame, width, tilt * 0.3)
    scene = nomad.place(scene, copy, quad, shadow=0)
    return nomad.light(scene, rng, rng.uniform(0.85, 1.0)), quad


def mosaic(content: Image.Image, screen: str, rng: random.Random, size=None) -> Image.Image:
    """The screen's pixels, 3 x 3 samples a screen pixel: RGB stripes (LCD, laptop, TV,
    tablet), a PenTile diamond of R G B G, e-ink's grey paper or a projector's screen door;
    then resampled to `size` (the photo's pixels over the display) before the light is
    clipped, as a sensor integrates the subpixels' light: that is where moiré comes from."""
    a = np.asarray(content.convert("RGB"), np.uint8)
    big = np.repeat(np.repeat(a, 3, 0), 3, 1)
    h, w = big.shape[:2]
    tile = np.zeros((6, 6, 3), np.uint16)  # the pattern of 2 x 2 screen pixels, in quarters
    if screen in ("phone LCD", "laptop matte", "TV", "tablet"):
        for c in range(3):
            tile[:, c::3, c] = 12
        tile[2::3] = tile[2::3] * 35 // 100  # the black matrix between rows
    elif screen == "OLED PenTile":
        # per 2 x 2 screen pixels: red and blue on one diagonal, green on every pixel
        tile[1::3, 1::3, 1] = 36
        lit = np.zeros((6, 6), bool)
        lit[[0, 0, 1, 1], [0, 1, 0, 1]] = True
        lit[[3, 3, 4, 4], [3, 4, 3, 4]] = True
        tile[..., 0] = np.where(lit, 18, 0)
        tile[..., 2] = np.where(np.roll(lit, 3, 1), 18, 0)
    elif screen == "projector":
        tile[:] = 4
        tile[2::3] = 1
        tile[:, 2::3] = 1
    else:  # e-ink: grey paper, ink that never reaches black
        grey = (big.astype(np.uint16).sum(-1) * 2 // 10 + 70).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB").resize(size or (w, h), Image.BILINEAR)
    mask = np.tile(tile, (h // 6 + 1, w // 6 + 1, 1))[:h, :w]
    light = big * mask  # 4 x the light each sample gives
    size = size or (w, h)
    bands = [np.asarray(Image.fromarray(light[..., c].astype(np.float32)).resize(
        size, Image.BILINEAR), np.float32) / 4 for c in range(3)]
    out = np.dstack(bands)
    if screen == "laptop matte":  # the matte coating scatters: softer, greyer blacks
        out = out * 0.85 + 30
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def style_pitch(frame) -> Tuple[float, float]:
    """Photo pixels per screen pixel: NOMAD's screen_pitch, for a frame of its reference width
    (a smaller test frame sees the same screen with fewer pixels, but never under 1)."""
    from tests.fakes import artifacts

    low, high = artifacts.NOMAD.screen_pitch
    k = frame[0] / REFERENCE_WIDTH
    return max(1.0, low * k), max(1.2, high * k)


def _screen(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(SCREENS, seed)
    notes.append(how)
    scene, where = _table(rng, frame)
    notes.append("on " + where)
    # the device's display in the frame; the card shown on it, 70-90 % of its width
    pitch = rng.uniform(*style_pitch(frame))  # photo pixels per screen pixel
    # a display of at most 1,200 pixels across seen whole (a phone's, a laptop's)
    display_w = min(frame[0] * rng.uniform(0.6, 0.85), frame[1] * 0.85 / 0.62, 1200 * pitch)
    display_h = display_w * 0.62
    fill = rng.uniform(0.7, 0.9)
    screen_px = (max(60, int(display_w / pitch)), max(40, int(display_h / pitch)))
    ground = (0, 0, 0) if rng.random() < 0.6 and how != "e-ink" else (236, 236, 236)
    content = Image.new("RGB", screen_px, ground)
    cw = int(screen_px[0] * fill)
    ch = int(cw * 54 / 85.6)
    at = ((screen_px[0] - cw) // 2, (screen_px[1] - ch) // 2)
    content.paste(card.resize((cw, ch), Image.LANCZOS), at, card.resize((cw, ch)))
    shown = mosaic(content, how, rng, (int(display_w), int(display_w * screen_px[1] /
                                                           screen_px[0])))
    bezel = int(display_w * 0.04)
    device = Image.new("RGBA", (shown.width + 2 * bezel, shown.height + 2 * bezel),
                       (16, 16, 18, 255))
    off = ((device.width - shown.width) // 2, (device.height - shown.height) // 2)
    device.paste(shown, off)
    if how == "projector":  # on a pale wall: the wall shows around the picture
        wall = Image.new("RGBA", device.size, (200, 196, 186, 255))
        wall.paste(shown, off)
        device = wall
    dev_w = display_w * device.width / shown.width
    device_quad = _whole(rng, frame, dev_w, tilt, rng.uniform(0, 0.1))
    to_photo = forward(device_quad, device.size)
    k = shown.width / screen_px[0]  # device pixels per screen pixel
    x0, y0 = off[0] + at[0] * k, off[1] + at[1] * k
    x1, y1 = x0 + cw * k, y0 + ch * k
    quad = [to_photo(x0, y0), to_photo(x0, y1), to_photo(x1, y1), to_photo(x1, y0)]
    scene = nomad.place(scene, device, device_quad, shadow=0.3)
    if how != "e-ink":  # a self-lit screen: the room's reflection over it, faint
        scene = nomad.light(scene, rng, rng.uniform(0.8, 1.0))
    notes.append(f"pitch {pitch:.1f}")
    return scene, quad


def _cut(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(CUTS, seed)
    notes.append(how)
    w, h = frame
    if how == "too close":
        width = w * rng.uniform(1.08, 1.25)
    elif how == "two edges":
        width = w * rng.uniform(1.04, 1.15)
    else:
        width = min(width, w * 0.7)
    quad = nomad.card_quad((0, 0), width, tilt * 0.5)
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    bw, bh = max(xs) - min(xs), max(ys) - min(ys)
    if how == "one edge":
        cx = rng.choice((bw * rng.uniform(0.3, 0.42), w - bw * rng.uniform(0.3, 0.42)))
        cy = h / 2 + rng.uniform(-0.1, 0.1) * h
    elif how == "a corner":
        cx = rng.choice((bw * 0.38, w - bw * 0.38))
        cy = rng.choice((bh * 0.3, h - bh * 0.3))
    else:
        cx, cy = w / 2 + rng.uniform(-0.02, 0.02) * w, h / 2
    quad = [(x + cx, y + cy) for x, y in quad]
    scene, where = _table(rng, frame)
    notes.append("on " + where)
    scene = nomad.place(scene, card, quad, shadow=0.25)
    return nomad.light(scene, rng, rng.uniform(0.85, 1.0)), quad


def _laid_whole(card, rng, frame, width, tilt, how, notes):
    """The card wholly in the frame on a surface, the variant and the surface noted."""
    notes.append(how)
    scene, where = _table(rng, frame)
    notes.append("on " + where)
    quad = _whole(rng, frame, width, tilt)
    return nomad.place(scene, card, quad, shadow=0.25), quad


def _occluded(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(OCCLUDERS, seed)
    scene, quad = _laid_whole(card, rng, frame, width, tilt, how, notes)
    card_w = math.dist(quad[0], quad[3])
    target = _at(quad, *spot)
    d = ImageDraw.Draw(scene, "RGBA")
    ang = rng.uniform(0, 2 * math.pi)
    far = (target[0] + math.cos(ang) * card_w, target[1] + math.sin(ang) * card_w)
    if how in ("finger", "thumb with a plaster"):
        skin = rng.choice(SKINS)
        thick = card_w * (0.13 if how == "finger" else 0.18)
        _finger(d, far, target, thick, skin)
        if how == "thumb with a plaster":
            mid = ((far[0] + target[0] * 2) / 3, (far[1] + target[1] * 2) / 3)
            _capsule(d, (mid[0] - math.sin(ang) * thick * 0.6, mid[1] + math.cos(ang) * thick *
                         0.6), (mid[0] + math.sin(ang) * thick * 0.6, mid[1] - math.cos(ang) *
                                thick * 0.6), thick * 0.5, (226, 186, 150))
        notes.append(f"skin {SKINS.index(skin)}")
    elif how == "white sticker":
        s = card_w * rng.uniform(0.12, 0.2)
        d.rounded_rectangle((target[0] - s, target[1] - s * 0.6, target[0] + s,
                             target[1] + s * 0.6), s * 0.1, fill=(248, 248, 246, 255))
    elif how == "clear tape":
        s = card_w * 0.11
        a = (target[0] - card_w * 0.4, target[1] - card_w * 0.05)
        b = (target[0] + card_w * 0.4, target[1] + card_w * 0.05)
        d.line((a, b), fill=(250, 246, 226, 150), width=int(s))
        d.line(((a[0], a[1] - s / 2), (b[0], b[1] - s / 2)), fill=(255, 255, 255, 220), width=3)
    elif how == "pale pen":
        _capsule(d, far, target, card_w * 0.06, (236, 236, 240))
        _capsule(d, target, (target[0] - (far[0] - target[0]) * 0.15,
                             target[1] - (far[1] - target[1]) * 0.15), card_w * 0.03,
                 (200, 200, 206))
    elif how == "paper clip":
        s = card_w * 0.12
        for k in (1.0, 0.7, 0.45):
            d.rounded_rectangle((target[0] - s * k, target[1] - s * 0.35 * k, target[0] + s * k,
                                 target[1] + s * 0.35 * k), s * 0.3 * k, outline=(196, 198, 204),
                                width=max(3, int(card_w * 0.014)))
    elif how == "ring":
        r = card_w * rng.uniform(0.07, 0.1)
        d.ellipse((target[0] - r, target[1] - r, target[0] + r, target[1] + r),
                  outline=rng.choice(((214, 180, 90), (210, 212, 216))), width=int(r * 0.35))
    elif how == "rubber band":
        a, b = _at(quad, -0.05, spot[1] - 0.05), _at(quad, 1.05, spot[1] + 0.05)
        d.line((a, b), fill=rng.choice(((196, 150, 110), (200, 60, 50))),
               width=int(card_w * 0.04))
    elif how == "lanyard clip":
        s = card_w * 0.1
        d.rounded_rectangle((target[0] - s * 0.6, target[1] - s, target[0] + s * 0.6,
                             target[1] + s), s * 0.2, fill=(30, 60, 140, 255))
        _capsule(d, (target[0], target[1] - s), (target[0], target[1] - s * 2.2), s * 0.25,
                 (180, 182, 188))
    else:  # phone corner: the corner of the phone used to hold it flat
        s = card_w * 0.45
        d.rounded_rectangle((target[0] - s * 0.1, target[1] - s * 0.1, target[0] + s * 2,
                             target[1] + s * 2), s * 0.15, fill=(20, 20, 24, 255))
    return nomad.light(scene, rng, rng.uniform(0.85, 1.0)), quad


def _glared(card, rng, frame, width, tilt, seed, spot, notes):
    how = variant(GLARES, seed)
    scene, quad = _laid_whole(card, rng, frame, width, tilt, how, notes)
    scene = nomad.light(scene, rng, rng.uniform(0.85, 1.0))
    card_w = math.dist(quad[0], quad[3])
    cx, cy = _at(quad, *spot)
    layer = Image.new("L", frame, 0)
    d = ImageDraw.Draw(layer)
    if how == "flash":
        r = card_w * rng.uniform(0.08, 0.13)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        blur = r * 0.5
    elif how == "window":  # a bright pane with its bars, reflected
        s = card_w * rng.uniform(0.14, 0.2)
        d.rectangle((cx - s, cy - s * 0.7, cx + s, cy + s * 0.7), fill=255)
        d.line((cx, cy - s * 0.7, cx, cy + s * 0.7), fill=120, width=max(2, int(s * 0.08)))
        blur = s * 0.15
    elif how == "desk lamp":
        s = card_w * rng.uniform(0.12, 0.18)
        d.ellipse((cx - s * 1.4, cy - s * 0.5, cx + s * 1.4, cy + s * 0.5), fill=255)
        blur = s * 0.35
    else:  # a phone's torch at an angle: a bright core and a tail away from the light
        s = card_w * rng.uniform(0.07, 0.1)
        ang = rng.uniform(0, 2 * math.pi)
        _capsule(d, (cx, cy), (cx + math.cos(ang) * s * 3, cy + math.sin(ang) * s * 3), s, 200)
        d.ellipse((cx - s, cy - s, cx + s, cy + s), fill=255)
        blur = s * 0.4
    box = (int(max(0, cx - card_w * 0.6)), int(max(0, cy - card_w * 0.6)),
           int(min(frame[0], cx + card_w * 0.6)), int(min(frame[1], cy + card_w * 0.6)))
    region = layer.crop(box).filter(ImageFilter.GaussianBlur(blur))
    glow = region.point(lambda v: min(255, int(v * 1.6)))  # saturates in the core
    white = Image.new("RGB", region.size, (255, 255, 252))
    patch = Image.composite(white, scene.crop(box), glow)
    scene.paste(patch, box[:2])
    return scene, quad


def other_card(what: str, rng: random.Random) -> Image.Image:
    """A second card (RGBA): another holder's ID card, a bank card, a transit card, or a
    passport's cover (a booklet, larger)."""
    if what == "ID card":
        person = nomad.random_person(rng)
        side = rng.choice(("face", "back"))
        return nomad.card_image(side, person[side], rng)
    if what == "passport":
        size = (nomad.mm(88), nomad.mm(125))
        img = Image.new("RGB", size, (96, 20, 32))
        d = ImageDraw.Draw(img)
        gold = (214, 176, 90)
        d.ellipse((size[0] * 0.3, size[1] * 0.35, size[0] * 0.7, size[1] * 0.35 + size[0] * 0.4),
                  outline=gold, width=6)
        d.text((size[0] / 2, size[1] * 0.2), "中华人民共和国", font=nomad.font(nomad.TW_SUNG, 60),
               fill=gold, anchor="mm")
        d.text((size[0] / 2, size[1] * 0.8), "护照", font=nomad.font(nomad.TW_SUNG, 90),
               fill=gold, anchor="mm")
        return nomad._rounded(img, nomad.mm(2))
    img = Image.new("RGB", nomad.CARD_SIZE)
    a = np.zeros((img.height, img.width, 3), np.float32)
    x = np.linspace(0, 1, img.width, dtype=np.float32)[None, :, None]
    if what == "bank card":
        a[:] = np.array((20, 50, 120), np.float32) * (1 - x) + np.array((60, 140, 200),
                                                                      np.float32) * x
    else:
        a[:] = np.array((30, 150, 90), np.float32) * (1 - x) + np.array((240, 150, 40),
                                                                      np.float32) * x
    img = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(img)
    if what == "bank card":
        d.rounded_rectangle((nomad.mm(9), nomad.mm(18), nomad.mm(21), nomad.mm(27)), 10,
                            fill=(214, 186, 110))
        digits = " ".join(f"{rng.randint(0, 9999):04d}" for _ in range(4))
        d.text((nomad.mm(8), nomad.mm(34)), digits, font=nomad.font(nomad.NUMBER_FONTS[1], 56),
               fill=(240, 240, 240))
        d.text((nomad.mm(8), nomad.mm(6)), "储蓄卡", font=nomad.font(nomad.TW_SUNG, 48),
               fill=(255, 255, 255))
    else:
        d.ellipse((nomad.mm(60), nomad.mm(10), nomad.mm(80), nomad.mm(30)), outline=(255, 255,
                                                                                    255),
                  width=8)
        d.text((nomad.mm(8), nomad.mm(8)), "交通联合 城市一卡通", font=nomad.font(nomad.TW_SUNG,
                                                                            52),
               fill=(255, 255, 255))
    return nomad._rounded(img)


def _two_cards(card, rng, frame, width, tilt, seed, spot, notes):
    what, how = variant(OTHER_CARDS, seed), variant(ARRANGEMENTS, seed)
    notes += [what, how]
    scene, where = _table(rng, frame)
    notes.append("on " + where)
    width = min(width * 0.6, frame[0] * 0.4)
    other = other_card(what, rng)
    other_w = width * other.width / nomad.CARD_SIZE[0]
    w, h = frame
    # the first card on the left half, the second to its right (beside) or over its right part
    quad = _whole(rng, (int(w * 0.5), h), width, tilt)
    right = max(p[0] for p in quad)
    cy = sum(p[1] for p in quad) / 4
    if how == "beside":
        centre = (min(w - other_w * 0.6, right + other_w * 0.6 + w * 0.02), cy)
        angle = tilt + rng.uniform(-5, 5)
    elif how == "overlapping":
        centre = (right + other_w * 0.3, cy + rng.uniform(-0.15, 0.15) * width)
        angle = tilt + rng.uniform(-5, 5)
    else:  # fanned: turned about a shared corner, as a hand spreads cards
        centre = (right + other_w * 0.15, cy - width * 0.2)
        angle = tilt + rng.uniform(15, 28)
    other_quad = nomad.card_quad(centre, other_w, angle, 0.0,
                                 other.height / other.width)
    under = how != "overlapping" or rng.random() < 0.5
    if under:  # the second card lies under the first
        scene = nomad.place(scene, other, other_quad, shadow=0.25)
        scene = nomad.place(scene, card, quad, shadow=0.25)
    else:
        scene = nomad.place(scene, card, quad, shadow=0.25)
        scene = nomad.place(scene, other, other_quad, shadow=0.25)
    notes.append("second card under" if under else "second card over")
    return nomad.light(scene, rng, rng.uniform(0.85, 1.0)), quad
