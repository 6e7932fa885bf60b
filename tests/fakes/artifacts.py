"""Photos with the artifacts KYC cares about, each with the card's region as the API reports it.

The card is tests/fakes/realistic.py's (real proportions and layout); this module puts it in a
frame the way fraud or carelessness does: a black-and-white or toner photocopy, a photo of a
screen (pixel grid and subpixels, resampled by the camera: moiré), a card cut by the frame, a
finger or an object over the fields, a specular highlight over the text, a second card beside
it, and ordinary photos that must raise none of these.

Two renderer configurations: TUNING and HOLDOUT (other backgrounds, another phone noise model
and JPEG quality, other screen pitches and subpixel layouts, other copier curves, other
occluders, glare shapes and card arrangements). Both were looked at while the rules of
imaging/quality.py were made, so both are tuning material; bench/quality.py reports the rates
on both, and on any other Style of this module by its name (style_named).

`render(kind, seed, style)` returns a Shot: JPEG bytes, the first card's corners (top-left,
bottom-left, bottom-right, top-right of the card, as the API lists card_region) in the photo's
pixels, and the warning expected (None for an ordinary photo). Everything is a function of the
seed.
"""

import io
import math
import random
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes import realistic

KINDS = ("ordinary", "photocopy", "screen_recapture", "incomplete_border", "occlusion",
         "glare_on_fields", "multiple_cards")
Point = Tuple[float, float]


@dataclass(frozen=True)
class Style:
    name: str
    frame: Tuple[int, int]                    # photo size
    card_width: Tuple[int, int]               # the card's width in the photo
    tilt: float                               # degrees, either way
    jpeg: Tuple[int, int]
    noise: str                                # "luma" (gaussian, grey) or "sensor" (shot + chroma)
    background: str                           # "desk" (realistic.py's) or "room" (other scenes)
    screen_pitch: Tuple[float, float]         # photo pixels per screen pixel
    subpixels: str                            # "stripe" (RGB columns) or "pentile" (RG/BG)
    copier: str                               # "bw" (realistic.py's) or "toner"
    occluders: Tuple[str, ...]
    glare: str                                # "spot" or "streak"
    clip_region: bool                         # the API clamps a cut card's corners to the frame
    arrangement: str                          # second card: "beside" or "overlapping"


TUNING = Style("tuning", (1600, 1200), (820, 1100), 8, (84, 94), "luma", "desk", (3.0, 6.0),
               "stripe", "bw", ("finger",), "spot", False, "beside")
HOLDOUT = Style("holdout", (2016, 1512), (900, 1500), 12, (72, 86), "sensor", "room",
                (2.4, 9.0), "pentile", "toner", ("pen", "note", "finger_dark", "coin"),
                "streak", True, "overlapping")

# The fresh style: drawn by tests/fakes/fresh_kyc.py (its own cards, scenes, phone, screens,
# copiers, occluders, glare and arrangements); the fields below only describe it for reports.
FRESH = Style("fresh", (4000, 3000), (600, 3480), 15, (70, 92), "hdr", "varied", (0.9, 6.0),
              "diamond or stripe", "faded, colour or copy of a copy",
              ("thumb", "sticker", "paper clip", "keys"), "ring light or window", False,
              "three, fanned or beside a bank card")


# The blind style: drawn by tests/fakes/blind_kyc.py (blind.py's card; its own surfaces, hands,
# copies, screens, occluders, glare and second cards); the fields below only describe it.
BLIND = Style("blind", (4032, 3024), (500, 3000), 10, (72, 94), "half-resolution grain",
              "marble, linen, leather, printed paper, keyboard edge", (1.3, 5.0),
              "stripe", "greyscale laser on white, bluish or sepia paper",
              ("fingertip", "thumb", "coin", "pen", "sticky note", "sleeve edge"),
              "lamp hotspot or bright band", False, "beside, on a licence or bank card, overlapping")
