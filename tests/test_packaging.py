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
