"""Derive int8 models for the offline engine from the models the installed rapidocr-onnxruntime
wheel ships (`make models`; docs/engine.md, "The int8 models"). The engine runs them only with
IDCARD_ENGINE_MODELS=int8: as derived here they lose fields, so the wheel's stay the default.

    .venv/bin/python tools/derive_models.py            # into the engine's models folder
    .venv/bin/python tools/derive_models.py --out DIR  # elsewhere (the tests' determinism check)

For each model in engine/ocr.py's DERIVED (text detection and recognition; --roles others):

1. the model is converted to ONNX opset 17 (the wheel's are opset 12, whose DequantizeLinear
   has no per-channel axis);
2. onnxruntime's quant_pre_process folds its constants: the convolutions' weights are stored
   as BatchNormalization's computed products in the wheel's file, which is why dynamic
   quantisation could not reach them;
3. onnxruntime's quantize_static writes it in QDQ form, weights int8 per output channel,
   activations uint8 with ranges calibrated (MinMax) on the inputs the engine itself feeds the
   model while it reads the committed sample photos (tests/fixtures/cards, drawn by the
   project's own generators) with the wheel's models: the same resizing, crops and batches as
   in use;
4. the recogniser's classifier head stays float (FLOAT_HEAD), and the source's metadata is
   kept (the recogniser's character list lives there).

The manifest (models/manifest.json) records each source's and result's SHA-256; the engine
refuses models whose source is not the installed wheel's or whose bytes are not the recorded
ones. Given the same photos, wheel, onnxruntime and CPU, the derivation is deterministic (a
test derives twice and compares the bytes; another CPU may round the float calibration run
differently). About 75 s of CPU on this machine; nothing is downloaded.
"""

import argparse
import glob
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALIBRATION_PHOTOS = os.path.join(ROOT, "tests", "fixtures", "cards", "*.jpg")
OPSET = 17
# Where each model's output head begins (the last node of this type): it and everything after
# it stay in float. The recogniser's head is its classifier (a MatMul over ~6,600 characters
# and the softmax): int8 there rounds every probability to 1/255, and the engine reads small
# probabilities (the nationality's likelihoods, decoding within an alphabet).
FLOAT_HEAD = {"rec": "MatMul"}


def calibration_inputs(photos) -> dict:
    """role -> the input tensors the engine runs each model on while reading `photos` (paths)
    with the wheel's own models, both sides, in the order given."""
    os.environ["IDCARD_ENGINE_MODELS"] = "wheel"
    from idcard_ocr.engine import SIDES, ocr, recognize

    if ocr._engine is not None:  # built once per process, perhaps with the int8 models
        raise RuntimeError("calibrate in a process of its own (the engine is loaded already)")
    inputs: dict = {}
    with ocr.recording(inputs):
        for path in photos:
            with open(path, "rb") as f:
                data = f.read()
            for side in SIDES:
                recognize(data, side)
    return inputs


def derive(role: str, source: str, inputs: list, out: str) -> None:
    """The int8 model of `source` (an ONNX file) written to `out`, calibrated on `inputs`."""
    import numpy as np
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    original = onnx.load(source)
    name = original.graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.remaining = iter(inputs)

        def get_next(self):
            tensor = next(self.remaining, None)
            return None if tensor is None else {name: tensor.astype(np.float32)}

    with tempfile.TemporaryDirectory() as work:
        upgraded = os.path.join(work, "opset.onnx")
        folded = os.path.join(work, "folded.onnx")
        quantised = os.path.join(work, "int8.onnx")
        onnx.save(version_converter.convert_version(original, OPSET), upgraded)
        # Symbolic shape inference cannot follow the recogniser's reshapes; onnx's own does.
        quant_pre_process(upgraded, folded, skip_symbolic_shape=True)
        model = onnx.load(folded)
        nodes = model.graph.node
        for i, node in enumerate(nodes):  # quantize_static names the nodes it leaves alone
            node.name = node.name or f"{node.op_type}_{i}"
        onnx.save(model, folded)
        head = [i for i, node in enumerate(nodes) if node.op_type == FLOAT_HEAD.get(role)]
        keep_float = [node.name for node in nodes[head[-1]:]] if head else []
        quantize_static(folded, quantised, Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                        nodes_to_exclude=keep_float)
        model = onnx.load(quantised)
        del model.metadata_props[:]
        model.metadata_props.extend(original.metadata_props)
        model.producer_name, model.producer_version = "idcard-ocr tools/derive_models.py", ""
        onnx.save(model, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="folder to write to (default: the engine's models folder)")
    parser.add_argument("--photos", type=int, default=0,
                        help="calibrate on the first N photos only (the tests' quick check)")
    parser.add_argument("--roles", default=None,
                        help="comma-separated roles to derive (default: all the engine runs)")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.join(ROOT, "functions", "idcard_ocr"))
    import onnx
    import onnxruntime

    from idcard_ocr.engine import ocr

    out = args.out or ocr.MODELS_DIR
    os.makedirs(out, exist_ok=True)
    photos = sorted(glob.glob(CALIBRATION_PHOTOS))[:args.photos or None]
    started = time.monotonic()
    inputs = calibration_inputs(photos)
    manifest = {"rapidocr_onnxruntime": ocr.version(), "onnxruntime": onnxruntime.__version__,
                "onnx": onnx.__version__, "calibration_photos": len(photos),
                "method": f"opset {OPSET}, quant_pre_process, quantize_static QDQ, weights "
                          "int8 per channel, activations uint8, MinMax", "models": {}}
    for role in args.roles.split(",") if args.roles else ocr.DERIVED:
        source = ocr.wheel_model(role)
        name = f"{role}.int8.onnx"
        derive(role, source, inputs[role], os.path.join(out, name))
        manifest["models"][role] = {
            "file": name, "sha256": ocr.sha256(os.path.join(out, name)),
            "source": os.path.basename(source), "source_sha256": ocr.sha256(source),
            "calibration_inputs": len(inputs[role])}
    with open(os.path.join(out, ocr.MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{os.path.relpath(out, ROOT)}: {', '.join(manifest['models'])} int8 from "
          f"{len(photos)} photos in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
