"""The rover KYC style (artifacts.ROVER): rover.py's card in photos with the artifacts KYC
warns about, and ordinary photos that must raise none; drawn 2026-12-07 without reading the KYC
rules or any other generator's drawing code (only artifacts.py's Shot and Style contract).

What it draws (each variant in turn by seed; multiple_cards: its second cards by seed, its
arrangements every three seeds), in 2592 x 1944 frames (a 5 MP phone photo):
- ordinary: the card on a polka-dot oilcloth, sealed in a laminating pouch (a mild sheen), in a
  wallet's clear window, on an open palm (fingers at the rims), on a wooden tray, on a felt
  pad, toned by HDR, or with a little hand shake;
- photocopy: a fax (black and white, dithered, half the vertical resolution, a header line), a
  thermal print (grey-brown, pale, streaked where the head wore) and a black toner copy on grey
  recycled paper with specks, each a sheet photographed on a surface;
- screen_recapture: a car's dashboard display (RGB stripes, a dark dashboard), a smartwatch's
  OLED (PenTile diamonds, round corners, on a wrist) and a projector on a wall (the screen-door
  grid, ambient light washing the black);
- incomplete_border: one edge out of the frame, a corner out, or the phone held too close;
- occlusion: a coin, a plastic lighter, a hair tie or a lipstick on the fields;
- glare_on_fields: an LED strip's row of reflections, a hard patch of sunlight through a window,
  or a flash blown out on a laminating pouch, over the fields;
- multiple_cards: a driver's licence (机动车驾驶证), a social-security card (社会保障卡) or a hotel
  key card, beside, under or stacked offset below the ID card.

render(kind, seed, style) returns an artifacts.Shot; everything follows from the seed (and the
style's frame and card widths). bench/quality.py's --render-only cache keys photos by style,
kind and seed only: delete /work/cache/rover_kyc when this drawing changes.
"""

import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.fakes import artifacts, rover
from tests.fakes.rover import card_image, card_quad, jpeg, place, random_person, sensor, surface
from tests.fakes.typefaces import face as font_face

DESCRIPTION = ("rover: rover.py's card (Noto CJK JP/KR faces; Fantasque, Monoid or monofur "
               "numbers) in 2592 x 1944 photos: oilcloth, laminating pouch, wallet window, palm, "
               "tray, felt, HDR and shaken ordinary photos; fax, thermal and recycled-paper "
               "copies; car display, smartwatch and projector screens; coin, lighter, hair tie "
               "and lipstick; LED strip, sunlight patch and pouch flash glare; a driver's "
               "licence, social-security or hotel key card beside, under or stacked")
ORDINARY = ("polka-dot oilcloth", "laminating pouch", "wallet window", "open palm",
            "wooden tray", "felt pad", "HDR", "hand shake")
COPIES = ("fax", "thermal print", "recycled-paper copy")
SCREENS = ("car display", "smartwatch", "projector")
CUTS = ("one edge", "a corner", "too close")
OCCLUDERS = ("coin", "lighter", "hair tie", "lipstick")
GLARES = ("LED strip", "sunlight patch", "pouch flash")
OTHER_CARDS = ("driver's licence", "social-security card", "hotel key card")
ARRANGEMENTS = ("beside", "under", "stacked offset")
# Where the printed values are on rover's card (x0, y0, x1, y1 as shares of it).
FIELDS = {"face": (0.16, 0.14, 0.58, 0.88), "back": (0.34, 0.72, 0.74, 0.92)}

Quad = List[Tuple[float, float]]


