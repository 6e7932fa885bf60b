"""OCR_ENGINE=cascade: the thresholds' calibration, the trade-off curve and the cost per 1,000
photos; writes its section of bench/README.md.

1. Readings. Each photo is prepared as the function prepares it (imaging.prepare, default
   limits) and read by the offline engine in-process, both sides (what the cascade asks for);
   wall and CPU time of the read are kept. The sets, never mixed:
   - fit: tests/fakes/realistic.py (the engine's own generator), every kind users send;
   - measured: renderings of tests/fakes/renderings.py named on the command line
     (`--sets specimen,gb`, the default, or BENCH_CASCADE_SETS), each shot with
     `renderings.shoot(name, kind, seed)`. `specimen` and `gb` were looked at while the
     engine and the vouching rules were written, so they are reported as tuned on; a rendering
     nobody has seen (`--sets fresh`) is a hold-out.
   A4 sheets pair a back that belongs to the face (`paired=True`: issued after the birth,
   valid as long as the holder's age gives), as a real card's copy does, so that the sheets'
   share paid measures the engine, not the generator.
2. Fit. One threshold per field (card/vouching.py's MIN_CONFIDENCE): for each field, the
   lowest value on the grid at which no reading of the fit set that would otherwise stand has
   that field wrong, plus one grid step of margin; fields no check can catch (name,
   nationality, address, issue) never under 0.9 (UNCHECKED_FLOOR, set before looking at any
   reading). Nothing of the measured sets is used to fit.
3. Measure. The real cascade (io/cascade.Cascade) over each set: the engine replays the
   readings of step 1, the API is a stand-in that answers the truth and counts calls. Reported:
   share of photos paid, wrong fields among the readings the engine vouched for, wrong numbers.
   The trade-off curve applies one threshold to every field.
4. Cost per 1,000 photos: API-only, engine-only and cascade, in bench/cost.py's terms (its
   price settings, same names; FC 3.0 CU), from the measured engine time, the function's
   measured peak memory with the engine inside (a fresh interpreter reading 12 photos), and
   the share paid on the first measured set; the added latency of a photo paid after the
   engine declined is the engine's time on those photos.

Readings are kept in a cache (a line per photo, in the temporary folder) whose name carries a
digest of engine/ and imaging/, so a changed engine reads every photo again.

    nice .venv/bin/python bench/cascade.py            # ~150 photos per set, about 15 min
    BENCH_SCALE=0.2 nice .venv/bin/python bench/cascade.py --no-publish
    nice .venv/bin/python bench/cascade.py --cached   # only the readings already in the cache
    nice .venv/bin/python bench/cascade.py --sets fresh   # the fresh hold-out (section cascade-fresh)
    nice .venv/bin/python bench/cascade.py --cached --engine-function  # + the HTTP path's cost
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from common import ROOT, header, publish
from cost import API_PRICE, CU_PRICE, FUNCTION_VCPU, LOCAL_VCPU, PHOTOS, fc_usd  # one set of prices

SCALE = float(os.environ.get("BENCH_SCALE", 1))


def engine_version() -> str:
    """A digest of the code a reading depends on (engine/ and imaging/): readings kept by an
    older engine are not replayed as this one's."""
    import hashlib

    digest = hashlib.sha256()
    package = os.path.join(ROOT, "functions", "idcard_ocr", "idcard_ocr")
    for folder in ("engine", "imaging"):
        for base, dirs, files in sorted(os.walk(os.path.join(package, folder))):
            dirs.sort()
            for name in sorted(f for f in files if f.endswith(".py")):
                digest.update(name.encode())
                with open(os.path.join(base, name), "rb") as f:
                    digest.update(f.read())
    return digest.hexdigest()[:12]


CACHE = os.environ.get("BENCH_CASCADE_CACHE", os.path.join(
    tempfile.gettempdir(), f"idcard-cascade-{SCALE:g}-{engine_version()}.json"))
# kind -> photos, at scale 1 (148 fit photos; 140 of specimen, 80 of gb, 140 of another).
FIT = {"clean": 30, "desk": 12, "hand": 12, "perspective": 12, "screenshot": 10,
       "glare": 12, "turned": 12, "far": 12, "photocopy": 12, "sheet_scan": 12, "sheet_photo": 12}
