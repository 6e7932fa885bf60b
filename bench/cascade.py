"""OCR_ENGINE=cascade: the thresholds' fit, the trade-off curve and the cost per 1,000 photos;
writes its section of bench/README.md, and with `--fit` the thresholds into card/vouching.py.

1. Readings (bench/readings.py, one cache shared with bench/engine_unseen.py). Each photo is
   prepared as the function prepares it and read by the offline engine in-process, both
   sides (what the cascade asks for). The sets, never mixed:
   - fit sets (FIT_SETS, or BENCH_CASCADE_FIT): tests/fakes/realistic.py (the engine's own
     generator, every kind users send) and the `fresh` rendering (tuned on since 2026-12-06:
     measured once as a hold-out, its misses looked at);
   - measured sets: renderings of tests/fakes/renderings.py named by `--sets` (default
     `specimen,gb`, both tuned on, or BENCH_CASCADE_SETS), shot with
     `renderings.shoot(name, kind, seed)`; a rendering not in ROLE, or whose role there
     is a hold-out (novel), is reported as a hold-out, in its own section.
   A4 sheets pair a back that belongs to the face (`paired=True`), as a real card's copy does.
2. Fit (`fit`): one threshold per pool of fields, by what the checks can catch (POOLS): the
   lowest grid value at or above which the fit sets show no wrong field of the pool among the
   readings that would otherwise stand, one grid step higher for margin, admitting at least
   MIN_SUPPORT readings (so that 0 wrong bounds the pool's wrong rate below 1 %, the rule of
   three), and for free text never under UNCHECKED_FLOOR; a field whose own readings support a
   lower threshold by that rule takes it (the authority). Nothing of the measured sets is used.
   `--fit` writes the result into card/vouching.py's MIN_CONFIDENCE (what the function uses).
3. Measure. The real cascade (io/cascade.Cascade) over each set with the committed thresholds:
   the engine replays the readings, the API is a stand-in that answers the truth and counts
   calls. Reported: share of photos paid, wrong fields among the readings the engine vouched
   for with the rule-of-three bound (95 %), wrong numbers, why ordinary photos were paid (the
   first reason, the field's doubt, W when its value was wrong: `why_paid`), and the
   trade-off curves.
4. Cost per 1,000 photos: API-only, engine-only and cascade, in bench/cost.py's terms, from
   the measured engine time, the function's measured peak memory with the engine inside, and
   the share paid on the first measured set.

    IDCARD_ENGINE_MODELS=folded nice .venv/bin/python bench/cascade.py --fit  # the deployed models
    nice .venv/bin/python bench/cascade.py --fit      # fit, write MIN_CONFIDENCE, report
    nice .venv/bin/python bench/cascade.py            # report the committed thresholds
    nice .venv/bin/python bench/cascade.py --sets NAME    # a hold-out (section cascade-NAME)
    BENCH_CASCADE_PER_KIND=300 nice .venv/bin/python bench/cascade.py --sets NAME  # ~3,000 fields
    nice .venv/bin/python bench/cascade.py --cached   # only the readings already in the cache
    nice .venv/bin/python bench/cascade.py --cached --engine-function  # + the HTTP path's cost

Photos are read by BENCH_WORKERS processes (default 2); an interrupted run goes on where it
stopped (docs/cascade.md, "Evidence for ≤ 0.1 %": how long a large run takes). A section
bench/README.md lacks (cascade-NAME) is printed, not written.
"""

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import readings as cache
from common import ROOT, header, load_results, publish, record
from cost import API_PRICE, CU_PRICE, FUNCTION_VCPU, LOCAL_VCPU, PHOTOS, fc_usd  # one set of prices

SCALE = float(os.environ.get("BENCH_SCALE", 1))
# kind -> photos of the realistic fit set, at scale 1 (148).
FIT = {"clean": 30, "desk": 12, "hand": 12, "perspective": 12, "screenshot": 10,
       "glare": 12, "turned": 12, "far": 12, "photocopy": 12, "sheet_scan": 12, "sheet_photo": 12}
