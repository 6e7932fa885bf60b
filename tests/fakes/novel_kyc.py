"""The novel KYC style (artifacts.NOVEL): tests/fakes/novel.py's card photographed the way the
six warnings of issue 21 arise, and ordinary photos that must raise none of them. Drawn on
2026-12-07 by an engineer who read none of the KYC rules nor the other styles' drawing code.

Scenes are novel.py's surfaces, light (white-balance casts, fall-off) and phone processing
(shot noise, smeared denoise, over-sharpening, chromatic aberration). What each kind adds:

- ordinary: an honest photo: any surface and light, sometimes out of focus or shaken, the
  card's film catching light, or the card held by a thumb on its bare corner;
- photocopy: black-and-white laser, colour laser, inkjet (bleed and banding) or halftone
  (a coarse dot screen) copies on paper, photographed on a surface or scanned flat;
- screen_recapture: the card shown in an image viewer on an LCD (RGB stripe), an OLED phone
  (PenTile RG/BG), an e-ink reader (no subpixels, grey particles, a ghost of the last
  page), a laptop (stripe, bezel and keyboard edge) or a TV (coarse pitch, a room's
  reflection), resampled by the camera (moiré);
- incomplete_border: the card cut by the frame on one side, at a corner, or too close;
- occlusion: a finger or thumb (five skin tones), a white sticker, clear tape, a pale pen,
  a paper clip or a ring over the printed fields;
- glare_on_fields: a phone flash, a window's reflection or a desk lamp over the fields;
- multiple_cards: another ID card, a bank card or a transit card beside the ID card,
  overlapping under it, or a fanned stack with the ID card on top.

`render(kind, seed, style)` gives an artifacts.Shot; each variant is taken in turn by seed.
"""

import io
import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from tests.fakes import novel
from tests.fakes.artifacts import FIELD_SPOTS, KINDS, Shot

DESCRIPTION = (
    "tests/fakes/novel_kyc.py: novel.py's card; 4000x3000 phone frames (or upright), walnut "
    "desk, linen, granite, a ruled notebook, a cutting mat, a quilt; tungsten, fluorescent, "
    "shade and LED casts, over-sharpened phone processing, a thumb on a bare corner "
    "(ordinary photos, which must raise nothing); black-and-white and colour laser, inkjet and "
    "halftone copies, photographed or scanned; LCD stripe, OLED PenTile, e-ink, laptop and TV "
    "screens; cards cut on one side, at a corner or too close; fingers of five skin tones, "
    "a white sticker, clear tape, a pale pen, a paper clip, a ring; a flash, a window's "
    "reflection or a desk lamp; another ID card, a bank card or a transit card beside, "
    "overlapping or fanned")
ORDINARY = ("plain", "out of focus", "shaken", "film sheen", "held by a thumb", "dim room")
COPIES = ("black-and-white laser", "colour laser", "inkjet", "halftone")
SCREENS = ("LCD stripe", "OLED PenTile", "e-ink", "laptop", "TV")
CUTS = ("one side", "a corner", "too close")
OCCLUDERS = ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip", "ring")
GLARES = ("flash", "window", "desk lamp")
OTHER_CARDS = ("ID card", "bank card", "transit card")
ARRANGEMENTS = ("beside", "overlapping", "fanned")
SKINS = ((241, 204, 178), (224, 172, 136), (190, 134, 96), (141, 92, 62), (88, 58, 42))
Quad = List[Tuple[float, float]]


def variant(choices, seed: int):
    return choices[seed % len(choices)]


