"""The drifter KYC style: tests/fakes/drifter.py's card in the scenes KYC photos come from, with
the artifacts KYC warns about, drawn by an engineer who read none of the KYC rules or the other
styles' drawing code.

Ordinary photos as users take them: a card in a hand with its sleeve, on a ruled notebook, a
keyboard, a bed sheet, a car's floor mat or a restaurant menu, held by its rims between two
thumbs, on a glossy desk that mirrors a ceiling light beside the card, in a dim evening room.
Photocopies (black-and-white and colour laser, toner saving, pink paper, inkjet, halftone),
screens resampled from their subpixels (phone LCD, OLED PenTile, e-ink, laptop, TV, a tablet in
a dark room), cards cut by the frame, occluders over the fields (fingers of five skin tones,
a thumb, white sticker, clear tape, pale pen, paper clip, ring, a cat's paw, a folded receipt),
glare on the fields (flash, window, desk lamp, ceiling panel) and second cards (another ID card,
a bank, transit, membership card or bus pass, a photocopy of another card) beside, overlapping,
fanned, partly under or in a card holder.

`render(kind, seed, style)` gives an artifacts.Shot whose detail starts with the side.
"""

import io
import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes import artifacts, drifter

ORDINARY = ("in a hand with its sleeve", "on a ruled notebook", "on a keyboard", "on a bed sheet",
            "on a car floor mat", "on a restaurant menu", "held by both thumbs",
            "glossy desk mirroring a ceiling light", "dim evening room")
COPIES = ("black-and-white laser", "colour laser", "toner saving", "copy on pink paper",
          "inkjet", "halftone")
SCREENS = ("phone LCD", "OLED PenTile", "e-ink", "laptop", "TV", "tablet in a dark room")
CUTS = ("one edge cut", "a corner cut", "two edges cut", "held half out of frame")
OCCLUDERS = ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip", "ring",
             "cat's paw", "folded receipt")
GLARES = ("flash", "window", "desk lamp", "ceiling panel")
OTHER_CARDS = ("another ID card", "bank card", "transit card", "membership card", "bus pass",
               "photocopy of another card")
ARRANGEMENTS = ("beside", "overlapping", "fanned", "partly under", "in a card holder")
SKINS = ((236, 200, 172), (222, 178, 140), (196, 148, 108), (150, 104, 72), (104, 70, 50))
REFERENCE = 3840  # the frame width the style's card widths are given for

DESCRIPTION = ("3840x2160 frames (either way up), cards 20-60 % of the frame; grain in 2 x 2 "
               "clumps, mixed light, dim rooms; ordinary photos in a hand with its sleeve, on a "
               "notebook, keyboard, bed sheet, car mat or menu, between two thumbs, beside a "
               "mirrored ceiling light; " + ", ".join(COPIES) + " copies; " +
               ", ".join(SCREENS) + " screens; " + ", ".join(OCCLUDERS) + " over the fields; " +
               ", ".join(GLARES) + " glare; " + ", ".join(OTHER_CARDS) + " " +
               ", ".join(ARRANGEMENTS))


