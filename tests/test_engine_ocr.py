"""RapidOCR as the engine uses it (engine/ocr.py, the only module that imports it).

rapidocr-onnxruntime offers no public way to keep onnxruntime from busy-waiting, to get each
character's score, or to get the recogniser's probabilities, so engine/ocr.py uses its
internals. These tests pin each of them against the package's public call on real pixels: an
upgrade that changes them fails here (see docs/engine.md, "RapidOCR").
"""

import io
import os

import numpy as np
import pytest
from PIL import Image

from idcard_ocr.engine import ocr
from tests.conftest import ROOT

pytestmark = pytest.mark.engine

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")


def pixels(name: str) -> np.ndarray:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return np.asarray(Image.open(io.BytesIO(f.read())).convert("RGB"))


def test_the_pinned_version_is_installed():
    # pyproject.toml pins it; this module's internals were read from exactly that version.
    assert ocr.version() == ocr.PINNED


def test_read_gives_what_the_public_call_gives_with_each_characters_score():
    image = pixels("face-clean.jpg")
    public, _ = ocr.load()(image)
    ours = ocr.read(image)
    assert len(ours) == len(public) >= 10
    for found, (box, text, score) in zip(ours, public):
        assert found.text.text == text
        assert found.text.score == pytest.approx(score, abs=1e-5)
        assert np.allclose(found.quad, box, atol=0.5)
        assert len(found.text.char_scores) == len(text)
        assert np.mean(found.text.char_scores) == pytest.approx(score, abs=1e-5)
        assert all(0 < s <= 1 for s in found.text.char_scores)


def test_recognise_and_detect_match_the_public_steps():
    image = pixels("face-clean.jpg")
    quads = ocr.detect(image)
    boxes, _ = ocr.load().text_det(image)
    assert np.allclose(quads, boxes)
    crops = []
    for quad in quads[:8]:
        xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
        crops.append(np.ascontiguousarray(image[min(ys):max(ys), min(xs):max(xs)]))
    for crop in crops:  # one at a time: a batch pads each line to the widest, as the public call
        text = ocr.recognise([crop])[0]
        public, _ = ocr.load()(crop, use_det=False, use_cls=False, use_rec=True)
        assert text.text == public[0][0]
        assert text.score == pytest.approx(public[0][1], abs=1e-5)


def test_probabilities_are_the_recognisers_and_decode_to_its_text():
    image = pixels("face-clean.jpg")
    line = max(ocr.read(image), key=lambda f: len(f.text.text))
    xs, ys = [int(p[0]) for p in line.quad], [int(p[1]) for p in line.quad]
    crop = np.ascontiguousarray(image[min(ys):max(ys), min(xs):max(xs)])
    probs, index = ocr.probabilities(crop)
    assert probs.shape[1] == len(index)  # one class per character, blank first
    assert index["blank"] == 0 and ocr.knows("汉") and not ocr.knows("blank")
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
    decoded = ocr._decode(probs, ocr._characters(ocr.load()))
    assert decoded.text == ocr.recognise([crop])[0].text
    short = np.ascontiguousarray(crop[:, :crop.shape[0] * 3])  # padded to 320 x 48 as RapidOCR
    decoded = ocr._decode(ocr.probabilities(short)[0], ocr._characters(ocr.load()))
    assert decoded.text == ocr.recognise([short], preprocess=False)[0].text


def test_recognition_within_an_alphabet_takes_only_its_characters():
    image = pixels("back-clean.jpg")
    line = next(f for f in ocr.read(image) if "-" in f.text.text)  # the validity, dates
    xs, ys = [int(p[0]) for p in line.quad], [int(p[1]) for p in line.quad]
    crop = np.ascontiguousarray(image[min(ys):max(ys), min(xs):max(xs)])
    assert ocr.recognise_within(crop, "0123456789.-").text == line.text.text
    digits = ocr.recognise_within(crop, "0123456789").text
    assert digits and set(digits) <= set("0123456789")


def test_the_sessions_do_not_busy_wait_and_keep_their_arena():
    engine = ocr.load()
    for session in (engine.text_det.infer, engine.text_cls.infer, engine.text_rec.session):
        options = session.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.enable_cpu_mem_arena  # RapidOCR turns it off


# One direction through the engine (docs/engine.md, "How a photo is read") ---------------------

STEPS = ("ocr", "detect", "orient", "lines", "layout", "fields")  # ocr: the RapidOCR adapter


def test_each_step_imports_only_the_steps_before_it():
    import ast

    engine_dir = os.path.join(ROOT, "functions", "idcard_ocr", "idcard_ocr", "engine")
    backwards = []
    for i, step in enumerate(STEPS):
        with open(os.path.join(engine_dir, step + ".py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                backwards += [f"{step} imports {n}" for n in names
                              if n in STEPS and STEPS.index(n) >= i]
            if isinstance(node, (ast.Import, ast.ImportFrom)) and step != "ocr":
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                backwards += [f"{step} imports {m}" for m in modules if m.startswith("rapidocr")]
    assert backwards == []
    assert not os.path.exists(os.path.join(engine_dir, "reader.py"))
