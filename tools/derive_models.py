"""Derive the offline engine's other models from the models the installed rapidocr-onnxruntime
wheel ships (`make models`; docs/engine.md, "The int8 models" and "The folded models"): int8
models (IDCARD_ENGINE_MODELS=int8; they lose fields) and folded float models
(IDCARD_ENGINE_MODELS=folded; the wheel's arithmetic rewritten exactly, about a quarter less
CPU). Neither is the default for a checkout: the wheel's need no derivation.

    .venv/bin/python tools/derive_models.py            # into the engine's models folder
    .venv/bin/python tools/derive_models.py --out DIR  # elsewhere (the tests' determinism check)

Folded (engine/ocr.py's DERIVED; 2 s, no photos): the PP-OCRv4 graphs, as exported from
Paddle, follow every convolution with a multiply and an add by scalars and write every
hard-swish as four operators (x * clip(x + 3, 0, 6) / 6), and onnxruntime fuses neither: about
40 % of both models' time went there. The multiply and add are folded into the convolution's
weights and bias, and hard-swish is written as HardSigmoid(x) * x, which onnxruntime fuses into
the convolution. Each activation is then scaled and shifted by scalars too, before the next
convolution: that pair becomes a 1 x 1 convolution of a group per channel, which onnxruntime
keeps in its blocked layout (scalar operands sent it out of that layout and back, once a
block). All are exact algebra (no calibration): the outputs differ from the wheel's by float
rounding only (a test bounds it on the engine's own inputs), and the same wheel gives the same
bytes.

Int8, for each model in engine/ocr.py's DERIVED (detection and recognition; --roles others):

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

The manifest (models/manifest.json) records, for each kind, each source's and result's SHA-256;
the engine refuses models whose source is not the installed wheel's or whose bytes are not the
recorded ones. Given the same photos, wheel, onnxruntime and CPU, the int8 derivation is
deterministic (a test derives twice and compares the bytes; another CPU may round the float
calibration run differently). About 75 s of CPU on this machine for int8; nothing is
downloaded.

    .venv/bin/python tools/derive_models.py --kinds folded   # the folded models alone
"""

import argparse
import glob
import json
import os
import sys
import tempfile
import time
from typing import Optional

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


def quantise(role: str, source: str, inputs: list, out: str) -> None:
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


def fold(source: str, out: str) -> dict:
    """The folded float model of `source` (an ONNX file) written to `out`; returns how many of
    each rewrite were made. Only exact rewrites: a pattern that does not match to the letter
    (another scalar, a second consumer, a graph output in the middle) is left as it is."""
    import onnx

    model = onnx.load(source)
    graph = model.graph
    made = {"scale_and_shift_into_convolution": _fold_scale_and_shift(graph),
            "hard_swish_as_hard_sigmoid": _hard_swish_as_hard_sigmoid(graph),
            "scale_and_shift_as_channelwise_convolution": _scale_and_shift_by_channel(graph)}
    _drop_unused_constants(graph)
    onnx.checker.check_model(model)
    model.producer_name, model.producer_version = "idcard-ocr tools/derive_models.py", ""
    onnx.save(model, out)
    return made


def _constants(graph) -> dict:
    """output name -> numpy value of every Constant node (Paddle's export stores its weights and
    scalars as Constant nodes, not initializers)."""
    from onnx import numpy_helper

    return {node.output[0]: numpy_helper.to_array(node.attribute[0].t)
            for node in graph.node if node.op_type == "Constant"}


def _scalar(constants: dict, name: str):
    value = constants.get(name)
    return None if value is None or value.size != 1 else value.ravel()[0]


def _consumers(graph) -> dict:
    """tensor name -> the nodes reading it; a graph output counts as a reader that no rewrite may
    bypass."""
    readers: dict = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    for output in graph.output:
        readers.setdefault(output.name, []).append(None)
    return readers


