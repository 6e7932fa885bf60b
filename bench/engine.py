"""Offline engine benchmark (part of `make bench`); writes its tables into bench/README.md.

Reads generated photos with exact truth (fixed seeds; needs Debian's CJK fonts and
fonts-ocr-b, `make fonts`): realistic cards (tests/fakes/realistic.py) of every kind users send,
A4 sheets with both sides, and a row of the first, simple card style (tests/fakes/cards.py) so
regressions on it show. Each photo is read as the function reads it with CARD_SIDE=auto: face
first, then every other side the answer's `sides_found` names. Reports fields right per kind,
citizen numbers wrong but valid (must be none), printed birth dates silently contradicting a
valid number (must be none), time per photo (p50/p95, in-process) and peak memory. The
engine server's own figures are bench/engine_server.py's.

    .venv/bin/python bench/engine.py          # BENCH_SCALE=0.2 for a quick look

Time per photo is reported as wall time and as CPU time (time.process_time, all threads):
on a shared, loaded machine only the second says what the engine costs.
"""

import os
import subprocess
import sys
import time
from collections import defaultdict

from common import ROOT, header, publish, record

SCALE = float(os.environ.get("BENCH_SCALE", 1))
# Kind of photo -> how many (315 realistic photos, 40 sheets among them, at scale 1).
REALISTIC = {"clean": 60, "desk": 25, "hand": 25, "perspective": 25, "screenshot": 20,
             "glare": 30, "turned": 30, "far": 30, "photocopy": 30,
             "sheet_scan": 20, "sheet_photo": 20}
GROUPS = {"ordinary": ("clean", "desk", "hand", "perspective", "screenshot"),
          "hard": ("glare", "turned", "far", "photocopy"),
          "A4 sheets, both sides": ("sheet_scan", "sheet_photo"),
          "simple style (old generator)": ("simple",)}
TARGETS = {"ordinary": 99.5, "hard": 98.0, "A4 sheets, both sides": 99.0}
SIMPLE = ("clean", "rotated", "blurred", "jpeg", "sideways", "upside_down", "exif_sideways",
          "cluttered", "large")
SIMPLE_EACH = 5


def photos():
    """(kind, truth by side, JPEG bytes, detail) for every photo of the run."""
    from tests.fakes import realistic
    from tests.fakes.cards import make_card, photograph

    for kind, count in REALISTIC.items():
        for i in range(max(1, int(count * SCALE))):
            photo = realistic.shoot(kind, 20_000 + 100 * realistic.KINDS.index(kind) + i)
            yield kind, photo.truth, photo.data, photo.detail
    for distortion in SIMPLE:
        for i in range(max(1, int(SIMPLE_EACH * SCALE))):
            seed = 10_000 + 100 * SIMPLE.index(distortion) + i
            card = make_card(seed)
            yield "simple", {card.side: card.truth}, photograph(card, distortion, seed), distortion


def read_all_sides(data: bytes):
    """Answers by side, as CARD_SIDE=auto does it: face first, then the sides found."""
    from idcard_ocr.engine import recognize

    first = recognize(data, "face")
    answers = {"face": first} if first.get("success") else {}
    for side in first.get("sides_found", []):
        if side not in answers:
            answers[side] = recognize(data, side)
    return answers


