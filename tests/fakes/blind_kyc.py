"""The blind KYC style (`artifacts.BLIND`): photos with and without what a KYC reviewer flags,
drawn last by someone who read neither imaging/quality.py nor the other styles' drawing code.
`artifacts.render(kind, seed, artifacts.BLIND)` lands here; the Shot is the same (JPEG bytes,
the first card's corners TL, BL, BR, TR in the photo's pixels, the warning expected, a detail
starting with the side shown).

The card is tests/fakes/blind.py's (13 px/mm, its fonts, print and data). What is in the set:
- Frames of three phones' pipelines: 4032x3024 (12 MP), 3264x2448 and 1920x1440, landscape or
  held upright; a flatbed scan of a copy is an A4 page at 300 dpi (2480x3508).
- ordinary (a reviewer accepts them): the card on marble, linen, dark leather, a printed page
  or beside a keyboard's edge, or held in a hand with the fingers only on the card's margin;
  tilt up to 10 degrees and mild perspective; dim or warm light, a soft shadow across the
  frame, now and then a small glare spot on the portrait or a corner, away from the text.
- photocopy: a greyscale laser copy (toner speckle, crushed mid-tones, the card's outline
  printed) on white, bluish or sepia copy paper; the copy scanned at 300 dpi or the sheet
  photographed lying on a desk.
- screen_recapture: the card shown on a tablet, a monitor or a phone and photographed:
  stripe subpixels at 1.3-5 photo pixels per screen pixel (moiré after the camera's
  resampling), the screen's blue cast and raised blacks, a reflection band, the bezel in view
  or not, slight defocus.
- incomplete_border: the card cut by the frame on one or two sides, by 5-30 % of its width or
  height; its corners are reported beyond the frame or clamped onto it (half each).
- occlusion: a fingertip or thumb, a coin, a pen, a sticky note or a card sleeve's edge over
  a field.
- glare_on_fields: a lamp's hotspot or a bright band across the text rows, washed out to
  white in its middle.
- multiple_cards: two ID cards side by side, the card lying on a driver's licence or a bank
  card, or two ID cards overlapping partly.

`dataclasses.replace(artifacts.BLIND, frame=(w, h))` draws every shot in that one frame (the
tests use small frames to stay fast). Everything follows from the seed.
"""

import io
import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.fakes import blind
from tests.fakes.realistic import _perspective_coefficients

FRAME = (4032, 3024)  # the Style's frame: the full mix of FRAMES below
FRAMES = ((4032, 3024), (3264, 2448), (1920, 1440))
SCAN = (2480, 3508)   # an A4 page at 300 dpi
DESCRIPTION = ("tests/fakes/blind_kyc.py: blind.py's card; 4032x3024, 3264x2448 and 1920x1440 "
               "frames (and upright), A4 scans at 300 dpi; marble, linen, leather, printed "
               "paper, keyboard edge, a holding hand; laser copies on white, bluish or sepia "
               "paper; tablet, monitor and phone screens with stripe subpixels; cards cut on "
               "one or two sides; fingertip, thumb, coin, pen, sticky note, sleeve edge; lamp "
               "hotspot or bright band; two ID cards, a card on a licence or a bank card")
# Where the text is on an upright card (fractions of width and height): occluders and glare
# are centred in one of these; ordinary glare keeps off them.
FIELDS = {"face": ((0.2, 0.12, 0.6, 0.22), (0.2, 0.55, 0.6, 0.75), (0.35, 0.82, 0.9, 0.9)),
          "back": ((0.35, 0.66, 0.8, 0.76), (0.35, 0.82, 0.75, 0.9), (0.35, 0.14, 0.7, 0.36))}
CLEAR = {"face": ((0.8, 0.3), (0.95, 0.1)), "back": ((0.18, 0.22), (0.92, 0.5))}


