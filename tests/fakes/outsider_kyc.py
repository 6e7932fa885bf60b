"""The fifth KYC style, `outsider` (artifacts.OUTSIDER): photos with and without the artifacts
KYC cares about, drawn with tests/fakes/outsider.py's card by someone who read none of the
rules that detect them.

`render(kind, seed, style)` gives an artifacts.Shot: JPEG bytes, the ID card's corners (TL, BL,
BR, TR, as the API reports card_region) in the photo's pixels, the warning expected (None for an
ordinary photo) and a detail whose first word is the side shown. Everything follows from the
seed.
"""

import io
import math
import random
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes import outsider
from tests.fakes.artifacts import KINDS, Shot

DESCRIPTION = (
    "tests/fakes/outsider_kyc.py: outsider.py's card; 3264x2448, 2448x3264 and 1920x1080 "
    "phone frames, or sent through a messenger (long side 1280 or 1080, JPEG 50-75); bamboo "
    "mat, terrazzo, bedsheet, glass desk, floor tiles, a hand behind the card; worn cards, "
    "sleeves, HDR and night looks, soft shadows (ordinary photos, which must raise nothing); "
    "colour inkjet copies, halftone scans and toner copies on A4, scanned or photographed; "
    "BGR-stripe monitors, S-stripe and delta-layout screens and a projector's screen door, "
    "in an image viewer, with refresh bands; cards cut on one side or at a corner; "
    "transparent tape, a ring, a white sticker, a pale pen, a paper clip, fingers of four "
    "skin tones; glare off a plastic sleeve or a window's reflection; a bank, "
    "social-security or student card stacked under the ID card, fanned or beside it")
FRAMES = ((3264, 2448), (2448, 3264), (1920, 1080))
SKINS = ((236, 198, 170), (214, 164, 128), (165, 115, 82), (98, 66, 48))
# Where the printed values are on an upright card, in mm (x0, y0, x1, y1): an occluder or a
# highlight is centred in one of them (outsider.py's layout).
FIELDS_MM = {"face": ((16, 5, 50, 34), (28, 44, 82, 50)),
             "back": ((29, 36, 75, 51),)}
Quad = List[Tuple[float, float]]
# The variants of each artifact, taken in turn by seed so that every run holds each as often
COPIES = ("colour inkjet", "halftone scan", "toner")
SCREENS = ("BGR stripe", "S-stripe", "delta", "projector")
OCCLUDERS = ("transparent tape", "ring", "white sticker", "pale pen", "paper clip", "finger")
GLARES = ("sleeve", "window")
OTHER_CARDS = ("bank card", "social-security card", "student card")
ARRANGEMENTS = ("stacked", "fanned", "beside")


def variant(choices, seed: int):
    return choices[seed % len(choices)]


def render(kind: str, seed: int, style=None) -> Shot:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    rng = random.Random(f"outsider_kyc/{kind}/{seed}")
    side = rng.choice(("face", "back"))
    person = outsider.random_person(rng)
    card = (outsider.draw_face if side == "face" else outsider.draw_back)(person[side], rng, [])
    notes = [side]
    if kind == "ordinary" and rng.random() < 0.3:  # an old card is still an ordinary card
        card, worn = outsider._wear(card, rng)
        notes.append(worn)
    # the style's own frames; another frame size given (a test's small frames) is used alone
    frame = rng.choice(FRAMES)
    if style is not None and tuple(style.frame) != FRAMES[0]:
        frame = tuple(style.frame)
    notes.append(f"{frame[0]}x{frame[1]}")
    scene, what = outsider.surface(rng, frame)
    notes.append(f"on {what}")
    spot = _field_spot(rng, side)
    draw = {"ordinary": _ordinary, "photocopy": _photocopy, "screen_recapture": _screen,
            "incomplete_border": _cut, "occlusion": _occluded, "glare_on_fields": _glare,
            "multiple_cards": _multiple}[kind]
    scene, region, detail = draw(scene, card, rng, spot, seed)
    notes.append(detail)
    scene, look = _phone(scene, rng, kind)
    notes += look
    if rng.random() < 0.35:  # sent through a messenger: smaller, harder compressed
        data, sent = outsider.messaging(scene, rng)
        factor = Image.open(io.BytesIO(data)).size[0] / scene.width
        region = [(x * factor, y * factor) for x, y in region]
        notes.append(sent)
    else:
        quality = rng.randint(78, 93)
        data = outsider.jpeg(scene, quality)
        notes.append(f"JPEG {quality}")
    if kind == "incomplete_border" and rng.random() < 0.5:  # the API clamps to the frame
        w, h = Image.open(io.BytesIO(data)).size
        region = [(min(max(x, 0.0), w - 1.0), min(max(y, 0.0), h - 1.0)) for x, y in region]
        notes.append("region clamped")
    return Shot(kind, "outsider", data, region, None if kind == "ordinary" else kind,
                ", ".join(notes))