# photos per kind of each rendering of tests/fakes/renderings.py measured (`--sets`)
PER_KIND = {"specimen": 35, "gb": 20}
DEFAULT_PER_KIND = int(os.environ.get("BENCH_CASCADE_PER_KIND", 35))
DEFAULT_SETS = os.environ.get("BENCH_CASCADE_SETS", "specimen,gb")
SHEETS = {"sheet_scan", "sheet_photo", "sheet"}
ORDINARY = {"clean", "desk", "hand", "perspective", "screenshot", "plain_face", "plain_back"}
GROUPS = {"ordinary": ORDINARY,
          "hard": {"glare", "turned", "far", "photocopy", "hard"},
          "A4 sheets": {"sheet_scan", "sheet_photo", "sheet"}}
GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)
ROLE = {"realistic": "fit set",
        "specimen": "tuned on: looked at while the engine and the vouching rules were written",
        "gb": "tuned on: the engine's tuning set, measured here before"}
HOLDOUT_ROLE = "hold-out: never fitted on or looked at"

API_SECONDS = float(os.environ.get("BENCH_API_SECONDS", 0.8))  # the API's answer time, assumed


def role(name: str) -> str:
    return ROLE.get(name, HOLDOUT_ROLE)


def set_names(argv) -> list:
    """The renderings to measure: `--sets a,b` (or `--sets=a,b`), else BENCH_CASCADE_SETS."""
    value = DEFAULT_SETS
    for i, arg in enumerate(argv):
        if arg == "--sets" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--sets="):
            value = arg.split("=", 1)[1]
    return [name.strip() for name in value.split(",") if name.strip()]


def photos(renderings_=("specimen", "gb")):
    """(set, kind, seed, a function drawing the Photo) of every photo of the run."""
    from tests.fakes import realistic, renderings

    for kind, count in FIT.items():
        for i in range(max(1, int(count * SCALE))):
            seed = 40_000 + 100 * realistic.KINDS.index(kind) + i
            yield "realistic", kind, seed, \
                lambda k=kind, s=seed: realistic.shoot(k, s, paired=k in SHEETS)
    for rendering in renderings_:
        count = PER_KIND.get(rendering, DEFAULT_PER_KIND)
        for kind in renderings.KINDS if count else ():
            for i in range(max(1, int(count * SCALE))):
                seed = 4000 + i
                yield rendering, kind, seed, lambda r=rendering, k=kind, s=seed: \
                    renderings.shoot(r, k, s, paired=k in SHEETS)


def collect(names, cached_only: bool = False):
    """Every photo's engine readings (both sides) and time, kept a line each in CACHE (an
    interrupted run goes on where it stopped; `cached_only`: what CACHE holds of the fit set
    and `names`, nothing read). A sheet read before sheets were paired is read again."""
    done = {}
    if os.path.exists(CACHE):
        with open(CACHE, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    reading = json.loads(line)
                    if reading["kind"] in SHEETS and not reading.get("paired"):
                        continue
                    done[reading["set"], reading["kind"], reading["seed"]] = reading
    if cached_only:
        return [r for r in done.values() if r["set"] in ("realistic", *names)]
    readings, ready = [], False
    with open(CACHE, "a", encoding="utf-8") as out:
        for number, (name, kind, seed, draw) in enumerate(photos(names)):
            if (name, kind, seed) in done:
                readings.append(done[name, kind, seed])
                continue
            if not ready:
                from idcard_ocr.engine.server import warm_up

                warm_up()
                ready = True
            photo = draw()
            readings.append(read(name, kind, seed, photo.truth, photo.data))
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
            "cpu_s": time.process_time() - started_cpu, "paired": kind in SHEETS}


# Replaying the readings through the real cascade ------------------------------------------------

class Replay:
    """The engine of one photo, as io/offline.OfflineEngine gives its cached answers."""

    def __init__(self, reading):
        self.answers = reading["answers"]
        self.calls = 0

    def recognize(self, image, side, deadline):
        self.calls += 1
        from idcard_ocr import errors
        from idcard_ocr.errors import PermanentError
        from idcard_ocr.io.ocr_api import checked_answer
        from idcard_ocr.io.seams import Recognition

        answer = self.answers[side]
        if answer.get("success") is False:
            raise PermanentError(errors.NOT_AN_ID_CARD, "no such side")
        return Recognition(checked_answer(json.loads(json.dumps(answer)), side), 0)


