"""OCR_ENGINE=cascade: the thresholds' calibration, the trade-off curve and the cost per 1,000
photos (issue 23); writes its section of bench/README.md.

1. Readings. Each photo is prepared as the function prepares it (imaging.prepare, default
   limits) and read by the offline engine in-process, both sides (what the cascade asks for);
   wall and CPU time of the read are kept. Two sets, never mixed:
   - fit: tests/fakes/realistic.py (the engine's own generator), every kind users send;
   - hold-out: the `specimen` rendering of tests/fakes/renderings.py (never looked at while
     tuning the engine, never used here to fit), and the `gb` rendering (the engine's tuning
     set, never used here to fit either).
2. Fit. One threshold per field (card/vouching.py's MIN_CONFIDENCE): for each field, the
   lowest value on the grid at which no reading of the fit set that would otherwise stand has
   that field wrong, plus one grid step of margin. Nothing of the hold-out is looked at.
3. Measure. The real cascade (io/cascade.Cascade) over each set: the engine replays the
   readings of step 1, the API is a stand-in that answers the truth and counts calls. Reported:
   share of photos paid, wrong fields among the readings the engine vouched for, wrong numbers.
   The trade-off curve applies one threshold to every field.
4. Cost per 1,000 photos: API-only, engine-only and cascade, in bench/cost.py's terms (its
   price settings, same names; FC 3.0 CU), from the measured engine time, the function's
   measured peak memory with the engine inside (a fresh interpreter reading 12 photos), and
   the share paid on the hold-out; the added latency of a photo paid after the engine declined
   is the engine's time on those photos.

    nice .venv/bin/python bench/cascade.py            # ~150 photos per set, about 15 min
    BENCH_SCALE=0.2 nice .venv/bin/python bench/cascade.py --no-publish
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from common import ROOT, header, publish

SCALE = float(os.environ.get("BENCH_SCALE", 1))
CACHE = os.environ.get("BENCH_CASCADE_CACHE",
                       os.path.join(tempfile.gettempdir(), f"idcard-cascade-{SCALE:g}.json"))
# kind -> photos, at scale 1 (148 fit photos; the hold-out: 140 specimen).
FIT = {"clean": 30, "desk": 12, "hand": 12, "perspective": 12, "screenshot": 10,
       "glare": 12, "turned": 12, "far": 12, "photocopy": 12, "sheet_scan": 12, "sheet_photo": 12}
# photos per kind of tests/fakes/renderings.py (BENCH_CASCADE_GB=10 adds the gb rendering)
HOLDOUT = {"specimen": 35, "gb": int(os.environ.get("BENCH_CASCADE_GB", 0))}
ORDINARY = {"clean", "desk", "hand", "perspective", "screenshot", "plain_face", "plain_back"}
GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)
ROLE = {"realistic": "fit set", "specimen": "hold-out, never fitted or tuned on",
        "gb": "hold-out here (the engine's tuning set)"}

# bench/cost.py's settings (same names and defaults, so that the two can be merged).
CU_PRICE = float(os.environ.get("BENCH_CU_PRICE_USD", 0.000020))
API_PRICE = float(os.environ.get("BENCH_API_PRICE_USD", 0.0014))
FUNCTION_VCPU = float(os.environ.get("BENCH_FUNCTION_VCPU", 0.35))
LOCAL_VCPU = float(os.environ.get("BENCH_LOCAL_VCPU", 1))
CU_PER_VCPU_S, CU_PER_GB_S, CU_PER_INVOCATION = 1.0, 0.15, 75 / 10_000
PHOTOS = 1000
API_SECONDS = float(os.environ.get("BENCH_API_SECONDS", 0.8))  # the API's answer time, assumed


def photos():
    """(set, kind, seed, truth, JPEG bytes) of every photo of the run."""
    from tests.fakes import realistic, renderings

    for kind, count in FIT.items():
        for i in range(max(1, int(count * SCALE))):
            seed = 40_000 + 100 * realistic.KINDS.index(kind) + i
            photo = realistic.shoot(kind, seed)
            yield "realistic", kind, seed, photo.truth, photo.data
    for rendering, count in HOLDOUT.items():
        for kind in renderings.KINDS if count else ():
            for i in range(max(1, int(count * SCALE))):
                seed = 4000 + i
                photo = renderings.shoot(rendering, kind, seed)
                yield rendering, kind, seed, photo.truth, photo.data


def collect():
    """Every photo's engine readings (both sides) and time, kept a line each in CACHE (an
    interrupted run goes on where it stopped)."""
    done = {}
    if os.path.exists(CACHE):
        with open(CACHE, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    reading = json.loads(line)
                    done[reading["set"], reading["kind"], reading["seed"]] = reading
    readings, ready = [], False
    with open(CACHE, "a", encoding="utf-8") as out:
        for number, (name, kind, seed, truth, data) in enumerate(photos()):
            if (name, kind, seed) in done:
                readings.append(done[name, kind, seed])
                continue
            if not ready:
                from idcard_ocr.engine.server import warm_up

                warm_up()
                ready = True
            readings.append(read(name, kind, seed, truth, data))
            out.write(json.dumps(readings[-1], ensure_ascii=False) + "\n")
            out.flush()
            if number % 25 == 0:
                print(f"{number} photos read", file=sys.stderr, flush=True)
    return readings


def read(name, kind, seed, truth, data) -> dict:
    from idcard_ocr.engine import recognize
    from idcard_ocr.imaging import ImageLimits, prepare

    image = prepare(data, ImageLimits()).data
    started, started_cpu = time.perf_counter(), time.process_time()
    answers = {side: recognize(image, side) for side in ("face", "back")}
    return {"set": name, "kind": kind, "seed": seed, "truth": truth, "answers": answers,
            "wall_s": time.perf_counter() - started,
            "cpu_s": time.process_time() - started_cpu}


def main(argv) -> int:
    readings = collect()
    print(f"{len(readings)} readings in {CACHE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
