"""RapidOCR as the engine uses it (engine/ocr.py, the only module that imports it).

rapidocr-onnxruntime offers no public way to keep onnxruntime from busy-waiting, to get each
character's score, or to get the recogniser's probabilities, so engine/ocr.py uses its
internals. These tests pin each of them against the package's public call on real pixels: an
upgrade that changes them fails here (see docs/engine.md, "RapidOCR").
"""

import io
import os
from collections import OrderedDict

import numpy as np
import pytest
from PIL import Image

from idcard_ocr.engine import ocr
from idcard_ocr.errors import ConfigError, IdcardOcrError
from tests.conftest import ROOT

pytestmark = pytest.mark.engine

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")


def pixels(name: str) -> np.ndarray:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return np.asarray(Image.open(io.BytesIO(f.read())).convert("RGB"))


def test_the_pinned_version_is_installed():
    # pyproject.toml pins it; this module's internals were read from exactly that version.
    assert ocr.version() == ocr.PINNED


def test_read_gives_what_the_public_call_gives_each_line_alone_with_each_characters_score():
    image = pixels("face-clean.jpg")
    public, _ = ocr.load()(image)
    ours = ocr.read(image)
    assert len(ours) == len(public) >= 10
    for found, (box, text, score) in zip(ours, public):
        assert np.allclose(found.quad, box, atol=0.5)
        assert len(found.text.char_scores) == len(found.text.text)
        assert np.mean(found.text.char_scores) == pytest.approx(found.text.score, abs=1e-5)
        assert all(0 < s <= 1 for s in found.text.char_scores)
    # Each line reads as RapidOCR's call reads that line alone: its own call pads a batch of
    # six lines to the widest, so there a line's reading depends on the lines beside it.
    quads, crops = ocr.find_lines(image)
    crops = [np.rot90(c, 2) if d.flipped and d.sure else c
             for c, d in zip(crops, ocr.directions(crops))]
    alone = [ocr.load()(np.ascontiguousarray(c), use_det=False, use_cls=False,
                        use_rec=True)[0][0] for c in crops]
    kept = [(quad, text, score) for quad, (text, score) in zip(quads, alone) if score >= 0.5]
    assert len(kept) == len(ours)
    for found, (quad, text, score) in zip(ours, kept):
        assert found.quad == quad and found.text.text == text
        assert found.text.score == pytest.approx(score, abs=1e-4)  # a batch's float rounding
    # The few lines a batch padded wider than themselves are the only ones that may differ.
    assert sum(f.text.text != text for f, (_, text, _) in zip(ours, public)) <= 2


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


def test_the_same_pixels_are_detected_once(monkeypatch):
    # The look beside a sheet's small card detects the whole photo at the size the quick
    # location's second look already did: the same pixels, about 0.5 s of CPU for the same
    # boxes. Counted through the detector, not timed.
    image = pixels("face-clean.jpg")
    engine = ocr.load()
    detector, sizes = engine.text_det, []
    monkeypatch.setattr(ocr, "_detections", OrderedDict(), raising=False)  # none kept yet
    monkeypatch.setattr(engine, "text_det", lambda img: sizes.append(img.shape) or detector(img))
    first = ocr.detect(image)
    assert ocr.detect(image.copy()) == first  # the same pixels in another array
    mirrored = ocr.detect(np.ascontiguousarray(image[:, ::-1]))
    assert len(sizes) == 2 and mirrored != first
    first[0][0] = (-1.0, -1.0)  # the caller's own copy
    assert ocr.detect(image)[0][0] != (-1.0, -1.0) and len(sizes) == 2


def test_a_line_reads_the_same_whatever_lines_share_its_batch():
    # RapidOCR pads a batch of six lines to the widest: a card's short label read beside its
    # long number came out differently (and cost the number's width) than read beside labels.
    quads, crops = ocr.find_lines(pixels("face-clean.jpg"))
    by_width = sorted(crops, key=lambda c: c.shape[1] / c.shape[0])
    short, longest = by_width[0], by_width[-1]
    assert longest.shape[1] / longest.shape[0] > 1.5 * 320 / 48 > short.shape[1] / short.shape[0]
    alone = ocr.recognise([short], preprocess=False)[0]
    beside = ocr.recognise([short, longest], preprocess=False)
    assert beside[0].text == alone.text
    assert beside[0].char_scores == pytest.approx(alone.char_scores, abs=1e-4)
    assert beside[1] == ocr.recognise([longest], preprocess=False)[0]


