"""The docs agree with what ran: numbers quoted from the benchmarks, the demo's output, the
front door's promises, and words a newcomer can know."""

import glob
import importlib.util
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _module(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


numbers = _module("tools/bench_numbers.py", "bench_numbers")


def read(name: str) -> str:
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def test_every_number_quoted_from_the_benchmarks_is_the_benchmarks():
    assert numbers.disagreements(numbers.load()) == []
    quoted = [path for name in numbers.quoting_files() for _, path, _ in numbers.quotes(read(name))]
    assert "engine.p50_s" in quoted and "memory.worst_accepted_mb" in quoted


def test_a_retyped_or_stale_number_is_caught():
    results = {"engine": {"p50_s": 0.34, "photos": 360, "big": 100000.0}}
    assert numbers.check_text("x.md", "p50 0.34<!-- bench:engine.p50_s --> s", results) == []
    assert numbers.check_text("x.md", "on 100,000<!-- bench:engine.big --> photos", results) == []
    stale = numbers.check_text("x.md", "\np50 0.37<!-- bench:engine.p50_s --> s", results)
    assert stale == ["x.md:2: quotes 0.37 for engine.p50_s; the bench says 0.34"]
    assert "not in bench/results.json" in \
        numbers.check_text("x.md", "1<!-- bench:engine.nothing -->", results)[0]
    for broken in ("p50 <!-- bench:engine.p50_s --> s", "0.34<!--\n bench:engine.p50_s -->"):
        assert "without a number" in numbers.check_text("x.md", broken, results)[0]


def test_the_two_commands_are_two():
    readme = read("README.md")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_the_readme_is_a_front_door():
    readme = read("README.md")
    assert len(readme.splitlines()) <= 320
    for link in re.findall(r"\]\(((?:docs|bench)/[^)#]+)", readme):
        assert os.path.exists(os.path.join(ROOT, link)), link
    for page in ("configuration", "results", "engine", "review", "deploy", "security",
                 "operations", "guarantees", "development"):
        assert f"docs/{page}.md" in readme


def test_the_readmes_demo_output_is_the_demos():
    """Every photo the demo uploads is a row of the README's sample output, and nothing else."""
    demo = _module("tools/demo.py", "demo")
    readme = read("README.md")
    block = readme.split("```\nobject ", 1)[1].split("```", 1)[0]
    rows = [line.split("  ")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    expected = [key for key, _ in demo.UPLOADS] + [demo.UPLOADS[0][0] + ".json"]
    assert rows == expected


JARGON = [r"\bthe seed\b", r"\bseed's\b", r"\bissue \d+", r"\bhostile review"]


@pytest.mark.parametrize("name", ["README.md", "bench/README.md"] + sorted(
    os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))) + sorted(
    os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "bench", "*.py"))))
def test_no_internal_jargon(name):
    text = read(name)
    for pattern in JARGON:
        assert not re.search(pattern, text, re.IGNORECASE), (name, pattern)