def render(kind: str, seed: int, style: artifacts.Style) -> artifacts.Shot:
    if kind not in artifacts.KINDS:
        raise ValueError(f"unknown kind {kind!r} (the KYC styles draw "
                         f"{', '.join(artifacts.KINDS)})")
    rng = random.Random(f"rover-kyc/{kind}/{seed}/{style.frame}/{style.card_width}")
    side = rng.choice(("face", "back"))
    card = card_image(side, random_person(rng)[side], rng)
    w, h = style.frame
    width = rng.randint(*style.card_width) * w / 2592  # a style narrowed for tests scales
    tilt = rng.uniform(-style.tilt, style.tilt)
    # a centre that keeps the card (and a pouch's margin) inside the frame, however turned
    a = math.radians(abs(tilt))
    reach_x = width * 1.1 * (math.cos(a) + 0.63 * math.sin(a)) / 2 + 12
    reach_y = width * 1.1 * (math.sin(a) + 0.63 * math.cos(a)) / 2 + 12
    centre = (min(max(w / 2 + rng.uniform(-0.12, 0.12) * w, reach_x), w - reach_x),
              min(max(h / 2 + rng.uniform(-0.12, 0.12) * h, reach_y), h - reach_y))
    notes = [side]
    if kind == "ordinary":
        img, quad, what = _ordinary(card, ORDINARY[seed % len(ORDINARY)], style, width, tilt,
                                    centre, rng)
    elif kind == "photocopy":
        img, quad, what = _copy(card, COPIES[seed % len(COPIES)], style, width, tilt, rng)
    elif kind == "screen_recapture":
        img, quad, what = _screen(card, SCREENS[seed % len(SCREENS)], style, width, tilt, rng)
    elif kind == "incomplete_border":
        img, quad, what = _cut(card, CUTS[seed % len(CUTS)], style, width, tilt, rng)
    elif kind == "occlusion":
        img, quad, what = _occluded(card, side, OCCLUDERS[seed % len(OCCLUDERS)], style,
                                    width, tilt, centre, rng)
    elif kind == "glare_on_fields":
        img, quad, what = _glare(card, side, GLARES[seed % len(GLARES)], style, width, tilt,
                                 centre, rng)
    else:
        img, quad, what = _two_cards(card, OTHER_CARDS[seed % len(OTHER_CARDS)],
                                     ARRANGEMENTS[(seed // 3) % len(ARRANGEMENTS)], style,
                                     width, tilt, rng)
    notes.append(what)
    if ", card " not in what:  # a card held too close says how wide it came out
        notes.append(f"card {int(width)}px")
    data = jpeg(img, rng.randint(*style.jpeg), 2)
    return artifacts.Shot(kind, style.name, data, [(float(x), float(y)) for x, y in quad],
                          None if kind == "ordinary" else kind, ", ".join(notes))


def _at(quad: Quad, u: float, v: float) -> Tuple[float, float]:
    """The point at (u, v) (shares of the card's width and height) of a card laid at `quad`."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    return ((1 - u) * (1 - v) * tlx + (1 - u) * v * blx + u * v * brx + u * (1 - v) * trx,
            (1 - u) * (1 - v) * tly + (1 - u) * v * bly + u * v * bry + u * (1 - v) * try_)


def _inner(outer: Quad, box: Tuple[float, float, float, float]) -> Quad:
    """The quad of a box (x0, y0, x1, y1 as shares) inside a thing laid at `outer`."""
    x0, y0, x1, y1 = box
    return [_at(outer, x0, y0), _at(outer, x0, y1), _at(outer, x1, y1), _at(outer, x1, y0)]


def _finish(img: Image.Image, rng: random.Random, grain: float = 3.0) -> Image.Image:
    return sensor(img, rng, grain * rng.uniform(0.8, 1.3))


# Ordinary photos -------------------------------------------------------------------------------

def _ordinary(card, what, style, width, tilt, centre, rng):
    frame = style.frame
    if what == "laminating pouch":
        card = _mild_pouch(card, rng)
    scene, _ = surface(rng, frame, {"polka-dot oilcloth": "polka-dot oilcloth",
                                    "wallet window": "leather wallet",
                                    "wooden tray": "wooden tray",
                                    "felt pad": "felt pad"}.get(what))
    if what == "open palm":
        scene = _palm(rng, frame, centre, width)
    quad = card_quad(centre, width * card.width / rover.CARD_SIZE[0], tilt,
                     aspect=card.height / card.width)
    img = place(scene, card, quad)
    if what == "laminating pouch":  # the region is the card's, inside the pouch's margin
        m = (card.width - rover.CARD_SIZE[0]) / 2 / card.width
        n = (card.height - rover.CARD_SIZE[1]) / 2 / card.height
        quad = _inner(quad, (m, n, 1 - m, 1 - n))
    if what == "wallet window":
        img = _window(img, quad, rng)
    if what == "open palm":
        img = _fingers(img, quad, rng)
    img = _finish(img, rng)
    if what == "HDR":
        img = rover.hdr(img, random.Random(rng.random()))
    elif what == "hand shake":
        img = _short_motion(img, rng)
    return img, quad, what


def _mild_pouch(card: Image.Image, rng: random.Random) -> Image.Image:
    """A laminating pouch's margin and a faint sheen (rover's hard photos' sheen, halved: an
    ordinary photo's laminate catches light without losing the print)."""
    sheened = rover.pouch(card, random.Random(rng.random()))
    margin = (sheened.width - card.width) // 2
    plain = Image.new("RGBA", sheened.size, (235, 238, 240, 70))
    plain.alpha_composite(rover.rounded(card), (margin, margin))
    return Image.blend(plain, sheened, 0.45)


def _palm(rng: random.Random, frame, centre, width) -> Image.Image:
    """An open palm under the card on a plain floor: skin, with a sleeve at one side."""
    scene, _ = surface(rng, frame, "painted table")
    d = ImageDraw.Draw(scene)
    skin = rng.choice(((226, 186, 156), (200, 156, 122), (160, 112, 80), (236, 204, 178)))
    cx, cy = centre
    d.ellipse((cx - width * 0.75, cy - width * 0.6, cx + width * 0.75, cy + width * 0.7),
              fill=skin)
    d.rectangle((cx - width * 0.5, cy + width * 0.4, cx + width * 0.5, frame[1] + 1), fill=skin)
    if cy + width * 0.95 < frame[1]:  # the sleeve, when the wrist reaches into the frame
        sleeve = tuple(rng.randint(20, 200) for _ in range(3))
        d.rectangle((cx - width * 0.6, cy + width * 0.95, cx + width * 0.6, frame[1]),
                    fill=sleeve)
    return scene.filter(ImageFilter.BoxBlur(3))


def _fingers(img: Image.Image, quad: Quad, rng: random.Random) -> Image.Image:
    """A thumb on the card's left rim and fingertips on its right rim, off the fields."""
    d = ImageDraw.Draw(img)
    skin = img.getpixel((int(_at(quad, 0.5, 1.12)[0]), int(min(img.height - 1,
                                                             _at(quad, 0.5, 1.12)[1]))))
    width = math.dist(quad[0], quad[3])
    r = width * 0.05
    for u, v in ((-0.02, 0.55), (1.02, 0.3), (1.02, 0.5), (1.02, 0.7)):
        x, y = _at(quad, u, v)
        d.ellipse((x - r, y - r * 1.3, x + r, y + r * 1.3), fill=skin)
    return img


def _window(img: Image.Image, quad: Quad, rng: random.Random) -> Image.Image:
    return rover.wallet_window(img, quad, random.Random(rng.random()))


def _short_motion(img: Image.Image, rng: random.Random):
    """A little shake: three px along one direction."""
    a = math.radians(rng.uniform(0, 180))
    arr = np.asarray(img, np.uint16)
    total = arr.copy()
    for t in (-1, 1):
        total += np.roll(arr, (int(round(t * math.sin(a))), int(round(t * math.cos(a)))),
                         axis=(0, 1))
    return Image.fromarray((total // 3).astype(np.uint8))


# Copies ----------------------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copy process prints it on its paper (RGB, the paper around the card's
    rounded outline)."""
    grey = card.convert("L")
    w, h = grey.size
    state = np.random.RandomState(rng.randrange(1 << 30))
    if how == "fax":
        squashed = grey.resize((w, h // 2), Image.BILINEAR).point(
            lambda v: min(255, int((v - 30) * 1.25)) if v > 30 else 0)
        bw = squashed.convert("1").convert("L").resize((w, h), Image.NEAREST)
        arr = np.asarray(bw, np.float32)
        paper = np.array((252, 252, 250), np.float32)
        out = np.minimum(arr[..., None], paper)
    elif how == "thermal print":
        arr = np.asarray(grey, np.float32)
        arr = 255 - (255 - arr) * rng.uniform(0.45, 0.65)
        streaks = (state.random_sample(w) < 0.03) * rng.uniform(40, 80)
        arr = np.minimum(255, arr + streaks[None, :])
        paper = np.array((250, 248, 240), np.float32)
        tone = np.array((0.92, 0.86, 0.74), np.float32)
        out = paper - (255 - arr[..., None]) * tone
    else:  # recycled-paper copy
        arr = np.asarray(grey, np.float32)
        arr = np.clip((arr - 60) * 1.4, 0, 255)
        paper = np.array((214, 212, 204), np.float32) + state.normal(0, 5, (h, w, 1))
        specks = (state.random_sample((h, w)) < 0.002)[..., None] * 150
        out = np.minimum(paper, arr[..., None]) - specks
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _copy(card, how, style, width, tilt, rng):
    """A copy on its sheet, the sheet on a surface, the card's outline drawn by the copier."""
    copied = copy_of(card, rng, how)
    mask = rover.rounded(card).getchannel("A")
    paper_colour = copied.getpixel((2, 2)) if how != "recycled-paper copy" else (214, 212, 204)
    margin = int(card.width * rng.uniform(0.25, 0.4))
    sheet = Image.new("RGB", (card.width + 2 * margin, card.height + 2 * margin), paper_colour)
    if how == "recycled-paper copy":
        sheet = copy_of(Image.new("RGB", sheet.size, (255, 255, 255)), rng, how)
    sheet.paste(copied, (margin, margin), mask)
    d = ImageDraw.Draw(sheet)
    d.rounded_rectangle((margin, margin, margin + card.width, margin + card.height), rover.mm(3.18),
                        outline=(90, 90, 90), width=2)
    if how == "fax":
        d.text((margin // 3, margin // 4), f"FAX {rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
               "  P.01/01", font=font_face(rover.NUMBER_FONTS[1], margin // 6), fill=(0, 0, 0))
    frame = style.frame
    scene, _ = surface(rng, frame)
    box = width * sheet.width / card.width
    centre = (frame[0] / 2 + rng.uniform(-0.06, 0.06) * frame[0],
              frame[1] / 2 + rng.uniform(-0.06, 0.06) * frame[1])
    box = min(box, frame[0] * 0.95, frame[1] * 0.95 * sheet.width / sheet.height)
    outer = card_quad(centre, box, tilt * 0.5, aspect=sheet.height / sheet.width)
    img = place(scene, sheet.convert("RGBA"), outer, shadow=0.25)
    quad = _inner(outer, (margin / sheet.width, margin / sheet.height,
                          (margin + card.width) / sheet.width,
                          (margin + card.height) / sheet.height))
    return _finish(img, rng), quad, how


# Screens ---------------------------------------------------------------------------------------

def mosaic(picture: Image.Image, screen: str, rng: random.Random,
           size: Tuple[int, int] = None) -> Image.Image:
    """`picture` as `screen` shows it, seen by the camera at `size` (photo px): each screen
    pixel drawn as its lit subpixels and dark gaps, then resampled to the photo's pixels (the
    camera's sampling beats with the grid: moiré)."""
    size = size or picture.size
    pitch = {"car display": rng.uniform(2.4, 4.0), "smartwatch": rng.uniform(2.0, 3.0),
             "projector": rng.uniform(3.5, 6.0)}[screen]
    cols = max(24, int(size[0] / pitch))
    rows = max(16, int(size[1] / pitch))
    shown = np.asarray(picture.convert("RGB").resize((cols, rows), Image.BILINEAR), np.float32)
    k = 4
    mask = np.zeros((k, k, 3), np.float32)
    if screen == "car display":  # vertical R, G, B stripes with a dark row between pixels
        for c in range(3):
            mask[:3, c, c] = 1.0
        mask[:3, 3, 2] = 0.3
    elif screen == "smartwatch":  # PenTile: green on every pixel, red and blue in turn
        mask[0:2, 0:2, 0] = 1.0
        mask[2:4, 2:4, 2] = 1.0
        mask[0:1, 2:4, 1] = 1.0
        mask[2:4, 0:1, 1] = 1.0
    else:  # projector: a full-colour pixel with the screen-door's dark lines
        mask[:3, :3, :] = 1.0
    big = np.repeat(np.repeat(shown, k, 0), k, 1) * np.tile(mask, (rows, cols, 1))
    gain = 1.0 / mask.mean(axis=(0, 1))
    lit = Image.fromarray(np.clip(big * gain / gain.max(), 0, 255).astype(np.uint8))
    seen = lit.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9))).resize(size,
                                                                             Image.BILINEAR)
    arr = np.asarray(seen, np.float32) * gain.max() * rng.uniform(0.85, 0.95)
    if screen == "projector":  # the room's light on the wall lifts the black
        arr = arr * 0.8 + np.array((40, 38, 34), np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _screen(card, screen, style, width, tilt, rng):
    """The card shown on a screen (an app's grey around it), the device in its surroundings."""
    frame = style.frame
    if screen == "car display":
        shown_w = int(width * rng.uniform(0.7, 0.9))
        panel = (int(shown_w * 1.3), int(shown_w * 0.8))
        scene = Image.new("RGB", frame, tuple(rng.randint(22, 40) for _ in range(3)))
        bezel = 26
    elif screen == "smartwatch":
        shown_w = int(min(width, frame[1] * 0.6))
        panel = (int(shown_w * 1.08), int(shown_w * 1.08))
        scene = Image.new("RGB", frame, rng.choice(((214, 170, 140), (176, 128, 96))))
        bezel = 40
    else:
        shown_w = int(width * rng.uniform(0.9, 1.1))
        panel = (int(shown_w * 1.4), int(shown_w * 1.05))
        scene = Image.new("RGB", frame, (70, 66, 60))
        bezel = 0
    shown_h = int(shown_w * card.height / card.width)
    panel = (min(panel[0], frame[0] - 2 * bezel - 20), min(panel[1], frame[1] - 2 * bezel - 20))
    content = Image.new("RGB", panel, (28, 28, 30) if screen != "projector" else (20, 20, 20))
    x0, y0 = (panel[0] - shown_w) // 2, (panel[1] - shown_h) // 2
    content.paste(card.resize((shown_w, shown_h), Image.BILINEAR), (x0, y0),
                  rover.rounded(card).getchannel("A").resize((shown_w, shown_h)))
    lit = mosaic(content, screen, rng, panel)
    device = Image.new("RGB", (panel[0] + 2 * bezel, panel[1] + 2 * bezel), (12, 12, 14))
    device.paste(lit, (bezel, bezel))
    d = ImageDraw.Draw(scene)
    cx = frame[0] / 2 + rng.uniform(-0.05, 0.05) * frame[0]
    cy = frame[1] / 2 + rng.uniform(-0.05, 0.05) * frame[1]
    if screen == "smartwatch":
        strap = tuple(rng.randint(10, 90) for _ in range(3))
        d.rectangle((cx - device.width * 0.4, 0, cx + device.width * 0.4, frame[1]), fill=strap)
        mask = Image.new("L", device.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, device.width - 1, device.height - 1),
                                               radius=device.width // 5, fill=255)
        device.putalpha(mask)
    elif screen == "car display":
        d.rectangle((0, cy + device.height * 0.45, frame[0], frame[1]), fill=(50, 48, 46))
    tilt = tilt * 0.4
    outer = card_quad((cx, cy), device.width, tilt, aspect=device.height / device.width)
    img = place(scene, device.convert("RGBA"), outer, shadow=0.0)
    quad = _inner(outer, ((bezel + x0) / device.width, (bezel + y0) / device.height,
                          (bezel + x0 + shown_w) / device.width,
                          (bezel + y0 + shown_h) / device.height))
    return _finish(img, rng, 2.5), quad, screen


# Cut cards -------------------------------------------------------------------------------------

def _cut(card, how, style, width, tilt, rng):
    frame = style.frame
    w, h = frame
    height = width * card.height / card.width
    if how == "too close":
        width = w * rng.uniform(1.08, 1.25)
        height = width * card.height / card.width
        centre = (w / 2 + rng.uniform(-0.03, 0.03) * w, h / 2 + rng.uniform(-0.05, 0.05) * h)
    else:
        out_x = rng.uniform(0.1, 0.3) * width
        out_y = rng.uniform(0.1, 0.3) * height
        left, top = rng.random() < 0.5, rng.random() < 0.5
        cx = width / 2 - out_x if left else w - width / 2 + out_x
        cy = height / 2 - out_y if top else h - height / 2 + out_y
        if how == "one edge":  # only the width cut: the card's middle in height
            cy = h / 2 + rng.uniform(-0.1, 0.1) * h
        centre = (cx, cy)
        tilt = tilt * 0.5
    scene, _ = surface(rng, frame)
    quad = card_quad(centre, width, tilt)
    return _finish(place(scene, card, quad), rng), quad, f"{how}, card {int(width)}px"


# Occluders -------------------------------------------------------------------------------------

def _occluded(card, side, what, style, width, tilt, centre, rng):
    scene, _ = surface(rng, style.frame)
    quad = card_quad(centre, width, tilt)
    img = place(scene, card, quad)
    x0, y0, x1, y1 = FIELDS[side]
    cx, cy = _at(quad, rng.uniform(x0 + 0.05, x1 - 0.05), rng.uniform(y0 + 0.05, y1 - 0.05))
    d = ImageDraw.Draw(img)
    s = width  # sizes as shares of the card's width
    if what == "coin":
        r = s * rng.uniform(0.1, 0.13)
        metal = rng.choice(((196, 170, 96), (176, 176, 180)))
        d.ellipse((cx - r + 6, cy - r + 8, cx + r + 6, cy + r + 8), fill=(60, 60, 60))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=metal)
        d.ellipse((cx - r * 0.82, cy - r * 0.82, cx + r * 0.82, cy + r * 0.82),
                  outline=tuple(c - 50 for c in metal), width=max(3, int(r / 14)))
        d.text((cx, cy), "1", font=font_face(rover.NUMBER_FONTS[0], r), anchor="mm",
               fill=tuple(c - 60 for c in metal))
    elif what == "lighter":
        body = Image.new("RGBA", (int(s * 0.5), int(s * 0.16)), (0, 0, 0, 0))
        bd = ImageDraw.Draw(body)
        colour = rng.choice(((200, 30, 40), (30, 120, 200), (240, 200, 30), (40, 160, 70)))
        bd.rounded_rectangle((0, 0, body.width * 0.8, body.height - 1), body.height // 4,
                             fill=colour + (235,))
        bd.rectangle((body.width * 0.78, body.height * 0.1, body.width - 1, body.height * 0.9),
                     fill=(170, 170, 176, 255))
        bd.rectangle((body.width * 0.05, body.height * 0.2, body.width * 0.7, body.height * 0.32),
                     fill=(255, 255, 255, 90))
        body = body.rotate(rng.uniform(-60, 60), expand=True, resample=Image.BICUBIC)
        img.paste(body, (int(cx - body.width / 2), int(cy - body.height / 2)), body)
    elif what == "hair tie":
        r = s * rng.uniform(0.1, 0.14)
        band = tuple(rng.randint(10, 120) for _ in range(3))
        d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), outline=band,
                  width=max(8, int(s * 0.035)))
    else:  # lipstick lying across the fields
        tube = Image.new("RGBA", (int(s * 0.42), int(s * 0.09)), (0, 0, 0, 0))
        td = ImageDraw.Draw(tube)
        td.rounded_rectangle((0, 0, tube.width * 0.65, tube.height - 1), tube.height // 5,
                             fill=(205, 170, 80, 255))
        td.rounded_rectangle((tube.width * 0.6, tube.height * 0.1, tube.width - 1,
                              tube.height * 0.9), tube.height // 3,
                             fill=rng.choice(((170, 20, 50), (200, 60, 80))) + (255,))
        tube = tube.rotate(rng.uniform(-50, 50), expand=True, resample=Image.BICUBIC)
        img.paste(tube, (int(cx - tube.width / 2), int(cy - tube.height / 2)), tube)
    return _finish(img, rng), quad, what


# Glare -----------------------------------------------------------------------------------------

def _glare(card, side, what, style, width, tilt, centre, rng):
    scene, _ = surface(rng, style.frame)
    quad = card_quad(centre, width, tilt)
    img = _finish(place(scene, card, quad), rng)
    x0, y0, x1, y1 = FIELDS[side]
    u, v = rng.uniform(x0 + 0.05, x1 - 0.08), rng.uniform(y0 + 0.02, y1 - 0.02)
    cx, cy = _at(quad, u, v)
    box = (int(max(0, cx - width * 0.45)), int(max(0, cy - width * 0.45)),
           int(min(img.width, cx + width * 0.45)), int(min(img.height, cy + width * 0.45)))
    yy, xx = np.mgrid[box[1]:box[3], box[0]:box[2]].astype(np.float32)
    if what == "LED strip":  # a row of small hot reflections
        light = np.zeros_like(xx)
        a = math.radians(tilt + rng.uniform(-10, 10))
        step = width * rng.uniform(0.035, 0.05)
        r = width * rng.uniform(0.012, 0.02)
        for k in range(-5, 6):
            px, py = cx + k * step * math.cos(a), cy + k * step * math.sin(a)
            light = np.maximum(light, np.exp(-(((xx - px) ** 2 + (yy - py) ** 2) / r ** 2) ** 2))
    elif what == "sunlight patch":  # a hard-edged slanted patch of sun through a window
        a = math.radians(rng.uniform(20, 70))
        across = (xx - cx) * math.cos(a) + (yy - cy) * math.sin(a)
        along = -(xx - cx) * math.sin(a) + (yy - cy) * math.cos(a)
        half_w, half_l = width * rng.uniform(0.05, 0.08), width * rng.uniform(0.15, 0.25)
        light = np.clip((half_w - np.abs(across)) / 4, 0, 1) * \
            np.clip((half_l - np.abs(along)) / 4, 0, 1)
    else:  # a flash on a laminating pouch: a broad flat-topped oval
        rx, ry = width * rng.uniform(0.09, 0.14), width * rng.uniform(0.06, 0.09)
        light = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) ** 3)
    arr = np.asarray(img.crop(box), np.float32)
    lit = arr + (255 - arr) * np.clip(light * 1.15, 0, 1)[..., None]
    img.paste(Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8)), box[:2])
    return img, quad, what