def render(kind: str, seed: int, style):
    from tests.fakes.artifacts import KINDS, Shot

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    rng = random.Random(f"blind-kyc/{kind}/{seed}")
    frame = rng.choice(FRAMES)
    if rng.random() < 0.25:
        frame = frame[::-1]
    if kind == "photocopy" and rng.random() < 0.4:
        frame = SCAN
    if tuple(style.frame) != FRAME:  # a test's smaller copy of the style: its one frame
        frame = tuple(style.frame)
    person = blind.random_person(rng)
    side = rng.choice(("face", "back"))
    card = (blind.draw_face if side == "face" else blind.draw_back)(person[side], rng)
    notes = [side, f"{frame[0]}x{frame[1]}"]
    angle = rng.uniform(-10, 10)
    width = fitting_width(frame, rng.uniform(0.5, 0.88), angle)
    if kind == "multiple_cards":
        width *= 0.5
    keystone = rng.uniform(0, 0.06)
    if kind == "photocopy":
        scene, quad, how = _photocopy(card, rng, frame, width, angle)
        notes += how
    else:
        scene, surface = _surface(rng, frame)
        notes.append(surface)
        centre = _centre(rng, frame, width, angle)
        if kind == "incomplete_border":
            centre, cut = _cut(rng, frame, width, angle)
            notes.append(cut)
        if kind == "screen_recapture":
            quad, how = _screen(scene, card, rng, centre, width, angle, keystone)
            notes += how
        else:
            quad = blind.card_quad(rng, centre, width, angle, keystone)
            if kind == "multiple_cards":
                notes.append(_others(scene, rng, quad, width, angle))
            _drop_shadow(scene, quad, rng)
            blind.place(scene, blind._rounded_alpha(card), quad)
        if kind == "ordinary":
            notes += _ordinary(scene, rng, quad, side)
        elif kind == "occlusion":
            notes.append(_occlude(scene, rng, quad, side))
        elif kind == "glare_on_fields":
            scene = _glare(scene, rng, quad, side)
            notes.append("glare on fields")
    scene, how = _phone(scene, rng, width)
    notes += how
    region = [quad[0], quad[3], quad[2], quad[1]]  # TL, BL, BR, TR as the API lists them
    if kind == "incomplete_border" and rng.random() < 0.5:
        region = [(min(max(x, 0.0), frame[0] - 1.0), min(max(y, 0.0), frame[1] - 1.0))
                  for x, y in region]
        notes.append("region clamped")
    out = io.BytesIO()
    quality = rng.randint(72, 94)
    scene.save(out, "JPEG", quality=quality)
    notes.append(f"JPEG {quality}")
    return Shot(kind, style.name, out.getvalue(), [(float(x), float(y)) for x, y in region],
                None if kind == "ordinary" else kind, ", ".join(notes))


# Scenes ----------------------------------------------------------------------------------------

