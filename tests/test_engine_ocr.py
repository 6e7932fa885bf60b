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
from idcard_ocr.errors import IdcardOcrError
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



# The int8 models (docs/engine.md, "The int8 models") -------------------------------------------

def test_the_wheel_models_are_the_ones_rapidocr_configures():
    # WHEEL_MODELS names the files RapidOCR's own config.yaml loads for each role.
    import rapidocr_onnxruntime
    import yaml

    folder = os.path.dirname(rapidocr_onnxruntime.__file__)
    with open(os.path.join(folder, "config.yaml"), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    configured = {role: os.path.basename(config[section]["model_path"])
                  for role, section in (("det", "Det"), ("cls", "Cls"), ("rec", "Rec"))}
    assert configured == ocr.WHEEL_MODELS
    assert all(os.path.isfile(ocr.wheel_model(role)) for role in ocr.WHEEL_MODELS)


def loaded_models(engine) -> dict:
    sessions = {"det": engine.text_det.infer, "cls": engine.text_cls.infer,
                "rec": engine.text_rec.session}
    return {role: session.session._model_path for role, session in sessions.items()}


def test_the_engine_runs_the_wheels_models_by_default():
    if os.environ.get(ocr.MODELS_SETTING):
        pytest.skip(f"{ocr.MODELS_SETTING} is set for this run")
    assert loaded_models(ocr.load()) == {role: ocr.wheel_model(role) for role in ocr.WHEEL_MODELS}


def fake_derivation(folder, roles=ocr.DERIVED) -> str:
    """A models folder as tools/derive_models.py writes it, its "derived" files arbitrary bytes:
    what is checked here is the manifest, not the quantisation."""
    import json

    os.makedirs(folder)
    manifest = {"models": {}}
    for role in roles:
        name = f"{role}.int8.onnx"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(role.encode() * 1000)
        manifest["models"][role] = {"file": name, "sha256": ocr.sha256(os.path.join(folder, name)),
                                    "source": ocr.WHEEL_MODELS[role],
                                    "source_sha256": ocr.sha256(ocr.wheel_model(role))}
    with open(os.path.join(folder, ocr.MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    return str(folder)


def test_int8_models_missing_or_stale_are_refused_with_the_fix(tmp_path):
    import json

    with pytest.raises(ocr.ModelsUnusable, match="missing.*make models"):
        ocr.derived_models(str(tmp_path / "nowhere"))
    folder = fake_derivation(tmp_path / "models")
    assert ocr.derived_models(folder) == {role: os.path.join(folder, f"{role}.int8.onnx")
                                          for role in ocr.DERIVED}

    manifest_path = os.path.join(folder, ocr.MANIFEST)
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    manifest["models"]["rec"]["source_sha256"] = "0" * 64  # derived from another wheel's model
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    with pytest.raises(ocr.ModelsUnusable, match="rec model was derived from another model"):
        ocr.derived_models(folder)

    folder = fake_derivation(tmp_path / "edited")
    with open(os.path.join(folder, "det.int8.onnx"), "r+b") as f:
        f.write(b"xx")
    with pytest.raises(ocr.ModelsUnusable, match="det model is missing or not the file"):
        ocr.derived_models(folder)
    os.remove(os.path.join(folder, "det.int8.onnx"))
    with pytest.raises(ocr.ModelsUnusable, match="det model is missing"):
        ocr.derived_models(folder)
    with open(os.path.join(folder, ocr.MANIFEST), "w", encoding="utf-8") as f:
        f.write("{not json")
    with pytest.raises(ocr.ModelsUnusable, match="unreadable"):
        ocr.derived_models(folder)
    assert issubclass(ocr.ModelsUnusable, IdcardOcrError)


def test_the_models_setting_chooses_explicitly(monkeypatch, tmp_path):
    wheel = {role: ocr.wheel_model(role) for role in ocr.WHEEL_MODELS}
    monkeypatch.setenv(ocr.MODELS_SETTING, "wheel")
    assert ocr.model_paths() == wheel
    monkeypatch.setenv(ocr.MODELS_SETTING, "fp16")
    with pytest.raises(ocr.ModelsUnusable, match="must be int8 or wheel"):
        ocr.model_paths()
    monkeypatch.setenv(ocr.MODELS_SETTING, "int8")
    monkeypatch.setattr(ocr, "MODELS_DIR", str(tmp_path / "none"))
    with pytest.raises(ocr.ModelsUnusable, match="make models"):  # never the wheel's instead
        ocr.model_paths()
    monkeypatch.setattr(ocr, "MODELS_DIR", fake_derivation(tmp_path / "models"))
    assert ocr.model_paths() == dict(wheel, **ocr.derived_models())
    monkeypatch.delenv(ocr.MODELS_SETTING)
    assert ocr.model_paths() == wheel


def test_the_derivation_is_deterministic_and_the_engine_loads_what_it_made(tmp_path):
    """tools/derive_models.py twice on the same photo: the same bytes, an int8 model with the
    source's metadata, and the engine (IDCARD_ENGINE_MODELS=int8) loads that file. The
    direction classifier from one photo keeps it quick; every role goes through the same
    steps (bench figures for detection and recognition: docs/engine.md)."""
    import json
    import subprocess
    import sys

    import onnx

    outputs = []
    for run in ("first", "second"):
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "derive_models.py"),
                        "--out", str(tmp_path / run), "--photos", "1", "--roles", "cls"],
                       check=True, capture_output=True, timeout=600)
        with open(tmp_path / run / "cls.int8.onnx", "rb") as f:
            outputs.append(f.read())
    assert outputs[0] == outputs[1]
    derived = onnx.load(str(tmp_path / "first" / "cls.int8.onnx"))
    assert {"QuantizeLinear", "DequantizeLinear"} <= {n.op_type for n in derived.graph.node}
    assert outputs[0] != open(ocr.wheel_model("cls"), "rb").read()

    check = "\n".join([
        "import json, sys",
        "import numpy as np",
        "from idcard_ocr.engine import ocr",
        "ocr.DERIVED, ocr.MODELS_DIR = ('cls',), sys.argv[1]",
        "engine = ocr.load()",
        "blank_line = np.full((48, 200, 3), 255, np.uint8)",
        "print(json.dumps([engine.text_cls.infer.session._model_path,",
        "                  engine.text_det.infer.session._model_path,",
        "                  ocr.directions([blank_line])[0].score]))"])
    env = dict(os.environ, **{ocr.MODELS_SETTING: "int8"})
    run = subprocess.run([sys.executable, "-c", check, str(tmp_path / "first")], env=env,
                         check=True, capture_output=True, text=True, timeout=300)
    cls_path, det_path, score = json.loads(run.stdout.splitlines()[-1])
    assert cls_path == str(tmp_path / "first" / "cls.int8.onnx")
    assert os.path.samefile(det_path, ocr.wheel_model("det")) and 0 < score <= 1