# Three generators, two of them drawn by someone who never read the engine: a threshold that
# suits the engine's own photos shows up as a miss on the others'. blind's 1,000 photos are the
# only ones in a font the recogniser was not built on, at a size that shows wrong names.
FIT_SETS = tuple(name.strip() for name in os.environ.get(
    "BENCH_CASCADE_FIT", "realistic,fresh,blind").split(",") if name.strip())
# photos per kind of each rendering of tests/fakes/renderings.py (fit or measured);
# BENCH_CASCADE_PER_KIND sets it for every measured set (a large hold-out run)
PER_KIND = {"specimen": 35, "gb": 20, "fresh": 35, "blind": 250}
DEFAULT_PER_KIND = 35
PER_KIND_SETTING = os.environ.get("BENCH_CASCADE_PER_KIND")
DEFAULT_SETS = os.environ.get("BENCH_CASCADE_SETS", "specimen,gb")
SHEETS = cache.SHEETS
ORDINARY = {"clean", "desk", "hand", "perspective", "screenshot", "plain_face", "plain_back"}
GROUPS = {"ordinary": ORDINARY,
          "hard": {"glare", "turned", "far", "photocopy", "hard"},
          "A4 sheets": {"sheet_scan", "sheet_photo", "sheet"}}
GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)
ROLE = {"realistic": "fit set",
        "fresh": "fit set, tuned on since 2026-12-06: measured once as a hold-out, its misses "
                 "looked at",
        "specimen": "tuned on: looked at while the engine and the vouching rules were written",
        "gb": "tuned on: the engine's tuning set, measured here before",
        "blind": "fit set, tuned on since 2026-12-07: measured once as a hold-out, its misses "
                 "looked at",
        "outsider": "tuned on since 2026-12-07: measured once as a hold-out, its misses looked "
                    "at",
        # measured once (section cascade-novel); the engine's misses on it were printed by
        # bench/engine_unseen.py the same day, so it is no longer unseen
        "novel": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                 "read since)",
        # measured once (section cascade-stranger), after its engine misses and KYC rates were
        # printed the same day
        "stranger": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                    "read since)",
        # measured once (section cascade-wayfarer), after its engine misses and KYC rates were
        # printed the same day
        "wayfarer": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                    "read since)",
        # measured once (section cascade-pilgrim), after its engine misses and KYC rates were
        # printed the same day
        "pilgrim": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                   "read since)",
        # measured once (section cascade-nomad), after its engine misses and KYC rates were
        # printed the same day
        "nomad": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                 "read since)",
        # measured once (section cascade-drifter), after its engine misses and KYC rates were
        # printed the same day
        "drifter": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                   "read since)",
        # measured once (section cascade-rover), after its engine misses and KYC rates were
        # printed the same day
        "rover": "hold-out measured once on 2026-12-07, never fitted on (its engine misses "
                 "read since)",
        # drawn 2026-12-07 (the thirteenth) by an engineer who read none of the engine, the
        # rules, the cascade or the other generators; measured once (section cascade-vagabond)
        # on 2026-12-08, after which its engine misses and KYC rates were printed
        "vagabond": "hold-out measured once on 2026-12-08, never fitted on (its engine misses "
                    "read since)"}
HOLDOUT_ROLE = "hold-out: never fitted on or looked at"

API_SECONDS = float(os.environ.get("BENCH_API_SECONDS", 0.8))  # the API's answer time, assumed


def role(name: str) -> str:
    return ROLE.get(name, HOLDOUT_ROLE)


def section(names) -> str:
    """The bench/README.md section a run on `names` writes: the tuned-on sets' (cascade), or
    with its hold-outs named (cascade-blind, cascade-novel)."""
    return "-".join(["cascade", *[name for name in names if role(name).startswith("hold-out")]])


def set_names(argv) -> list:
    """The renderings to measure: `--sets a,b` (or `--sets=a,b`), else BENCH_CASCADE_SETS."""
    value = DEFAULT_SETS
    for i, arg in enumerate(argv):
        if arg == "--sets" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--sets="):
            value = arg.split("=", 1)[1]
    return [name.strip() for name in value.split(",") if name.strip()]