# The outsider style: drawn by tests/fakes/outsider_kyc.py (outsider.py's card; its own
# surfaces, phones, copies, screens, occluders, glare and second cards); the fields below only
# describe it.
OUTSIDER = Style("outsider", (3264, 2448), (420, 2400), 15, (50, 93),
                 "phone noise, HDR or night mode; messenger recompression",
                 "bamboo mat, terrazzo, bedsheet, glass desk, floor tiles", (1.5, 6.0),
                 "BGR stripe, S-stripe, delta or projector screen door",
                 "colour inkjet, halftone scan or toner",
                 ("transparent tape", "ring", "white sticker", "pale pen", "paper clip",
                  "finger"), "plastic sleeve or window", False,
                 "a bank, social-security or student card stacked, fanned or beside")
# The novel style: drawn by tests/fakes/novel_kyc.py (novel.py's card; its own scenes, copies,
# screens, occluders, glare and second cards), a hold-out never tuned on; the fields below only
# describe it.
NOVEL = Style("novel", (4000, 3000), (1400, 3000), 12, (70, 92),
              "shot noise, smeared denoise, over-sharpening, chromatic aberration",
              "walnut desk, linen, granite, ruled notebook, cutting mat, quilt", (1.3, 3.0),
              "LCD stripe, OLED PenTile, e-ink, laptop or TV",
              "black-and-white or colour laser, inkjet or halftone",
              ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip",
               "ring"), "flash, window or desk lamp", False,
              "an ID, bank or transit card beside, overlapping or fanned")
# The stranger style: drawn by tests/fakes/stranger_kyc.py (stranger.py's card; its own scenes,
# copies, screens, occluders, glare and second cards), the seventh hold-out, never tuned on; the
# fields below only describe it.
STRANGER = Style("stranger", (3648, 2736), (900, 2300), 12, (68, 93),
                 "shot noise from a repeated patch, sharpening, dim rooms, chat recompression",
                 "oak, checked cloth, marble, leather, printed cotton, office desk, rattan, palm",
                 (1.3, 4.5), "phone LCD, OLED PenTile, laptop, TV or e-ink",
                 "black-and-white laser, colour copier, inkjet banding, halftone, copy of a copy",
                 ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip",
                  "ring"), "flash, window or desk lamp", False,
                 "an ID, bank or transit card beside, overlapping or fanned")
# The wayfarer style: drawn by tests/fakes/wayfarer_kyc.py (wayfarer.py's card; its own scenes,
# copies, screens, occluders, glare and second cards), the eighth hold-out, never tuned on; the
# fields below only describe it.
WAYFARER = Style("wayfarer", (4080, 3072), (700, 2600), 12, (70, 93),
                 "tiled phone noise, night mode, flicker bands, over-sharpening",
                 "cherry veneer, felt mat, placemat, concrete, car seat, denim, duvet, glass, "
                 "bokeh, a hand", (1.3, 4.5), "phone LCD, OLED PenTile, e-ink, laptop or TV",
                 "black-and-white or colour laser, inkjet banding, halftone, fax-like grey, "
                 "scanner app black and white",
                 ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip",
                  "ring", "sticky note"), "flash, window, desk lamp or ring light", False,
                 "an ID, bank or transit card beside, overlapping or fanned")
# The pilgrim style: drawn by tests/fakes/pilgrim_kyc.py (pilgrim.py's card; its own scenes,
# copies, screens, occluders, glare and second cards), the ninth hold-out, never tuned on; the
# fields below only describe it.
PILGRIM = Style("pilgrim", (4000, 2250), (1100, 2600), 12, (68, 93),
                "shared luma and weaker chroma grain, stronger in the dark; tungsten at night",
                "terrazzo, linen, bamboo mat, cork, tiles, leatherette, floral sheet; a selfie",
                (1.5, 6.0), "phone LCD, OLED PenTile, laptop, TV, e-ink or a video call",
                "black-and-white laser, colour inkjet banding, low-toner streaks, thermal fax, "
                "folded copy, copy of a copy",
                ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip",
                 "ring", "coin", "watch strap"), "flash, window, ring light, desk lamp or tube",
                False, "an ID, bank, transit or social-security card, a driving licence or its "
                "own photocopy beside, overlapping or fanned")
