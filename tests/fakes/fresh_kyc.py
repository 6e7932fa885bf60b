"""The fresh KYC style (`artifacts.FRESH`): photos with and without the artifacts a KYC reviewer
flags, drawn by new code, for measuring imaging/quality.py's KYC warnings on a set nobody tuned
on. `artifacts.render(kind, seed, artifacts.FRESH)` lands here; the Shot is the same (JPEG
bytes, the first card's corners TL, BL, BR, TR in the photo's pixels, the warning expected).

What differs from TUNING and HOLDOUT (tests/fakes/artifacts.py), every part its own code:
- The card: tests/fakes/fresh.py's rendering (12 px/mm, other fonts and print), not
  realistic.py's.
- Frames: 4000x3000 (12 MP), 3000x4000 (held upright) and 1920x1080 (a video-call or
  screenshot-sized frame), the same mix for every kind; the card placed with perspective
  (a keystone) as well as a turn of up to 15 degrees.
- Backgrounds: a wooden table, a checked tablecloth, a car seat (perforated leather and
  seams), a hand holding the card against a blurred room.
- The phone: an HDR-like tone curve (lifted shadows, local contrast), heavier denoising
  (colour smeared, brightness smoothed: waxy flats) and strong sharpening with halos; noise
  coarser in colour than in brightness; JPEG 70-92.
- Screens: an OLED phone screen with diamond subpixels, a high-density phone screen
  photographed at about one photo pixel per screen pixel, a laptop LCD (RGB stripes) with its
  bezel in view; each with the device's frame around the picture and a faint reflection.
- Copiers: light or faded toner, a colour copy (halftone dots), a copy of a copy; the copy on
  an A4 sheet lying on the table, with the card's outline the copier prints.
- Occluders: a thumb with its nail, a sticker, a paper clip, keys; each over a field.
- Glare: a ring light's ring or a window's reflection (panes and bars), blown out over fields.
- More than one card: three cards, a fanned or stacked pile, the card beside a bank card.
- Ordinary photos: the same scenes and phones, honest conditions (warm or cool light, mild
  shadow, fingers on the card's edge only, a slight blur of the background).
- A cut card's corners: some shots report them clamped to the frame, some beyond it (the API's
  behaviour is not documented either way).

`dataclasses.replace(artifacts.FRESH, frame=(w, h))` draws every shot in that one frame (the
tests use small frames to stay fast); the other fields of the Style only describe the set.
"""

import io
import math
import random
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from tests.fakes import fresh

Point = Tuple[float, float]
DESCRIPTION = ("fresh card rendering; 4000x3000, 3000x4000 and 1920x1080 frames; wood, "
               "tablecloth, car seat and hand backgrounds; HDR-like tone curve, heavy denoising "
               "and sharpening halos, JPEG 70-92; OLED diamond, high-dpi phone and laptop LCD "
               "screens in their device frames; faded toner, colour and copy-of-a-copy copies "
               "on A4 paper; thumb, sticker, paper clip and keys; ring light and window glare; "
               "three cards, fanned pile or a bank card beside; cut cards' regions clamped or "
               "not")
FRAMES = (((4000, 3000), 0.4), ((3000, 4000), 0.2), ((1920, 1080), 0.4))
FRAME = FRAMES[0][0]  # artifacts.FRESH.frame: a style with another frame uses only that one
CARD_W, CARD_H = fresh.CARD_SIZE
# Where the printed values are (fractions of the upright card: x0, y0, x1, y1).
FIELDS = {"face": ((0.15, 0.12, 0.55, 0.62), (0.32, 0.84, 0.92, 0.92)),
          "back": ((0.3, 0.7, 0.85, 0.9),)}


