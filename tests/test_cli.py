"""The command line: `invoke` runs the real handler on an event file; exit codes; --version."""

import json
import os
import subprocess
import sys
import warnings

import pytest

from idcard_ocr import __version__
from idcard_ocr.ops.cli import main as cli
from tests.conftest import oss_event, upload
from tests.fakes import images


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version(capsys):
    with pytest.raises(SystemExit) as raised:
        cli(["--version"])
    assert raised.value.code == 0 and capsys.readouterr().out.strip() == f"idcard-ocr {__version__}"


def built_metadata_version() -> str:
    """The version a pip install of this checkout records: setuptools' own reading of
    pyproject.toml, its dynamic version expanded."""
    from setuptools.config.pyprojecttoml import read_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "[tool.setuptools] is beta" on older setuptools
        project = read_configuration(os.path.join(ROOT, "pyproject.toml"), expand=True)["project"]
    return project["version"]


def test_the_version_has_one_source_the_package_metadata_agrees():
    printed = subprocess.run([sys.executable, "-m", "idcard_ocr", "--version"], capture_output=True,
                             text=True, timeout=60, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": os.path.join(ROOT, "functions",
                                                                           "idcard_ocr")})
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert printed.stdout.strip() == f"idcard-ocr {built_metadata_version()}"
    # The installed metadata too, when the installed project is this checkout (make test's
    # editable install); another checkout's install may be older.
    from importlib import metadata

    origin = metadata.distribution("idcard-ocr").read_text("direct_url.json") or ""
    if json.loads(origin or "{}").get("url") == f"file://{ROOT}":
        assert metadata.version("idcard-ocr") == __version__


def test_invoke_runs_the_handler_on_an_event_file(bucket, env, ocr_api, tmp_path, monkeypatch,
                                                  capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    event = tmp_path / "event.json"
    event.write_bytes(oss_event(bucket.bucket_name, upload(bucket, "idcards/inv-face.jpg",
                                                           images.card_jpeg())))
    assert cli(["invoke", str(event)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] == 1 and summary["request_id"].startswith("local-")
    assert bucket.object_exists("idcards/inv-face.jpg.json")


def test_invoke_reports_bad_settings_and_events(env, tmp_path, monkeypatch, capsys):
    event = tmp_path / "event.json"
    event.write_text('{"not": "an oss event"}')
    monkeypatch.delenv("OCR_APPCODE", raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b")
    assert cli(["invoke", str(event)]) == 2
    assert "OCR_APPCODE" in capsys.readouterr().err
    monkeypatch.setenv("OCR_APPCODE", "x")
    monkeypatch.setenv("OSS_ENDPOINT", env["OSS_ENDPOINT"])
    assert cli(["invoke", str(event)]) == 2
    assert "RESULT_SIGNING_KEY: is required" in capsys.readouterr().err
    monkeypatch.setenv("RESULT_SIGNING_KEY", env["RESULT_SIGNING_KEY"])
    assert cli(["invoke", str(event)]) == 2
    assert "not an OSS event" in capsys.readouterr().err
    assert cli(["invoke", str(tmp_path / "missing.json")]) == 2