class TruthApi:
    """The paid API, answering the truth (its own errors are not what is measured here)."""

    def __init__(self, reading):
        self.truth = reading["truth"]
        self.calls = 0

    def recognize(self, image, side, deadline):
        from idcard_ocr import errors
        from idcard_ocr.errors import PermanentError
        from idcard_ocr.io.seams import Recognition

        self.calls += 1
        if side not in self.truth:
            error = PermanentError(errors.NOT_AN_ID_CARD, "no such side", 200)
            error.attempts = 1
            raise error
        return Recognition(dict(self.truth[side], success=True), 1)


def outcome(reading, thresholds):
    """What CARD_SIDE=auto with OCR_ENGINE=cascade makes of one photo: paid calls, the sides
    the engine vouched for with their wrong fields, sides missed."""
    from idcard_ocr.card.documents import FIELDS
    from idcard_ocr.errors import IdcardOcrError
    from idcard_ocr.io.cascade import Cascade
    from idcard_ocr.io.retry import Deadline
    from idcard_ocr.recognition import Purchases, read_card

    api, engine = TruthApi(reading), Replay(reading)
    cascade = Cascade(engine, api, thresholds=thresholds)
    truth = reading["truth"]
    result = {"calls": 0, "vouched_fields": 0, "wrong": [], "wrong_numbers": 0, "missed": 0,
              "declined": None}
    try:
        card = read_card(cascade, b"", ("face", "back"), Deadline(60), Purchases(), both=True)
    except IdcardOcrError:
        result.update(calls=api.calls, missed=len(truth), engine_calls=engine.calls)
        return result
    result["calls"], result["engine_calls"] = api.calls, engine.calls
    answers = {card.side: card.answer, **card.others}
    result["missed"] = len(set(truth) - set(answers))
    for side, answer in answers.items():
        if answer.get("recognized_by") != "engine":
            result["declined"] = result["declined"] or answer.get("engine_declined")
            continue
        expected = truth.get(side, {})
        result["vouched_fields"] += len(FIELDS[side])
        result["wrong"] += [f"{side}.{name}" for name in FIELDS[side]
                            if answer.get(name) != expected.get(name)]
        if side == "face" and answer.get("num") != expected.get("num"):
            result["wrong_numbers"] += 1
    return result


def measure(readings, thresholds):
    """Totals of `outcome` over readings: photos, paid, ordinary photos and paid among them,
    vouched fields, wrong fields, wrong numbers, sides missed, decline reasons."""
    from collections import Counter

    totals = defaultdict(int)
    reasons, wrong = Counter(), Counter()
    for reading in readings:
        done = outcome(reading, thresholds)
        paid = done["calls"] > 0
        totals["photos"] += 1
        totals["paid"] += paid
        totals["calls"] += done["calls"]
        totals["engine_calls"] += done["engine_calls"]
        if reading["kind"] in ORDINARY:
            totals["ordinary"] += 1
            totals["ordinary_paid"] += paid
        totals["vouched_fields"] += done["vouched_fields"]
        totals["wrong"] += len(done["wrong"])
        totals["wrong_numbers"] += done["wrong_numbers"]
        totals["missed"] += done["missed"]
        wrong.update(done["wrong"])
        if paid and done["declined"]:
            reasons[done["declined"].split(":")[0] if not done["declined"].startswith(
                ("face:", "back:")) else "sheet:" + done["declined"].split(":")[1]] += 1
    return totals, reasons, wrong


# Set before any reading was looked at: a field no check can catch (its value is free text or a
# choice) never stands below 0.9, whatever ~150 photos show; a field the checks cross-examine
# (the number's check character, birth date and sex against the number, validity dates against
# each other and the holder's age) may go as low as the grid does.
UNCHECKED = {"name", "nationality", "address", "issue"}
UNCHECKED_FLOOR = 0.9