def render(kind: str, seed: int, style):
    from tests.fakes.artifacts import KINDS, Shot

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    rng = random.Random(f"fresh-kyc/{kind}/{seed}")
    frame = _pick(rng, FRAMES)
    if style.frame != FRAME:  # a test's smaller copy of the style: its one frame
        frame = style.frame
    person = fresh.random_person(rng)
    side = rng.choice(("face", "back"))
    card = (fresh.draw_face if side == "face" else fresh.draw_back)(person[side], rng)
    notes = [side, f"{frame[0]}x{frame[1]}"]
    scene, background = _background(rng, frame)
    notes.append(background)
    short = min(frame)
    width = rng.uniform(0.35, 0.6) * short * 85.6 / 54 if frame[0] >= frame[1] else \
        rng.uniform(0.5, 0.75) * frame[0]
    if kind == "multiple_cards":
        width *= 0.6
    if kind == "screen_recapture":
        width *= 0.75  # the device's frame around it must fit too
    width = min(width, frame[0] * 0.9)
    field = rng.choice(FIELDS[side])
    spot = (rng.uniform(field[0], field[2]), rng.uniform(field[1], field[3]))

    if kind == "photocopy":
        card, how = _copy(card, rng)
        notes.append(how)
        quad = _quad(rng, frame, width, cut=False)
        _paper_under(scene, quad, rng)
        _warp(scene, card, quad, rng, shadow=False, corner=0.0)
    elif kind == "screen_recapture":
        quad = _quad(rng, frame, width, cut=False)
        how = _screen(scene, card, quad, rng)
        notes.append(how)
    else:
        quad = _quad(rng, frame, width, cut=kind == "incomplete_border")
        if kind == "multiple_cards":
            notes.append(_more_cards(scene, quad, rng))
        if background == "hand":
            _hand_under(scene, quad, rng)
        _warp(scene, card, quad, rng, shadow=background != "hand")
        if background == "hand" or (kind == "ordinary" and rng.random() < 0.2):
            _edge_fingers(scene, quad, rng)  # fingers on the card's rim: hides no value
            notes.append("fingers on the edge")
        if kind == "occlusion":
            notes.append(_occlude(scene, quad, spot, rng))
    scene = _light(scene, rng, kind == "ordinary")
    if kind == "glare_on_fields":
        notes.append(_glare(scene, quad, spot, rng))
    scene = _phone(scene, rng)
    region = quad
    if kind == "incomplete_border" and rng.random() < 0.5:
        region = [(min(max(x, 0.0), frame[0] - 1.0), min(max(y, 0.0), frame[1] - 1.0))
                  for x, y in quad]
        notes.append("region clamped")
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=rng.randint(70, 92))
    return Shot(kind, style.name, out.getvalue(), [tuple(p) for p in region],
                None if kind == "ordinary" else kind, ", ".join(notes))


def _pick(rng, weighted):
    r, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if r < total:
            return value
    return weighted[-1][0]


# Geometry ------------------------------------------------------------------------------------

def _quad(rng: random.Random, frame, width: float, cut: bool) -> List[Point]:
    """The card's corners (TL, BL, BR, TR): turned up to 15 degrees, one edge nearer the camera
    (keystone), wholly inside the frame, or (cut) 8-35 % of it beyond one side or a corner."""
    height = width * 54 / 85.6
    angle = math.radians(rng.uniform(-15, 15))
    keystone = rng.uniform(0, 0.08)
    near = rng.randrange(4)
    corners = [(-width / 2, -height / 2), (-width / 2, height / 2), (width / 2, height / 2),
               (width / 2, -height / 2)]
    shaped = []
    for i, (x, y) in enumerate(corners):
        grow = 1 + keystone if i in (near, (near + 1) % 4) else 1 - keystone
        shaped.append((x * grow * math.cos(angle) - y * grow * math.sin(angle),
                       x * grow * math.sin(angle) + y * grow * math.cos(angle)))
    xs, ys = [p[0] for p in shaped], [p[1] for p in shaped]
    w, h = frame
    def within(lo, hi):  # a centre keeping the card inside; the middle if it barely fits
        return rng.uniform(lo, hi) if lo < hi else (lo + hi) / 2

    if not cut:
        cx = within(-min(xs) + 0.02 * w, w - max(xs) - 0.02 * w)
        cy = within(-min(ys) + 0.02 * h, h - max(ys) - 0.02 * h)
    else:
        out = rng.uniform(0.08, 0.35)
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
        cx = within(-min(xs) + 0.05 * w, w - max(xs) - 0.05 * w)
        cy = within(-min(ys) + 0.05 * h, h - max(ys) - 0.05 * h)
        for edge in rng.sample(("left", "right", "top", "bottom"), rng.choice((1, 1, 2))):
            if edge == "left":
                cx = -min(xs) - out * span_x
            elif edge == "right":
                cx = w - max(xs) + out * span_x
            elif edge == "top":
                cy = -min(ys) - out * span_y
            else:
                cy = h - max(ys) + out * span_y
    return [(cx + x, cy + y) for x, y in shaped]


def _card_to_scene(quad):
    """A function mapping a point of the upright card (fractions) into the scene."""
    src = [(0, 0), (0, 1), (1, 1), (1, 0)]
    a, b, c, d, e, f, g, h = fresh._homography(src, quad)  # maps card fractions -> scene

    def to_scene(u, v):
        z = g * u + h * v + 1
        return (a * u + b * v + c) / z, (d * u + e * v + f) / z
    return to_scene