def render(kind: str, seed: int, style) -> artifacts.Shot:
    if kind not in artifacts.KINDS:
        raise ValueError(f"unknown kind {kind!r} (the drifter style draws "
                         f"{', '.join(artifacts.KINDS)})")
    rng = random.Random(f"drifter-kyc/{kind}/{seed}")
    person = drifter.random_person(rng)
    side = rng.choice(("face", "back"))
    card = drifter.card_image(side, person[side], rng)
    frame = style.frame
    if kind == "ordinary" and seed % 3 == 0 or kind == "incomplete_border" and seed % 4 == 3:
        frame = frame[::-1]  # a phone held upright
    notes = [side, f"{frame[0]}x{frame[1]}"]
    scale = frame[0] / REFERENCE if frame[0] >= frame[1] else frame[1] / REFERENCE
    width = int(rng.randint(*style.card_width) * scale * (0.7 if kind == "multiple_cards"
                                                          else 1))
    # a card turned 12 degrees still fits: at most 3/4 of the frame's width and its height
    width = max(60, min(width, int(frame[0] * 0.75), int(frame[1] * 0.75 / 0.63)))
    spot = rng.choice(artifacts.FIELD_SPOTS[side])
    field = (rng.uniform(spot[0], spot[2]), rng.uniform(spot[1], spot[3]))
    variant = None
    if kind == "ordinary":
        variant = ORDINARY[seed % len(ORDINARY)]
    elif kind == "photocopy":
        variant = COPIES[seed % len(COPIES)]
        card = copy_of(card, rng, variant)
    elif kind == "screen_recapture":
        variant = SCREENS[seed % len(SCREENS)]
    elif kind == "incomplete_border":
        variant = CUTS[seed % len(CUTS)]
    elif kind == "occlusion":
        variant = OCCLUDERS[seed % len(OCCLUDERS)]
    elif kind == "glare_on_fields":
        variant = GLARES[seed % len(GLARES)]
    notes.append(variant or "")
    scene = _scene(kind, variant, frame, rng)
    angle = rng.uniform(-style.tilt, style.tilt)
    centre = (frame[0] * rng.uniform(0.4, 0.6), frame[1] * rng.uniform(0.4, 0.6))
    if kind == "multiple_cards":
        centre = (frame[0] * rng.uniform(0.3, 0.4), frame[1] * rng.uniform(0.4, 0.6))
    quad = drifter._quad(rng, width, centre, angle, rng.uniform(0, 0.06))
    if kind == "incomplete_border":
        quad = _cut(quad, frame, rng, variant)
    else:
        quad = _inside(quad, frame)
    other = None
    if kind == "multiple_cards":
        other = OTHER_CARDS[seed % len(OTHER_CARDS)]
        arrangement = ARRANGEMENTS[seed % len(ARRANGEMENTS)]
        notes[-1] = f"{other} {arrangement}"
        _second_card(scene, quad, other, arrangement, rng, before=True)
    if kind == "screen_recapture":
        scene = _screen(scene, card, quad, rng, variant, style)
    else:
        patch, at = drifter._perspective(drifter._rounded(card.convert("RGB")), quad)
        if kind == "photocopy":  # printed on its sheet: the sheet casts the shadow, not the card
            scene = _copy_sheet(scene, quad, rng, variant, notes)
        else:
            drifter._shadow(scene, patch, at, rng, rng.uniform(0.2, 0.45))
        scene.paste(patch, at, patch.getchannel("A"))
    if kind == "multiple_cards":
        _second_card(scene, quad, other, arrangement, rng, before=False)
    if variant in ("in a hand with its sleeve", "held by both thumbs"):
        _hand(scene, quad, rng, variant)
    if variant == "held half out of frame":
        _hand(scene, quad, rng, "in a hand with its sleeve")
    if kind == "occlusion":
        _occlude(scene, quad, field, rng, variant, width)
    scene = _light(scene, rng, variant)
    scene = drifter._noise(scene, rng, rng.uniform(2, 5) if variant != "dim evening room"
                           else 7)
    if kind == "glare_on_fields":
        scene = _glare(scene, quad, field, rng, variant, width)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=rng.randint(*style.jpeg))
    return artifacts.Shot(kind, style.name, out.getvalue(), [quad[0], quad[3], quad[2], quad[1]],
                          None if kind == "ordinary" else kind, ", ".join(notes))


# Where the card lies ------------------------------------------------------------------------

def _inside(quad, frame):
    """The quad moved in from any edge it crosses (an ordinary photo holds the whole card)."""
    dx = max(0, 6 - min(x for x, _ in quad)) - max(0, max(x for x, _ in quad) - frame[0] + 7)
    dy = max(0, 6 - min(y for _, y in quad)) - max(0, max(y for _, y in quad) - frame[1] + 7)
    return [(x + dx, y + dy) for x, y in quad]


