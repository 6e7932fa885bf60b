"""`make package`: both zips built from the wheelhouse `make test` prefetched (no network here),
what goes into them, that they import under the Python of their FC runtime with nothing but the
zip on sys.path, and that their shared libraries need nothing from the system that FC's runtimes
may lack (tests/shared_libraries.py)."""

import glob
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests import shared_libraries
from tests.conftest import FUNCTION_DIR, ROOT

pytestmark = pytest.mark.deploy
WHEELHOUSE = os.path.join(ROOT, ".venv", "wheelhouse")


def build(name, out):
    if not os.path.isdir(WHEELHOUSE):
        pytest.fail("no wheelhouse: run `make test` (it prefetches the zips' wheels)")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "package.py"),
                             "--only", name, "--wheelhouse", WHEELHOUSE, "--out", out,
                             "--fast"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert ".zip:" in result.stdout and " MB " in result.stdout  # prints its size
    [path] = glob.glob(os.path.join(out, "*.zip"))
    return path


@pytest.fixture(scope="module")
def function_zip(tmp_path_factory):
    return build("function", str(tmp_path_factory.mktemp("dist-function")))


@pytest.fixture(scope="module")
def engine_zip(tmp_path_factory):
    return build("engine", str(tmp_path_factory.mktemp("dist-engine")))


@pytest.fixture(scope="module")
def function_code(function_zip, tmp_path_factory):
    """The function's zip unpacked, as FC unpacks it to /code."""
    return unpack(function_zip, tmp_path_factory.mktemp("function-code"))


@pytest.fixture(scope="module")
def engine_code(engine_zip, tmp_path_factory):
    return unpack(engine_zip, tmp_path_factory.mktemp("engine-code"))


def unpack(zip_path, into):
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return str(into)


@pytest.fixture(scope="module")
def package(function_zip):
    with zipfile.ZipFile(function_zip) as archive:
        return archive.namelist()


def test_zip_holds_the_handler_the_package_and_vendored_dependencies(package):
    assert "index.py" in package and "idcard_ocr/handler.py" in package
    assert "idcard_ocr/engine/server.py" in package
    for module in ("oss2/__init__.py", "requests/__init__.py", "PIL/__init__.py",
                   "pillow_heif/__init__.py", "mns/__init__.py", "id_validator/__init__.py"):
        assert "python/" + module in package, module


def test_compiled_parts_are_for_python310_on_linux_x86_64(package):
    compiled = [name for name in package if name.endswith(".so")]
    assert any("cpython-310-x86_64-linux-gnu" in name for name in compiled)
    assert not [n for n in compiled if "cpython-3" in n and "cpython-310-" not in n]
    # crcmod has no wheel: its C extension would be built for this machine; the pure one ships.
    assert "python/crcmod/crcmod.py" in package
    assert not [n for n in package if n.startswith("python/crcmod/") and n.endswith(".so")]


def test_zip_has_no_caches_tests_or_egg_info(package):
    for name in package:
        parts = name.split("/")
        assert "__pycache__" not in parts and not name.endswith((".pyc", ".pyo")), name
        assert not any(p.endswith(".egg-info") for p in parts), name
        assert "tests" not in parts, name


def test_an_editable_install_leaves_the_deployed_folder_clean():
    """pyproject.toml sends the egg-info of `pip install -e .` to the repository root."""
    assert not glob.glob(os.path.join(FUNCTION_DIR, "*.egg-info"))
    assert glob.glob(os.path.join(ROOT, "*.egg-info"))  # make test's editable install made it


# --- the engine's zip: no desktop libraries ------------------------------------------------

def test_engine_zip_takes_opencv_headless_not_the_desktop_build(engine_zip):
    with zipfile.ZipFile(engine_zip) as archive:
        names = archive.namelist()
    assert "python/cv2/__init__.py" in names
    assert any(n.startswith("python/opencv_python_headless-") for n in names)
    assert not any(n.startswith("python/opencv_python-") for n in names)
    assert any(n.startswith("python/rapidocr_onnxruntime/") for n in names)


@pytest.mark.parametrize("which", ["function_code", "engine_code"])
def test_shared_libraries_need_only_what_fc_runtimes_have(request, which):
    beyond = shared_libraries.libraries_beyond_the_allow_list(request.getfixturevalue(which))
    assert beyond == {}, beyond


def test_the_allow_list_is_manylinux2014_without_the_desktop():
    allowed = shared_libraries.allowed_system_libraries()
    assert {"libc.so.6", "libm.so.6", "libpthread.so.0", "libstdc++.so.6", "libgcc_s.so.1",
            "libz.so.1"} <= allowed
    assert not {"libGL.so.1", "libX11.so.6", "libglib-2.0.so.0"} & allowed
    assert allowed < shared_libraries.manylinux2014_libraries()