def _card_width(quad) -> float:
    (tlx, tly), _, _, (trx, try_) = quad
    return math.hypot(trx - tlx, try_ - tly)


def _warp(scene: Image.Image, card: Image.Image, quad, rng: random.Random, shadow: bool = True,
          corner: float = 0.045) -> None:
    """Paste `card` onto `quad` of the scene (perspective), with rounded corners and a soft
    shadow; the part beyond the frame is lost."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    box = (max(0, int(min(xs)) - 2), max(0, int(min(ys)) - 2),
           min(scene.width, int(max(xs)) + 3), min(scene.height, int(max(ys)) + 3))
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    size = (box[2] - box[0], box[3] - box[1])
    target = _card_width(quad)
    if card.width > 1.5 * target:  # resample first: PIL's transform does not filter
        card = card.resize((max(2, int(target * 1.2)), max(2, int(target * 1.2 * card.height
                                                                     / card.width))),
                           Image.LANCZOS)
    cw, ch = card.size
    local = [(x - box[0], y - box[1]) for x, y in quad]
    coeffs = fresh._homography(local, [(0, 0), (0, ch), (cw, ch), (cw, 0)])
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, cw - 1, ch - 1), int(cw * corner), fill=255)
    warped = card.convert("RGB").transform(size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    alpha = mask.transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    if shadow:
        offset = int(target * 0.012) + 2
        dark = alpha.point(lambda a: a * 75 // 255).filter(ImageFilter.GaussianBlur(offset))
        scene.paste((0, 0, 0), (box[0] + offset, box[1] + offset), dark)
    scene.paste(warped, box[:2], alpha)


# Backgrounds ----------------------------------------------------------------------------------

def _background(rng: random.Random, frame) -> Tuple[Image.Image, str]:
    what = rng.choice(("wood", "tablecloth", "car_seat", "hand"))
    w, h = frame
    small = (max(8, w // 4), max(8, h // 4))  # textures drawn at a quarter, then enlarged
    state = np.random.default_rng(rng.randrange(1 << 30))
    yy, xx = np.mgrid[0:small[1], 0:small[0]].astype(np.float32)
    if what == "wood":
        base = np.array([rng.randint(110, 170), rng.randint(70, 110), rng.randint(35, 70)],
                        np.float32)
        warp = 6 * np.sin(yy / rng.uniform(25, 60)) + 3 * np.sin(xx / rng.uniform(70, 150))
        rings = np.sin((xx + warp * 4) / rng.uniform(2.5, 6)) * 10 \
            + np.sin((xx + warp) / rng.uniform(12, 30)) * 14
        planks = (np.floor(yy / (small[1] / rng.randint(3, 6))) % 2) * rng.uniform(-10, 10)
        arr = base + (rings + planks)[..., None] * np.array([1, 0.8, 0.6], np.float32)
    elif what == "tablecloth":
        one = np.array([rng.randint(150, 240) for _ in range(3)], np.float32)
        two = np.array([rng.randint(230, 250)] * 3, np.float32)
        period = rng.uniform(10, 30)
        band_x = (xx // period) % 2
        band_y = (yy // period) % 2
        mix = (band_x + band_y)[..., None] / 2  # gingham: 0, half, full colour
        arr = two * (1 - mix) + one * mix
    elif what == "car_seat":
        base = np.full(3, rng.randint(25, 70), np.float32) + np.array(
            [0, 0, rng.randint(0, 10)], np.float32)
        pitch = rng.uniform(4, 7)
        holes = ((xx % pitch < 1.2) & (yy % pitch < 1.2)) * -18.0
        seams = (np.abs((xx % (small[0] / rng.randint(2, 4))) - 3) < 1) * 25.0
        arr = base + (holes + seams)[..., None] + state.normal(0, 3, small[::-1] + (1,))
    else:  # a hand: a blurred room behind it (the hand itself is drawn under the card)
        top = np.array([rng.randint(150, 230) for _ in range(3)], np.float32)
        bottom = np.array([rng.randint(40, 130) for _ in range(3)], np.float32)
        t = (yy / small[1])[..., None]
        arr = top * (1 - t) + bottom * t
        blobs = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        d = ImageDraw.Draw(blobs)
        for _ in range(rng.randint(3, 7)):
            x, y, r = rng.randrange(small[0]), rng.randrange(small[1]), rng.randint(20, 120)
            d.rectangle((x, y, x + r, y + r * 2), fill=tuple(rng.randint(30, 230) for _ in "rgb"))
        arr = np.asarray(blobs.filter(ImageFilter.GaussianBlur(12)), np.float32)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize(frame, Image.BICUBIC)
    return img, what


def _hand_under(scene: Image.Image, quad, rng: random.Random) -> None:
    """A palm and four fingers behind the card, showing below and beside it."""
    to = _card_to_scene(quad)
    cw = _card_width(quad)
    skin = (rng.randint(185, 230), rng.randint(135, 180), rng.randint(105, 150))
    d = ImageDraw.Draw(scene)
    u = rng.uniform(0.35, 0.65)
    px, py = to(u, 0.85)  # the palm, mostly hidden by the card, and the wrist below it
    d.ellipse((px - cw * 0.3, py - cw * 0.25, px + cw * 0.3, py + cw * 0.3), fill=skin)
    d.polygon([to(u - 0.2, 1.0), to(u - 0.15, 3.0), to(u + 0.25, 3.0), to(u + 0.2, 1.0)],
              fill=skin)
    for i in range(4):
        fx, fy = to(1.0 + 0.04, 0.15 + 0.2 * i)
        d.rounded_rectangle((fx - cw * 0.12, fy - cw * 0.045, fx + cw * 0.06, fy + cw * 0.045),
                            int(cw * 0.04), fill=tuple(max(0, c - 12 * (i % 2)) for c in skin))


def _edge_fingers(scene: Image.Image, quad, rng: random.Random) -> None:
    """A thumb tip resting on the card's rim (its outer 3 %): how people hold a card for a
    photo; it covers no value."""
    to = _card_to_scene(quad)
    cw = _card_width(quad)
    u, v = rng.choice(((rng.uniform(0.05, 0.95), 1.02), (-0.02, rng.uniform(0.1, 0.9)),
                       (1.02, rng.uniform(0.1, 0.9))))
    x, y = to(u, v)
    r = cw * rng.uniform(0.035, 0.05)
    skin = (rng.randint(185, 230), rng.randint(135, 180), rng.randint(105, 150))
    ImageDraw.Draw(scene).ellipse((x - r, y - r, x + r, y + r), fill=skin)


def _paper_under(scene: Image.Image, quad, rng: random.Random) -> None:
    """The A4 sheet the copy is printed on, lying under the card's print."""
    to = _card_to_scene(quad)
    sheet = [to(-0.6, -0.4), to(-0.6, 5.1), to(1.85, 5.1), to(1.85, -0.4)]
    paper = tuple(rng.randint(238, 252) for _ in range(3))
    ImageDraw.Draw(scene).polygon(sheet, fill=paper)