def _sole_reader(readers: dict, name: str, op_type: str):
    nodes = readers.get(name, [])
    return nodes[0] if len(nodes) == 1 and nodes[0] is not None and \
        nodes[0].op_type == op_type else None


def _other_input(node, name: str) -> str:
    others = [i for i in node.input if i != name]
    return others[0] if len(others) == 1 else ""


def _fold_scale_and_shift(graph) -> int:
    """Conv -> Mul(scalar a) -> Add(scalar b) becomes one Conv with weights a W and bias a B + b:
    a (W * x + B) + b = (a W) * x + (a B + b)."""
    import numpy as np
    from onnx import helper, numpy_helper

    constants, readers = _constants(graph), _consumers(graph)
    producers = {node.output[0]: node for node in graph.node if node.op_type == "Constant"}
    dropped, count = [], 0
    for conv in [node for node in graph.node if node.op_type == "Conv"]:
        mul = _sole_reader(readers, conv.output[0], "Mul")
        add = mul and _sole_reader(readers, mul.output[0], "Add")
        if add is None:
            continue
        scale = _scalar(constants, _other_input(mul, conv.output[0]))
        shift = _scalar(constants, _other_input(add, mul.output[0]))
        weights_name = conv.input[1]
        if scale is None or shift is None or weights_name not in producers \
                or len(readers[weights_name]) != 1:
            continue
        weights = constants[weights_name].astype(np.float32)
        bias = (constants[conv.input[2]].astype(np.float32) if len(conv.input) > 2
                else np.zeros(weights.shape[0], np.float32))
        scale, shift = np.float32(scale), np.float32(shift)
        producers[weights_name].attribute[0].t.CopyFrom(
            numpy_helper.from_array(weights * scale, weights_name))
        bias_name = conv.output[0] + ".folded_bias"
        graph.node.insert(list(graph.node).index(conv), helper.make_node(
            "Constant", [], [bias_name], value=numpy_helper.from_array(bias * scale + shift,
                                                                       bias_name)))
        del conv.input[2:]
        conv.input.append(bias_name)
        # The convolution now writes what the Add wrote, so every reader of it is untouched.
        conv.output[0] = add.output[0]
        dropped += [mul, add]
        count += 1
    for node in dropped:
        graph.node.remove(node)
    return count


def _hard_swish_as_hard_sigmoid(graph) -> int:
    """x * clip(x + 3, 0, 6) / 6 becomes x * HardSigmoid(x) (alpha 1/6, beta 1/2): the same
    function, in two operators instead of four."""
    from onnx import helper

    constants, readers = _constants(graph), _consumers(graph)
    producers = {output: node for node in graph.node for output in node.output}
    dropped, count = [], 0
    for clip in [node for node in graph.node if node.op_type == "Clip"]:
        add = producers.get(clip.input[0])
        if add is None or add.op_type != "Add" or len(readers.get(add.output[0], [])) != 1 \
                or len(clip.input) != 3:
            continue
        x = add.input[0]
        if (_scalar(constants, add.input[1]), _scalar(constants, clip.input[1]),
                _scalar(constants, clip.input[2])) != (3.0, 0.0, 6.0):
            continue
        mul = _sole_reader(readers, clip.output[0], "Mul")
        divide = mul and _sole_reader(readers, mul.output[0], "Div")
        if divide is None or set(mul.input) != {x, clip.output[0]} \
                or divide.input[0] != mul.output[0] \
                or _scalar(constants, divide.input[1]) != 6.0:
            continue
        gate = divide.output[0] + ".hard_sigmoid"
        at = list(graph.node).index(add)
        graph.node.insert(at, helper.make_node("Mul", [x, gate], [divide.output[0]]))
        graph.node.insert(at, helper.make_node("HardSigmoid", [x], [gate], alpha=1 / 6,
                                               beta=0.5))
        dropped += [add, clip, mul, divide]
        count += 1
    for node in dropped:
        graph.node.remove(node)
    return count