def _surface(rng: random.Random, frame) -> Tuple[Image.Image, str]:
    """A surface drawn at a quarter of the frame and enlarged: marble, linen, dark leather,
    a printed page, or a keyboard's edge."""
    w, h = frame
    sw, sh = max(16, w // 4), max(16, h // 4)
    nrng = np.random.default_rng(rng.getrandbits(32))
    what = rng.choice(("marble", "linen", "leather", "printed paper", "keyboard edge"))
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if what == "marble":
        coarse = nrng.normal(0, 1, (sh // 32 + 2, sw // 32 + 2))
        warp = np.asarray(Image.fromarray(((coarse - coarse.min()) / np.ptp(coarse) * 255)
                                          .astype(np.uint8)).resize((sw, sh), Image.BICUBIC),
                          np.float32) / 255
        veins = np.abs(np.sin((xx * 0.6 + yy) / rng.uniform(25, 60) + warp * 9))
        grey = 226 - 70 * (veins < 0.06) - 8 * warp
        arr = grey[..., None] * np.array([1.0, 0.99, 0.97], np.float32)
    elif what == "linen":
        base = np.array([rng.randint(170, 215), rng.randint(160, 200), rng.randint(140, 180)],
                        np.float32)
        weave = 10 * (np.sin(xx * 1.9) * np.sin(yy * 2.1))
        arr = base + weave[..., None] + nrng.normal(0, 5, (sh, sw, 1))
    elif what == "leather":
        base = np.array([rng.randint(40, 70), rng.randint(25, 45), rng.randint(18, 35)],
                        np.float32)
        arr = base + nrng.normal(0, 7, (sh, sw, 1))
    elif what == "printed paper":
        arr = np.full((sh, sw, 3), 236, np.float32)
        line = rng.randint(7, 11)
        text = ((yy % line) < 2.2) & (nrng.random((sh, sw)) < 0.55)
        arr -= 110 * text[..., None]
    else:
        arr = np.full((sh, sw, 3), rng.randint(185, 215), np.float32)
        keys = yy > sh * rng.uniform(0.72, 0.85)
        pitch = max(10, sw // 24)
        cap = keys & ((xx % pitch) > pitch * 0.12) & ((yy % pitch) > pitch * 0.12)
        arr[keys] = 38
        arr[cap] = 62
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize(frame, Image.BILINEAR)
    return img, what


def _box(width: float, angle: float) -> Tuple[float, float]:
    """The width and height of the box around a card `width` px wide turned by `angle`."""
    c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    return width * (c + s * 54 / 85.6), width * (s + c * 54 / 85.6)


def fitting_width(frame, share: float, angle: float) -> float:
    """A card width filling `share` of the frame's room for it at `angle`."""
    bw, bh = _box(1.0, angle)
    return share * min(frame[0] / bw, frame[1] / bh)


def _centre(rng, frame, width, angle):
    bw, bh = _box(width, angle)
    rx, ry = min(bw / 2 + 8, frame[0] / 2), min(bh / 2 + 8, frame[1] / 2)
    return (rng.uniform(rx, frame[0] - rx), rng.uniform(ry, frame[1] - ry))


def _cut(rng, frame, width, angle):
    """A centre putting 5-30 % of the card's width or height outside one or two sides."""
    height = width * 54 / 85.6
    cx, cy = _centre(rng, frame, width, angle)
    sides = rng.sample(("left", "right", "top", "bottom"), rng.choice((1, 1, 2)))
    if "left" in sides and "right" in sides:
        sides = ["left"]
    if "top" in sides and "bottom" in sides:
        sides = ["top"]
    said = []
    for s in sides:
        share = rng.uniform(0.05, 0.3)
        if s == "left":
            cx = width / 2 - share * width
        elif s == "right":
            cx = frame[0] - width / 2 + share * width
        elif s == "top":
            cy = height / 2 - share * height
        else:
            cy = frame[1] - height / 2 + share * height
        said.append(f"cut {s} {share:.0%}")
    return (cx, cy), " ".join(said)


def _at(quad, u: float, v: float):
    """The point at fractions (u, v) of the card's width and height, in the photo."""
    tl, tr, br, bl = quad
    top = (tl[0] + (tr[0] - tl[0]) * u, tl[1] + (tr[1] - tl[1]) * u)
    bottom = (bl[0] + (br[0] - bl[0]) * u, bl[1] + (br[1] - bl[1]) * u)
    return top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v


def _drop_shadow(scene: Image.Image, quad, rng: random.Random) -> None:
    shift = math.dist(quad[0], quad[1]) * 0.012
    mask = Image.new("L", scene.size, 0)
    ImageDraw.Draw(mask).polygon([(x + shift, y + shift * 1.3) for x, y in quad], fill=110)
    small = mask.resize((scene.width // 8, scene.height // 8)).filter(ImageFilter.GaussianBlur(2))
    scene.paste((0, 0, 0), (0, 0), small.resize(scene.size, Image.BILINEAR))


def _blend(scene: Image.Image, mask: Image.Image, colour, strength: float = 1.0) -> None:
    """Paints `colour` over `scene` where `mask` is (drawn at 1/4 size and enlarged: soft)."""
    m = mask.resize(scene.size, Image.BILINEAR)
    if strength != 1.0:
        m = m.point(lambda a: int(a * strength))
    scene.paste(colour, (0, 0), m)


# Ordinary photos -------------------------------------------------------------------------------

def _finger(d: ImageDraw.ImageDraw, tip, direction: float, width: float, length: float,
            skin, nail: bool) -> None:
    """A finger from outside up to `tip`, coming along `direction` (radians)."""
    dx, dy = math.cos(direction), math.sin(direction)
    base = (tip[0] - dx * length, tip[1] - dy * length)
    d.line((base, tip), fill=skin, width=int(width))
    d.ellipse((tip[0] - width / 2, tip[1] - width / 2, tip[0] + width / 2, tip[1] + width / 2),
              fill=skin)
    if nail:
        r = width * 0.28
        nx, ny = tip[0] - dx * width * 0.2, tip[1] - dy * width * 0.2
        d.ellipse((nx - r, ny - r, nx + r, ny + r), fill=tuple(min(255, c + 25) for c in skin))


def _ordinary(scene: Image.Image, rng: random.Random, quad, side: str) -> List[str]:
    notes = []
    width = math.dist(quad[0], quad[1])
    if rng.random() < 0.4:  # held: a thumb on the margin, the other fingers behind the card
        skin = (rng.randint(190, 230), rng.randint(140, 180), rng.randint(110, 150))
        d = ImageDraw.Draw(scene)
        edge = rng.choice(("left", "bottom"))
        # the thumb's tip outside the edge, its round end overlapping the margin only
        if edge == "left":
            tip, outward = _at(quad, -0.045, rng.uniform(0.4, 0.7)), \
                math.atan2(quad[0][1] - quad[1][1], quad[0][0] - quad[1][0])
        else:
            tip, outward = _at(quad, rng.uniform(0.6, 0.75), 1.09), \
                math.atan2(quad[3][1] - quad[0][1], quad[3][0] - quad[0][0])
        _finger(d, tip, outward + math.pi, width * 0.16, width * 0.6, skin, False)
        notes.append(f"held, thumb on the {edge} margin")
    if rng.random() < 0.5:
        notes.append(rng.choice(("dim", "warm")) + " light")
        gains = (0.7, 0.68, 0.66) if notes[-1] == "dim light" else (1.05, 0.95, 0.8)
        scene.paste(blind.tint(scene, gains))
    if rng.random() < 0.4:  # a soft shadow across part of the frame
        mask = Image.new("L", (scene.width // 4, scene.height // 4), 0)
        x = rng.uniform(0.1, 0.6) * mask.width
        ImageDraw.Draw(mask).polygon([(x, 0), (mask.width, 0), (mask.width, mask.height),
                                      (x + rng.uniform(-0.2, 0.2) * mask.width, mask.height)],
                                     fill=rng.randint(40, 80))
        _blend(scene, mask.filter(ImageFilter.GaussianBlur(mask.width / 30)), (0, 0, 0))
        notes.append("soft shadow")
    if rng.random() < 0.3:  # a small glare off the text: on the portrait or a corner
        u, v = rng.choice(CLEAR[side])
        cx, cy = _at(quad, u, v)
        r = width * rng.uniform(0.025, 0.045) / 4
        mask = Image.new("L", (scene.width // 4, scene.height // 4), 0)
        ImageDraw.Draw(mask).ellipse((cx / 4 - r, cy / 4 - r, cx / 4 + r, cy / 4 + r), fill=200)
        _blend(scene, mask.filter(ImageFilter.GaussianBlur(r / 2)), (255, 255, 250))
        notes.append("small glare off the text")
    return notes


# Artifacts -------------------------------------------------------------------------------------

def _photocopy(card: Image.Image, rng: random.Random, frame, width: float, angle: float):
    """A greyscale laser copy of the card on copy paper; the page scanned (an A4 frame) or
    photographed on a desk."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    grey = np.asarray(card.convert("L"), np.float32)
    grey = np.clip((grey - 95) * rng.uniform(1.5, 2.1) + 120, 0, 255)  # crushed mid-tones
    grey[grey > rng.uniform(200, 225)] = 255
    speckle = nrng.random(grey.shape) < rng.uniform(0.002, 0.01)
    grey[speckle] = rng.randint(60, 130)
    paper_name = rng.choice(("white", "bluish", "sepia"))
    paper = {"white": (246, 246, 244), "bluish": (226, 234, 246), "sepia": (240, 226, 200)}[
        paper_name]
    copy = Image.fromarray(grey.astype(np.uint8))
    ImageDraw.Draw(copy).rounded_rectangle((1, 1, copy.width - 2, copy.height - 2),
                                           radius=blind.mm(3.2), outline=70, width=3)
    tinted = Image.merge("RGB", [copy.point(lambda g, c=c: g * c // 255) for c in paper])
    notes = ["laser copy", f"{paper_name} paper"]
    if frame == SCAN or rng.random() < 0.3 and frame[0] < frame[1]:
        page = Image.new("RGB", frame, paper)
        cw = 85.6 / 25.4 * 300 * frame[0] / SCAN[0]
        quad = blind.card_quad(rng, (frame[0] * rng.uniform(0.35, 0.65),
                                     frame[1] * rng.uniform(0.2, 0.4)), cw,
                               rng.uniform(-4, 4), 0.0)
        blind.place(page, tinted.convert("RGBA"), quad)
        return page, quad, notes + ["scanned at 300 dpi"]
    scene, surface = _surface(rng, frame)
    page_w = max(frame) * 1.15
    page_quad = blind.card_quad(rng, (frame[0] / 2, frame[1] / 2), page_w, angle, 0.0,
                                aspect=297 / 210)
    ImageDraw.Draw(scene).polygon(page_quad, fill=paper)
    centre = _centre(rng, frame, width, angle)
    quad = blind.card_quad(rng, centre, width, angle, 0.0)
    blind.place(scene, tinted.convert("RGBA"), quad)
    return scene, quad, notes + ["photographed on a desk"]


def _screen(scene: Image.Image, card: Image.Image, rng: random.Random, centre, width, angle,
            keystone):
    """The card shown on a screen and photographed; returns the card's corners in the photo."""
    device = rng.choice(("tablet", "monitor", "phone"))
    pitch = rng.uniform(1.3, 5.0)
    margin = rng.uniform(0.04, 0.15)
    screen_w = width * (1 + 2 * margin)
    screen_h = width * 54 / 85.6 * (1 + 2 * margin)
    sw, sh = max(8, int(screen_w / pitch)), max(8, int(screen_h / pitch))
    shown = Image.new("RGB", (sw, sh), (18, 18, 22) if rng.random() < 0.5 else (236, 238, 242))
    cw = int(sw / (1 + 2 * margin))
    ch = int(cw * 54 / 85.6)
    left, top = (sw - cw) // 2, (sh - ch) // 2
    shown.paste(card.resize((cw, ch), Image.LANCZOS), (left, top))
    big_w, big_h = int(sw * pitch), int(sh * pitch)
    # each screen pixel: three coloured columns (RGB stripes) and a dark gap
    up = np.asarray(shown.resize((big_w, big_h), Image.NEAREST), np.float32)
    phase = (np.arange(big_w) % pitch) / pitch
    stripes = np.stack([(phase < 0.33), (phase >= 0.33) & (phase < 0.66), (phase >= 0.66)],
                       -1).astype(np.float32)
    rows = ((np.arange(big_h) % pitch) / pitch < 0.85).astype(np.float32)[:, None, None]
    lit = up * (0.15 + 0.85 * stripes) * 2.0 * (0.6 + 0.4 * rows)
    lit = lit * np.array([0.93, 0.98, 1.08], np.float32) + 14  # blue cast, raised blacks
    panel = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.4, 1.0)))
    quad_screen = blind.card_quad(rng, centre, big_w, angle, keystone,
                                  aspect=big_h / big_w)
    notes = [f"{device} screen", f"pitch {pitch:.1f}"]
    if rng.random() < 0.6:  # the bezel in view
        bezel = blind.card_quad(rng, centre, big_w * 1.08, angle, 0.0,
                                aspect=(big_h + big_w * 0.08) / (big_w * 1.08))
        ImageDraw.Draw(scene).polygon(bezel, fill=(12, 12, 14) if device != "tablet" else
                                      (228, 228, 230))
        notes.append("bezel")
    blind.place(scene, panel.convert("RGBA"), quad_screen)
    # where the card is: its corners on the panel, carried by the panel's perspective
    to_photo = _perspective_coefficients([(0, 0), (big_w, 0), (big_w, big_h), (0, big_h)],
                                         quad_screen)
    corners = [(left * pitch, top * pitch), ((left + cw) * pitch, top * pitch),
               ((left + cw) * pitch, (top + ch) * pitch), (left * pitch, (top + ch) * pitch)]
    a, b, c, d, e, f, g, h = to_photo
    quad = [((a * x + b * y + c) / (g * x + h * y + 1), (d * x + e * y + f) / (g * x + h * y + 1))
            for x, y in corners]
    if rng.random() < 0.5:  # a reflection band across the glass
        mask = Image.new("L", (scene.width // 4, scene.height // 4), 0)
        cx, cy = _at(quad, rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9))
        ImageDraw.Draw(mask).line(((cx / 4 - width / 4, cy / 4 - width / 8),
                                   (cx / 4 + width / 4, cy / 4 + width / 8)), fill=70,
                                  width=int(width / 40) + 2)
        _blend(scene, mask.filter(ImageFilter.GaussianBlur(width / 120 + 1)), (255, 255, 255))
        notes.append("reflection")
    return quad, notes


def _occlude(scene: Image.Image, rng: random.Random, quad, side: str) -> str:
    box = rng.choice(FIELDS[side])
    cx, cy = _at(quad, rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]))
    width = math.dist(quad[0], quad[1])
    d = ImageDraw.Draw(scene)
    what = rng.choice(("fingertip", "thumb", "coin", "pen", "sticky note", "sleeve edge"))
    if what in ("fingertip", "thumb"):
        skin = (rng.randint(185, 230), rng.randint(135, 180), rng.randint(105, 150))
        size = width * (0.16 if what == "fingertip" else 0.22)
        _finger(d, (cx, cy), rng.uniform(0, 2 * math.pi), size, width * 0.7, skin, True)
    elif what == "coin":
        r = width * rng.uniform(0.1, 0.13)
        metal = rng.choice(((200, 190, 150), (180, 180, 185)))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tuple(c - 40 for c in metal))
        d.ellipse((cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9), fill=metal)
    elif what == "pen":
        a = rng.uniform(-0.5, 0.5)
        dx, dy = math.cos(a) * width * 0.6, math.sin(a) * width * 0.6
        d.line(((cx - dx, cy - dy), (cx + dx, cy + dy)), width=int(width * 0.05),
               fill=rng.choice(((20, 30, 90), (30, 30, 30), (160, 20, 30))))
    elif what == "sticky note":
        s = width * rng.uniform(0.22, 0.3)
        note = blind.card_quad(rng, (cx, cy), s, rng.uniform(-15, 15), 0.0, aspect=1.0)
        d.polygon(note, fill=rng.choice(((250, 232, 110), (255, 190, 200), (170, 230, 250))))
    else:  # a card sleeve's coloured edge over one end, up to the field
        u = rng.uniform((box[0] + box[2]) / 2, box[2])
        d.polygon([_at(quad, u, -0.05), _at(quad, 1.05, -0.05), _at(quad, 1.05, 1.05),
                   _at(quad, u, 1.05)], fill=rng.choice(((30, 60, 140), (120, 30, 40),
                                                         (40, 40, 44))))
    return what


def _glare(scene: Image.Image, rng: random.Random, quad, side: str) -> Image.Image:
    box = rng.choice(FIELDS[side][:2])
    cx, cy = _at(quad, rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]))
    width = math.dist(quad[0], quad[1])
    mask = Image.new("L", (scene.width // 4, scene.height // 4), 0)
    d = ImageDraw.Draw(mask)
    if rng.random() < 0.5:  # a lamp's hotspot
        r = width * rng.uniform(0.12, 0.18) / 4
        d.ellipse((cx / 4 - r, cy / 4 - r, cx / 4 + r, cy / 4 + r), fill=255)
        blur = r / 3
    else:  # a bright band across the rows
        a, half = math.atan2(quad[1][1] - quad[0][1], quad[1][0] - quad[0][0]), width * 0.45 / 4
        dx, dy = math.cos(a) * half, math.sin(a) * half
        d.line(((cx / 4 - dx, cy / 4 - dy), (cx / 4 + dx, cy / 4 + dy)), fill=255,
               width=int(width * rng.uniform(0.08, 0.12) / 4))
        blur = width / 4 * 0.02
    mask = mask.filter(ImageFilter.GaussianBlur(blur)).resize(scene.size, Image.BILINEAR)
    arr = np.asarray(scene, np.float32)
    m = np.asarray(mask, np.float32)[..., None] / 255
    return Image.fromarray(np.clip(arr + m * 330, 0, 255).astype(np.uint8))


def _others(scene: Image.Image, rng: random.Random, quad, width: float, angle: float) -> str:
    """Another card in the frame, drawn first (the measured card lies on top or beside it)."""
    how = rng.choice(("two ID cards side by side", "on a driver's licence", "on a bank card",
                      "two ID cards overlapping"))
    if how.startswith("two"):
        person = blind.random_person(rng)
        side = rng.choice(("face", "back"))
        other = (blind.draw_face if side == "face" else blind.draw_back)(person[side], rng)
    else:
        other = _plain_card(rng, "licence" if "licence" in how else "bank")
    tl, tr, br, bl = quad
    ux, uy = (tr[0] - tl[0]) / width, (tr[1] - tl[1]) / width
    height = width * 54 / 85.6
    if how == "two ID cards side by side":  # the other beside the first, whichever side fits
        room = [(min(x for x, _ in quad), -1), (scene.width - max(x for x, _ in quad), 1)]
        sign = max(room)[1]
        shift = (sign * width * 1.08 * ux, sign * width * 1.08 * uy)
    else:  # under it, showing a good part
        shift = (rng.choice((-1, 1)) * width * rng.uniform(0.35, 0.6) * ux - uy * height * 0.25,
                 rng.choice((-1, 1)) * height * rng.uniform(0.3, 0.55) + ux * 0)
    centre = (sum(x for x, _ in quad) / 4 + shift[0], sum(y for _, y in quad) / 4 + shift[1])
    other_quad = blind.card_quad(rng, centre, width * rng.uniform(0.95, 1.05),
                                 angle + rng.uniform(-8, 8), 0.0)
    blind.place(scene, blind._rounded_alpha(other), other_quad)
    return how


def _plain_card(rng: random.Random, what: str) -> Image.Image:
    """A bank card (colour, chip, embossed number) or a driver's licence (pale, title, photo)."""
    size = blind.CARD_SIZE
    font = blind._font(blind.VALUE_FONTS[0], blind.mm(3.4))
    if what == "bank":
        colour = rng.choice(((170, 30, 40), (20, 70, 140), (30, 120, 80), (40, 40, 44)))
        img = Image.new("RGB", size, colour)
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((blind.mm(10), blind.mm(18), blind.mm(22), blind.mm(28)),
                            radius=blind.mm(1.5), fill=(214, 184, 100))
        digits = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
        d.text((blind.mm(10), blind.mm(34)), digits, font=font, fill=(235, 235, 235))
        d.text((blind.mm(10), blind.mm(6)), rng.choice(("储蓄卡", "借记卡", "信用卡")), font=font,
               fill=(240, 240, 240))
    else:
        img = Image.new("RGB", size, (236, 232, 216))
        d = ImageDraw.Draw(img)
        d.text((blind.mm(8), blind.mm(4)), "中华人民共和国机动车驾驶证", font=font, fill=(30, 30, 30))
        for i, line in enumerate(("证号", "姓名", "住址", "准驾车型 C1")):
            d.text((blind.mm(6), blind.mm(14 + 8 * i)), line, font=font, fill=(40, 40, 40))
        d.rectangle((blind.mm(62), blind.mm(14), blind.mm(80), blind.mm(38)), fill=(200, 210, 225))
    return img


# The phone -------------------------------------------------------------------------------------

def _phone(scene: Image.Image, rng: random.Random, width: float) -> Tuple[Image.Image, List[str]]:
    """A phone's pipeline: white balance, mild noise (at half resolution: denoised), sharpening."""
    img, how = blind.camera(scene, rng, False, width / 1000)
    return img, how