# Geometry -------------------------------------------------------------------------------------

def _field_spot(rng: random.Random, side: str) -> Tuple[float, float]:
    x0, y0, x1, y1 = rng.choice(FIELDS_MM[side])
    return outsider.mm(rng.uniform(x0, x1)), outsider.mm(rng.uniform(y0, y1))


def forward(quad: Quad, size: Tuple[int, int]):
    """A function taking points of a `size` image to the scene where its corners are `quad`."""
    w, h = size
    a, b, c, d, e, f, g, k = outsider.homography(quad, ((0, 0), (0, h), (w, h), (w, 0)))

    def to_scene(x, y):
        z = g * x + k * y + 1
        return (a * x + b * y + c) / z, (d * x + e * y + f) / z

    return to_scene


def _quad(rng: random.Random, frame, size, width: float, off: float, roll: float,
          centre=None, margin: float = 12) -> Quad:
    """A card of `size` seen `off` degrees off axis, turned by `roll`, `width` px wide, placed
    wholly inside `frame` (or centred on `centre`)."""
    a = rng.uniform(0, 2 * math.pi)
    quad = outsider.view_quad(size, off * math.cos(a), off * math.sin(a), roll, width, (0, 0))
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    if centre is None:
        centre = (rng.uniform(margin - min(xs), frame[0] - margin - max(xs)),
                  rng.uniform(margin - min(ys), frame[1] - margin - max(ys)))
    return [(x + centre[0], y + centre[1]) for x, y in quad]


def _card_width(rng: random.Random, frame, low: float = 0.35, high: float = 0.8) -> float:
    """A card width that fits the frame's narrow side at any small turn."""
    return rng.uniform(low, high) * min(frame[0], frame[1] * 85.6 / 54 * 0.85)


def _layer(scene: Image.Image, quad: Quad, size, layer: Image.Image, pad: int) -> None:
    """Warp an RGBA `layer` drawn in the card's pixels (plus `pad` around) onto the scene."""
    to_scene = forward(quad, size)
    w, h = size
    outer = [to_scene(-pad, -pad), to_scene(-pad, h + pad), to_scene(w + pad, h + pad),
             to_scene(w + pad, -pad)]
    outsider.place(scene, layer, outer, shadow=False)