def test_each_line_is_its_own_inference(monkeypatch):
    # onnxruntime costs more per line batched than alone (a batch of six 320 x 48 lines about
    # 40 % more CPU each) and gives each line the same probabilities either way: the short
    # lines are no longer batched. Counted through the recogniser's session, not timed.
    quads, crops = ocr.find_lines(pixels("face-clean.jpg"))
    short = [c for c in crops if c.shape[1] / c.shape[0] < 320 / 48][:6]
    assert len(short) >= 3
    alone = [ocr.recognise([crop], preprocess=False)[0] for crop in short]
    recogniser = ocr.load().text_rec
    session, inputs = recogniser.session, []
    monkeypatch.setattr(recogniser, "session",
                        lambda tensor: inputs.append(tensor.shape) or session(tensor))
    assert ocr.recognise(short, preprocess=False) == alone
    assert [shape[0] for shape in inputs] == [1] * len(short)


def test_a_calls_lines_are_recognised_side_by_side_each_on_one_thread(monkeypatch):
    # Two lines on two cores cost less wall and CPU than one line's operators shared by two
    # threads; each line's probabilities are the same to the bit either way.
    quads, crops = ocr.find_lines(pixels("face-clean.jpg"))
    assert len(crops) >= 4
    one_by_one = [ocr.recognise([crop], preprocess=False)[0] for crop in crops]
    session = ocr.load().text_rec.session
    assert session.session.get_session_options().intra_op_num_threads == 1
    monkeypatch.setenv("IDCARD_ENGINE_THREADS", "2")
    monkeypatch.setattr(ocr, "_pool", None)
    import threading

    both = threading.Barrier(2, timeout=10)  # broken unless two lines are in flight at once
    recogniser = ocr.load().text_rec

    def side_by_side(tensor):
        both.wait()
        return session(tensor)

    monkeypatch.setattr(recogniser, "session", side_by_side)
    try:
        assert ocr.recognise(crops[:4], preprocess=False) == one_by_one[:4]
    finally:
        ocr._pool.shutdown()
    monkeypatch.setattr(ocr, "_pool", None)
    monkeypatch.setattr(recogniser, "session", session)
    assert ocr.recognise(crops, preprocess=False) == one_by_one


def test_a_forked_child_recognises_lines_with_threads_of_its_own():
    # The engine server forks its workers: a pool made in the parent has no threads in the
    # child, and lines given to it would wait for ever.
    import multiprocessing

    quads, crops = ocr.find_lines(pixels("face-clean.jpg"))
    expected = ocr.recognise(crops[:3], preprocess=False)  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=lambda: results.put(
        [t.text for t in ocr.recognise(crops[:3], preprocess=False)]))
    child.start()
    try:
        assert results.get(timeout=60) == [t.text for t in expected]
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()


def test_only_the_recogniser_runs_on_one_thread():
    engine = ocr.load()
    for session in (engine.text_det.infer, engine.text_cls.infer):
        assert session.session.get_session_options().intra_op_num_threads != 1 or \
            os.environ.get("IDCARD_ENGINE_THREADS") == "1"


def test_the_detectors_input_is_rapidocrs_to_the_bit():
    # The engine looks the detector's normalisation up in a table (ocr._TableInput); RapidOCR's
    # own DetPreProcess must give the very same tensor, or the boxes could move.
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    detector = ocr.load().text_det
    rng = np.random.default_rng(0)
    for image in (pixels("face-clean.jpg"), pixels("back-clean.jpg")[::-1],
                  rng.integers(0, 256, (333, 517, 3), dtype=np.uint8),
                  rng.integers(0, 256, (1100, 1700, 3), dtype=np.uint8)):
        ours = detector.get_preprocess(max(image.shape[:2]))
        assert isinstance(ours.original, DetPreProcess)
        theirs = ours.original(image)
        assert ours(image).dtype == theirs.dtype == np.float32
        assert np.array_equal(ours(image), theirs)
    assert ocr.detect(pixels("face-clean.jpg")) == [
        [tuple(map(float, p)) for p in box] for box in _public_boxes()]


def _public_boxes():
    """The detector's boxes on face-clean.jpg with RapidOCR's own input preparation."""
    detector = ocr.load().text_det
    patched = detector.get_preprocess
    del detector.get_preprocess  # the class's own method again
    try:
        boxes, _ = detector(pixels("face-clean.jpg"))
    finally:
        detector.get_preprocess = patched
    return boxes


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