def _scale_and_shift_by_channel(graph) -> int:
    """Mul(scalar a) -> Add(scalar b) read by convolutions only becomes one 1 x 1 convolution of
    a group per channel, weights a and bias b: a x + b, the same function. onnxruntime keeps
    convolutions in its blocked channel layout but runs an operator with a scalar operand in
    the plain one, so each such pair (the activations' scale and shift, PP-LCNetV3's
    learnable affine blocks) cost a reorder out, two passes and a reorder back."""
    import numpy as np
    from onnx import helper, numpy_helper

    constants, readers = _constants(graph), _consumers(graph)
    dropped, count = [], 0
    for mul in [node for node in graph.node if node.op_type == "Mul"]:
        scalars = [name for name in mul.input if _scalar(constants, name) is not None]
        add = _sole_reader(readers, mul.output[0], "Add")
        if len(scalars) != 1 or len(mul.input) != 2 or add is None:
            continue
        x = _other_input(mul, scalars[0])
        scale, shift = _scalar(constants, scalars[0]), _scalar(constants, _other_input(
            add, mul.output[0]))
        convs = readers.get(add.output[0], [])
        if shift is None or x in constants or not convs or any(
                node is None or node.op_type != "Conv" or node.input[0] != add.output[0]
                or node.input[1] not in constants for node in convs):
            continue
        channels = {constants[node.input[1]].shape[1] * {
            a.name: helper.get_attribute_value(a) for a in node.attribute}.get("group", 1)
            for node in convs}
        if len(channels) != 1:
            continue
        [channels] = channels
        weights_name = add.output[0] + ".channel_scale"
        bias_name = add.output[0] + ".channel_shift"
        at = list(graph.node).index(mul)
        graph.node.insert(at, helper.make_node("Conv", [x, weights_name, bias_name],
                                               [add.output[0]], group=channels,
                                               kernel_shape=[1, 1]))
        for name, value in ((bias_name, np.full(channels, shift, np.float32)),
                            (weights_name, np.full((channels, 1, 1, 1), scale, np.float32))):
            graph.node.insert(at, helper.make_node(
                "Constant", [], [name], value=numpy_helper.from_array(value, name)))
        dropped += [mul, add]
        count += 1
    for node in dropped:
        graph.node.remove(node)
    return count


def _drop_unused_constants(graph) -> None:
    """The scalars the rewritten operators read, now read by nothing."""
    while True:
        read = {name for node in graph.node for name in node.input} | \
            {output.name for output in graph.output}
        unused = [node for node in graph.node
                  if node.op_type == "Constant" and node.output[0] not in read]
        if not unused:
            return
        for node in unused:
            graph.node.remove(node)


def main(argv=None) -> int:
    sys.path.insert(0, os.path.join(ROOT, "functions", "idcard_ocr"))
    from idcard_ocr.engine import ocr

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="folder to write to (default: the engine's models folder)")
    parser.add_argument("--kinds", default=",".join(ocr.DERIVED_KINDS),
                        help="comma-separated kinds to derive (default: %(default)s); the "
                             "manifest keeps the entries of the others")
    parser.add_argument("--photos", type=int, default=0,
                        help="calibrate on the first N photos only (the tests' quick check)")
    parser.add_argument("--roles", default=None,
                        help="comma-separated roles to derive (default: all the engine runs)")
    args = parser.parse_args(argv)
    kinds = args.kinds.split(",")
    if set(kinds) - set(ocr.DERIVED_KINDS):
        parser.error(f"--kinds: each one of {', '.join(ocr.DERIVED_KINDS)}")
    out = args.out or ocr.MODELS_DIR
    roles = args.roles.split(",") if args.roles else ocr.DERIVED
    started = time.monotonic()
    done = derive(out, kinds, roles, photos=args.photos)
    print(f"{os.path.relpath(out, ROOT)}: {', '.join(roles)} {' and '.join(done)} in "
          f"{time.monotonic() - started:.0f} s")
    return 0