def test_the_desktop_opencv_build_fails_the_check(tmp_path):
    """The check bites: opencv-python (the developer venv's, which rapidocr pulls in) needs
    libGL and glib... from the system; planted into a zip, it is named."""
    import cv2

    site = os.path.dirname(os.path.dirname(cv2.__file__))
    for folder in ("cv2", "opencv_python.libs"):  # the extension and the libraries it grafts
        planted = tmp_path / "python" / folder
        planted.mkdir(parents=True)
        for name in os.listdir(os.path.join(site, folder)):
            if ".so" in name:
                os.symlink(os.path.join(site, folder, name), planted / name)
    beyond = shared_libraries.libraries_beyond_the_allow_list(str(tmp_path))
    needed = {lib for libs in beyond.values() for lib in libs}
    assert needed & {"libGL.so.1", "libgthread-2.0.so.0", "libglib-2.0.so.0", "libX11.so.6",
                     "libxcb.so.1"}, beyond


# --- each zip imports under its runtime's Python, with only the zip on sys.path --------------

def cpython(version):
    """A CPython `version` interpreter on this machine (none is ever downloaded): $PYTHON310
    (or $PYTHON312), python3.10 on PATH, Debian's, or one that pyenv installed."""
    candidates = [os.environ.get("PYTHON" + version.replace(".", "")),
                  shutil.which(f"python{version}"), f"/usr/bin/python{version}",
                  *sorted(glob.glob(os.path.join(
                      os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv")),
                      "versions", f"{version}.*", "bin", f"python{version}")))]
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % "
                                    "sys.version_info[:2])"], capture_output=True, text=True,
                                   timeout=30)
        except OSError:
            continue
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    pytest.fail(f"no CPython {version} on this machine (FC's runtime runs it): install one "
                f"(apt-get install python{version}, or pyenv) or point $PYTHON"
                f"{version.replace('.', '')} at it")


# Imports every module of the package (but __main__, which runs the CLI) and every vendored
# dependency, and fails if any module was loaded from outside the zip and the standard library.
IMPORT_ALL = """
import importlib, pkgutil, sys
sys.path[:0] = {path!r}
{first}
import idcard_ocr
skipped = {skipped!r}
for module in pkgutil.walk_packages(idcard_ocr.__path__, "idcard_ocr."):
    if module.name.endswith("__main__") or module.name.startswith(skipped):
        continue
    importlib.import_module(module.name)
{more}
outside = sorted(name for name, module in list(sys.modules.items())
                 if getattr(module, "__file__", None)
                 and not module.__file__.startswith(({code!r}, sys.base_prefix)))
assert not outside, outside
print("imported", len(sys.modules), "modules under", "%d.%d" % sys.version_info[:2])
"""


# The engine's reading steps import numpy and RapidOCR, which only the engine's zip carries.
ENGINE_STEPS = ("ocr", "detect", "orient", "lines", "layout", "fields")


def import_all(python, code, path, first="", skipped=(), more=""):
    script = IMPORT_ALL.format(path=path, first=first, skipped=tuple(skipped), more=more,
                               code=code)
    # -I: no PYTHONPATH, no user site; -S: no site-packages. Only the zip and the stdlib.
    return subprocess.run([python, "-I", "-S", "-c", script], cwd=code, capture_output=True,
                          text=True, timeout=300)


def test_function_zip_imports_under_cpython_310_with_only_the_zip(function_code):
    """FC's python3.10 runtime unpacks the zip to /code and imports index (Handler
    index.handler), which puts python/ on sys.path. The engine's modules need the engine's
    zip (numpy, rapidocr), so they are left out here."""
    code = function_code
    result = import_all(cpython("3.10"), code, [code], first="import index",
                        skipped=[f"idcard_ocr.engine.{step}" for step in ENGINE_STEPS],
                        more="import oss2, requests, PIL.Image, pillow_heif, mns.account, "
                             "id_validator\npillow_heif.register_heif_opener()")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "under 3.10" in result.stdout


# The handler of the unpacked zip, run as FC's python3.10 runtime would: index.handler(event
# bytes, context), the settings in the environment.
RUN_HANDLER = """
import json, sys
from types import SimpleNamespace
sys.path[:0] = [{code!r}]
import index
context = SimpleNamespace(request_id="req-zip", credentials=None, region="cn-hangzhou",
                          account_id="123456789",
                          function=SimpleNamespace(name="idcard-ocr", handler="index.handler",
                                                   memory=512, timeout=60),
                          service=SimpleNamespace(name="idcard-ocr", log_project="",
                                                  log_store=""))
summary = index.handler(sys.stdin.buffer.read(), context)
print(json.dumps(summary))
"""


