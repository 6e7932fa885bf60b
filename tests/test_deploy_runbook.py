"""docs/deploy.md's commands that can run without an account, run: the AppCode check of step 3
against the marketplace-shaped test server (tests/fakes/ocr_api.py), and the stacks and policy
files the runbook names exist where it says."""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import APPCODE, ROOT

pytestmark = pytest.mark.deploy
RUNBOOK = os.path.join(ROOT, "docs", "deploy.md")
MARKETPLACE = "https://dm-51.data.aliyun.com/rest/160601/ocr/ocr_idcard.json"


def runbook() -> str:
    with open(RUNBOOK, encoding="utf-8") as f:
        return f.read()


def appcode_check_snippet() -> str:
    """Step 3's Python, as the runbook prints it."""
    [snippet] = re.findall(r"python3 - <<'EOF'\n(.*?)\nEOF\n", runbook(), re.S)
    assert MARKETPLACE in snippet
    return snippet


@pytest.mark.parametrize("appcode, printed", [
    (APPCODE, "200 ok"),
    ("not-the-appcode", "Invalid AppCode"),
])
def test_step_3_tells_a_good_appcode_from_a_bad_one(ocr_api, appcode, printed):
    snippet = appcode_check_snippet().replace(MARKETPLACE, ocr_api.url)
    result = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True,
                            text=True, timeout=60,
                            env=dict(os.environ, OCR_APPCODE=appcode))
    assert result.returncode == 0, result.stderr[-2000:]
    assert printed in result.stdout
    assert appcode not in result.stdout + result.stderr  # never echoed


def test_every_file_the_runbook_names_exists():
    named = set(re.findall(r"(?:deploy|tests/fixtures/cards)/[\w.-]+\.(?:yml|json|jpg)",
                           runbook()))
    assert {"deploy/enable-services.yml", "deploy/serverless-devs-resources.yml",
            "deploy/function-policy.json"} <= named
    missing = sorted(p for p in named if not os.path.exists(os.path.join(ROOT, p)))
    assert not missing, missing


def test_the_readme_points_at_the_runbook():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert "docs/deploy.md" in readme and "What cannot be verified without an account" in readme