def photo_keys(names):
    """(set, kind, seed) of every photo of the fit sets and of `names`, in that order."""
    from tests.fakes import realistic, renderings

    for name in dict.fromkeys((*FIT_SETS, *names)):
        if name == "realistic":
            for kind, count in FIT.items():
                for i in range(max(1, int(count * SCALE))):
                    yield "realistic", kind, 40_000 + 100 * realistic.KINDS.index(kind) + i
            continue
        count = PER_KIND.get(name, DEFAULT_PER_KIND)
        if PER_KIND_SETTING and name not in FIT_SETS:
            count = int(PER_KIND_SETTING)
        for kind in renderings.KINDS if count else ():
            for i in range(max(1, int(count * SCALE))):
                yield name, kind, cache.SEED_BASE + i


def collect(names, cached_only: bool = False):
    """Every photo's engine readings (both sides) and time: bench/readings.py's."""
    return cache.readings(photo_keys(names), cached_only=cached_only)


# Replaying the readings through the real cascade ------------------------------------------------

class Replay:
    """The engine of one photo, as io/offline.OfflineEngine gives its cached answers."""

    def __init__(self, reading):
        self.answers = reading["answers"]
        self.calls = 0

    def recognize(self, image, side, deadline):
        self.calls += 1
        from idcard_ocr.io.offline import engine_answer
        from idcard_ocr.io.seams import Recognition

        # As io/offline.OfflineEngine judges it: a side found with nothing read is an
        # unreadable photo (engine_failed:recognition_failed), not the API's bad answer.
        return Recognition(engine_answer(json.loads(json.dumps(self.answers[side])), side), 0)


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
              "declined": None, "why": None}
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
    if result["calls"] and result["declined"]:
        result["why"] = why_paid(reading, result["declined"])
    return result


def why_paid(reading, declined: str) -> str:
    """The decline reason with the engine's doubt of the field it names (`doubted:address:
    second_read_differs`), and ` W` when the engine's value of that field was wrong (paying
    was right): a reason that pays for right values is a lever, one that pays for wrong ones
    is the cascade working."""
    from idcard_ocr.card.documents import FIELDS

    parts = declined.split(":")
    side = parts.pop(0) if parts[0] in FIELDS else None
    field = parts[1] if len(parts) > 1 else None
    side = side or next((s for s in FIELDS if field in FIELDS[s]), None)
    answer = reading["answers"].get(side) or {}
    if field not in FIELDS.get(side, ()):
        return declined
    doubts = answer.get("doubts")
    why = doubts.get(field) if parts[0] == "doubted" and isinstance(doubts, dict) else None
    wrong = answer.get(field) != reading["truth"].get(side, {}).get(field)
    return declined + (f":{why}" if why else "") + (" W" if wrong else "")


def measure(readings, thresholds):
    """Totals of `outcome` over readings: photos, paid, ordinary photos and paid among them,
    vouched fields, wrong fields, wrong numbers, sides missed, decline reasons."""
    from collections import Counter

    totals = defaultdict(int)
    totals["why_ordinary"] = Counter()  # why_paid of each ordinary photo paid
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
            if paid and done["why"]:
                totals["why_ordinary"][done["why"]] += 1
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
# choice) never stands below 0.9, whatever a few hundred photos show.
UNCHECKED_FLOOR = 0.9
# Fields pooled by what the checks can do about a misread (card/checks.py): the number's check
# character, birth date and sex against the number, and the validity dates against each other
# and the holder's age cross-examine the `checked` fields; nothing catches a wrong name,
# nationality, address or issuing authority. These split by the evidence the engine has for
# them: a name is short and read twice, its confidence the least of both reads' scores and
# margins, and a nationality is one of 56; an address or an authority is lines, whose misses
# (a character lost or joined at a line's end, a line lost, all others sure) no score shows.
# Over realistic, fresh, blind, specimen, gb and novel no wrong name or nationality that would
# otherwise stand reached 0.9, while wrong addresses and authorities stood at 0.95-0.996: one
# pool held the names at the lines' threshold. One threshold per pool: a few hundred readings
# of a field alone say little about its own threshold, the pool's say more.
POOLS = {"checked": ("sex", "birth", "num", "start_date", "end_date"),
         "names": ("name", "nationality"),
         "lines": ("address", "issue")}