def render(kind: str, seed: int, style=None) -> Shot:
    from tests.fakes.artifacts import NOVEL

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    style = style or NOVEL
    rng = random.Random(f"novel-kyc/{kind}/{seed}")
    person = novel.random_person(rng)
    side = rng.choice(("face", "back"))
    card = novel.card_image(side, person[side], rng)
    frame = style.frame if rng.random() < 0.75 else style.frame[::-1]
    scale = frame[0] / 4000  # the style's card widths are for a 4000 px wide frame
    width = rng.uniform(*style.card_width) * scale
    width = min(width, frame[0] * 0.8, frame[1] * 0.8 * 85.6 / 54)
    notes = [side]
    expected = None if kind == "ordinary" else kind
    tilt = rng.uniform(-style.tilt, style.tilt)
    scene = None
    if kind == "photocopy":
        what = variant(COPIES, seed)
        notes.append(what)
        scene, quad = _copied(card, rng, what, frame, width, tilt, notes)
    elif kind == "screen_recapture":
        what = variant(SCREENS, seed)
        notes.append(what)
        scene, quad = _on_screen(card, rng, what, frame, width, tilt, notes)
    else:
        scene, where = novel.surface(rng, frame)
        notes.append(where)
        if kind == "multiple_cards":
            width *= 0.6
        at = None
        if kind == "incomplete_border":
            what = variant(CUTS, seed)
            notes.append(f"cut: {what}")
            if what == "too close":
                width = frame[0] * rng.uniform(1.05, 1.25)
            at = _cut_centre(rng, what, frame, width)
        quad = novel.card_quad(rng, frame, width, 0, tilt, rng.uniform(0, 0.12), at=at)
        if kind == "multiple_cards":
            _other_cards(scene, rng, variant(OTHER_CARDS, seed), variant(ARRANGEMENTS, seed // 3),
                         quad, width, notes)
        if kind == "occlusion":
            what = variant(OCCLUDERS, seed)
            notes.append(what)
            card = _stuck_on(card, rng, what, side)
        if kind == "ordinary":
            what = variant(ORDINARY, seed)
            notes.append(what)
            if what == "film sheen":
                card = novel.iridescence(card, rng)
        novel.place(scene, card, quad, shadow=rng.uniform(0.15, 0.4))
        if kind == "occlusion" and what not in ("white sticker", "clear tape"):
            _over(scene, rng, what, quad, _field_point(rng, side, quad), width)
        if kind == "ordinary" and what == "held by a thumb":
            _thumb_on_corner(scene, rng, quad, width)
    dim = rng.uniform(0.45, 0.65) if "dim room" in notes else 1.0
    scene, cast = novel.lighting(scene, rng, dim)
    notes.append(cast)
    if kind == "glare_on_fields":
        what = variant(GLARES, seed)
        notes.append(what)
        scene = _glare(scene, rng, what, quad, _field_point(rng, side, quad), width)
    scene = novel.phone(scene, rng, 2.5 if dim < 1 else rng.uniform(0.6, 1.3))
    if "out of focus" in notes:
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(1.2, 2.4)))
    elif "shaken" in notes:
        scene, shake = novel.motion_blur(scene, rng)
        notes.append(shake)
    notes.insert(1, f"{frame[0]}x{frame[1]}")
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=rng.randint(*style.jpeg), subsampling=rng.choice((0, 2, 2)))
    return Shot(kind, style.name, out.getvalue(), [tuple(p) for p in quad], expected,
                ", ".join(notes))


def _map(quad: Quad, u: float, v: float) -> Tuple[float, float]:
    """The frame point at card fractions (u, v) (0,0 top-left; 1,1 bottom-right)."""
    h = novel.homography([(0, 0), (0, 1), (1, 1), (1, 0)], quad)
    x, y, w = h @ np.array([u, v, 1.0])
    return float(x / w), float(y / w)


def _field_point(rng: random.Random, side: str, quad: Quad) -> Tuple[float, float]:
    spot = rng.choice(FIELD_SPOTS[side])
    return _map(quad, rng.uniform(spot[0], spot[2]), rng.uniform(spot[1], spot[3]))


def _cut_centre(rng: random.Random, what: str, frame, width: float) -> Tuple[float, float]:
    w, h = frame
    ch = width * 54 / 85.6
    if what == "one side":
        edge = rng.randrange(4)
        out = rng.uniform(0.12, 0.3)
        if edge in (0, 1):  # left or right
            x = width * (0.5 - out) if edge == 0 else w - width * (0.5 - out)
            return x, rng.uniform(ch * 0.6, h - ch * 0.6)
        y = ch * (0.5 - out) if edge == 2 else h - ch * (0.5 - out)
        return rng.uniform(width * 0.6, w - width * 0.6), y
    if what == "a corner":
        return (rng.choice((width * 0.3, w - width * 0.3)), rng.choice((ch * 0.3, h - ch * 0.3)))
    return w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2 + rng.uniform(-0.1, 0.1) * h