def fit(readings):
    """One threshold per field: the lowest grid value above every wrong value of that field the
    engine would otherwise have vouched for on the fit set, one grid step higher for margin,
    and never under the field's floor."""
    from idcard_ocr.card.documents import FIELDS
    from idcard_ocr.card.vouching import decline_reason

    floor = {name: 0.0 for side in FIELDS for name in FIELDS[side]}
    lowest = {name: UNCHECKED_FLOOR if name in UNCHECKED else GRID[0] for name in floor}
    for reading in readings:
        for side, answer in reading["answers"].items():
            if answer.get("success") is False:
                continue
            if decline_reason(answer, side, thresholds=floor) is not None:
                continue  # declined whatever the thresholds: not what they must catch
            expected = reading["truth"].get(side, {})
            for name in FIELDS[side]:
                if answer.get(name) != expected.get(name):
                    score = answer["confidence"][name]
                    above = [t for t in GRID if t > score]
                    step = min(len(GRID) - 1, GRID.index(above[0]) + 1) if above else -1
                    lowest[name] = max(lowest[name], GRID[step])
    return lowest


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def peak_memory_mb() -> float:
    """VmHWM of a fresh interpreter doing what the function with the engine inside does to 12
    uploads (one of each kind of tests/fakes/realistic.py and a 12-megapixel phone photo):
    imaging.prepare, then the engine's answers for both sides. The photos are drawn here, so
    that the generator's own memory is not counted."""
    from PIL import Image

    from tests.fakes import realistic

    folder = tempfile.mkdtemp(prefix="cascade-memory-")
    paths = []
    for i, kind in enumerate(realistic.KINDS):
        paths.append(os.path.join(folder, f"{i}.jpg"))
        with open(paths[-1], "wb") as f:
            f.write(realistic.shoot(kind, 50_000 + i).data)
    with Image.open(paths[0]) as img:
        big = img.convert("RGB").resize((4032, 3024))
    paths.append(os.path.join(folder, "12mp.jpg"))
    big.save(paths[-1], quality=90)
    code = ("import sys; sys.path[:0] = [sys.argv[1]]\n"
            "from idcard_ocr.imaging import ImageLimits, prepare\n"
            "from idcard_ocr.io.offline import OfflineEngine\n"
            "from idcard_ocr.errors import PermanentError\n"
            "engine = OfflineEngine()\n"
            "for path in sys.argv[2:]:\n"
            "    image = prepare(open(path, 'rb').read(), ImageLimits()).data\n"
            "    for side in ('face', 'back'):\n"
            "        try: engine.recognize(image, side)\n"
            "        except PermanentError: pass\n"
            "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n")
    try:
        out = subprocess.run([sys.executable, "-c", code,
                              os.path.join(ROOT, "functions", "idcard_ocr"), *paths], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
    finally:
        for path in paths:
            os.unlink(path)
        os.rmdir(folder)
    return int(out.split()[-1]) / 1024


def main(argv) -> int:
    from idcard_ocr.card.vouching import MIN_CONFIDENCE

    import logging

    logging.disable(logging.WARNING)  # "engine failed, the API reads", once per such replay
    names = set_names(argv)
    readings = collect(names, cached_only="--cached" in argv)
    sets = {name: [r for r in readings if r["set"] == name] for name in ("realistic", *names)}
    sets = {name: rows for name, rows in sets.items() if rows}
    fitted = fit(sets["realistic"])
    out = [header(("rapidocr-onnxruntime", "onnxruntime", "pillow")), "",
           "Sets: " + "; ".join(f"`{name}` ({role(name)}): {len(rows)} photos" for name, rows in
                                sets.items()) + ". The API stand-in answers the truth; the "
           "engine's readings replay through io/cascade.Cascade and recognition.read_card "
           "(CARD_SIDE=auto). *Wrong fields* counts the fields of the sides the engine vouched "
           "for that differ from the truth; *paid* is a photo with at least one API call; "
           "*sides missed*: a side of a sheet nobody was asked for, because the engine vouched "
           "for the one side it found (API-only misses every sheet's second side: the "
           "marketplace never says a sheet holds two). A sheet's back belongs to its face's "
           "holder (issued after the birth, valid as long as the holder's age gives), as on a "
           "real card's copy.", "",
           "Thresholds fitted on the fit set (per field, one grid step of margin): " +
           ", ".join(f"{name}={value:g}" for name, value in fitted.items()) + ".", ""]
    if dict(fitted) != dict(MIN_CONFIDENCE):
        out += ["**card/vouching.py's MIN_CONFIDENCE differs from this fit: " +
                ", ".join(f"{n}={v:g}" for n, v in MIN_CONFIDENCE.items()) + ".**", ""]
    out += ["### The committed thresholds (card/vouching.py) on each set", "",
            "| set | photos | paid (all) | ordinary photos paid (target ≤ 25 %) | "
            "fields vouched | wrong fields (target ≤ 0.1 %) | wrong numbers (target 0) | "
            "sides missed |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    declines, wrongs = {}, {}
    for name, rows in sets.items():
        t, reasons, wrong = measure(rows, MIN_CONFIDENCE)
        declines[name], wrongs[name] = reasons, wrong
        groups = [("all", rows)] + [(group, [r for r in rows if r["kind"] in kinds])
                                    for group, kinds in GROUPS.items()]
        for group, subset in groups:
            if not subset:
                continue
            t, _, _ = measure(subset, MIN_CONFIDENCE)
            label = f"{name} ({role(name)})" if group == "all" else f"{name}: {group}"
            out.append(f"| {label} | {t['photos']} | {100 * t['paid'] / t['photos']:.1f} % "
                       f"| {100 * t['ordinary_paid'] / max(t['ordinary'], 1):.1f} % "
                       f"({t['ordinary_paid']}/{t['ordinary']}) | {t['vouched_fields']} | "
                       f"{100 * t['wrong'] / max(t['vouched_fields'], 1):.2f} % ({t['wrong']}) | "
                       f"{t['wrong_numbers']} | {t['missed']} |")
    out += ["", "Why the engine was declined (photos paid, by reason): " + "; ".join(
        f"`{name}`: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()) for name, reasons
        in declines.items()) + ".", "",
        "Wrong fields vouched for: " + "; ".join(
            f"`{name}`: " + (", ".join(f"{k}: {v}" for k, v in w.most_common()) or "none")
            for name, w in wrongs.items()) + ".", "",
        "### Trade-off: one threshold for every field", "",
        "| threshold | " + " | ".join(f"{name}: paid (ordinary) | {name}: wrong fields "
                                     f"(numbers)" for name in sets) + " |",
        "|---:|" + "---:|---:|" * len(sets)]
    for threshold in GRID:
        flat = {name: threshold for name in MIN_CONFIDENCE}
        cells = []
        for name, rows in sets.items():
            t, _, _ = measure(rows, flat)
            cells += [f"{100 * t['paid'] / t['photos']:.0f} % "
                      f"({100 * t['ordinary_paid'] / max(t['ordinary'], 1):.0f} %)",
                      f"{100 * t['wrong'] / max(t['vouched_fields'], 1):.2f} % "
                      f"({t['wrong_numbers']})"]
        out.append(f"| {threshold:g} | " + " | ".join(cells) + " |")
    out += cost_section(readings, sets, engine_function_path() if "--engine-function" in argv
                        else None)
    if "--no-publish" in argv:
        print("\n".join(out))
    else:  # a hold-out's run keeps its own section (cascade-fresh); the tuned-on sets' stays
        unseen = [name for name in names if name not in ROLE]
        publish("-".join(["cascade", *unseen]), out)
    return 0


def engine_function_path(count: int = int(os.environ.get("BENCH_ENGINE_FUNCTION_PHOTOS", 24))):
    """What reading through ENGINE_URL adds to reading in-process: the same `count` distinct
    photos (tests/fakes/realistic.py, every kind, prepared as the function prepares them),
    each read once in this process (io/offline.OfflineEngine) and once by the engine function
    (template.yml's start command on loopback, reached through io/cascade.engine_client, the
    client the cascade uses), one after the other so that both see the same load. A photo is
    read as the cascade reads it, face then back (the second request of the same photo is
    answered from the engine's cache by content, in-process and in the engine function alike).
    Returns per photo: the wall and CPU time of both paths, the caller's CPU on the HTTP path,
    and the engine function's CPU."""
    from engine_function import APPCODE, PATH, Instance

    from idcard_ocr.engine.server import warm_up
    from idcard_ocr.errors import PermanentError
    from idcard_ocr.imaging import ImageLimits, prepare
    from idcard_ocr.io.cascade import engine_client
    from idcard_ocr.io.offline import OfflineEngine
    from idcard_ocr.io.retry import Deadline
    from tests.fakes import realistic

    images = [prepare(realistic.shoot(kind, 70_000 + i).data, ImageLimits()).data
              for i, kind in zip(range(count + 1), list(realistic.KINDS) * count)]
    warm_up()
    own = OfflineEngine()
    instance = Instance()
    try:
        import base64

        instance.first_answer(json.dumps({"image": base64.b64encode(images[0]).decode(),
                                          "configure": json.dumps({"side": "face"})}).encode())
        client = engine_client(f"http://127.0.0.1:{instance.port}{PATH}", APPCODE, 60)
        local, remote, local_cpu, caller_cpu, engine_cpu = [], [], [], [], []
        for image in images[1:]:
            for reader, times in ((own, local), (client, remote)):
                started, cpu, served = time.perf_counter(), time.process_time(), \
                    instance.cpu_seconds()
                for side in ("face", "back"):
                    try:
                        reader.recognize(image, side, Deadline(60))
                    except PermanentError:
                        pass  # "no such side" is an answer too
                times.append(time.perf_counter() - started)
                (caller_cpu if reader is client else local_cpu).append(time.process_time() - cpu)
                if reader is client:
                    engine_cpu.append(instance.cpu_seconds() - served)
        return {"local": local, "remote": remote, "local_cpu": local_cpu,
                "caller_cpu": caller_cpu,
                "engine_cpu": engine_cpu, "peak_mb": instance.peak_rss_mb()}
    finally:
        instance.stop()


def engine_function_rows(path, share, engine_requests, calls_per_photo, measured):
    """The cascade with ENGINE_URL: its row of the cost table, and what the HTTP path adds."""
    from cost import template_sizes

    function_gb, engine_vcpu, engine_gb, _ = template_sizes()
    remote, local = pct(path["remote"], 0.5), pct(path["local"], 0.5)
    added = [r - l for r, l in zip(path["remote"], path["local"])]
    engine_cpu = pct(path["engine_cpu"], 0.5)
    # In CPU time, as the rows above (wall time on this shared machine measures its load): the
    # caller waits while the engine computes, plus what the HTTP path adds; the engine
    # function is billed for its CPU time spread over its vCPUs.
    caller_s = engine_cpu + max(pct(added, 0.5), 0.0) + share * API_SECONDS
    engine_s = engine_cpu / engine_vcpu
    fc = fc_usd(FUNCTION_VCPU, function_gb, caller_s) + \
        fc_usd(engine_vcpu, engine_gb, engine_s, invocations=int(PHOTOS * engine_requests))
    api = API_PRICE * calls_per_photo * PHOTOS
    return [f"| cascade, the engine function ({engine_vcpu:g} vCPU, {engine_gb * 1024:.0f} MB) "
            f"beside the {function_gb * 1024:.0f} MB function | {caller_s:.2f} + "
            f"{engine_s:.2f} | {calls_per_photo:.2f} | {fc:.3f} | {api:.2f} | "
            f"**{fc + api:.2f}** |", "",
            f"The engine function's path (`--engine-function`): {len(added)} distinct photos "
            f"read once in-process and once through ENGINE_URL (template.yml's start command "
            f"on loopback, io/cascade.engine_client), one after the other, each face then back "
            f"as the cascade asks. Per photo: "
            f"in-process p50 {local:.2f} s wall ({pct(path['local_cpu'], 0.5):.2f} s CPU); "
            f"through the engine function p50 {remote:.2f} s wall, of which the engine "
            f"function's CPU {engine_cpu:.2f} s and the calling function's own CPU (base64, "
            f"JSON, HTTP) {pct(path['caller_cpu'], 0.5):.3f} s; added by the HTTP path p50 "
            f"{pct(added, 0.5):+.3f} s, p95 {pct(added, 0.95):+.3f} s (loopback: FC's network "
            f"between two functions adds its own round trip). The engine function's peak "
            f"{path['peak_mb']:.0f} MB (VmHWM). In the row above: the calling function billed "
            f"while the engine computes, the HTTP path's added p50 and the share paid times the "
            f"API's answer time (the first figure); the engine function for its CPU time per "
            f"photo spread over its {engine_vcpu:g} vCPU (the second), each of the "
            f"{engine_requests:.2f} engine requests per photo of `{measured}` an invocation "
            f"(the cascade asks for each side; a repeat is answered from the engine's cache)."]


def cost_section(readings, sets, path=None):
    """Cost per 1,000 photos in bench/cost.py's terms, and the latency a declined photo adds;
    with `path` (engine_function_path), also through the engine function."""
    from idcard_ocr.card.vouching import MIN_CONFIDENCE

    memory_mb = peak_memory_mb()
    sized_mb = next(size for size in (512, 1024, 1536, 2048, 3072, 4096)
                    if size >= memory_mb * 1.5)
    cpu = [r["cpu_s"] for r in readings]
    engine_s = max(pct(cpu, 0.5) / LOCAL_VCPU, 0.0)
    measured = next((name for name in sets if name != "realistic"), "realistic")
    holdout = sets[measured]
    t, _, _ = measure(holdout, MIN_CONFIDENCE)
    share, calls_per_photo = t["paid"] / t["photos"], t["calls"] / t["photos"]
    api_only_calls = sum(len(r["truth"]) for r in holdout) / len(holdout)
    declined = [r for r in holdout if outcome(r, MIN_CONFIDENCE)["calls"] > 0]
    rows = [
        ("API only (512 MB, waits for the API)", FUNCTION_VCPU, 0.5, API_SECONDS,
         api_only_calls),
        (f"engine only, in the function ({LOCAL_VCPU:g} vCPU, {sized_mb} MB)", LOCAL_VCPU,
         sized_mb / 1024, engine_s, 0.0),
        (f"cascade, engine in the function ({LOCAL_VCPU:g} vCPU, {sized_mb} MB)", LOCAL_VCPU,
         sized_mb / 1024, engine_s + share * API_SECONDS, calls_per_photo),
    ]
    out = ["", "### Cost per 1,000 photos", "",
           f"bench/cost.py's prices and factors: FC 3.0 USD {CU_PRICE:.6f} per CU "
           f"(`BENCH_CU_PRICE_USD`), 1 CU per active vCPU-second, 0.15 per GB-second, 75 per "
           f"10,000 invocations; the API USD {API_PRICE:g} per call (`BENCH_API_PRICE_USD`, an "
           f"assumption); the 512 MB function at {FUNCTION_VCPU:g} vCPU "
           f"(`BENCH_FUNCTION_VCPU`); the API's answer time {API_SECONDS:g} s "
           f"(`BENCH_API_SECONDS`, an assumption: bench/versus_seed.py measures the real link). "
           f"Engine time: CPU time of a read, p50 {pct(cpu, 0.5):.2f} s (p95 "
           f"{pct(cpu, 0.95):.2f} s) over {len(cpu)} photos, spread over {LOCAL_VCPU:g} vCPU "
           f"(`BENCH_LOCAL_VCPU`). Memory: a fresh interpreter preparing and reading 12 photos "
           f"with the engine inside peaked at {memory_mb:.0f} MB (VmHWM); sized at "
           f"{sized_mb} MB (1.5 x peak, FC's next size). Share paid and calls per photo from "
           f"`{measured}`: {100 * share:.1f} % paid, {calls_per_photo:.2f} calls "
           f"per photo (API only: {api_only_calls:.2f}).", "",
           "| mode | billed s per photo | API calls per photo | Function Compute, USD | "
           "OCR API, USD | total per 1,000 photos, USD |", "|---|---:|---:|---:|---:|---:|"]
    for label, vcpu, memory_gb, seconds, calls in rows:
        fc, api = fc_usd(vcpu, memory_gb, seconds), API_PRICE * calls * PHOTOS
        out.append(f"| {label} | {seconds:.2f} | {calls:.2f} | {fc:.3f} | {api:.2f} | "
                   f"**{fc + api:.2f}** |")
    if path is not None:
        out += engine_function_rows(path, share, t["engine_calls"] / t["photos"], calls_per_photo,
                                    measured)
    wall = [r["wall_s"] for r in declined]
    cpu_declined = [r["cpu_s"] for r in declined]
    out += ["", f"Added latency of a photo paid after the engine declined it: the engine's read "
            f"before the API call, p50 {pct(cpu_declined, 0.5):.2f} s CPU / "
            f"{pct(wall, 0.5):.2f} s wall, p95 {pct(cpu_declined, 0.95):.2f} s CPU / "
            f"{pct(wall, 0.95):.2f} s wall over the {len(declined)} declined photos of "
            f"`{measured}` (wall time on this shared machine, load average {os.getloadavg()[0]:.1f}; the "
            f"engine function adds its HTTP round trip, bench/engine_function.py)."]
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