UNCHECKED = set(POOLS["names"]) | set(POOLS["lines"])
# A threshold is trusted only when at least this many readings of its pool stand at or above
# it on the fit sets: 0 wrong among them then bounds the pool's wrong rate below 1 % (the
# rule of three). Fewer, and the fit sets cannot tell the threshold from luck: 1.0, never vouch.
MIN_SUPPORT = 300
CONFIDENCE_LEVEL = 0.95


def upper_bound(wrong: int, total: int, level: float = CONFIDENCE_LEVEL) -> float:
    """The one-sided upper confidence bound of a wrong rate seen as `wrong` of `total`
    (Clopper-Pearson; for 0 wrong 1 - 0.05^(1/n), about 3/n: the rule of three)."""
    if total <= 0:
        return 1.0
    if wrong >= total:
        return 1.0

    def at_most(p):  # P(X <= wrong) for X ~ Binomial(total, p)
        return sum(math.exp(math.lgamma(total + 1) - math.lgamma(k + 1)
                            - math.lgamma(total - k + 1) + k * math.log(p)
                            + (total - k) * math.log1p(-p)) for k in range(wrong + 1))
    low, high = wrong / total, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if at_most(middle) > 1 - level else (low, middle)
    return high


def base_field(name: str) -> str:
    """The field a threshold is for (`address` of `address_large_print`)."""
    from idcard_ocr.card.vouching import LARGE_PRINT

    return name[:-len(LARGE_PRINT)] if name.endswith(LARGE_PRINT) else name


def field_readings(readings_):
    """field -> [(confidence, wrong)] of every field read on a side that would stand whatever
    the thresholds (read, not doubted, written as on a card, checks passed); each also under
    `<field>_large_print` for the cards printed large (card/vouching.large_print)."""
    from idcard_ocr.card.documents import FIELDS
    from idcard_ocr.card.vouching import (LARGE_PRINT, decline_reason, field_confidence,
                                          large_print)

    floor = {name: 0.0 for side in FIELDS for name in FIELDS[side]}
    fields = {name: [] for names in POOLS.values() for name in names}
    fields.update({name + LARGE_PRINT: [] for name in list(fields)})
    for reading in readings_:
        for side, answer in reading["answers"].items():
            if answer.get("success") is False:
                continue
            if decline_reason(answer, side, thresholds=floor) is not None:
                continue  # declined whatever the thresholds: not what they must catch
            expected = reading["truth"].get(side, {})
            for name in FIELDS[side]:
                read = (field_confidence(answer, name), answer.get(name) != expected.get(name))
                fields[name].append(read)
                if large_print(answer):
                    fields[name + LARGE_PRINT].append(read)
    return fields


def fit_pool(values, floor: float = GRID[0]):
    """(threshold, readings at or above it, wrong among them) of one pool: the lowest grid
    value above every wrong reading, one grid step higher for margin, at least `floor`. A
    threshold that admits fewer than MIN_SUPPORT readings is not trusted: 1.0 (never vouch)."""
    wrong = [score for score, bad in values if bad]
    start = 0
    if wrong:
        above = [i for i, t in enumerate(GRID) if t > max(wrong)]
        if not above:
            return 1.0, 0, 0
        start = min(len(GRID) - 1, above[0] + 1)
    threshold = max(GRID[start], floor)
    admitted = [bad for score, bad in values if score >= threshold]
    if len(admitted) < MIN_SUPPORT:
        return 1.0, len(admitted), sum(admitted)
    return threshold, len(admitted), sum(admitted)