# A second card ---------------------------------------------------------------------------------

def other_card(what: str, rng: random.Random) -> Image.Image:
    """Another card of the ID card's size, drawn plainly in this style's fonts."""
    w, h = rover.CARD_SIZE
    mm = rover.mm
    title = font_face(rover.TITLE_FONTS[1], mm(3.4))
    small = font_face(rover.VALUE_FONTS[0], mm(2.6))
    digits = font_face(rover.NUMBER_FONTS[rng.randrange(3)], mm(3))
    if what == "driver's licence":
        img = Image.new("RGB", (w, h), (232, 236, 226))
        d = ImageDraw.Draw(img)
        d.text((w / 2, mm(6)), "中华人民共和国机动车驾驶证", font=title, fill=(20, 20, 20),
               anchor="mm")
        for k, label in enumerate(("证号", "姓名", "住址", "初次领证日期", "准驾车型", "有效期限")):
            d.text((mm(5), mm(13) + k * mm(6)), label, font=small, fill=(40, 40, 40))
            d.line((mm(22), mm(17) + k * mm(6), mm(58), mm(17) + k * mm(6)),
                   fill=(150, 150, 150))
        d.text((mm(30), mm(13)), "".join(str(rng.randrange(10)) for _ in range(12)),
               font=digits, fill=(20, 20, 20))
        d.rectangle((mm(62), mm(12), mm(82), mm(38)), fill=(230, 240, 250),
                    outline=(120, 120, 120))
        d.text((mm(72), mm(44)), "C1", font=title, fill=(20, 20, 20), anchor="mm")
    elif what == "social-security card":
        img = Image.new("RGB", (w, h), (240, 244, 250))
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, w, mm(11)), fill=(30, 90, 170))
        d.text((mm(5), mm(5.5)), "中华人民共和国社会保障卡", font=title, fill=(255, 255, 255),
               anchor="lm")
        d.rounded_rectangle((mm(8), mm(17), mm(19), mm(26)), mm(1.5), fill=(214, 180, 90))
        d.text((mm(5), mm(32)), "社会保障号码", font=small, fill=(40, 40, 40))
        d.text((mm(5), mm(38)), "".join(str(rng.randrange(10)) for _ in range(18)),
               font=digits, fill=(20, 20, 20))
        d.text((mm(5), mm(47)), "银行卡号 6217 **** **** " + str(rng.randint(1000, 9999)),
               font=small, fill=(40, 40, 40))
        d.rectangle((mm(62), mm(15), mm(82), mm(42)), fill=(250, 250, 250),
                    outline=(150, 150, 150))
    else:  # hotel key card
        colour = tuple(rng.randint(20, 160) for _ in range(3))
        img = Image.new("RGB", (w, h), colour)
        d = ImageDraw.Draw(img)
        d.ellipse((mm(30), mm(12), mm(56), mm(38)), outline=(236, 220, 170), width=mm(0.8))
        d.text((w / 2, mm(25)), "H", font=font_face(rover.TITLE_FONTS[0], mm(10)),
               fill=(236, 220, 170), anchor="mm")
        d.text((w / 2, mm(46)), "GRAND HOTEL", font=digits, fill=(236, 220, 170), anchor="mm")
    return img