# Copies ----------------------------------------------------------------------------------------

def _copy_of(card: Image.Image, rng: random.Random, what: str) -> Image.Image:
    """The card as a copier puts it on paper (the paper's white replaces the card's tint)."""
    a = np.asarray(card.convert("RGB"), np.float32)
    if what in ("black-and-white laser", "halftone"):
        a = a.mean(-1, keepdims=True).repeat(3, -1)
    # the copier's curve: pale print drops out to paper, dark print saturates
    lo, hi = rng.uniform(40, 80), rng.uniform(185, 215)
    a = np.clip((a - lo) / (hi - lo), 0, 1) * 255
    g = np.random.default_rng(rng.randint(0, 2**31))
    if what == "halftone":  # a clustered-dot screen at 45 degrees, coarse as a cheap copier's
        h, w = a.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(5, 8)
        u, v = (xx + yy) / period, (xx - yy) / period
        screen = (np.cos(u * math.pi) * np.cos(v * math.pi) + 1) / 2 * 255
        a = np.where(a > screen[..., None], 250, 30).astype(np.float32)
    elif what == "inkjet":  # ink bleeds, the head leaves bands
        img = Image.fromarray(a.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.3))
        a = np.asarray(img, np.float32)
        bands = (np.arange(a.shape[0]) // rng.randint(10, 24)) % 2 == 0
        a[bands] = a[bands] * 0.96 + 4
        a = a * np.array((1.0, 0.97, 1.03))
    elif what == "colour laser":  # toner's muted colours, a colour registration shift
        a = a * 0.85 + a.mean(-1, keepdims=True) * 0.15
        a[..., 0] = np.roll(a[..., 0], rng.choice((-2, 2)), 1)
    a += g.normal(0, 4, a.shape[:2])[..., None]
    specks = g.random(a.shape[:2]) < 0.0015
    a[specks] = 40
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def _copied(card, rng, what, frame, width, tilt, notes):
    """A page with the copy on it: scanned (the page fills the frame) or photographed."""
    copy = _copy_of(card, rng, what)
    paper = tuple(rng.randint(236, 252) for _ in range(3))
    scanned = rng.random() < 0.4
    if scanned:
        notes.append("scanned")
        scene = Image.new("RGB", frame, paper)
        quad = novel.card_quad(rng, frame, width, 0, rng.uniform(-3, 3), 0.0)
        novel.place(scene, novel._rounded(copy).convert("RGB"), quad, shadow=0.0)
        return novel.grainy(scene, rng, 2.5), quad
    notes.append("photographed")
    scene, where = novel.surface(rng, frame)
    notes.append(where)
    # the sheet of paper around the copy, then the copy on it
    ratio = rng.uniform(1.6, 2.6)
    page_w = min(width * ratio, frame[0] * 0.75, frame[1] * 0.75 * 1000 / 631)
    width = page_w / ratio
    page_quad = novel.card_quad(rng, frame, page_w, 0, tilt, rng.uniform(0, 0.1),
                                at=(frame[0] / 2 + rng.uniform(-0.1, 0.1) * frame[0],
                                    frame[1] / 2 + rng.uniform(-0.1, 0.1) * frame[1]))
    page = Image.new("RGB", (1000, 631), paper)
    novel.place(scene, page.convert("RGBA"), page_quad, shadow=0.25)
    u0, v0 = rng.uniform(0.1, 0.9 - width / page_w), rng.uniform(0.1, 0.9 - width / page_w)
    span = width / page_w
    quad = [_map(page_quad, u, v) for u, v in ((u0, v0), (u0, v0 + span), (u0 + span, v0 + span),
                                               (u0 + span, v0))]
    novel.place(scene, novel._rounded(copy).convert("RGB"), quad, shadow=0.0)
    return scene, quad


# Screens ---------------------------------------------------------------------------------------

def _mosaic(card: Image.Image, what: str, screen_px: int, out_w: int,
            rng: random.Random) -> Image.Image:
    """The card as the screen's pixels light it (3 x 3 cells a pixel, its subpixels in them),
    integrated by the camera's pixels at `out_w` px wide (area averaging: the beat between
    the two grids is the moire)."""
    h_px = max(int(screen_px * card.height / card.width), 4)
    out_h = max(int(out_w * card.height / card.width), 4)
    shown = np.asarray(card.convert("RGB").resize((screen_px, h_px), Image.BILINEAR), np.float32)
    if what == "e-ink":  # grey, no subpixels, a low contrast, particles, the last page's ghost
        grey = shown.mean(-1)
        grey = 70 + grey * (180 - 70) / 255
        grey += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 9, grey.shape)
        grey = grey * 0.92 + np.roll(grey, rng.randint(20, 60), 1) * 0.08
        img = Image.fromarray(grey.clip(0, 255).astype(np.uint8))
        return img.resize((out_w, out_h), Image.BOX).convert("RGB")
    cell = 3
    mask = np.zeros((cell, cell, 3), np.float32)
    if what == "OLED PenTile":  # green on every pixel, red and blue on alternate ones
        mask[:, 2, 1] = 3.0
        mask[:, 0, 0] = mask[:, 0, 2] = 3.0  # halved below by the checkerboard
    else:  # vertical R, G, B stripes, a dark gap between rows of pixels
        for c in range(3):
            mask[:, c, c] = 3.0
        mask[cell - 1, :, :] *= 0.55
        mask *= 1 / 0.85
    channels = []
    for c in range(3):
        big = shown[..., c].repeat(cell, 0).repeat(cell, 1) * np.tile(mask[..., c],
                                                                    (h_px, screen_px))
        if what == "OLED PenTile" and c != 1:
            py = np.arange(h_px * cell)[:, None] // cell
            px = np.arange(screen_px * cell)[None, :] // cell
            big *= 2.0 * (((px + py) % 2 == 1) == (c == 2))
        seen = np.asarray(Image.fromarray(big).resize((out_w, out_h), Image.BOX)).copy()
        spread = 1 + int(2 * out_w / (cell * screen_px))  # more where subpixels are resolved
        for axis in (1,) * spread + (0,) * spread:  # the lens spreads a subpixel's light
            seen = (np.roll(seen, 1, axis) + 2 * seen + np.roll(seen, -1, axis)) / 4
        channels.append(seen)
    return Image.fromarray(np.stack(channels, -1).clip(0, 255).astype(np.uint8))