def accuracy_and_speed():
    from idcard_ocr.card import idnumber

    right, total = defaultdict(int), defaultdict(int)          # kind -> fields
    field_right, field_total = defaultdict(int), defaultdict(int)  # (group, field)
    times, cpu = defaultdict(list), []
    counts = defaultdict(int)
    misses = []
    for kind, truth, data, detail in photos():
        started, started_cpu = time.perf_counter(), time.process_time()
        answers = read_all_sides(data)
        times[kind].append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        group = next(g for g, kinds in GROUPS.items() if kind in kinds)
        for side, fields in truth.items():
            answer = answers.get(side, {})
            wrong = [name for name, value in fields.items() if answer.get(name) != value]
            for name in fields:
                total[kind] += 1
                field_total[group, name] += 1
                field_right[group, name] += name not in wrong
            right[kind] += len(fields) - len(wrong)
            if wrong:
                misses.append(f"{kind} ({detail}), {side}: " + ", ".join(
                    f"{name} {'missing' if not answer.get(name) else 'wrong'}"
                    + (f" ({fields[name]})" if name == "nationality" else "")  # no one's data
                    for name in wrong))
            if side != "face":
                continue
            counts["numbers"] += 1
            number = answer.get("num", "")
            if number != fields["num"]:
                counts["wrong_valid" if idnumber.is_valid(number) else "flagged"] += 1
            if idnumber.is_valid(number) and answer.get("birth"):
                contradicts = idnumber.birth_date(number) != answer["birth"]
                counts["conflicts"] += contradicts
                counts["silent"] += contradicts and not answer.get("birth_conflict")
            counts["from_number"] += answer.get("birth_source") == "number"
    return right, total, field_right, field_total, times, cpu, counts, misses


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
    right, total, field_right, field_total, times, cpu, counts, misses = accuracy_and_speed()
    load = os.getloadavg()[0]
    peak_card, peak_large = peak_memory_mb("clean"), peak_memory_mb("large")
    n_photos = sum(len(v) for v in times.values())
    out = [header(("rapidocr-onnxruntime", "onnxruntime", "pillow")), "",
           f"{n_photos} generated photos with exact truth (fixed seeds): "
           f"{sum(len(times[k]) for k in REALISTIC)} realistic ones (tests/fakes/realistic.py) "
           f"and {len(times['simple'])} of the first, simple style. Each is read as "
           "CARD_SIDE=auto reads it (face, then every side in `sides_found`); exact match per "
           "field, and a side not found counts all its fields wrong.", "",
           "### Fields right per group (targets: ordinary ≥ 99.5 %, hard ≥ 98 %, "
           "both sides of A4 sheets ≥ 99 %)", "",
           "| group | kinds | fields right | target |", "|---|---|---:|---|"]
    for group, kinds in GROUPS.items():
        r = sum(right[k] for k in kinds)
        t = sum(total[k] for k in kinds)
        target = TARGETS.get(group)
        verdict = "-" if target is None else (f"≥ {target} %: **met**" if 100 * r / t >= target
                                              else f"≥ {target} %: **missed**")
        out.append(f"| {group} | {', '.join(kinds)} | {100 * r / t:.2f} % ({r}/{t}) | "
                   f"{verdict} |")
    out += ["", "### Per kind of photo", "",
            "| kind | photos | fields right | p50 s | p95 s |", "|---|---:|---:|---:|---:|"]
    for kind in list(REALISTIC) + ["simple"]:
        r, t = right[kind], total[kind]
        out.append(f"| {kind} | {len(times[kind])} | {100 * r / t:.1f} % ({r}/{t}) | "
                   f"{pct(times[kind], .5):.2f} | {pct(times[kind], .95):.2f} |")
    fields = ("name", "sex", "nationality", "birth", "address", "num", "issue", "start_date",
              "end_date")
    out += ["", "### Per field", "", "| field | " + " | ".join(GROUPS) + " |",
            "|---|" + "---:|" * len(GROUPS)]
    for name in fields:
        cells = []
        for group in GROUPS:
            n = field_total[group, name]
            cells.append(f"{100 * field_right[group, name] / n:.1f} %" if n else "-")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    every = [t for values in times.values() for t in values]
    out += ["", "### Citizen numbers, birth dates, speed, memory", "",
            "| what | value |", "|---|---:|",
            f"| numbers wrong but with a valid check character (must be 0) | "
            f"{counts['wrong_valid']} of {counts['numbers']} |",
            f"| numbers wrong and flagged invalid (`num_valid: false`) | {counts['flagged']} of "
            f"{counts['numbers']} |",
            f"| printed birth silently contradicting a valid number (must be 0) | "
            f"{counts['silent']} (flagged with `birth_conflict`: {counts['conflicts']}) |",
            f"| birth dates taken from the number (printed date not read whole) | "
            f"{counts['from_number']} of {counts['numbers']} |",
            f"| time per photo, all sides, in-process, p50 (target ≤ 0.3 s) | "
            f"{pct(every, .5):.2f} s |",
            f"| time per photo, p95 (target ≤ 0.6 s) | {pct(every, .95):.2f} s |",
            f"| CPU time per photo (both cores), p50 / p95 | {pct(cpu, .5):.2f} s / "
            f"{pct(cpu, .95):.2f} s |",
            f"| load average at the end of the run (other work on the machine) | {load:.1f} |",
            f"| peak memory (RSS) of `idcard-ocr scan`, card photo / 12 MP photo | "
            f"{peak_card:.0f} MB / {peak_large:.0f} MB |"]
    shares = {group: round(100 * sum(right[k] for k in kinds) / sum(total[k] for k in kinds), 2)
              for group, kinds in GROUPS.items()}
    record("engine", {
        "ordinary_pct": shares["ordinary"], "hard_pct": shares["hard"],
        "sheets_pct": shares["A4 sheets, both sides"],
        "simple_pct": shares["simple style (old generator)"],
        "photos": n_photos, "p50_s": round(pct(every, .5), 2), "p95_s": round(pct(every, .95), 2),
        "cpu_p50_s": round(pct(cpu, .5), 2), "cpu_p95_s": round(pct(cpu, .95), 2),
        "numbers": counts["numbers"],
        "numbers_wrong_but_valid": counts["wrong_valid"],
        "peak_card_mb": round(peak_card), "peak_large_mb": round(peak_large),
        "load_average": round(load, 1)})
    out += ["", f"Misses ({len(misses)} sides):", ""] + [f"- {m}" for m in misses[:40]]
    if len(misses) > 40:
        out.append(f"- … and {len(misses) - 40} more")
    publish("engine", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
