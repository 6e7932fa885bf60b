"""bench/readings.py's cache of the engine's readings: a reading made with other models is
another reading."""

import importlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_models_choice_and_the_derived_models_key_the_readings_cache(monkeypatch, tmp_path):
    # The cache was keyed by the engine's code alone: a run with IDCARD_ENGINE_MODELS=folded
    # replayed the wheel's readings (or the reverse) as its own.
    monkeypatch.syspath_prepend(os.path.join(ROOT, "bench"))
    readings = importlib.import_module("readings")
    package = tmp_path / "functions" / "idcard_ocr" / "idcard_ocr"
    models = package / "engine" / "models"
    os.makedirs(models)
    (package / "engine" / "ocr.py").write_text("# the engine's code\n")
    os.makedirs(tmp_path / "tests" / "fakes")
    monkeypatch.setattr(readings, "ROOT", str(tmp_path))
    (models / "manifest.json").write_text(json.dumps({"folded": {"sha256": "a"}}))
    monkeypatch.delenv("IDCARD_ENGINE_MODELS", raising=False)
    wheel = readings.version()
    monkeypatch.setenv("IDCARD_ENGINE_MODELS", "wheel")
    assert readings.version() == wheel
    monkeypatch.setenv("IDCARD_ENGINE_MODELS", "folded")
    folded = readings.version()
    (models / "manifest.json").write_text(json.dumps({"folded": {"sha256": "b"}}))
    assert len({wheel, folded, readings.version()}) == 3
    monkeypatch.setenv("IDCARD_ENGINE_MODELS", "int8")
    assert readings.version() not in {wheel, folded}