def _two_cards(card, what, arrangement, style, width, tilt, rng):
    frame = style.frame
    w, h = frame
    width = width * 0.62
    other = other_card(what, rng)
    scene, _ = surface(rng, frame)
    centre = (w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2 + rng.uniform(-0.05, 0.05) * h)
    if arrangement == "beside":
        gap = width * rng.uniform(0.55, 0.65)
        first = (centre[0] - gap, centre[1] + rng.uniform(-0.05, 0.05) * h)
        second = (centre[0] + gap, centre[1] + rng.uniform(-0.05, 0.05) * h)
        if rng.random() < 0.5:
            first, second = second, first
        second_tilt = rng.uniform(-style.tilt, style.tilt)
    elif arrangement == "under":  # the other card under the first, half showing
        first = centre
        second = (centre[0] + rng.choice((-1, 1)) * width * rng.uniform(0.45, 0.6),
                  centre[1] + rng.choice((-1, 1)) * width * rng.uniform(0.2, 0.35))
        second_tilt = tilt + rng.uniform(-25, 25)
    else:  # stacked offset: the other card's top edge shows above the first
        first = centre
        second = (centre[0] + rng.uniform(-0.08, 0.08) * width, centre[1] - width * 0.2)
        second_tilt = tilt + rng.uniform(-4, 4)
    scene = place(scene, other, card_quad(second, width, second_tilt))
    quad = card_quad(first, width, tilt)
    img = place(scene, card, quad)
    return _finish(img, rng), quad, f"{what} {arrangement}"