def _light(scene: Image.Image, quad: Quad, size, mask: Image.Image, pad: int,
           strength: float) -> Image.Image:
    """Brighten the scene towards white where `mask` (drawn in the card's pixels plus `pad`)
    is lit: a reflection that blows out whatever is under it."""
    to_scene = forward(quad, size)
    w, h = size
    outer = [to_scene(-pad, -pad), to_scene(-pad, h + pad), to_scene(w + pad, h + pad),
             to_scene(w + pad, -pad)]
    coeffs = outsider.homography(((0, 0), (0, mask.height), (mask.width, mask.height),
                                  (mask.width, 0)), outer)
    lit = mask.transform(scene.size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    alpha = np.asarray(lit, dtype=np.float32)[..., None] / 255 * strength
    arr = np.asarray(scene, dtype=np.float32)
    return Image.fromarray((arr + (255 - arr) * alpha).astype(np.uint8))


# Ordinary photos ------------------------------------------------------------------------------

def _ordinary(scene, card, rng, spot, seed):
    notes = []
    subject = card
    if rng.random() < 0.12:
        subject = outsider.sleeve(card, rng)
        notes.append("in a sleeve")
    width = _card_width(rng, scene.size)
    off = rng.uniform(0, 15)
    quad = _quad(rng, scene.size, card.size, width, off, rng.uniform(-10, 10), margin=40)
    if rng.random() < 0.3:  # fingers behind the card, none over it
        outsider._hand_behind(scene, rng, quad)
        notes.append("held")
    _put(scene, card, subject, quad)
    if rng.random() < 0.35:
        scene = _soft_shadow(scene, rng)
        notes.append("a soft shadow")
    return scene, quad, ", ".join(notes + [f"{off:.0f} degrees off"])


def _put(scene, card, subject, quad) -> None:
    """Place `subject` (the card, or the card in its sleeve) so that the card lands on quad."""
    if subject is card:
        outsider.place(scene, card, quad)
        return
    pad = (subject.width - card.width) // 2
    to_scene = forward(quad, card.size)
    w, h = card.size
    outsider.place(scene, subject, [to_scene(-pad, -pad), to_scene(-pad, h + pad),
                                    to_scene(w + pad, h + pad), to_scene(w + pad, -pad)])


def _soft_shadow(scene, rng):
    """The phone's or the hand's shadow: a broad, soft darkening over part of the scene."""
    w, h = scene.size
    mask = Image.new("L", (w // 8, h // 8), 0)
    d = ImageDraw.Draw(mask)
    x, y = rng.uniform(-0.3, 0.7) * mask.width, rng.uniform(-0.3, 0.7) * mask.height
    d.ellipse((x, y, x + mask.width * rng.uniform(0.4, 0.8), y + mask.height * 0.7),
              fill=int(255 * rng.uniform(0.12, 0.25)))
    mask = mask.filter(ImageFilter.GaussianBlur(mask.width / 15)).resize(scene.size,
                                                                          Image.BILINEAR)
    dark = np.asarray(mask, dtype=np.float32)[..., None] / 255
    arr = np.asarray(scene, dtype=np.float32) * (1 - dark)
    return Image.fromarray(arr.astype(np.uint8))


def _phone(scene, rng, kind):
    """The phone's processing: a plain look, HDR, or night mode (and sensor noise)."""
    look = rng.random()
    if look < 0.2:
        return outsider.hdr(scene, rng), ["HDR"]
    if look < 0.35:
        return outsider.night(scene, rng), ["night mode"]
    state = np.random.RandomState(rng.randrange(1 << 30))
    arr = np.asarray(scene, dtype=np.float32)
    arr = arr + state.normal(0, rng.uniform(1.5, 4), (scene.height, scene.width, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), []


# Photocopies ----------------------------------------------------------------------------------

def _photocopy(scene, card, rng, spot, seed):
    how = variant(COPIES, seed)
    copy = {"colour inkjet": _inkjet, "halftone scan": _halftone, "toner": _toner}[how](card, rng)
    paper_tint = tuple(rng.randint(238, 252) for _ in range(3))
    pad_x, pad_y = int(card.width * rng.uniform(0.25, 0.6)), int(card.height * 0.5)
    page = Image.new("RGB", (card.width + 2 * pad_x, int((card.width + 2 * pad_x) * 1.414)),
                     paper_tint)
    top = int(rng.uniform(0.1, 0.5) * (page.height - card.height))
    page.paste(copy, (pad_x, top))
    if rng.random() < 0.4:  # scanned: the page fills the frame
        w, h = scene.size
        region_scale = min(w / page.width, h / page.height) * 0.98
        scanned = page.resize((int(page.width * region_scale), int(page.height * region_scale)),
                              Image.LANCZOS)
        scene.paste(Image.new("RGB", scene.size, paper_tint))
        x0, y0 = (w - scanned.width) // 2, (h - scanned.height) // 2
        scene.paste(scanned, (x0, y0))
        s = region_scale
        quad = [(x0 + pad_x * s, y0 + top * s), (x0 + pad_x * s, y0 + (top + card.height) * s),
                (x0 + (pad_x + card.width) * s, y0 + (top + card.height) * s),
                (x0 + (pad_x + card.width) * s, y0 + top * s)]
        return scene, quad, f"{how}, scanned"
    width = _card_width(rng, scene.size, 0.3, 0.55)
    quad = _quad(rng, scene.size, card.size, width, rng.uniform(0, 12), rng.uniform(-8, 8),
                 margin=pad_x * width / card.width + 12)
    to_scene = forward(quad, card.size)
    corners = [(-pad_x, -top), (-pad_x, page.height - top),
               (card.width + pad_x, page.height - top), (card.width + pad_x, -top)]
    outsider.place(scene, page.convert("RGBA"), [to_scene(x, y) for x, y in corners])
    return scene, quad, f"{how}, photographed"


def _inkjet(card, rng):
    """A colour inkjet copy: washed-out colours, ink dots of a fine random dither, the three
    inks slightly out of register, banding along the print head's passes."""
    arr = np.asarray(ImageEnhance.Color(card).enhance(rng.uniform(0.45, 0.7)), np.float32)
    arr = 30 + arr * 0.85
    shift = rng.randint(1, 3)
    arr[..., 0] = np.roll(arr[..., 0], shift, axis=1)
    arr[..., 2] = np.roll(arr[..., 2], -shift, axis=0)
    state = np.random.RandomState(rng.randrange(1 << 30))
    dots = (state.random_sample(arr.shape[:2]) * 255)[..., None]
    arr = np.where(arr > dots, 250.0, arr * 0.6)  # each dot inked or not
    out = Image.fromarray(arr.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.1))
    bands = 1 - 0.05 * (np.sin(np.arange(card.height) / rng.uniform(6, 14)) > 0.7)
    return Image.fromarray((np.asarray(out, np.float32) * bands[:, None, None]).astype(np.uint8))


def _halftone(card, rng):
    """A halftone scan: grey levels become dots on a 45-degree screen."""
    grey = np.asarray(card.convert("L"), np.float32)
    cell = rng.uniform(4, 7)
    yy, xx = np.mgrid[0:card.height, 0:card.width].astype(np.float32)
    u, v = (xx + yy) / math.sqrt(2), (xx - yy) / math.sqrt(2)
    screen = (np.cos(2 * math.pi * u / cell) * np.cos(2 * math.pi * v / cell) + 1) * 127.5
    ink = np.where(grey < screen, 30, 246).astype(np.uint8)
    out = Image.fromarray(ink).filter(ImageFilter.GaussianBlur(0.7)).convert("RGB")
    return ImageEnhance.Contrast(out).enhance(rng.uniform(0.85, 1.0))


def _toner(card, rng):
    """A black-and-white toner copy: hard contrast, lost pale print, toner specks."""
    grey = ImageEnhance.Contrast(card.convert("L")).enhance(rng.uniform(1.8, 2.6))
    arr = np.asarray(grey, np.float32)
    arr = np.where(arr > rng.uniform(150, 190), 248, arr * 0.7)
    state = np.random.RandomState(rng.randrange(1 << 30))
    arr = np.where(state.random_sample(arr.shape) < 0.002, 20, arr)
    return Image.fromarray(arr.astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6)).convert(
        "RGB")


# Screens --------------------------------------------------------------------------------------

SUBPIXEL_CELL = 6  # a screen pixel is drawn as 6 x 6 cells, its subpixels in them


def _subpixels(layout: str) -> np.ndarray:
    """Which cells of a screen pixel each colour lights (k x k x 3, k = SUBPIXEL_CELL)."""
    k = SUBPIXEL_CELL
    m = np.zeros((k, k, 3), np.float32)
    if layout == "BGR stripe":  # blue, green, red columns (a monitor mounted the other way)
        for c, col in ((2, 0), (1, 2), (0, 4)):
            m[:k - 1, col:col + 2, c] = 1
    elif layout == "S-stripe":  # red and green stacked on the left, a tall blue on the right
        m[0:2, 0:3, 0] = 1
        m[3:5, 0:3, 1] = 1
        m[0:5, 4:6, 2] = 1
    elif layout == "delta":  # round subpixels in triangles
        yy, xx = np.mgrid[0:k, 0:k] + 0.5
        for c, (cy, cx) in enumerate(((1.5, 1.5), (1.5, 4.5), (4.5, 3.0))):
            m[..., c] = (yy - cy) ** 2 + (xx - cx) ** 2 < 1.6 ** 2
    else:  # a projector: full-colour pixels with dark gaps between them (the screen door)
        m[:k - 1, :k - 1, :] = 1
    return m


def _panel(shown: Image.Image, layout: str, pitch: float, rng: random.Random) -> Image.Image:
    """What the camera records of `shown` on a screen of that subpixel layout, `pitch` photo
    pixels per screen pixel: the subpixels drawn, softened by the lens and resampled to the
    photo's scale (the moiré), a strip of screen rows at a time to bound the memory."""
    k = SUBPIXEL_CELL
    mask = _subpixels(layout)
    gain = 1 / np.maximum(mask.mean(axis=(0, 1)), 1e-3)  # the backlight makes up for the gaps
    headroom = float(gain.max())
    blur = k * rng.uniform(0.12, 0.25)
    arr = np.asarray(shown, np.float32)
    width = round(shown.width * pitch)
    strips = []
    for r0 in range(0, shown.height, 48):
        r1 = min(shown.height, r0 + 48)
        big = np.repeat(np.repeat(arr[r0:r1], k, axis=0), k, axis=1)
        big *= np.tile(mask * gain / headroom, (r1 - r0, shown.width, 1))
        lit = Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(blur))
        height = round(r1 * pitch) - round(r0 * pitch)
        strips.append(np.asarray(lit.resize((width, max(1, height)), Image.BILINEAR),
                                 np.float32))
    out = np.concatenate(strips, axis=0) * headroom * rng.uniform(0.8, 1.0)
    if rng.random() < 0.5:  # a cool panel
        out *= np.array((0.92, 0.97, 1.08), np.float32)
    band = 1 - 0.12 * np.exp(-((np.arange(out.shape[0]) / out.shape[0] - rng.random()) / 0.08)
                             ** 2)  # a rolling refresh band
    out *= band[:, None, None]
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _screen(scene, card, rng, spot, seed):
    """The card shown in an image viewer on a screen and photographed: the subpixel grid
    resampled by the camera (moiré), the bezel, a refresh band, the screen's colour."""
    layout = variant(SCREENS, seed)
    pitch = rng.uniform(1.5, 6.0)  # photo pixels per screen pixel
    width = _card_width(rng, scene.size, 0.4, 0.7)
    cols = max(60, int(width / pitch))
    rows = int(cols * card.height / card.width)
    ui = max(4, rows // 8)  # the viewer's bars above and below
    shown = Image.new("RGB", (int(cols * 1.2), rows + 2 * ui), rng.choice(((20, 20, 22),
                                                                         (242, 242, 246))))
    d = ImageDraw.Draw(shown)
    d.rectangle((0, 0, shown.width, ui - 2), fill=(60, 60, 66))
    d.rectangle((0, shown.height - ui + 2, shown.width, shown.height), fill=(60, 60, 66))
    x0 = (shown.width - cols) // 2
    shown.paste(card.resize((cols, rows), Image.BILINEAR), (x0, ui))
    panel = _panel(shown, layout, pitch, rng)
    bezel = int(panel.width * 0.04)
    device = Image.new("RGBA", (panel.width + 2 * bezel, panel.height + 2 * bezel),
                       (18, 18, 20, 255))
    device.paste(panel, (bezel, bezel))
    # where the card is on the device, in its pixels
    left, top = x0 * pitch + bezel, ui * pitch + bezel
    right, bottom = (x0 + cols) * pitch + bezel, (ui + rows) * pitch + bezel
    card_box = ((left, top), (left, bottom), (right, bottom), (right, top))
    device_width = min(device.width, 0.95 * scene.width,
                       0.95 * scene.height * device.width / device.height)
    off = rng.uniform(0, 15)
    quad = _quad(rng, scene.size, device.size, device_width, off, rng.uniform(-6, 6))
    outsider.place(scene, device, quad)
    to_scene = forward(quad, device.size)
    region = [to_scene(x, y) for x, y in card_box]
    return scene, region, f"{layout} screen, pitch {pitch:.1f} px"


# Cut by the frame -----------------------------------------------------------------------------

def _cut(scene, card, rng, spot, seed):
    w, h = scene.size
    width = _card_width(rng, scene.size, 0.45, 0.8)
    quad = _quad(rng, scene.size, card.size, width, rng.uniform(0, 12), rng.uniform(-8, 8),
                 centre=(0, 0))
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    cx, cy = rng.uniform(-min(xs) + 10, w - max(xs) - 10), rng.uniform(-min(ys) + 10,
                                                                         h - max(ys) - 10)
    sides = rng.choice((("left",), ("right",), ("top",), ("bottom",), ("left", "top"),
                        ("right", "bottom")))
    out = rng.uniform(0.08, 0.35)
    if "left" in sides:
        cx = -min(xs) - out * span_x
    if "right" in sides:
        cx = w - max(xs) + out * span_x
    if "top" in sides:
        cy = -min(ys) - out * span_y
    if "bottom" in sides:
        cy = h - max(ys) + out * span_y
    quad = [(x + cx, y + cy) for x, y in quad]
    outsider.place(scene, card, quad)
    return scene, quad, f"cut at the {' and '.join(sides)} by {100 * out:.0f} %"


# Occlusion ------------------------------------------------------------------------------------

def _occluded(scene, card, rng, spot, seed):
    what = variant(OCCLUDERS, seed)
    width = _card_width(rng, scene.size, 0.4, 0.75)
    quad = _quad(rng, scene.size, card.size, width, rng.uniform(0, 12), rng.uniform(-8, 8),
                 margin=width * 0.3)
    outsider.place(scene, card, quad)
    pad = card.width // 2
    layer = Image.new("RGBA", (card.width + 2 * pad, card.height + 2 * pad), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = spot[0] + pad, spot[1] + pad
    mm = outsider.mm
    if what == "transparent tape":  # glossy, yellowish, with visible edges and trapped bubbles
        length, across = mm(rng.uniform(35, 60)), mm(rng.uniform(12, 19))
        tape = Image.new("RGBA", (length, across), (255, 250, 215, 110))
        td = ImageDraw.Draw(tape)
        td.rectangle((0, 0, length - 1, across - 1), outline=(255, 255, 255, 200), width=3)
        for _ in range(rng.randint(3, 8)):
            bx, by = rng.uniform(0, length), rng.uniform(0, across)
            td.ellipse((bx - 8, by - 5, bx + 8, by + 5), fill=(255, 255, 255, 150))
        td.rectangle((0, across * 0.3, length, across * 0.45), fill=(255, 255, 255, 90))
        tape = tape.rotate(rng.uniform(-30, 30), expand=True)
        layer.paste(tape, (int(cx - tape.width / 2), int(cy - tape.height / 2)), tape)
    elif what == "ring":
        r = mm(rng.uniform(8, 11))
        metal = rng.choice(((212, 175, 80), (200, 200, 205), (180, 120, 90)))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=metal + (255,), width=mm(2.2))
        d.arc((cx - r, cy - r, cx + r, cy + r), 200, 260, fill=(255, 255, 240, 255),
              width=mm(0.7))
        d.ellipse((cx + r * 0.6, cy - r * 1.4, cx + r * 1.3, cy - r * 0.7),
                  fill=(120, 200, 230, 255))  # its stone
    elif what == "white sticker":
        sw, sh = mm(rng.uniform(18, 30)), mm(rng.uniform(9, 15))
        sticker = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
        ImageDraw.Draw(sticker).rounded_rectangle((0, 0, sw - 1, sh - 1), mm(1.5),
                                                  fill=(250, 250, 248, 255))
        sticker = sticker.rotate(rng.uniform(-20, 20), expand=True)
        layer.paste(sticker, (int(cx - sticker.width / 2), int(cy - sticker.height / 2)),
                    sticker)
    elif what == "pale pen":
        length, thick = mm(rng.uniform(80, 120)), mm(rng.uniform(7, 9))
        colour = rng.choice(((236, 236, 232), (214, 218, 224), (240, 222, 226)))
        pen = Image.new("RGBA", (length, thick), (0, 0, 0, 0))
        pd = ImageDraw.Draw(pen)
        pd.rounded_rectangle((0, 0, length - 1, thick - 1), thick // 2, fill=colour + (255,))
        pd.rectangle((0, thick * 0.25, length, thick * 0.4), fill=(255, 255, 255, 255))
        pd.rectangle((length * 0.75, 0, length * 0.78, thick), fill=(170, 170, 175, 255))
        pen = pen.rotate(rng.uniform(-40, 40), expand=True)
        layer.paste(pen, (int(cx - pen.width / 2), int(cy - pen.height / 2)), pen)
    elif what == "paper clip":  # a wire loop in a loop, clipped over the field
        wire = rng.choice(((190, 192, 198), (60, 110, 200), (210, 60, 60)))
        length, across = mm(rng.uniform(30, 42)), mm(rng.uniform(8, 10))
        clip = Image.new("RGBA", (length + 20, across + 20), (0, 0, 0, 0))
        cd = ImageDraw.Draw(clip)
        for inset in (0, across * 0.2):
            cd.rounded_rectangle((10 + inset, 10 + inset, 10 + length - inset * 2,
                                  10 + across - inset), int(across / 2), outline=wire + (255,),
                                 width=mm(0.9))
        clip = clip.rotate(rng.uniform(-60, 60), expand=True)
        layer.paste(clip, (int(cx - clip.width / 2), int(cy - clip.height / 2)), clip)
    else:  # a finger from the card's lower edge up to the field
        skin = rng.choice(SKINS)
        fw = mm(rng.uniform(14, 18))
        reach = card.height + 2 * pad - cy  # from the field down, beyond the card's edge
        finger = Image.new("RGBA", (fw, int(reach)), (0, 0, 0, 0))
        fd = ImageDraw.Draw(finger)
        fd.rounded_rectangle((0, 0, fw - 1, reach - 1), fw // 2, fill=skin + (255,))
        fd.rounded_rectangle((fw * 0.18, fw * 0.08, fw * 0.82, fw * 0.75), fw // 4,
                             fill=tuple(min(255, c + 30) for c in skin) + (255,))  # the nail
        angle = rng.uniform(-25, 25)
        finger = finger.rotate(angle, expand=True, center=(fw / 2, fw / 2))
        layer.paste(finger, (int(cx - finger.width / 2), int(cy - fw / 2)), finger)
        what += f" (skin {SKINS.index(skin) + 1} of {len(SKINS)})"
    _layer(scene, quad, card.size, layer, pad)
    return scene, quad, what


# Glare ----------------------------------------------------------------------------------------

def _glare(scene, card, rng, spot, seed):
    source = variant(GLARES, seed)
    width = _card_width(rng, scene.size, 0.4, 0.75)
    quad = _quad(rng, scene.size, card.size, width, rng.uniform(0, 15), rng.uniform(-8, 8),
                 margin=40)
    subject = outsider.sleeve(card, rng) if source == "sleeve" else card
    _put(scene, card, subject, quad)
    pad = card.width // 4
    mask = Image.new("L", (card.width + 2 * pad, card.height + 2 * pad), 0)
    d = ImageDraw.Draw(mask)
    cx, cy = spot[0] + pad, spot[1] + pad
    mm = outsider.mm
    if source == "sleeve":  # a bright band along the sleeve's bend
        a = math.radians(rng.uniform(-50, 50))
        length, half = mm(70), mm(rng.uniform(3.5, 6))
        dx, dy = math.cos(a) * length / 2, math.sin(a) * length / 2
        nx, ny = -math.sin(a) * half, math.cos(a) * half
        d.polygon(((cx - dx + nx, cy - dy + ny), (cx + dx + nx, cy + dy + ny),
                   (cx + dx - nx, cy + dy - ny), (cx - dx - nx, cy - dy - ny)), fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(half * 0.35))
    else:  # a window's reflection: four panes with the frame's bars between them
        ww, wh = mm(rng.uniform(24, 36)), mm(rng.uniform(16, 24))
        bar = mm(1.4)
        for i in range(2):
            for j in range(2):
                x = cx - ww / 2 + i * (ww / 2 + bar / 2)
                y = cy - wh / 2 + j * (wh / 2 + bar / 2)
                d.rectangle((x, y, x + ww / 2 - bar / 2, y + wh / 2 - bar / 2), fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(mm(0.5)))
    scene = _light(scene, quad, card.size, mask, pad, rng.uniform(0.92, 1.0))
    return scene, quad, f"glare off a {source}"


# More than one card ---------------------------------------------------------------------------

def other_card(rng: random.Random, kind: str) -> Tuple[Image.Image, str]:
    """A bank card, a social-security card or a student card (OTHER_CARDS): ID-1 size like the
    ID card."""
    w, h = outsider.CARD_SIZE
    mm = outsider.mm
    font = outsider._font(outsider.DROID, mm(3.6))
    latin = outsider._font(outsider.LATIN, mm(3.8))
    if kind == "bank card":
        c1 = np.array([rng.randint(0, 200) for _ in range(3)], np.float32)
        c2 = np.array([rng.randint(0, 200) for _ in range(3)], np.float32)
        t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        img = Image.fromarray(np.broadcast_to(c1 * (1 - t) + c2 * t, (h, w, 3)).astype(np.uint8))
        d = ImageDraw.Draw(img)
        d.text((mm(6), mm(5)), rng.choice(("城乡商业银行", "东方储蓄银行", "联合农商银行")),
               font=font, fill=(255, 255, 255))
        d.rounded_rectangle((mm(9), mm(18), mm(19), mm(26)), mm(1.2), fill=(214, 186, 110))
        digits = " ".join("".join(str(rng.randrange(10)) for _ in range(4)) for _ in range(4))
        d.text((mm(8), mm(34)), digits, font=latin, fill=(240, 240, 240))
        d.rectangle((mm(66), mm(42), mm(80), mm(50)), fill=(200, 40, 50))
    else:
        base = (226, 238, 250) if kind == "social-security card" else (250, 246, 232)
        img = Image.new("RGB", (w, h), base)
        d = ImageDraw.Draw(img)
        title = "社会保障卡" if kind == "social-security card" else "学生证"
        d.rectangle((0, 0, w, mm(11)), fill=(40, 90, 170) if kind != "student card"
                    else (150, 30, 40))
        d.text((mm(6), mm(3)), title, font=font, fill=(255, 255, 255))
        d.rectangle((mm(6), mm(16), mm(26), mm(42)), fill=(200, 210, 220))
        d.ellipse((mm(11), mm(20), mm(21), mm(32)), fill=(210, 170, 140))
        d.text((mm(32), mm(18)), "姓名  " + outsider._name(rng), font=font, fill=(20, 20, 20))
        d.text((mm(32), mm(28)), "编号  ", font=font, fill=(20, 20, 20))
        d.text((mm(44), mm(28)), "".join(str(rng.randrange(10)) for _ in range(9)), font=latin,
               fill=(20, 20, 20))
        if kind == "social-security card":
            d.rounded_rectangle((mm(60), mm(38), mm(70), mm(46)), mm(1.2), fill=(214, 186, 110))
    return img, kind


def _multiple(scene, card, rng, spot, seed):
    other, kind = other_card(rng, variant(OTHER_CARDS, seed))
    arrangement = variant(ARRANGEMENTS, seed // len(OTHER_CARDS))
    w, h = scene.size
    width = _card_width(rng, scene.size, 0.3, 0.45)
    roll = rng.uniform(-8, 8)
    quad = _quad(rng, scene.size, card.size, width, rng.uniform(0, 10), roll, margin=width * 0.7)
    to_scene = forward(quad, card.size)
    cw, ch = card.size
    if arrangement == "stacked":  # under the ID card, showing along one edge
        dx, dy = rng.choice((-1, 1)) * rng.uniform(0.15, 0.4), rng.choice((-1, 1)) * \
            rng.uniform(0.15, 0.45)
        under = [to_scene(x + dx * cw, y + dy * ch) for x, y in ((0, 0), (0, ch), (cw, ch),
                                                                 (cw, 0))]
    elif arrangement == "fanned":  # turned about the lower-left corner
        a = math.radians(rng.choice((-1, 1)) * rng.uniform(15, 40))
        pts = [(x * math.cos(a) - (y - ch) * math.sin(a), x * math.sin(a) + (y - ch)
                * math.cos(a) + ch) for x, y in ((0, 0), (0, ch), (cw, ch), (cw, 0))]
        under = [to_scene(x, y) for x, y in pts]
    else:  # beside, on the side with more room (partly out of the frame if there is none)
        xs = [x for x, _ in quad]
        step = -1.08 * cw if min(xs) > w - max(xs) else 1.08 * cw
        under = [to_scene(x + step, y) for x, y in ((0, 0), (0, ch), (cw, ch), (cw, 0))]
    outsider.place(scene, other, under)
    outsider.place(scene, card, quad)
    return scene, quad, f"a {kind} {arrangement}"