def derive(out: str, kinds, roles, photos: int = 0, wheel: Optional[str] = None,
           wheel_version: Optional[str] = None) -> list:
    """The models of `kinds` derived into `out` and recorded in its manifest, whose entries for
    the other kinds are kept; what was derived, in words. `wheel`: a folder of the wheel's
    models to fold (default: the installed wheel's; tools/package.py passes the wheel the
    engine's zip vendors, of version `wheel_version`). Int8 calibrates on the installed wheel
    only (it reads photos with the engine)."""
    from idcard_ocr.engine import ocr

    os.makedirs(out, exist_ok=True)
    manifest = _manifest(out)
    done = []
    if "folded" in kinds:
        manifest["folded"] = derive_folded(roles, out, wheel, wheel_version)
        done.append("folded")
    if "int8" in kinds:
        chosen = sorted(glob.glob(CALIBRATION_PHOTOS))[:photos or None]
        manifest["int8"] = derive_int8(roles, chosen, out)
        done.append(f"int8 from {len(chosen)} photos")
    with open(os.path.join(out, ocr.MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    return done


def _manifest(folder: str) -> dict:
    """The manifest already in `folder`, its entries for the kinds not derived now kept (the
    engine checks each against the installed wheel before it runs them); {} if none is usable."""
    from idcard_ocr.engine import ocr

    try:
        with open(os.path.join(folder, ocr.MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return {}
    return {kind: manifest[kind] for kind in ocr.DERIVED_KINDS
            if isinstance(manifest, dict) and isinstance(manifest.get(kind), dict)}


def derive_folded(roles, out: str, wheel: Optional[str] = None,
                  wheel_version: Optional[str] = None) -> dict:
    """The folded models of `roles` written to `out`, from the models in the folder `wheel`
    (default: the installed wheel's): their manifest entry."""
    import onnx

    from idcard_ocr.engine import ocr

    entry = {"rapidocr_onnxruntime": wheel_version or ocr.version(), "onnx": onnx.__version__,
             "method": "Conv, Mul and Add by scalars folded into the Conv; hard-swish as "
                       "HardSigmoid times x; Mul and Add by scalars before a Conv as a 1x1 "
                       "Conv by channel", "models": {}}
    for role in roles:
        source = os.path.join(wheel, ocr.WHEEL_MODELS[role]) if wheel else ocr.wheel_model(role)
        name = f"{role}.folded.onnx"
        made = fold(source, os.path.join(out, name))
        entry["models"][role] = dict(_file_entry(out, name, source), rewrites=made)
    return entry


def derive_int8(roles, photos, out: str) -> dict:
    """The int8 models of `roles` calibrated on `photos`, written to `out`: their manifest
    entry."""
    import onnx
    import onnxruntime

    from idcard_ocr.engine import ocr

    inputs = calibration_inputs(photos)
    entry = {"rapidocr_onnxruntime": ocr.version(), "onnxruntime": onnxruntime.__version__,
             "onnx": onnx.__version__, "calibration_photos": len(photos),
             "method": f"opset {OPSET}, quant_pre_process, quantize_static QDQ, weights "
                       "int8 per channel, activations uint8, MinMax", "models": {}}
    for role in roles:
        source = ocr.wheel_model(role)
        name = f"{role}.int8.onnx"
        quantise(role, source, inputs[role], os.path.join(out, name))
        entry["models"][role] = dict(_file_entry(out, name, source),
                                     calibration_inputs=len(inputs[role]))
    return entry


def _file_entry(out: str, name: str, source: str) -> dict:
    from idcard_ocr.engine import ocr

    return {"file": name, "sha256": ocr.sha256(os.path.join(out, name)),
            "source": os.path.basename(source), "source_sha256": ocr.sha256(source)}


if __name__ == "__main__":
    sys.exit(main())
