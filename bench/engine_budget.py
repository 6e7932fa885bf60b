"""The offline engine's work budget on photos that are all print; writes its section of
bench/README.md (engine-budget).

Each crafted photo of tests/fakes/hostile.py (a card on a newspaper page, a page of 300
number-shaped lines, 50 cards tiled) is read twice in this process, both sides asked: with the
budget (engine/ocr.py's LINES_PER_PHOTO, DETECTIONS_PER_PHOTO) and without it (both raised
out of reach: the engine as it read before the budget). Reported per photo: lines recognised,
text detections run (each counted where the engine charges it: engine/ocr.py), CPU time
(time.process_time, every thread), and the state the answer ends in. The answers' cache is
emptied before each read; the detections' cache too (nothing detected before is free).

    nice .venv/bin/python bench/engine_budget.py              # prints and publishes
    nice .venv/bin/python bench/engine_budget.py --no-publish
"""

import os
import sys
import time
from collections import OrderedDict

from common import ROOT, header, publish

sys.path.insert(0, ROOT)

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")
OUT_OF_REACH = 10 ** 9


def _sample(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def photos():
    from tests.fakes import hostile

    face, back = _sample("face-clean.jpg"), _sample("back-clean.jpg")
    return [("a card on a newspaper page", hostile.newspaper_page_with_a_card(face)),
            ("300 number-shaped lines", hostile.page_of_numbers()),
            ("50 cards tiled", hostile.cards_tiled(face, back))]


def read(image: bytes, budget: bool) -> dict:
    """Work, CPU and state of reading `image` (both sides), with the budget or without."""
    import contextlib

    import idcard_ocr.engine as engine
    from idcard_ocr.engine import ocr

    engine._cache.clear()
    ocr._detections.clear()
    limits = (ocr.LINES_PER_PHOTO, ocr.DETECTIONS_PER_PHOTO)
    real, spent = ocr.budget, []

    @contextlib.contextmanager
    def recorded(lines=None, detections=None):
        with real(lines, detections) as work:
            spent.append(work)
            yield work

    ocr.budget = recorded
    if not budget:
        ocr.LINES_PER_PHOTO = ocr.DETECTIONS_PER_PHOTO = OUT_OF_REACH
    try:
        started = time.process_time()
        answers = {side: engine.recognize(image, side) for side in engine.SIDES}
        cpu = time.process_time() - started
    finally:
        ocr.budget = real
        ocr.LINES_PER_PHOTO, ocr.DETECTIONS_PER_PHOTO = limits
    found = [side for side, a in answers.items() if a.get("success")]
    read_fields = sum(1 for side in found for name in (
        engine.FACE_FIELDS if side == "face" else engine.BACK_FIELDS) if answers[side][name])
    over = any(a.get("over_budget") for a in answers.values())
    return {"lines": spent[0].lines, "detections": spent[0].detections, "cpu": cpu,
            "state": f"{'over budget, ' if over else ''}sides {'+'.join(found) or 'none'}, "
                     f"{read_fields} fields read"}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    from idcard_ocr.engine import ocr
    from idcard_ocr.engine.server import warm_up

    warm_up()
    lines = [header(["rapidocr-onnxruntime", "onnxruntime"]), "",
             f"Budget: {ocr.LINES_PER_PHOTO} lines recognised, {ocr.DETECTIONS_PER_PHOTO} "
             "text detections per photo (engine/ocr.py). Each photo read without the budget "
             "(before) and with it, in one process.", "",
             "| crafted photo | lines before | after | detections before | after | CPU before | "
             "after | state after |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, image in photos():
        before, after = read(image, budget=False), read(image, budget=True)
        lines.append(f"| {name} | {before['lines']} | {after['lines']} | "
                     f"{before['detections']} | {after['detections']} | {before['cpu']:.1f} s | "
                     f"{after['cpu']:.1f} s | {after['state']} |")
        print(lines[-1], file=sys.stderr, flush=True)
    if "--no-publish" in argv:
        print("\n".join(lines))
    else:
        publish("engine-budget", lines)


if __name__ == "__main__":
    main()
