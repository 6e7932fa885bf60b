"""The offline engine's readings of benchmark photos, kept once for every script that needs them.

bench/cascade.py (`--sets NAME`) and bench/engine_unseen.py (`NAME`) read the same photos of a
rendering (tests/fakes/renderings.shoot(NAME, kind, seed), seeds from SEED_BASE): a reading is
made once, kept a line per photo in one cache file, and replayed by both. The engine's reading
of a photo is what dominates a run (about 0.5-1 s of CPU per photo), so a large hold-out run
is paid for once.

A reading is the function's: the photo prepared as the function prepares it (imaging.prepare,
default limits), then the engine's answer for each side (both sides are asked, as the cascade
asks; CARD_SIDE=auto's answers are derived from them by `auto_answers`, the engine's answers
being a function of the image). Wall and CPU time are kept per side.

The cache file's name carries a digest of what a reading depends on (engine/, imaging/, the
generators in tests/fakes that draw the photos, and with IDCARD_ENGINE_MODELS=folded or int8
the derived models' manifest), so a changed engine, generator or model reads every photo
again. A file named by BENCH_READINGS_CACHE carries no digest: each reading says which models
made it (`models`), and only the current choice's are replayed (the deployed engine runs the
folded models: IDCARD_ENGINE_MODELS=folded, docs/engine.md); it also names the digest of
the code that made it (`version`), and bench/cascade.py says how many readings it replays are
another version's (of_another_version). Missing readings are made by WORKERS processes at
once (BENCH_WORKERS, default 2), each appending its lines as it goes: an interrupted run goes
on where it stopped.
"""

import hashlib
import json
import os
import sys
import tempfile
import time
from typing import Dict, Iterable, List, Optional, Tuple

from common import ROOT

SHEETS = {"sheet_scan", "sheet_photo", "sheet"}
SEED_BASE = 4000  # a rendering's photos of a kind: seeds SEED_BASE, SEED_BASE + 1, ...
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))

Key = Tuple[str, str, int]  # (set, kind, seed)


def version() -> str:
    """A digest of the code a reading depends on: engine/ and imaging/, and the generators
    (every module of tests/fakes that defines `shoot`, cards.py, and typefaces.py, whose answer
    to "does this face draw this character" picks the fonts they draw with)."""
    digest = hashlib.sha256()
    package = os.path.join(ROOT, "functions", "idcard_ocr", "idcard_ocr")
    files = []
    for folder in ("engine", "imaging"):
        for base, dirs, names in sorted(os.walk(os.path.join(package, folder))):
            dirs.sort()
            files += [os.path.join(base, n) for n in sorted(names) if n.endswith(".py")]
    fakes = os.path.join(ROOT, "tests", "fakes")
    for name in sorted(os.listdir(fakes)):
        path = os.path.join(fakes, name)
        if name.endswith(".py"):
            with open(path, encoding="utf-8") as f:
                if name in ("cards.py", "typefaces.py") or "\ndef shoot(" in f.read():
                    files.append(path)
    # The models are a reading's too: with IDCARD_ENGINE_MODELS=folded or int8 the derived
    # models' manifest (their files' SHA-256) counts, so the wheel's readings and theirs never
    # share a cache file. Unset, the digest is the code's alone, as before.
    choice = models()
    if choice != "wheel":
        files.append(os.path.join(package, "engine", "models", "manifest.json"))
    for path in files:
        digest.update(os.path.relpath(path, ROOT).encode())
        with open(path, "rb") as f:
            digest.update(f.read())
    if choice != "wheel":
        digest.update(choice.encode())
    return digest.hexdigest()[:12]


def models() -> str:
    """The models the engine reads with (IDCARD_ENGINE_MODELS; unset, the wheel's)."""
    return os.environ.get("IDCARD_ENGINE_MODELS") or "wheel"


def cache_path() -> str:
    return os.environ.get("BENCH_READINGS_CACHE") or os.path.join(
        tempfile.gettempdir(), f"idcard-readings-{version()}.jsonl")


def draw(name: str, kind: str, seed: int):
    """The photo (tests/fakes Photo) of a key. A sheet's back belongs to its face's holder
    (`paired`), as on a real card's copy."""
    from tests.fakes import realistic, renderings

    if name == "realistic":
        return realistic.shoot(kind, seed, paired=kind in SHEETS)
    return renderings.shoot(name, kind, seed, paired=kind in SHEETS)


