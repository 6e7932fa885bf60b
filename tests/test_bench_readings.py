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


def test_a_cache_named_by_its_path_keeps_each_models_readings_apart(monkeypatch, tmp_path):
    # BENCH_READINGS_CACHE names the file, so the digest in the default name keys nothing: a
    # run with IDCARD_ENGINE_MODELS=folded (what the function deploys) replayed the readings a
    # run without it had made with the wheel's models into the same file, and the reverse.
    # Each reading now says which models made it; another's is read again. A line from before
    # (no models named) was the wheel's, the only models a checkout read with.
    monkeypatch.syspath_prepend(os.path.join(ROOT, "bench"))
    readings = importlib.import_module("readings")
    path = tmp_path / "readings.jsonl"
    monkeypatch.setenv("BENCH_READINGS_CACHE", str(path))
    made = []

    def read(key):
        made.append(key)
        return {"set": key[0], "kind": key[1], "seed": key[2], "answers": {},
                "models": readings.models()}

    monkeypatch.setattr(readings, "read", read)
    # Reading in this process warms the engine up and silences logging below WARNING for the
    # process (readings._worker_start): neither is this test's, and the second hid a log line
    # later tests of the same process look for.
    monkeypatch.setattr(readings, "_worker_start", lambda: None)
    old = {"set": "drifter", "kind": "plain_face", "seed": 4001, "answers": {}}
    path.write_text(json.dumps(old) + "\n")
    keys = [("drifter", "plain_face", 4000), ("drifter", "plain_face", 4001)]
    monkeypatch.delenv("IDCARD_ENGINE_MODELS", raising=False)
    assert [r["seed"] for r in readings.readings(keys, workers=1, progress=None)] == [4000, 4001]
    assert made == keys[:1]  # the old line is the wheel's: kept
    monkeypatch.setenv("IDCARD_ENGINE_MODELS", "folded")
    made.clear()
    got = readings.readings(keys, workers=1, progress=None)
    assert made == keys and {r["models"] for r in got} == {"folded"}
    made.clear()
    assert readings.readings(keys, workers=1, progress=None) == got and made == []
    assert readings.readings(keys, cached_only=True, progress=None) == got
    monkeypatch.setenv("IDCARD_ENGINE_MODELS", "wheel")
    assert {r.get("models", "wheel") for r in readings.readings(keys, cached_only=True,
                                                                  progress=None)} == {"wheel"}


def test_a_reading_names_the_code_that_made_it_and_a_replay_of_another_says_so(monkeypatch):
    # The committed thresholds were fitted on readings an older engine had made two stops
    # before, replayed from a file named by BENCH_READINGS_CACHE, which no digest keys: nothing
    # said so. Each reading now names the digest of the code that made it.
    monkeypatch.syspath_prepend(os.path.join(ROOT, "bench"))
    readings = importlib.import_module("readings")
    monkeypatch.setattr(readings, "draw", lambda *key: type("Photo", (), {
        "data": b"", "truth": {}})())
    import idcard_ocr.engine as engine
    import idcard_ocr.imaging as imaging
    monkeypatch.setattr(engine, "recognize", lambda image, side: {"success": False})
    monkeypatch.setattr(imaging, "prepare", lambda data, limits: type("Prepared", (), {
        "data": data})())
    made = readings.read(("drifter", "plain_face", 4000))
    assert made["version"] == readings.version()
    older = dict(made, version="0123456789ab")
    assert readings.of_another_version([made, older, {k: v for k, v in made.items()
                                                      if k != "version"}]) == 2
