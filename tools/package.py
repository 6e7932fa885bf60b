"""`make package`: the deployable zips in dist/, with dependencies vendored for FC's Linux x86_64.

    dist/idcard-ocr.zip         the OSS-triggered function (python3.10): index.py, idcard_ocr/,
                                and requirements.txt installed into python/ (index.py puts it
                                on sys.path)
    dist/idcard-ocr-engine.zip  the offline engine (custom.debian11, whose Python is 3.12): the
                                same code plus the `engine` extra in python/ (PYTHONPATH)

Binary wheels are taken for the target (`--platform manylinux2014_x86_64 / manylinux_2_28_x86_64 --python-version ...
--only-binary=:all:`), whatever Python runs this. Dependencies published only as source
(oss2, crcmod, aliyun-mns-sdk...) are first built here as wheels with no compiler, so that an
optional C extension (crcmod's) falls back to its pure-Python version instead of being
compiled for this machine. No tests, no __pycache__, no *.egg-info go into a zip.

    python tools/package.py [--only function|engine] [--out dist]
    python tools/package.py --prefetch DIR          fill a wheelhouse for both zips
    python tools/package.py --wheelhouse DIR        build from it alone (no network)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTION_DIR = os.path.join(ROOT, "functions", "idcard_ocr")
# FC's runtimes are Debian 10 (glibc 2.28) or newer: wheels up to manylinux_2_28 run there
# (onnxruntime publishes nothing older for Python 3.12).
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
TARGETS = {  # name: (zip, Python of the FC runtime, pyproject extras)
    "function": ("idcard-ocr.zip", "3.10", ()),
    "engine": ("idcard-ocr-engine.zip", "3.12", ("engine",)),
}
# rapidocr-onnxruntime requires opencv-python, whose Linux wheel links the desktop's libraries
# (libGL, libX11, libxcb, glib) from the system; FC's runtimes need not have them, and then
# `import cv2` fails and the engine never starts. The engine's zip takes the same `cv2` from
# opencv-python-headless: such a package is installed without its dependencies, which are then
# installed from its own metadata with the names swapped. (The developer venv keeps
# opencv-python: both install the same `cv2` folder and must not be installed together.)
SWAPPED = {"opencv-python": "opencv-python-headless==5.1.0.95"}
SWAPS_DEPENDENCIES_OF = ("rapidocr-onnxruntime",)
SKIPPED_DIRS = {"__pycache__", "tests"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")


def requirements(extras) -> list:
    with open(os.path.join(FUNCTION_DIR, "requirements.txt"), encoding="utf-8") as f:
        pins = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    if extras:
        try:
            import tomllib
        except ImportError:  # Python < 3.11
            import tomli as tomllib
        with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
            optional = tomllib.load(f)["project"]["optional-dependencies"]
        pins += [pin for extra in extras for pin in optional[extra]]
    return pins


def _name(pin: str) -> str:
    return re.split(r"[\s<>=!~;\[]", pin, maxsplit=1)[0].lower().replace("_", "-")


def split_swapped(pins: list) -> tuple:
    """(pins installed without their dependencies, the other pins)."""
    alone = [p for p in pins if _name(p) in SWAPS_DEPENDENCIES_OF]
    return alone, [p for p in pins if p not in alone]


def swapped_dependencies(metadata: str) -> list:
    """The Requires-Dist of a METADATA text, opencv-python swapped for the headless build."""
    found = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement = line.split(":", 1)[1].strip()
        if "extra ==" in requirement:
            continue
        found.append(SWAPPED.get(_name(requirement), requirement))
    return found


def _wheel_metadata(wheelhouse: str, pin: str) -> str:
    prefix = _name(pin).replace("-", "_") + "-"
    version = pin.split("==", 1)[1] if "==" in pin else ""
    for name in sorted(os.listdir(wheelhouse)):
        if name.lower().startswith(prefix) and name.endswith(".whl") and version in name:
            with zipfile.ZipFile(os.path.join(wheelhouse, name)) as wheel:
                [entry] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
                return wheel.read(entry).decode("utf-8")
    raise SystemExit(f"no wheel for {pin} in {wheelhouse}")


def pip(*args, env=None) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                   check=True, env=env)


def target_options(python: str) -> list:
    platforms = [option for platform in PLATFORMS for option in ("--platform", platform)]
    return [*platforms, "--python-version", python, "--implementation", "cp",
            "--only-binary=:all:"]


def prefetch(wheelhouse: str, pins: list, python: str) -> None:
    """Wheels for the target in wheelhouse: source-only packages built here, pure Python."""
    os.makedirs(wheelhouse, exist_ok=True)
    alone, pins = split_swapped(pins)
    # Before the swapped dependencies join: they are binary wheels for the target only
    # (building this machine's numpy, onnxruntime and OpenCV would be for nothing).
    pip("wheel", "--quiet", "--no-cache-dir", "--wheel-dir", wheelhouse, "--find-links",
        wheelhouse, *pins, env=dict(os.environ, CC="false", CXX="false"))
    if alone:
        pip("download", "--quiet", "--no-deps", "--dest", wheelhouse, *target_options(python),
            *alone)
        pins += [dep for pin in alone for dep in swapped_dependencies(
            _wheel_metadata(wheelhouse, pin))]
    pip("download", "--quiet", "--dest", wheelhouse, "--find-links", wheelhouse,
        *target_options(python), *pins)


def vendor(stage: str, pins: list, python: str, wheelhouse: str, offline: bool) -> None:
    """pins installed into stage/python for the target. `pip download` resolves them (it
    checks each package's Requires-Python against the target's version); `pip install
    --target` then only unpacks the chosen wheels: it would check Requires-Python against the
    Python running it (numpy 2.5 needs 3.12, the engine's, not this machine's 3.11)."""
    index = ["--no-index"] if offline else []
    chosen = os.path.join(stage, ".wheels")
    alone, pins = split_swapped(pins)
    if alone:
        pip("download", "--quiet", "--no-deps", "--dest", chosen, "--find-links", wheelhouse,
            *index, *target_options(python), *alone)
        pins += [dep for pin in alone for dep in swapped_dependencies(
            _wheel_metadata(wheelhouse, pin))]
    pip("download", "--quiet", "--dest", chosen, "--find-links", wheelhouse, *index,
        *target_options(python), *pins)
    wheels = sorted(os.path.join(chosen, name) for name in os.listdir(chosen))
    pip("install", "--quiet", "--no-deps", "--no-index", "--ignore-requires-python",
        "--target", os.path.join(stage, "python"), *target_options(python), *wheels)
    shutil.rmtree(chosen)


# The operator's review console runs on the operator's machine, never in a function.
NOT_DEPLOYED = (os.path.join("idcard_ocr", "ops", "review"),)
# The engine's derived models (`make models`): in the engine's zip only, where RapidOCR is.
MODELS = os.path.join("idcard_ocr", "engine", "models")


def copy_code(stage: str, name: str = "function") -> None:
    shutil.copy2(os.path.join(FUNCTION_DIR, "index.py"), stage)
    shutil.copytree(os.path.join(FUNCTION_DIR, "idcard_ocr"), os.path.join(stage, "idcard_ocr"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    for folder in NOT_DEPLOYED + ((MODELS,) if name != "engine" else ()):
        shutil.rmtree(os.path.join(stage, folder), ignore_errors=True)
    if name == "engine":
        fold_models(stage)
        check_models(stage)


def fold_models(stage: str) -> None:
    """The folded models (tools/derive_models.py), which the deployed engine runs
    (IDCARD_ENGINE_MODELS=folded in template.yml and the s*.yaml files), derived into the stage
    from the models of the RapidOCR wheel it vendors, whatever the checkout's models folder
    holds: a zip without them would deploy an engine that refuses to start. Needs onnx (the
    `package` extra, which `make package` installs); int8 models a checkout derived go in
    beside them, checked like them (check_models)."""
    vendored = os.path.join(stage, "python")
    [info] = [name for name in os.listdir(vendored)
              if name.startswith("rapidocr_onnxruntime-") and name.endswith(".dist-info")]
    sys.path[:0] = [FUNCTION_DIR, os.path.dirname(os.path.abspath(__file__))]
    try:
        import derive_models
        from idcard_ocr.engine import ocr

        derive_models.derive(os.path.join(stage, MODELS), ["folded"], ocr.DERIVED,
                             wheel=os.path.join(vendored, "rapidocr_onnxruntime", "models"),
                             wheel_version=info[len("rapidocr_onnxruntime-"):-len(".dist-info")])
    except ImportError as error:
        raise SystemExit(f"the engine's zip: its folded models need {error.name} to be "
                         "derived: run `make package` (it installs the `package` extra)") from None
    finally:
        del sys.path[:2]


def check_models(stage: str) -> None:
    """Derived models (the folded ones fold_models derives, and int8 if `make models` derived
    them) go into the engine's zip only when derived from the very models of the RapidOCR wheel
    it vendors: each kind the manifest lists is checked by the engine's own check
    (engine/ocr.py's derived_models) against the vendored wheel, so the zip refuses exactly
    what the engine would refuse to start with, in the same words."""
    models = os.path.join(stage, MODELS)
    if not os.path.exists(models):
        return  # not derived: the engine runs the wheel's models (the default)
    sys.path.insert(0, FUNCTION_DIR)
    try:
        from idcard_ocr.engine import ocr
    finally:
        sys.path.remove(FUNCTION_DIR)
    wheel = os.path.join(stage, "python", "rapidocr_onnxruntime", "models")
    try:
        with open(os.path.join(models, ocr.MANIFEST), encoding="utf-8") as f:
            listed = json.load(f)
    except (OSError, ValueError):
        listed = {}  # the engine's check below says what is wrong, in its words
    kinds = [kind for kind in ocr.DERIVED_KINDS if isinstance(listed, dict) and kind in listed]
    try:
        for kind in kinds or ocr.DERIVED_KINDS:
            ocr.derived_models(models, wheel=wheel, kind=kind)
    except ocr.ModelsUnusable as error:
        raise SystemExit(f"the engine's zip: {error.message}") from None


def write_zip(stage: str, path: str, level: int = 9) -> int:
    """A zip of stage without caches, tests or egg-info, in a stable order; returns its size."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for folder, dirs, files in os.walk(stage):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS
                             and not d.endswith(SKIPPED_SUFFIXES))
            for name in sorted(files):
                if name.endswith(SKIPPED_SUFFIXES):
                    continue
                full = os.path.join(folder, name)
                archive.write(full, os.path.relpath(full, stage))
    return os.path.getsize(path)