# Artifacts ------------------------------------------------------------------------------------

def _copy(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    how = rng.choice(("faded toner", "colour copy", "copy of a copy"))
    state = np.random.default_rng(rng.randrange(1 << 30))
    if how == "colour copy":
        img = ImageEnhance.Color(card).enhance(rng.uniform(0.5, 0.8))
        arr = np.asarray(img, np.float32)
        h, w = arr.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(3.5, 5.0)
        dots = (np.sin(xx / period * math.pi) * np.sin(yy / period * math.pi)) * 10
        arr = arr + dots[..., None] + 18  # paper white shows through: lighter overall
    else:
        grey = np.asarray(card.convert("L"), np.float32)
        if how == "faded toner":
            # Light toner: blacks come out mid grey, light greys vanish into the paper.
            grey = 255 - (255 - grey) * rng.uniform(0.45, 0.65)
            grey = np.where(grey > 200, 245, grey)
            grey += state.normal(0, 5, grey.shape)
        else:
            for _ in range(2):  # each pass: harder contrast, softer edges, more specks
                grey = np.clip((grey - 128) * 1.6 + 150, 0, 255)
                grey = np.asarray(Image.fromarray(grey.astype(np.uint8)).filter(
                    ImageFilter.GaussianBlur(0.9)), np.float32)
                grey = np.where(state.random(grey.shape) < 0.003, 40, grey)
        arr = np.repeat(grey[..., None], 3, axis=2)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    ImageDraw.Draw(img).rounded_rectangle((1, 1, img.width - 2, img.height - 2),
                                          int(img.width * 0.045), outline=(70, 70, 70),
                                          width=3)  # the copier prints the card's edge
    return img, how


def _screen(scene: Image.Image, card: Image.Image, quad, rng: random.Random) -> str:
    """The card on a screen, photographed: the subpixel pattern, resampled by the camera, in
    the device's frame, with a faint reflection over the glass."""
    how = rng.choice(("oled diamond", "high-dpi phone", "laptop lcd"))
    target = _card_width(quad)
    pitch = {"oled diamond": rng.uniform(2.0, 4.0), "high-dpi phone": rng.uniform(0.9, 1.6),
             "laptop lcd": rng.uniform(3.0, 6.0)}[how]  # photo pixels per screen pixel
    cols = max(60, int(target / pitch))
    rows = int(cols * card.height / card.width)
    shown = np.asarray(card.resize((cols, rows), Image.BILINEAR), np.uint8)
    k = 4
    mask = np.zeros((2 * k, 2 * k, 3), np.uint8)  # one tile of 2 x 2 screen pixels
    if how == "laptop lcd":
        for c in range(3):
            mask[:, :, c] = 0
            for px in (0, k):
                mask[0:k - 1, px + c:px + c + 1, c] = 1
                mask[k:2 * k - 1, px + c:px + c + 1, c] = 1
    else:  # diamond: green on every pixel, red and blue diamonds alternating
        for py, px in ((0, 0), (0, k), (k, 0), (k, k)):
            mask[py + 1:py + 2, px + 2:px + 3, 1] = 1
            mask[py + k - 1:py + k, px + k - 1:px + k, 1] = 1
        for py, px, c in ((0, 0, 0), (k, k, 0), (0, k, 2), (k, 0, 2)):
            cy, cx = py + k // 2, px + k // 2
            for dy in range(-1, 2):
                width = 1 - abs(dy)
                mask[cy + dy, cx - width:cx + width + 1, c] = 1
    tile = np.tile(mask, (rows // 2 + 1, cols // 2 + 1, 1))[:rows * k, :cols * k]
    big = np.repeat(np.repeat(shown, k, axis=0), k, axis=1) * tile
    gain = 1 / np.maximum(mask.reshape(-1, 3).mean(axis=0), 1e-3)
    glow = Image.fromarray(big).filter(ImageFilter.GaussianBlur(k * rng.uniform(0.15, 0.3)))
    out_w = max(8, int(target * 1.05))
    glow = glow.resize((out_w, int(out_w * rows / cols)), Image.BOX)  # the camera's pixels
    # the blur spread each lit subpixel over its pixel: the gain restores the brightness
    lit = np.asarray(glow, np.float32) * gain * rng.uniform(0.85, 1.0)
    lit = lit * np.array([1.0, 1.0, rng.uniform(1.0, 1.12)], np.float32)  # screens run cool
    picture = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8))
    # The device: its body and bezel around the picture, then the picture, then a reflection.
    to = _card_to_scene(quad)
    body = (-0.12, -0.35, 1.12, 1.35) if how == "laptop lcd" else (-0.06, -0.12, 1.06, 1.7)
    x0, y0, x1, y1 = body
    outline = [to(x0, y0), to(x0, y1), to(x1, y1), to(x1, y0)]
    d = ImageDraw.Draw(scene)
    shell = tuple([rng.randint(15, 45)] * 3) if how != "laptop lcd" else \
        tuple([rng.randint(40, 90)] * 3)
    d.polygon(outline, fill=shell)
    inner = [to(x0 + 0.02, y0 + 0.03), to(x0 + 0.02, y1 - 0.03), to(x1 - 0.02, y1 - 0.03),
             to(x1 - 0.02, y0 + 0.03)]
    d.polygon(inner, fill=(8, 8, 10))  # the dark screen around the picture
    _warp(scene, picture, quad, rng, shadow=False, corner=0.0)
    xs, ys = [p[0] for p in outline], [p[1] for p in outline]
    box = (max(0, int(min(xs))), max(0, int(min(ys))), min(scene.width, int(max(xs))),
           min(scene.height, int(max(ys))))
    if box[2] > box[0] and box[3] > box[1]:  # the reflection: only on the device's glass
        arr = np.asarray(scene.crop(box), np.float32)
        ramp = np.linspace(0, 1, arr.shape[1], dtype=np.float32)[None, :, None]
        arr = arr + (255 - arr) * ramp * rng.uniform(0.04, 0.12)
        glass = Image.new("L", scene.size, 0)
        ImageDraw.Draw(glass).polygon(outline, fill=255)
        scene.paste(Image.fromarray(arr.astype(np.uint8)), box[:2], glass.crop(box))
    return f"{how}, {pitch:.1f} px per screen pixel"


def _occlude(scene: Image.Image, quad, spot, rng: random.Random) -> str:
    """Something lying over the value at `spot` (card fractions)."""
    to = _card_to_scene(quad)
    cw = _card_width(quad)
    x, y = to(*spot)
    what = rng.choice(("thumb", "sticker", "paper clip", "keys"))
    layer = Image.new("RGBA", scene.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    if what == "thumb":  # from the card's nearest edge to the spot, the nail at its tip
        ex, ey = to(spot[0], 1.35) if spot[1] > 0.5 else to(-0.35, spot[1])
        r = cw * rng.uniform(0.07, 0.1)
        skin = (rng.randint(185, 230), rng.randint(135, 180), rng.randint(105, 150), 255)
        d.line((ex, ey, x, y), fill=skin, width=int(2 * r))
        d.ellipse((x - r, y - r, x + r, y + r), fill=skin)
        a = math.atan2(y - ey, x - ex)
        nx, ny = x - math.cos(a) * r * 0.25, y - math.sin(a) * r * 0.25
        nr = r * 0.6
        d.ellipse((nx - nr, ny - nr, nx + nr, ny + nr),
                  fill=(min(255, skin[0] + 25), min(255, skin[1] + 30), min(255, skin[2] + 35),
                        255))
        tip = (nx + math.cos(a) * nr * 0.7, ny + math.sin(a) * nr * 0.7)
        d.ellipse((tip[0] - nr * 0.35, tip[1] - nr * 0.35, tip[0] + nr * 0.35,
                   tip[1] + nr * 0.35), fill=(245, 240, 235, 255))
    elif what == "sticker":
        sw, sh = cw * rng.uniform(0.22, 0.32), cw * rng.uniform(0.1, 0.16)
        colour = rng.choice(((250, 250, 245), (255, 220, 60), (250, 140, 60), (120, 200, 120)))
        sticker = Image.new("RGBA", (int(sw), int(sh)), colour + (255,))
        sd = ImageDraw.Draw(sticker)
        for i in range(0, int(sw * 0.8), max(2, int(sw / 60))):  # a barcode on it
            if (i * 7919) % 3:
                sd.line((sw * 0.1 + i, sh * 0.2, sw * 0.1 + i, sh * 0.75), fill=(20, 20, 20, 255),
                        width=max(1, int(sw / 120)))
        sticker = sticker.rotate(rng.uniform(-20, 20), expand=True, resample=Image.BICUBIC)
        layer.paste(sticker, (int(x - sticker.width / 2), int(y - sticker.height / 2)), sticker)
    elif what == "paper clip":
        length, wide = cw * rng.uniform(0.28, 0.38), cw * rng.uniform(0.08, 0.11)
        wire = max(3, int(cw * 0.012))
        clip = Image.new("RGBA", (int(length) + 2 * wire, int(wide) + 2 * wire), (0, 0, 0, 0))
        cd = ImageDraw.Draw(clip)
        metal = rng.choice(((185, 185, 190, 255), (200, 60, 60, 255), (60, 90, 200, 255)))
        cd.rounded_rectangle((wire, wire, length + wire, wide + wire), int(wide / 2),
                             outline=metal, width=wire)
        cd.rounded_rectangle((wire + wide * 0.3, wire + wide * 0.22, length * 0.8,
                              wide * 0.78 + wire), int(wide / 3), outline=metal, width=wire)
        clip = clip.rotate(rng.uniform(-30, 30), expand=True, resample=Image.BICUBIC)
        layer.paste(clip, (int(x - clip.width / 2), int(y - clip.height / 2)), clip)
    else:  # keys on a ring
        metal = rng.choice(((200, 190, 150, 255), (180, 182, 186, 255)))
        for k in range(rng.randint(1, 3)):
            key = Image.new("RGBA", (int(cw * 0.42), int(cw * 0.14)), (0, 0, 0, 0))
            kd = ImageDraw.Draw(key)
            kw, kh = key.size
            kd.ellipse((0, 0, kh, kh), fill=metal)
            kd.ellipse((kh * 0.3, kh * 0.35, kh * 0.55, kh * 0.65), fill=(0, 0, 0, 0))
            kd.rectangle((kh * 0.9, kh * 0.3, kw, kh * 0.7), fill=metal)
            for t in range(int(kh * 1.3), kw - 4, max(3, int(kh * 0.3))):
                kd.polygon([(t, kh * 0.7), (t + kh * 0.15, kh * 0.9), (t + kh * 0.3, kh * 0.7)],
                           fill=metal)
            key = key.rotate(rng.uniform(0, 360), expand=True, resample=Image.BICUBIC)
            layer.paste(key, (int(x - key.width / 2 + rng.uniform(-1, 1) * cw * 0.05),
                              int(y - key.height / 2 + rng.uniform(-1, 1) * cw * 0.05)), key)
    shadow = Image.new("RGBA", scene.size, (0, 0, 0, 0))
    shadow.putalpha(layer.getchannel("A").point(lambda a: a * 90 // 255).filter(
        ImageFilter.GaussianBlur(max(2, cw / 150))))
    offset = int(cw * 0.01) + 1
    scene.paste(shadow, (offset, offset), shadow)
    scene.paste(layer, (0, 0), layer)
    return what


def _glare(scene: Image.Image, quad, spot, rng: random.Random) -> str:
    """A reflection on the laminate over the value at `spot`: the ring of a ring light, or a
    window's panes; blown out where it is brightest."""
    to = _card_to_scene(quad)
    cw = _card_width(quad)
    x, y = to(*spot)
    what = rng.choice(("ring light", "window"))
    reach = int(cw * 0.45)
    box = (max(0, int(x) - reach), max(0, int(y) - reach), min(scene.width, int(x) + reach),
           min(scene.height, int(y) + reach))
    yy, xx = np.mgrid[box[1]:box[3], box[0]:box[2]].astype(np.float32)
    if what == "ring light":
        radius = cw * rng.uniform(0.07, 0.13)
        thick = cw * rng.uniform(0.025, 0.04)
        dist = np.abs(np.hypot(xx - x, yy - y) - radius) / thick
        strength = np.exp(-dist ** 4) + 0.35 * np.exp(-(np.hypot(xx - x, yy - y) / radius) ** 2)
    else:
        a = math.radians(rng.uniform(-30, 30))
        u = (xx - x) * math.cos(a) + (yy - y) * math.sin(a)
        v = -(xx - x) * math.sin(a) + (yy - y) * math.cos(a)
        half_w, half_h = cw * rng.uniform(0.12, 0.2), cw * rng.uniform(0.07, 0.11)
        pane = np.exp(-(np.abs(u) / half_w) ** 6 - (np.abs(v) / half_h) ** 6)
        bars = (np.abs(u) < cw * 0.008) | (np.abs(v) < cw * 0.008)  # the window's cross
        strength = pane * np.where(bars, 0.35, 1.0)
    strength = np.clip(strength * rng.uniform(1.1, 1.4), 0, 1)[..., None]
    arr = np.asarray(scene.crop(box), np.float32)
    scene.paste(Image.fromarray((arr + (255 - arr) * strength).astype(np.uint8)), box[:2])
    return what


def _more_cards(scene: Image.Image, quad, rng: random.Random) -> str:
    """Other cards in the frame, placed before the first so that it lies on top, whole: two
    more ID cards (three in all), a fanned pile under it, or a bank card beside it."""
    how = rng.choice(("three cards", "fanned", "bank card"))
    cw = _card_width(quad)
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    cx, cy = sum(xs) / 4, sum(ys) / 4
    w, h = scene.size
    if how == "fanned":
        offsets = [(rng.uniform(0.15, 0.35) * cw * s, rng.uniform(-0.2, 0.2) * cw,
                    rng.uniform(10, 30) * s) for s in rng.sample((-1, 1), rng.choice((1, 2)))]
    else:
        count = 2 if how == "three cards" else 1
        offsets = []
        for _ in range(count):
            for _attempt in range(20):
                dx, dy = rng.uniform(-1.3, 1.3) * cw, rng.uniform(-1.0, 1.0) * cw
                if abs(dx) > 1.08 * cw or abs(dy) > 0.7 * cw:
                    break
            offsets.append((dx, dy, rng.uniform(-15, 15)))
    for dx, dy, turn in offsets:
        other = _bank_card(rng) if how == "bank card" else _other_id(rng)
        width = cw * rng.uniform(0.92, 1.05)
        height = width * 54 / 85.6
        a = math.radians(turn + rng.uniform(-8, 8))
        ox = min(max(cx + dx, width * 0.35), w - width * 0.35)
        oy = min(max(cy + dy, height * 0.35), h - height * 0.35)
        corners = [(-width / 2, -height / 2), (-width / 2, height / 2), (width / 2, height / 2),
                   (width / 2, -height / 2)]
        other_quad = [(ox + x * math.cos(a) - y * math.sin(a), oy + x * math.sin(a)
                       + y * math.cos(a)) for x, y in corners]
        _warp(scene, other, other_quad, rng)
    return how


def _other_id(rng: random.Random) -> Image.Image:
    person = fresh.random_person(rng)
    side = rng.choice(("face", "back"))
    return (fresh.draw_face if side == "face" else fresh.draw_back)(person[side], rng)


def _bank_card(rng: random.Random) -> Image.Image:
    """A bank card: a coloured gradient, the chip, a 16-digit number, the bank's mark."""
    w, h = CARD_W, CARD_H
    one = np.array([rng.randint(0, 200) for _ in range(3)], np.float32)
    two = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
    t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    arr = np.broadcast_to(one * (1 - t) + two * t, (h, w, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((110, 230, 250, 340), 14, fill=(212, 180, 90), outline=(150, 120, 50),
                        width=3)
    d.line((180, 230, 180, 340), fill=(150, 120, 50), width=3)
    d.line((110, 285, 250, 285), fill=(150, 120, 50), width=3)
    mono = ImageFont.truetype(fresh.NUMBER_FONTS[1][0], 58)
    number = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
    d.text((100, 420), number, font=mono, fill=(240, 240, 240))
    d.ellipse((w - 260, 40, w - 160, 140), fill=(230, 40, 40))
    d.ellipse((w - 200, 40, w - 100, 140), fill=(250, 180, 30))
    bank = ImageFont.truetype(fresh.VALUE_FONTS[0][0], 56, index=fresh.VALUE_FONTS[0][1])
    d.text((90, 60), rng.choice(("储蓄卡", "借记卡", "信用卡")), font=bank, fill=(250, 250, 250))
    return img


# Light and the phone ---------------------------------------------------------------------------

def _light(scene: Image.Image, rng: random.Random, honest: bool) -> Image.Image:
    """Warm or cool light and a mild gradient; sometimes a soft shadow across part of the
    frame (never dark enough to hide a value). The gain is worked out on a small grid and
    enlarged: light varies slowly."""
    w, h = scene.size
    gw, gh = 64, max(2, round(64 * h / w))
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    balance = np.array(rng.choice(((1.06, 1.0, 0.86), (0.94, 1.0, 1.08), (1.0, 1.0, 1.0))),
                       np.float32)
    ramp = rng.uniform(0.85, 1.0) + (xx / gw) * rng.uniform(0.0, 0.25)
    gain = ramp[..., None] * balance
    if rng.random() < 0.3:
        a = rng.uniform(0, 2 * math.pi)
        side = (xx - rng.uniform(0, gw)) * math.cos(a) + (yy - rng.uniform(0, gh)) * math.sin(a)
        soft = 1 / (1 + np.exp(-side / 2.0))
        gain = gain * (1 - soft[..., None] * rng.uniform(0.15, 0.3))
    top = 1.25  # gains up to this are kept: the map is stored as 8-bit shares of it
    grid = Image.fromarray(np.clip(gain / top * 255, 0, 255).astype(np.uint8))
    lit = ImageChops.multiply(scene, grid.resize((w, h), Image.BILINEAR))
    return ImageEnhance.Brightness(lit).enhance(top)


def _phone(scene: Image.Image, rng: random.Random) -> Image.Image:
    """The phone's processing: noise (colour noise coarser than brightness noise), heavy
    denoising, an HDR-like curve with local contrast, strong sharpening with halos."""
    w, h = scene.size
    state = np.random.default_rng(rng.randrange(1 << 30))
    arr = np.asarray(scene, np.float32)
    arr += state.standard_normal((h, w, 1), dtype=np.float32) * rng.uniform(2, 5)
    chroma = state.standard_normal((h // 4 + 1, w // 4 + 1, 3), dtype=np.float32) * 4
    chroma = np.repeat(np.repeat(chroma, 4, axis=0), 4, axis=1)[:h, :w]
    img = Image.fromarray(np.clip(arr + chroma, 0, 255).astype(np.uint8))
    if rng.random() < 0.6:  # heavy denoising: colour smeared, brightness smoothed (waxy)
        y, cb, cr = img.convert("YCbCr").split()
        blur = ImageFilter.GaussianBlur(rng.uniform(2, 4))
        img = Image.merge("YCbCr", (y.filter(ImageFilter.SMOOTH_MORE), cb.filter(blur),
                                    cr.filter(blur))).convert("RGB")
    # HDR-like: lift the shadows, hold the highlights, and add back local contrast measured
    # against a heavily blurred copy (the halo of tone mapping).
    lift = rng.uniform(0.75, 0.9)
    curve = [int(255 * (v / 255) ** lift * (1 - 0.08 * (v / 255) ** 4)) for v in range(256)]
    img = img.point(curve * 3)
    small = img.resize((max(1, w // 8), max(1, h // 8)), Image.BILINEAR)
    base = small.filter(ImageFilter.GaussianBlur(6)).resize((w, h), Image.BILINEAR)
    img = Image.blend(base, img, 1 + rng.uniform(0.15, 0.35))  # beyond 1: extrapolates
    return img.filter(ImageFilter.UnsharpMask(radius=rng.uniform(2, 4),
                                              percent=rng.randint(100, 180), threshold=2))
