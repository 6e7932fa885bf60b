"""The one place that knows RapidOCR: text detection, direction, recognition with per-character
scores, and the recogniser's character probabilities.

Everything else in the engine talks to the functions here, in plain types (numpy RGB arrays,
quads as lists of (x, y), `Text`). rapidocr-onnxruntime 1.4.4 (pinned in pyproject.toml) has
no public way to do three things the engine needs, so this module uses its internals, and
tests/test_engine_ocr.py pins each one against the public call so an upgrade that changes
them fails there, not in the field:

- onnxruntime sessions whose worker threads sleep between operators (no busy-wait on 2 shared
  cores) and that keep their memory arena, the recogniser's on one thread (its lines run side
  by side instead): the session options are extended while the engine is built;
- per-character scores (the public call gives a line's mean only): recognition runs the
  recogniser's own resize and session, each line as the public call reads it alone, as its
  own inference, and decodes the CTC output here;
- the character probabilities themselves, for choosing among a closed list of values;
- the detector's input prepared by a lookup table rather than its float64 arithmetic (the same
  values to the bit, a fifth of the CPU: _TableInput).

The models: the wheel's own by default. IDCARD_ENGINE_MODELS=folded runs text detection and
recognition as float models derived from them by `make models` (tools/derive_models.py: the
same arithmetic with the element-wise steps folded, a quarter less CPU; opt-in, deployed
as docs/engine.md says), =int8 as int8 models (statically quantised, calibrated on the committed sample
photos; they lose fields). Either is checked against its manifest and the installed wheel
before it is loaded; missing or stale, the engine refuses to start rather than run other
models (docs/engine.md, "The folded models", "The int8 models").

Why not the maintained `rapidocr` package (3.10.0 on PyPI, checked 2026-12-06): its wheel does
ship models (PP-OCRv6 small det/rec and the v2 direction classifier, 32 MB unpacked), so it
would need no download at run time, and it gives per-character boxes publicly
(`return_single_char_box`). But it has no option for thread spinning either, its character
probabilities are still internal, and PP-OCRv6 replaces every model the engine's thresholds and
benchmark figures were measured with. Moving is a change of this module plus a full benchmark
run (docs/engine.md, "RapidOCR"), not something to do in passing.
"""

import contextlib
import contextvars
import functools
import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..errors import RECOGNITION_FAILED, ConfigError, IdcardOcrError

PINNED = "1.4.4"     # the rapidocr-onnxruntime whose internals this module uses
MAX_LINES = 300      # text boxes recognised at most per call: a card has about 15, a sheet 30
TEXT_SCORE = 0.5     # lines scored lower are dropped, as RapidOCR's own call drops them

Quad = List[Tuple[float, float]]

# A photo's work is bounded (docs/engine.md, "The budget"): however much text it holds, it is
# read with at most this many line recognitions (any line, any call: the area's lines, areas
# read for values, second reads) and this many text detections (at any size). Both are the
# most a card photo of the tuned-on sets needed, with room to spare (64 lines and 8
# detections; cards on a newspaper up to 144 lines): a photo of print around a card (a
# newspaper under glass: 29 s of CPU, 665 lines) or of nothing but text held the engine for
# up to a minute. MAX_LINES bounds each detection's boxes, and detect.READ_MAX_SIDE each
# line's width, so each unit costs at most so much.
LINES_PER_PHOTO = 200
DETECTIONS_PER_PHOTO = 12


class OverBudget(IdcardOcrError):
    """The photo's budget (LINES_PER_PHOTO, DETECTIONS_PER_PHOTO) does not allow this work:
    the engine answers with what it has read (engine/__init__.py catches it; were it ever to
    escape, it is an unreadable photo, which the cascade's API reads)."""

    def __init__(self):
        super().__init__(RECOGNITION_FAILED, "the photo's work budget is spent")


@dataclass
class Work:
    """What one photo's reading has cost so far, against its budget. `over`: some work was
    left undone for the budget (a line not recognised, a read not made)."""

    lines_allowed: int
    detections_allowed: int
    lines: int = 0
    detections: int = 0
    over: bool = False

    def lines_left(self) -> int:
        return max(self.lines_allowed - self.lines, 0)

    def charge(self, lines: int = 0, detections: int = 0) -> None:
        """Count the work about to be done, or raise OverBudget (counting nothing) when it
        would exceed the budget."""
        if self.lines + lines > self.lines_allowed or \
                self.detections + detections > self.detections_allowed:
            self.over = True
            raise OverBudget()
        self.lines += lines
        self.detections += detections