# The nomad style: drawn by tests/fakes/nomad_kyc.py (nomad.py's card; its own scenes, copies,
# screens, occluders, glare and second cards), the tenth hold-out, never tuned on; the fields
# below only describe it.
NOMAD = Style("nomad", (3264, 2448), (800, 2270), 12, (70, 93),
              "grain in 2 x 2 clumps, stronger in a dim room; warm lamps, a shaken hand",
              "tatami, brushed steel, slate, kraft paper, knitted blanket, dashboard, laminate, "
              "newspaper under glass; among things, in fingertips, beside a face", (1.2, 4.5),
              "phone LCD, OLED PenTile, e-ink, matte laptop, TV, tablet or projector",
              "black-and-white or colour laser, inkjet, halftone, tired toner",
              ("finger", "thumb with a plaster", "white sticker", "clear tape", "pale pen",
               "paper clip", "ring", "rubber band", "lanyard clip", "phone corner"),
              "flash, window, desk lamp or phone torch", False,
              "another ID card, a bank or transit card or a passport beside, overlapping or "
              "fanned")
# The drifter style: drawn by tests/fakes/drifter_kyc.py (drifter.py's card; its own scenes,
# copies, screens, occluders, glare and second cards), the eleventh hold-out, never tuned on;
# the fields below only describe it.
DRIFTER = Style("drifter", (3840, 2160), (760, 2300), 12, (70, 93),
                "grain in 2 x 2 clumps, mixed warm and cool light, dim evening rooms",
                "a hand with its sleeve, ruled notebook, keyboard, bed sheet, car mat, menu, "
                "two thumbs, a glossy desk mirroring a ceiling light", (2.0, 4.5),
                "phone LCD, OLED PenTile, e-ink, laptop, TV or a tablet in a dark room",
                "black-and-white or colour laser, toner saving, pink paper, inkjet, halftone",
                ("finger", "thumb", "white sticker", "clear tape", "pale pen", "paper clip",
                 "ring", "cat's paw", "folded receipt"),
                "flash, window, desk lamp or ceiling panel", False,
                "another ID card, a bank, transit or membership card, a bus pass or a "
                "photocopy of another card beside, overlapping, fanned, partly under or in a "
                "card holder")
# The rover style: drawn by tests/fakes/rover_kyc.py (rover.py's card; its own scenes, copies,
# screens, occluders, glare and second cards), the twelfth hold-out, never tuned on; the fields
# below only describe it.
ROVER = Style("rover", (2592, 1944), (700, 1900), 10, (72, 93),
              "luma grain drawn at half size; HDR tone mapping and a little hand shake",
              "polka-dot oilcloth, laminating pouch, wallet window, open palm, wooden tray, "
              "felt pad, painted table", (2.0, 6.0),
              "car display RGB stripes, smartwatch OLED PenTile, projector screen door",
              "fax, thermal print, toner on recycled paper",
              ("coin", "lighter", "hair tie", "lipstick"),
              "LED strip, sunlight patch or a flash on a laminating pouch", False,
              "a driver's licence, social-security or hotel key card beside, under or stacked "
              "offset")
# The vagabond style: drawn by tests/fakes/vagabond_kyc.py (vagabond.py's card; its own scenes,
# copies, screens, occluders, glare and second cards), the thirteenth hold-out, never tuned on;
# the fields below only describe it.
VAGABOND = Style("vagabond", (3280, 2464), (900, 2400), 12, (72, 92),
                 "one gaussian luma field tiled at a random offset, under a lamp's gradient",
                 "herringbone parquet, plaid tablecloth, laptop keyboard, newspaper page, "
                 "glossy black desk, marble counter, floral bed sheet, car seat fabric",
                 (2.0, 5.0), "phone LCD RGB stripes, phone OLED PenTile, e-ink grey cells, "
                 "laptop and monitor stripes", "colour laser, inkjet banding, black-and-white",
                 ("finger", "thumb", "white paper", "receipt", "masking tape", "pale sticker",
                  "black phone", "car key"),
                 "LED strip line, window patch, flash or ring light", False,
                 "another ID card, a bank, library or badge card beside, stacked offset under, "
                 "fanned or partly cut by the frame")