def _on_screen(card, rng, what, frame, width, tilt, notes):
    scene, where = novel.surface(rng, frame)
    notes.append(where)
    # photo px a screen px: at most 3, where the camera begins to resolve the subpixels
    pitch = {"TV": rng.uniform(2.4, 3.0), "e-ink": rng.uniform(1.3, 2.2),
             "OLED PenTile": rng.uniform(1.3, 3.0)}.get(what, rng.uniform(1.3, 3.0))
    pitch = max(pitch, width / 1200)  # the mosaic held to 3,600 cells wide
    notes.append(f"{pitch:.1f} photo px a screen px")
    screen_px = max(int(width / pitch), 40)
    shown = _mosaic(card, what, screen_px, int(width), rng)
    # the device: a bezel around the viewer's black (or e-ink's paper grey) background
    bezel = (18, 18, 20) if what != "e-ink" else (60, 62, 66)
    ground = (6, 6, 8) if what != "e-ink" else (178, 178, 172)
    quad = novel.card_quad(rng, frame, width, 0, tilt, rng.uniform(0, 0.12))
    device = [_map(quad, u, v) for u, v in ((-0.12, -0.35), (-0.12, 1.35), (1.12, 1.35),
                                            (1.12, -0.35))]
    d = ImageDraw.Draw(scene)
    d.polygon(device, fill=bezel)
    inner = [_map(quad, u, v) for u, v in ((-0.06, -0.25), (-0.06, 1.25), (1.06, 1.25),
                                           (1.06, -0.25))]
    d.polygon(inner, fill=ground)
    if what == "laptop":  # the keyboard's edge below the screen
        keys = [_map(quad, u, v) for u, v in ((-0.3, 1.42), (-0.3, 1.9), (1.3, 1.9), (1.3, 1.42))]
        d.polygon(keys, fill=(48, 48, 52))
        notes.append("keyboard edge")
    novel.place(scene, shown.convert("RGBA"), quad, shadow=0.0)
    if what != "e-ink":  # emitted light: a cool white point, a raised black level
        scene = scene.point([min(255, int(v * gain + 8)) for gain in (0.96, 1.0, 1.06)
                             for v in range(256)])
    if what == "TV" or rng.random() < 0.3:  # a room reflected in the glass: a bright band
        xs = np.arange(scene.width, dtype=np.float32)
        band = np.exp(-((xs - rng.uniform(0.2, 0.8) * scene.width) / (scene.width * 0.15)) ** 2)
        row = Image.fromarray((band * rng.uniform(15, 35))[None, :].astype(np.uint8))
        scene = ImageChops.add(scene, row.resize(scene.size, Image.NEAREST).convert("RGB"))
        notes.append("reflection")
    return scene, quad