_work: "contextvars.ContextVar[Optional[Work]]" = contextvars.ContextVar("work", default=None)


@contextlib.contextmanager
def budget(lines: Optional[int] = None, detections: Optional[int] = None):
    """The work of one photo's reading in this context, bounded (by default LINES_PER_PHOTO
    and DETECTIONS_PER_PHOTO): every recognition and detection below is charged to the Work
    this yields (outside it, nothing is counted)."""
    work = Work(LINES_PER_PHOTO if lines is None else lines,
                DETECTIONS_PER_PHOTO if detections is None else detections)
    token = _work.set(work)
    try:
        yield work
    finally:
        _work.reset(token)


def work() -> Optional[Work]:
    """The budget of the photo being read (None outside `budget`)."""
    return _work.get()


def needs_lines() -> None:
    """OverBudget when the photo's budget has no line left to recognise: work done only for
    lines to recognise (an area's detection, the look beside a card) is not begun."""
    current = _work.get()
    if current is not None and not current.lines_left():
        current.over = True
        raise OverBudget()


def _charge(lines: int = 0, detections: int = 0) -> None:
    current = _work.get()
    if current is not None:
        current.charge(lines, detections)

# The wheel's models, by the role RapidOCR gives them (its config.yaml; pinned by a test).
WHEEL_MODELS = {"det": "ch_PP-OCRv4_det_infer.onnx", "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                "rec": "ch_PP-OCRv4_rec_infer.onnx"}
# The models IDCARD_ENGINE_MODELS=folded or =int8 replaces by models derived from the wheel's by
# `make models` (tools/derive_models.py; docs/engine.md, "The folded models", "The int8
# models"). The direction classifier stays as shipped: int8 made it slower (it is small; the
# (de)quantising costs more than it saves), and it is 2 % of the CPU.
DERIVED = ("det", "rec")
DERIVED_KINDS = ("folded", "int8")  # the IDCARD_ENGINE_MODELS values that need `make models`
MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
MANIFEST = "manifest.json"
MODELS_SETTING = "IDCARD_ENGINE_MODELS"  # "wheel" (the default: as shipped), "folded" or "int8"

_engine = None
_loaded_choice = None  # the IDCARD_ENGINE_MODELS the running engine was built with
_engine_lock = threading.Lock()
_run_lock = threading.Lock()  # one inference at a time per process; onnxruntime uses the cores


@dataclass
class Text:
    """A recognised line: its text, the mean of its characters' scores (RapidOCR's line score),
    each character's own score (the probability of the character the decoder chose) and its
    margin (that probability minus the runner-up's, in the same frame: a character the
    recogniser hesitated over between two look-alikes has a small margin even when its own
    probability is middling-high), and where each character stands (`char_places`: the middle
    of the frame the decoder emitted it in, in the line image's heights from its left edge): a
    character printed and not read leaves a gap of a character's pitch between its
    neighbours' places (fields.dropped_character)."""

    text: str
    score: float
    char_scores: Tuple[float, ...] = ()
    char_margins: Tuple[float, ...] = ()
    char_places: Tuple[float, ...] = ()


@dataclass
class Found:
    quad: Quad
    text: Text


class ModelsUnusable(ConfigError):
    """IDCARD_ENGINE_MODELS names no models, or the derived models it asks for are missing or
    were not derived from the installed wheel's models."""

    def __init__(self, message: str):
        super().__init__(MODELS_SETTING, message)


def model_paths(choice: Optional[str] = None) -> dict:
    """role -> model file the engine runs: the wheel's own, or with "folded" or "int8" that kind
    of derived model for DERIVED (checked against their manifest and the installed wheel's).

    `choice` defaults to the IDCARD_ENGINE_MODELS setting, else "wheel". There is no silent
    fallback: the answers must not depend on whether `make models` ran, so derived models asked
    for and missing or stale is an error that says how to fix it.
    """
    choice = choice or models_choice()
    if choice not in ("wheel",) + DERIVED_KINDS:
        raise ModelsUnusable(f"must be {', '.join(DERIVED_KINDS)} or wheel, not {choice[:20]!r}")
    paths = {role: wheel_model(role) for role in WHEEL_MODELS}
    if choice in DERIVED_KINDS:
        paths.update(derived_models(kind=choice))
    return paths


def models_choice(environ=None) -> str:
    """What IDCARD_ENGINE_MODELS asks for in `environ` (default: the process's), "wheel" unset."""
    return (os.environ if environ is None else environ).get(MODELS_SETTING) or "wheel"


def check_models(environ=None) -> None:
    """ModelsUnusable (a ConfigError naming IDCARD_ENGINE_MODELS) unless the models the setting
    in `environ` (default: the process's) chooses can be loaded. Called where the engine
    starts (the function's set-up when it reads in-process, the engine server before it
    listens), so that a wrong setting stops the start rather than failing the first photo.
    Imports nothing heavy: onnxruntime still loads with the first photo."""
    choice = models_choice(environ)
    if _engine is not None and choice == _loaded_choice:
        return  # these very models are running: hashing them again proves nothing
    model_paths(choice)


def wheel_models_dir() -> str:
    """The folder of the models the installed rapidocr-onnxruntime wheel ships (found without
    importing it: importing it loads onnxruntime and OpenCV)."""
    from importlib.util import find_spec

    spec = find_spec("rapidocr_onnxruntime")
    if spec is None or spec.origin is None:
        raise ModelsUnusable("the engine needs rapidocr-onnxruntime (the `engine` extra), "
                             "which is not installed")
    return os.path.join(os.path.dirname(spec.origin), "models")


def wheel_model(role: str) -> str:
    return os.path.join(wheel_models_dir(), WHEEL_MODELS[role])


def derived_models(directory: Optional[str] = None, wheel: Optional[str] = None,
                   kind: str = "int8") -> dict:
    """role -> derived model file of `kind` (in MODELS_DIR unless `directory`), after checking
    that each is the file its manifest records and was derived from the model the wheel ships
    (the installed one's models unless `wheel`, a folder of them: the engine's zip checks the
    models it carries against the wheel it vendors, tools/package.py)."""
    directory = directory or MODELS_DIR
    wheel = wheel or wheel_models_dir()
    fix = "run `make models` (tools/derive_models.py) to derive them from the installed wheel"
    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
        if kind not in manifest:
            raise FileNotFoundError
        entries = {role: dict(manifest[kind]["models"][role]) for role in DERIVED}
    except FileNotFoundError:
        raise ModelsUnusable(f"the {kind} models are missing ({directory}): {fix}") from None
    except (ValueError, KeyError, TypeError):
        raise ModelsUnusable(f"the {kind} models' manifest is unreadable: {fix}") from None
    paths = {}
    for role, entry in entries.items():
        path = os.path.join(directory, os.path.basename(str(entry.get("file", ""))))
        source = os.path.join(wheel, WHEEL_MODELS[role])
        if not os.path.isfile(source) or sha256(source) != entry.get("source_sha256"):
            raise ModelsUnusable(f"the {kind} {role} model was derived from another model than "
                                 f"the RapidOCR wheel ships ({wheel}): {fix}")
        if not os.path.isfile(path) or sha256(path) != entry.get("sha256"):
            raise ModelsUnusable(f"the {kind} {role} model is missing or not the file its "
                                 f"manifest records: {fix}")
        paths[role] = path
    return paths


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(max_side: int = 1800):
    """The RapidOCR engine, built once per process (about 1 s)."""
    global _engine, _loaded_choice
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            # Text arrives already scaled to the size the models like: detect at that size
            # ("max": only ever shrink, never blow a small area up to 736 px).
            options = {"print_verbose": False, "det_limit_type": "max",
                       "det_limit_side_len": max_side, "det_max_candidates": MAX_LINES}
            options.update({f"{role}_model_path": path
                            for role, path in model_paths().items()})
            threads = _configured_threads()
            if threads > 0:
                options["intra_op_num_threads"] = threads
            try:
                with _session_options(single_threaded=options["rec_model_path"]):
                    _engine = RapidOCR(**options)
            except ModelsUnusable:
                raise
            except Exception as exc:  # onnxruntime's own errors have no common root
                # A truncated or corrupt model file (a bad copy into the zip, a full disk) is a
                # deployment fault: name the setting and the files, not onnxruntime's traceback.
                raise ModelsUnusable(
                    f"a model file cannot be loaded ({type(exc).__name__}); check the files "
                    f"{sorted(os.path.basename(p) for p in model_paths().values())}") from None
            _normalise_by_table(_engine.text_det)
            _detections.clear()  # boxes another engine's models found
            _loaded_choice = models_choice()
        return _engine


def _normalise_by_table(detector) -> None:
    """The detector's input prepared by _TableInput rather than RapidOCR's own arithmetic."""
    build = detector.get_preprocess  # RapidOCR builds a DetPreProcess for each image's size
    detector.get_preprocess = lambda longest_side: _TableInput(build(longest_side))


class _TableInput:
    """RapidOCR's detection input (its DetPreProcess: resized to multiples of 32, each pixel
    (p / 255 - mean) / std in float64, cast to float32, channels first) with the arithmetic
    looked up in a table of its 256 results per channel: the same float32 values to the bit
    (tests/test_engine_ocr.py), for about a fifth of the CPU. The float64 pass cost about
    12 ms on a 0.4 MP area, paid on each of a photo's two or three detections."""

    def __init__(self, original):
        self.original = original
        levels = np.repeat(np.arange(256, dtype=np.uint8)[:, None, None], 3, axis=2)
        self.table = np.ascontiguousarray(
            original.normalize(levels)[:, 0, :].T.astype(np.float32))  # channel x level

    def __call__(self, image: np.ndarray) -> Optional[np.ndarray]:
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            return self.original(image)
        resized = self.original.resize(image)
        if resized is None:
            return None
        out = np.empty((1, 3) + resized.shape[:2], np.float32)
        for channel in range(3):
            np.take(self.table[channel], resized[..., channel], out=out[0, channel])
        return out


@contextlib.contextmanager
def _session_options(single_threaded: Optional[str] = None):
    """Sessions created inside have onnxruntime's worker threads sleep between operators, and
    keep the memory of one inference for the next (the CPU arena); the session of the model
    file `single_threaded` runs each inference on one thread (the recogniser: its lines run
    side by side instead, _recognise_locked).

    By default the threads busy-wait: on 2 shared cores that costs about a quarter of the CPU
    time per photo and slows whatever else runs. RapidOCR turns the arena off, so every
    detection allocated its buffers afresh: with it, detection takes about 15 % less CPU for
    about 12 MB more peak memory (docs/engine.md, "Speed"). The pinned version has no option
    for either, so its session options are extended while the engine is built, and restored
    after.
    """
    from rapidocr_onnxruntime.utils import infer_engine

    original = infer_engine.OrtInferSession.__dict__["_init_sess_opts"]

    def options(config):
        opts = original.__func__(config)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.enable_cpu_mem_arena = True
        if single_threaded is not None and config.get("model_path") == single_threaded:
            opts.intra_op_num_threads = 1
        return opts

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(options)
    try:
        yield
    finally:
        infer_engine.OrtInferSession._init_sess_opts = original


@contextlib.contextmanager
def recording(inputs: dict):
    """While inside, every input the engine's models run on is appended to inputs[role] (a copy
    of the tensor): the calibration data tools/derive_models.py derives the int8 models with."""
    engine = load()
    owners = {"det": engine.text_det.infer, "cls": engine.text_cls.infer,
              "rec": engine.text_rec.session}
    for role, owner in owners.items():
        owner.session = _Recording(owner.session, inputs.setdefault(role, []))
    try:
        yield inputs
    finally:
        for owner in owners.values():
            owner.session = owner.session.session


class _Recording:
    """An onnxruntime session that keeps a copy of each input it runs on."""

    def __init__(self, session, sink: list):
        self.session, self.sink = session, sink

    def run(self, names, feed, *args, **kwargs):
        self.sink.extend(np.array(tensor) for tensor in feed.values())
        return self.session.run(names, feed, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.session, name)


def detect(image: np.ndarray) -> List[Quad]:
    """Text boxes only (no direction, no recognition), at the image's own size.

    The boxes of the last DETECTIONS_KEPT calls are kept by their pixels' digest: the look
    beside a small card (detect.locate_beside) detects the whole photo at the size the quick
    location's second look already detected it at (the same pixels, 0.5 to 0.7 s of CPU
    again, on 4 of 100 photos of five renderings; docs/engine.md, "What costs what"). The
    detector gives the same boxes to the bit for the same pixels (tests/test_engine.py), so
    what is kept is what it would give again."""
    key = hashlib.sha1(np.ascontiguousarray(image).data).digest() + repr(
        (image.shape, image.dtype.str)).encode()
    with _run_lock:
        if key in _detections:
            _detections.move_to_end(key)
        else:
            _charge(detections=1)
            boxes, _ = load().text_det(image)
            _detections[key] = [] if boxes is None else [
                [tuple(map(float, p)) for p in box] for box in boxes]
            while len(_detections) > DETECTIONS_KEPT:
                _detections.popitem(last=False)
        return [list(box) for box in _detections[key]]


# Enough for one photo's whole-photo detections (the quick location's one or two sizes, the
# look beside) with room to spare; boxes only, never pixels.
DETECTIONS_KEPT = 4
_detections: "OrderedDict[bytes, List[Quad]]" = OrderedDict()


def read(image: np.ndarray) -> List[Found]:
    """Detection, direction (0 or 180 per line) and recognition of every line in `image`, as
    RapidOCR's own call does them, with each character's score kept."""
    quads, crops = find_lines(image)
    crops = [np.rot90(c, 2) if d.flipped and d.sure else c
             for c, d in zip(crops, directions(crops))]
    texts = recognise(crops, preprocess=False)
    return [Found(quad, text) for quad, text in zip(quads, texts) if text.score >= TEXT_SCORE]


def find_lines(image: np.ndarray) -> Tuple[List[Quad], List[np.ndarray]]:
    """Text boxes in `image` (top to bottom, left to right) and each line's pixels, cut out
    straight along its box, as RapidOCR's own call does before recognition."""
    engine = load()
    height, width = image.shape[:2]
    _charge(detections=1)
    with _run_lock:
        img, ratio_h, ratio_w = engine.preprocess(image)
        record = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
        img, record = engine.maybe_add_letterbox(img, record)
        boxes, _ = engine.auto_text_det(img)
        if boxes is None:
            return [], []
        crops = engine.get_crop_img_list(img, boxes)
        quads = engine._get_origin_points(boxes, record, height, width)
    return [[tuple(map(float, p)) for p in quad] for quad in quads], crops


@dataclass
class Direction:
    flipped: bool   # the classifier reads the line as turned half a turn
    score: float    # its probability for that answer

    @property
    def sure(self) -> bool:
        return self.score > CLS_THRESHOLD


CLS_THRESHOLD = 0.9  # RapidOCR turns a line only when the classifier is this sure


def directions(crops: Sequence[np.ndarray]) -> List[Direction]:
    """The direction classifier's answer for each line image; a line is turned (as RapidOCR
    turns it) only when flipped and sure."""
    if not len(crops):
        return []
    engine = load()
    with _run_lock:
        _, answers, _ = engine.text_cls(list(crops))
    return [Direction(label == "180", float(score)) for label, score in answers]


def recognise(crops: Sequence[np.ndarray], classify: bool = False,
              preprocess: bool = True) -> List[Text]:
    """Recognition alone on line images (RGB), optionally turned by the direction classifier.
    `preprocess`: as RapidOCR's call on a line image does (short side at least 30 px); not for
    lines cut out by find_lines (its call does not do it to those either)."""
    if not len(crops):
        return []
    _charge(lines=len(crops))
    engine = load()
    with _run_lock:
        if preprocess:
            crops = [engine.preprocess(c)[0] for c in crops]
        if classify:
            crops, _, _ = engine.text_cls(crops)
        return _recognise_locked(engine, crops)


def _recognise_locked(engine, crops: List[np.ndarray]) -> List[Text]:
    """Each line recognised as RapidOCR recognises a line alone (resized to the recogniser's
    height, padded to its 320 x 48 input or as wide as the line, whichever is wider), keeping
    the per-character probabilities its decoder averages away.

    RapidOCR's own call pads a batch of six lines to the widest of them, so a line's reading
    depended on which lines shared its batch and every line of a batch cost the widest one's
    width. Here every line is its own inference: a line reads the same whatever else is on the
    card, none is padded wider than itself, and onnxruntime costs less per line alone than
    batched (six 320 x 48 lines: 26 ms of CPU each one by one, 38 ms each as one batch of six;
    the probabilities the same to the bit; docs/engine.md, "Speed").
    """
    recogniser = engine.text_rec
    _, rec_height, rec_width = recogniser.rec_image_shape[:3]
    least = rec_width / rec_height  # the input's own shape: a shorter line is padded to it

    def one(crop: np.ndarray) -> Text:
        ratio = max(least, crop.shape[1] / crop.shape[0])
        tensor = recogniser.resize_norm_img(crop, ratio)[np.newaxis, :].astype(np.float32)
        frame_probs = recogniser.session(tensor)[0][0]
        # The recogniser's input is rec_height high and rec_height * ratio wide; its frames
        # cover that width evenly (the line's image, then the padding).
        return _decode(frame_probs, _characters(engine), len(frame_probs) / ratio)

    if len(crops) < 2:
        return [one(crop) for crop in crops]
    return list(_line_pool().map(one, crops))


_pool = None
_pool_lock = threading.Lock()


def _configured_threads() -> int:
    """IDCARD_ENGINE_THREADS, the threads the engine may use (0: not set)."""
    return int(os.environ.get("IDCARD_ENGINE_THREADS") or 0)


def _line_pool():
    """The threads that recognise a call's lines side by side, one per core the engine may use
    (IDCARD_ENGINE_THREADS, else the cores this process may run on).

    The recogniser's session runs each inference on one thread (_session_options): a line is
    small work, and two threads share one line's operators less well than two lines share two
    cores (the 49 lines of four photos, at load 20: wall 9.4 against 12.7 s, CPU 1.5 against
    1.7 s; docs/engine.md, "What costs what"). A line's probabilities are the same to the bit
    on one thread or two, alone or beside another (tests/test_engine_ocr.py). Made at the
    first call and forgotten by a forked child (_forget_pool)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            workers = _configured_threads() or len(os.sched_getaffinity(0))
            _pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="idcard-ocr-line")
        return _pool


def _forget_pool() -> None:
    """In a forked child: its parent's pool object came along without its threads, and work
    given to it would wait for ever (the engine server forks its workers)."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _decode(probs: np.ndarray, characters: List[str], frames_per_height: float = 0.0) -> Text:
    """Greedy CTC: the best class per frame, repeats merged, blanks (class 0) dropped. With
    `frames_per_height`, each character's place (the middle of the frame it was emitted in,
    in line heights) is kept."""
    best = probs.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0
    scores = probs.max(axis=1)[keep]
    # The runner-up among the other characters (not the blank: the first frame of a character
    # is also where "no character yet" is likely, which is no doubt about which character).
    others = probs[keep][:, 1:]
    runner_up = np.partition(others, -2, axis=1)[:, -2] if others.shape[1] > 1 else 0.0 * scores
    text = "".join(characters[i] for i in best[keep])
    places = tuple(float((f + 0.5) / frames_per_height) for f in np.flatnonzero(keep)
                   ) if frames_per_height else ()
    return Text(text, float(scores.mean()) if len(scores) else 0.0,
                tuple(float(s) for s in scores),
                tuple(float(s - r) for s, r in zip(scores, runner_up)), places)


def _characters(engine) -> List[str]:
    """Class index -> character (0 is the CTC blank)."""
    return engine.text_rec.postprocess_op.character


def probabilities(crop: np.ndarray, padded: bool = True) -> Tuple[np.ndarray, dict]:
    """The recogniser's probabilities for one line image (frames x classes; class 0 is the
    CTC blank) and the index of each character it knows. `padded`: a short line is padded to
    the recogniser's own width (320 x 48), as recognise() and RapidOCR do; unpadded, a short
    crop is stretched over fewer frames (what choose_in_area's odds were measured with)."""
    _charge(lines=1)
    engine = load()
    recogniser = engine.text_rec
    ratio = crop.shape[1] / crop.shape[0]
    if padded:
        ratio = max(ratio, recogniser.rec_image_shape[2] / recogniser.rec_image_shape[1])
    tensor = recogniser.resize_norm_img(crop, ratio)[np.newaxis, :]
    with _run_lock:
        probs = recogniser.session(tensor.astype(np.float32))[0][0]
    return probs, {c: i for i, c in enumerate(_characters(engine))}


def recognise_within(crop: np.ndarray, alphabet: str) -> Text:
    """Recognition of one line image allowed only the characters of `alphabet` (for values
    from a closed set of characters: a date is digits, '.', '-' and 长期): each frame takes
    the likeliest allowed character or the blank, so a digit read as a letter (Q008 for 2008)
    becomes the likeliest digit. Each character keeps its own probability as its score."""
    probs, index = probabilities(crop)
    allowed = np.zeros(probs.shape[1], dtype=bool)
    allowed[[0] + [index[c] for c in alphabet if c in index]] = True
    return _decode(np.where(allowed, probs, 0.0), _characters(load()))


def knows(character: str) -> bool:
    """Whether the recogniser's dictionary has `character` (a name's 黟 may be missing)."""
    return character in _known()


@functools.lru_cache(maxsize=1)
def _known() -> frozenset:
    return frozenset(_characters(load())[1:])


def version() -> str:
    from importlib.metadata import version as installed

    return installed("rapidocr-onnxruntime")