def _cut(quad, frame, rng: random.Random, how: str):
    """The quad pushed over the frame's edges: by 8-30 % of the card on one edge, both of a
    corner's, two opposite edges (a card too close), or half of it."""
    w = math.dist(quad[0], quad[1])
    h = math.dist(quad[0], quad[3])
    quad = _inside(quad, frame)
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    dx = dy = 0.0
    if how == "one edge cut":
        edge = rng.choice("lrtb")
        by = rng.uniform(0.08, 0.3) * (w if edge in "lr" else h)
        dx = {"l": -(min(xs) + by), "r": frame[0] - max(xs) + by}.get(edge, 0.0)
        dy = {"t": -(min(ys) + by), "b": frame[1] - max(ys) + by}.get(edge, 0.0)
    elif how == "a corner cut":
        dx = -(min(xs) + rng.uniform(0.1, 0.25) * w)
        dy = frame[1] - max(ys) + rng.uniform(0.1, 0.25) * h
    elif how == "held half out of frame":
        dx = frame[0] - max(xs) + rng.uniform(0.4, 0.5) * w
    else:  # two edges: the card fills more than the frame's height
        grow = (frame[1] * 1.1) / h
        cx, cy = sum(xs) / 4, sum(ys) / 4
        quad = [(cx + (x - cx) * grow, cy + (y - cy) * grow) for x, y in quad]
        cx = frame[0] / 2
        quad = [(x - sum(p[0] for p in quad) / 4 + cx, y - sum(p[1] for p in quad) / 4 +
                 frame[1] / 2) for x, y in quad]
    return [(x + dx, y + dy) for x, y in quad]


def _on_card(quad, u: float, v: float):
    """The scene point at (u, v) fractions of the card (bilinear between its corners)."""
    tl, tr, br, bl = quad
    top = (tl[0] + (tr[0] - tl[0]) * u, tl[1] + (tr[1] - tl[1]) * u)
    bottom = (bl[0] + (br[0] - bl[0]) * u, bl[1] + (br[1] - bl[1]) * u)
    return top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v


# Scenes -------------------------------------------------------------------------------------------

MENU_LINES = ("招牌牛肉面 ￥28", "酸辣土豆丝 ￥16", "红烧茄子 ￥22", "番茄炒蛋 ￥18", "鲜榨橙汁 ￥12",
              "宫保鸡丁 ￥32", "米饭 ￥2", "今日特价", "凉拌黄瓜 ￥10")