# Styles drawn by a module of their own (render(kind, seed, style) and DESCRIPTION there).
DRAWN_BY = {"fresh": "tests.fakes.fresh_kyc", "blind": "tests.fakes.blind_kyc",
            "outsider": "tests.fakes.outsider_kyc", "novel": "tests.fakes.novel_kyc",
            "stranger": "tests.fakes.stranger_kyc", "wayfarer": "tests.fakes.wayfarer_kyc",
            "pilgrim": "tests.fakes.pilgrim_kyc", "nomad": "tests.fakes.nomad_kyc",
            "drifter": "tests.fakes.drifter_kyc", "rover": "tests.fakes.rover_kyc",
            "vagabond": "tests.fakes.vagabond_kyc"}


def drawing_module(style: Style):
    """The module drawing `style`, when it has one of its own (DRAWN_BY), else None."""
    import importlib

    return importlib.import_module(DRAWN_BY[style.name]) if style.name in DRAWN_BY else None


def style_named(name: str) -> Style:
    """The renderer configuration of that name (TUNING is "tuning", HOLDOUT "holdout"; any
    Style defined in this module is found by its name)."""
    found = [value for value in globals().values()
             if isinstance(value, Style) and value.name == name]
    if not found:
        known = sorted(v.name for v in globals().values() if isinstance(v, Style))
        raise ValueError(f"no renderer configuration named {name!r} (known: {', '.join(known)})")
    return found[0]


def region_faults(shot: "Shot", size: Tuple[int, int]) -> List[str]:
    """What is wrong with a shot's card region in a photo of `size` (empty: nothing): four
    corners TL, BL, BR, TR of an upright-ish card, inside the frame unless the card is cut
    (then beyond it, or clamped onto its edge)."""
    w, h = size
    if len(shot.region) != 4:
        return [f"{len(shot.region)} corners"]
    faults = []
    inside = [0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in shot.region]
    if shot.kind == "incomplete_border":
        if all(inside) and not any(x in (0.0, w - 1.0) or y in (0.0, h - 1.0)
                                   for x, y in shot.region):
            faults.append("a cut card's corners all inside the frame, none on its edge")
    elif not all(inside):
        faults.append("a corner outside the frame")
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = shot.region
    if not (tlx < trx and blx < brx and tly < bly and try_ < bry):
        faults.append("corners not in the order TL, BL, BR, TR")
    return faults


# Where the printed fields are on an upright card (x0, y0, x1, y1, fractions of its width and
# height): an occluder or a highlight is centred in one of these.
FIELD_SPOTS = {"face": ((0.10, 0.12, 0.50, 0.88),),
               "back": ((0.25, 0.72, 0.62, 0.88), (0.35, 0.14, 0.55, 0.32))}


@dataclass
class Shot:
    kind: str
    style: str
    data: bytes
    region: List[Point]        # the first card's corners as the API reports them
    expected: Optional[str]
    detail: str = ""

    def card_region(self) -> List[dict]:
        return [{"x": x, "y": y} for x, y in self.region]


def render(kind: str, seed: int, style: Style = TUNING) -> Shot:
    module = drawing_module(style)
    if module is not None:
        return module.render(kind, seed, style)
    rng = random.Random(seed * 104_729 + KINDS.index(kind) * 7 + (style is HOLDOUT))
    side = rng.choice(("face", "back"))
    card = realistic.make_card(seed, side).image.convert("RGB")
    detail = side
    spot = rng.choice(FIELD_SPOTS[side])
    centre = (rng.uniform(spot[0], spot[2]), rng.uniform(spot[1], spot[3]))
    if kind == "photocopy":
        card = _copy(card, rng, style)
    elif kind == "occlusion":
        card, what = _occlude(card, rng, style, centre)
        detail += " " + what
    scene = _background(rng, style) if kind != "photocopy" or rng.random() < 0.5 else \
        Image.new("RGB", style.frame, tuple(rng.randint(236, 252) for _ in range(3)))
    width = rng.randint(*style.card_width)
    if kind == "multiple_cards":
        width = int(width * 0.7)
    tilt = rng.uniform(-style.tilt, style.tilt)
    if kind == "screen_recapture":
        card = _screen(card, rng, style, width)
    if kind == "incomplete_border":
        position = _cut_position(rng, style, width, tilt)
    else:
        position = None
    quad = _place(scene, card, rng, width, tilt, position, shadow=style.background == "desk")
    if kind == "multiple_cards":
        other = realistic.make_card(seed + 900_000, rng.choice(("face", "back"))).image
        _second_card(scene, other.convert("RGB"), rng, style, width, quad)
    scene = realistic._lighting(scene, rng)
    if kind == "glare_on_fields":  # reflected light: it saturates whatever the exposure
        scene = _glare(scene, rng, style, quad, centre)
    scene = _noise(scene, rng, style)
    region = quad
    if kind == "incomplete_border" and style.clip_region:
        region = [(min(max(x, 0.0), scene.width - 1.0), min(max(y, 0.0), scene.height - 1.0))
                  for x, y in quad]
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=rng.randint(*style.jpeg))
    return Shot(kind, style.name, out.getvalue(), region,
                None if kind == "ordinary" else kind, detail)


