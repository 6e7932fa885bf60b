"""What gets deployed: functions/idcard_ocr/ alone, with pinned requirements and a light import."""

import os
import re
import subprocess
import sys

from tests.conftest import FUNCTION_DIR, ROOT


def _pins(lines):
    return {re.split(r"[=<>]", line)[0].strip().lower(): line.strip()
            for line in lines if line.strip() and not line.lstrip().startswith("#")}


def test_requirements_are_pinned_and_match_pyproject():
    with open(os.path.join(FUNCTION_DIR, "requirements.txt")) as f:
        requirements = _pins(f)
    assert requirements and all("==" in pin for pin in requirements.values())
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert _pins(project["dependencies"]) == requirements


def test_deployed_directory_imports_on_its_own_and_stays_light():
    """index.py runs from its own folder; a cold start pays for oss2 and requests (every
    invocation needs them) but not for Pillow or HEIF (skipped events never decode) nor for
    the MNS SDK (only OUTPUT=mns needs it)."""
    code = ("import sys, index; "
            "print(callable(index.handler)); "
            "print(sorted(m for m in ('PIL', 'pillow_heif', 'mns', 'oss2', 'requests') "
            "if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], cwd=FUNCTION_DIR, env=env,
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "True"
    assert out[1] == "['oss2', 'requests']"


# Which part may import which (README, "How the code is built") --------------------------------

PACKAGE = os.path.join(FUNCTION_DIR, "idcard_ocr")
# A part (folder or top-level module) and the parts of the package it must never import.
FORBIDDEN = {
    "card": {"imaging", "io", "ops", "engine", "app", "pipeline", "handler", "recognition",
             "config"},
    "imaging": {"card", "io", "ops", "engine", "app", "pipeline", "handler", "recognition",
                "config"},
    "engine": {"io", "ops", "app", "pipeline", "handler", "recognition", "config"},
    "io": {"ops", "app", "pipeline", "handler", "recognition"},  # io/offline adapts engine/
    "config": {"io", "ops", "app", "pipeline", "handler", "engine"},
    "pipeline": {"ops", "app", "handler", "engine"},
}


def _imported_parts(path: str, depth: int):
    """The package's parts a module imports (relative imports resolved from its depth)."""
    import ast

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1  # 1: this folder
            if up > depth:
                continue
            names = (node.module or "").split(".") if node.module else \
                [alias.name for alias in node.names]
            if up == depth and names:  # relative to the package root
                yield names[0]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("idcard_ocr."):
            yield node.module.split(".")[1]


def test_imports_point_one_way():
    broken = []
    for folder, _, files in os.walk(PACKAGE):
        relative = os.path.relpath(folder, PACKAGE)
        depth = 0 if relative == "." else relative.count(os.sep) + 1
        for name in files:
            if not name.endswith(".py"):
                continue
            part = relative.split(os.sep)[0] if depth else name[:-3]
            for imported in _imported_parts(os.path.join(folder, name), depth):
                if imported in FORBIDDEN.get(part, ()):
                    broken.append(f"{relative}/{name} imports {imported}")
    assert broken == []


def test_every_error_class_of_the_package_derives_from_the_root():
    """One exception root (the requests style): whoever catches IdcardOcrError catches every
    error the package raises on purpose. Private control flow inside one module (a name
    starting with _, never raised to a caller) is exempt."""
    import importlib
    import inspect
    import pkgutil

    import idcard_ocr
    from idcard_ocr.errors import IdcardOcrError

    outside = []
    for module in pkgutil.walk_packages(idcard_ocr.__path__, "idcard_ocr."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        for name, cls in inspect.getmembers(loaded, inspect.isclass):
            if cls.__module__ == module.name and issubclass(cls, BaseException) \
                    and not name.startswith("_") and not issubclass(cls, IdcardOcrError):
                outside.append(f"{module.name}.{name}")
    assert outside == []