# Occluders -------------------------------------------------------------------------------------

def _stuck_on(card: Image.Image, rng: random.Random, what: str, side: str) -> Image.Image:
    """What is stuck on the card itself: a white sticker or clear tape over a field."""
    if what not in ("white sticker", "clear tape"):
        return card
    spot = rng.choice(FIELD_SPOTS[side])
    w, h = card.size
    cx, cy = rng.uniform(spot[0], spot[2]) * w, rng.uniform(spot[1], spot[3]) * h
    img = card.convert("RGB")
    if what == "white sticker":
        r = w * rng.uniform(0.08, 0.14)
        shade = Image.new("L", img.size, 0)
        ImageDraw.Draw(shade).ellipse((cx - r + 3, cy - r * 0.8 + 4, cx + r + 3, cy + r * 0.8 + 4),
                                      fill=90)
        img = Image.composite(Image.new("RGB", img.size, (90, 90, 90)), img,
                              shade.filter(ImageFilter.GaussianBlur(4)))
        d = ImageDraw.Draw(img)
        if rng.random() < 0.5:
            d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=(250, 250, 246))
        else:
            d.rounded_rectangle((cx - r * 1.2, cy - r * 0.6, cx + r * 1.2, cy + r * 0.6), 8,
                                fill=(252, 252, 250))
        return img
    # clear tape: a band across the card, slightly milky, glossy along one edge, its edges seen
    a = np.asarray(img, np.float32).copy()
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(-0.5, 0.5)
    dist = (ys - cy) * math.cos(ang) - (xs - cx) * math.sin(ang)
    half = h * rng.uniform(0.09, 0.14)
    inside = np.abs(dist) < half
    a[inside] = a[inside] * 0.8 + 250 * 0.2
    edge = np.abs(np.abs(dist) - half) < 1.5
    a[edge] *= 0.85
    gloss = inside & (np.abs(dist - half * 0.5) < half * 0.15)
    a[gloss] = a[gloss] * 0.55 + 255 * 0.45
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def _capsule(d: ImageDraw.ImageDraw, p, q, width: float, fill) -> None:
    d.line((p, q), fill=fill, width=int(width))
    for x, y in (p, q):
        d.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=fill)