def test_function_zip_reads_a_jpeg_and_a_heic_under_cpython_310(function_code, bucket, env,
                                                                   ocr_api):
    """The zip's own compiled parts at work under the runtime's Python: Pillow decodes a JPEG,
    pillow-heif a HEIC, oss2 reads and writes over HTTP, and two results stand beside them."""
    import json

    from tests.conftest import oss_event, upload
    from tests.fakes import images

    code = function_code
    items = [upload(bucket, "idcards/zip-face.jpg", images.card_jpeg()),
             upload(bucket, "idcards/zip-face.heic", images.encode(images.card(), "HEIF"))]
    result = subprocess.run([cpython("3.10"), "-I", "-S", "-c", RUN_HANDLER.format(code=code)],
                            input=oss_event(bucket.bucket_name, *items), cwd=code,
                            env=dict(env, PATH=os.environ.get("PATH", "")),
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    summary = json.loads(result.stdout.decode().strip().splitlines()[-1])
    assert summary["ok"] == 2, summary
    for key, fmt in (("idcards/zip-face.jpg.json", "JPEG"), ("idcards/zip-face.heic.json",
                                                            "HEIF")):
        doc = json.loads(bucket.get_object(key).read())
        assert doc["status"] == "ok" and doc["image"]["source_format"] == fmt, doc["image"]
    assert len(ocr_api.requests) == 2


def test_engine_zip_imports_under_cpython_312_with_only_the_zip(engine_code):
    """Every module of the engine's zip (cv2, onnxruntime, rapidocr included) imports under
    custom.debian11's Python with nothing but the zip on sys.path."""
    code = engine_code
    result = import_all(cpython("3.12"), code, [os.path.join(code, "python"), code],
                        more="import cv2, onnxruntime, rapidocr_onnxruntime")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "under 3.12" in result.stdout


def test_engine_zip_serves_a_card_under_cpython_312(engine_code, tmp_path):
    """The engine function as template.yml starts it: `python3 -m idcard_ocr serve` with
    PYTHONPATH /code/python:/code, its generated AppCode and its models' choice (the folded
    models, which the server checks before it listens), from the unpacked zip (no
    site-packages: -S). It answers the marketplace contract for a committed sample card."""
    import base64
    import json
    import signal

    import requests

    from tests import ros

    code = engine_code
    appcode = "e" * 40
    deployed = ros.load()["Resources"]["EngineFunction"]["Properties"]["EnvironmentVariables"]
    env = {"PATH": os.environ.get("PATH", ""), "ENGINE_APPCODES": appcode,
           "PYTHONPATH": f"{code}/python:{code}", "FC_FUNCTION_MEMORY_SIZE": "2048",
           "HOME": str(tmp_path), "IDCARD_ENGINE_MODELS": deployed["IDCARD_ENGINE_MODELS"]}
    process = subprocess.Popen([cpython("3.12"), "-S", "-m", "idcard_ocr", "serve", "--host",
                                "127.0.0.1", "--port", "0"], cwd=code, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = ""
        while not url:
            line = process.stdout.readline()
            assert line, process.stderr.read()[-3000:]
            if "listening on" in line:
                url = line.rsplit(" ", 1)[1].strip()
        with open(os.path.join(ROOT, "tests", "fixtures", "cards", "face-clean.jpg"), "rb") as f:
            image = base64.b64encode(f.read()).decode()
        answer = requests.post(url, timeout=120, data=json.dumps(
            {"image": image, "configure": json.dumps({"side": "face"})}),
            headers={"Authorization": f"APPCODE {appcode}",
                     "Content-Type": "application/json; charset=UTF-8"})
        assert answer.status_code == 200, answer.headers.get("X-Ca-Error-Message")
        with open(os.path.join(ROOT, "tests", "fixtures", "cards", "truth.json"),
                  encoding="utf-8") as f:
            expected = json.load(f)["face-clean.jpg"]["fields"]["num"]
        read_right = answer.json().get("num") == expected  # no card number in the test output
        assert answer.json()["success"] is True and read_right
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        process.stdout.close()
        process.stderr.close()


def test_engine_zip_carries_the_folded_models_of_the_wheel_it_vendors(engine_code):
    """The deployed engine runs the folded models (template.yml): the zip carries them with the
    manifest that records the vendored wheel's models as their source, whatever this checkout's
    models folder holds (tools/package.py derives them into the stage)."""
    import hashlib
    import json

    models = os.path.join(engine_code, "idcard_ocr", "engine", "models")
    with open(os.path.join(models, "manifest.json"), encoding="utf-8") as f:
        folded = json.load(f)["folded"]["models"]
    wheel = os.path.join(engine_code, "python", "rapidocr_onnxruntime", "models")
    for role in ("det", "rec"):
        entry = folded[role]
        with open(os.path.join(wheel, entry["source"]), "rb") as f:
            assert entry["source_sha256"] == hashlib.sha256(f.read()).hexdigest()
        with open(os.path.join(models, entry["file"]), "rb") as f:
            assert entry["sha256"] == hashlib.sha256(f.read()).hexdigest()