# The derived models (docs/engine.md, "The folded models", "The int8 models") -----------------

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


def fake_derivation(folder, roles=ocr.DERIVED, kinds=("int8",)) -> str:
    """A models folder as tools/derive_models.py writes it, its "derived" files arbitrary bytes:
    what is checked here is the manifest, not the derivation."""
    import json

    os.makedirs(folder)
    manifest = {kind: {"models": {}} for kind in kinds}
    for kind in kinds:
        for role in roles:
            name = f"{role}.{kind}.onnx"
            with open(os.path.join(folder, name), "wb") as f:
                f.write((kind + role).encode() * 1000)
            manifest[kind]["models"][role] = {
                "file": name, "sha256": ocr.sha256(os.path.join(folder, name)),
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
    manifest["int8"]["models"]["rec"]["source_sha256"] = "0" * 64  # from another wheel
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
    with pytest.raises(ocr.ModelsUnusable, match="must be folded, int8 or wheel"):
        ocr.model_paths()
    assert issubclass(ocr.ModelsUnusable, ConfigError)
    for kind in ocr.DERIVED_KINDS:
        monkeypatch.setenv(ocr.MODELS_SETTING, kind)
        monkeypatch.setattr(ocr, "MODELS_DIR", str(tmp_path / "none"))
        with pytest.raises(ocr.ModelsUnusable, match="make models"):  # never the wheel's instead
            ocr.model_paths()
    # Only int8 derived: folded asked for is refused, not served by the int8 models.
    monkeypatch.setattr(ocr, "MODELS_DIR", fake_derivation(tmp_path / "models"))
    monkeypatch.setenv(ocr.MODELS_SETTING, "folded")
    with pytest.raises(ocr.ModelsUnusable, match="the folded models are missing.*make models"):
        ocr.model_paths()
    monkeypatch.setenv(ocr.MODELS_SETTING, "int8")
    assert ocr.model_paths() == dict(wheel, **ocr.derived_models())
    monkeypatch.setattr(ocr, "MODELS_DIR", fake_derivation(tmp_path / "both",
                                                           kinds=ocr.DERIVED_KINDS))
    monkeypatch.setenv(ocr.MODELS_SETTING, "folded")
    assert ocr.model_paths() == dict(wheel, **{
        role: str(tmp_path / "both" / f"{role}.folded.onnx") for role in ocr.DERIVED})
    monkeypatch.delenv(ocr.MODELS_SETTING)
    assert ocr.model_paths() == wheel


def test_the_zip_and_the_engine_check_int8_models_with_one_check_and_one_wording(tmp_path,
                                                                                 monkeypatch):
    # tools/package.py had its own copy of the manifest check, with its own messages: the two
    # could disagree on what is usable. The zip now asks the engine's check, against the wheel
    # it vendors rather than the one installed here.
    import importlib.util

    spec = importlib.util.spec_from_file_location("package", os.path.join(ROOT, "tools",
                                                                          "package.py"))
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    calls = []
    real = ocr.derived_models
    monkeypatch.setattr(ocr, "derived_models",
                        lambda *args, **kwargs: calls.append((args, kwargs)) or real(*args,
                                                                                     **kwargs))
    stage = tmp_path / "stage"
    vendored = stage / "python" / "rapidocr_onnxruntime" / "models"
    os.makedirs(vendored)
    for role in ocr.DERIVED:
        os.symlink(ocr.wheel_model(role), vendored / ocr.WHEEL_MODELS[role])
    fake_derivation(stage / package.MODELS, kinds=ocr.DERIVED_KINDS)
    package.check_models(str(stage))
    assert calls == [((str(stage / package.MODELS),), {"wheel": str(vendored), "kind": kind})
                     for kind in ocr.DERIVED_KINDS]


def test_a_wrong_models_setting_stops_the_function_at_set_up_not_at_the_first_photo(
        monkeypatch, tmp_path):
    # IDCARD_ENGINE_MODELS=fp16, or int8 with no `make models`, was found only when the first
    # photo loaded the engine: every photo of the deployment failed instead of the deployment.
    from idcard_ocr.app import App
    from idcard_ocr.errors import ConfigError

    base = {"RESULT_SIGNING_KEY": "Zk7qW2mX9pL4vN8rT3yB6cH1jF5gD0sA2eU7iO4wQ9zX3nM8",
            "OSS_ENDPOINT": "http://127.0.0.1:9", "ALIBABA_CLOUD_ACCESS_KEY_ID": "id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret", "OCR_APPCODE": "code-0123456789"}
    monkeypatch.setattr(ocr, "MODELS_DIR", str(tmp_path / "not-derived"))
    for engine in ({"OCR_ENGINE": "local"}, {"OCR_ENGINE": "cascade"}):
        for value, words in (("fp16", "must be folded, int8 or wheel"),
                             ("int8", "the int8 models are missing.*make models"),
                             ("folded", "the folded models are missing.*make models")):
            with pytest.raises(ConfigError, match=f"{ocr.MODELS_SETTING}: {words}") as raised:
                App.from_environment(base | engine | {ocr.MODELS_SETTING: value})
            assert raised.value.variable == ocr.MODELS_SETTING
        App.from_environment(base | engine | {ocr.MODELS_SETTING: "wheel"})
    # Where this function does not run the engine, the setting is not its business.
    App.from_environment(base | {ocr.MODELS_SETTING: "fp16"})
    App.from_environment(base | {"OCR_ENGINE": "cascade", "CASCADE_FORCE_API": "true",
                                 ocr.MODELS_SETTING: "fp16"})


def test_the_engine_server_refuses_a_wrong_models_setting_before_it_listens():
    # It failed in each worker as the model loaded: with --workers 2 the supervisor restarted
    # them until it gave up, and its exit said nothing of the setting.
    import subprocess
    import sys

    for value in ("fp16",) + ocr.DERIVED_KINDS:
        try:
            ocr.model_paths(value)
            continue  # derived here: a valid choice on this machine
        except ocr.ModelsUnusable:
            pass
        run = subprocess.run([sys.executable, "-m", "idcard_ocr", "serve", "--port", "0",
                              "--workers", "2", "--appcode", "code-0123456789"],
                             cwd=os.path.join(ROOT, "functions", "idcard_ocr"),
                             env=dict(os.environ, **{ocr.MODELS_SETTING: value}),
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr[-2000:]
        assert "error: " in run.stderr and f"{ocr.MODELS_SETTING}: " in run.stderr
        assert "listening" not in run.stdout and "Traceback" not in run.stderr


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
                        "--out", str(tmp_path / run), "--photos", "1", "--roles", "cls",
                        "--kinds", "int8"],
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


def _derive_folded(out) -> dict:
    """tools/derive_models.py --kinds folded into `out`: role -> the derived file's bytes."""
    import subprocess
    import sys

    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "derive_models.py"),
                    "--out", str(out), "--kinds", "folded"],
                   check=True, capture_output=True, timeout=600)
    derived = {}
    for role in ocr.DERIVED:
        with open(os.path.join(out, f"{role}.folded.onnx"), "rb") as f:
            derived[role] = f.read()
    return derived


