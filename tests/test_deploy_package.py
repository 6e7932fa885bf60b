"""`make package`: the function's zip built from the wheelhouse `make test` prefetched (no
network here), and what goes into it."""

import glob
import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import FUNCTION_DIR, ROOT

WHEELHOUSE = os.path.join(ROOT, ".venv", "wheelhouse")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    if not os.path.isdir(WHEELHOUSE):
        pytest.fail("no wheelhouse: run `make test` (it prefetches the function's wheels)")
    out = str(tmp_path_factory.mktemp("dist"))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "package.py"),
                             "--only", "function", "--wheelhouse", WHEELHOUSE, "--out", out,
                             "--fast"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "idcard-ocr.zip:" in result.stdout and " MB " in result.stdout  # prints its size
    with zipfile.ZipFile(os.path.join(out, "idcard-ocr.zip")) as archive:
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
