"""Photo quality and KYC warnings computed from the image the OCR API saw (rules in
docs/results.md, rates in bench/README.md).

A photo larger than the function ever assesses (2048 px, imaging.prepare's longest side) is
judged as that picture would be, without making it: the card's crop and the screen's patch
are reduced from the photo by that picture's factor, and the KYC rules' copy is one box
reduction of the photo, so that a full 12 MP decode costs one reduction more than the
picture the function assesses.

Measured on the card itself where the API located it (card_region), else on the whole image,
at most 1024 px on the longer side so the cost does not grow with the photo:
- blur: variance of the Laplacian of the grey image (low: few sharp edges);
- dark / overexposed: mean grey level, and the share of blown-out pixels;
- small: the card's share of the image area.

And the KYC signals (photocopy, screen_recapture, incomplete_border, occlusion,
glare_on_fields, multiple_cards), whichever engine read the photo, Pillow only, each on a
copy reduced once to at most 1024 px (WORK_SIDE): the card straightened from it to 256 x 162
px and read in 16 x 10 and 32 x 20 cells, a grey overview of the frame (the card's long
side 36 px) for a second card's outline; the paper's level along the straightened card's
rows and columns, beside the side's picture, for an inkjet's banding (its print head's passes
repeat along one axis); the centre of the card's box on the reduced copy, for a colour laser's
planes printed out of register (one shifted against green over the whole card);
and the sides of a rectangle found on it, read again on the reduced copy (a card's are straight);
and a patch of at most 384 x 384 px of the assessed picture for a screen's pixel grid; and,
when a patch of occluded or glared cells is large enough to warn, the frame beside the card
along its rows and columns (a band of flickering light crosses the frame, card and table
alike).
"""

import math
import re
from collections import deque
from functools import lru_cache
from itertools import accumulate
from operator import mul
from typing import Iterable, List, Optional, Sequence, Tuple

BLUR_MIN_LAPLACIAN_VAR = 250.0
DARK_MAX_MEAN = 80.0
BRIGHT_MIN_MEAN = 240.0
BLOWN_OUT_MAX_SHARE = 0.30
SMALL_MIN_AREA_SHARE = 0.15
_ANALYSIS_SIDE = 1024
MAX_ASSESSED_SIDE = 2048           # imaging.prepare's longest side (ImageLimits.max_side)
_MAX_COORDINATE = 1e6