def _scale_and_shift_read_by_convolutions(model) -> int:
    """How many Mul by a scalar, then Add of a scalar, are read by convolutions only."""
    from onnx import numpy_helper

    graph = model.graph
    scalars = {node.output[0] for node in graph.node if node.op_type == "Constant"
               and numpy_helper.to_array(node.attribute[0].t).size == 1}
    readers: dict = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    count = 0
    for mul in graph.node:
        adds = readers.get(mul.output[0], [])
        if mul.op_type != "Mul" or not scalars & set(mul.input) or len(adds) != 1 \
                or adds[0].op_type != "Add" or not scalars & set(adds[0].input):
            continue
        after = readers.get(adds[0].output[0], [])
        count += bool(after) and all(node.op_type == "Conv" for node in after)
    return count


def test_the_folded_models_compute_what_the_wheels_compute_on_the_engines_own_inputs(
        tmp_path, monkeypatch):
    """The folded models' outputs against the wheel's on the very tensors the engine feeds them
    reading two sample photos (both sides): the rewrites are exact algebra, so they may differ
    by float rounding only (measured: 2e-6 at most; allowed 1e-4, far below any score the
    engine compares). Deriving twice gives the same bytes, and neither graph keeps the
    patterns that were folded."""
    import onnx
    import onnxruntime

    from idcard_ocr import engine
    from idcard_ocr.engine import SIDES, recognize

    if ocr.models_choice() != "wheel":
        pytest.skip(f"{ocr.MODELS_SETTING} is set for this run: the recorded inputs must be "
                    "the wheel's models' own")
    first, second = _derive_folded(tmp_path / "first"), _derive_folded(tmp_path / "second")
    assert first == second
    # Answers and detections an earlier test of this process kept would run no model.
    monkeypatch.setattr(engine, "_cache", OrderedDict())
    monkeypatch.setattr(ocr, "_detections", OrderedDict())
    inputs: dict = {}
    with ocr.recording(inputs):
        for name in ("face-clean.jpg", "back-rotated.jpg"):
            with open(os.path.join(FIXTURES, name), "rb") as f:
                data = f.read()
            for side in SIDES:
                recognize(data, side)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    for role in ocr.DERIVED:
        folded_path = str(tmp_path / "first" / f"{role}.folded.onnx")
        operators = {node.op_type for node in onnx.load(folded_path).graph.node}
        assert "HardSigmoid" in operators and "Clip" not in operators
        # A scale and shift by scalars before a convolution kept onnxruntime's convolutions
        # from staying in their blocked layout (docs/engine.md, "The folded models").
        assert _scale_and_shift_read_by_convolutions(onnx.load(ocr.wheel_model(role))) > 10
        assert _scale_and_shift_read_by_convolutions(onnx.load(folded_path)) == 0
        wheel = onnxruntime.InferenceSession(ocr.wheel_model(role), options)
        folded = onnxruntime.InferenceSession(folded_path, options)
        name = wheel.get_inputs()[0].name
        assert len(inputs[role]) >= 2
        for tensor in inputs[role][:12]:
            expected = wheel.run(None, {name: tensor})[0]
            got = folded.run(None, {name: tensor})[0]
            assert got.shape == expected.shape
            assert float(np.abs(got - expected).max()) < 1e-4, role


