"""Offline engine benchmark (part of `make bench`); writes its tables into bench/README.md.

Generates synthetic card photos (tests/fakes/cards.py; needs fonts-noto-cjk), reads them the
way `idcard-ocr scan` does (face, then back when the photo is not a face side), and reports
field-level exact-match accuracy per field and per distortion, the citizen numbers that came
out wrong but valid (must be none), time per photo (p50/p95) and peak memory (the server:
bench/engine_server.py).
"""

import os
import subprocess
import sys
import time
from collections import defaultdict

from common import ROOT, header, publish

CLEAN = int(os.environ.get("BENCH_CLEAN", 100))
HARD_EACH = int(os.environ.get("BENCH_HARD_EACH", 25))
HARD = ("rotated", "blurred", "jpeg", "sideways", "upside_down", "exif_sideways", "cluttered",
        "large")


def photos():
    from tests.fakes.cards import make_card, photograph

    seed = 10_000
    for distortion in ("clean",) * CLEAN + tuple(d for d in HARD for _ in range(HARD_EACH)):
        seed += 1
        card = make_card(seed)
        yield distortion, card, photograph(card, distortion, seed)


def scan(data: bytes):
    from idcard_ocr.engine import recognize

    for side in ("face", "back"):
        answer = recognize(data, side)
        if answer.get("success"):
            return side, answer
    return None, {}


def accuracy_and_speed():
    from idcard_ocr.card import idnumber

    right = defaultdict(lambda: defaultdict(int))   # group -> field -> right
    total = defaultdict(lambda: defaultdict(int))
    times = defaultdict(list)
    wrong_but_valid = flagged = numbers = side_wrong = 0
    for distortion, card, data in photos():
        started = time.perf_counter()
        side, answer = scan(data)
        times[distortion].append(time.perf_counter() - started)
        group = "clean" if distortion == "clean" else "hard"
        side_wrong += side != card.side
        for name, value in card.truth.items():
            for key in (group, distortion):
                total[key][name] += 1
                right[key][name] += side == card.side and answer.get(name) == value
        if card.side == "face":
            numbers += 1
            got = answer.get("num", "")
            if got != card.truth["num"]:
                if idnumber.is_valid(got):
                    wrong_but_valid += 1
                else:
                    flagged += 1
    return right, total, times, wrong_but_valid, flagged, numbers, side_wrong


def peak_memory_mb(distortion: str) -> float:
    """Peak RSS (VmHWM) of a fresh interpreter running `idcard-ocr scan` on one such photo.

    Not ru_maxrss: a child's ru_maxrss keeps the high-water mark of the parent it forked from.
    """
    import tempfile

    from tests.fakes.cards import make_card, photograph

    card = make_card(77_777, "face")
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(photograph(card, distortion, 1))
        f.flush()
        code = ("import sys; from idcard_ocr.ops.cli import main; main(['scan', sys.argv[1]]); "
                "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])")
        out = subprocess.run([sys.executable, "-c", code, f.name], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    from idcard_ocr.engine.server import warm_up

    warm_up()
    right, total, times, wrong_valid, flagged, numbers, side_wrong = accuracy_and_speed()
    peak_card, peak_large = peak_memory_mb("clean"), peak_memory_mb("large")
    fields = ("name", "sex", "nationality", "birth", "address", "num", "issue", "start_date",
              "end_date")
    out = [header(("rapidocr-onnxruntime", "onnxruntime", "pillow")), "",
           f"{CLEAN} clean photos and {HARD_EACH} of each hard kind "
           f"({', '.join(HARD)}): {CLEAN + HARD_EACH * len(HARD)} photos, faces and backs "
           "at random. Exact match per field; a field counts as wrong when the side was "
           "missed.", "",
           "### Accuracy per field (target: clean ≥ 98 %, hard ≥ 95 %)", "",
           "| field | clean | hard |", "|---|---:|---:|"]
    for name in fields:
        cells = []
        for group in ("clean", "hard"):
            n = total[group][name]
            cells.append(f"{100 * right[group][name] / n:.1f} % ({right[group][name]}/{n})"
                         if n else "-")
        out.append(f"| {name} | {cells[0]} | {cells[1]} |")
    for group in ("clean", "hard"):
        r = sum(right[group].values())
        t = sum(total[group].values())
        out.append(f"| **all fields, {group}** | | **{100 * r / t:.1f} %** ({r}/{t}) |"
                   if group == "hard" else
                   f"| **all fields, {group}** | **{100 * r / t:.1f} %** ({r}/{t}) | |")
    out += ["", "### Per kind of photo", "",
            "| photos | fields right | p50 s | p95 s |", "|---|---:|---:|---:|"]
    for kind in ("clean",) + HARD:
        r, t = sum(right[kind].values()), sum(total[kind].values())
        out.append(f"| {kind} | {100 * r / t:.1f} % | {pct(times[kind], .5):.2f} | "
                   f"{pct(times[kind], .95):.2f} |")
    every = [t for values in times.values() for t in values]
    out += ["", "### Citizen numbers, speed, memory, throughput", "",
            "| what | value |", "|---|---:|",
            f"| numbers wrong but with a valid check character (must be 0) | {wrong_valid} of "
            f"{numbers} |",
            f"| numbers wrong and flagged invalid (`num_valid: false`) | {flagged} of "
            f"{numbers} |",
            f"| photos whose side was missed | {side_wrong} |",
            f"| time per photo as `scan` reads it, p50 (target ≤ 1.0 s) | "
            f"{pct(every, .5):.2f} s |",
            f"| time per photo, p95 (target ≤ 2.0 s) | {pct(every, .95):.2f} s |",
            f"| 12 MP photos (`large`), p50 / p95 | {pct(times['large'], .5):.2f} s / "
            f"{pct(times['large'], .95):.2f} s |",
            f"| peak memory (RSS) of `idcard-ocr scan`, card photo / 12 MP photo | "
            f"{peak_card:.0f} MB / {peak_large:.0f} MB |"]
    publish("engine", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
