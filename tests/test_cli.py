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


# Operator commands ask only for what they use -----------------------------------------------

def _only(monkeypatch, env, *names):
    """This shell's environment: exactly `names` of the function's settings."""
    for name in list(env) + ["OCR_APPCODE", "FC_REGION", "FC_ENDPOINT", "ALIBABA_CLOUD_ACCOUNT_ID"]:
        monkeypatch.delenv(name, raising=False)
    for name in names:
        monkeypatch.setenv(name, env[name])


def test_report_needs_no_appcode(bucket, env, monkeypatch, capsys):
    upload(bucket, "idcards/r-face.jpg", images.card_jpeg())
    _only(monkeypatch, env, "RESULT_SIGNING_KEY", "OSS_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID",
          "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    assert cli(["report", "--bucket", bucket.bucket_name]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {}


def test_every_missing_setting_is_named_at_once(monkeypatch, env, capsys):
    _only(monkeypatch, env)
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert cli(["report", "--bucket", "Not_A_Bucket"]) == 2
    err = capsys.readouterr().err
    assert "4 settings to fix" in err
    for name in ("--bucket", "ALIBABA_CLOUD_ACCESS_KEY_ID", "RESULT_SIGNING_KEY", "OSS_ENDPOINT"):
        assert f"\n  {name}: " in err
    assert "OCR_APPCODE" not in err  # report recognises nothing
    # backfill in its default mode (hand-overs to the deployed function) adds the FC endpoint,
    # never the AppCode: the deployed function holds it.
    assert cli(["backfill", "--bucket", "my-bucket"]) == 2
    err = capsys.readouterr().err
    assert "--fc-endpoint" in err and "RESULT_SIGNING_KEY" in err and "OCR_APPCODE" not in err
    # recognising here does need it
    assert cli(["backfill", "--bucket", "my-bucket", "--mode", "local"]) == 2
    assert "\n  OCR_APPCODE: " in capsys.readouterr().err


def test_a_dry_run_needs_no_fc_endpoint_and_no_appcode(bucket, env, monkeypatch, capsys):
    bucket.put_object("idcards/waiting-face.jpg", images.card_jpeg())
    _only(monkeypatch, env, "RESULT_SIGNING_KEY", "OSS_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID",
          "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    assert cli(["backfill", "--bucket", bucket.bucket_name, "--dry-run"]) == 0  # --mode invoke
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] and report["submitted"] == 1 and report["done"] == {}
    assert not bucket.object_exists("idcards/waiting-face.jpg.json")


def test_an_unreachable_oss_endpoint_is_named_in_the_error(bucket, env, monkeypatch, capsys):
    import socket

    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
    _only(monkeypatch, env, "RESULT_SIGNING_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID",
          "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OCR_TIMEOUT_S")
    monkeypatch.setenv("OSS_ENDPOINT", endpoint)
    assert cli(["report", "--bucket", bucket.bucket_name]) == 1
    assert f"OSS endpoint {endpoint}" in capsys.readouterr().err


def test_invoke_says_why_it_skipped(bucket, env, ocr_api, monkeypatch, capsys, tmp_path):
    """events/face-upload.json with only its bucket and key edited keeps its eTag: superseded."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    key = "idcards/applicant-0001-face.jpg"  # the key events/face-upload.json names
    upload(bucket, key, images.card_jpeg())
    with open(os.path.join(ROOT, "events", "face-upload.json"), encoding="utf-8") as f:
        event = json.load(f)
    event["events"][0]["oss"]["bucket"]["name"] = bucket.bucket_name
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(event), encoding="utf-8")
    assert cli(["invoke", str(edited)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["objects"][0]["reason"] == "superseded"
    assert f"skipped {key}: superseded: the event's eTag is not the object's ETag" in err
    assert "--bucket and --key" in err
    assert ocr_api.requests == []

    # --bucket and --key point the shipped event at any object, its eTag dropped: processed.
    shipped = os.path.join(ROOT, "events", "face-upload.json")
    assert cli(["invoke", shipped, "--bucket", bucket.bucket_name, "--key", key]) == 0
    assert json.loads(capsys.readouterr().out)["objects"][0]["status"] == "ok"
    assert bucket.object_exists(key + ".json") and len(ocr_api.requests) == 1

    # again: done already, and it says so
    assert cli(["invoke", shipped, "--bucket", bucket.bucket_name, "--key", key]) == 0
    assert f"skipped {key}: already_done: a signed result" in capsys.readouterr().err
    assert cli(["invoke", shipped, "--bucket", bucket.bucket_name, "--key", key + ".json"]) == 0
    assert "own_output: the key is one of the function's own outputs" in \
        capsys.readouterr().err
    assert len(ocr_api.requests) == 1