def fit(readings_):
    """Per field its threshold, and per pool (threshold, support, wrong), with `<field> alone`
    for a field that stands on its own readings below its pool's.

    A pool lends its readings to fields too rare to be fitted alone; a field whose own
    readings support a lower threshold by the same rule (MIN_SUPPORT of them at or above it,
    a step above its own highest miss, the free-text floor) takes that one. Its own misses
    are what must stay out, and the pool's other field's misses are another field's: the
    authority's misses (a first character lost, a label's character joined) are caught by
    what it must be (a division of GB/T 2260 at its start, a bureau's ending, the address's
    county on a sheet) and stood at 0.28 or 0.98-0.996 in the readings of seven sets, where
    no score separates them, while it was held at the address's threshold (育才街 read 育街 at
    0.979).

    A field with a large print's threshold (the address) takes, for the cards printed large,
    the one its pool's readings of large prints support by the same rule, when lower than its
    own: its misses no score shows (a character lost at a line's end) were small prints'."""
    fields = field_readings(readings_)
    floors = {pool: UNCHECKED_FLOOR if set(names) <= UNCHECKED else GRID[0]
              for pool, names in POOLS.items()}
    fitted = {pool: fit_pool([v for name in names for v in fields[name]], floors[pool])
              for pool, names in POOLS.items()}
    thresholds = {}
    for pool, names in POOLS.items():
        for name in names:
            alone = fit_pool(fields[name], floors[pool])
            thresholds[name] = min(fitted[pool][0], alone[0])
            if alone[0] < fitted[pool][0]:
                fitted[f"{name} alone"] = alone
    from idcard_ocr.card.vouching import LARGE_PRINT, LARGE_PRINT_FIELDS

    for name in LARGE_PRINT_FIELDS:
        pool = next(pool for pool, names in POOLS.items() if name in names)
        large = fit_pool([v for other in POOLS[pool] for v in fields[other + LARGE_PRINT]],
                         floors[pool])
        thresholds[name + LARGE_PRINT] = min(thresholds[name], large[0])
        if large[0] < thresholds[name]:
            fitted[f"{pool} on a large print"] = large
    return thresholds, fitted


# The block of card/vouching.py that `--fit` rewrites (everything between the two markers).
FITTED_BEGIN = "# fitted: begin (bench/cascade.py --fit writes this block)"
FITTED_END = "# fitted: end"


def write_thresholds(path: str, thresholds, note: str) -> None:
    """Rewrite MIN_CONFIDENCE in the file at `path` (card/vouching.py) between the markers,
    with `note` (how and when it was fitted) as its comment."""
    from idcard_ocr.card.documents import FIELDS
    from idcard_ocr.card.vouching import LARGE_PRINT, LARGE_PRINT_FIELDS

    order = [name for side in ("face", "back") for name in FIELDS[side]] + [
        name + LARGE_PRINT for name in LARGE_PRINT_FIELDS]
    if set(thresholds) != set(order):
        raise ValueError("a threshold for every field, and no other")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(re.escape(FITTED_BEGIN) + r"\n.*?" + re.escape(FITTED_END), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{path} has no single block between {FITTED_BEGIN!r} and "
                         f"{FITTED_END!r}")
    items = [f'"{name}": {float(thresholds[name]):g}' for name in order]
    lines, line = ["MIN_CONFIDENCE: Mapping[str, float] = {"], "   "
    for item in items:
        if len(line) + len(item) + 2 > 96:
            lines.append(line.rstrip())
            line = "   "
        line += f" {item},"
    lines += [line, "}"]
    block = "\n".join([FITTED_BEGIN] + [f"# {part}" for part in note.splitlines()] + lines
                      + [FITTED_END])
    with open(path, "w", encoding="utf-8") as f:
        f.write(pattern.sub(lambda _: block, text))


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


VOUCHING = os.path.join(ROOT, "functions", "idcard_ocr", "idcard_ocr", "card", "vouching.py")


def wrong_cell(wrong: int, vouched: int) -> str:
    """Wrong of vouched fields, with the 95 % upper bound of the rate (the rule of three)."""
    return (f"{100 * wrong / max(vouched, 1):.2f} % ({wrong} of {vouched}; "
            f"< {100 * upper_bound(wrong, vouched):.2f} %)")


