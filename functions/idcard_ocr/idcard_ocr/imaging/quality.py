"""Photo quality warnings computed from the image the OCR API saw (thresholds in README.md).

Measured on the card itself where the API located it (card_region), else on the whole image,
at most 1024 px on the longer side so the cost does not grow with the photo:
- blur: variance of the Laplacian of the grey image (low: few sharp edges);
- dark / overexposed: mean grey level, and the share of blown-out pixels;
- small: the card's share of the image area.
"""

from typing import Iterable, List, Optional, Sequence

BLUR_MIN_LAPLACIAN_VAR = 250.0
DARK_MAX_MEAN = 80.0
BRIGHT_MIN_MEAN = 240.0
BLOWN_OUT_MAX_SHARE = 0.30
SMALL_MIN_AREA_SHARE = 0.15
_ANALYSIS_SIDE = 1024


def assess(image, card_region: Optional[Sequence[dict]] = None,
           api_quality: Optional[dict] = None) -> dict:
    """The `quality` object of a result: measurements, and the warnings they raise."""
    from PIL import ImageFilter, ImageStat

    width, height = image.size
    box = _bounding_box(card_region, width, height)
    grey = (image.crop(box) if box else image).convert("L")
    grey.thumbnail((_ANALYSIS_SIDE, _ANALYSIS_SIDE))
    laplacian = grey.filter(ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0],
                                               scale=1, offset=128))
    sharpness = ImageStat.Stat(laplacian).var[0]
    mean = ImageStat.Stat(grey).mean[0]
    histogram = grey.histogram()
    blown_out = sum(histogram[250:]) / max(1, sum(histogram))
    area_share = _area(card_region) / (width * height) if box else None
    warnings: List[str] = []
    if sharpness < BLUR_MIN_LAPLACIAN_VAR:
        warnings.append("blurry")
    if mean < DARK_MAX_MEAN:
        warnings.append("too_dark")
    if mean > BRIGHT_MIN_MEAN or blown_out > BLOWN_OUT_MAX_SHARE:
        warnings.append("overexposed")
    if area_share is not None and area_share < SMALL_MIN_AREA_SHARE:
        warnings.append("card_too_small")
    quality = {
        "warnings": warnings,
        "sharpness": round(sharpness, 1),
        "brightness": round(mean, 1),
        "blown_out_share": round(blown_out, 3),
        "card_area_share": None if area_share is None else round(area_share, 3),
        "measured_on": "card_region" if box else "whole_image",
    }
    if api_quality is not None:
        quality["api"] = api_quality
    return quality


def _points(region: Optional[Iterable[dict]]):
    try:
        points = [(float(p["x"]), float(p["y"])) for p in region or ()]
    except (KeyError, TypeError, ValueError):
        return []
    return points if len(points) == 4 else []


def _bounding_box(region, width: int, height: int):
    points = _points(region)
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