# Placing the card --------------------------------------------------------------------------

def _place(scene: Image.Image, card: Image.Image, rng: random.Random, width: int, tilt: float,
           position: Optional[Point] = None, shadow: bool = True) -> List[Point]:
    """Paste `card` scaled to `width` and turned by `tilt` degrees; its corners (TL, BL, BR,
    TR) in the scene. `position`: the card's centre (default: anywhere it fits whole)."""
    height = round(width * card.height / card.width)
    rgba = card.resize((width, height), Image.LANCZOS).convert("RGBA")
    mask = Image.new("L", rgba.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), int(width * 0.04),
                                           fill=255)
    rgba.putalpha(mask)
    turned = rgba.rotate(tilt, expand=True, resample=Image.BICUBIC)
    if position is None:
        cx = rng.uniform(turned.width / 2 + 8, scene.width - turned.width / 2 - 8)
        cy = rng.uniform(turned.height / 2 + 8, scene.height - turned.height / 2 - 8)
    else:
        cx, cy = position
    x0, y0 = round(cx - turned.width / 2), round(cy - turned.height / 2)
    if shadow:
        dark = Image.new("RGBA", turned.size, (0, 0, 0, 0))
        dark.putalpha(turned.getchannel("A").point(lambda a: a * 80 // 255))
        scene.paste(dark, (x0 + 9, y0 + 11), dark.filter(ImageFilter.GaussianBlur(7)))
    scene.paste(turned, (x0, y0), turned)
    a = math.radians(-tilt)  # PIL turns counter-clockwise; y points down
    centre = (x0 + turned.width / 2, y0 + turned.height / 2)
    corners = ((-width / 2, -height / 2), (-width / 2, height / 2), (width / 2, height / 2),
               (width / 2, -height / 2))
    return [(centre[0] + x * math.cos(a) - y * math.sin(a),
             centre[1] + x * math.sin(a) + y * math.cos(a)) for x, y in corners]


def _cut_position(rng: random.Random, style: Style, width: int, tilt: float) -> Point:
    """A centre that puts 8-35 % of the card's width (or height) outside one side."""
    height = width * 54 / 85.6
    w, h = style.frame
    side = rng.choice(("left", "right", "top", "bottom"))
    out = rng.uniform(0.08, 0.35)
    if side in ("left", "right"):
        cx = width / 2 - out * width if side == "left" else w - width / 2 + out * width
        return cx, rng.uniform(height / 2 + 10, h - height / 2 - 10)
    cy = height / 2 - out * height if side == "top" else h - height / 2 + out * height
    return rng.uniform(width / 2 + 10, w - width / 2 - 10), cy


def _second_card(scene, card, rng, style, width, first) -> None:
    """Another card in the frame: beside the first, or overlapping it partly."""
    xs, ys = [p[0] for p in first], [p[1] for p in first]
    w2 = int(width * rng.uniform(0.85, 1.1))
    h2 = w2 * 54 / 85.6
    if style.arrangement == "beside":
        room_left, room_right = min(xs), scene.width - max(xs)
        room_top, room_bottom = min(ys), scene.height - max(ys)
        best = max((room_left, "l"), (room_right, "r"), (room_top, "t"), (room_bottom, "b"))[1]
        if best in "lr":
            cx = min(xs) - w2 / 2 - 20 if best == "l" else max(xs) + w2 / 2 + 20
            cy = rng.uniform(h2 / 2, scene.height - h2 / 2)
        else:
            cy = min(ys) - h2 / 2 - 20 if best == "t" else max(ys) + h2 / 2 + 20
            cx = rng.uniform(w2 / 2, scene.width - w2 / 2)
        tilt = rng.uniform(-style.tilt, style.tilt)
    else:
        cx = (min(xs) + max(xs)) / 2 + rng.choice((-1, 1)) * width * rng.uniform(0.55, 0.8)
        cy = (min(ys) + max(ys)) / 2 + rng.choice((-1, 1)) * h2 * rng.uniform(0.45, 0.8)
        tilt = rng.uniform(-style.tilt, style.tilt) + rng.choice((0, 90))
    cx = min(max(cx, w2 * 0.35), scene.width - w2 * 0.35)
    cy = min(max(cy, h2 * 0.35), scene.height - h2 * 0.35)
    # The second card goes under the first (re-pasted on top): the API located the first.
    first_crop = None
    if style.arrangement != "beside":
        box = (int(max(0, min(xs))), int(max(0, min(ys))), int(min(scene.width, max(xs))),
               int(min(scene.height, max(ys))))
        mask = Image.new("L", scene.size, 0)
        ImageDraw.Draw(mask).polygon(first, fill=255)
        first_crop = (scene.crop(box), mask.crop(box), box)
    _place(scene, card, rng, w2, tilt, (cx, cy), shadow=style.background == "desk")
    if first_crop:
        crop, mask, box = first_crop
        scene.paste(crop, box[:2], mask)


# Artifacts on the card ---------------------------------------------------------------------

def _copy(card: Image.Image, rng: random.Random, style: Style) -> Image.Image:
    if style.copier == "bw":
        return realistic._photocopy(card, rng)
    # A toner copier: an S-shaped tone curve, lost mid-tones, toner dust, a faint warm paper.
    grey = card.convert("L").filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    mid, steep = rng.uniform(110, 160), rng.uniform(0.03, 0.07)
    curve = [int(255 / (1 + math.exp(-steep * (v - mid)))) for v in range(256)]
    arr = np.asarray(grey.point(curve), dtype=np.int16)
    noise = np.random.RandomState(rng.randrange(1 << 30))
    arr = np.where(noise.random_sample(arr.shape) < 0.004, 40, arr)
    arr += noise.normal(0, 4, arr.shape).astype(np.int16)
    rows = (np.sin(np.arange(arr.shape[0]) / rng.uniform(3, 9)) * rng.uniform(0, 6))[:, None]
    grey = Image.fromarray(np.clip(arr + rows, 0, 255).astype(np.uint8))
    tint = (rng.randint(250, 255), rng.randint(244, 252), rng.randint(230, 244))
    return Image.merge("RGB", [grey.point(lambda v, t=t: v * t // 255) for t in tint])


def _screen(card: Image.Image, rng: random.Random, style: Style, width: int) -> Image.Image:
    """The card shown on a screen and photographed: each screen pixel's subpixels and the dark
    gaps between them, at `pitch` photo pixels per screen pixel; returned at 4x the card's
    width in the photo so that placing it resamples the grid as a camera does."""
    pitch = rng.uniform(*style.screen_pitch)
    cols = max(40, int(width / pitch))
    rows = int(cols * card.height / card.width)
    shown = card.resize((cols, rows), Image.BILINEAR)
    shown = ImageEnhance.Brightness(shown).enhance(rng.uniform(0.9, 1.15))
    k = 6  # drawn subpixels per screen pixel, each way
    arr = np.asarray(shown, dtype=np.float32)
    big = np.repeat(np.repeat(arr, k, axis=0), k, axis=1)
    mask = np.zeros((k, k, 3), np.float32)
    if style.subpixels == "stripe":
        for c in range(3):
            mask[:k - 1, 2 * c:2 * c + 2, c] = 1.0
    else:  # pentile: a green on every pixel, red and blue alternate
        mask[:k // 2 - 1, :k // 2 - 1, 0] = 1.0
        mask[:k - 1, k // 2:k - 1, 1] = 1.0
        mask[k // 2:k - 1, :k // 2 - 1, 2] = 1.0
    # Subpixels are small and bright: the backlight makes up for the dark share of each colour.
    # Drawn at 1/headroom of their brightness so that 8 bits hold them, restored once the
    # camera's blur and resampling have spread them.
    gain = 1 / mask.mean(axis=(0, 1))
    headroom = float(gain.max())
    lit = big * np.tile(mask, (rows, cols, 1)) * gain / headroom
    glow = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8))
    glow = glow.filter(ImageFilter.GaussianBlur(k * rng.uniform(0.12, 0.25)))
    glow = glow.resize((width * 4, int(width * 4 * card.height / card.width)), Image.BILINEAR)
    bright = np.asarray(glow, dtype=np.float32) * headroom * rng.uniform(0.85, 1.0)
    return Image.fromarray(np.clip(bright, 0, 255).astype(np.uint8))


def _occlude(card: Image.Image, rng: random.Random, style: Style, centre):
    img = card.copy()
    d = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    what = rng.choice(style.occluders)
    cx, cy = centre[0] * w, centre[1] * h
    if what in ("finger", "finger_dark"):
        skin = (rng.randint(200, 235), rng.randint(150, 185), rng.randint(120, 150)) \
            if what == "finger" else (rng.randint(120, 165), rng.randint(80, 110),
                                      rng.randint(55, 80))
        fw = rng.uniform(0.16, 0.22) * h * (w / h) * 0.6
        length = rng.uniform(0.5, 0.9) * h
        angle = rng.uniform(-35, 35)
        finger = Image.new("RGBA", (int(fw), int(length) + int(fw)), (0, 0, 0, 0))
        fd = ImageDraw.Draw(finger)
        fd.rounded_rectangle((0, 0, fw - 1, length + fw - 1), int(fw / 2), fill=skin + (255,))
        fd.rounded_rectangle((fw * 0.2, fw * 0.1, fw * 0.8, fw * 0.8), int(fw * 0.25),
                             fill=tuple(min(255, c + 25) for c in skin) + (255,))
        finger = finger.filter(ImageFilter.GaussianBlur(2)).rotate(angle, expand=True)
        # from the card's bottom edge up to (cx, cy)
        img.paste(finger, (int(cx - finger.width / 2), int(cy - fw / 2)), finger)
    elif what == "pen":
        length, thick = rng.uniform(0.6, 1.0) * w, rng.uniform(0.07, 0.1) * h
        colour = rng.choice(((20, 40, 140), (30, 30, 30), (180, 30, 40), (220, 220, 225)))
        pen = Image.new("RGBA", (int(length), int(thick)), colour + (255,))
        ImageDraw.Draw(pen).rectangle((0, thick * 0.3, length, thick * 0.45),
                                      fill=tuple(min(255, c + 60) for c in colour) + (255,))
        pen = pen.rotate(rng.uniform(-40, 40), expand=True)
        img.paste(pen, (int(cx - pen.width / 2), int(cy - pen.height / 2)), pen)
    elif what == "note":
        nw, nh = rng.uniform(0.22, 0.35) * w, rng.uniform(0.3, 0.5) * h
        colour = rng.choice(((250, 235, 120), (150, 220, 240), (250, 170, 190)))
        note = Image.new("RGBA", (int(nw), int(nh)), colour + (255,))
        note = note.rotate(rng.uniform(-15, 15), expand=True)
        img.paste(note, (int(cx - note.width / 2), int(cy - note.height / 2)), note)
    else:  # coin
        r = rng.uniform(0.12, 0.18) * h
        metal = rng.choice(((190, 160, 90), (170, 170, 175)))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=metal + (255,))
        d.ellipse((cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8),
                  outline=tuple(c - 40 for c in metal) + (255,), width=3)
    return img, what


def _glare(scene: Image.Image, rng: random.Random, style: Style, quad, centre,
           size: Optional[Tuple[float, float]] = None) -> Image.Image:
    """A specular highlight on the laminate at `centre` (fractions of the card): a blown-out
    core where the print is lost, fading out at its rim (a flat-topped profile). `size`: its
    radii as shares of the card's width and height (default: drawn from the style)."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    u, v = centre
    cx = (1 - u) * (1 - v) * tlx + (1 - u) * v * blx + u * v * brx + u * (1 - v) * trx
    cy = (1 - u) * (1 - v) * tly + (1 - u) * v * bly + u * v * bry + u * (1 - v) * try_
    w = math.hypot(trx - tlx, try_ - tly)
    h = math.hypot(blx - tlx, bly - tly)
    box = (int(max(0, cx - w)), int(max(0, cy - w)), int(min(scene.width, cx + w)),
           int(min(scene.height, cy + w)))
    yy, xx = np.mgrid[box[1]:box[3], box[0]:box[2]].astype(np.float32)
    if style.glare == "spot":
        rx, ry = (rng.uniform(0.08, 0.16), rng.uniform(0.12, 0.25)) if size is None else size
        rx, ry = rx * w, ry * h
        dist = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    else:  # a streak of window light across the card
        a = math.radians(rng.uniform(-60, 60))
        across = (xx - cx) * math.sin(a) - (yy - cy) * math.cos(a)
        along = (xx - cx) * math.cos(a) + (yy - cy) * math.sin(a)
        dist = (across / (rng.uniform(0.05, 0.09) * h)) ** 2 + (along / (0.3 * w)) ** 4
    strength = rng.uniform(0.85, 1.0) * np.exp(-dist ** 2)[..., None]
    arr = np.asarray(scene.crop(box), dtype=np.float32)
    scene.paste(Image.fromarray((arr + (255 - arr) * strength).astype(np.uint8)), box[:2])
    return scene


# The scene ---------------------------------------------------------------------------------

def _background(rng: random.Random, style: Style) -> Image.Image:
    if style.background == "desk":
        return realistic._desk(rng, style.frame)
    # "room": a fabric weave, a laminate, or a keyboard-and-papers desk, in other colours.
    w, h = style.frame
    base = np.array([rng.randint(30, 220) for _ in range(3)], np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    choice = rng.random()
    if choice < 0.35:
        period = rng.uniform(5, 11)
        weave = (np.sin(xx / period) * np.sin(yy / period)) * rng.uniform(6, 14)
        arr = base + weave[..., None]
    elif choice < 0.7:
        grain = np.random.RandomState(rng.randrange(1 << 30)).normal(0, 1, (h // 8 + 1, 1))
        arr = base + (np.repeat(grain, 8, axis=0)[:h] * rng.uniform(4, 10)
                      + xx / w * rng.uniform(-30, 30))[..., None]
    else:
        arr = np.broadcast_to(base, (h, w, 3)).copy()
    scene = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGB")
    d = ImageDraw.Draw(scene)
    for _ in range(rng.randint(1, 4)):  # a keyboard's keys, a mug, papers
        x, y = rng.randrange(w), rng.randrange(h)
        kind = rng.random()
        if kind < 0.4:
            for i in range(rng.randint(4, 12)):
                d.rounded_rectangle((x + i * 46, y, x + i * 46 + 40, y + 40), 6,
                                    fill=(40, 40, 44), outline=(90, 90, 96))
        elif kind < 0.7:
            r = rng.randint(60, 160)
            d.ellipse((x, y, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in "rgb"))
        else:
            d.rectangle((x, y, x + rng.randint(200, 500), y + rng.randint(260, 600)),
                        fill=(rng.randint(235, 250),) * 3)
    return scene


def _noise(scene: Image.Image, rng: random.Random, style: Style) -> Image.Image:
    state = np.random.RandomState(rng.randrange(1 << 30))
    arr = np.asarray(scene, dtype=np.float32)
    if style.noise == "luma":
        arr = arr + state.normal(0, 3.5, (scene.height, scene.width, 1))
    else:  # shot noise grows with the signal, plus chroma noise, then the phone's denoising
        arr = arr + state.normal(0, 1, arr.shape) * np.sqrt(arr / 255 * 40 + 4)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if style.noise == "sensor":
        out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
        out = out.filter(ImageFilter.UnsharpMask(2, rng.randint(40, 90), 2))
    return out