def _scene(kind: str, variant, frame, rng: random.Random) -> Image.Image:
    if kind == "photocopy":  # the copy's sheet under the phone, or the sheet scanned
        paper = (246, 220, 226) if variant == "copy on pink paper" else (244, 244, 240)
        return Image.new("RGB", frame, tuple(c - rng.randint(0, 12) for c in paper))
    if kind == "screen_recapture":
        return Image.new("RGB", frame, tuple(rng.randint(10, 40) for _ in range(3)))
    surface = {"on a ruled notebook": "ruled notebook", "on a keyboard": "keyboard",
               "on a bed sheet": "bed sheet", "on a car floor mat": "car floor mat"}.get(variant)
    if variant == "on a restaurant menu":
        img = Image.new("RGB", frame, (250, 240, 220))
        d = ImageDraw.Draw(img)
        f = drifter._font(drifter.TITLE_FONTS[1], max(12, frame[1] // 28))
        for i, y in enumerate(range(frame[1] // 24, frame[1], int(f.size * 1.9))):
            d.text((frame[0] // 14 + (i % 2) * frame[0] // 2, y), rng.choice(MENU_LINES), font=f,
                   fill=(120, 30, 20))
        return img
    if surface is None:
        surface = rng.choice(drifter.SURFACES)
    img = drifter._surface(surface, frame, rng)
    if variant == "glossy desk mirroring a ceiling light":  # the light mirrored off the card
        d = ImageDraw.Draw(img)
        x = frame[0] * rng.choice((0.08, 0.82))
        d.rounded_rectangle((x, frame[1] * 0.1, x + frame[0] * 0.1, frame[1] * 0.45),
                            frame[0] // 80, fill=(255, 255, 252))
    return img


def _light(scene: Image.Image, rng: random.Random, variant) -> Image.Image:
    """Mixed light over the scene: a warm lamp one side, cool daylight the other; dim rooms.
    Done with lookup tables and 8-bit offsets: a float copy of an 8 MP frame costs seconds."""
    w, h = scene.size
    ramp = np.linspace(-1, 1, max(2, w // 8), dtype=np.float32)[None, :, None]
    cast = np.array((1, 0.25, -1), np.float32) * rng.uniform(3, 14)
    gain = 0.72 if variant == "dim evening room" else rng.uniform(0.92, 1.05)
    colour = (1.05, 0.95, 0.8) if variant == "dim evening room" else (1.0, 1.0, 1.0)
    table = [min(255, int(v * gain * c)) for c in colour for v in range(256)]
    img = scene.point(table)
    shift = np.repeat(ramp * cast, 2, 0)  # -14..14 per channel across the frame
    img = ImageChops.add(img, Image.fromarray(np.clip(shift, 0, None).astype(np.uint8))
                         .resize((w, h), Image.BILINEAR))
    img = ImageChops.subtract(img, Image.fromarray(np.clip(-shift, 0, None).astype(np.uint8))
                              .resize((w, h), Image.BILINEAR))
    if variant == "dim evening room" or rng.random() < 0.3:  # a slow shutter, a small shake
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 2.0) * w / 3840 * 2))
    return img


def _hand(scene: Image.Image, quad, rng: random.Random, how: str) -> None:
    """A hand holding the card: fingers behind it show at its lower rim with the sleeve below,
    or two thumbs on its left and right rims. Neither reaches the printed fields."""
    d = ImageDraw.Draw(scene)
    skin = rng.choice(SKINS)
    w = math.dist(quad[0], quad[1])
    if how == "held by both thumbs":
        for u in (0.0, 1.0):
            x, y = _on_card(quad, u, rng.uniform(0.6, 0.85))
            d.ellipse((x - w * 0.05, y - w * 0.035, x + w * 0.05, y + w * 0.035), fill=skin)
        return
    x, y = _on_card(quad, rng.uniform(0.2, 0.5), 1.0)
    d.ellipse((x - w * 0.22, y - w * 0.04, x + w * 0.22, y + w * 0.3), fill=skin)
    sleeve = rng.choice(((40, 50, 80), (150, 40, 40), (200, 200, 195), (70, 90, 60)))
    d.rectangle((x - w * 0.3, y + w * 0.24, x + w * 0.3, scene.height), fill=sleeve)


# Artifacts ----------------------------------------------------------------------------------------

def copy_of(card: Image.Image, rng: random.Random, how: str) -> Image.Image:
    """The card as a copier prints it."""
    img = card.convert("RGB")
    w, h = img.size
    if how in ("black-and-white laser", "toner saving", "copy on pink paper", "halftone"):
        grey = img.convert("L")
        grey = ImageEnhance.Contrast(grey).enhance(1.6 if how != "toner saving" else 0.9)
        if how == "toner saving":  # thin toner: the darks come out grey
            grey = grey.point(lambda v: int(110 + v * 0.57))
        if how == "halftone":  # a printed dot screen
            cell = 5
            small = grey.resize((w // cell, h // cell), Image.BILINEAR)
            dots = Image.new("L", (w, h), 255)
            dd = ImageDraw.Draw(dots)
            arr = np.asarray(small, np.float32)
            for j in range(arr.shape[0]):
                for i in range(arr.shape[1]):
                    r = (1 - arr[j, i] / 255) ** 0.5 * cell * 0.72
                    if r > 0.3:
                        cx, cy = i * cell + cell / 2, j * cell + cell / 2
                        dd.ellipse((cx - r, cy - r, cx + r, cy + r), fill=0)
            grey = dots
        out = grey.convert("RGB")
        if how == "copy on pink paper":  # the toner multiplies with the paper's colour
            out = Image.fromarray((np.asarray(out, np.float32) * np.array((0.98, 0.87, 0.89))
                                   ).astype(np.uint8))
        return out
    if how == "colour laser":  # colours flattened and shifted, ground bleached
        out = ImageEnhance.Color(img).enhance(0.6)
        out = ImageEnhance.Contrast(out).enhance(1.4)
        return ImageEnhance.Brightness(out).enhance(1.08)
    # inkjet: colour bleeding into the paper, faint horizontal banding from the head passes
    out = ImageEnhance.Color(img).enhance(0.75).filter(ImageFilter.GaussianBlur(1.2))
    arr = np.asarray(out, np.float32)
    bands = (np.sin(np.arange(h, dtype=np.float32) / rng.uniform(3, 6)) * 6)[:, None, None]
    return Image.fromarray(np.clip(arr + bands + 8, 0, 255).astype(np.uint8))


def _copy_sheet(scene: Image.Image, quad, rng: random.Random, variant: str, notes) -> Image.Image:
    """The copy's A4 sheet round the card: filling the frame as a scanner gives it, or lying on
    a desk photographed, its edge and shadow in view."""
    if rng.random() < 0.5:
        notes.append("scanned")
        return scene
    w = math.dist(quad[0], quad[1])
    cx, cy = _on_card(quad, 0.5, 0.5)
    paper = scene.getpixel((0, 0))
    desk = drifter._surface(rng.choice(drifter.SURFACES), scene.size, rng)
    # the card copied near the sheet's top, the sheet 210/85.6 of the card's width
    sheet_w, sheet_h = w * 210 / 85.6, w * 297 / 85.6
    top = cy - w * 0.6
    box = (cx - sheet_w / 2, top, cx + sheet_w / 2, top + sheet_h)
    shade = Image.new("L", scene.size, 0)
    ImageDraw.Draw(shade).rectangle((box[0] + w * 0.04, box[1] + w * 0.04, box[2] + w * 0.04,
                                     box[3]), fill=120)
    desk.paste(Image.new("RGB", scene.size, (0, 0, 0)), (0, 0),
               shade.filter(ImageFilter.GaussianBlur(max(2, w / 40))))
    ImageDraw.Draw(desk).rectangle(box, fill=paper)
    notes.append("sheet on a desk")
    return desk


def mosaic(card: Image.Image, screen: str, rng: random.Random, size=None) -> Image.Image:
    """The card as a screen shows it, seen by a camera `size` pixels wide and high: each screen
    pixel's subpixels (RGB stripes, PenTile's RG/BG diamonds) resampled, or e-ink's grey."""
    size = size or card.size
    pitch = {"phone LCD": 3.0, "OLED PenTile": 3.2, "laptop": 2.2, "TV": 4.5,
             "tablet in a dark room": 2.6, "e-ink": 2.0}[screen] * rng.uniform(0.8, 1.25)
    cols, rows = max(8, int(size[0] / pitch)), max(8, int(size[1] / pitch))
    shown = np.asarray(card.convert("RGB").resize((cols, rows), Image.BILINEAR), np.float32)
    if screen == "e-ink":  # 16 greys on a paper-like panel, the last page's ghost
        grey = shown.mean(-1, keepdims=True)
        grey = np.round(grey / 17) * 17 * 0.7 + 55
        img = Image.fromarray(np.repeat(grey, 3, -1).astype(np.uint8))
        return img.resize(size, Image.NEAREST).filter(ImageFilter.GaussianBlur(0.6))
    k = 3
    big = np.repeat(np.repeat(shown, k, 0), k, 1)
    mask = np.zeros((k, k, 3), np.float32)
    if screen == "OLED PenTile":  # rows alternate red-green and blue-green
        mask[0, 0, 0] = mask[0, 1, 1] = mask[1, 1, 2] = mask[1, 2, 1] = 1
        mask[2, 0, 0] = mask[2, 2, 1] = 1
    else:  # vertical RGB stripes with a dark gap between pixel rows
        mask[:2, 0, 0] = mask[:2, 1, 1] = mask[:2, 2, 2] = 1
    tiled = np.tile(mask, (rows, cols, 1))
    lit = Image.fromarray((big * tiled).astype(np.uint8)).resize(size, Image.BILINEAR)
    # the camera exposes for the panel's light: each colour lights only part of a pixel
    coverage = mask.reshape(-1, 3).sum(0) / (k * k)
    out = np.asarray(lit, np.float32) / coverage * 0.9
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _screen(scene: Image.Image, card: Image.Image, quad, rng: random.Random, screen: str,
            style) -> Image.Image:
    """A phone, tablet, laptop or TV showing the card, photographed: the panel's edge and
    bezel around it, the card resampled from its subpixels, the glass's faint reflection."""
    w, h = scene.size
    d = ImageDraw.Draw(scene)
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    pad = (max(xs) - min(xs)) * rng.uniform(0.06, 0.2)
    bezel = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    panel = (235, 235, 238) if screen != "tablet in a dark room" else (25, 25, 28)
    if screen == "e-ink":
        panel = (200, 200, 192)
    d.rounded_rectangle((bezel[0] - pad * 0.4, bezel[1] - pad * 0.4, bezel[2] + pad * 0.4,
                         bezel[3] + pad * 0.4), int(pad * 0.4), fill=(18, 18, 20))
    d.rectangle(bezel, fill=panel)
    card_w = int(math.dist(quad[0], quad[1]))
    card_h = int(math.dist(quad[0], quad[3]))
    seen = mosaic(card, screen, rng, (max(8, card_w), max(8, card_h)))
    patch, at = drifter._perspective(seen.convert("RGBA"), quad)
    scene.paste(patch, at, patch.getchannel("A"))
    if screen != "e-ink":  # the glass mirrors the room faintly
        veil = Image.new("RGB", scene.size, (255, 255, 255))
        mask = Image.linear_gradient("L").resize(scene.size).rotate(rng.uniform(20, 70))
        scene = Image.composite(veil, scene, mask.point(lambda v: int(v * 0.08)))
    return scene


def _occlude(scene: Image.Image, quad, field, rng: random.Random, what: str, width) -> None:
    """Something over a printed field, drawn where the field is on the card."""
    cx, cy = _on_card(quad, *field)
    d = ImageDraw.Draw(scene, "RGBA")
    s = width / 10
    angle = rng.uniform(0, math.pi)
    if what in ("finger", "thumb"):
        skin = rng.choice(SKINS)
        # the finger comes in from the card's nearest rim
        ex, ey = _on_card(quad, field[0], 1.4 if field[1] > 0.5 else -0.4)
        thick = s * (1.3 if what == "finger" else 1.7)
        d.line((ex, ey, cx, cy), fill=skin + (255,), width=int(thick))
        d.ellipse((cx - thick / 2, cy - thick / 2, cx + thick / 2, cy + thick / 2),
                  fill=skin + (255,))
        nail = tuple(min(255, c + 30) for c in skin)
        d.ellipse((cx - thick / 4, cy - thick / 3, cx + thick / 4, cy + thick / 6),
                  fill=nail + (255,))
    elif what == "white sticker":
        d.rounded_rectangle((cx - s, cy - s * 0.6, cx + s, cy + s * 0.6), int(s * 0.15),
                            fill=(250, 250, 248, 255))
    elif what == "clear tape":  # a dull band that scatters light and hides the print under it
        ex, ey = cx + math.cos(angle) * s * 4, cy + math.sin(angle) * s * 4
        d.line((cx - (ex - cx), cy - (ey - cy), ex, ey), fill=(235, 235, 225, 170),
               width=int(s * 1.1))
    elif what == "pale pen":
        ex, ey = cx + math.cos(angle) * s * 5, cy + math.sin(angle) * s * 5
        d.line((cx, cy, ex, ey), fill=(236, 232, 222, 255), width=int(s * 0.55))
        d.line((cx, cy, ex, ey), fill=(200, 200, 205, 255), width=int(s * 0.12))
    elif what == "paper clip":
        for k in range(3):
            r = s * (0.9 - k * 0.22)
            d.rounded_rectangle((cx - r * 1.8, cy - r * 0.5, cx + r * 1.8, cy + r * 0.5),
                                int(r * 0.5), outline=(200, 200, 208, 255),
                                width=max(3, int(s * 0.12)))
        d.ellipse((cx - s * 0.5, cy - s * 0.3, cx + s * 0.5, cy + s * 0.3),
                  fill=(210, 210, 215, 255))
    elif what == "ring":
        d.ellipse((cx - s, cy - s, cx + s, cy + s), outline=(230, 205, 120, 255),
                  width=int(s * 0.3))
        d.ellipse((cx - s * 0.6, cy - s * 0.6, cx + s * 0.6, cy + s * 0.6),
                  fill=(220, 220, 215, 255))
    elif what == "cat's paw":
        fur = rng.choice(((235, 230, 220), (180, 120, 60), (60, 55, 50), (150, 150, 150)))
        d.ellipse((cx - s * 1.3, cy - s, cx + s * 1.3, cy + s * 1.4), fill=fur + (255,))
        ex, ey = _on_card(quad, field[0], 1.6)
        d.line((cx, cy + s, ex, ey), fill=fur + (255,), width=int(s * 2.2))
    else:  # folded receipt: thermal paper with its print
        d.polygon([(cx - s * 1.4, cy - s), (cx + s * 1.5, cy - s * 0.8), (cx + s * 1.3, cy + s),
                   (cx - s * 1.5, cy + s * 0.9)], fill=(248, 247, 240, 255))
        for k in range(4):
            y = cy - s * 0.6 + k * s * 0.4
            d.line((cx - s, y, cx + s * (0.3 + 0.2 * (k % 2)), y), fill=(120, 120, 125, 255),
                   width=max(2, int(s * 0.08)))


def _glare(scene: Image.Image, quad, field, rng: random.Random, how: str, width
           ) -> Image.Image:
    """Reflected light over a field: saturated at its core whatever the exposure."""
    w, h = scene.size
    cx, cy = _on_card(quad, *field)
    layer = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(layer)
    s = width / 8
    if how == "flash":
        d.ellipse((cx - s * 0.6, cy - s * 0.6, cx + s * 0.6, cy + s * 0.6), fill=255)
        blur = s * 0.35
    elif how == "window":  # the window's panes mirrored in the laminate
        for i in (-1, 1):
            d.rectangle((cx + i * s * 0.55 - s * 0.45, cy - s * 0.8, cx + i * s * 0.55 + s * 0.45,
                         cy + s * 0.8), fill=255)
        blur = s * 0.15
    elif how == "desk lamp":
        d.ellipse((cx - s, cy - s * 0.5, cx + s, cy + s * 0.5), fill=255)
        blur = s * 0.5
    else:  # a ceiling panel: a long bright rectangle
        d.polygon([(cx - s * 1.6, cy - s * 0.35), (cx + s * 1.6, cy - s * 0.2),
                   (cx + s * 1.6, cy + s * 0.3), (cx - s * 1.6, cy + s * 0.35)], fill=255)
        blur = s * 0.1
    small = layer.resize((max(1, w // 4), max(1, h // 4)), Image.BILINEAR)
    halo = small.filter(ImageFilter.GaussianBlur(max(1, blur / 4))).resize(scene.size,
                                                                           Image.BILINEAR)
    light = ImageChops.lighter(halo, layer).point(lambda v: min(255, int(v * 1.25)))
    return ImageChops.add(scene.convert("RGB"), light.convert("RGB"))


def _other_card(kind: str, size, rng: random.Random) -> Image.Image:
    w, h = size
    if kind in ("another ID card", "photocopy of another card"):
        person = drifter.random_person(rng)
        side = rng.choice(("face", "back"))
        img = drifter.card_image(side, person[side], rng).resize(size, Image.BILINEAR)
        return copy_of(img, rng, "black-and-white laser") if kind.startswith("photocopy") \
            else img
    colours = {"bank card": ((20, 50, 110), (190, 160, 80)), "transit card": ((40, 150, 110),
                                                                              (250, 250, 250)),
               "membership card": ((120, 20, 60), (240, 200, 120)),
               "bus pass": ((230, 120, 30), (255, 255, 255))}[kind]
    img = Image.new("RGB", size, colours[0])
    d = ImageDraw.Draw(img)
    for i in range(6):
        d.ellipse((w * (0.3 + i * 0.1), -h * 0.5, w * (1.3 + i * 0.1), h * (0.8 + i * 0.1)),
                  outline=tuple(min(255, c + 25) for c in colours[0]), width=max(2, w // 120))
    f = drifter._font(drifter.TITLE_FONTS[1], max(10, h // 9))
    title = {"bank card": "储蓄卡", "transit card": "交通联合", "membership card": "会员卡",
             "bus pass": "公交IC卡"}[kind]
    d.text((w * 0.07, h * 0.08), title, font=f, fill=colours[1])
    if kind == "bank card":
        d.rounded_rectangle((w * 0.1, h * 0.35, w * 0.24, h * 0.55), max(2, w // 80),
                            fill=(210, 180, 100))
        nf = drifter._font(drifter.NUMBER_FONTS[0], max(10, h // 10))
        digits = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
        d.text((w * 0.08, h * 0.66), digits, font=nf, fill=(235, 235, 235))
    return img


def _second_card(scene: Image.Image, quad, kind: str, arrangement: str, rng: random.Random,
                 before: bool) -> None:
    """The second card: drawn before the ID card when it lies under it (beside, partly
    under, fanned, in a holder), after it when it overlaps the ID card's corner."""
    if before == (arrangement == "overlapping"):
        return
    w = math.dist(quad[0], quad[1])
    size = (int(w), int(w * 54 / 85.6))
    card = drifter._rounded(_other_card(kind, size, rng))
    (tlx, tly), (trx, try_), _, (blx, bly) = quad
    angle = math.degrees(math.atan2(try_ - tly, trx - tlx))
    if arrangement == "beside":
        offset, turn = (w * 1.12, 0.0), rng.uniform(-6, 6)
    elif arrangement == "overlapping":
        offset, turn = (w * 0.95, w * 0.5), rng.uniform(-8, 8)
    elif arrangement == "fanned":
        offset, turn = (w * 0.35, -w * 0.12), rng.uniform(12, 22)
    elif arrangement == "partly under":
        offset, turn = (w * 0.55, w * 0.3), rng.uniform(-8, 8)
    else:  # in a card holder: its pocket's leather, the second card's top showing above
        offset, turn = (w * 0.02, -w * 0.3), 0.0
        d = ImageDraw.Draw(scene)
        cx, cy = _on_card(quad, 0.5, 0.5)
        d.rounded_rectangle((cx - w * 0.65, cy - w * 0.55, cx + w * 0.65, cy + w * 0.5),
                            int(w * 0.05), fill=(60, 38, 28))
    cx, cy = _on_card(quad, 0.5, 0.5)
    t = math.radians(angle)
    ox = cx + offset[0] * math.cos(t) - offset[1] * math.sin(t)
    oy = cy + offset[0] * math.sin(t) + offset[1] * math.cos(t)
    other = drifter._quad(rng, w, (ox, oy), angle + turn, 0.0)
    patch, at = drifter._perspective(card, other)
    drifter._shadow(scene, patch, at, rng, 0.3)
    scene.paste(patch, at, patch.getchannel("A"))
