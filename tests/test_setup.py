"""`make demo` is a light install a normal user can run; `make test` carries the heavy parts."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def extras():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]["optional-dependencies"]


def names(requirements):
    return {re.split(r"[<>=;\[ ]", r, 1)[0].lower() for r in requirements}


def make_dry_run(target: str) -> str:
    """The commands `make TARGET` would run in a fresh clone (no .venv yet)."""
    run = subprocess.run(["make", "-n", "-B", "--no-print-directory", target], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_demo_extra_holds_what_the_demo_imports():
    demo = names(extras()["demo"])
    # tools/demo.py: the engine server (rapidocr, hypercorn), the local OSS (moto's server),
    # and for review-demo the console (starlette, jinja2, uvicorn, multipart)
    assert {"rapidocr-onnxruntime", "hypercorn", "moto", "starlette", "jinja2", "uvicorn",
            "python-multipart"} <= demo
    assert names(extras()["engine"]) <= demo  # the same engine pins
    assert not {"playwright", "pytest", "ros-cdk-core"} & demo


def test_make_demo_needs_no_root_npm_or_browser():
    commands = make_dry_run("demo")
    assert "pip install" in commands and "'.[demo]'" in commands
    for heavy in ("apt-get", "npm", "chromium", "--prefetch", "sudo"):
        assert heavy not in commands, heavy


def test_make_test_still_installs_the_heavy_parts():
    commands = make_dry_run("test")
    for heavy in ("chromium", "npm ci", "--prefetch", "test,engine,ops,demo"):
        assert heavy in commands, heavy


def test_make_package_derives_the_folded_models_with_onnx_from_its_own_light_install():
    # The engine's zip carries the folded models the template asks for (tools/package.py
    # derives them with onnx); `make package` ran on the system Python, which has none.
    commands = make_dry_run("package")
    assert "'.[package]'" in commands and ".venv/bin/python tools/package.py" in commands
    assert "onnx" in names(extras()["package"])
    for heavy in ("apt-get", "npm", "chromium", "sudo"):
        assert heavy not in commands, heavy


def test_a_checkouts_engine_runs_the_wheels_models_because_the_demo_cannot_derive_others():
    # The deployed engine runs the folded models; a checkout's default stays the wheel's: the
    # demo's install has no onnx to derive them with, and a default that needs `make models`
    # would make the demo's engine refuse to start.
    from idcard_ocr.engine import ocr

    assert ocr.models_choice({}) == "wheel"
    assert "onnx" not in names(extras()["demo"])
    assert "derive_models" not in make_dry_run("demo")