def assess(image, card_region: Optional[Sequence[dict]] = None,
           api_quality: Optional[dict] = None, side: Optional[str] = None,
           other_regions: Iterable[Sequence[dict]] = ()) -> dict:
    """The `quality` object of a result: measurements, and the warnings they raise.

    `side` ("face" or "back", the side read): where the card's picture is (the portrait, the
    emblem), which holds no fields; without it the card's red emblem decides.
    `other_regions`: where the other sides of the same card are in the photo (a sheet with
    face and back): they are not a second card."""
    from PIL import ImageStat

    if not image.size[0] or not image.size[1]:
        # Nothing to measure (the function never gets here: prepare refuses a side under
        # 15 px); a caller of its own gets a result that says so, not an arithmetic error.
        quality = {"warnings": [], "sharpness": None, "brightness": None,
                   "blown_out_share": None, "card_area_share": None, "measured_on": "nothing",
                   "signals": {}}
        if api_quality is not None:
            quality["api"] = api_quality
        return quality
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A photo larger than the function ever assesses (it sends and assesses at most 2048 px)
    # is read as that picture would be, without making that picture: the card's crop is
    # reduced by the picture's factor, and the KYC rules reduce the photo once to their own
    # size (a box reduction of 12 MP costs less the further it reduces).
    factor = _assessed_factor(image)
    width, height = (-(-image.size[0] // factor), -(-image.size[1] // factor))
    region = _scaled(card_region, 1 / factor) if factor > 1 else card_region
    box = _bounding_box(region, width, height)
    picture = _assessed_crop(image, factor, box or (0, 0, width, height))
    grey = _shrunk(picture, 2 * _ANALYSIS_SIDE).convert("L")
    grey.thumbnail((_ANALYSIS_SIDE, _ANALYSIS_SIDE))
    sharpness = ImageStat.Stat(_laplacian(grey)).var[0]
    mean = ImageStat.Stat(grey).mean[0]
    histogram = grey.histogram()
    blown_out = sum(histogram[250:]) / max(1, sum(histogram))
    area_share = _area(region) / (width * height) if box else None
    warnings: List[str] = []
    if sharpness < BLUR_MIN_LAPLACIAN_VAR:
        warnings.append("blurry")
    if mean < DARK_MAX_MEAN:
        warnings.append("too_dark")
    if mean > BRIGHT_MIN_MEAN or blown_out > BLOWN_OUT_MAX_SHARE:
        warnings.append("overexposed")
    if area_share is not None and area_share < SMALL_MIN_AREA_SHARE:
        warnings.append("card_too_small")
    others = [q for q in (_points(r) for r in other_regions or ()) if q]
    signals, measures = kyc_signals(image, _points(card_region) or None, side, others, factor)
    warnings += signals
    quality = {
        "warnings": warnings,
        "sharpness": round(sharpness, 1),
        "brightness": round(mean, 1),
        "blown_out_share": round(blown_out, 3),
        "card_area_share": None if area_share is None else round(area_share, 3),
        "measured_on": "card_region" if box else "whole_image",
        "signals": measures,
    }
    if api_quality is not None:
        quality["api"] = api_quality
    return quality


def _points(region: Optional[Iterable[dict]]):
    try:
        points = [(float(p["x"]), float(p["y"])) for p in region or ()]
    except (KeyError, TypeError, ValueError):
        return []
    if not all(math.isfinite(c) and abs(c) < _MAX_COORDINATE for p in points for c in p):
        return []  # NaN, infinite or absurd: an answer that locates nothing
    return points if len(points) == 4 else []


def _assessed_factor(image) -> int:
    """The box reduction that makes `image` the picture the function assesses (1 when it is
    one already: at most MAX_ASSESSED_SIDE px)."""
    return max(1, -(-max(image.size) // MAX_ASSESSED_SIDE))


def _assessed_crop(image, factor: int, box):
    """`box` (in the assessed picture's pixels) of the picture `image` reduced by `factor`
    would be, made from that part of `image` only."""
    if factor == 1:
        return image.crop(box) if box != (0, 0) + image.size else image
    x0, y0, x1, y1 = box  # reduce() reads the box in place: no copy of that part is made
    return image.reduce(factor, (x0 * factor, y0 * factor, min(image.size[0], x1 * factor),
                                 min(image.size[1], y1 * factor)))


def _scaled(region, scale: float) -> Optional[List[dict]]:
    points = _points(region)
    return [{"x": x * scale, "y": y * scale} for x, y in points] if points else None


def _bounding_box(region, width: int, height: int):
    """The bounding box within the image of a region as the API gives it ({"x", "y"}
    corners), None when it locates nothing."""
    return _box(_points(region), width, height)


def _box(points: Sequence[Tuple[float, float]], width: int, height: int):
    """The bounding box of (x, y) corners within the image, None under 16 x 16 px."""
    if not points:
        return None
    x0 = max(0, int(min(p[0] for p in points)))
    y0 = max(0, int(min(p[1] for p in points)))
    x1 = min(width, int(max(p[0] for p in points)) + 1)
    y1 = min(height, int(max(p[1] for p in points)) + 1)
    return (x0, y0, x1, y1) if x1 - x0 >= 16 and y1 - y0 >= 16 else None


def _area(region) -> float:
    """Shoelace area of the card's quadrilateral."""
    points = _points(region)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(points, points[1:] + points[:1]))) / 2


# KYC signals -----------------------------------------------------------------------------------
# Computed on what every engine gives: the picture and the card's corners (card_region: TL, BL,
# BR, TR of the card). Pillow only, on small copies: the card straightened to CARD_CELLS cells,
# a native-resolution patch for the screen's pixel grid, and an overview of the whole frame.

CARD_SIZE = (256, 162)             # the straightened card the cell rules read
CARD_CELLS = (16, 10)              # cells across and down: 16 x 16 px each
# Zones of an upright card (fractions x0, y0, x1, y1) that hold no fields, by the side read:
# the face's portrait, the back's emblem (printed larger on some cards than on others: its
# zone reaches past the middle of the card's height; the back's fields are the two rows below
# it). The rim is left out on both (RIM).
PICTURE_ZONES = {"face": (0.60, 0.06, 0.98, 0.80), "back": (0.0, 0.0, 0.34, 0.56)}
EMBLEM_ZONE = (0.02, 0.02, 0.30, 0.42)   # where every back has its emblem: the side's test
EMBLEM_MIN_RED = 20.0              # Cr above the paper's: the back's red emblem...
EMBLEM_MIN_CELLS = 2               # ...in this many cells of its zone
RIM = 0.07                         # the outer ring of cells: a region is seldom exact
COPY_MIN_COLOUR = 7.0              # Cb/Cr distance from the tone's colour, in the...
COPY_MIN_CELLS = 3                 # ...third most coloured cell: a copy has none...
COPY_PAPER_LEVEL = 200.0           # (read as if the paper, the card's 90th percentile grey
COPY_MIN_PAPER_LEVEL = 60.0        # cell, were at least at this level; a darker one as at
                                   # this; a brighter one as it is)
COPY_MAX_CHROMA_SPREAD = 4.0       # ...nor colour at the pixel's scale (std of Cb and Cr at
COPY_BAND = 32                     # equal brightness, in bands of this many grey levels): a
COPY_BAND_MIN_PIXELS = 20          # screen's subpixels fringe every edge with colour
BANDING_RANK = 0.9                 # the paper's level along a line of the card: this rank of
                                   # its pixels (print is darker, and seldom a tenth of a line)
BANDING_TREND = 7                  # px each side: the light's own trend along the card, taken off
BANDING_LAGS = range(3, 17)        # px of the straightened card: inkjets' passes repeated at
                                   # 3-16 px there on the tuned sets; the face's text rows 14-16
BANDING_PAIR = 2                   # px along a line: one pixel of each pair is ranked
BANDING_MIN_REPEAT = 0.7           # autocorrelation of the paper's level at the repeat: ordinary
                                   # cards reached 0.61 (the face's evenly spaced text rows)...
BANDING_MIN_DEPTH = 1.5            # ...with the level varying this much (grey levels, std)...
BANDING_MAX_ACROSS = 0.5           # ...and the other axis repeating less than this: a print
                                   # head's passes band one axis, a screen's grid repeats on both
MISREGISTERED_MIN_SHARE = 0.03     # a colour copy's planes printed out of register: this share
                                   # of the card's colour difference (R-G or B-G) at its edges
                                   # explained by one plane shifted against green (beyond what a
                                   # lens's radial fringes explain)...
MISREGISTERED_MIN_SHIFT = 0.38     # ...by at least this many px of the work copy: on 378
                                   # ordinary photos of seven sets the largest shift with that
                                   # share was 0.31 (a lens's fringes left over); the colour
                                   # lasers found shift their planes 0.40-0.98
MISREGISTERED_SIDE = 320           # px of the work copy: the card's centre read for it
MISREGISTERED_MIN_GRADIENT = 10.0  # grey levels a px: the edges the planes are compared on
SCREEN_MAX_DIP = 0.87              # lag difference at the grid's pitch / its neighbours'
SCREEN_CENTRE_CLEAR = 0.90         # the patch's centre dipping no deeper: the whole not read
SCREEN_PATCH = 384
SCREEN_LAGS = range(2, 14)
SCREEN_BAND = (0.8, 2.5)           # px: Gaussian radii whose difference keeps a moire's
                                   # periods (about 3 to 16 px) and drops the pixel's scale
SCREEN_BAND_PATCH = 0.5            # of the patch's side, at its centre: the band-passed
                                   # copy's dips are read there (a quarter of the cost)
SCREEN_LEAST_DIFFERENCE = 1.0      # grey levels: a patch differing less with itself
                                   # shifted is flat (a blown-out highlight), no grid to dip
SCREEN_BAND_LAGS = range(3, 13)    # its lags (dips read at 4-11 px): the band passes little
                                   # of a 2-3 px period (the Laplacian's), and the soft and
                                   # fine screens' moires dipped at 5-11 px
BORDER_MARGIN = 0.001              # a corner this close to the frame's edge (of its side):
                                   # an engine clamps a cut card's corner onto the edge (to
                                   # within its rounding); a corner a few pixels inside is seen
BORDER_MIN_MARGIN = 1.5            # px, at least: a corner given on the frame's outer edge
                                   # (x = width) or rounded to a pixel is on it
CROPPED_MIN_SHARE = 0.85           # a card this much of the photo: cropped to the card
GLARE_MIN_LIFT = 2.0               # darkest pixel of 3 x 3 this far above the paper's mean...
GLARE_MIN_RISE = 0.15              # ...and this share of the way from it to white;
GLARE_MIN_BRIGHTER = 4.0           # the pixel this far above the paper's mean...
GLARE_MIN_BRIGHTER_SHARE = 0.3     # ...and this share of the way to white
GLARE_MIN_SHARE = 0.5              # of a small cell's pixels washed out
GLARE_MIN_CELLS = 3
GLARE_MIN_CLIPPED = 249            # a highlight reflects the lamp or the window itself: some
                                   # washed cell's white reaches the sensor's clip (255, less
                                   # what JPEG's ringing and a phone's noise take off it); a
                                   # card lit unevenly, beside a soft shadow, is brighter, not
                                   # clipped
GLARE_MAX_SPAN = 0.5               # or a cell flatter than this share of the paper's own span
GLARE_SPAN_RANK = 0.35             # (white less darkest pixel; the span at this rank of the
                                   # field cells: blank paper, below the print, above glare)
GLARE_AROUND = 9                   # and of the span around it (a 9 x 9 cell neighbourhood),
GLARE_MIN_WHITE = -3.0             # its white not under the paper's by more than this: the
                                   # light washed the print and the paper's grain out
GLARE_MIN_FLAT_LIFT = 1.0         # and its mean this far above the paper's mean (white less
                                   # grain): a highlight adds light; paper the security print
                                   # leaves blank is flat at the paper's own level
GLARE_MIN_PAPER_SPAN = 6.0         # a paper with less grain than this (grey levels) has no
                                   # grain to lose: only the brightness says glare on it
GLARE_LINE_SHARE = 0.1            # a line of light (an LED strip's row of reflections): small
                                   # field cells with this share of their pixels washed out...
GLARE_LINE_REACH = 2               # ...each within this many cells of the next (its spots lie
                                   # 1.1-1.6 cells apart: a cell between two is often dark)...
GLARE_LINE_MIN_CELLS = 10          # ...this many of them, one clipped (GLARE_MIN_CLIPPED)...
                                   # (rover's strips 8-22; an HDR photo's halos along a row of
                                   # print reach 6-8)
GLARE_LINE_WIDTH = 0.8             # ...lying along a line: their spread across it (cells, std)
                                   # at most this (rover's strips 0-0.45; a blown-out paper's
                                   # noise spreads both ways: 1.27)
GLARE_CELLS = (32, 20)
WHITE_FILTER = 5                   # px of the straightened card: wider than a stroke
OCCLUSION_MIN_CELLS = 8            # small cells (32 x 20 grid)
OCCLUSION_MAX_TEXTURE = 0.6        # flatter than this share of the paper's texture...
OCCLUSION_MIN_CHROMA = 10.0        # ...and this far from the paper's colour (Cb/Cr)...
OCCLUSION_MIN_DARKEN = 25.0        # ...or this much darker than the paper;
OCCLUSION_STRONG_CHROMA = 20.0     # or, flat or not, this far from the paper's colour;
OCCLUSION_DEPTH_RANK = 0.9         # the card's print depth: this rank of its small field
                                   # cells' spans (white less darkest pixel)
OCCLUSION_PRINT_SHOWN = 0.5        # a darkened cell whose print still shows at this share of
OCCLUSION_SHADE_KEEPS = 0.75       # that depth, its white at least this share of the paper's,
                                   # is shaded paper, not covered (an object's own brightest,
                                   # a pen's highlight, is far darker than the paper)
OCCLUSION_SHADE_MOSTLY_LIGHT = 0.5  # ...and its mean in the upper half of its span: paper
                                   # between the strokes is most of a field cell, shaded or
                                   # not; a dark object's highlights are streaks over its dark
OCCLUSION_LIT_WITHIN = 8.0         # a colour with its mean this close to the paper's white is
                                   # light (a lamp's or a window's colour in a highlight): an
                                   # object lit by the same light is darker than the paper
LIGHT_BAND_MIN = 0.02             # a patch is a band of light when the frame on both sides
LIGHT_BAND_SHARE = 0.3             # of the card, along the same rows (or columns), is this
                                   # much brighter (darker) than its trend over the card's
                                   # span, and by at least this share of the patch's own
                                   # change from the paper's white (the band's own width
                                   # and the card's tone curve make the two differ)...
LIGHT_BAND_AGREE = 0.33            # ...and alike on both sides: the weaker side's change at
                                   # least this share of the stronger's (light crosses the
                                   # frame; a lamp's pool or bokeh lights one part of it)
LIGHT_BAND_BESIDE = 4              # small cells of the card's fields along the patch's lines
LIGHT_BAND_ON_CARD = 0.2           # (when it leaves that many) changed by this share of the
                                   # patch's change at least (the print beside it lowers their
                                   # white; a cloth's pattern leaves them as they are)
LIGHT_BAND_EDGE = 0.5              # the frame's largest step from one line to the next about
                                   # a band, as a share of its whole rise, beyond which it steps:
                                   # light that flickers fades in and out over many lines, an
                                   # object laid across the frame (a strap, a slip) steps at its
                                   # edges in every part of the frame (noise in one part)
LIGHT_BAND_SIDE = 0.03             # of the frame beside the card, at least, to read a line
LIGHT_SIDE = 256                   # px: the frame's copy the bands are read on (longer side)
PAPER_MIN_SHARE = 0.30             # field cells at the paper's level: under it, the region
                                   # does not show a card (the cell rules are not run)
SECOND_CARD_MIN_EDGES = 9.0        # grey levels: three straight sides of a second card...
SECOND_CARD_OVER_TEXTURE = 0.45    # ...and this share of the frame's mean gradient outside
                                   # the card: on a patterned cloth, a check or a printed page,
                                   # card-sized runs of its edges line up by chance; a card's
                                   # outline stands out from what the background has everywhere
SECOND_CARD_PX = 36                # the card's long side in the overview read for it
SECOND_CARD_BLUR = 0.7             # px: print finer than this is not an edge
SECOND_CARD_RUN = 0.8              # of a side's length: the run along it that is read
SECOND_CARD_RIDGE = 4              # px: a side's gradient against the same this far off it
SECOND_CARD_BEYOND = 1.0           # of a side's length: a run this far past its middle
SECOND_CARD_NEAREST = 0.25         # of the card's short side: a rectangle centred nearer the
                                   # card's centre is the card itself; a card stacked under it
                                   # shows a strip beside one edge, centred 0.37-0.43 from it,
                                   # lying as the card does (turned at most one step); any
                                   # other rectangle stays half the short side away (a hand
                                   # holding the card lies across it there)
SECOND_CARD_MAX_TURN = 30          # degrees a second card lies turned from the first...
SECOND_CARD_TURN_STEP = 15         # ...read in these steps (a side's ends stray 2 px)
SECOND_CARD_PEAKS = 2             # candidates read in each turned overview (a head beside the
                                   # card may outshine the second card in the same turn)
SECOND_CARD_READ = 5               # rectangles read again, strongest first: a second card is
                                   # among the strongest; past them a curved object's many
                                   # rectangles would pass on a straight stretch by chance
SECOND_CARD_SAMPLES = 16           # places along a candidate's side read on the work copy...
SECOND_CARD_SPAN = (0.12, 0.88)    # ...between these shares of its length (not the corners)
SECOND_CARD_REACH = 0.18           # of its long side: how far either side of it its edge is looked
                                   # for (the overview's 15-degree turns and 36 px miss it so far)
SECOND_CARD_STEP = 6               # grey levels over 2 px: the least step that can be its edge
SECOND_CARD_STEPS = 3              # the strongest steps at each place that may be it (a busy
                                   # background's or the card's print may outdo it)
SECOND_CARD_ON_LINE = 1.5          # px: a place's edge this close to a straight line is on it
SECOND_CARD_STRAIGHT = 0.5         # share of a side's places on one straight line: under it the
SECOND_CARD_OWN_SIDE = 0.75        # ...and of an edge inside a rectangle for it to be the object's
                                   # own side (_narrower): an ID back's title rows passed for it at
                                   # 0.55, no more at 0.65; a mirrored light's side held up to 0.8
                                   # (tests/test_kyc_signals.py's photos: the middle of 0.65-0.8)
SECOND_CARD_CURVED_SIDES = 2       # side is curved, and this many curved sides are no card
SECOND_CARD_INSET = 0.15           # of a rectangle's sides: its inside read for print, off its rim
SECOND_CARD_MIN_PRINT = 3.0        # grey levels: the inside's standard deviation, at least (a
                                   # card carries print; a sleeve's cuff, a cloth or a sheet of
                                   # one colour within straight edges is blank: its grain alone)
_OVERVIEW_SIDE = 512
WORK_SIDE = 1024                   # the reduced copy the rules read (longer side)


def kyc_signals(image, quad, side: Optional[str] = None,
                others: Sequence[Sequence[Tuple[float, float]]] = (),
                factor: Optional[int] = None) -> Tuple[List[str], dict]:
    """(warnings, measurements) of the six KYC signals; `quad` is None without a region,
    `others` the corners of the other sides of the same card (a sheet), both in `image`'s
    pixels. `factor`: the reduction that makes `image` the picture assessed (by default the
    one that brings it to MAX_ASSESSED_SIDE)."""
    measures: dict = {}
    warnings: List[str] = []
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    width, height = image.size
    clamped = False
    if quad is not None:
        margin = max(BORDER_MIN_MARGIN, BORDER_MARGIN * max(width, height))
        at_edge = [not (margin <= x <= width - 1 - margin and margin <= y <= height - 1 - margin)
                   for x, y in quad]
        beyond = [not (-margin <= x <= width - 1 + margin and -margin <= y <= height - 1 + margin)
                  for x, y in quad]
        measures["corners_at_edge"] = sum(at_edge)
        # A photo cropped to the card has its corners on the edge too: there, only a corner
        # beyond the frame says the card was cut.
        cropped_to_card = _area([{"x": x, "y": y} for x, y in quad]) >= \
            CROPPED_MIN_SHARE * width * height
        if any(beyond) or (any(at_edge) and not cropped_to_card):
            warnings.append("incomplete_border")
        # Corners on the edge but none beyond: the engine clamped a cut card's corners to the
        # frame, and the region is not the card's outline (its layout would be misread).
        clamped = any(at_edge) and not any(beyond) and not cropped_to_card
    # Every rule but the screen's reads one reduced copy, made once from the photo: its cost
    # does not grow with the photo (a 12 MP photo costs one box reduction, which reads it once).
    factor = factor or _assessed_factor(image)
    reduction = factor * -(-max(image.size) // factor // WORK_SIDE)
    work = image.reduce(reduction) if reduction > 1 else image
    scale = work.size[0] / width
    small_quad = [(x * scale, y * scale) for x, y in quad] if quad is not None else None
    card = _straightened(work, small_quad) if quad is not None else None
    colour = card if card is not None else _shrunk(work, _OVERVIEW_SIDE * 2)
    colourful = _colour_beyond_tone(colour)
    spread = _chroma_spread(colour)
    measures["colour_beyond_tone"] = round(colourful, 2)
    measures["chroma_spread"] = round(spread, 2)
    # The card's corners as (x, y) pairs: the box of the card, not of the whole frame.
    dip = _grid_dip(image, _box(quad, width, height) if quad is not None else None,
                    _slope(quad) if quad is not None and not clamped else 0.0, factor)
    measures["grid_dip"] = round(dip, 3)
    # Colour at the pixel's scale on a grey card is a screen's subpixels only where the
    # screen's grid is seen: a camera's demosaicing and sharpening also fringe a copy's
    # halftone dots and toner grain with colour. A card cut by the frame keeps the excuse:
    # its coloured print may be outside, and the grey part left says less.
    whole_card = quad is not None and "incomplete_border" not in warnings
    banded = whole_card and not clamped and card is not None and dip >= SCREEN_MAX_DIP and \
        _banded(card, side, measures)
    copied = banded or colourful < COPY_MIN_COLOUR and (spread < COPY_MAX_CHROMA_SPREAD
                                                        or whole_card and dip >= SCREEN_MAX_DIP)
    # A colour copy keeps the card's colours; a colour laser's planes out of register fringe
    # every edge (a screen's subpixels fringe them too: read only where no grid is seen).
    if not copied and whole_card and not clamped and card is not None and dip >= SCREEN_MAX_DIP:
        share, shift = _misregistration(work, small_quad)
        measures["misregistration"] = [round(share, 3), round(shift, 2)]
        copied = share >= MISREGISTERED_MIN_SHARE and shift >= MISREGISTERED_MIN_SHIFT
    if copied:
        warnings.append("photocopy")
    if dip < SCREEN_MAX_DIP:
        warnings.append("screen_recapture")
    cells = _Cells(card, side) if card is not None else None
    if cells is not None:
        measures["paper_share"] = round(cells.paper_share, 2)
    if cells is not None and cells.paper_share >= PAPER_MIN_SHARE and not clamped:
        # A copy has lost the paper's grain everywhere: flatness says nothing of light on it.
        light = _FrameLight(work, small_quad)
        measures["glare_cells"] = cells.glare(flatness="photocopy" not in warnings, light=light)
        measures["glare_line_cells"] = cells.glare_line(light=light)
        measures["occluded_cells"] = cells.occluded(light=light)
        if measures["occluded_cells"] >= OCCLUSION_MIN_CELLS:
            warnings.append("occlusion")
        if measures["glare_cells"] >= GLARE_MIN_CELLS \
                or measures["glare_line_cells"] >= GLARE_LINE_MIN_CELLS:
            warnings.append("glare_on_fields")
        edges, texture = _second_card_edges(
            work, small_quad, [[(x * scale, y * scale) for x, y in o] for o in others])
        measures["second_card_edges"] = round(edges, 1)
        measures["background_texture"] = round(texture, 1)
        # On a photo of a screen the rectangles round the card are the screen's (its bezel,
        # the viewer's bars), not cards; the photo is already a recapture.
        if edges >= _second_card_least(texture) and "screen_recapture" not in warnings:
            warnings.append("multiple_cards")
    return warnings, measures


def _slope(quad) -> float:
    """dy/dx of the card's top edge (top-left to top-right), within +-1 (45 degrees)."""
    (x0, y0), (x1, y1) = quad[0], quad[3]
    return max(-1.0, min(1.0, (y1 - y0) / (x1 - x0))) if abs(x1 - x0) > 1e-6 else 0.0


def _shrunk(image, side: int):
    """A copy at most `side` px on its longer side, by the smallest integer box reduction
    that gets there (a reduction is one cheap pass; a resampling filter is not)."""
    factor = -(-max(image.size) // side)
    return image.reduce(factor) if factor > 1 else image


def _straightened(image, quad):
    """The card upright at CARD_SIZE from its corners; pixels outside the photo are black."""
    from PIL import Image

    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    # Only the part inside the photo is cut (a region far outside must not cost memory); the
    # transform fills the rest with black, and `inside` says which pixels those are.
    x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
    x1, y1 = min(image.size[0], int(max(xs)) + 1), min(image.size[1], int(max(ys)) + 1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    factor = max(1, int(min((max(xs) - min(xs)) / (CARD_SIZE[0] * 1.5),
                            (max(ys) - min(ys)) / (CARD_SIZE[1] * 1.5))))
    crop = image.crop((x0, y0, x1, y1))
    if crop.mode != "RGB":
        crop = crop.convert("RGB")  # (an RGB crop is already a copy of its own)
    inside = Image.new("L", crop.size, 255)
    if factor > 1:
        crop, inside = crop.reduce(factor), inside.reduce(factor)
    data = [c for x, y in quad for c in ((x - x0) / factor, (y - y0) / factor)]
    card = crop.transform(CARD_SIZE, Image.QUAD, data, resample=Image.BILINEAR)
    if min(xs) >= 0 and min(ys) >= 0 and max(xs) < image.size[0] and max(ys) < image.size[1]:
        # The card whole in the photo: every pixel of it samples the crop (its box), and
        # `inside` is white throughout (the readers take it as shown above 250): not drawn.
        card.info["inside"] = Image.new("L", CARD_SIZE, 255)
    else:
        card.info["inside"] = inside.transform(CARD_SIZE, Image.QUAD, data,
                                               resample=Image.BILINEAR)
    return card


def _colour_beyond_tone(image) -> float:
    """How coloured the card is beyond what its tone explains: in CARD_CELLS cells (over the
    photo's own pixels only: a card cut by the frame is black where the photo ends), each
    cell's Cb and Cr are predicted from its grey level by a straight line fitted over all
    cells; the distance of a cell's colour from its prediction, in the COPY_MIN_CELLS-th
    most coloured cell, scaled to a paper at COPY_PAPER_LEVEL.

    A copy's colour is a function of its tone: toner on tinted paper, under a coloured light,
    gives a tint that grows with the brightness, and the camera's noise averages out in a
    cell. A card holds colours the tone does not predict, over areas larger than a cell: the
    portrait, the red emblem, the blue labels and the tinted security print."""
    from PIL import Image

    y, cb, cr = image.convert("YCbCr").split()
    inside = image.info.get("inside")
    cells = [list(band.resize(CARD_CELLS, Image.BOX).getdata()) for band in (y, cb, cr)]
    shown = list(inside.resize(CARD_CELLS, Image.BOX).getdata()) if inside is not None \
        else [255] * len(cells[0])
    used = [k for k, v in enumerate(shown) if v > 250]
    if len(used) < 2 * COPY_MIN_CELLS:
        return 0.0  # too little of the card in the photo to say
    grey = [cells[0][k] for k in used]
    lines = [_line(grey, [channel[k] for k in used]) for channel in cells[1:]]
    beyond = sorted((sum((channel[k] - a - b * cells[0][k]) ** 2
                         for channel, (a, b) in zip(cells[1:], lines))) ** 0.5 for k in used)
    # Cb and Cr are differences of gamma-encoded channels: a print's distance from neutral
    # shrinks with the light on it. Read as if the card's paper were at COPY_PAPER_LEVEL: a
    # card in a dim room keeps its colours, a copy has none to keep. Never scaled down: light
    # past the usual lifts the paper toward white without colouring the print more (a bright
    # exposure read 7.0-8.9 at paper levels past 200 and, scaled down, as a copy).
    paper = sorted(grey)[int(0.9 * (len(grey) - 1))]
    return beyond[-COPY_MIN_CELLS] * COPY_PAPER_LEVEL / min(max(paper, COPY_MIN_PAPER_LEVEL),
                                                            COPY_PAPER_LEVEL)


def _chroma_spread(image) -> float:
    """The colour at the pixel's scale that the grey level does not explain: the standard
    deviation of Cb and of Cr (the larger) within bands of equal brightness, pooled, over the
    photo's own pixels. A screen's subpixels leave colour on every edge; a copy has none."""
    from PIL import Image, ImageChops

    y, cb, cr = image.convert("YCbCr").split()
    inside = image.info.get("inside")
    inside = inside.point(lambda v: 255 if v > 250 else 0) if inside is not None else None
    if inside is not None and not inside.getbbox():
        inside = None  # a degenerate region: the straightened copy as it is
    # Each pixel's band numbered from 1 (0 outside the photo), so that a band's mask is one
    # lookup; Cb and Cr in one image, so that one histogram under the mask gives both (and
    # the band's pixel count, the sum of either).
    bands = y.point([1 + v // COPY_BAND for v in range(256)])
    if inside is not None:
        bands = ImageChops.multiply(bands, inside)  # inside is 0 or 255: a mask
    chroma = Image.merge("RGB", (cb, cr, y))  # ("LA"'s histogram reads its A otherwise)
    pooled, count = [0.0, 0.0], 0
    for number in range(1, 1 + -(-256 // COPY_BAND)):
        histogram = chroma.histogram(bands.point([255 * (v == number) for v in range(256)]))
        n = sum(histogram[:256])
        if n < COPY_BAND_MIN_PIXELS:
            continue
        for i in (0, 1):
            pooled[i] += _variance(histogram[256 * i:256 * (i + 1)]) * n
        count += n
    return (max(pooled) / count) ** 0.5 if count else 0.0


_SQUARES = [v * v for v in range(256)]


def _variance(histogram: List[int]) -> float:
    """The variance of an 8-bit band from its histogram: ImageStat's, to the last bit (its
    sums, of integers, are exact in floats at these sizes), without its Python loop over the
    256 levels."""
    n = sum(histogram)
    total, squares = sum(map(mul, histogram, range(256))), sum(map(mul, histogram, _SQUARES))
    return (float(squares) - float(total) ** 2.0 / n) / n


def _banded(card, side: Optional[str], measures: dict) -> bool:
    """Whether the card's paper is banded along one of its axes, as an inkjet's print head
    leaves it (its passes lay the ink a little thicker or thinner, in stripes across the
    page), a colour copy whose colours pass the copy's other tests. Read on the fields' part
    of the straightened card (the side's picture left out): the paper's level along each row
    (and each column), a high rank of its pixels (BANDING_RANK), is the light's smooth trend
    on a card; on an inkjet copy it repeats along one axis (down the rows, or along the
    columns when the card lay across the copier's glass) and not along the other.
    Puts the repeats (rows, columns) and the repeating axis' depth into `measures`."""
    from PIL import Image

    w, h = card.size
    zone = PICTURE_ZONES.get(side or "face", PICTURE_ZONES["face"])
    # the wider of the two parts beside the picture, inside the rim
    left, right = (RIM * w, zone[0] * w), (zone[2] * w, (1 - RIM) * w)
    x0, x1 = max(left, right, key=lambda part: part[1] - part[0])
    fields = card.convert("L").crop((int(x0), int(RIM * h), int(x1), int((1 - RIM) * h)))
    rows = _repeat(_line_levels(fields))
    columns = _repeat(_line_levels(fields.transpose(Image.Transpose.TRANSPOSE)))
    along, across = max((rows, columns), (columns, rows), key=lambda pair: pair[0][0])
    measures["banding"] = [round(rows[0], 2), round(columns[0], 2)]
    measures["banding_depth"] = round(along[1], 1)
    return along[0] >= BANDING_MIN_REPEAT and along[1] >= BANDING_MIN_DEPTH and \
        across[0] < BANDING_MAX_ACROSS


def _line_levels(grey) -> List[int]:
    """The paper's level along each row of `grey`: the BANDING_RANK-th of its pixels, read
    on every other pixel, each the lighter of itself and its right neighbour (half the
    sorting, and a stroke's edge pixel is read as the paper beside it)."""
    from PIL import ImageChops

    w, h = grey.size
    data = ImageChops.lighter(grey, grey.crop((1, 0, w + 1, h))).tobytes()
    at = int(BANDING_RANK * (len(range(0, w, BANDING_PAIR)) - 1))
    return [sorted(data[y * w:(y + 1) * w:BANDING_PAIR])[at] for y in range(h)]


def _repeat(levels: List[int]) -> Tuple[float, float]:
    """(how strongly, depth): the largest autocorrelation over BANDING_LAGS of `levels` less
    their moving average (BANDING_TREND each side), and that residual's standard deviation.
    The residual is clipped at three times its median size (plus half a level): a row of
    bold print or the card's edge is one deep dip, not a repeat."""
    n, k = len(levels), BANDING_TREND
    if n < 2 * k + 2 * max(BANDING_LAGS):
        return 0.0, 0.0
    padded = [levels[0]] * k + list(levels) + [levels[-1]] * k
    sums = list(accumulate(padded, initial=0))
    residual = [levels[i] - (sums[i + 2 * k + 1] - sums[i]) / (2 * k + 1) for i in range(n)]
    residual = residual[k:n - k]  # the ends' trend is the edge's copies
    limit = 3 * _median([abs(r) for r in residual]) + 0.5
    residual = [max(-limit, min(limit, r)) for r in residual]
    mean = sum(residual) / len(residual)
    residual = [r - mean for r in residual]
    # (map() sums the same products in the same order as a generator, in C)
    variance = sum(map(mul, residual, residual)) / len(residual)
    if variance < 1e-9:
        return 0.0, 0.0
    best = max(sum(map(mul, residual, residual[lag:])) / (len(residual) - lag)
               for lag in BANDING_LAGS)
    return best / variance, variance ** 0.5


def _misregistration(work, quad) -> Tuple[float, float]:
    """(share, shift): how much of the colour difference at the card's edges one colour plane
    shifted against green explains, and that shift in px of `work`. A colour laser prints its
    planes one after the other and seldom lays them exactly in register: red (or blue) is
    displaced by a pixel or two over the whole page, so R-G at every edge of the print follows
    the grey gradient there, -shift . grad(G), with one sign on a stroke's left edge and the
    other on its right. A card's own colours (blue labels, the red emblem, the portrait) fill
    areas, alike on both edges of a stroke; a lens's lateral chromatic aberration shifts red
    radially, growing from the frame's centre, and is fitted and taken off first (a third
    term, the gradient along the radius times the distance). Read on the centre of the card's
    box in `work` (at most MISREGISTERED_SIDE px wide), on the pixels whose gradient is at least
    MISREGISTERED_MIN_GRADIENT; least squares over the image's sums (ImageMath, in C)."""
    from PIL import Image, ImageMath

    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    half_w = min((max(xs) - min(xs)) * (0.5 - 2 * RIM), MISREGISTERED_SIDE / 2)
    half_h = min((max(ys) - min(ys)) * (0.5 - 2 * RIM), MISREGISTERED_SIDE * 0.63 / 2)
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    box = (max(0, int(cx - half_w)), max(0, int(cy - half_h)),
           min(work.size[0], int(cx + half_w)), min(work.size[1], int(cy + half_h)))
    w, h = box[2] - box[0], box[3] - box[1]
    if w < 16 or h < 16 or work.mode != "RGB":
        return 0.0, 0.0
    red, green, blue = (c.convert("F") for c in work.crop(box).split())
    inner = (1, 1, w - 1, h - 1)

    def calc(f, **images):
        return ImageMath.lambda_eval(lambda a: f(a), **images)

    gx = calc(lambda a: (a["p"] - a["q"]) / 2, p=green.crop((2, 1, w, h - 1)),
              q=green.crop((0, 1, w - 2, h - 1)))
    gy = calc(lambda a: (a["p"] - a["q"]) / 2, p=green.crop((1, 2, w - 1, h)),
              q=green.crop((1, 0, w - 1, h - 2)))
    # the distance from the frame's centre, across and down, in frame widths
    size = (w - 2, h - 2)
    across = Image.linear_gradient("F").transpose(Image.Transpose.TRANSPOSE).resize(size)
    down = Image.linear_gradient("F").resize(size)
    ox, oy = box[0] + 1 - work.size[0] / 2, box[1] + 1 - work.size[1] / 2
    sx, sy = (size[0] - 1) / 255, (size[1] - 1) / 255
    gr = calc(lambda a: ((a["u"] * sx + ox) * a["x"] + (a["v"] * sy + oy) * a["y"]) / work.size[0],
              u=across, v=down, x=gx, y=gy)
    edge = MISREGISTERED_MIN_GRADIENT ** 2
    mask = calc(lambda a: (a["x"] * a["x"] + a["y"] * a["y"] > edge) * 1.0, x=gx, y=gy)

    def mean(f, **images):  # over the edge pixels, in the image's own mean (a 1 x 1 box)
        return calc(lambda a: f(a) * a["m"], m=mask, **images).resize(
            (1, 1), Image.BOX).getpixel((0, 0)) / share

    share = mask.resize((1, 1), Image.BOX).getpixel((0, 0))
    if share * size[0] * size[1] < 200:
        return 0.0, 0.0  # too few edges to say
    terms = {"x": gx, "y": gy, "r": gr}
    names = list(terms)
    means = {k: mean(lambda a, k=k: a[k], **{k: terms[k]}) for k in names}
    cov = {(i, j): mean(lambda a, i=i, j=j: a[i] * a[j], **{i: terms[i], j: terms[j]})
           - means[i] * means[j] for i in names for j in names if names.index(i) <= names.index(j)}

    def matrix(keys):
        return [[cov[min(i, j, key=names.index), max(i, j, key=names.index)] for j in keys]
                for i in keys]

    best = (0.0, 0.0)
    for plane in (red, blue):
        d = calc(lambda a: a["p"] - a["g"], p=plane.crop(inner), g=green.crop(inner))
        mean_d = mean(lambda a: a["d"], d=d)
        variance = mean(lambda a: a["d"] * a["d"], d=d) - mean_d ** 2
        if variance < 1e-6:
            continue
        with_d = {k: mean(lambda a, k=k: a["d"] * a[k], d=d, **{k: terms[k]}) - mean_d * means[k]
                  for k in names}
        radial = _solved(matrix(["r"]), [with_d["r"]])
        full = _solved(matrix(names), [with_d[k] for k in names])
        if radial is None or full is None:
            continue
        explained = sum(c * with_d[k] for c, k in zip(full, names)) \
            - radial[0] * with_d["r"]
        shift = (full[0] ** 2 + full[1] ** 2) ** 0.5
        if explained / variance > best[0]:
            best = (explained / variance, shift)
    return best


def _solved(a: List[List[float]], b: List[float]) -> Optional[List[float]]:
    """x of a x = b (a small symmetric system, Gauss-Jordan); None when singular."""
    n = len(b)
    m = [list(row) + [v] for row, v in zip(a, b)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-9:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[r][n] / m[r][r] for r in range(n)]


def _line(xs: List[float], ys: List[float]) -> Tuple[float, float]:
    """(a, b) of the least-squares line y = a + b x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    vx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / vx if vx > 1e-9 else 0.0
    return my - b * mx, b


def _laplacian(grey):
    from PIL import ImageFilter

    return grey.filter(ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1,
                                          offset=128))


def _extreme(grey, size: int, brightest: bool):
    """The brightest (or darkest) pixel of each size x size neighbourhood, as lighter (darker)
    of shifted copies, rows then columns: Pillow's rank filter sorts every neighbourhood and
    costs ten times more. A shifted copy is a crop beyond the image (a copy of rows, where
    ImageChops.offset wraps pixel by pixel); what it brings in at the edges is black: the
    rim is not read."""
    from PIL import ImageChops

    pick = ImageChops.lighter if brightest else ImageChops.darker
    half = size // 2
    w, h = grey.size
    rows = grey
    for d in range(-half, half + 1):
        if d:
            rows = pick(rows, grey.crop((d, 0, w + d, h)))
    out = rows
    for d in range(-half, half + 1):
        if d:
            out = pick(out, rows.crop((0, d, w, h + d)))
    return out


def _texture(grey):
    """|Laplacian| of a grey image: ink and edges bright, flat areas dark. The filter leaves
    the outermost pixels as they were, so they are set to 0 (no texture)."""
    from PIL import Image, ImageChops, ImageOps

    texture = ImageChops.difference(_laplacian(grey), Image.new("L", grey.size, 128))
    return ImageOps.expand(ImageOps.crop(texture, 1), 1, 0)


def _grid_dip(image, box, slope: float = 0.0, factor: int = 1) -> float:
    """How far the mean difference of the high-passed patch with itself shifted by one lag
    dips below its neighbours' lags (1: no dip; a screen's pixel grid repeats at its pitch:
    its subpixel columns along the rows, its pixel rows down the columns). The deeper of the
    two axes' deepest dips. The grid is the card's (the card is shown upright on the
    screen): `slope` is the tilt of the card's top edge (dy/dx), and a shift along the rows
    follows it, so that a turned grid still lands on itself."""
    x0, y0, x1, y1 = (int(v // factor) for v in box or (0, 0) + image.size)
    side = min(SCREEN_PATCH, x1 - x0, y1 - y0)
    if side < 4 * max(SCREEN_LAGS):
        return 1.0
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    # The patch of the picture assessed (the photo reduced by `factor`), made from the photo;
    # its central part (SCREEN_BAND_PATCH of its side) first, made alone (a box reduction's
    # blocks start at the same pixels of the photo: the same values as the patch's centre).
    px, py = cx - side // 2, cy - side // 2
    inner = int(side * SCREEN_BAND_PATCH)
    centre = None
    if inner >= 4 * max(SCREEN_LAGS):
        at = (side - inner) // 2
        centre = _assessed_crop(image, factor, (px + at, py + at, px + at + inner,
                                                py + at + inner)).convert("L")
        # A first pass on the centre alone (a quarter of the cost): a screen's grid covers
        # the whole patch, and its centre dips as the whole does (on the tuned sets' photos
        # the centre of every screen the whole patch found dipped under SCREEN_CENTRE_CLEAR);
        # a centre that does not is no screen to the Laplacian, and the whole patch is not read.
        dip = _deepest_dip(_laplacian(centre), slope, SCREEN_LAGS)
        if dip >= SCREEN_CENTRE_CLEAR:
            return min(dip, _deepest_dip(_band_passed(centre), slope, SCREEN_BAND_LAGS))
    patch = _assessed_crop(image, factor, (px, py, cx + side // 2, cy + side // 2)).convert("L")
    dip = _deepest_dip(_laplacian(patch), slope, SCREEN_LAGS)
    if dip < SCREEN_MAX_DIP or centre is None:
        # Already a screen: the band-pass could only deepen a dip no rule reads but through
        # SCREEN_MAX_DIP (grid_dip then reports the Laplacian's dip).
        return dip
    # A grid softened by the lens or a shake, or a screen whose pixels are about as fine as
    # the camera's (under about 2.5 px: aliased into a moire at a longer period), keeps its
    # period but loses the sharp pixel-scale edges the Laplacian reads, where the sensor's
    # grain drowns it; a band-pass keeps the period and drops the grain.
    return min(dip, _deepest_dip(_band_passed(centre), slope, SCREEN_BAND_LAGS))


def _band_passed(grey):
    """The grey image's detail between SCREEN_BAND's two scales, about 128."""
    from PIL import ImageChops, ImageFilter

    fine, coarse = (grey.filter(ImageFilter.GaussianBlur(r)) for r in SCREEN_BAND)
    return ImageChops.subtract(fine, coarse, scale=1, offset=128)


def _deepest_dip(high, slope: float, lags: range) -> float:
    """How far the mean difference of `high` with itself shifted by one of `lags` (the first
    and last only as neighbours) dips below its neighbouring lags' (1: no dip), the deeper of
    the two axes' deepest; a shift along the rows follows the card's `slope`."""
    from PIL import ImageChops

    w, h = high.size
    differences = {}
    corners = {(0, 0): high}

    def corner(x: int, y: int):
        # The image without its first x columns and y rows. A difference of two images of
        # unequal size is taken on their common top-left part, so a shift needs only the
        # corners its two sides start at (often the uncropped image), each made once.
        if (x, y) not in corners:
            corners[x, y] = high.crop((x, y, w, h))
        return corners[x, y]

    def difference(dx: int, dy: int) -> float:
        if (dx, dy) not in differences:
            diff = ImageChops.difference(corner(max(0, dx), max(0, dy)),
                                         corner(max(0, -dx), max(0, -dy)))
            # The mean from the histogram as an integer sum (level k counted once for every
            # level from k up): exactly ImageStat's mean, without its per-level Python loop.
            counts = diff.histogram()
            pixels = sum(counts)
            differences[dx, dy] = (sum(accumulate(reversed(counts))) - pixels) / pixels
        return differences[dx, dy]

    dips = []
    lags = list(lags)
    for axis in (0, 1):
        for lag in lags[1:-1]:
            # The neighbouring lags at the same offset across: a dip is not a rounding step.
            across = int(round(lag * slope)) * (1 if axis == 0 else -1)
            at = [difference(d, across) if axis == 0 else difference(across, d)
                  for d in (lag - 1, lag, lag + 1)]
            # A flat patch (clipped by a flash) differs by rounding at every lag: nothing
            # over nothing is no dip (the band-passed copy of it is 128 throughout).
            neighbours = (at[0] + at[2]) / 2
            dips.append(at[1] / neighbours if neighbours >= SCREEN_LEAST_DIFFERENCE else 1.0)
    return min(dips)


class _Cells:
    """The straightened card in CARD_CELLS cells: brightness, colour and texture of each, the
    paper's level fitted as a plane (lighting falls off across a card), and the cells that
    hold fields. Glare is read on cells half as large (GLARE_CELLS): a highlight over a few
    characters is smaller than a cell."""

    def __init__(self, card, side: Optional[str] = None):
        from PIL import Image, ImageFilter

        y, cb, cr = card.convert("YCbCr").split()

        def cells(img, grid=CARD_CELLS):
            return list(img.resize(grid, Image.BOX).getdata())

        self.y, self.cb, self.cr = cells(y), cells(cb), cells(cr)
        texture = _texture(y)  # read in both grids: made once
        self.texture = cells(texture)
        inside = card.info["inside"]
        self.side = side if side in PICTURE_ZONES else self._side(cells(inside))
        self.field = _fields(CARD_CELLS, cells(inside), self.side)
        self.fit = self._paper_plane()
        self.plane = _evaluate(self.fit, CARD_CELLS)
        paper = [k for k in self._indices() if abs(self.y[k] - self.plane[k]) < 12]
        self.paper_share = len(paper) / max(1, len(self._indices()))
        paper = paper or self._indices()
        self.paper_cb = _median([self.cb[k] for k in paper]) if paper else 128.0
        self.paper_cr = _median([self.cr[k] for k in paper]) if paper else 128.0
        self.paper_level = _median([self.plane[k] for k in paper]) if paper else 0.0
        self.paper_texture = _median([self.texture[k] for k in paper]) if paper else 0.0
        # The small cells: the paper's white between the strokes (print is thinner than the
        # filter, so the brightest pixel near each pixel is paper, unless something covers
        # it or light washes it out), and the darkest pixel (print, unless washed out).
        self.grey, self.darkest = y, _extreme(y, 3, brightest=False)
        self.floor = cells(self.darkest, GLARE_CELLS)
        self.white = cells(_extreme(y, WHITE_FILTER, brightest=True), GLARE_CELLS)
        self.fine_texture = cells(texture, GLARE_CELLS)
        self.fine_y = cells(y, GLARE_CELLS)
        self.fine_cb, self.fine_cr = cells(cb, GLARE_CELLS), cells(cr, GLARE_CELLS)
        self.fine_field = _fields(GLARE_CELLS, cells(inside, GLARE_CELLS), self.side)
        self.white_plane = _evaluate(self._white_plane(), GLARE_CELLS)
        near = [k for k, f in enumerate(self.fine_field)
                if f and abs(self.white[k] - self.white_plane[k]) < 12] or \
            [k for k, f in enumerate(self.fine_field) if f]
        self.white_cb = _median([self.fine_cb[k] for k in near]) if near else 128.0
        self.white_cr = _median([self.fine_cr[k] for k in near]) if near else 128.0
        self.white_texture = _median([self.fine_texture[k] for k in near]) if near else 0.0
        self._washed_share: Optional[Tuple[List[int], List[float]]] = None

    def _white_plane(self) -> Tuple[float, float, float]:
        """The paper's white as a plane over the small field cells (lighting falls off across
        a card), fitted three times, each time without the cells far off the last fit (glare
        above it, fingers and objects below it)."""
        return _fitted_plane(self.white, [k for k, f in enumerate(self.fine_field) if f],
                             GLARE_CELLS, rounds=3, scale=3, floor=3, below=1.0)

    def _side(self, inside: List[int]) -> str:
        """back when the emblem's zone holds red (the emblem), else face. Compared with the
        card's most common redness, which stands for its paper here."""
        x0, y0, x1, y1 = EMBLEM_ZONE
        zone = [k for k, (u, v) in enumerate(_coords(CARD_CELLS))
                if x0 <= u <= x1 and y0 <= v <= y1 and inside[k] > 250]
        paper = _median(self.cr)
        red = sum(self.cr[k] - paper >= EMBLEM_MIN_RED for k in zone)
        return "back" if red >= EMBLEM_MIN_CELLS else "face"

    def _indices(self):
        return [k for k, f in enumerate(self.field) if f]

    def _paper_plane(self) -> Tuple[float, float, float]:
        """Least squares y = a + b u + c v over the field cells, twice: the second time
        without the cells far off the first plane (print, glare, fingers). Paper is the
        brightest of what is printed on: print sits below it, so less is kept below."""
        return _fitted_plane(self.y, self._indices(), CARD_CELLS, rounds=2, scale=2, floor=4,
                             below=0.5)

    def _washed(self) -> Tuple[List[int], List[float]]:
        """(each small cell's share of pixels washed out by light, 0-255: the pixel well above
        the paper's mean level and even the darkest pixel near it lifted (the print under it
        lost); the paper's mean level in each cell), read once for both glare rules."""
        if self._washed_share is not None:
            return self._washed_share
        from PIL import Image, ImageChops

        def image_of(values):
            grid = Image.new("L", GLARE_CELLS)
            grid.putdata([max(0, min(255, int(round(v)))) for v in values])
            return grid.resize(CARD_SIZE, Image.BILINEAR)

        # The paper's mean level: its white less its grain (noise, security print), the
        # gap of the least textured quarter of the field cells.
        gaps = sorted(self.white[k] - self.fine_y[k] for k, f in enumerate(self.fine_field) if f)
        grain = max(0.0, gaps[len(gaps) // 4]) if gaps else 0.0
        paper = [w - grain for w in self.white_plane]
        lowest = image_of([p + max(GLARE_MIN_LIFT, GLARE_MIN_RISE * (255 - p)) for p in paper])
        brighter = image_of([p + max(GLARE_MIN_BRIGHTER, GLARE_MIN_BRIGHTER_SHARE * (255 - p))
                             for p in paper])
        # subtract() stops at 0: 0 where the pixel reaches the threshold.
        washed = ImageChops.lighter(ImageChops.subtract(lowest, self.darkest),
                                    ImageChops.subtract(brighter, self.grey))
        share = list(washed.point(lambda v: 0 if v else 255).resize(GLARE_CELLS, Image.BOX)
                     .getdata())
        self._washed_share = (share, paper)
        return self._washed_share

    def glare_line(self, light: Optional["_FrameLight"] = None) -> int:
        """Small field cells in the largest line of light: cells with GLARE_LINE_SHARE of their
        pixels washed out, each within GLARE_LINE_REACH cells of the next, one of them clipped
        (GLARE_MIN_CLIPPED), lying along a line (GLARE_LINE_WIDTH), not a band of light across
        the frame. An LED strip (or a row of spotlights) mirrored in the laminate is a row of
        small hot spots, each smaller than a cell and apart from the next: no patch of washed
        cells, but the print under each spot is lost. A paper blown out to the clip has washed
        pixels here and there by its noise alone, spread both ways. 0 when no line is found."""
        share, _ = self._washed()
        spots = [f and share[k] >= GLARE_LINE_SHARE * 255 for k, f in enumerate(self.fine_field)]
        lines = [k for patch in _patches(spots, GLARE_CELLS, GLARE_LINE_REACH)
                 if len(patch) >= GLARE_LINE_MIN_CELLS
                 and any(self.white[j] >= GLARE_MIN_CLIPPED for j in patch)
                 and _thickness(patch, GLARE_CELLS[0]) <= GLARE_LINE_WIDTH for k in patch]
        flags = [False] * len(spots)
        for k in lines:
            flags[k] = True
        return self._largest_unlit(flags, GLARE_LINE_MIN_CELLS, light, reach=GLARE_LINE_REACH)

    def glare(self, flatness: bool = True, light: Optional["_FrameLight"] = None) -> int:
        """The largest patch of small field cells washed out by a highlight: most of their
        pixels brighter than the paper's white around them with even the darkest pixel near
        them near that white (the print under them lost), read pixel by pixel, then by cell
        (a narrow streak covers few cells whole); or, with `flatness`, cells flatter than the
        card's blank paper and the paper around them, not darker than its white (a highlight
        the phone's tone curve compressed has lost the grain more than it gained light).
        Washed cells count only when one of them is clipped (GLARE_MIN_CLIPPED): paper lit
        more than the fitted plane says, beside a shadow, is not a highlight."""
        from PIL import Image, ImageFilter

        share, paper = self._washed()
        # A highlight flattens what it covers (a blown-out or tone-compressed level has no
        # grain): the cell's span from its darkest pixel to its white collapses, compared
        # with the same card's blank paper, while its white stays at the paper's or above.
        # Flatter than the card's blank paper, and than the paper around it: a card whose
        # print fades towards one side (lit more there) is not flatter than its surroundings.
        spans = [max(0.0, w - f) for w, f in zip(self.white, self.floor)]
        blank = sorted(spans[k] for k, f in enumerate(self.fine_field) if f)
        paper_span = blank[int(GLARE_SPAN_RANK * len(blank))] if blank else 0.0
        grid = Image.new("L", GLARE_CELLS)
        grid.putdata([min(255, int(round(v))) for v in spans])
        size = GLARE_AROUND
        around = list(grid.filter(ImageFilter.RankFilter(size, int(GLARE_SPAN_RANK * size * size)))
                      .getdata())
        washed_cells = [f and share[k] >= GLARE_MIN_SHARE * 255
                        for k, f in enumerate(self.fine_field)]
        clipped = any(self.white[k] >= GLARE_MIN_CLIPPED
                      for k, w in enumerate(washed_cells) if w)
        lifted = [f and (washed_cells[k] and clipped
                         or flatness and paper_span >= GLARE_MIN_PAPER_SPAN
                         and spans[k] <= GLARE_MAX_SPAN * min(paper_span, around[k])
                         and self.white[k] >= self.white_plane[k] + GLARE_MIN_WHITE
                         and self.fine_y[k] >= paper[k] + GLARE_MIN_FLAT_LIFT)
                  for k, f in enumerate(self.fine_field)]
        return self._largest_unlit(lifted, GLARE_MIN_CELLS, light)

    def occluded(self, light: Optional["_FrameLight"] = None) -> int:
        """The largest patch of small field cells where the paper does not show: its white
        between the strokes is gone and its print does not show through (something darker
        than the paper covers the cell: shade darkens paper and print alike) or the
        cell is of another colour than the paper (skin, a coloured object) below the paper's
        white (a highlight in the lamp's colour is as bright as the paper: light, no object)."""
        # The card's print depth, in the cells holding the most print: a bent card's edge
        # turned from the light, or a shadow, darkens the paper and its print alike, and the
        # print still shows at much of that depth; an opaque object hides it.
        spans = sorted(self.white[k] - self.floor[k] for k, f in enumerate(self.fine_field) if f)
        depth = spans[int(OCCLUSION_DEPTH_RANK * (len(spans) - 1))] if spans else 0.0
        foreign, shade = [], []
        for k, f in enumerate(self.fine_field):
            chroma = ((self.fine_cb[k] - self.white_cb) ** 2
                      + (self.fine_cr[k] - self.white_cr) ** 2) ** 0.5
            lit = self.fine_y[k] >= self.white_plane[k] - OCCLUSION_LIT_WITHIN
            darkened = self.white[k] <= self.white_plane[k] - OCCLUSION_MIN_DARKEN
            shade.append(f and darkened
                         and self.white[k] - self.floor[k] >= OCCLUSION_PRINT_SHOWN * depth
                         and self.white[k] >= OCCLUSION_SHADE_KEEPS * self.white_plane[k]
                         and self.fine_y[k] >= self.white[k] - OCCLUSION_SHADE_MOSTLY_LIGHT
                         * (self.white[k] - self.floor[k]))
            foreign.append(f and (chroma >= OCCLUSION_STRONG_CHROMA and not lit
                                  or darkened and not shade[k]
                                  or chroma >= OCCLUSION_MIN_CHROMA and not lit
                                  and self.fine_texture[k]
                                  <= OCCLUSION_MAX_TEXTURE * self.white_texture))
        return self._largest_unlit(foreign, OCCLUSION_MIN_CELLS, light, shade)

    def _largest_unlit(self, flags: List[bool], least: int, light: Optional["_FrameLight"],
                       alike: Optional[List[bool]] = None, reach: int = 0) -> int:
        """Cells in the largest patch of flagged cells that is not a band of light across the
        frame: a flickering lamp read by a rolling shutter lights the frame in bands, the card
        and what lies beside it alike, where a highlight or an object changes the card only.
        Patches under `least` cells raise nothing and are not looked at. A patch is read as a
        band together with the `alike` cells it touches (shaded print beside shaded blank
        paper: the same light). `reach`: as _patches."""
        whole = {}
        if alike is not None:
            for grown in _patches([f or a for f, a in zip(flags, alike)], GLARE_CELLS):
                whole.update((k, grown) for k in grown)
        for patch in sorted(_patches(flags, GLARE_CELLS, reach), key=len, reverse=True):
            if len(patch) < least or light is None:
                return len(patch)
            if not light.band(whole.get(patch[0], patch),
                              [self.white[k] / max(1.0, self.white_plane[k]) - 1
                               if f else None for k, f in enumerate(self.fine_field)]):
                return len(patch)
        return 0


class _FrameLight:
    """The frame's brightness beside the card, along its rows and along its columns (a
    rolling shutter reads the sensor by rows, and a phone held upright turns them into the
    picture's columns), on each side of the card, to tell a band of light across the frame
    from a change on the card alone."""

    def __init__(self, work, quad):
        self.work, self.quad, self.profiles = work, quad, None

    def _read(self):
        """In four parts of the frame along the rows (left to right of the card) and along the
        columns (top to bottom), the mean grey level of each row (column) in that part beside
        the card and the frame's trend there, read once; and where the small cells are."""
        from PIL import Image, ImageChops, ImageDraw

        grey = _shrunk(self.work, LIGHT_SIDE).convert("L")
        self.scale = grey.size[0] / self.work.size[0]
        corners = [(x * self.scale, y * self.scale) for x, y in self.quad]
        beside = Image.new("L", grey.size, 255)
        draw = ImageDraw.Draw(beside)
        draw.polygon(corners, fill=0)
        draw.line(corners + corners[:1], fill=0, width=5)  # its shadow, a loose region
        w, h = grey.size
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        self.profiles = {}
        # Each side of the card in two parts, the half next to the card and the half at the
        # frame's edge: a band of light is alike all along the frame, a pool of light round
        # the card (a lamp's, a window's) fades away from it.
        for axis, low, high, size in ((1, min(xs), max(xs), w), (0, min(ys), max(ys), h)):
            middle = (low + high) / 2
            for part, (start, end) in enumerate(((0, low / 2), (low / 2, middle),
                                                 (middle, (high + size) / 2),
                                                 ((high + size) / 2, size))):
                box = (int(start), 0, int(end), h) if axis else (0, int(start), w, int(end))
                side = Image.new("L", grey.size, 0)
                if box[2] > box[0] and box[3] > box[1]:
                    side.paste(beside.crop(box), box[:2])
                line = (1, h) if axis else (w, 1)
                total = list(ImageChops.multiply(grey, side).convert("F").resize(line, Image.BOX)
                             .getdata())
                share = list(side.convert("F").resize(line, Image.BOX).getdata())
                lines = [t for t, v in enumerate(share) if v >= 255 * LIGHT_BAND_SIDE]
                if len(lines) < 8:
                    continue
                means = [total[t] / share[t] for t in lines]
                # The frame's own trend along the part, a parabola over the whole frame:
                # light that falls off smoothly from a lamp (or vignetting) is no band.
                at = [t / len(share) for t in lines]
                fit = _plane([(u, u * u) for u in at], means)
                if fit is not None:
                    self.profiles[axis, part] = {
                        t: (m, fit[0] + fit[1] * u + fit[2] * u * u)
                        for t, u, m in zip(lines, at, means)}
        self.centres = _card_points(self.quad, _coords(GLARE_CELLS))

    def band(self, patch: List[int], changes: List[Optional[float]]) -> bool:
        """Whether the patch is a band of light: the frame beside the card, and the card's
        paper beside the patch, change along the patch's rows (or columns) as the patch does
        (`changes`: each small field cell's white over the paper's, less 1; None off the
        fields). A pattern of the cloth beside the card (a check, stripes) leaves the card's
        paper as it is; and light that flickers fades in and out over many lines, where a
        strap or a slip laid across card and table alike steps at its edges in every part of
        the frame (_steepest)."""
        if self.profiles is None:
            self._read()
        change = sum(changes[k] for k in patch) / len(patch)
        if not change:
            return False
        centres, inner = self.centres, set(patch)
        for axis in (1, 0):  # along rows: the patch's rows are its y
            lo = min(centres[k][axis] for k in patch)
            hi = max(centres[k][axis] for k in patch)
            beside = [changes[k] for k, c in enumerate(changes) if c is not None
                      and k not in inner and lo <= centres[k][axis] <= hi]
            if len(beside) >= LIGHT_BAND_BESIDE and sum(beside) / len(beside) * change \
                    < LIGHT_BAND_ON_CARD * change * change:
                continue  # the card's paper along the same lines is not lit (darkened) alike
            lines = range(max(0, math.ceil(lo * self.scale - 1)),
                          math.floor(hi * self.scale + 1) + 1)
            read = {}
            for part in range(4):
                profile = self.profiles.get((axis, part), {})
                inside = [profile[t] for t in lines if t in profile]  # (mean, trend) of each
                if inside:
                    read[part] = (sum(m for m, _ in inside)
                                  / max(1e-6, sum(trend for _, trend in inside)) - 1)
            seen = list(read.values())
            # on both sides of the card (a card at the frame's edge leaves no outer part there)
            if {0, 1} & set(read) and {2, 3} & set(read) \
                    and all(s * change > 0 and abs(s) >= max(LIGHT_BAND_MIN,
                                                             LIGHT_BAND_SHARE * abs(change))
                            for s in seen) \
                    and min(map(abs, seen)) >= LIGHT_BAND_AGREE * max(map(abs, seen)) \
                    and not all(self._steepest(axis, part, lines) > LIGHT_BAND_EDGE
                                for part in read):
                return True
        return False

    def _steepest(self, axis: int, part: int, lines: range) -> float:
        """The largest step between neighbouring lines of the frame's profile in `part` about
        the patch's `lines` (as far again on each side), as a share of its whole rise."""
        span = len(lines)
        profile = self.profiles.get((axis, part), {})
        values = [profile[t][0] / max(1e-6, profile[t][1]) - 1
                  for t in range(lines.start - span, lines.stop + span) if t in profile]
        if len(values) < 3:
            return 0.0
        rise = max(values) - min(values)
        return max(abs(b - a) for a, b in zip(values, values[1:])) / rise if rise else 0.0


def _card_points(quad, points):
    """Where points of the upright card ((u, v) fractions) are in the image of `quad`."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    return [((1 - u) * (1 - v) * tlx + (1 - u) * v * blx + u * v * brx + u * (1 - v) * trx,
             (1 - u) * (1 - v) * tly + (1 - u) * v * bly + u * v * bry + u * (1 - v) * try_)
            for u, v in points]


def _fitted_plane(values: List[float], used: List[int], grid: Tuple[int, int], rounds: int,
                  scale: float, floor: float, below: float) -> Tuple[float, float, float]:
    """(a, b, c) of the plane value = a + b u + c v fitted over the cells `used` of `grid`,
    `rounds` times, each time keeping the cells whose residual lies within [-below x spread,
    spread], spread = scale x the median absolute residual + floor."""
    coords = _coords(grid)
    fit = (_median([values[k] for k in used]) if used else 0.0, 0.0, 0.0)
    for _ in range(rounds):
        if len(used) < 6:
            break
        fit = _plane([coords[k] for k in used], [values[k] for k in used]) or fit
        resid = {k: values[k] - (fit[0] + fit[1] * coords[k][0] + fit[2] * coords[k][1])
                 for k in used}
        spread = _median([abs(r) for r in resid.values()]) * scale + floor
        used = [k for k in used if -below * spread <= resid[k] <= spread]
    return fit


@lru_cache(maxsize=None)
def _coords(grid: Tuple[int, int]) -> Tuple[Tuple[float, float], ...]:
    """The cells' centres as (u, v) fractions of the card (made once a grid)."""
    cols, rows = grid
    return tuple(((k % cols + 0.5) / cols, (k // cols + 0.5) / rows) for k in range(cols * rows))


def _evaluate(fit, grid: Tuple[int, int]) -> List[float]:
    return [fit[0] + fit[1] * u + fit[2] * v for u, v in _coords(grid)]


def _fields(grid: Tuple[int, int], inside: List[int], side: str) -> List[bool]:
    """Which cells of an upright card may hold fields: not the portrait or the emblem, not
    the rim, and inside the photo."""
    cols, rows = grid
    corner = (1.5 / cols, 1.5 / rows)  # a rounded corner lets the background in
    x0, y0, x1, y1 = PICTURE_ZONES[side]
    return [not (x0 <= u <= x1 and y0 <= v <= y1)
            and not (min(u, 1 - u) < corner[0] and min(v, 1 - v) < corner[1])
            and RIM < u < 1 - RIM and RIM < v < 1 - RIM and inside[k] > 250
            for k, (u, v) in enumerate(_coords(grid))]


def _second_card_edges(image, quad, others=()) -> Tuple[float, float]:
    """(how straight the outline of a second card is, the background's texture).

    The outline: the strongest rectangle of the card's own size (ID-1, 85.6 x 54 mm: the
    card's sides as the region gives them) outside the card, turned by up to
    SECOND_CARD_MAX_TURN from it (either way round), whose sides are straight edges; in
    grey levels, the second weakest of its four sides (three sides straight: the fourth may
    lie under the card or beyond the frame).

    A side's straightness: _straight. Read on an overview in which the card's long side is
    SECOND_CARD_PX px, turned so that the rectangle is upright, with the gradients of the
    card itself and of the same card's other sides (`others`, a sheet) left out, and its
    centre at least half the card's short side from the card's centre (not the card
    itself), or SECOND_CARD_NEAREST of it for a rectangle lying as the card does (a card
    stacked under it, a strip of it showing beside one edge). A table's edge, a page of
    print, a keyboard or a hand is not four straight sides of a card's size; an ID card, a
    bank card or a licence beside or under it is.
    At 36 px a head of hair or a mug is a card-sized rectangle too: the rectangles strong
    enough to warn are read again on `image` (_curved), strongest first, at most
    SECOND_CARD_READ of them; the strength is the strongest one not found curved (the
    strongest too weak to warn when all read are). A sleeve's cuff has a card's width and
    straight sides, the frame's edge hiding its fourth, and a light mirrored on a glossy desk
    a card's height: a rectangle whose inside is blank (_blank: a card carries print) or
    whose object ends inside it (_narrower) is no card either.

    The texture: the mean gradient (across rows and columns, the same measure) over the
    overview where gradients count. A printed pattern repeats over the whole frame, so it
    sets the level its chance alignments reach; a card's outline is one place that stands
    out from it."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

    sides = [_distance(quad[0], quad[3]), _distance(quad[0], quad[1])]
    long_side, short_side = max(sides), min(sides)
    card_area = _area([{"x": x, "y": y} for x, y in quad])
    if card_area >= 0.5 * image.size[0] * image.size[1] or short_side <= 0:
        return 0.0, 0.0  # no room in the frame for a second card
    reduction = max(1, int(long_side / SECOND_CARD_PX))
    work_grey = image.convert("L")
    grey = (work_grey.reduce(reduction) if reduction > 1 else work_grey).filter(
        ImageFilter.GaussianBlur(SECOND_CARD_BLUR))
    scale = grey.size[0] / image.size[0]
    long_px, short_px = long_side * scale, short_side * scale
    if short_px < 4 * SECOND_CARD_RIDGE or min(grey.size) < short_px:
        return 0.0, 0.0  # too small a card (or frame) to tell its outline from print
    # Where gradients count: not on the card nor the same card's other sides (their outlines
    # widened by 2 px), nor at the overview's rim (a turned copy's border is an edge).
    counted = Image.new("L", (grey.size[0] - 6, grey.size[1] - 6), 255).crop(
        (-3, -3, grey.size[0] - 3, grey.size[1] - 3))
    draw = ImageDraw.Draw(counted)
    for corners in [quad, *others]:
        outline = [(x * scale, y * scale) for x, y in corners]
        draw.polygon(outline, fill=0)
        draw.line(outline + outline[:1], fill=0, width=5)
    if counted.getbbox() is None:
        return 0.0, 0.0  # the card and its other sides fill the frame (a scan cropped to them)
    (x0, y0), (x1, y1) = (quad[0], quad[3]) if sides[0] >= sides[1] else (quad[0], quad[1])
    base = math.degrees(math.atan2(y1 - y0, x1 - x0))
    centre = (sum(x for x, _ in quad) / 4 * scale, sum(y for _, y in quad) / 4 * scale)
    across = (ImageFilter.Kernel((3, 3), [-1, -2, -1, 0, 0, 0, 1, 2, 1], scale=2, offset=128),
              ImageFilter.Kernel((3, 3), [-1, 0, 1, -2, 0, 2, -1, 0, 1], scale=2, offset=128))
    level = Image.new("L", grey.size, 128)
    texture = ImageStat.Stat(ImageChops.add(*(ImageChops.difference(grey.filter(kernel), level)
                                              for kernel in across)),
                             mask=counted).mean[0]
    keep_out, nearest, candidates = short_px / 2, SECOND_CARD_NEAREST * short_px, []
    for turn in range(-SECOND_CARD_MAX_TURN, SECOND_CARD_MAX_TURN + 1, SECOND_CARD_TURN_STEP):
        angle = base + turn
        turned = grey.rotate(angle, resample=Image.BILINEAR, expand=True)
        where = counted.rotate(angle, resample=Image.NEAREST, expand=True)
        level = Image.new("L", turned.size, 128)
        # The gradient across horizontal sides (rows) and vertical ones (columns), each
        # averaged along a long side's run and a short side's.
        rows, columns = (ImageChops.multiply(ImageChops.difference(turned.filter(kernel), level),
                                             where) for kernel in across)
        runs = {}
        for length in (long_px, short_px):
            runs["rows", length] = _straight(rows, length, 1)
            runs["columns", length] = _straight(columns, length, 0)
        cx, cy = _turned_point(centre, grey.size, turned.size, angle)
        for wide, high in ((long_px, short_px), (short_px, long_px)):  # lying either way
            dy, dx = int(round(high / 2)), int(round(wide / 2))
            across_rows, across_columns = runs["rows", wide], runs["columns", high]
            top, bottom = _shifted(across_rows, 0, -dy), _shifted(across_rows, 0, dy)
            left, right = _shifted(across_columns, -dx, 0), _shifted(across_columns, dx, 0)
            # the second weakest of four: max(min of the pairs) capped by each pair's max
            three = ImageChops.darker(ImageChops.darker(
                ImageChops.lighter(ImageChops.darker(top, bottom), ImageChops.darker(left, right)),
                ImageChops.lighter(top, bottom)), ImageChops.lighter(left, right))
            drawn = ImageDraw.Draw(three)
            # Nearer than half the card's short side, only a card lying as the card does (a
            # card stacked under it): a rectangle lying across it there is a hand or an arm.
            near = nearest if wide == long_px and abs(turn) <= SECOND_CARD_TURN_STEP else keep_out
            drawn.ellipse((cx - near, cy - near, cx + near, cy + near), fill=0)
            for _ in range(SECOND_CARD_PEAKS):
                strongest = three.getextrema()[1]
                if not strongest:
                    break
                mx, my = three.point([255 if v == strongest else 0 for v in range(256)]
                                     ).getbbox()[:2]
                outline = [_unturned_point((mx + sx * wide / 2, my + sy * high / 2), grey.size,
                                           turned.size, angle)
                           for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
                candidates.append((strongest, [(x / scale, y / scale) for x, y in outline]))
                drawn.ellipse((mx - keep_out, my - keep_out, mx + keep_out, my + keep_out), fill=0)
    # The overview's rectangle is a card only if its sides are straight where they show: read
    # again at the work copy's scale, a head, a shoulder, a mug or a thumb is curved; and if
    # it holds print and is a card's size there: a cuff is blank, a mirrored light narrower.
    least, seen, refused = _second_card_least(texture), None, 0
    candidates.sort(key=lambda c: -c[0])
    for strength, outline in candidates:
        if strength < least:
            return float(strength), texture
        if refused == SECOND_CARD_READ:
            continue
        if seen is None:
            seen = Image.new("L", image.size, 255)
            for corners in [quad, *others]:
                ImageDraw.Draw(seen).polygon(list(corners), fill=0)
                ImageDraw.Draw(seen).line(list(corners) + [corners[0]], fill=0, width=7)
        if not _blank(work_grey, seen, outline) and not _curved(work_grey, seen, outline) \
                and not _narrower(work_grey, seen, outline):  # the cheapest test first
            return float(strength), texture
        refused += 1
    return 0.0, texture


def _second_card_least(texture: float) -> float:
    """The outline's strength that is a second card on a background of `texture`."""
    return max(SECOND_CARD_MIN_EDGES, SECOND_CARD_OVER_TEXTURE * texture)


def _curved(grey, seen, outline) -> bool:
    """Whether a card-sized rectangle found on the overview (`outline`, its corners in
    `grey`'s pixels) is the outline of something curved: at least SECOND_CARD_CURVED_SIDES of
    its sides, where they show (`seen` 255), are not one straight edge (_side_straight)."""
    reach = max(6, int(round(SECOND_CARD_REACH * max(_distance(outline[0], outline[1]),
                                                      _distance(outline[1], outline[2])))))
    curved = 0
    for k in range(4):
        curved += _side_straight(grey, seen, outline[k], outline[(k + 1) % 4], reach) is False
        if curved >= SECOND_CARD_CURVED_SIDES:
            return True
        if curved + 3 - k < SECOND_CARD_CURVED_SIDES:
            return False  # too few sides left to read
    return False


def _blank(grey, seen, outline) -> bool:
    """Whether the inside of a card-sized rectangle (`outline`, its corners in `grey`'s
    pixels), SECOND_CARD_INSET in from its sides and where it shows (`seen` 255, in the
    frame), is blank: its grey levels' standard deviation under SECOND_CARD_MIN_PRINT. Too
    little of it showing to say (under 1 %) is not blank."""
    from PIL import Image

    centre = [sum(p[i] for p in outline) / 4 for i in (0, 1)]
    inner = [(p[0] + (centre[0] - p[0]) * 2 * SECOND_CARD_INSET,
              p[1] + (centre[1] - p[1]) * 2 * SECOND_CARD_INSET) for p in outline]
    # sampled every other pixel: the spread of its levels, at a quarter of the cost
    size = tuple(max(8, int(round(_distance(inner[0], inner[k]) / 2))) for k in (1, 3))
    # QUAD's corners: upper left, lower left, lower right, upper right
    data = [c for k in (0, 3, 2, 1) for c in inner[k]]
    values, shown = (picture.transform(size, Image.QUAD, data, resample=resample)
                     for picture, resample in ((grey, Image.BILINEAR), (seen, Image.NEAREST)))
    shown = shown.point([0] * 255 + [255])
    if 100 * shown.histogram()[255] < size[0] * size[1]:
        return False
    return _variance(values.histogram(shown)) < SECOND_CARD_MIN_PRINT ** 2


def _narrower(grey, seen, outline) -> bool:
    """Whether what a card-sized rectangle (`outline`) outlines is narrower than a card: a
    side beyond the frame says nothing of where the object ends, so a straight edge parallel
    to it, inside the rectangle short of the opposite side's reach, is the object's own side
    (a light mirrored on a desk near the frame's edge): straight along most of it
    (SECOND_CARD_OWN_SIDE), as print on a card (its title's rows) is not. A side under the
    card is not read so: the card's own edge and its shadow run along it."""
    reach = max(6, int(round(SECOND_CARD_REACH * max(_distance(outline[0], outline[1]),
                                                      _distance(outline[1], outline[2])))))
    half = max(3, reach // 2)
    width, height = grey.size
    for k in range(4):
        start, end = outline[k], outline[(k + 1) % 4]
        along = [(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
                 for t in (0.2, 0.35, 0.5, 0.65, 0.8)]
        if sum(0 <= x < width and 0 <= y < height for x, y in along) > 2:
            continue  # the side is in the frame: straight, curved or under the card
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        opposite = (outline[(k + 2) % 4], outline[(k + 3) % 4])
        far = ((opposite[0][0] + opposite[1][0]) / 2, (opposite[0][1] + opposite[1][1]) / 2)
        extent = _distance(mid, far)  # across the rectangle, towards the opposite side
        ux, uy = (far[0] - mid[0]) / extent, (far[1] - mid[1]) / extent
        last = extent - reach - half - 2
        offsets = list(range(reach + half, int(last), 2 * half)) + ([last] if last > reach + half
                                                                    else [])
        for offset in offsets:
            moved = [(p[0] + ux * offset, p[1] + uy * offset) for p in (start, end)]
            if _side_straight(grey, seen, moved[0], moved[1], half, SECOND_CARD_OWN_SIDE):
                return True
    return False


def _side_straight(grey, seen, start, end, reach: int,
                   share: float = SECOND_CARD_STRAIGHT) -> Optional[bool]:
    """Whether `share` (SECOND_CARD_STRAIGHT) of the places along the side start-end
    (SECOND_CARD_SAMPLES of them, over SECOND_CARD_SPAN) have their edge on one straight line
    within `reach` px either side of it: at each place one of its SECOND_CARD_STEPS strongest
    steps across the side (of one sign, at least SECOND_CARD_STEP) lies within
    SECOND_CARD_ON_LINE px of the line. None when under half the places show (under the card,
    beyond the frame): a hidden side says nothing."""
    from PIL import Image, ImageChops

    length = _distance(start, end)
    if length < 2 * SECOND_CARD_SAMPLES:
        return None
    ux, uy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    first, last = (int(share * length) for share in SECOND_CARD_SPAN)
    across = 2 * reach + 1
    # A strip along the side, one column per place (averaged along its stretch of the side).
    data = (ux, -uy, start[0] + uy * reach + ux * first, uy, ux, start[1] - ux * reach + uy * first)
    values, shown = (picture.transform((last - first, across), Image.AFFINE, data, resample=resample)
                     .resize((SECOND_CARD_SAMPLES, across), Image.BOX)
                     for picture, resample in ((grey, Image.BILINEAR), (seen, Image.NEAREST)))
    n = SECOND_CARD_SAMPLES
    visible = shown.tobytes()
    places = [c for c in range(n) if 2 * visible[c::n].count(255) >= across]
    if 2 * len(places) < n:
        return None
    # The steps across the side, found by Pillow over the whole strip at once (a Python loop
    # over its pixels was most of the rule's cost): the change over 2 px where both of its
    # ends show, as its rise and its fall, and where it peaks (no less than the place before,
    # more than the one after, at least SECOND_CARD_STEP). Each test is a clipped difference
    # scaled by 1024: 255 where it holds, 0 where not.
    def holds(more, less, scale=1 / 1024):
        return ImageChops.subtract(more, less, scale)

    def level(value):
        return Image.new("L", shown.size, value)

    both = holds(ImageChops.darker(_shifted(shown, 0, -1), _shifted(shown, 0, 1)), level(254))
    before, after = _shifted(values, 0, -1), _shifted(values, 0, 1)
    rise = ImageChops.darker(ImageChops.subtract(after, before), both)
    size = ImageChops.lighter(rise, ImageChops.darker(ImageChops.subtract(before, after), both))
    peaks = ImageChops.darker(ImageChops.darker(
        holds(size, level(SECOND_CARD_STEP - 1)),
        holds(level(1), ImageChops.subtract(_shifted(size, 0, -1), size))),
        holds(size, _shifted(size, 0, 1)))
    heights, rising = ImageChops.darker(peaks, size).tobytes(), rise.tobytes()
    found = {c: [] for c in places}
    for peak in re.finditer(rb"[^\x00]", heights):
        y, c = divmod(peak.start(), n)
        if c in found:
            found[c].append((heights[peak.start()], y - 1, rising[peak.start()] > 0))
    steps = {c: [(y, up) for _, y, up in sorted(place, reverse=True)[:SECOND_CARD_STEPS]]
             for c, place in found.items()}
    # The lines through two places' strongest steps, each counted over the places with a step
    # of its sign, and given up once too few places are left for it to reach `enough`.
    enough = share * len(places)
    signed = {sign: [(c, ys) for c, ys in ((c, [y for y, up in steps[c] if up == sign])
                                           for c in places) if ys]
              for sign in (False, True)}
    tops = [(c, steps[c][0]) for c in places if steps[c]]
    for k, (i, (yi, sign)) in enumerate(tops):
        stepped = signed[sign]
        if len(stepped) < enough:
            continue
        for j, (yj, _) in tops[k + 1:]:
            if j - i < n // 3:
                continue  # a line through two near places is poorly aimed
            slope = (yj - yi) / (j - i)
            on_line, left = 0, len(stepped)
            for c, ys in stepped:
                off = slope * (c - i)
                left -= 1
                for y in ys:
                    if abs(y - yi - off) <= SECOND_CARD_ON_LINE:
                        on_line += 1
                        break
                if on_line >= enough:
                    return True
                if on_line + left < enough:
                    break
    return False


def _straight(gradient, length: float, axis: int):
    """Where a side of `length` runs straight through each pixel (`axis` 1: along the rows):
    the gradient across it averaged along SECOND_CARD_RUN of its length (its middle: the
    corners are rounded), less the same SECOND_CARD_RIDGE px across (a texture has gradients
    everywhere, a straight edge on one line), and less the same run past either end
    (SECOND_CARD_BEYOND of the length from the middle: a side ends at the card's corners; a
    table's edge across the frame, a keyboard's, goes on)."""
    from PIL import ImageChops, ImageFilter

    reach = SECOND_CARD_RUN * length / 2
    runs = gradient.filter(ImageFilter.BoxBlur((reach, 0) if axis else (0, reach)))
    k, beyond = SECOND_CARD_RIDGE, int(round(SECOND_CARD_BEYOND * length))
    across = ((0, k), (0, -k)) if axis else ((k, 0), (-k, 0))
    past = ((beyond, 0), (-beyond, 0)) if axis else ((0, beyond), (0, -beyond))
    return ImageChops.subtract(runs, ImageChops.lighter(
        ImageChops.lighter(*(_shifted(runs, *d) for d in across)),
        ImageChops.lighter(*(_shifted(runs, *d) for d in past))))


def _shifted(image, dx: int, dy: int):
    """`image` moved so that each pixel shows the one (dx, dy) from it (black beyond)."""
    w, h = image.size
    return image.crop((dx, dy, w + dx, h + dy))


def _turned_point(point, size, turned_size, angle: float) -> Tuple[float, float]:
    """Where `point` of an image of `size` lands in its copy turned by `angle` degrees
    (counter-clockwise, expanded to `turned_size`, as Image.rotate does)."""
    a = math.radians(angle)
    dx, dy = point[0] - size[0] / 2, point[1] - size[1] / 2
    return (turned_size[0] / 2 + math.cos(a) * dx + math.sin(a) * dy,
            turned_size[1] / 2 - math.sin(a) * dx + math.cos(a) * dy)


def _unturned_point(point, size, turned_size, angle: float) -> Tuple[float, float]:
    """Where `point` of the turned copy (_turned_point's) lies in the image of `size`."""
    a = math.radians(angle)
    dx, dy = point[0] - turned_size[0] / 2, point[1] - turned_size[1] / 2
    return (size[0] / 2 + math.cos(a) * dx - math.sin(a) * dy,
            size[1] / 2 + math.sin(a) * dx + math.cos(a) * dy)


def _distance(p, q) -> float:
    return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5


def _largest_patch(flags: List[bool], grid: Tuple[int, int]) -> int:
    """Cells in the largest 4-connected patch of flagged cells."""
    return max((len(patch) for patch in _patches(flags, grid)), default=0)


def _patches(flags: List[bool], grid: Tuple[int, int], reach: int = 0) -> List[List[int]]:
    """The 4-connected patches of flagged cells, each as its cells' indices; with `reach`,
    cells up to that many cells apart across, down or diagonally are one patch (a gap of
    reach - 1 cells is bridged)."""
    cols, rows = grid
    near = [(di, dj) for di in range(-reach, reach + 1) for dj in range(-reach, reach + 1)
            if di or dj] if reach else []
    seen, patches = set(), []
    for start, flagged in enumerate(flags):
        if not flagged or start in seen:
            continue
        seen.add(start)
        queue, patch = deque([start]), []
        while queue:
            k = queue.popleft()
            patch.append(k)
            i, j = k % cols, k // cols
            steps = ((k - 1, i > 0), (k + 1, i < cols - 1), (k - cols, j > 0),
                     (k + cols, j < rows - 1)) if not reach else \
                ((k + dj * cols + di, 0 <= i + di < cols and 0 <= j + dj < rows)
                 for di, dj in near)
            for n, ok in steps:
                if ok and flags[n] and n not in seen:
                    seen.add(n)
                    queue.append(n)
        patches.append(patch)
    return patches


def _thickness(cells: List[int], cols: int) -> float:
    """The standard deviation of a patch's cells across its longest direction (in cells): a
    line one cell wide, straight or slanted, is about 0.3-0.5; a round patch of the same
    number of cells is over 1."""
    n = len(cells)
    xs, ys = [k % cols for k in cells], [k // cols for k in cells]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs) / n
    syy = sum((y - my) ** 2 for y in ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / n
    # the smaller eigenvalue of the 2 x 2 covariance
    least = (sxx + syy) / 2 - (((sxx - syy) / 2) ** 2 + sxy * sxy) ** 0.5
    return max(0.0, least) ** 0.5


def _plane(points, values):
    """(a, b, c) of the least-squares plane value = a + b u + c v; None when degenerate."""
    n = len(points)
    # The sums over map() in C: the same products added in the same order as a generator's
    # (the same bits), without a Python frame per cell.
    us, vs = [u for u, _ in points], [v for _, v in points]
    su, sv = sum(us), sum(vs)
    suu, svv, suv = sum(map(mul, us, us)), sum(map(mul, vs, vs)), sum(map(mul, us, vs))
    sz = sum(values)
    suz, svz = sum(map(mul, us, values)), sum(map(mul, vs, values))
    solved = _solved([[n, su, sv], [su, suu, suv], [sv, suv, svv]], [sz, suz, svz])
    return None if solved is None else tuple(solved)


def _median(values: List[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return 0.0 if n == 0 else (ordered[n // 2] if n % 2 else
                               (ordered[n // 2 - 1] + ordered[n // 2]) / 2)