def test_the_engine_runs_the_folded_models_without_importing_onnx(tmp_path):
    # onnx (the derivation's tool) costs 0.9 s of CPU to import: a cold start must not pay it.
    # Deriving one kind keeps the manifest's entry of the other (int8 takes a minute to derive).
    import json
    import subprocess
    import sys

    folder = fake_derivation(tmp_path / "models")
    with open(os.path.join(folder, ocr.MANIFEST), encoding="utf-8") as f:
        int8 = json.load(f)["int8"]
    _derive_folded(folder)
    with open(os.path.join(folder, ocr.MANIFEST), encoding="utf-8") as f:
        assert json.load(f)["int8"] == int8
    check = "\n".join([
        "import json, sys",
        "from idcard_ocr.engine import ocr",
        "ocr.MODELS_DIR = sys.argv[1]",
        "engine = ocr.load()",
        "print(json.dumps([engine.text_det.infer.session._model_path,",
        "                  engine.text_rec.session.session._model_path,",
        "                  engine.text_cls.infer.session._model_path,",
        "                  'onnx' in sys.modules]))"])
    run = subprocess.run([sys.executable, "-c", check, folder],
                         env=dict(os.environ, **{ocr.MODELS_SETTING: "folded"}),
                         check=True, capture_output=True, text=True, timeout=300)
    det, rec, cls, onnx_imported = json.loads(run.stdout.splitlines()[-1])
    assert (det, rec) == tuple(os.path.join(folder, f"{role}.folded.onnx")
                               for role in ("det", "rec"))
    assert os.path.samefile(cls, ocr.wheel_model("cls")) and not onnx_imported


def _engine_zip_stage(tmp_path):
    """tools/package.py, and a staged engine zip whose vendored wheel holds the installed
    wheel's models (linked): (package, stage, the vendored models folder)."""
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
    return package, stage, vendored


def test_the_engines_zip_takes_int8_models_only_from_the_wheel_it_vendors(tmp_path):
    package, stage, vendored = _engine_zip_stage(tmp_path)
    package.check_models(str(stage))  # nothing derived: the wheel's models, nothing to check
    fake_derivation(stage / package.MODELS)
    package.check_models(str(stage))
    with open(stage / package.MODELS / "rec.int8.onnx", "ab") as f:
        f.write(b"x")
    with pytest.raises(SystemExit, match="rec model is missing or not the file its manifest"):
        package.check_models(str(stage))
    fake_derivation(stage / "again")
    os.replace(stage / "again" / "rec.int8.onnx", stage / package.MODELS / "rec.int8.onnx")
    package.check_models(str(stage))
    os.remove(vendored / ocr.WHEEL_MODELS["det"])  # a wheel without the model it was derived from
    with pytest.raises(SystemExit, match="det model was derived from another model than the "
                                         "RapidOCR wheel ships"):
        package.check_models(str(stage))