def test_the_engines_zip_takes_int8_models_only_from_the_wheel_it_vendors(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("package", os.path.join(ROOT, "tools",
                                                                          "package.py"))
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    stage = tmp_path / "stage"
    vendored = stage / "python" / "rapidocr_onnxruntime" / "models"
    os.makedirs(vendored)
    for role in ocr.DERIVED:
        os.symlink(ocr.wheel_model(role), vendored / ocr.WHEEL_MODELS[role])
    package.check_models(str(stage))  # nothing derived: the wheel's models, nothing to check
    fake_derivation(stage / package.MODELS)
    package.check_models(str(stage))
    with open(stage / package.MODELS / "rec.int8.onnx", "ab") as f:
        f.write(b"x")
    with pytest.raises(SystemExit, match="rec.int8.onnx were not derived"):
        package.check_models(str(stage))


def test_the_engines_zip_refuses_int8_models_the_engine_would_refuse(tmp_path):
    # `tools/derive_models.py --roles det` writes a manifest without rec: the zip took it, and
    # the engine then refused to start with IDCARD_ENGINE_MODELS=int8. A manifest entry that is
    # not a mapping stopped the build with a TypeError instead of the fix.
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("package", os.path.join(ROOT, "tools",
                                                                          "package.py"))
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    assert tuple(package.INT8_ROLES) == tuple(ocr.DERIVED)
    stage = tmp_path / "stage"
    vendored = stage / "python" / "rapidocr_onnxruntime" / "models"
    os.makedirs(vendored)
    for role in ocr.DERIVED:
        os.symlink(ocr.wheel_model(role), vendored / ocr.WHEEL_MODELS[role])
    models = fake_derivation(stage / package.MODELS, roles=ocr.DERIVED[:1])
    with pytest.raises(ocr.ModelsUnusable):
        ocr.derived_models(models)  # what the engine says of this folder...
    with pytest.raises(SystemExit, match="make models"):
        package.check_models(str(stage))  # ...and the zip says the same
    with open(os.path.join(models, ocr.MANIFEST), "w", encoding="utf-8") as f:
        json.dump({"models": {role: "file" for role in ocr.DERIVED}}, f)
    with pytest.raises(SystemExit, match="make models"):
        package.check_models(str(stage))


def test_each_character_keeps_its_margin_over_the_runner_up_character():
    # frames: 张 (0.6, runner-up 弓 0.3), blank, 三 (0.5, the blank 0.45 and 二 0.05): a
    # character's margin is over the next likeliest character, not over "no character".
    characters = ["", "张", "弓", "三", "二"]
    probs = np.array([[0.1, 0.6, 0.3, 0.0, 0.0],
                      [0.9, 0.05, 0.05, 0.0, 0.0],
                      [0.45, 0.0, 0.0, 0.5, 0.05]])
    decoded = ocr._decode(probs, characters)
    assert decoded.text == "张三"
    assert decoded.char_scores == pytest.approx((0.6, 0.5))
    assert decoded.char_margins == pytest.approx((0.3, 0.45))
