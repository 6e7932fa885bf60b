"""Regenerate the committed sample photos in tests/fixtures/cards/ (needs Debian's CJK fonts and
fonts-ocr-b: `make fonts`).

    python tools/make_samples.py

Each photo is a synthetic card with known truth (truth.json: the side asked for by default,
its fields, and `sides`, the truth of every side in the photo). The simple-style photos are
the demo's samples and one per kind of distortion; the realistic ones (tests/fakes/realistic.py)
cover glare, turns, far-away cards, photocopies, screenshots and A4 sheets with both sides.
They are few and small on purpose: the benchmark generates the large sets.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "functions", "idcard_ocr")]

from tests.fakes import realistic  # noqa: E402
from tests.fakes.cards import make_card, photograph  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fixtures", "cards")
SAMPLES = [  # (file name, seed, side, distortion): the simple style
    ("face-clean.jpg", 101, "face", "clean"),
    ("back-clean.jpg", 102, "back", "clean"),
    ("face-rotated.jpg", 103, "face", "rotated"),
    ("face-sideways.jpg", 104, "face", "sideways"),
    ("face-exif-sideways.jpg", 105, "face", "exif_sideways"),
    ("face-upside-down.jpg", 106, "face", "upside_down"),
    ("face-blurred.jpg", 107, "face", "blurred"),
    ("back-jpeg-noise.jpg", 108, "back", "jpeg"),
    ("face-cluttered.jpg", 109, "face", "cluttered"),
    ("back-rotated.jpg", 110, "back", "rotated"),
]
REALISTIC = [  # (file name, seed, side or None for the seed's own or a sheet, kind)
    ("real-face-glare.jpg", 3028, "face", "glare"),      # 回 under glare: read as 口 before
    ("real-face-glare-single.jpg", 3006, "face", "glare"),  # 回 alone: not detected before
    ("real-face-rare-nationality.jpg", 20023, None, "clean"),  # 畲: read as 鑫 by itself
    ("real-back-turned.jpg", 202, "back", "turned"),
    ("real-face-far.jpg", 203, "face", "far"),
    ("real-face-photocopy.jpg", 204, "face", "photocopy"),
    ("real-back-screenshot.jpg", 205, "back", "screenshot"),
    ("real-sheet-scan.jpg", 206, None, "sheet_scan"),
    ("real-sheet-photo.jpg", 207, None, "sheet_photo"),
]


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    truth = {}
    for name, seed, side, distortion in SAMPLES:
        card = make_card(seed, side)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(photograph(card, distortion, seed))
        truth[name] = {"side": side, "distortion": distortion, "fields": card.truth,
                       "sides": {side: card.truth}}
    for name, seed, side, kind in REALISTIC:
        photo = realistic.shoot(kind, seed, side)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(photo.data)
        first = photo.sides[0]
        truth[name] = {"side": first, "distortion": f"{kind}: {photo.detail}",
                       "fields": photo.truth[first], "sides": photo.truth}
    with open(os.path.join(OUT, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