def test_the_engines_zip_refuses_int8_models_the_engine_would_refuse(tmp_path):
    # `tools/derive_models.py --roles det` writes a manifest without rec: the zip took it, and
    # the engine then refused to start with IDCARD_ENGINE_MODELS=int8. A manifest entry that is
    # not a mapping stopped the build with a TypeError instead of the fix.
    import json

    package, stage, _ = _engine_zip_stage(tmp_path)
    models = fake_derivation(stage / package.MODELS, roles=ocr.DERIVED[:1])
    with pytest.raises(ocr.ModelsUnusable):
        ocr.derived_models(models)  # what the engine says of this folder...
    with pytest.raises(SystemExit, match="make models"):
        package.check_models(str(stage))  # ...and the zip says the same
    with open(os.path.join(models, ocr.MANIFEST), "w", encoding="utf-8") as f:
        json.dump({"models": {role: "file" for role in ocr.DERIVED}}, f)
    with pytest.raises(SystemExit, match="make models"):
        package.check_models(str(stage))


def test_the_engines_zip_derives_its_folded_models_from_the_wheel_it_vendors(tmp_path,
                                                                            monkeypatch):
    # The deployed engine runs the folded models (template.yml, the s*.yaml files). The zip
    # carried them only when someone had run `make models` first, so the template could not ask
    # for them: now the build derives them itself, from the vendored wheel, not the installed.
    import json
    import sys

    import onnx

    package, stage, vendored = _engine_zip_stage(tmp_path)
    os.makedirs(stage / "python" / "rapidocr_onnxruntime-1.4.4.dist-info")
    for role in ocr.DERIVED:  # a vendored wheel whose models are not the installed one's bytes
        model = onnx.load(ocr.wheel_model(role))
        model.doc_string = "vendored"
        os.remove(vendored / ocr.WHEEL_MODELS[role])
        onnx.save(model, str(vendored / ocr.WHEEL_MODELS[role]))
    fake_derivation(stage / package.MODELS)  # the checkout's int8, derived from the installed
    package.fold_models(str(stage))
    with open(stage / package.MODELS / ocr.MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["folded"]["rapidocr_onnxruntime"] == "1.4.4"
    assert ocr.derived_models(str(stage / package.MODELS), wheel=str(vendored), kind="folded")
    with pytest.raises(SystemExit, match="int8 det model was derived from another model"):
        package.check_models(str(stage))  # the checkout's int8 is not for this wheel

    monkeypatch.setitem(sys.modules, "onnx", None)  # a Python without onnx builds no engine zip
    with pytest.raises(SystemExit, match="need onnx .* run `make package`"):
        package.fold_models(str(stage))


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


def test_a_model_file_that_cannot_be_loaded_is_a_config_error_naming_it(tmp_path, monkeypatch):
    # A truncated model (a bad copy into the zip) surfaced as onnxruntime's traceback on the
    # first photo; an operator needs the setting and the file named instead.
    import shutil

    folder = tmp_path / "models"
    shutil.copytree(ocr.wheel_models_dir(), folder)
    with open(folder / ocr.WHEEL_MODELS["rec"], "r+b") as f:
        f.truncate(1000)
    monkeypatch.setattr(ocr, "wheel_models_dir", lambda: str(folder))
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.delenv(ocr.MODELS_SETTING, raising=False)
    with pytest.raises(ocr.ModelsUnusable, match=ocr.WHEEL_MODELS["rec"]) as caught:
        ocr.load()
    assert caught.value.__cause__ is None and ocr._engine is None
    assert ocr.MODELS_SETTING in str(caught.value)


def test_each_character_keeps_its_place_along_the_line():
    # Frames of a line image at 2 frames a line height: 张 emitted in frame 0, 三 in frame 2
    # after a blank. A character printed and not read leaves its place empty
    # (fields.dropped_character measures the print's pitch from them).
    characters = ["", "张", "三"]
    probs = np.array([[0.1, 0.9, 0.0], [0.9, 0.1, 0.0], [0.1, 0.0, 0.9], [0.9, 0.0, 0.1]])
    decoded = ocr._decode(probs, characters, frames_per_height=2)
    assert decoded.text == "张三" and decoded.char_places == pytest.approx((0.25, 1.25))