def build(name: str, out: str, wheelhouse: str = None, level: int = 9,
          more_extras=()) -> str:
    zip_name, python, extras = TARGETS[name]
    pins = requirements(tuple(extras) + tuple(more_extras))
    with tempfile.TemporaryDirectory() as work:
        offline = wheelhouse is not None
        if not offline:
            wheelhouse = os.path.join(work, "wheels")
            prefetch(wheelhouse, pins, python)
        stage = os.path.join(work, "stage")
        os.makedirs(stage)
        vendor(stage, pins, python, wheelhouse, offline)
        copy_code(stage, name)
        path = os.path.join(out, zip_name)
        size = write_zip(stage, path, level)
    print(f"{os.path.relpath(path, ROOT)}: {size / 1024 / 1024:.1f} MB "
          f"(python{python}, Linux x86_64)")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(TARGETS))
    parser.add_argument("--out", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--wheelhouse", help="build from these wheels only (no network)")
    parser.add_argument("--fast", action="store_true", help="compress less (for the tests)")
    parser.add_argument("--with", dest="extras", action="append", default=[],
                        choices=("kms",), help="add an optional extra to the function's zip "
                                               "(kms: the AppCode from KMS Secrets Manager)")
    parser.add_argument("--prefetch", metavar="DIR",
                        help="only fill DIR with the wheels of both zips")
    args = parser.parse_args(argv)
    if args.prefetch:
        for name in [args.only] if args.only else sorted(TARGETS):
            _, python, extras = TARGETS[name]
            prefetch(args.prefetch, requirements(extras), python)
        return 0
    for name in [args.only] if args.only else sorted(TARGETS, key=lambda n: n != "function"):
        build(name, args.out, args.wheelhouse, 1 if args.fast else 9,
              args.extras if name == "function" else ())
    return 0


if __name__ == "__main__":
    sys.exit(main())