def read(key: Key) -> dict:
    """Draw the photo of `key`, prepare it as the function does and read both sides."""
    from idcard_ocr.engine import recognize
    from idcard_ocr.imaging import ImageLimits, prepare

    name, kind, seed = key
    photo = draw(name, kind, seed)
    image = prepare(photo.data, ImageLimits()).data
    answers, side_s = {}, {}
    for side in ("face", "back"):
        started, started_cpu = time.perf_counter(), time.process_time()
        answers[side] = recognize(image, side)
        side_s[side] = [time.perf_counter() - started, time.process_time() - started_cpu]
    return {"set": name, "kind": kind, "seed": seed, "truth": photo.truth,
            "detail": getattr(photo, "detail", ""), "answers": answers, "side_s": side_s,
            "wall_s": sum(s[0] for s in side_s.values()),
            "cpu_s": sum(s[1] for s in side_s.values()), "paired": kind in SHEETS,
            "models": models(), "version": version()}


def of_another_version(readings_: Iterable[dict]) -> int:
    """How many of the readings were made by another engine, imaging or generators than this
    checkout's (their `version`; a reading from before they said names none). A file named by
    BENCH_READINGS_CACHE keeps them, as replaying an older engine's readings is sometimes the
    point; a fit or a measurement of this engine must say so when it replays them."""
    current = version()
    return sum(reading.get("version") != current for reading in readings_)


def auto_answers(reading: dict) -> Dict[str, dict]:
    """The answers CARD_SIDE=auto gets (bench/engine.py's read_all_sides): the face's when
    the engine found one, and every side the face's answer says the photo holds."""
    face = reading["answers"]["face"]
    answers = {"face": face} if face.get("success") else {}
    for side in face.get("sides_found", []):
        if side not in answers and side in reading["answers"]:
            answers[side] = reading["answers"][side]
    return answers


def auto_seconds(reading: dict) -> Tuple[float, float]:
    """(wall, CPU) seconds of CARD_SIDE=auto's reads of the photo (the face, then the other
    sides found); a reading kept before per-side times were, its total."""
    if "side_s" not in reading:
        return reading["wall_s"], reading["cpu_s"]
    sides = ["face"] + [s for s in reading["answers"]["face"].get("sides_found", [])
                        if s != "face"]
    return (sum(reading["side_s"][s][0] for s in sides if s in reading["side_s"]),
            sum(reading["side_s"][s][1] for s in sides if s in reading["side_s"]))


def load(path: Optional[str] = None) -> Dict[Key, dict]:
    path = path or cache_path()
    done: Dict[Key, dict] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    reading = json.loads(line)
                except ValueError:  # a line cut short by an interrupted run: read it again
                    continue
                if reading["kind"] in SHEETS and not reading.get("paired"):
                    continue  # read before sheets were paired
                # A file named by BENCH_READINGS_CACHE is keyed by nothing: each line says which
                # models read it (a line from before they did was the wheel's), and another
                # models' reading is not this run's.
                if reading.get("models", "wheel") != models():
                    continue
                done[reading["set"], reading["kind"], reading["seed"]] = reading
    return done


def _worker_start():
    import logging

    logging.disable(logging.WARNING)
    from idcard_ocr.engine.server import warm_up

    warm_up()


def readings(keys: Iterable[Key], cached_only: bool = False, workers: int = WORKERS,
             progress=sys.stderr) -> List[dict]:
    """The readings of `keys`, in their order: from the cache, the missing ones read by
    `workers` processes and appended to it as they come (`cached_only`: only those cached)."""
    keys = list(keys)
    path = cache_path()
    done = load(path)
    missing = [key for key in dict.fromkeys(keys) if key not in done]
    if missing and not cached_only:
        started = time.monotonic()
        with open(path, "a", encoding="utf-8") as out:
            if workers > 1:
                import multiprocessing

                with multiprocessing.get_context("spawn").Pool(
                        workers, initializer=_worker_start) as pool:
                    for n, reading in enumerate(pool.imap_unordered(read, missing), 1):
                        _keep(out, done, reading, n, len(missing), started, progress)
            else:
                _worker_start()
                for n, key in enumerate(missing, 1):
                    _keep(out, done, read(key), n, len(missing), started, progress)
    return [done[key] for key in keys if key in done]


def _keep(out, done, reading, n, total, started, progress):
    out.write(json.dumps(reading, ensure_ascii=False) + "\n")
    out.flush()
    done[reading["set"], reading["kind"], reading["seed"]] = reading
    if progress is not None and (n % 25 == 0 or n == total):
        print(f"{n} of {total} photos read ({time.monotonic() - started:.0f} s)", file=progress,
              flush=True)