def main(argv) -> int:
    import logging

    from idcard_ocr.card import vouching

    logging.disable(logging.WARNING)  # "engine failed, the API reads", once per such replay
    names = [name for name in set_names(argv) if name not in FIT_SETS]
    started = time.monotonic()
    readings = collect(names, cached_only="--cached" in argv)
    took = time.monotonic() - started
    sets = {name: [r for r in readings if r["set"] == name] for name in (*FIT_SETS, *names)}
    sets = {name: rows for name, rows in sets.items() if rows}
    fit_rows = [r for name in FIT_SETS for r in sets.get(name, [])]
    if "--fit" in argv and not fit_rows:
        print("--fit needs the fit sets' readings (BENCH_CASCADE_FIT names none, or none was read)",
              file=sys.stderr)
        return 2
    fitted, pools = fit(fit_rows)
    if "--fit" in argv:
        write_thresholds(VOUCHING, fitted, (
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, fitted on "
            + " + ".join(f"{name} ({len(sets.get(name, []))} photos)" for name in FIT_SETS)
            + ":\n" + "\n".join(f"{pool} {threshold:g} ({support} readings at or above, "
                                f"{wrong} wrong)" for pool, (threshold, support, wrong)
                                in pools.items())))
        thresholds = fitted
    else:
        thresholds = dict(vouching.MIN_CONFIDENCE)
    out = [header(("rapidocr-onnxruntime", "onnxruntime", "pillow")), "",
           "Sets: " + "; ".join(f"`{name}` ({role(name)}): {len(rows)} photos" for name, rows in
                                sets.items()) + ". The API stand-in answers the truth; the "
           "engine's readings replay through io/cascade.Cascade and recognition.read_card "
           "(CARD_SIDE=auto). *Wrong fields* counts the fields of the sides the engine vouched "
           "for that differ from the truth, with the 95 % upper bound of the rate (Clopper-"
           "Pearson; for 0 wrong about 3/n, the rule of three); *paid* is a photo with at least "
           "one API call; *sides missed*: a side of a sheet nobody was asked for: the engine "
           "found no card on it (the API reads one side, as with the API alone), or one card "
           "and no text beside it (its answer's `on_sheet`: then the API reads the other side, "
           "io/cascade.py). A sheet's back belongs to its face's "
           "holder, as on a real card's copy.", "",
           ] + ([
           "Fit (`--fit`, on " + " + ".join(f"`{n}`" for n in FIT_SETS) + "): one threshold per "
           "pool, the lowest grid value above every wrong reading of the pool that would "
           "otherwise stand, one grid step higher, admitting at least "
           f"{MIN_SUPPORT} readings; free text never under {UNCHECKED_FLOOR:g}; a field whose "
           "own readings support a lower threshold by the same rule takes it (`<field> alone`). "
           + "; ".join(
               f"{pool}" + (f" ({', '.join(POOLS[pool])})" if pool in POOLS else "") +
               f": {threshold:g}, {support} readings at or "
               f"above it, {wrong} wrong (< {100 * upper_bound(wrong, support):.2f} %)"
               for pool, (threshold, support, wrong) in pools.items()) + ".", ""] if fit_rows else [
           "No fit set was read in this run (BENCH_CASCADE_FIT is empty): the committed "
           "thresholds are measured, none fitted.", ""])
    if fit_rows and dict(fitted) != dict(thresholds):
        out += ["**card/vouching.py's MIN_CONFIDENCE differs from this fit: " +
                ", ".join(f"{n}={v:g}" for n, v in thresholds.items()) + ".**", ""]
    out += ["### The committed thresholds (card/vouching.py) on each set", "",
            "Thresholds: " + ", ".join(f"{n}={v:g}" for n, v in thresholds.items()) + ".", "",
            "| set | photos | paid (all) | ordinary photos paid (target ≤ 25 %) | "
            "fields vouched | wrong fields (target ≤ 0.1 %; 95 % bound) | wrong numbers "
            "(target 0) | sides missed |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    declines, wrongs, figures, whys = {}, {}, {}, {}
    for name, rows in sets.items():
        t, reasons, wrong = measure(rows, thresholds)
        declines[name], wrongs[name], whys[name] = reasons, wrong, t["why_ordinary"]
        api_only_calls = sum(len(r["truth"]) for r in rows)  # a sheet's two sides: two calls
        figures.update({f"{name}_paid_pct": round(100 * t["paid"] / t["photos"], 1),
                        f"{name}_ordinary_paid_pct": round(
                            100 * t["ordinary_paid"] / max(t["ordinary"], 1), 1),
                        f"{name}_call_share": round(t["calls"] / api_only_calls, 3),
                        f"{name}_vouched_fields": t["vouched_fields"],
                        f"{name}_wrong_fields": t["wrong"],
                        f"{name}_wrong_bound_pct": round(
                            100 * upper_bound(t["wrong"], t["vouched_fields"]), 2),
                        f"{name}_wrong_numbers": t["wrong_numbers"]})
        groups = [("all", rows)] + [(group, [r for r in rows if r["kind"] in kinds])
                                    for group, kinds in GROUPS.items()]
        for group, subset in groups:
            if not subset:
                continue
            t, _, _ = measure(subset, thresholds)
            label = f"{name} ({role(name)})" if group == "all" else f"{name}: {group}"
            out.append(f"| {label} | {t['photos']} | {100 * t['paid'] / t['photos']:.1f} % "
                       f"| " + (f"{100 * t['ordinary_paid'] / t['ordinary']:.1f} % "
                                f"({t['ordinary_paid']}/{t['ordinary']})" if t["ordinary"]
                                else "-") + f" | {t['vouched_fields']} | "
                       f"{wrong_cell(t['wrong'], t['vouched_fields'])} | "
                       f"{t['wrong_numbers']} | {t['missed']} |")
    out += ["", "Why the engine was declined (photos paid, by reason): " + "; ".join(
        f"`{name}`: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()) for name, reasons
        in declines.items()) + ".", "",
        "Wrong fields vouched for: " + "; ".join(
            f"`{name}`: " + (", ".join(f"{k}: {v}" for k, v in w.most_common()) or "none")
            for name, w in wrongs.items()) + ".", ""]
    out += why_table(whys)
    out += curve("### Trade-off: one threshold for every field", sets,
                 lambda t: {name: t for name in thresholds})
    out += curve("### Trade-off: one threshold for the free text (name, nationality, "
                 "address, issue), the checked fields at their committed thresholds", sets,
                 lambda t: {name: t if base_field(name) in UNCHECKED else value
                            for name, value in thresholds.items()})
    out += curve("### Trade-off: the lines' threshold (address, issue), the other fields at "
                 "their committed thresholds", sets,
                 lambda t: {name: t if base_field(name) in POOLS["lines"] else value
                            for name, value in thresholds.items()})
    out += curve("### Trade-off: the address's threshold on a card printed large "
                 "(card/vouching.LARGE_PRINT_PX), the other fields at their committed "
                 "thresholds", sets, lambda t: {**thresholds, "address_large_print": t})
    out += curve("### Trade-off: the authority's threshold (issue) alone, the other fields at "
                 "their committed thresholds", sets,
                 lambda t: {**thresholds, "issue": t})
    stale = cache.of_another_version(readings)
    if stale:
        out += ["", f"**{stale} of {len(readings)} readings were made by another engine, "
                f"imaging or generators than this checkout's** (or before readings named "
                f"their version): the figures are of that code, not of this one."]
    if readings and "--cached" not in argv:
        out += ["", f"Readings: {len(readings)} photos in {took / 60:.1f} min ("
                f"{cache.WORKERS} processes, the rest from the cache; load average "
                f"{os.getloadavg()[0]:.1f})."]
    out += cost_section(readings, sets, engine_function_path() if "--engine-function" in argv
                        else None, thresholds)
    if "--no-publish" in argv:
        print("\n".join(out))
    else:  # a hold-out's run keeps its own section (cascade-blind); the tuned-on sets' stays
        kept = {k: v for k, v in load_results().get("cascade", {}).items() if k != "run"}
        record("cascade", {**kept, **figures})  # bench/cost.py's cascade rows read them
        publish(section(names), out)
    return 0


def why_table(whys):
    """Why each set's ordinary photos were paid, by the first reason, the field and its doubt
    (why_paid; W: the engine's value was wrong)."""
    from collections import Counter

    total = sum(whys.values(), Counter())
    if not total:
        return []
    return ["### Why ordinary photos were paid", "",
            "The first reason of each ordinary photo paid, with the engine's doubt of the field "
            "it names; **W**: the engine's value of that field was wrong, so paying was right "
            "(a reason that pays for right values is where a lever is).", "",
            "| first reason | " + " | ".join(f"`{name}`" for name in whys) + " |",
            "|---|" + "---:|" * len(whys)] + [
        f"| `{why}` | " + " | ".join(str(counts.get(why, "")) for counts in whys.values()) + " |"
        for why, _ in total.most_common()] + [""]


def curve(title, sets, thresholds_at):
    """The trade-off over GRID: per set, share paid (ordinary photos), wrong fields (bound)
    and wrong numbers, with the thresholds `thresholds_at(t)` gives."""
    out = [title, "", "| threshold | " + " | ".join(
        f"{name}: paid (ordinary) | {name}: wrong fields (numbers)" for name in sets) + " |",
        "|---:|" + "---:|---:|" * len(sets)]
    for threshold in GRID:
        cells = []
        for name, rows in sets.items():
            t, _, _ = measure(rows, thresholds_at(threshold))
            cells += [f"{100 * t['paid'] / t['photos']:.0f} % "
                      f"({100 * t['ordinary_paid'] / max(t['ordinary'], 1):.0f} %)",
                      f"{t['wrong']} of {t['vouched_fields']} "
                      f"(< {100 * upper_bound(t['wrong'], t['vouched_fields']):.2f} %) "
                      f"({t['wrong_numbers']})"]
        out.append(f"| {threshold:g} | " + " | ".join(cells) + " |")
    return out + [""]


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
        differ = 0  # photos whose answers through ENGINE_URL are not the in-process ones
        for image in images[1:]:
            answers = []
            for reader, times in ((own, local), (client, remote)):
                started, cpu, served = time.perf_counter(), time.process_time(), \
                    instance.cpu_seconds()
                answers.append({})
                for side in ("face", "back"):
                    try:
                        answers[-1][side] = reader.recognize(image, side, Deadline(60)).answer
                    except PermanentError as e:
                        answers[-1][side] = e.code  # "no such side" is an answer too
                times.append(time.perf_counter() - started)
                (caller_cpu if reader is client else local_cpu).append(time.process_time() - cpu)
                if reader is client:
                    engine_cpu.append(instance.cpu_seconds() - served)
            differ += json.loads(json.dumps(answers[0])) != json.loads(json.dumps(answers[1]))
        return {"local": local, "remote": remote, "local_cpu": local_cpu,
                "caller_cpu": caller_cpu, "answers_differ": differ,
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
            f"between two functions adds its own round trip). Answers through ENGINE_URL other "
            f"than in-process: {path['answers_differ']} of {len(added)} photos (the cascade "
            f"must vouch for the same reading either way). The engine function's peak "
            f"{path['peak_mb']:.0f} MB (VmHWM). In the row above: the calling function billed "
            f"while the engine computes, the HTTP path's added p50 and the share paid times the "
            f"API's answer time (the first figure); the engine function for its CPU time per "
            f"photo spread over its {engine_vcpu:g} vCPU (the second), each of the "
            f"{engine_requests:.2f} engine requests per photo of `{measured}` an invocation "
            f"(the cascade asks for each side; a repeat is answered from the engine's cache)."]


def cost_section(readings, sets, path=None, thresholds=None):
    """Cost per 1,000 photos in bench/cost.py's terms, and the latency a declined photo adds;
    with `path` (engine_function_path), also through the engine function."""
    from idcard_ocr.card.vouching import MIN_CONFIDENCE

    thresholds = thresholds or MIN_CONFIDENCE
    memory_mb = peak_memory_mb()
    sized_mb = next(size for size in (512, 1024, 1536, 2048, 3072, 4096)
                    if size >= memory_mb * 1.5)
    cpu = [r["cpu_s"] for r in readings]
    engine_s = max(pct(cpu, 0.5) / LOCAL_VCPU, 0.0)
    # the first measured set, else the first fit set (a run may name no fit set: BENCH_CASCADE_FIT="")
    measured = next((name for name in sets if name not in FIT_SETS), None) or FIT_SETS[0]
    holdout = sets[measured]
    t, _, _ = measure(holdout, thresholds)
    share, calls_per_photo = t["paid"] / t["photos"], t["calls"] / t["photos"]
    api_only_calls = sum(len(r["truth"]) for r in holdout) / len(holdout)
    declined = [r for r in holdout if outcome(r, thresholds)["calls"] > 0]
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