def _over(scene: Image.Image, rng: random.Random, what: str, quad: Quad, at, width: float):
    """Something lying on or held over the card, drawn in the frame with a soft shadow."""
    w, h = scene.size
    layer = Image.new("RGBA", scene.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = at
    if what in ("finger", "thumb", "ring"):
        skin = rng.choice(SKINS)
        thick = width * (0.2 if what == "thumb" else 0.14)
        # from the point over the field out past the card's nearest frame edge
        ang = rng.choice((math.pi / 2, math.pi, 0.0)) + rng.uniform(-0.5, 0.5)
        far = (cx + math.cos(ang) * w * 2, cy + math.sin(ang) * w * 2)
        _capsule(d, (cx, cy), far, thick, tuple(int(c * 0.8) for c in skin) + (255,))
        _capsule(d, (cx, cy), far, thick * 0.7, skin + (255,))  # rounded: its sides darker
        nail = tuple(min(255, c + 35) for c in skin)
        nx, ny = cx + math.cos(ang) * thick * 0.25, cy + math.sin(ang) * thick * 0.25
        d.ellipse((nx - thick * 0.3, ny - thick * 0.3, nx + thick * 0.3, ny + thick * 0.3),
                  fill=nail + (255,))
        if what == "ring":
            rx, ry = cx + math.cos(ang) * thick * 1.4, cy + math.sin(ang) * thick * 1.4
            band = (212, 214, 218, 255) if rng.random() < 0.6 else (226, 196, 120, 255)
            _capsule(d, (rx - math.sin(ang) * thick * 0.55, ry + math.cos(ang) * thick * 0.55),
                     (rx + math.sin(ang) * thick * 0.55, ry - math.cos(ang) * thick * 0.55),
                     thick * 0.22, band)
    elif what == "pale pen":
        colour = rng.choice(((236, 236, 232), (214, 220, 228), (240, 226, 210), (220, 236, 226)))
        ang = rng.uniform(-0.6, 0.6)
        length = width * 0.9
        p = (cx - math.cos(ang) * length / 2, cy - math.sin(ang) * length / 2)
        q = (cx + math.cos(ang) * length / 2, cy + math.sin(ang) * length / 2)
        _capsule(d, p, q, width * 0.06, colour + (255,))
        d.line((p, q), fill=(255, 255, 255, 255), width=max(int(width * 0.012), 1))
    else:  # a paper clip: two nested rounded loops of silver wire
        length, breadth = width * rng.uniform(0.22, 0.3), width * 0.07
        clip = Image.new("RGBA", (int(length) + 20, int(breadth * 1.6) + 20), (0, 0, 0, 0))
        cd = ImageDraw.Draw(clip)
        wire = max(int(width * 0.008), 2)
        cd.rounded_rectangle((10, 10, 10 + length, 10 + breadth * 1.6), int(breadth * 0.8),
                             outline=(200, 204, 210, 255), width=wire)
        cd.rounded_rectangle((10 + length * 0.15, 10 + breadth * 0.3, 10 + length * 0.85,
                              10 + breadth * 1.3), int(breadth * 0.5),
                             outline=(186, 190, 198, 255), width=wire)
        clip = clip.rotate(rng.uniform(0, 180), expand=True, resample=Image.BICUBIC)
        layer.paste(clip, (int(cx - clip.width / 2), int(cy - clip.height / 2)), clip)
    alpha = layer.getchannel("A")
    shadow = alpha.filter(ImageFilter.GaussianBlur(max(width / 60, 2))).point(lambda v: v * 0.4)
    off = int(width / 50) + 1
    scene.paste((0, 0, 0), (off, off), shadow.crop((0, 0, w - off, h - off)))
    scene.paste(layer.convert("RGB"), (0, 0), alpha)


def _thumb_on_corner(scene: Image.Image, rng: random.Random, quad: Quad, width: float) -> None:
    """A hand holding the card: a thumb on its top-right corner, over no printed field."""
    layer = Image.new("L", scene.size, 0)
    tip = _map(quad, 1.0 - rng.uniform(0.02, 0.05), rng.uniform(0.02, 0.06))
    base = _map(quad, 1.3, -0.3)
    skin = rng.choice(SKINS)
    _capsule(ImageDraw.Draw(layer), tip, base, width * 0.09, 255)
    scene.paste(skin, (0, 0), layer)


# Glare -----------------------------------------------------------------------------------------

def _glare(scene: Image.Image, rng: random.Random, what: str, quad: Quad, at, width: float):
    if what == "flash":
        return novel.glare(scene, rng, at, width * rng.uniform(0.08, 0.13))
    if what == "desk lamp":
        return novel.glare(novel.glare(scene, rng, at, width * rng.uniform(0.07, 0.1)), rng,
                           at, width * 0.2)
    # a window: a bright pane with its frame's bars, skewed as the card is
    w, h = scene.size
    mask = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(mask)
    cx, cy = at
    pw, ph = width * rng.uniform(0.22, 0.32), width * rng.uniform(0.16, 0.24)
    shear = rng.uniform(-0.4, 0.4) * pw
    pane = [(cx - pw / 2 + shear, cy - ph / 2), (cx - pw / 2, cy + ph / 2),
            (cx + pw / 2, cy + ph / 2), (cx + pw / 2 + shear, cy - ph / 2)]
    d.polygon(pane, fill=255)
    bar = max(int(width * 0.012), 2)
    d.line(((cx + shear / 2, cy - ph / 2), (cx, cy + ph / 2)), fill=60, width=bar)
    d.line(((cx - pw / 2 + shear / 2, cy), (cx + pw / 2 + shear / 2, cy)), fill=60, width=bar)
    mask = mask.filter(ImageFilter.GaussianBlur(max(width / 300, 1)))
    return ImageChops.add(scene, Image.merge("RGB", (mask, mask, mask)))  # the pane saturates


# Second cards ----------------------------------------------------------------------------------

def _bank_card(rng: random.Random) -> Image.Image:
    w, h = novel.CARD_SIZE
    top, bottom = rng.choice((((20, 40, 90), (60, 110, 170)), ((120, 20, 30), (200, 60, 50)),
                              ((30, 30, 34), (90, 90, 96)), ((10, 80, 60), (40, 150, 110))))
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    a = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    img = Image.fromarray(np.repeat(a, w, 1).astype(np.uint8))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((novel.mm(10), novel.mm(18), novel.mm(21), novel.mm(27)), 10,
                        fill=(214, 186, 110))  # the chip
    f = novel.font(novel.NUMBER_FONTS[0], novel.mm(4.2))
    digits = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
    d.text((novel.mm(8), novel.mm(33)), digits, font=f, fill=(236, 236, 236))
    name = novel.font(novel.WENKAI_BOLD, novel.mm(4.5))
    d.text((novel.mm(8), novel.mm(5)), rng.choice(("城乡商业银行", "长江储蓄银行", "信和银行")) +
           " 借记卡", font=name, fill=(250, 250, 250))
    d.rectangle((novel.mm(68), novel.mm(42), novel.mm(80), novel.mm(50)), fill=(220, 40, 50))
    return img


def _transit_card(rng: random.Random) -> Image.Image:
    w, h = novel.CARD_SIZE
    colour = rng.choice(((0, 120, 200), (240, 140, 20), (120, 180, 60)))
    img = Image.new("RGB", (w, h), colour)
    d = ImageDraw.Draw(img)
    for k in range(6):  # a skyline
        x = w * 0.1 + k * w * 0.13
        top = h * rng.uniform(0.35, 0.6)
        d.rectangle((x, top, x + w * 0.1, h * 0.85), fill=tuple(min(255, c + 60) for c in colour))
    f = novel.font(novel.WENKAI_BOLD, novel.mm(6))
    d.text((novel.mm(6), novel.mm(5)), rng.choice(("城市通", "交通联合", "地铁公交卡")), font=f,
           fill=(255, 255, 255))
    return img


def _other_cards(scene, rng, other: str, arrangement: str, quad: Quad, width: float, notes):
    """Draws the other card(s) first (the ID card, placed after, lies on top)."""
    notes += [other, arrangement]
    if other == "ID card":
        someone = novel.random_person(rng)
        side = rng.choice(("face", "back"))
        cards = [novel.card_image(side, someone[side], rng)]
    elif other == "bank card":
        cards = [_bank_card(rng)]
    else:
        cards = [_transit_card(rng)]
    if arrangement == "fanned":
        cards.append(_bank_card(rng) if other != "bank card" else _transit_card(rng))
    w, h = scene.size
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    cx, cy = (tlx + brx) / 2, (tly + bry) / 2
    for k, card in enumerate(cards):
        if arrangement == "beside":  # to the side with more room
            dx = width * 1.15 * (1 if cx < w / 2 else -1)
            at, turn = (cx + dx, cy + rng.uniform(-0.2, 0.2) * width), rng.uniform(-12, 12)
        elif arrangement == "overlapping":
            at = (cx + width * rng.uniform(0.45, 0.6) * rng.choice((-1, 1)),
                  cy + width * rng.uniform(0.2, 0.35) * rng.choice((-1, 1)))
            turn = rng.uniform(-20, 20)
        else:  # fanned about the ID card's bottom-left corner
            turn = -(k + 1) * rng.uniform(12, 20)
            pivot = np.array((blx, bly))
            centre = np.array((cx, cy)) - pivot
            a = math.radians(turn)
            rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            at = tuple((rot @ centre + pivot).tolist())
        q = novel.card_quad(rng, scene.size, width * rng.uniform(0.97, 1.03), 0, turn, 0.05, at=at)
        novel.place(scene, card, q, shadow=0.3)
