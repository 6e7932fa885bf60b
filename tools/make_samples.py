"""Regenerate the committed sample photos in tests/fixtures/cards/ (needs fonts-noto-cjk).

    python tools/make_samples.py

Each photo is a synthetic card with known truth (truth.json), one per kind of distortion the
engine must handle. They are small on purpose: the benchmark generates larger sets.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.fakes.cards import make_card, photograph  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fixtures", "cards")
SAMPLES = [  # (file name, seed, side, distortion)
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


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    truth = {}
    for name, seed, side, distortion in SAMPLES:
        card = make_card(seed, side)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(photograph(card, distortion, seed))
        truth[name] = {"side": side, "distortion": distortion, "fields": card.truth}
    with open(os.path.join(OUT, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
